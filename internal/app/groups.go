package app

import (
	"context"

	"github.com/personapal/personapal/internal/persona"
)

// GroupInput is what a caller may set on a group.
type GroupInput struct {
	Name        string
	Description string
}

func (in GroupInput) validate() (GroupInput, error) {
	var fields []persona.FieldError
	in.Name, fields = nameField(fields, "name", in.Name)
	in.Description, fields = descriptionField(fields, "description", in.Description)
	return in, persona.Invalid("invalid group", fields)
}

// ListGroups lists the organisation's persona groups with persona counts.
func (s *Service) ListGroups(ctx context.Context, actor Actor, slug string) ([]persona.Group, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return nil, err
	}
	return s.store.ListGroups(ctx, org.ID)
}

// GetGroup returns one group.
func (s *Service) GetGroup(ctx context.Context, actor Actor, slug, id string) (persona.Group, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return persona.Group{}, err
	}
	return s.store.GetGroup(ctx, org.ID, id)
}

// CreateGroup creates a persona group (editors and above).
func (s *Service) CreateGroup(ctx context.Context, actor Actor, slug string, in GroupInput) (persona.Group, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleEditor)
	if err != nil {
		return persona.Group{}, err
	}
	in, err = in.validate()
	if err != nil {
		return persona.Group{}, err
	}
	now := s.timestamp()
	g := persona.Group{ID: newID(), OrgID: org.ID, Name: in.Name, Description: in.Description, CreatedAt: now, UpdatedAt: now}
	if err := s.inTx(ctx, s.entry(org.ID, actor, "create", "group", g.ID, g.Name), func(tx Store) error {
		if err := tx.LockOrg(ctx, org.ID); err != nil { // a new group goes last
			return err
		}
		if g.Position, err = tx.NextGroupPosition(ctx, org.ID); err != nil {
			return err
		}
		return tx.CreateGroup(ctx, g)
	}); err != nil {
		return persona.Group{}, err
	}
	return g, nil
}

// UpdateGroup renames or re-describes a group.
func (s *Service) UpdateGroup(ctx context.Context, actor Actor, slug, id string, in GroupInput) (persona.Group, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleEditor)
	if err != nil {
		return persona.Group{}, err
	}
	g, err := s.store.GetGroup(ctx, org.ID, id)
	if err != nil {
		return persona.Group{}, err
	}
	in, err = in.validate()
	if err != nil {
		return persona.Group{}, err
	}
	g.Name, g.Description, g.UpdatedAt = in.Name, in.Description, s.timestamp()
	if err := s.inTx(ctx, s.entry(org.ID, actor, "update", "group", g.ID, g.Name), func(tx Store) error { return tx.UpdateGroup(ctx, g) }); err != nil {
		return persona.Group{}, err
	}
	return g, nil
}

// DeleteGroup deletes an empty group; a group that still holds personas
// (trashed ones included) is refused with a conflict (DeleteGroupMoving
// moves them first).
func (s *Service) DeleteGroup(ctx context.Context, actor Actor, slug, id string) error {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleEditor)
	if err != nil {
		return err
	}
	g, _ := s.store.GetGroup(ctx, org.ID, id) // its name, for the audit log
	return s.inTx(ctx, s.entry(org.ID, actor, "delete", "group", id, g.Name), func(tx Store) error { return tx.DeleteGroup(ctx, org.ID, id) })
}
