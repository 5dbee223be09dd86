package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

// Sessions and sign-in throttling live in the database so that several
// instances behind one PostgreSQL share them.

const sessionCols = `token_hash, user_id, data, expires_at, id, created_at, last_seen_at, client, user_agent`

func scanSession(row interface{ Scan(...any) error }) (persona.Session, error) {
	var (
		sess persona.Session
		id   sql.NullString
	)
	err := row.Scan(&sess.TokenHash, &sess.UserID, &sess.Data, timeCol{&sess.ExpiresAt}, &id,
		nullTimeCol{&sess.CreatedAt}, nullTimeCol{&sess.LastSeenAt}, &sess.Client, &sess.UserAgent)
	sess.ID = id.String
	return sess, err
}

// CreateSession inserts a session.
func (s *DB) CreateSession(ctx context.Context, sess persona.Session) error {
	_, err := s.exec(ctx, s.q(), `INSERT INTO sessions (`+sessionCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		sess.TokenHash, sess.UserID, sess.Data, ts(sess.ExpiresAt), sql.NullString{String: sess.ID, Valid: sess.ID != ""},
		nullTS(sess.CreatedAt), nullTS(sess.LastSeenAt),
		sess.Client, sess.UserAgent)
	return err
}

// SessionByHash returns a session that has not expired at now.
func (s *DB) SessionByHash(ctx context.Context, hash string, now time.Time) (persona.Session, error) {
	sess, err := scanSession(s.q().QueryRowContext(ctx, `SELECT `+sessionCols+` FROM sessions
		WHERE token_hash = $1 AND expires_at > $2`, hash, ts(now)))
	return sess, noRows(err, "session")
}

// UpdateSession rewrites a session's data, expiry, last use and client.
func (s *DB) UpdateSession(ctx context.Context, sess persona.Session) error {
	return s.execOne(ctx, s.q(), "session", `UPDATE sessions SET data = $2, expires_at = $3, last_seen_at = $4, client = $5, user_agent = $6
		WHERE token_hash = $1`,
		sess.TokenHash, sess.Data, ts(sess.ExpiresAt), nullTS(sess.LastSeenAt), sess.Client, sess.UserAgent)
}

// ListSessions lists a user's sessions unexpired at now, the most recently
// used first.
func (s *DB) ListSessions(ctx context.Context, userID string, now time.Time) ([]persona.Session, error) {
	rows, err := s.q().QueryContext(ctx, `SELECT `+sessionCols+` FROM sessions
		WHERE user_id = $1 AND expires_at > $2
		ORDER BY COALESCE(last_seen_at, created_at, expires_at) DESC, id`, userID, ts(now))
	if err != nil {
		return nil, err
	}
	return collect(rows, scanSession)
}

// DeleteUserSession ends one of the user's sessions by its ID; not found
// when the user has no session with it.
func (s *DB) DeleteUserSession(ctx context.Context, userID, id string) error {
	return s.execOne(ctx, s.q(), "session", `DELETE FROM sessions WHERE user_id = $1 AND id = $2`, userID, id)
}

// DeleteOtherSessions ends every session of the user but the one with
// the ID keep, and returns how many it ended.
func (s *DB) DeleteOtherSessions(ctx context.Context, userID, keep string) (int, error) {
	res, err := s.exec(ctx, s.q(), `DELETE FROM sessions WHERE user_id = $1 AND (id IS NULL OR id <> $2)`, userID, keep)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
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

// UpdateLoginCounters reads the sign-in throttling counters with these
// keys, hands them to decide and stores what it returns, in one
// transaction that holds the counters' rows locked from the first read to
// the commit: concurrent attempts on a key (from any instance) take turns,
// so none is decided on a count another is about to change. Each key's row
// is created (count 0, window starting at now) and locked by one UPSERT, in
// sorted key order on every caller, so two attempts never wait for each
// other's rows. decide gets the counters in the order of keys and must
// return them in that order; counters it returns empty are deleted. An
// error from decide rolls everything back and is returned.
func (s *DB) UpdateLoginCounters(ctx context.Context, now time.Time, keys []string,
	decide func([]persona.LoginCounter) ([]persona.LoginCounter, error)) error {
	order := make([]int, len(keys))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(keys[a], keys[b]) })
	return s.inTx(ctx, func(tx *sql.Tx) error {
		cur := make([]persona.LoginCounter, len(keys))
		for _, i := range order {
			c := persona.LoginCounter{Key: keys[i]}
			err := tx.QueryRowContext(ctx, `INSERT INTO login_attempts (key, count, window_start) VALUES ($1, 0, $2)
				ON CONFLICT (key) DO UPDATE SET count = login_attempts.count
				RETURNING count, window_start, not_before`, keys[i], ts(now)).
				Scan(&c.Count, timeCol{&c.WindowStart}, timeCol{&c.NotBefore})
			if err != nil {
				return s.d.mapErr(err)
			}
			cur[i] = c
		}
		next, err := decide(cur)
		if err != nil {
			return err
		}
		if len(next) != len(keys) {
			return fmt.Errorf("store: login counters: %d returned for %d keys", len(next), len(keys))
		}
		for _, i := range order {
			c := next[i]
			if c.Key != keys[i] {
				return fmt.Errorf("store: login counters: %q returned for %q", c.Key, keys[i])
			}
			if c.IsZero() {
				_, err = tx.ExecContext(ctx, `DELETE FROM login_attempts WHERE key = $1`, c.Key)
			} else {
				_, err = tx.ExecContext(ctx, `UPDATE login_attempts SET count = $2, window_start = $3, not_before = $4 WHERE key = $1`,
					c.Key, c.Count, ts(c.WindowStart), nullTS(&c.NotBefore))
			}
			if err != nil {
				return s.d.mapErr(err)
			}
		}
		return nil
	})
}

// DeleteStaleLoginCounters removes throttling counters whose window began
// before windowsBefore and whose next slot (if any) is before now.
func (s *DB) DeleteStaleLoginCounters(ctx context.Context, windowsBefore, now time.Time) (int64, error) {
	res, err := s.exec(ctx, s.db, `DELETE FROM login_attempts WHERE window_start < $1 AND (not_before IS NULL OR not_before < $2)`,
		ts(windowsBefore), ts(now))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
