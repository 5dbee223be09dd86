package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/personapal/personapal/internal/persona"
)

// Invitations: people join an organisation by accepting one. Inviting
// answers 202 with the same body whether or not the address has an
// account, so the API cannot be used to find out who has one. There is no
// route that adds a member without their consent (the CLI's "member add"
// is for operators).

// InviterJSON names who sent an invitation.
type InviterJSON struct {
	ID    string `json:"id,omitempty" doc:"The inviting user (absent when an operator invited from the command line)"`
	Name  string `json:"name" doc:"Their name, or a description such as \"an administrator\""`
	Email string `json:"email,omitempty"`
}

func inviterJSON(inv persona.Invitation) InviterJSON {
	return InviterJSON{ID: inv.InvitedBy, Name: inv.InviterLabel(), Email: inv.InvitedByEmail}
}

// InvitationJSON is an open invitation as the organisation's admins see it.
type InvitationJSON struct {
	ID        string       `json:"id"`
	Email     string       `json:"email" doc:"The invited address, lower-cased"`
	Role      persona.Role `json:"role" doc:"The role the invitee gets by accepting"`
	Status    string       `json:"status" enum:"pending,expired" doc:"pending until it expires; an expired invitation can be sent again or revoked"`
	InvitedBy InviterJSON  `json:"invited_by"`
	CreatedAt string       `json:"created_at" format:"date-time" doc:"When it was (last) sent"`
	ExpiresAt string       `json:"expires_at" format:"date-time" doc:"Seven days after it was sent"`
}

func invitationJSON(inv persona.Invitation, now time.Time) InvitationJSON {
	return InvitationJSON{ID: inv.ID, Email: inv.Email, Role: inv.Role, Status: string(inv.Status(now)),
		InvitedBy: inviterJSON(inv), CreatedAt: inv.CreatedAt.Format(timeFormat), ExpiresAt: inv.ExpiresAt.Format(timeFormat)}
}

// InvitationOrgJSON names the organisation an invitation is into.
type InvitationOrgJSON struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
}

// MyInvitationJSON is a pending invitation as the invitee sees it.
type MyInvitationJSON struct {
	ID        string            `json:"id"`
	Org       InvitationOrgJSON `json:"org"`
	Role      persona.Role      `json:"role"`
	InvitedBy InviterJSON       `json:"invited_by"`
	CreatedAt string            `json:"created_at" format:"date-time"`
	ExpiresAt string            `json:"expires_at" format:"date-time"`
}

type invitationInput struct {
	OrgPath
	Body struct {
		Email string       `json:"email" maxLength:"320" doc:"The address to invite; it need not have an account yet"`
		Role  persona.Role `json:"role" doc:"Only owners invite owners"`
	}
}

type invitationOutput struct{ Body InvitationJSON }

type invitationListOutput struct {
	Body struct {
		Items []InvitationJSON `json:"items"`
	}
}

type invitationPath struct {
	OrgPath
	ID string `path:"id" maxLength:"64"`
}

type myInvitationPath struct {
	ID string `path:"id" maxLength:"64"`
}

type myInvitationListOutput struct {
	Body struct {
		Items []MyInvitationJSON `json:"items"`
	}
}

// gone is the answer of the removed route that added members without
// their consent.
var gone = &Problem{Title: "Gone", Status: http.StatusGone,
	Detail: "members are no longer added directly: invite them with POST /api/v1/orgs/{org}/invitations, and they join by accepting"}

