package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

// The life of an organisation after it is created: its slug changes (every
// slug it ever had stays in org_slugs, one namespace with the current
// ones), it is deleted (hidden: every lookup skips orgs with deleted_at),
// restored, or purged with every row it owns (ON DELETE CASCADE from orgs
// reaches every organisation table; migration 00018). Also the order of
// its groups and moving personas between them.

// reserveSlug records slug as an organisation's slug at, inside tx:
// conflict when any other organisation has or had it.
func (s *DB) reserveSlug(ctx context.Context, q querier, orgID, slug string, at time.Time) error {
	_, err := s.exec(ctx, q, `INSERT INTO org_slugs (slug, org_id, created_at) VALUES ($1, $2, $3)`, slug, orgID, ts(at))
	return withMessage(err, persona.CodeConflict, "an organisation with this slug already exists")
}

// SlugTaken reports whether an organisation has or had slug (deleted
// organisations waiting for their purge included).
func (s *DB) SlugTaken(ctx context.Context, slug string) (bool, error) {
	var one int
	err := s.q().QueryRowContext(ctx, `SELECT 1 FROM org_slugs WHERE slug = $1`, slug).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// ChangeOrgSlug moves a live organisation from slug from to slug to at:
// from keeps pointing at it (retired), to becomes current. Taking back one
// of its own old slugs is allowed; a slug another organisation has or had
// is a conflict; not-found when the organisation's slug is not from.
func (s *DB) ChangeOrgSlug(ctx context.Context, orgID, from, to string, at time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := s.exec(ctx, tx, `UPDATE org_slugs SET retired_at = NULL WHERE slug = $1 AND org_id = $2`, to, orgID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			if err := s.reserveSlug(ctx, tx, orgID, to, at); err != nil {
				return err
			}
		}
		if err := s.execOne(ctx, tx, "organisation", `UPDATE org_slugs SET retired_at = $3 WHERE slug = $1 AND org_id = $2`,
			from, orgID, ts(at)); err != nil {
			return err
		}
		err = s.execOne(ctx, tx, "organisation", `UPDATE orgs SET slug = $3 WHERE id = $1 AND slug = $2 AND deleted_at IS NULL`,
			orgID, from, to)
		return withMessage(err, persona.CodeConflict, "an organisation with this slug already exists")
	})
}

// OrgMovedFor finds the live organisation that used to have slug old and
// of which the user is a member, with the user's role; not-found
// otherwise (so an old slug tells nothing to anyone else).
func (s *DB) OrgMovedFor(ctx context.Context, old, userID string) (persona.Org, persona.Role, error) {
	var (
		o    persona.Org
		role persona.Role
	)
	err := s.q().QueryRowContext(ctx, `SELECT `+orgCols+`, m.role FROM org_slugs h
		JOIN orgs o ON o.id = h.org_id AND o.deleted_at IS NULL
		JOIN memberships m ON m.org_id = o.id AND m.user_id = $2
		WHERE h.slug = $1 AND h.retired_at IS NOT NULL`, old, userID).
		Scan(&o.ID, &o.Slug, &o.Name, timeCol{&o.CreatedAt}, &role)
	if err != nil {
		return persona.Org{}, "", noRows(err, "organisation")
	}
	return o, role, nil
}

// SoftDeleteOrg marks a live organisation deleted at by the user by.
func (s *DB) SoftDeleteOrg(ctx context.Context, orgID, by string, at time.Time) error {
	return s.execOne(ctx, s.q(), "organisation", `UPDATE orgs SET deleted_at = $2, deleted_by = $3
		WHERE id = $1 AND deleted_at IS NULL`, orgID, ts(at), by)
}

// RestoreOrg brings back a deleted organisation; not-found unless it is
// deleted (and not purged yet).
func (s *DB) RestoreOrg(ctx context.Context, orgID string) error {
	return s.execOne(ctx, s.q(), "organisation", `UPDATE orgs SET deleted_at = NULL, deleted_by = ''
		WHERE id = $1 AND deleted_at IS NOT NULL`, orgID)
}

const deletedOrgSelect = `SELECT ` + orgCols + `, o.deleted_at, o.deleted_by, COALESCE(u.name, ''), COALESCE(u.email, '')
	FROM orgs o LEFT JOIN users u ON u.id = o.deleted_by`

func scanDeletedOrg(row interface{ Scan(...any) error }) (persona.DeletedOrg, error) {
	var d persona.DeletedOrg
	err := row.Scan(&d.Org.ID, &d.Org.Slug, &d.Org.Name, timeCol{&d.Org.CreatedAt}, timeCol{&d.DeletedAt},
		&d.DeletedBy, &d.DeletedByName, &d.DeletedByEmail)
	return d, err
}

// DeletedOrgsForUser lists the deleted organisations in which the user
// has the role, most recently deleted first.
func (s *DB) DeletedOrgsForUser(ctx context.Context, userID string, role persona.Role) ([]persona.DeletedOrg, error) {
	rows, err := s.q().QueryContext(ctx, deletedOrgSelect+`
		JOIN memberships m ON m.org_id = o.id AND m.user_id = $1 AND m.role = $2
		WHERE o.deleted_at IS NOT NULL ORDER BY o.deleted_at DESC, o.id`, userID, string(role))
	if err != nil {
		return nil, err
	}
	return collect(rows, scanDeletedOrg)
}

