package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// Work links: external work items (issues, design files, documents)
// attached to a persona (viewers read, editors change; see
// docs/work-links.md).

var tagWork = []string{"Work links"}

type workLinkBody struct {
	URL   string           `json:"url" maxLength:"2000" doc:"The work item's address (http or https, no credentials)"`
	Title string           `json:"title,omitempty" maxLength:"200" doc:"What the link reads as (default: the address's host and path)"`
	Kind  persona.WorkKind `json:"kind,omitempty" enum:"jira,linear,github,figma,document,other" doc:"What the item is (default: guessed from the address)"`
}

type workLinkOutput struct{ Body persona.WorkLink }

type workLinkListOutput struct {
	Body struct {
		Items []persona.WorkLink `json:"items"`
	}
}

// WorkLinkPath names a persona's work link.
type WorkLinkPath struct {
	PersonaPath
	Link string `path:"link" maxLength:"64" doc:"Work link ID"`
}

func (s *Server) registerWorkLinks(api huma.API) {
	const base = "/api/v1/orgs/{org}/personas/{id}/work"
	huma.Register(api, op("list-persona-work", http.MethodGet, base, "List the work linked to a persona, oldest first (viewers)", tagWork, 0),
		func(ctx context.Context, in *PersonaPath) (*workLinkListOutput, error) {
			ls, err := s.svc.ListWorkLinks(ctx, actorFrom(ctx), in.Org, in.ID)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			out := &workLinkListOutput{}
			out.Body.Items = nonNil(ls)
			return out, nil
		})
	huma.Register(api, op("add-persona-work", http.MethodPost, base, "Link a work item to a persona (editors)", tagWork, http.StatusCreated),
		func(ctx context.Context, in *struct {
			PersonaPath
			Body workLinkBody
		}) (*workLinkOutput, error) {
			l, err := s.svc.AddWorkLink(ctx, actorFrom(ctx), in.Org, in.ID, app.WorkLinkInput{URL: in.Body.URL, Title: in.Body.Title, Kind: in.Body.Kind})
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &workLinkOutput{Body: l}, nil
		})
	huma.Register(api, op("remove-persona-work", http.MethodDelete, base+"/{link}", "Unlink a work item from a persona (editors)", tagWork, http.StatusNoContent),
		func(ctx context.Context, in *WorkLinkPath) (*struct{}, error) {
			if err := s.svc.RemoveWorkLink(ctx, actorFrom(ctx), in.Org, in.ID, in.Link); err != nil {
				return nil, s.fail(ctx, err)
			}
			return nil, nil
		})
	huma.Register(api, op("list-work", http.MethodGet, "/api/v1/orgs/{org}/work", "List the organisation's work links, newest first, filtered by persona or kind (viewers)", tagWork, 0),
		func(ctx context.Context, in *struct {
			OrgPath
			Persona string           `query:"persona" maxLength:"64" doc:"Only this persona's work links"`
			Kind    persona.WorkKind `query:"kind" doc:"Only work links of this kind"`
			Limit   int              `query:"limit" minimum:"0" maximum:"500" doc:"At most this many (default and most: 500)"`
		}) (*workLinkListOutput, error) {
			ls, err := s.svc.ListOrgWorkLinks(ctx, actorFrom(ctx), in.Org, persona.WorkLinkFilter{PersonaID: in.Persona,
				Kind: persona.WorkKind(in.Kind), Limit: in.Limit})
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			out := &workLinkListOutput{}
			out.Body.Items = nonNil(ls)
			return out, nil
		})
}
