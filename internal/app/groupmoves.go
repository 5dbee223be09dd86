package app

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/personapal/personapal/internal/persona"
)

// The order of an organisation's groups, deleting a group with its
// personas moved elsewhere, and moving personas between groups.
//
// A persona's group is part of its content, so a move is a content change
// like any other: each moved persona gets a new revision (message "Moved
// from A to B"; its history shows it and restoring an older revision moves
// it back), and the audit log gets one "move persona" entry per persona,
// so filtering the log by a persona shows every move. Moving several
// personas at once, and deleting a group with its personas, is one
// transaction: all of it or nothing. A move needs no If-Match: it changes
// only the group and applies to the revision it reads inside its
// transaction; a concurrent edit of one of the personas makes the whole
// move fail (precondition failed), nothing moved.

// MaxMove bounds how many personas one move takes.
const MaxMove = MaxPageSize

// ReorderGroups puts the organisation's groups in the order of ids, which
// must name every group once (editors). A list that no longer matches the
// groups (one was added or deleted meanwhile) is a conflict.
func (s *Service) ReorderGroups(ctx context.Context, actor Actor, slug string, ids []string) ([]persona.Group, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleEditor)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			return nil, persona.Invalid("invalid order", []persona.FieldError{{Field: "ids", Message: "names a group twice"}})
		}
		seen[id] = true
	}
	var groups []persona.Group
	entry := s.entry(org.ID, actor, "reorder", "group", "", "")
	err = s.inTx(ctx, entry, func(tx Store) error {
		if err := tx.LockOrg(ctx, org.ID); err != nil {
			return err
		}
		cur, err := tx.ListGroups(ctx, org.ID)
		if err != nil {
			return err
		}
		if len(cur) != len(ids) {
			return persona.Errorf(persona.CodeConflict, "the list must name each of the organisation's %d groups once; reload and try again", len(cur))
		}
		byID := map[string]persona.Group{}
		for _, g := range cur {
			byID[g.ID] = g
		}
		groups = groups[:0]
		for i, id := range ids {
			g, ok := byID[id]
			if !ok {
				return persona.Errorf(persona.CodeConflict, "the list must name each of the organisation's %d groups once; reload and try again", len(cur))
			}
			g.Position = i + 1
			groups = append(groups, g)
		}
		entry.Summary = groupOrderSummary(groups)
		return tx.SetGroupPositions(ctx, org.ID, ids)
	})
	if err != nil {
		return nil, err
	}
	return groups, nil
}

// MoveGroup moves a group by places in the organisation's order (-1: one
// up, 1: one down), within the list's ends (editors).
func (s *Service) MoveGroup(ctx context.Context, actor Actor, slug, id string, by int) ([]persona.Group, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleEditor)
	if err != nil {
		return nil, err
	}
	if _, err := s.store.GetGroup(ctx, org.ID, id); err != nil {
		return nil, err
	}
	var groups []persona.Group
	entry := s.entry(org.ID, actor, "reorder", "group", id, "")
	err = s.inTx(ctx, entry, func(tx Store) error {
		if err := tx.LockOrg(ctx, org.ID); err != nil {
			return err
		}
		cur, err := tx.ListGroups(ctx, org.ID)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(cur, func(g persona.Group) bool { return g.ID == id })
		if i < 0 {
			return persona.ErrNotFound("group")
		}
		j := min(max(i+by, 0), len(cur)-1)
		g := cur[i]
		groups = slices.Insert(slices.Delete(slices.Clone(cur), i, i+1), j, g)
		ids := make([]string, len(groups))
		for k := range groups {
			groups[k].Position = k + 1
			ids[k] = groups[k].ID
		}
		where := "stays"
		switch {
		case j < i:
			where = "moved up"
		case j > i:
			where = "moved down"
		}
		entry.Summary = fmt.Sprintf("%s %s; %s", g.Name, where, groupOrderSummary(groups))
		return tx.SetGroupPositions(ctx, org.ID, ids)
	})
	if err != nil {
		return nil, err
	}
	return groups, nil
}

func groupOrderSummary(groups []persona.Group) string {
	names := make([]string, len(groups))
	for i, g := range groups {
		names[i] = g.Name
	}
	return "order: " + strings.Join(names, ", ")
}

// DeleteGroupMoving deletes a group (editors). Its personas, trashed ones
// included, move to the group moveTo first — each with a new revision
// and its own "move persona" entry — all in one transaction. Without
// moveTo it is DeleteGroup: only an empty group goes.
func (s *Service) DeleteGroupMoving(ctx context.Context, actor Actor, slug, id, moveTo string) error {
	if moveTo = strings.TrimSpace(moveTo); moveTo == "" {
		return s.DeleteGroup(ctx, actor, slug, id)
	}
	org, _, err := s.scope(ctx, actor, slug, persona.RoleEditor)
	if err != nil {
		return err
	}
	g, err := s.store.GetGroup(ctx, org.ID, id)
	if err != nil {
		return err
	}
	if moveTo == id {
		return persona.Invalid("invalid move", []persona.FieldError{{Field: "move_to", Message: "must be another group than the one you delete"}})
	}
	to, err := s.store.GetGroup(ctx, org.ID, moveTo)
	if persona.ErrorCode(err) == persona.CodeNotFound {
		return persona.Invalid("invalid move", []persona.FieldError{{Field: "move_to", Message: "no such group in this organisation"}})
	} else if err != nil {
		return err
	}
	return s.inOneTx(ctx, func(s *Service) error {
		if err := s.store.LockOrg(ctx, org.ID); err != nil {
			return err
		}
		ps, err := s.store.PersonasInGroup(ctx, org.ID, g.ID)
		if err != nil {
			return err
		}
		for _, p := range ps {
			if _, err := s.movePersona(ctx, actor, p, g, to); err != nil {
				return err
			}
		}
		summary := g.Name
		switch len(ps) {
		case 0:
		case 1:
			summary += "; its persona moved to " + to.Name
		default:
			summary += fmt.Sprintf("; its %d personas moved to %s", len(ps), to.Name)
		}
		return s.inTx(ctx, s.entry(org.ID, actor, "delete", "group", g.ID, summary), func(tx Store) error {
			return tx.DeleteGroup(ctx, org.ID, g.ID)
		})
	})
}