func (s *Server) registerInvitations(api huma.API) {
	// The route that added an existing user without asking them stays
	// documented as deprecated, so that old clients learn where to go
	// instead of getting a bare 404. It reads no body: whatever is sent,
	// nobody is added, and the answer says nothing about any address.
	added := op("add-member", http.MethodPost, "/api/v1/orgs/{org}/members",
		"Removed: answers 410. Members join by invitation (POST /api/v1/orgs/{org}/invitations)", tagAccounts, 0)
	added.Deprecated = true
	// The gate answers before the route: no token 401, a viewer 403, an
	// outsider 404.
	added.Errors = []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusGone}
	huma.Register(api, added, func(ctx context.Context, in *OrgPath) (*struct{}, error) {
		return nil, gone
	})
	if item := api.OpenAPI().Paths[added.Path]; item != nil && item.Post != nil {
		delete(item.Post.Responses, "204") // it never succeeds
	}

	huma.Register(api, op("invite-member", http.MethodPost, "/api/v1/orgs/{org}/invitations",
		"Invite an address to join with a role (admins). The answer is the same whether or not the address has an account; "+
			"inviting an address with a pending invitation sends that one again. An address that is already a member is a conflict.",
		tagAccounts, http.StatusAccepted),
		func(ctx context.Context, in *invitationInput) (*invitationOutput, error) {
			inv, err := s.svc.InviteMember(ctx, actorFrom(ctx), in.Org, in.Body.Email, persona.Role(in.Body.Role))
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &invitationOutput{Body: invitationJSON(inv, time.Now())}, nil
		})

	huma.Register(api, op("list-invitations", http.MethodGet, "/api/v1/orgs/{org}/invitations",
		"Open invitations, newest first, expired ones included (admins)", tagAccounts, 0),
		func(ctx context.Context, in *OrgPath) (*invitationListOutput, error) {
			items, err := s.svc.ListInvitations(ctx, actorFrom(ctx), in.Org)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			out := &invitationListOutput{}
			out.Body.Items = []InvitationJSON{}
			now := time.Now()
			for _, inv := range items {
				out.Body.Items = append(out.Body.Items, invitationJSON(inv, now))
			}
			return out, nil
		})

	huma.Register(api, op("revoke-invitation", http.MethodDelete, "/api/v1/orgs/{org}/invitations/{id}",
		"Withdraw an open invitation (admins; owners for an invitation to become an owner)", tagAccounts, http.StatusNoContent),
		func(ctx context.Context, in *invitationPath) (*struct{}, error) {
			if err := s.svc.RevokeInvitation(ctx, actorFrom(ctx), in.Org, in.ID); err != nil {
				return nil, s.fail(ctx, err)
			}
			return nil, nil
		})

	huma.Register(api, op("list-my-invitations", http.MethodGet, "/api/v1/me/invitations",
		"Your pending invitations (matched by your account's email), oldest first", tagAccounts, 0),
		func(ctx context.Context, _ *struct{}) (*myInvitationListOutput, error) {
			items, err := s.svc.MyInvitations(ctx, actorFrom(ctx))
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			out := &myInvitationListOutput{}
			out.Body.Items = []MyInvitationJSON{}
			for _, inv := range items {
				out.Body.Items = append(out.Body.Items, MyInvitationJSON{ID: inv.ID, Org: InvitationOrgJSON{Slug: inv.OrgSlug, Name: inv.OrgName},
					Role: inv.Role, InvitedBy: inviterJSON(inv), CreatedAt: inv.CreatedAt.Format(timeFormat), ExpiresAt: inv.ExpiresAt.Format(timeFormat)})
			}
			return out, nil
		})

	huma.Register(api, op("accept-invitation", http.MethodPost, "/api/v1/me/invitations/{id}/accept",
		"Accept one of your pending invitations: you join the organisation with the invited role. "+
			"Another address's invitation, and an expired, withdrawn or answered one, is 404.", tagAccounts, 0),
		func(ctx context.Context, in *myInvitationPath) (*orgOutput, error) {
			m, err := s.svc.AcceptInvitation(ctx, actorFrom(ctx), in.ID)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &orgOutput{Body: orgJSON(m.Org, m.Role)}, nil
		})

	huma.Register(api, op("decline-invitation", http.MethodPost, "/api/v1/me/invitations/{id}/decline",
		"Decline one of your pending invitations", tagAccounts, http.StatusNoContent),
		func(ctx context.Context, in *myInvitationPath) (*struct{}, error) {
			if _, err := s.svc.DeclineInvitation(ctx, actorFrom(ctx), in.ID); err != nil {
				return nil, s.fail(ctx, err)
			}
			return nil, nil
		})
}
