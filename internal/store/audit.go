package store

import (
	"context"
	"strings"

	"github.com/personapal/personapal/internal/persona"
)

// AppendAudit adds an event to an organisation's audit log.
func (s *DB) AppendAudit(ctx context.Context, e persona.AuditEvent) error {
	return s.appendAudit(ctx, s.q(), e)
}

// appendAudit writes an audit entry with q (inside a change's transaction,
// or on its own).
func (s *DB) appendAudit(ctx context.Context, q querier, e persona.AuditEvent) error {
	_, err := s.exec(ctx, q, `INSERT INTO audit_log (org_id, at, actor_id, actor_email, action, object_kind, object_id, summary)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		e.OrgID, ts(e.At), e.ActorID, e.ActorEmail, e.Action, e.ObjectKind, e.ObjectID, e.Summary)
	return err
}

// ListAudit lists an organisation's audit events matching f, newest first,
// before the sequence number before (0: from the newest), at most limit.
func (s *DB) ListAudit(ctx context.Context, orgID string, f persona.AuditFilter, before int64, limit int) ([]persona.AuditEvent, error) {
	return s.listAudit(ctx, orgID, f, "seq < ", before, "DESC", limit)
}

// ListAuditAfter lists an organisation's audit events matching f, oldest
// first, after the sequence number after (0: from the oldest), at most
// limit. Exports page through the whole log with it, one bounded query at a
// time, so that a long download holds no connection or snapshot open.
func (s *DB) ListAuditAfter(ctx context.Context, orgID string, f persona.AuditFilter, after int64, limit int) ([]persona.AuditEvent, error) {
	return s.listAudit(ctx, orgID, f, "seq > ", after, "ASC", limit)
}

func (s *DB) listAudit(ctx context.Context, orgID string, f persona.AuditFilter, seqCond string, seq int64, order string, limit int) ([]persona.AuditEvent, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	var q strings.Builder
	q.WriteString(`SELECT seq, org_id, at, actor_id, actor_email, action, object_kind, object_id, summary FROM audit_log WHERE org_id = $1`)
	args := []any{orgID}
	and := func(cond string, v any) {
		args = append(args, v)
		q.WriteString(" AND " + cond + ph(len(args)))
	}
	if seq > 0 {
		and(seqCond, seq)
	}
	if f.Action != "" {
		and("action = ", f.Action)
	}
	if f.ObjectKind != "" {
		and("object_kind = ", f.ObjectKind)
	}
	if f.ActorEmail != "" {
		and("actor_email = ", f.ActorEmail)
	}
	// Timestamps compare correctly on both engines: SQLite holds them as
	// fixed-zone UTC text whose order is their order (see package doc).
	if !f.Since.IsZero() {
		and("at >= ", ts(f.Since))
	}
	if !f.Until.IsZero() {
		and("at < ", ts(f.Until))
	}
	args = append(args, limit)
	q.WriteString(" ORDER BY seq " + order + " LIMIT " + ph(len(args)))
	rows, err := s.q().QueryContext(ctx, q.String(), args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(r interface{ Scan(...any) error }) (persona.AuditEvent, error) {
		var e persona.AuditEvent
		err := r.Scan(&e.Seq, &e.OrgID, timeCol{&e.At}, &e.ActorID, &e.ActorEmail, &e.Action, &e.ObjectKind, &e.ObjectID, &e.Summary)
		return e, err
	})
}