// DeletedOrgForMember returns a deleted organisation and the user's role
// in it; not-found when it is not deleted or the user is not a member.
func (s *DB) DeletedOrgForMember(ctx context.Context, orgID, userID string) (persona.DeletedOrg, persona.Role, error) {
	var role persona.Role
	row := s.q().QueryRowContext(ctx, `SELECT `+orgCols+`, o.deleted_at, o.deleted_by, COALESCE(u.name, ''), COALESCE(u.email, ''), m.role
		FROM orgs o LEFT JOIN users u ON u.id = o.deleted_by
		JOIN memberships m ON m.org_id = o.id AND m.user_id = $2
		WHERE o.id = $1 AND o.deleted_at IS NOT NULL`, orgID, userID)
	var d persona.DeletedOrg
	err := row.Scan(&d.Org.ID, &d.Org.Slug, &d.Org.Name, timeCol{&d.Org.CreatedAt}, timeCol{&d.DeletedAt},
		&d.DeletedBy, &d.DeletedByName, &d.DeletedByEmail, &role)
	if err != nil {
		return persona.DeletedOrg{}, "", noRows(err, "organisation")
	}
	return d, role, nil
}

// DeletedOrgsBefore lists the organisations deleted before the time, the
// oldest first (the purge sweep's work).
func (s *DB) DeletedOrgsBefore(ctx context.Context, before time.Time) ([]persona.DeletedOrg, error) {
	rows, err := s.q().QueryContext(ctx, deletedOrgSelect+`
		WHERE o.deleted_at IS NOT NULL AND o.deleted_at < $1 ORDER BY o.deleted_at, o.id`, ts(before))
	if err != nil {
		return nil, err
	}
	return collect(rows, scanDeletedOrg)
}

// PurgeOrg deletes an organisation deleted before the time, with every
// row it owns (ON DELETE CASCADE from orgs); not-found when it is not
// (any more) deleted before then, so an owner's restore in between wins.
func (s *DB) PurgeOrg(ctx context.Context, orgID string, deletedBefore time.Time) error {
	s.revs.forgetOrg(orgID)
	return s.inTx(ctx, func(tx *sql.Tx) error {
		return s.execOne(ctx, tx, "organisation", `DELETE FROM orgs WHERE id = $1 AND deleted_at IS NOT NULL AND deleted_at < $2`,
			orgID, ts(deletedBefore))
	})
}

// ---- groups: order and moves ----

// NextGroupPosition is the position after the organisation's last group.
func (s *DB) NextGroupPosition(ctx context.Context, orgID string) (int, error) {
	var n int
	err := s.q().QueryRowContext(ctx, `SELECT COALESCE(MAX(position), 0) + 1 FROM persona_groups WHERE org_id = $1`, orgID).Scan(&n)
	return n, err
}

// SetGroupPositions numbers the organisation's groups 1, 2, … in the order
// of ids; not-found when one of them is not a group of the organisation.
func (s *DB) SetGroupPositions(ctx context.Context, orgID string, ids []string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for i, id := range ids {
			if err := s.execOne(ctx, tx, "group", `UPDATE persona_groups SET position = $3 WHERE org_id = $1 AND id = $2`,
				orgID, id, i+1); err != nil {
				return err
			}
		}
		return nil
	})
}

// PersonasInGroup lists every persona of the group, trashed ones included,
// by name.
func (s *DB) PersonasInGroup(ctx context.Context, orgID, groupID string) ([]persona.Persona, error) {
	rows, err := s.q().QueryContext(ctx, personaSelect+` WHERE p.org_id = $1 AND p.group_id = $2 ORDER BY p.name, p.id`, orgID, groupID)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanPersona)
}

// MovePersona writes p's group as revision p.Revision with rev, when the
// stored revision is still p.Revision-1 — live or trashed, so that a
// group's trashed personas move with it; otherwise precondition-failed,
// and nothing is written. Nothing else of the persona changes (its search
// text does not hold the group).
func (s *DB) MovePersona(ctx context.Context, p persona.Persona, rev persona.Revision) error {
	return s.write(ctx, func(v *DB) error {
		tx := v.tx
		res, err := s.exec(ctx, tx, `UPDATE personas SET group_id = $3, revision = $4, updated_at = $5, updated_by = $6
			WHERE org_id = $1 AND id = $2 AND revision = $7`,
			p.OrgID, p.ID, nullStr(p.GroupID), p.Revision, ts(p.UpdatedAt), p.UpdatedBy, p.Revision-1)
		if persona.ErrorCode(err) == persona.CodeInvalid {
			return persona.Invalid("invalid move", []persona.FieldError{{Field: "group_id", Message: "no such group in this organisation"}})
		} else if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			var cur int
			if err := tx.QueryRowContext(ctx, `SELECT revision FROM personas WHERE org_id = $1 AND id = $2`, p.OrgID, p.ID).Scan(&cur); err != nil {
				return noRows(err, "persona")
			}
			return stalePersona(cur)
		}
		return v.insertRevision(ctx, tx, p, rev)
	})
}

func stalePersona(cur int) error {
	return &persona.Error{Code: persona.CodePreconditionFailed, Current: cur,
		Message: "a persona was changed meanwhile, so nothing was moved; try again"}
}
