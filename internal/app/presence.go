package app

import (
	"context"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

// Presence: who else has a persona's page or edit form open right now, so
// two editors learn of each other before one of them meets the conflict on
// save. Each open page is a row in the database (not process memory), so
// people served by different instances see each other.

// PresenceTTL is how long a presence row lives without a refresh: a stream
// refreshes it every PresenceRefresh, so a row outlives its stream only
// when the instance holding the stream died.
const (
	PresenceTTL     = 40 * time.Second
	PresenceRefresh = 10 * time.Second
)

type presenceStore interface {
	// JoinPresence inserts or refreshes the row of p.ConnID.
	JoinPresence(ctx context.Context, p persona.Presence) error
	// RefreshPresence moves the row's expiry to until; not found when the
	// row is gone (expired and pruned).
	RefreshPresence(ctx context.Context, orgID, connID string, until time.Time) error
	// LeavePresence deletes the row (no error when it is gone).
	LeavePresence(ctx context.Context, orgID, connID string) error
	// ListPresence lists the people with an unexpired row on the persona
	// at now other than exceptUserID, once each (editing wins), by name.
	ListPresence(ctx context.Context, orgID, personaID, exceptUserID string, now time.Time) ([]persona.Present, error)
	// ListPresenceOn is ListPresence for the persona's pages (variantID
	// "") or one of its variants' pages.
	ListPresenceOn(ctx context.Context, orgID, personaID, variantID, exceptUserID string, now time.Time) ([]persona.Present, error)
	// PrunePresence deletes rows expired before t; it returns how many.
	PrunePresence(ctx context.Context, t time.Time) (int, error)
}

// PresenceConn is one open presence stream: the caller refreshes it and
// lists the others while the stream is open, and leaves when it closes.
type PresenceConn struct {
	s      *Service
	p      persona.Presence
	selfID string
}

// JoinPresence records that actor has the persona open in mode: any member
// viewing, editors and up editing; an outsider or a missing persona is not
// found.
func (s *Service) JoinPresence(ctx context.Context, actor Actor, slug, personaID string, mode persona.PresenceMode) (*PresenceConn, error) {
	return s.JoinPresenceOn(ctx, actor, slug, personaID, "", mode)
}

// JoinPresenceOn is JoinPresence on one of the persona's customer
// variants (variantID "": the persona's own page or form). A variant of
// another persona or organisation is not found.
func (s *Service) JoinPresenceOn(ctx context.Context, actor Actor, slug, personaID, variantID string, mode persona.PresenceMode) (*PresenceConn, error) {
	if !mode.Valid() {
		return nil, persona.Invalid("Choose viewing or editing.", []persona.FieldError{{Field: "mode", Message: "must be viewing or editing"}})
	}
	// Editing is announced only by those who may edit (a viewer has no form).
	min := persona.RoleViewer
	if mode == persona.PresenceEditing {
		min = persona.RoleEditor
	}
	org, _, err := s.scope(ctx, actor, slug, min)
	if err != nil {
		return nil, err
	}
	if _, err := s.store.GetPersona(ctx, org.ID, personaID); err != nil {
		return nil, err
	}
	if variantID != "" {
		v, err := s.store.GetVariant(ctx, org.ID, variantID)
		if err != nil {
			return nil, err
		}
		if v.PersonaID != personaID {
			return nil, persona.Errorf(persona.CodeNotFound, "Variant not found.")
		}
	}
	p := persona.Presence{OrgID: org.ID, ConnID: newID(), PersonaID: personaID, VariantID: variantID, UserID: actor.UserID, Mode: mode,
		ExpiresAt: s.timestamp().Add(PresenceTTL)}
	if err := s.store.JoinPresence(ctx, p); err != nil {
		return nil, err
	}
	// Rows of dead instances go here, on the next join: no sweeper needed.
	if _, err := s.store.PrunePresence(ctx, p.ExpiresAt.Add(-2*PresenceTTL)); err != nil {
		s.log.WarnContext(ctx, "pruning presence", "err", err)
	}
	return &PresenceConn{s: s, p: p, selfID: actor.UserID}, nil
}

// Refresh keeps the row alive for another PresenceTTL; a row pruned
// meanwhile (a long stall) is written again.
func (c *PresenceConn) Refresh(ctx context.Context) error {
	until := c.s.timestamp().Add(PresenceTTL)
	err := c.s.store.RefreshPresence(ctx, c.p.OrgID, c.p.ConnID, until)
	if persona.ErrorCode(err) == persona.CodeNotFound {
		c.p.ExpiresAt = until
		return c.s.store.JoinPresence(ctx, c.p)
	}
	return err
}

// Others lists the other people on the persona now.
func (c *PresenceConn) Others(ctx context.Context) ([]persona.Present, error) {
	return c.s.store.ListPresenceOn(ctx, c.p.OrgID, c.p.PersonaID, c.p.VariantID, c.selfID, c.s.timestamp())
}

// OnVariant reports whether the stream is on a variant's page or form.
func (c *PresenceConn) OnVariant() bool {
	return c.p.VariantID != ""
}

// Leave removes the row. It takes its own context: the stream's is
// usually cancelled by then.
func (c *PresenceConn) Leave(ctx context.Context) error {
	return c.s.store.LeavePresence(ctx, c.p.OrgID, c.p.ConnID)
}

// PrunePresence deletes presence rows that expired (their instance died).
func (s *Service) PrunePresence(ctx context.Context) (int, error) {
	return s.store.PrunePresence(ctx, s.timestamp())
}
