package app

import (
	"context"

	"github.com/personapal/personapal/internal/persona"
)

// auditStore keeps the append-only audit log.
type auditStore interface {
	AppendAudit(ctx context.Context, e persona.AuditEvent) error
	ListAudit(ctx context.Context, orgID string, before int64, limit int) ([]persona.AuditEvent, error)
}

// audit records that actor did action to an object of org. A failure to
// record is logged, not returned: the change itself has happened.
func (s *Service) audit(ctx context.Context, orgID string, actor Actor, action, kind, id, summary string) {
	e := persona.AuditEvent{OrgID: orgID, At: s.timestamp(), ActorID: actor.UserID, ActorEmail: actor.Email,
		Action: action, ObjectKind: kind, ObjectID: id, Summary: summary}
	if actor.System {
		e.ActorEmail = "(command line)"
	}
	if err := s.store.AppendAudit(ctx, e); err != nil {
		s.log.ErrorContext(ctx, "audit log write failed", "action", action, "kind", kind, "id", id, "err", err)
	}
}

// ListAudit lists an organisation's audit log, newest first (admins).
// before is the seq to continue below (0: the newest).
func (s *Service) ListAudit(ctx context.Context, actor Actor, slug string, before int64, limit int) ([]persona.AuditEvent, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleAdmin)
	if err != nil {
		return nil, err
	}
	return s.store.ListAudit(ctx, org.ID, before, limit)
}
