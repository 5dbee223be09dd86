package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

// The life of an organisation after it is created: its slug changes (the
// old one keeps redirecting its members), ownership passes to another
// member, and it is deleted — hidden from everyone, restorable by an
// owner for persona.OrgRestoreWindow, then purged with everything in it by
// a periodic sweep (PurgeDeletedOrgs).
//
// Decisions (docs in the README's web app and API sections):
//   - An old slug stays reserved to its organisation for as long as the
//     organisation exists: links to it never lead to another tenant. The
//     organisation may take it back. Purging frees it.
//   - Old slugs redirect only the organisation's members (anyone else gets
//     404, as for any slug), and only web pages; the API answers 404 for an
//     old slug (clients use the current one, or the organisation's ID from
//     GET /orgs).
//   - The audit log of the organisation records the deletion and the
//     restore with who did it; a purge removes the log with everything
//     else, so the server log records the purge (who had deleted it, when).

// orgLifeStore is the persistence of an organisation's life (store/orglife.go).
type orgLifeStore interface {
	// SlugTaken reports whether any organisation has or had the slug.
	SlugTaken(ctx context.Context, slug string) (bool, error)
	// ChangeOrgSlug makes to the current slug and keeps from as an old one.
	ChangeOrgSlug(ctx context.Context, orgID, from, to string, at time.Time) error
	// OrgMovedFor finds the live organisation that had the old slug, for one
	// of its members.
	OrgMovedFor(ctx context.Context, old, userID string) (persona.Org, persona.Role, error)
	SoftDeleteOrg(ctx context.Context, orgID, by string, at time.Time) error
	RestoreOrg(ctx context.Context, orgID string) error
	DeletedOrgsForUser(ctx context.Context, userID string, role persona.Role) ([]persona.DeletedOrg, error)
	DeletedOrgForMember(ctx context.Context, orgID, userID string) (persona.DeletedOrg, persona.Role, error)
	DeletedOrgsBefore(ctx context.Context, before time.Time) ([]persona.DeletedOrg, error)
	// PurgeOrg deletes an organisation deleted before the time, and every
	// row it owns.
	PurgeOrg(ctx context.Context, orgID string, deletedBefore time.Time) error

	NextGroupPosition(ctx context.Context, orgID string) (int, error)
	SetGroupPositions(ctx context.Context, orgID string, ids []string) error
	// PersonasInGroup lists the group's personas, trashed ones included.
	PersonasInGroup(ctx context.Context, orgID, groupID string) ([]persona.Persona, error)
	// MovePersona writes a persona's new group as its next revision (live
	// or trashed).
	MovePersona(ctx context.Context, p persona.Persona, rev persona.Revision) error
}

// ---- slug ----

// ChangeSlug gives the organisation a new slug (owners and admins). The
// old slug keeps redirecting members' web pages to the new one, and no
// other organisation can take it.
func (s *Service) ChangeSlug(ctx context.Context, actor Actor, slug, newSlug string) (persona.Org, error) {
	org, myRole, err := s.scope(ctx, actor, slug, persona.RoleAdmin)
	if err != nil {
		return persona.Org{}, err
	}
	newSlug = strings.TrimSpace(newSlug)
	if !persona.ValidSlug(newSlug) {
		return persona.Org{}, persona.Invalid("invalid organisation", []persona.FieldError{{Field: "slug",
			Message: "must be 1-63 lower-case letters, digits and hyphens, not starting or ending with a hyphen"}})
	}
	if newSlug == org.Slug {
		return org, nil // nothing changes
	}
	forgetScope(ctx)
	from := org.Slug
	err = s.inTx(ctx, s.entry(org.ID, actor, "change slug", "organisation", org.ID, from+" → "+newSlug), func(tx Store) error {
		if _, err := lockedRole(ctx, tx, org.ID, actor, myRole); err != nil {
			return err
		}
		return tx.ChangeOrgSlug(ctx, org.ID, from, newSlug, s.timestamp())
	})
	if persona.ErrorCode(err) == persona.CodeConflict {
		return persona.Org{}, &persona.Error{Code: persona.CodeConflict, Message: "another organisation has or had this slug",
			Fields: []persona.FieldError{{Field: "slug", Message: "is taken"}}}
	}
	if err != nil {
		return persona.Org{}, err
	}
	org.Slug = newSlug
	return org, nil
}

