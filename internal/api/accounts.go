package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// OrgJSON is an organisation as its member sees it.
type OrgJSON struct {
	ID        string       `json:"id"`
	Slug      string       `json:"slug"`
	Name      string       `json:"name"`
	Role      persona.Role `json:"role" doc:"The caller's role in the organisation"`
	CreatedAt string       `json:"created_at" format:"date-time"`
}

func orgJSON(o persona.Org, role persona.Role) OrgJSON {
	return OrgJSON{ID: o.ID, Slug: o.Slug, Name: o.Name, Role: role, CreatedAt: o.CreatedAt.Format(timeFormat)}
}

const timeFormat = "2006-01-02T15:04:05.999999Z07:00"

type OrgPath struct {
	Org string `path:"org" maxLength:"63" doc:"Organisation slug"`
}

type userOutput struct{ Body persona.User }

type orgOutput struct{ Body OrgJSON }

type orgListOutput struct {
	Body struct {
		Items []OrgJSON `json:"items"`
	}
}

type orgCreateInput struct {
	Body struct {
		Name string `json:"name" maxLength:"200"`
		Slug string `json:"slug,omitempty" maxLength:"63" doc:"Derived from the name when empty"`
	}
}

type orgRenameInput struct {
	OrgPath
	Body struct {
		Name string `json:"name" maxLength:"200"`
	}
}

type memberListOutput struct {
	Body struct {
		Items []persona.Member `json:"items"`
	}
}

type memberOutput struct{ Body persona.Member }

type MemberPath struct {
	OrgPath
	UserID string `path:"user" maxLength:"64"`
}

type memberRoleInput struct {
	MemberPath
	Body struct {
		Role persona.Role `json:"role"`
	}
}

// TokenJSON is an API token; Secret is present only in the response that
// created it.
type TokenJSON struct {
	persona.Token
	Secret string `json:"token,omitempty" doc:"The token itself; shown only once, when created"`
}

type tokenListOutput struct {
	Body struct {
		Items []persona.Token `json:"items"`
	}
}

type tokenCreateInput struct {
	Body struct {
		Name  string `json:"name,omitempty" maxLength:"100"`
		Scope string `json:"scope,omitempty" enum:"read,write" doc:"read: the token can only read (every write answers 403); write (the default): it reads and writes with your roles"`
		// ExpiresInDays ends the token after that many days; absent or 0:
		// it works until revoked.
		ExpiresInDays int `json:"expires_in_days,omitempty" minimum:"0" maximum:"3650" doc:"The token stops working (401) this many days from now; 0 or absent: until revoked"`
	}
}

type meUpdateInput struct {
	Body struct {
		Name string `json:"name" maxLength:"1000" doc:"Your display name, as members and the audit log show it"`
	}
}

// SessionJSON is one of your browser sessions.
type SessionJSON struct {
	ID         string  `json:"id"`
	Browser    string  `json:"browser" doc:"A short form of the browser's User-Agent"`
	Client     string  `json:"client_address,omitempty" doc:"The address it was last used from"`
	CreatedAt  *string `json:"created_at,omitempty" format:"date-time" doc:"When it signed in"`
	LastSeenAt *string `json:"last_seen_at,omitempty" format:"date-time" doc:"When it was last used (written at most once a minute)"`
	ExpiresAt  string  `json:"expires_at" format:"date-time"`
}

type sessionListOutput struct {
	Body struct {
		Items []SessionJSON `json:"items"`
	}
}

func optTime(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.UTC().Format(timeFormat)
	return &s
}

type tokenOutput struct{ Body TokenJSON }

type tokenPath struct {
	ID string `path:"id" maxLength:"64"`
}

type sessionPath struct {
	ID string `path:"id" maxLength:"64"`
}

type securityPage struct {
	Body struct {
		Items      []persona.SecurityEvent `json:"items"`
		NextBefore *int64                  `json:"next_before" doc:"Pass as before for the next (older) page; null on the last"`
	}
}

type passwordInput struct {
	Body struct {
		CurrentPassword string `json:"current_password" maxLength:"1000" doc:"Your password now"`
		NewPassword     string `json:"new_password" maxLength:"1000" doc:"10 to 200 characters, not only spaces, not a common or very repetitive one"`
		RevokeTokens    bool   `json:"revoke_tokens,omitempty" doc:"Also revoke every API token of yours, this one included"`
	}
}

type revokeTokensInput struct {
	Body *struct {
		RevokeTokens bool `json:"revoke_tokens,omitempty" doc:"Also revoke every API token of yours, this one included"`
	}
}

type accessResetOutput struct {
	Body struct {
		RevokedTokens int `json:"revoked_tokens" doc:"How many API tokens were revoked"`
	}
}

