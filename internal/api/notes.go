package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/personapal/personapal/internal/persona"
)

var tagNotes = []string{"Notes"}

type noteBody struct {
	Body string `json:"body" doc:"Markdown; rendered without raw HTML" maxLength:"20000"`
}

type noteOutput struct {
	Body persona.Note
}

type noteListOutput struct {
	Body struct {
		Items []persona.Note `json:"items"`
	}
}

type NotePath struct {
	OrgPath
	ID string `path:"id" maxLength:"64" doc:"Note ID"`
}

func (s *Server) registerNotes(api huma.API) {
	list := func(ctx context.Context, org string, target persona.NoteTarget, id string) (*noteListOutput, error) {
		notes, err := s.svc.ListNotes(ctx, actorFrom(ctx), org, target, id)
		if err != nil {
			return nil, s.fail(ctx, err)
		}
		out := &noteListOutput{}
		out.Body.Items = nonNil(notes)
		return out, nil
	}
	add := func(ctx context.Context, org string, target persona.NoteTarget, id, body string) (*noteOutput, error) {
		n, err := s.svc.AddNote(ctx, actorFrom(ctx), org, target, id, body)
		if err != nil {
			return nil, s.fail(ctx, err)
		}
		return &noteOutput{Body: n}, nil
	}
	for _, t := range []struct {
		target persona.NoteTarget
		path   string
		what   string
	}{
		{persona.NoteOnGroup, "groups", "a group"},
		{persona.NoteOnPersona, "personas", "a persona"},
		{persona.NoteOnVariant, "variants", "a variant"},
	} {
		huma.Register(api, op("list-"+string(t.target)+"-notes", http.MethodGet, "/api/v1/orgs/{org}/"+t.path+"/{id}/notes", "Notes on "+t.what+", newest first", tagNotes, 0),
			func(ctx context.Context, in *PersonaPath) (*noteListOutput, error) {
				return list(ctx, in.Org, t.target, in.ID)
			})
		huma.Register(api, op("add-"+string(t.target)+"-note", http.MethodPost, "/api/v1/orgs/{org}/"+t.path+"/{id}/notes", "Write a note on "+t.what+" (editors)", tagNotes, http.StatusCreated),
			func(ctx context.Context, in *struct {
				PersonaPath
				Body noteBody
			}) (*noteOutput, error) {
				return add(ctx, in.Org, t.target, in.ID, in.Body.Body)
			})
	}
	huma.Register(api, op("list-org-notes", http.MethodGet, "/api/v1/orgs/{org}/notes", "Notes on the organisation, newest first", tagNotes, 0),
		func(ctx context.Context, in *OrgPath) (*noteListOutput, error) {
			return list(ctx, in.Org, persona.NoteOnOrg, "")
		})
	huma.Register(api, op("add-org-note", http.MethodPost, "/api/v1/orgs/{org}/notes", "Write a note on the organisation (editors)", tagNotes, http.StatusCreated),
		func(ctx context.Context, in *struct {
			OrgPath
			Body noteBody
		}) (*noteOutput, error) {
			return add(ctx, in.Org, persona.NoteOnOrg, "", in.Body.Body)
		})
	huma.Register(api, op("update-note", http.MethodPut, "/api/v1/orgs/{org}/notes/{id}", "Replace a note's Markdown (its author or an admin)", tagNotes, 0),
		func(ctx context.Context, in *struct {
			NotePath
			Body noteBody
		}) (*noteOutput, error) {
			n, err := s.svc.UpdateNote(ctx, actorFrom(ctx), in.Org, in.ID, in.Body.Body)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &noteOutput{Body: n}, nil
		})
	huma.Register(api, op("delete-note", http.MethodDelete, "/api/v1/orgs/{org}/notes/{id}", "Delete a note (its author or an admin)", tagNotes, http.StatusNoContent),
		func(ctx context.Context, in *NotePath) (*struct{}, error) {
			if _, err := s.svc.DeleteNote(ctx, actorFrom(ctx), in.Org, in.ID); err != nil {
				return nil, s.fail(ctx, err)
			}
			return nil, nil
		})
}