// OrgMovedTo finds the organisation that used to have the slug old, when
// the actor is one of its members; not-found otherwise.
func (s *Service) OrgMovedTo(ctx context.Context, actor Actor, old string) (persona.Org, error) {
	if actor.UserID == "" || !persona.ValidSlug(old) {
		return persona.Org{}, persona.ErrNotFound("organisation")
	}
	org, _, err := s.store.OrgMovedFor(ctx, old, actor.UserID)
	return org, err
}

// ---- ownership ----

// TransferOwnership makes another member an owner and the caller, an
// owner, an admin (owners only). It runs in one transaction that locks
// the organisation and re-reads both roles after the lock, so concurrent
// transfers and role changes can never leave the organisation without an
// owner.
func (s *Service) TransferOwnership(ctx context.Context, actor Actor, slug, toUserID string) (persona.Member, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleOwner)
	if err != nil {
		return persona.Member{}, err
	}
	if actor.UserID == "" {
		return persona.Member{}, persona.Errorf(persona.CodeForbidden, "ownership is handed on by an owner, signed in")
	}
	toUserID = strings.TrimSpace(toUserID)
	if toUserID == actor.UserID {
		return persona.Member{}, persona.Invalid("invalid transfer", []persona.FieldError{{Field: "user_id", Message: "must be another member: you are an owner already"}})
	}
	var to persona.Member
	entry := s.entry(org.ID, actor, "transfer ownership", "organisation", org.ID, "")
	forgetScope(ctx)
	err = s.inTx(ctx, entry, func(tx Store) error {
		if err := tx.LockOrg(ctx, org.ID); err != nil {
			return err
		}
		me, err := tx.GetMember(ctx, org.ID, actor.UserID)
		if persona.ErrorCode(err) == persona.CodeNotFound {
			return persona.ErrNotFound("organisation")
		} else if err != nil {
			return err
		}
		if me.Role != persona.RoleOwner {
			return persona.Errorf(persona.CodeForbidden, "only an owner can hand on ownership; you are %s", me.Role)
		}
		if to, err = tx.GetMember(ctx, org.ID, toUserID); persona.ErrorCode(err) == persona.CodeNotFound {
			return persona.Invalid("invalid transfer", []persona.FieldError{{Field: "user_id", Message: "is not a member of this organisation"}})
		} else if err != nil {
			return err
		}
		entry.Summary = "ownership: " + me.Email + " → " + to.Email + " (" + me.Email + " is now an admin)"
		if err := tx.SetMemberRole(ctx, org.ID, to.UserID, persona.RoleOwner); err != nil {
			return err
		}
		return tx.SetMemberRole(ctx, org.ID, me.UserID, persona.RoleAdmin)
	})
	if err != nil {
		return persona.Member{}, err
	}
	to.Role = persona.RoleOwner
	return to, nil
}

// ---- delete, restore, purge ----

// DeleteOrg deletes an organisation (owners), once confirm names it (its
// slug or its name, typed). It is hidden from everyone at once — every
// route answers 404, API tokens included — and its owners can restore it
// for persona.OrgRestoreWindow; then it is purged. The audit log records
// who deleted it.
func (s *Service) DeleteOrg(ctx context.Context, actor Actor, slug, confirm string) (persona.DeletedOrg, error) {
	org, myRole, err := s.scope(ctx, actor, slug, persona.RoleOwner)
	if err != nil {
		return persona.DeletedOrg{}, err
	}
	if !persona.ConfirmsOrg(org, confirm) {
		return persona.DeletedOrg{}, persona.Invalid("not confirmed", []persona.FieldError{{Field: "confirm",
			Message: fmt.Sprintf("type the organisation's slug (%s) or its name to confirm", org.Slug)}})
	}
	now := s.timestamp()
	d := persona.DeletedOrg{Org: org, DeletedAt: now, DeletedBy: actor.UserID, DeletedByName: actor.Name, DeletedByEmail: actor.Email}
	summary := fmt.Sprintf("%s deleted; its owners can restore it until %s", org.Name, d.PurgeAt().Format(time.DateOnly))
	forgetScope(ctx)
	err = s.inTx(ctx, s.entry(org.ID, actor, "delete", "organisation", org.ID, summary), func(tx Store) error {
		if err := tx.LockOrg(ctx, org.ID); err != nil {
			return err
		}
		if !actor.System {
			me, err := tx.GetMember(ctx, org.ID, actor.UserID)
			if persona.ErrorCode(err) == persona.CodeNotFound {
				return persona.ErrNotFound("organisation")
			} else if err != nil {
				return err
			}
			myRole = me.Role
		}
		if myRole != persona.RoleOwner {
			return persona.Errorf(persona.CodeForbidden, "only an owner can delete the organisation")
		}
		return tx.SoftDeleteOrg(ctx, org.ID, actor.UserID, now)
	})
	if err != nil {
		return persona.DeletedOrg{}, err
	}
	return d, nil
}

