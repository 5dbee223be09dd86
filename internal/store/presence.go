package store

import (
	"context"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

// Presence rows (app/presence.go): one per open stream, short-lived.

// JoinPresence inserts the stream's row, or refreshes it when it exists.
func (s *DB) JoinPresence(ctx context.Context, p persona.Presence) error {
	_, err := s.exec(ctx, s.q(), `INSERT INTO presence (org_id, conn_id, persona_id, variant_id, user_id, mode, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (org_id, conn_id) DO UPDATE SET mode = excluded.mode, expires_at = excluded.expires_at`,
		p.OrgID, p.ConnID, p.PersonaID, p.VariantID, p.UserID, string(p.Mode), ts(p.ExpiresAt))
	return err
}

// RefreshPresence moves the row's expiry; not found when it is gone.
func (s *DB) RefreshPresence(ctx context.Context, orgID, connID string, until time.Time) error {
	return s.execOne(ctx, s.q(), "presence", `UPDATE presence SET expires_at = $3 WHERE org_id = $1 AND conn_id = $2`,
		orgID, connID, ts(until))
}

// LeavePresence deletes the row.
func (s *DB) LeavePresence(ctx context.Context, orgID, connID string) error {
	_, err := s.exec(ctx, s.q(), `DELETE FROM presence WHERE org_id = $1 AND conn_id = $2`, orgID, connID)
	return err
}

// ListPresence lists the other people on the persona's own pages: one
// indexed range read (org_id, persona_id, expires_at), folded per person here.
func (s *DB) ListPresence(ctx context.Context, orgID, personaID, exceptUserID string, now time.Time) ([]persona.Present, error) {
	return s.ListPresenceOn(ctx, orgID, personaID, "", exceptUserID, now)
}

// ListPresenceOn lists the other people on the persona's pages (variantID
// "") or on one of its variant's.
func (s *DB) ListPresenceOn(ctx context.Context, orgID, personaID, variantID, exceptUserID string, now time.Time) ([]persona.Present, error) {
	rows, err := s.q().QueryContext(ctx, `SELECT p.user_id, u.name, u.email, p.mode FROM presence p JOIN users u ON u.id = p.user_id
		WHERE p.org_id = $1 AND p.persona_id = $2 AND p.expires_at > $3 AND p.user_id <> $4 AND p.variant_id = $5
		ORDER BY u.name, u.email, p.user_id`, orgID, personaID, ts(now), exceptUserID, variantID)
	if err != nil {
		return nil, s.d.mapErr(err)
	}
	defer rows.Close()
	var out []persona.Present
	for rows.Next() {
		var p persona.Present
		var email, mode string
		if err := rows.Scan(&p.UserID, &p.Name, &email, &mode); err != nil {
			return nil, s.d.mapErr(err)
		}
		if p.Name == "" {
			p.Name = email
		}
		p.Mode = persona.PresenceMode(mode)
		if n := len(out); n > 0 && out[n-1].UserID == p.UserID {
			if p.Mode == persona.PresenceEditing {
				out[n-1].Mode = p.Mode
			}
			continue
		}
		out = append(out, p)
	}
	return out, s.d.mapErr(rows.Err())
}

// PrunePresence deletes rows expired before t.
func (s *DB) PrunePresence(ctx context.Context, t time.Time) (int, error) {
	res, err := s.exec(ctx, s.q(), `DELETE FROM presence WHERE expires_at < $1`, ts(t))
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}
