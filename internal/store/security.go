package store

import (
	"context"
	"database/sql"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// AppendSecurityEvent adds an event to a user's security log.
func (s *DB) AppendSecurityEvent(ctx context.Context, e persona.SecurityEvent) error {
	return s.appendSecurityEvent(ctx, s.db, e)
}

func (s *DB) appendSecurityEvent(ctx context.Context, q querier, e persona.SecurityEvent) error {
	_, err := s.exec(ctx, q, `INSERT INTO security_events (user_id, at, kind, summary, client, user_agent)
		VALUES ($1, $2, $3, $4, $5, $6)`, e.UserID, ts(e.At), e.Kind, e.Summary, e.Client, e.UserAgent)
	return err
}

// ListSecurityEvents lists a user's security events newest first, below
// the sequence number before (0: from the newest), at most limit.
func (s *DB) ListSecurityEvents(ctx context.Context, userID string, before int64, limit int) ([]persona.SecurityEvent, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	q := `SELECT seq, user_id, at, kind, summary, client, user_agent FROM security_events WHERE user_id = $1`
	args := []any{userID}
	if before > 0 {
		q += ` AND seq < $3`
		args = append(args, limit, before)
	} else {
		args = append(args, limit)
	}
	rows, err := s.q().QueryContext(ctx, q+` ORDER BY seq DESC LIMIT $2`, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(r interface{ Scan(...any) error }) (persona.SecurityEvent, error) {
		var e persona.SecurityEvent
		err := r.Scan(&e.Seq, &e.UserID, timeCol{&e.At}, &e.Kind, &e.Summary, &e.Client, &e.UserAgent)
		return e, err
	})
}

// ResetAccess changes a user's access in one transaction: it sets the
// password hash (unless r.PasswordHash is ""), ends every session of the
// user, revokes their active API tokens when r.RevokeTokens, and appends
// r.Event to their security log; all of it or, on any error, nothing.
// Not found when the user does not exist. It returns how many tokens it
// revoked.
func (s *DB) ResetAccess(ctx context.Context, r app.AccessReset) (int, error) {
	var revoked int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if r.PasswordHash != "" {
			err = s.execOne(ctx, tx, "user", `UPDATE users SET password_hash = $2 WHERE id = $1`, r.UserID, r.PasswordHash)
		} else {
			err = noRows(tx.QueryRowContext(ctx, `SELECT id FROM users WHERE id = $1`, r.UserID).Scan(new(string)), "user")
		}
		if err != nil {
			return err
		}
		if _, err := s.exec(ctx, tx, `DELETE FROM sessions WHERE user_id = $1`, r.UserID); err != nil {
			return err
		}
		if r.RevokeTokens {
			res, err := s.exec(ctx, tx, `UPDATE api_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL`,
				r.UserID, ts(r.At))
			if err != nil {
				return err
			}
			if revoked, err = res.RowsAffected(); err != nil {
				return err
			}
		}
		return s.appendSecurityEvent(ctx, tx, r.Event)
	})
	return int(revoked), err
}
