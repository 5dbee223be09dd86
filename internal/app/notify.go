package app

import (
	"context"

	"github.com/personapal/personapal/internal/persona"
)

// notify records notifications inside the caller's transaction tx (the
// change that causes them), so they exist exactly when the change does.
// Callers fill Kind, UserID, ActorID, the object, PersonaID, Title,
// Excerpt and Link; notify sets ID, OrgID and CreatedAt, drops
// notifications of people about their own actions, and applies each
// member's preferences (in the app, e-mail at once, daily digest).
//
// This is the seam the use cases call (comments, proposals, reviews,
// variants); the notifications work fills in its body.
func (s *Service) notify(ctx context.Context, tx Store, orgID string, ns ...persona.Notification) error {
	_, _, _, _ = ctx, tx, orgID, ns
	return nil
}