// ListDeletedOrgs lists the deleted organisations the caller owns and can
// still restore, most recently deleted first.
func (s *Service) ListDeletedOrgs(ctx context.Context, actor Actor) ([]persona.DeletedOrg, error) {
	if actor.UserID == "" {
		return nil, persona.Errorf(persona.CodeUnauthenticated, "authentication required")
	}
	all, err := s.store.DeletedOrgsForUser(ctx, actor.UserID, persona.RoleOwner)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := make([]persona.DeletedOrg, 0, len(all))
	for _, d := range all {
		if now.Before(d.PurgeAt()) {
			out = append(out, d)
		}
	}
	return out, nil
}

// RestoreOrg brings back a deleted organisation (its owners, within
// persona.OrgRestoreWindow), as it was. Anyone else — and anything past
// the window — gets not-found.
func (s *Service) RestoreOrg(ctx context.Context, actor Actor, orgID string) (persona.Org, error) {
	if actor.UserID == "" {
		return persona.Org{}, persona.Errorf(persona.CodeUnauthenticated, "authentication required")
	}
	restorable := func(st Store) (persona.DeletedOrg, error) {
		d, role, err := st.DeletedOrgForMember(ctx, orgID, actor.UserID)
		if err != nil {
			return persona.DeletedOrg{}, err
		}
		if role != persona.RoleOwner || !s.now().Before(d.PurgeAt()) {
			return persona.DeletedOrg{}, persona.ErrNotFound("organisation")
		}
		return d, nil
	}
	d, err := restorable(s.store)
	if err != nil {
		return persona.Org{}, err
	}
	summary := d.Org.Name + " restored"
	if d.DeletedByEmail != "" {
		summary += " (deleted by " + d.DeletedByEmail + " on " + d.DeletedAt.Format(time.DateOnly) + ")"
	}
	forgetScope(ctx)
	err = s.inTx(ctx, s.entry(d.Org.ID, actor, "restore", "organisation", d.Org.ID, summary), func(tx Store) error {
		if err := tx.LockOrg(ctx, d.Org.ID); err != nil {
			return err
		}
		if _, err := restorable(tx); err != nil { // still an owner, still restorable
			return err
		}
		return tx.RestoreOrg(ctx, d.Org.ID)
	})
	if err != nil {
		return persona.Org{}, err
	}
	return d.Org, nil
}

// PurgeDeletedOrgs deletes for good every organisation deleted longer than
// persona.OrgRestoreWindow ago, each with every row it owns, in a
// transaction of its own; it returns how many it purged. serve runs it
// periodically; several instances may run it at once (an organisation is
// purged once, and a restore that commits first wins). Each purge is
// logged, since the organisation's audit log goes with it.
func (s *Service) PurgeDeletedOrgs(ctx context.Context) (int, error) {
	before := s.now().Add(-persona.OrgRestoreWindow)
	due, err := s.store.DeletedOrgsBefore(ctx, before)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, d := range due {
		err := s.store.PurgeOrg(ctx, d.Org.ID, before)
		if persona.ErrorCode(err) == persona.CodeNotFound {
			continue // restored, or purged by another instance
		}
		if err != nil {
			return n, err
		}
		n++
		s.log.InfoContext(ctx, "organisation purged", "org_id", d.Org.ID, "slug", d.Org.Slug, "name", d.Org.Name,
			"deleted_at", d.DeletedAt, "deleted_by", d.DeletedBy, "deleted_by_email", d.DeletedByEmail)
	}
	return n, nil
}
