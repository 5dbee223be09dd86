package store

import (
	"context"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

// Sessions and sign-in throttling live in the database so that several
// instances behind one PostgreSQL share them.

// CreateSession inserts a session.
func (s *DB) CreateSession(ctx context.Context, sess persona.Session) error {
	_, err := s.exec(ctx, s.q(), `INSERT INTO sessions (token_hash, user_id, data, expires_at) VALUES ($1, $2, $3, $4)`,
		sess.TokenHash, sess.UserID, sess.Data, ts(sess.ExpiresAt))
	return err
}

// SessionByHash returns a session that has not expired at now.
func (s *DB) SessionByHash(ctx context.Context, hash string, now time.Time) (persona.Session, error) {
	var sess persona.Session
	err := s.q().QueryRowContext(ctx, `SELECT token_hash, user_id, data, expires_at FROM sessions
		WHERE token_hash = $1 AND expires_at > $2`, hash, ts(now)).
		Scan(&sess.TokenHash, &sess.UserID, &sess.Data, timeCol{&sess.ExpiresAt})
	return sess, noRows(err, "session")
}

// UpdateSession rewrites a session's data and expiry.
func (s *DB) UpdateSession(ctx context.Context, sess persona.Session) error {
	return s.execOne(ctx, s.q(), "session", `UPDATE sessions SET data = $2, expires_at = $3 WHERE token_hash = $1`,
		sess.TokenHash, sess.Data, ts(sess.ExpiresAt))
}

// DeleteSession removes a session; removing a missing one is not an error.
func (s *DB) DeleteSession(ctx context.Context, hash string) error {
	_, err := s.exec(ctx, s.q(), `DELETE FROM sessions WHERE token_hash = $1`, hash)
	return err
}

// DeleteUserSessions signs a user out everywhere (after a password change).
func (s *DB) DeleteUserSessions(ctx context.Context, userID string) error {
	_, err := s.exec(ctx, s.q(), `DELETE FROM sessions WHERE user_id = $1`, userID)
	return err
}

// DeleteExpiredSessions removes sessions that expired before now.
func (s *DB) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.exec(ctx, s.q(), `DELETE FROM sessions WHERE expires_at <= $1`, ts(now))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// LoginFailures counts the failures recorded for key in the window that
// started after since.
func (s *DB) LoginFailures(ctx context.Context, key string, since time.Time) (int, error) {
	var n int
	err := s.q().QueryRowContext(ctx, `SELECT count FROM login_attempts WHERE key = $1 AND window_start > $2`, key, ts(since)).Scan(&n)
	if err := noRows(err, "attempts"); err != nil {
		if persona.ErrorCode(err) == persona.CodeNotFound {
			return 0, nil
		}
		return 0, err
	}
	return n, nil
}

// RecordLoginFailure adds a failure for key and returns the count in the
// current window; a window that started at or before since is restarted at
// now. One statement, so concurrent failures are all counted.
func (s *DB) RecordLoginFailure(ctx context.Context, key string, now, since time.Time) (int, error) {
	var n int
	err := s.q().QueryRowContext(ctx, `INSERT INTO login_attempts (key, count, window_start) VALUES ($1, 1, $2)
		ON CONFLICT (key) DO UPDATE SET
			count = CASE WHEN login_attempts.window_start <= $3 THEN 1 ELSE login_attempts.count + 1 END,
			window_start = CASE WHEN login_attempts.window_start <= $3 THEN $2 ELSE login_attempts.window_start END
		RETURNING count`, key, ts(now), ts(since)).Scan(&n)
	return n, s.d.mapErr(err)
}

// ClearLoginFailures forgets the failures for key (after a good sign-in).
func (s *DB) ClearLoginFailures(ctx context.Context, key string) error {
	_, err := s.exec(ctx, s.q(), `DELETE FROM login_attempts WHERE key = $1`, key)
	return err
}
