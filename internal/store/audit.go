package store

import (
	"context"

	"github.com/personapal/personapal/internal/persona"
)

// AppendAudit adds an event to an organisation's audit log.
func (s *DB) AppendAudit(ctx context.Context, e persona.AuditEvent) error {
	_, err := s.exec(ctx, s.db, `INSERT INTO audit_log (org_id, at, actor_id, actor_email, action, object_kind, object_id, summary)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		e.OrgID, ts(e.At), e.ActorID, e.ActorEmail, e.Action, e.ObjectKind, e.ObjectID, e.Summary)
	return err
}

// ListAudit lists an organisation's audit events, newest first, before the
// sequence number before (0: from the newest), at most limit.
func (s *DB) ListAudit(ctx context.Context, orgID string, before int64, limit int) ([]persona.AuditEvent, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	q := `SELECT seq, org_id, at, actor_id, actor_email, action, object_kind, object_id, summary FROM audit_log WHERE org_id = $1`
	args := []any{orgID}
	if before > 0 {
		q += ` AND seq < $2`
		args = append(args, before)
	}
	args = append(args, limit)
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY seq DESC LIMIT `+ph(len(args)), args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(r interface{ Scan(...any) error }) (persona.AuditEvent, error) {
		var e persona.AuditEvent
		err := r.Scan(&e.Seq, &e.OrgID, timeCol{&e.At}, &e.ActorID, &e.ActorEmail, &e.Action, &e.ObjectKind, &e.ObjectID, &e.Summary)
		return e, err
	})
}
