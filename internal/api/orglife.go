package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/personapal/personapal/internal/persona"
)

// An organisation's life (slug, ownership, delete and restore), the order
// of its groups and moving personas between them. An old slug is not an
// address in the API: requests to it answer 404 like any unknown slug
// (web pages redirect members instead); use the current slug, which GET
// /api/v1/orgs lists with each organisation's ID.

type orgSlugInput struct {
	OrgPath
	Body struct {
		Slug string `json:"slug" maxLength:"63" doc:"The new slug: 1-63 lower-case letters, digits and hyphens. The old one keeps leading members' web pages here and stays this organisation's."`
	}
}

type transferInput struct {
	OrgPath
	Body struct {
		UserID string `json:"user_id" maxLength:"64" doc:"The member who becomes an owner; you become an admin"`
	}
}

type orgDeleteInput struct {
	OrgPath
	Confirm string `query:"confirm" required:"true" maxLength:"200" doc:"The organisation's slug or name, typed to confirm"`
}

// DeletedOrgJSON is a deleted organisation on its way to being purged.
type DeletedOrgJSON struct {
	ID             string `json:"id"`
	Slug           string `json:"slug"`
	Name           string `json:"name"`
	DeletedAt      string `json:"deleted_at" format:"date-time"`
	DeletedBy      string `json:"deleted_by" doc:"The user ID of the owner who deleted it"`
	DeletedByEmail string `json:"deleted_by_email" doc:"Empty when that account no longer exists"`
	PurgeAt        string `json:"purge_at" format:"date-time" doc:"When it is deleted for good unless an owner restores it"`
}

func deletedOrgJSON(d persona.DeletedOrg) DeletedOrgJSON {
	return DeletedOrgJSON{ID: d.Org.ID, Slug: d.Org.Slug, Name: d.Org.Name, DeletedAt: d.DeletedAt.Format(timeFormat),
		DeletedBy: d.DeletedBy, DeletedByEmail: d.DeletedByEmail, PurgeAt: d.PurgeAt().Format(timeFormat)}
}

type deletedOrgOutput struct{ Body DeletedOrgJSON }

type deletedOrgListOutput struct {
	Body struct {
		Items []DeletedOrgJSON `json:"items"`
	}
}

type deletedOrgPath struct {
	ID string `path:"id" maxLength:"64"`
}

type groupOrderInput struct {
	OrgPath
	Body struct {
		IDs []string `json:"ids" maxItems:"1000" doc:"Every group of the organisation once, in the new order"`
	}
}

type groupDeleteInput struct {
	GroupPath
	MoveTo string `query:"move_to" maxLength:"64" doc:"Move the group's personas (trashed ones too) to this group first; without it only an empty group is deleted"`
}

type personaMoveInput struct {
	OrgPath
	Body struct {
		IDs     []string `json:"ids" minItems:"1" maxItems:"200" doc:"The personas to move (live ones), all or none"`
		GroupID string   `json:"group_id" maxLength:"64" doc:"The group they move to"`
	}
}

type personaItemsOutput struct {
	Body struct {
		Items []PersonaJSON `json:"items"`
	}
}

func (s *Server) registerOrgLife(api huma.API) {
	huma.Register(api, op("change-org-slug", http.MethodPut, "/api/v1/orgs/{org}/slug",
		"Change the organisation's slug (owners and admins); the old one stays reserved to it", tagAccounts, 0),
		func(ctx context.Context, in *orgSlugInput) (*orgOutput, error) {
			org, err := s.svc.ChangeSlug(ctx, actorFrom(ctx), in.Org, in.Body.Slug)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			_, role, err := s.svc.GetOrg(ctx, actorFrom(ctx), org.Slug)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &orgOutput{Body: orgJSON(org, role)}, nil
		})

	huma.Register(api, op("transfer-ownership", http.MethodPost, "/api/v1/orgs/{org}/transfer",
		"Hand ownership to another member (owners): they become an owner, you an admin", tagAccounts, 0),
		func(ctx context.Context, in *transferInput) (*memberOutput, error) {
			m, err := s.svc.TransferOwnership(ctx, actorFrom(ctx), in.Org, in.Body.UserID)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &memberOutput{Body: m}, nil
		})

	huma.Register(api, op("delete-org", http.MethodDelete, "/api/v1/orgs/{org}",
		"Delete the organisation (owners; confirm with its slug or name). It is hidden at once and purged after 30 days unless an owner restores it", tagAccounts, 0),
		func(ctx context.Context, in *orgDeleteInput) (*deletedOrgOutput, error) {
			d, err := s.svc.DeleteOrg(ctx, actorFrom(ctx), in.Org, in.Confirm)
			if err != nil {
				return nil, s.failQuery(ctx, err)
			}
			return &deletedOrgOutput{Body: deletedOrgJSON(d)}, nil
		})

	huma.Register(api, op("list-deleted-orgs", http.MethodGet, "/api/v1/me/deleted-orgs",
		"Organisations you own that were deleted and can still be restored", tagAccounts, 0),
		func(ctx context.Context, _ *struct{}) (*deletedOrgListOutput, error) {
			list, err := s.svc.ListDeletedOrgs(ctx, actorFrom(ctx))
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			out := &deletedOrgListOutput{}
			out.Body.Items = make([]DeletedOrgJSON, 0, len(list))
			for _, d := range list {
				out.Body.Items = append(out.Body.Items, deletedOrgJSON(d))
			}
			return out, nil
		})

	huma.Register(api, op("restore-org", http.MethodPost, "/api/v1/me/deleted-orgs/{id}/restore",
		"Restore a deleted organisation you own (within 30 days of its deletion)", tagAccounts, 0),
		func(ctx context.Context, in *deletedOrgPath) (*orgOutput, error) {
			org, err := s.svc.RestoreOrg(ctx, actorFrom(ctx), in.ID)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &orgOutput{Body: orgJSON(org, persona.RoleOwner)}, nil
		})

	huma.Register(api, op("reorder-groups", http.MethodPut, "/api/v1/orgs/{org}/groups/order",
		"Put the groups in a new order (editors); name every group once", tagGroups, 0),
		func(ctx context.Context, in *groupOrderInput) (*groupListOutput, error) {
			gs, err := s.svc.ReorderGroups(ctx, actorFrom(ctx), in.Org, in.Body.IDs)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			out := &groupListOutput{}
			out.Body.Items = nonNil(gs)
			return out, nil
		})

	huma.Register(api, op("move-personas", http.MethodPost, "/api/v1/orgs/{org}/personas/move",
		"Move personas to a group, all or none (editors); each moved persona gets a new revision", tagPersonas, 0),
		func(ctx context.Context, in *personaMoveInput) (*personaItemsOutput, error) {
			ps, err := s.svc.MovePersonas(ctx, actorFrom(ctx), in.Org, in.Body.IDs, in.Body.GroupID)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			out := &personaItemsOutput{}
			out.Body.Items = personaList(ps)
			return out, nil
		})
}
