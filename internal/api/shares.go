package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// Share links: read-only links for people without an account (editors;
// see docs/sharing.md). The token is in the answer to the creation only.

var tagShares = []string{"Share links"}

type shareBody struct {
	Kind           persona.ShareKind `json:"kind" enum:"persona,variant,comparison,launchpad" doc:"What is shared"`
	SubjectIDs     []string          `json:"subject_ids" minItems:"1" maxItems:"8" doc:"The persona, variant or Launchpad; or a comparison's personas (2 to 8), in order"`
	Title          string            `json:"title,omitempty" maxLength:"200" doc:"What the audience sees at the top (default: the object's name)"`
	Lens           persona.ShareLens `json:"lens,omitempty" doc:"What the audience does not see; sensitive fields are never shown"`
	Password       string            `json:"password,omitempty" maxLength:"200" doc:"A password the audience must type (8 characters or more)"`
	ExpiresAt      *time.Time        `json:"expires_at,omitempty" doc:"When the link stops working"`
	FrameAncestors []string          `json:"frame_ancestors,omitempty" maxItems:"10" doc:"Origins that may embed the link in a frame (https://…)"`
}

type shareOutput struct{ Body persona.ShareLink }

type shareCreated struct {
	Body struct {
		persona.ShareLink
		Token string `json:"token" doc:"The link's secret token: shown only now"`
		Path  string `json:"path" doc:"The shared page's path on this server: /s/<token>"`
	}
}

type shareListOutput struct {
	Body struct {
		Items []persona.ShareLink `json:"items"`
	}
}

// SharePath names a share link.
type SharePath struct {
	OrgPath
	ID string `path:"id" maxLength:"64" doc:"Share link ID"`
}

func (s *Server) registerShares(api huma.API) {
	const base = "/api/v1/orgs/{org}/shares"
	huma.Register(api, op("list-shares", http.MethodGet, base, "List the organisation's share links, newest first (editors)", tagShares, 0),
		func(ctx context.Context, in *OrgPath) (*shareListOutput, error) {
			ls, err := s.svc.ListShareLinks(ctx, actorFrom(ctx), in.Org)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			out := &shareListOutput{}
			out.Body.Items = nonNil(ls)
			return out, nil
		})
	huma.Register(api, op("create-share", http.MethodPost, base, "Share a persona, a variant, a comparison or a Launchpad through a read-only link (editors); the answer holds its token, shown once", tagShares, http.StatusCreated),
		func(ctx context.Context, in *struct {
			OrgPath
			Body shareBody
		}) (*shareCreated, error) {
			b := in.Body
			l, token, err := s.svc.CreateShareLink(ctx, actorFrom(ctx), in.Org, app.ShareInput{Kind: b.Kind, SubjectIDs: b.SubjectIDs,
				Title: b.Title, Lens: b.Lens, Password: b.Password, ExpiresAt: b.ExpiresAt, FrameAncestors: b.FrameAncestors})
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			out := &shareCreated{}
			out.Body.ShareLink, out.Body.Token, out.Body.Path = l, token, "/s/"+token
			return out, nil
		})
	huma.Register(api, op("get-share", http.MethodGet, base+"/{id}", "Get a share link (editors)", tagShares, 0),
		func(ctx context.Context, in *SharePath) (*shareOutput, error) {
			l, err := s.svc.GetShareLink(ctx, actorFrom(ctx), in.Org, in.ID)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &shareOutput{Body: l}, nil
		})
	huma.Register(api, op("revoke-share", http.MethodPost, base+"/{id}/revoke", "Revoke a share link at once (its maker or an admin)", tagShares, http.StatusNoContent),
		func(ctx context.Context, in *SharePath) (*struct{}, error) {
			if err := s.svc.RevokeShareLink(ctx, actorFrom(ctx), in.Org, in.ID); err != nil {
				return nil, s.fail(ctx, err)
			}
			return nil, nil
		})
}
