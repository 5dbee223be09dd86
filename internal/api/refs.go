package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// Persona references (docs/references.md): a reference field's value is a
// persona ID (or a list of them) in the persona's values; these routes read
// the other direction — who references a persona — and the organisation's
// relation map.

var tagRefs = []string{"Persona references"}

type backlinkListOutput struct {
	Body struct {
		Items []app.Backlink `json:"items"`
	}
}

// relationItem is one reference between two personas.
type relationItem struct {
	FromID    string              `json:"from_id" doc:"The referencing persona"`
	FromName  string              `json:"from_name"`
	FromType  persona.ProfileType `json:"from_type"`
	Field     string              `json:"field" doc:"The reference field's key"`
	FieldName string              `json:"field_label"`
	ToID      string              `json:"to_id" doc:"The referenced persona"`
	ToName    string              `json:"to_name,omitempty" doc:"Absent when it was deleted for good"`
	ToType    persona.ProfileType `json:"to_type,omitempty"`
	ToState   string              `json:"to_state" enum:"live,trash,deleted" doc:"live, in the trash, or deleted for good"`
}

type relationListOutput struct {
	Body struct {
		Items []relationItem `json:"items"`
	}
}

func (s *Server) registerRefs(api huma.API) {
	huma.Register(api, op("list-persona-backlinks", http.MethodGet, "/api/v1/orgs/{org}/personas/{id}/backlinks",
		"List the live personas that reference a persona (live or in the trash) through a persona reference field (viewers)", tagRefs, 0),
		func(ctx context.Context, in *PersonaPath) (*backlinkListOutput, error) {
			bl, err := s.svc.Backlinks(ctx, actorFrom(ctx), in.Org, in.ID)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			out := &backlinkListOutput{}
			out.Body.Items = nonNil(bl)
			return out, nil
		})
	huma.Register(api, op("list-relations", http.MethodGet, "/api/v1/orgs/{org}/relations",
		"List every persona reference of the organisation's live personas (the relation map; viewers)", tagRefs, 0),
		func(ctx context.Context, in *OrgPath) (*relationListOutput, error) {
			_, rels, err := s.svc.Relations(ctx, actorFrom(ctx), in.Org)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			out := &relationListOutput{}
			out.Body.Items = []relationItem{}
			for _, r := range rels {
				it := relationItem{FromID: r.From.ID, FromName: r.From.Name, FromType: r.From.ProfileType, Field: r.FieldKey, FieldName: r.FieldLabel,
					ToID: r.TargetID, ToType: r.TargetType, ToState: "live"}
				switch {
				case r.Target.Gone:
					it.ToState = "deleted"
				case r.Target.Trashed:
					it.ToName, it.ToState = r.Target.Name, "trash"
				default:
					it.ToName = r.Target.Name
				}
				out.Body.Items = append(out.Body.Items, it)
			}
			return out, nil
		})
}