func (s *Server) registerAccounts(api huma.API) {
	huma.Register(api, op("get-me", http.MethodGet, "/api/v1/me", "The authenticated user", tagAccounts, 0),
		func(ctx context.Context, _ *struct{}) (*userOutput, error) {
			u, err := s.svc.Me(ctx, actorFrom(ctx))
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &userOutput{Body: u}, nil
		})

	huma.Register(api, op("list-tokens", http.MethodGet, "/api/v1/me/tokens", "List your API tokens", tagAccounts, 0),
		func(ctx context.Context, _ *struct{}) (*tokenListOutput, error) {
			items, err := s.svc.ListTokens(ctx, actorFrom(ctx))
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			out := &tokenListOutput{}
			out.Body.Items = nonNil(items)
			return out, nil
		})

	huma.Register(api, op("create-token", http.MethodPost, "/api/v1/me/tokens", "Create an API token (the secret is shown once)", tagAccounts, http.StatusCreated),
		func(ctx context.Context, in *tokenCreateInput) (*tokenOutput, error) {
			secret, t, err := s.svc.CreateScopedToken(ctx, actorFrom(ctx), app.TokenOptions{Name: in.Body.Name,
				Scope: persona.TokenScope(in.Body.Scope), ExpiresIn: time.Duration(in.Body.ExpiresInDays) * 24 * time.Hour})
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &tokenOutput{Body: TokenJSON{Token: t, Secret: secret}}, nil
		})

	huma.Register(api, op("revoke-token", http.MethodDelete, "/api/v1/me/tokens/{id}", "Revoke one of your API tokens", tagAccounts, http.StatusNoContent),
		func(ctx context.Context, in *tokenPath) (*struct{}, error) {
			if err := s.svc.RevokeToken(ctx, actorFrom(ctx), in.ID); err != nil {
				return nil, s.fail(ctx, err)
			}
			return nil, nil
		})

	huma.Register(api, op("update-me", http.MethodPut, "/api/v1/me", "Change your display name", tagAccounts, 0),
		func(ctx context.Context, in *meUpdateInput) (*userOutput, error) {
			u, err := s.svc.ChangeName(ctx, actorFrom(ctx), in.Body.Name)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &userOutput{Body: u}, nil
		})

	huma.Register(api, op("list-sessions", http.MethodGet, "/api/v1/me/sessions", "Your browser sessions, the most recently used first", tagAccounts, 0),
		func(ctx context.Context, _ *struct{}) (*sessionListOutput, error) {
			items, err := s.svc.ListSessions(ctx, actorFrom(ctx))
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			out := &sessionListOutput{}
			out.Body.Items = []SessionJSON{}
			for _, it := range items {
				out.Body.Items = append(out.Body.Items, SessionJSON{ID: it.ID, Browser: it.Browser, Client: it.Client,
					CreatedAt: optTime(it.CreatedAt), LastSeenAt: optTime(it.LastSeenAt), ExpiresAt: it.ExpiresAt.UTC().Format(timeFormat)})
			}
			return out, nil
		})

	huma.Register(api, op("revoke-session", http.MethodDelete, "/api/v1/me/sessions/{id}", "Sign one of your browser sessions out (at once, everywhere)", tagAccounts, http.StatusNoContent),
		func(ctx context.Context, in *sessionPath) (*struct{}, error) {
			if err := s.svc.RevokeSession(ctx, actorFrom(ctx), in.ID); err != nil {
				return nil, s.fail(ctx, err)
			}
			return nil, nil
		})

	huma.Register(api, op("list-security-events", http.MethodGet, "/api/v1/me/security-events",
		"Your security log: sign-ins, failed sign-ins, API tokens, password changes, newest first (yours only)", tagAccounts, 0),
		func(ctx context.Context, in *struct {
			Before int64 `query:"before" minimum:"0" doc:"Continue below this seq (next_before of the previous page)"`
			Limit  int   `query:"limit" minimum:"0" maximum:"1000" doc:"Page size (default 100)"`
		}) (*securityPage, error) {
			limit := in.Limit
			if limit == 0 {
				limit = 100
			}
			items, err := s.svc.ListSecurityEvents(ctx, actorFrom(ctx), in.Before, limit)
			if err != nil {
				return nil, s.failQuery(ctx, err)
			}
			out := &securityPage{}
			out.Body.Items = nonNil(items)
			if len(items) == limit {
				next := items[len(items)-1].Seq
				out.Body.NextBefore = &next
			}
			return out, nil
		})

	passwordOp := op("change-password", http.MethodPut, "/api/v1/me/password",
		"Change your password (signs you out of every browser; optionally revokes your API tokens)", tagAccounts, 0)
	passwordOp.Description = "Checks current_password (counted like a sign-in attempt: too many wrong ones answer 429 with Retry-After), " +
		"sets new_password, ends every browser session and, with revoke_tokens, revokes every API token of yours (this one too), in one transaction. " +
		"A wrong current password is a 422 naming body.current_password."
	huma.Register(api, passwordOp,
		func(ctx context.Context, in *passwordInput) (*accessResetOutput, error) {
			n, err := s.svc.ChangePassword(ctx, actorFrom(ctx), in.Body.CurrentPassword, in.Body.NewPassword, in.Body.RevokeTokens)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			out := &accessResetOutput{}
			out.Body.RevokedTokens = n
			return out, nil
		})

	huma.Register(api, op("sign-out-everywhere", http.MethodPost, "/api/v1/me/sign-out-everywhere",
		"End every browser session of yours; with revoke_tokens, also revoke every API token of yours (this one too)", tagAccounts, 0),
		func(ctx context.Context, in *revokeTokensInput) (*accessResetOutput, error) {
			revoke := in.Body != nil && in.Body.RevokeTokens
			n, err := s.svc.SignOutEverywhere(ctx, actorFrom(ctx), revoke)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			out := &accessResetOutput{}
			out.Body.RevokedTokens = n
			return out, nil
		})

	huma.Register(api, op("list-orgs", http.MethodGet, "/api/v1/orgs", "Organisations you belong to", tagAccounts, 0),
		func(ctx context.Context, _ *struct{}) (*orgListOutput, error) {
			ms, err := s.svc.ListMyOrgs(ctx, actorFrom(ctx))
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			out := &orgListOutput{}
			out.Body.Items = []OrgJSON{}
			for _, m := range ms {
				out.Body.Items = append(out.Body.Items, orgJSON(m.Org, m.Role))
			}
			return out, nil
		})

	huma.Register(api, op("create-org", http.MethodPost, "/api/v1/orgs", "Create an organisation (you become its owner; starter templates are copied in)", tagAccounts, http.StatusCreated),
		func(ctx context.Context, in *orgCreateInput) (*orgOutput, error) {
			org, err := s.svc.CreateOrg(ctx, actorFrom(ctx), in.Body.Name, in.Body.Slug)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &orgOutput{Body: orgJSON(org, persona.RoleOwner)}, nil
		})

	huma.Register(api, op("get-org", http.MethodGet, "/api/v1/orgs/{org}", "One organisation", tagAccounts, 0),
		func(ctx context.Context, in *OrgPath) (*orgOutput, error) {
			org, role, err := s.svc.GetOrg(ctx, actorFrom(ctx), in.Org)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &orgOutput{Body: orgJSON(org, role)}, nil
		})

	huma.Register(api, op("rename-org", http.MethodPut, "/api/v1/orgs/{org}", "Rename an organisation (owners and admins)", tagAccounts, 0),
		func(ctx context.Context, in *orgRenameInput) (*orgOutput, error) {
			org, err := s.svc.RenameOrg(ctx, actorFrom(ctx), in.Org, in.Body.Name)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &orgOutput{Body: orgJSON(org, persona.RoleOwner)}, nil
		})

	huma.Register(api, op("list-members", http.MethodGet, "/api/v1/orgs/{org}/members", "Members and their roles", tagAccounts, 0),
		func(ctx context.Context, in *OrgPath) (*memberListOutput, error) {
			items, err := s.svc.ListMembers(ctx, actorFrom(ctx), in.Org)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			out := &memberListOutput{}
			out.Body.Items = nonNil(items)
			return out, nil
		})

	huma.Register(api, op("set-member-role", http.MethodPut, "/api/v1/orgs/{org}/members/{user}", "Change a member's role (admins)", tagAccounts, 0),
		func(ctx context.Context, in *memberRoleInput) (*memberOutput, error) {
			m, err := s.svc.SetMemberRole(ctx, actorFrom(ctx), in.Org, in.UserID, persona.Role(in.Body.Role))
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &memberOutput{Body: m}, nil
		})

	huma.Register(api, op("remove-member", http.MethodDelete, "/api/v1/orgs/{org}/members/{user}", "Remove a member (admins)", tagAccounts, http.StatusNoContent),
		func(ctx context.Context, in *MemberPath) (*struct{}, error) {
			if err := s.svc.RemoveMember(ctx, actorFrom(ctx), in.Org, in.UserID); err != nil {
				return nil, s.fail(ctx, err)
			}
			return nil, nil
		})
}

// nonNil makes empty listings encode as [] rather than null.
func nonNil[T any](items []T) []T {
	if items == nil {
		return []T{}
	}
	return items
}