// MovePersonas moves live personas to a group, all of them or none
// (editors): each one not already there gets a new revision and its own
// "move persona" entry. It returns the personas as they are now, in the
// order of ids. An unknown or trashed ID moves nothing (not found).
func (s *Service) MovePersonas(ctx context.Context, actor Actor, slug string, ids []string, groupID string) ([]persona.Persona, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleEditor)
	if err != nil {
		return nil, err
	}
	var fields []persona.FieldError
	switch {
	case len(ids) == 0:
		fields = append(fields, persona.FieldError{Field: "ids", Message: "choose at least one persona to move"})
	case len(ids) > MaxMove:
		fields = append(fields, persona.FieldError{Field: "ids", Message: fmt.Sprintf("move at most %d personas at once", MaxMove)})
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			fields = append(fields, persona.FieldError{Field: "ids", Message: "names a persona twice"})
			break
		}
		seen[id] = true
	}
	groupID = strings.TrimSpace(groupID)
	var to persona.Group
	if groupID == "" {
		fields = append(fields, persona.FieldError{Field: "group_id", Message: "choose the group to move to"})
	} else if to, err = s.store.GetGroup(ctx, org.ID, groupID); persona.ErrorCode(err) == persona.CodeNotFound {
		fields = append(fields, persona.FieldError{Field: "group_id", Message: "no such group in this organisation"})
	} else if err != nil {
		return nil, err
	}
	if err := persona.Invalid("invalid move", fields); err != nil {
		return nil, err
	}
	var out []persona.Persona
	err = s.inOneTx(ctx, func(s *Service) error {
		if err := s.store.LockOrg(ctx, org.ID); err != nil {
			return err
		}
		ps, err := s.store.GetPersonas(ctx, org.ID, ids)
		if err != nil {
			return err
		}
		if len(ps) != len(ids) {
			return persona.Errorf(persona.CodeNotFound, "persona not found: one of them was deleted or moved to the trash meanwhile; nothing was moved")
		}
		names, err := s.store.GroupNames(ctx, org.ID)
		if err != nil {
			return err
		}
		out = make([]persona.Persona, 0, len(ps))
		for _, p := range ps {
			if p.GroupID == to.ID {
				out = append(out, p)
				continue
			}
			from := persona.Group{ID: p.GroupID, Name: names[p.GroupID]}
			moved, err := s.movePersona(ctx, actor, p, from, to)
			if err != nil {
				return err
			}
			out = append(out, moved)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// movePersona writes p in group to as its next revision, with its audit
// entry, in the caller's transaction.
func (s *Service) movePersona(ctx context.Context, actor Actor, p persona.Persona, from, to persona.Group) (persona.Persona, error) {
	next := p
	next.GroupID = to.ID
	next.Revision = p.Revision + 1
	next.UpdatedAt = s.timestamp()
	next.UpdatedBy = actor.UserID
	fromName := from.Name
	if fromName == "" {
		fromName = "no group"
	}
	rev := revisionOf(next, "Moved from "+fromName+" to "+to.Name)
	summary := fmt.Sprintf("%s: %s → %s (revision %d)", p.Name, fromName, to.Name, next.Revision)
	err := s.inTx(ctx, s.entry(p.OrgID, actor, "move", "persona", p.ID, summary), func(tx Store) error {
		return tx.MovePersona(ctx, next, rev)
	})
	return next, err
}

// CreatePersonaInNewGroup creates a group named groupName and the persona
// in it, in one transaction (the New persona form of an organisation that
// has no group yet): an invalid persona creates no group either.
func (s *Service) CreatePersonaInNewGroup(ctx context.Context, actor Actor, slug, groupName string, in PersonaInput) (persona.Persona, persona.Group, error) {
	var (
		p persona.Persona
		g persona.Group
	)
	err := s.inOneTx(ctx, func(s *Service) error {
		var err error
		if g, err = s.CreateGroup(ctx, actor, slug, GroupInput{Name: groupName}); err != nil {
			if e, ok := persona.AsError(err); ok && len(e.Fields) > 0 {
				return persona.Invalid("invalid persona", []persona.FieldError{{Field: "new_group", Message: e.Fields[0].Message}})
			}
			return err
		}
		in.GroupID = g.ID
		p, err = s.CreatePersona(ctx, actor, slug, in)
		return err
	})
	return p, g, err
}
