package app

import (
	"context"
	"strings"

	"github.com/personapal/personapal/internal/persona"
)

// Organisations and their membership.

// CreateOrg creates an organisation owned by the caller, with the built-in
// starter templates copied into it (each published as version 1). An empty
// slug is derived from the name (orgSlugFor: ASCII, unique).
func (s *Service) CreateOrg(ctx context.Context, actor Actor, name, slug string) (persona.Org, error) {
	if actor.UserID == "" {
		return persona.Org{}, persona.Errorf(persona.CodeUnauthenticated, "authentication required")
	}
	owner, err := s.store.UserByID(ctx, actor.UserID)
	if err != nil {
		return persona.Org{}, err
	}
	name = strings.TrimSpace(name)
	slug = strings.TrimSpace(slug)
	if slug == "" && name != "" {
		if slug, err = s.orgSlugFor(ctx, name); err != nil {
			return persona.Org{}, err
		}
	}
	var fields []persona.FieldError
	name, fields = nameField(fields, "name", name)
	if !persona.ValidSlug(slug) && slug+name != "" {
		fields = append(fields, persona.FieldError{Field: "slug", Message: "must be 1-63 lower-case letters, digits and hyphens, not starting or ending with a hyphen"})
	}
	if err := persona.Invalid("invalid organisation", fields); err != nil {
		return persona.Org{}, err
	}
	now := s.timestamp()
	org := persona.Org{ID: newID(), Slug: slug, Name: name, CreatedAt: now}
	member := persona.Member{OrgID: org.ID, UserID: owner.ID, Email: owner.Email, Name: owner.Name, Role: persona.RoleOwner, CreatedAt: now}
	var templates []persona.Template
	var versions []persona.TemplateVersion
	for _, st := range persona.StarterTemplates() {
		t := persona.Template{
			ID: newID(), OrgID: org.ID, Name: st.Name, ProfileType: st.ProfileType, Description: st.Description,
			LatestVersion: 1, Draft: st.Definition, DraftUpdatedAt: now, CreatedAt: now, UpdatedAt: now,
		}
		templates = append(templates, t)
		versions = append(versions, persona.TemplateVersion{
			TemplateID: t.ID, OrgID: org.ID, Version: 1, Definition: st.Definition,
			PublishedAt: now, PublishedBy: owner.ID,
		})
	}
	entry := s.entry(org.ID, actor, "create", "organisation", org.ID, org.Name)
	if err := s.inTx(ctx, entry, func(tx Store) error { return tx.CreateOrg(ctx, org, member, templates, versions) }); err != nil {
		if persona.ErrorCode(err) == persona.CodeConflict {
			return persona.Org{}, &persona.Error{Code: persona.CodeConflict, Message: "an organisation with this slug already exists",
				Fields: []persona.FieldError{{Field: "slug", Message: "is taken"}}}
		}
		return persona.Org{}, err
	}
	return org, nil
}

// GetOrg returns an organisation the caller belongs to, with the caller's role.
func (s *Service) GetOrg(ctx context.Context, actor Actor, slug string) (persona.Org, persona.Role, error) {
	return s.scope(ctx, actor, slug, persona.RoleViewer)
}

// RenameOrg changes an organisation's display name (owners and admins).
func (s *Service) RenameOrg(ctx context.Context, actor Actor, slug, name string) (persona.Org, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleAdmin)
	if err != nil {
		return persona.Org{}, err
	}
	name, fields := nameField(nil, "name", name)
	if err := persona.Invalid("invalid organisation", fields); err != nil {
		return persona.Org{}, err
	}
	org.Name = name
	forgetScope(ctx)
	if err := s.inTx(ctx, s.entry(org.ID, actor, "update", "organisation", org.ID, "name: "+org.Name), func(tx Store) error { return tx.UpdateOrg(ctx, org) }); err != nil {
		return persona.Org{}, err
	}
	return org, nil
}

// ListMembers lists an organisation's members.
func (s *Service) ListMembers(ctx context.Context, actor Actor, slug string) ([]persona.Member, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return nil, err
	}
	return s.store.ListMembers(ctx, org.ID)
}

// AddMember adds an existing user, found by email, with a role, without
// asking them: it is for trusted local administration only (the System
// actor: the CLI's "member add", set-up and tests). Everyone else invites
// (InviteMember), and the person joins by accepting.
func (s *Service) AddMember(ctx context.Context, actor Actor, slug, email string, role persona.Role) (persona.Member, error) {
	if !actor.System {
		return persona.Member{}, persona.Errorf(persona.CodeForbidden, "people join an organisation by accepting an invitation; invite them instead")
	}
	org, myRole, err := s.scope(ctx, actor, slug, persona.RoleAdmin)
	if err != nil {
		return persona.Member{}, err
	}
	if !role.Valid() {
		return persona.Member{}, persona.Invalid("invalid member", []persona.FieldError{{Field: "role", Message: "must be one of: viewer, editor, admin, owner"}})
	}
	if role == persona.RoleOwner && myRole != persona.RoleOwner {
		return persona.Member{}, persona.Errorf(persona.CodeForbidden, "only an owner can add an owner")
	}
	u, err := s.UserByEmail(ctx, email)
	if err != nil {
		if persona.ErrorCode(err) == persona.CodeNotFound {
			return persona.Member{}, persona.Invalid("invalid member", []persona.FieldError{{Field: "email", Message: "no user with this email; create the account first"}})
		}
		return persona.Member{}, err
	}
	m := persona.Member{OrgID: org.ID, UserID: u.ID, Email: u.Email, Name: u.Name, Role: role, CreatedAt: s.timestamp()}
	forgetScope(ctx)
	entry := s.entry(org.ID, actor, "add", "member", u.ID, u.Email+" as "+string(role))
	if err := s.inTx(ctx, entry, func(tx Store) error { return tx.AddMember(ctx, m) }); err != nil {
		if persona.ErrorCode(err) == persona.CodeConflict {
			return persona.Member{}, persona.Errorf(persona.CodeConflict, "%s is already a member", u.Email)
		}
		return persona.Member{}, err
	}
	return m, nil
}

