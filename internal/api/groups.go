package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

type GroupPath struct {
	OrgPath
	ID string `path:"id" maxLength:"64"`
}

type groupBody struct {
	Name        string `json:"name" maxLength:"200"`
	Description string `json:"description,omitempty" maxLength:"2000"`
}

type groupCreateInput struct {
	OrgPath
	Body groupBody
}

type groupUpdateInput struct {
	GroupPath
	Body groupBody
}

type groupOutput struct{ Body persona.Group }

type groupListOutput struct {
	Body struct {
		Items []persona.Group `json:"items"`
	}
}

func (s *Server) registerGroups(api huma.API) {
	huma.Register(api, op("list-groups", http.MethodGet, "/api/v1/orgs/{org}/groups", "Persona groups with persona counts", tagGroups, 0),
		func(ctx context.Context, in *OrgPath) (*groupListOutput, error) {
			items, err := s.svc.ListGroups(ctx, actorFrom(ctx), in.Org)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			out := &groupListOutput{}
			out.Body.Items = nonNil(items)
			return out, nil
		})

	huma.Register(api, op("create-group", http.MethodPost, "/api/v1/orgs/{org}/groups", "Create a persona group (editors)", tagGroups, http.StatusCreated),
		func(ctx context.Context, in *groupCreateInput) (*groupOutput, error) {
			g, err := s.svc.CreateGroup(ctx, actorFrom(ctx), in.Org, app.GroupInput(in.Body))
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &groupOutput{Body: g}, nil
		})

	huma.Register(api, op("get-group", http.MethodGet, "/api/v1/orgs/{org}/groups/{id}", "One persona group", tagGroups, 0),
		func(ctx context.Context, in *GroupPath) (*groupOutput, error) {
			g, err := s.svc.GetGroup(ctx, actorFrom(ctx), in.Org, in.ID)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &groupOutput{Body: g}, nil
		})

	huma.Register(api, op("update-group", http.MethodPut, "/api/v1/orgs/{org}/groups/{id}", "Rename or re-describe a group (editors)", tagGroups, 0),
		func(ctx context.Context, in *groupUpdateInput) (*groupOutput, error) {
			g, err := s.svc.UpdateGroup(ctx, actorFrom(ctx), in.Org, in.ID, app.GroupInput(in.Body))
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &groupOutput{Body: g}, nil
		})

	huma.Register(api, op("delete-group", http.MethodDelete, "/api/v1/orgs/{org}/groups/{id}",
		"Delete a group (editors): an empty one, or one whose personas move to move_to first (one transaction)", tagGroups, http.StatusNoContent),
		func(ctx context.Context, in *groupDeleteInput) (*struct{}, error) {
			if err := s.svc.DeleteGroupMoving(ctx, actorFrom(ctx), in.Org, in.ID, in.MoveTo); err != nil {
				return nil, s.failQuery(ctx, err)
			}
			return nil, nil
		})
}