// SetMemberRole changes a member's role. Owners alone grant or take away the
// owner role, and the last owner cannot be demoted.
func (s *Service) SetMemberRole(ctx context.Context, actor Actor, slug, userID string, role persona.Role) (persona.Member, error) {
	org, myRole, err := s.scope(ctx, actor, slug, persona.RoleAdmin)
	if err != nil {
		return persona.Member{}, err
	}
	if !role.Valid() {
		return persona.Member{}, persona.Invalid("invalid member", []persona.FieldError{{Field: "role", Message: "must be one of: viewer, editor, admin, owner"}})
	}
	var m persona.Member
	entry := s.entry(org.ID, actor, "change role", "member", userID, "")
	forgetScope(ctx)
	err = s.inTx(ctx, entry, func(tx Store) error {
		// The owner rule is checked after the lock, so two owners demoting
		// each other at once cannot both succeed.
		myRole, err := lockedRole(ctx, tx, org.ID, actor, myRole)
		if err != nil {
			return err
		}
		if m, err = tx.GetMember(ctx, org.ID, userID); err != nil {
			return err
		}
		if (role == persona.RoleOwner || m.Role == persona.RoleOwner) && myRole != persona.RoleOwner {
			return persona.Errorf(persona.CodeForbidden, "only an owner can grant or remove the owner role")
		}
		if m.Role == persona.RoleOwner && role != persona.RoleOwner {
			if err := ensureAnotherOwner(ctx, tx, org.ID, userID); err != nil {
				return err
			}
		}
		entry.Summary = m.Email + ": " + string(m.Role) + " → " + string(role)
		return tx.SetMemberRole(ctx, org.ID, userID, role)
	})
	if err != nil {
		return persona.Member{}, err
	}
	m.Role = role
	return m, nil
}

// RemoveMember removes a member; the last owner stays.
func (s *Service) RemoveMember(ctx context.Context, actor Actor, slug, userID string) error {
	org, myRole, err := s.scope(ctx, actor, slug, persona.RoleAdmin)
	if err != nil {
		return err
	}
	forgetScope(ctx)
	return s.inTx(ctx, s.entry(org.ID, actor, "remove", "member", userID, ""), func(tx Store) error {
		myRole, err := lockedRole(ctx, tx, org.ID, actor, myRole)
		if err != nil {
			return err
		}
		m, err := tx.GetMember(ctx, org.ID, userID)
		if err != nil {
			return err
		}
		if m.Role == persona.RoleOwner {
			if myRole != persona.RoleOwner {
				return persona.Errorf(persona.CodeForbidden, "only an owner can remove an owner")
			}
			if err := ensureAnotherOwner(ctx, tx, org.ID, userID); err != nil {
				return err
			}
		}
		return tx.RemoveMember(ctx, org.ID, userID)
	})
}

// lockedRole locks the organisation for a membership change and returns
// the actor's role as it is now: a role read before the lock may have been
// taken away meanwhile. role is the System actor's.
func lockedRole(ctx context.Context, tx Store, orgID string, actor Actor, role persona.Role) (persona.Role, error) {
	if err := tx.LockOrg(ctx, orgID); err != nil {
		return "", err
	}
	if actor.System {
		return role, nil
	}
	me, err := tx.GetMember(ctx, orgID, actor.UserID)
	if persona.ErrorCode(err) == persona.CodeNotFound {
		return "", persona.ErrNotFound("organisation")
	}
	if err != nil {
		return "", err
	}
	if !me.Role.AtLeast(persona.RoleAdmin) {
		return "", persona.Errorf(persona.CodeForbidden, "this needs the admin role or higher; you are %s", me.Role)
	}
	return me.Role, nil
}

// ensureAnotherOwner refuses a change that would leave the organisation
// without an owner other than userID. Call it in the change's transaction,
// after LockOrg.
func ensureAnotherOwner(ctx context.Context, tx Store, orgID, userID string) error {
	members, err := tx.ListMembers(ctx, orgID)
	if err != nil {
		return err
	}
	for _, m := range members {
		if m.Role == persona.RoleOwner && m.UserID != userID {
			return nil
		}
	}
	return persona.Errorf(persona.CodeConflict, "an organisation needs at least one owner")
}
