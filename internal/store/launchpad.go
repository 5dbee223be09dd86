package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/personapal/personapal/internal/persona"
)

// The catalogue and saved Launchpads. The catalogue is written whole, as
// one compare-and-swap on its revision: item rules refer to each other
// (dependencies, needed modules), so the app validates the whole catalogue
// and the store makes sure nobody changed it in between.

// GetCatalogue returns the organisation's catalogue; an organisation that
// never saved one has an empty catalogue at revision 0.
func (s *DB) GetCatalogue(ctx context.Context, orgID string) (persona.Catalogue, error) {
	c := persona.Catalogue{Modules: []persona.Module{}, Packs: []persona.ContentPack{}, Dashboards: []persona.DashboardTemplate{}}
	err := s.q().QueryRowContext(ctx, `SELECT revision, updated_at, updated_by FROM catalogues WHERE org_id = $1`, orgID).
		Scan(&c.Revision, timeCol{&c.UpdatedAt}, &c.UpdatedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return c, nil
	}
	if err != nil {
		return c, err
	}
	rows, err := s.q().QueryContext(ctx, `SELECT kind, content FROM catalogue_items WHERE org_id = $1 ORDER BY position, id`, orgID)
	if err != nil {
		return c, err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			kind    string
			content []byte
		)
		if err := rows.Scan(&kind, &content); err != nil {
			return c, err
		}
		switch persona.ItemKind(kind) {
		case persona.ItemModule:
			var m persona.Module
			if err := (jsonCol{&m}).Scan(content); err != nil {
				return c, err
			}
			canonicalRules(m.Rules)
			c.Modules = append(c.Modules, m)
		case persona.ItemPack:
			var p persona.ContentPack
			if err := (jsonCol{&p}).Scan(content); err != nil {
				return c, err
			}
			canonicalRules(p.Rules)
			c.Packs = append(c.Packs, p)
		case persona.ItemDashboard:
			var d persona.DashboardTemplate
			if err := (jsonCol{&d}).Scan(content); err != nil {
				return c, err
			}
			canonicalRules(d.Rules)
			c.Dashboards = append(c.Dashboards, d)
		}
	}
	return c, rows.Err()
}

// canonicalRules gives condition values their canonical Go types after
// decoding: a list of strings is []string (JSON alone gives []any).
func canonicalRules(rules []persona.Rule) {
	for i := range rules {
		for j := range rules[i].Conditions {
			rules[i].Conditions[j].Value = canonicalValue(rules[i].Conditions[j].Value)
		}
	}
}

// SaveCatalogue replaces the organisation's catalogue with c, written as
// revision c.Revision, when the stored revision is still expect (0: no
// catalogue yet); otherwise precondition-failed with the current revision,
// and nothing is written.
func (s *DB) SaveCatalogue(ctx context.Context, orgID string, c persona.Catalogue, expect int) error {
	items, err := catalogueRows(c)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error { return s.saveCatalogue(ctx, tx, orgID, c, expect, items) })
}

type catalogueRow struct {
	kind    persona.ItemKind
	key     string
	content string
}

// catalogueRows encodes a catalogue's items in order.
func catalogueRows(c persona.Catalogue) ([]catalogueRow, error) {
	var items []catalogueRow
	add := func(kind persona.ItemKind, key string, v any) error {
		text, err := jsonText(v)
		items = append(items, catalogueRow{kind, key, text})
		return err
	}
	for _, m := range c.Modules {
		if err := add(persona.ItemModule, m.Key, m); err != nil {
			return nil, err
		}
	}
	for _, p := range c.Packs {
		if err := add(persona.ItemPack, p.Key, p); err != nil {
			return nil, err
		}
	}
	for _, d := range c.Dashboards {
		if err := add(persona.ItemDashboard, d.Key, d); err != nil {
			return nil, err
		}
	}
	return items, nil
}

// saveCatalogue is SaveCatalogue inside tx.
func (s *DB) saveCatalogue(ctx context.Context, tx *sql.Tx, orgID string, c persona.Catalogue, expect int, items []catalogueRow) error {
	{
		var cur int
		err := tx.QueryRowContext(ctx, `SELECT revision FROM catalogues WHERE org_id = $1`, orgID).Scan(&cur)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			cur = 0
		case err != nil:
			return s.d.mapErr(err)
		}
		if cur != expect {
			return catalogueChanged(cur)
		}
		if cur == 0 {
			_, err = s.exec(ctx, tx, `INSERT INTO catalogues (org_id, revision, updated_at, updated_by) VALUES ($1, $2, $3, $4)`,
				orgID, c.Revision, ts(c.UpdatedAt), c.UpdatedBy)
			switch persona.ErrorCode(err) {
			case persona.CodeConflict: // saved concurrently
				return catalogueChanged(1)
			case persona.CodeInvalid:
				return notFound("organisation")
			}
			if err != nil {
				return err
			}
		} else {
			res, err := s.exec(ctx, tx, `UPDATE catalogues SET revision = $2, updated_at = $3, updated_by = $4
				WHERE org_id = $1 AND revision = $5`, orgID, c.Revision, ts(c.UpdatedAt), c.UpdatedBy, expect)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 0 {
				return catalogueChanged(cur + 1)
			}
		}
		if _, err := s.exec(ctx, tx, `DELETE FROM catalogue_items WHERE org_id = $1`, orgID); err != nil {
			return err
		}
		for i, it := range items {
			if _, err := s.exec(ctx, tx, `INSERT INTO catalogue_items (org_id, id, kind, position, content) VALUES ($1, $2, $3, $4, $5)`,
				orgID, it.key, string(it.kind), i, it.content); err != nil {
				return withMessage(err, persona.CodeConflict, fmt.Sprintf("the key %q is used twice", it.key))
			}
		}
		return nil
	}
}

func catalogueChanged(cur int) error {
	return &persona.Error{Code: persona.CodePreconditionFailed, Current: cur,
		Message: fmt.Sprintf("the catalogue was changed meanwhile; current revision is %d", cur)}
}

const launchpadCols = `org_id, id, content, revision, created_at, created_by, updated_at, updated_by`

func scanLaunchpad(row interface{ Scan(...any) error }) (persona.Launchpad, error) {
	var (
		l       persona.Launchpad
		content []byte
	)
	if err := row.Scan(&l.OrgID, &l.ID, &content, &l.Revision, timeCol{&l.CreatedAt}, &l.CreatedBy, timeCol{&l.UpdatedAt}, &l.UpdatedBy); err != nil {
		return l, err
	}
	err := (jsonCol{&l.LaunchpadContent}).Scan(content)
	return l, err
}

// CreateLaunchpad inserts a Launchpad and its first revision.
func (s *DB) CreateLaunchpad(ctx context.Context, l persona.Launchpad, rev persona.LaunchpadRevision) error {
	content, err := jsonText(l.LaunchpadContent)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error { return s.insertLaunchpad(ctx, tx, l, content, rev) })
}

// insertLaunchpad writes a Launchpad and its revision inside tx.
func (s *DB) insertLaunchpad(ctx context.Context, tx *sql.Tx, l persona.Launchpad, content string, rev persona.LaunchpadRevision) error {
	{
		_, err := s.exec(ctx, tx, `INSERT INTO launchpads (org_id, id, archetype_id, name, content, revision, created_at, created_by, updated_at, updated_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			l.OrgID, l.ID, l.ArchetypeID, l.Name, content, l.Revision, ts(l.CreatedAt), l.CreatedBy, ts(l.UpdatedAt), l.UpdatedBy)
		switch persona.ErrorCode(err) {
		case persona.CodeConflict:
			return persona.Errorf(persona.CodeConflict, "a Launchpad with this ID already exists")
		case persona.CodeInvalid:
			return notFound("organisation")
		}
		if err != nil {
			return err
		}
		return s.insertLaunchpadRevision(ctx, tx, l, rev)
	}
}

func (s *DB) insertLaunchpadRevision(ctx context.Context, tx *sql.Tx, l persona.Launchpad, rev persona.LaunchpadRevision) error {
	content, err := jsonText(rev.Content)
	if err != nil {
		return err
	}
	_, err = s.exec(ctx, tx, `INSERT INTO launchpad_revisions (org_id, launchpad_id, number, author_id, message, created_at, content)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, l.OrgID, l.ID, l.Revision, rev.AuthorID, rev.Message, ts(rev.CreatedAt), content)
	return withMessage(err, persona.CodeConflict, fmt.Sprintf("revision %d already exists", l.Revision))
}

// GetLaunchpad returns a saved Launchpad.
func (s *DB) GetLaunchpad(ctx context.Context, orgID, id string) (persona.Launchpad, error) {
	l, err := scanLaunchpad(s.q().QueryRowContext(ctx, `SELECT `+launchpadCols+` FROM launchpads WHERE org_id = $1 AND id = $2`, orgID, id))
	return l, noRows(err, "Launchpad")
}

// ListLaunchpads lists saved Launchpads, most recently updated first; with
// an archetypeID, only those for that archetype.
func (s *DB) ListLaunchpads(ctx context.Context, orgID, archetypeID string) ([]persona.Launchpad, error) {
	q, args := `SELECT `+launchpadCols+` FROM launchpads WHERE org_id = $1`, []any{orgID}
	if archetypeID != "" {
		q += ` AND archetype_id = $2`
		args = append(args, archetypeID)
	}
	rows, err := s.q().QueryContext(ctx, q+` ORDER BY updated_at DESC, id`, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanLaunchpad)
}

// UpdateLaunchpad writes l as revision l.Revision when the stored revision
// is still l.Revision-1; otherwise precondition-failed with the current
// one, and nothing is written.
func (s *DB) UpdateLaunchpad(ctx context.Context, l persona.Launchpad, rev persona.LaunchpadRevision) error {
	content, err := jsonText(l.LaunchpadContent)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := s.exec(ctx, tx, `UPDATE launchpads SET archetype_id = $3, name = $4, content = $5, revision = $6, updated_at = $7, updated_by = $8
			WHERE org_id = $1 AND id = $2 AND revision = $9`,
			l.OrgID, l.ID, l.ArchetypeID, l.Name, content, l.Revision, ts(l.UpdatedAt), l.UpdatedBy, l.Revision-1)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 {
			var cur int
			if err := tx.QueryRowContext(ctx, `SELECT revision FROM launchpads WHERE org_id = $1 AND id = $2`, l.OrgID, l.ID).Scan(&cur); err != nil {
				return noRows(err, "Launchpad")
			}
			return &persona.Error{Code: persona.CodePreconditionFailed, Current: cur,
				Message: fmt.Sprintf("the Launchpad was changed meanwhile; current revision is %d", cur)}
		}
		return s.insertLaunchpadRevision(ctx, tx, l, rev)
	})
}

// DeleteLaunchpad deletes a Launchpad and its revisions.
func (s *DB) DeleteLaunchpad(ctx context.Context, orgID, id string) error {
	return s.execOne(ctx, s.q(), "Launchpad", `DELETE FROM launchpads WHERE org_id = $1 AND id = $2`, orgID, id)
}

// ListLaunchpadRevisions lists a Launchpad's revisions, newest first.
func (s *DB) ListLaunchpadRevisions(ctx context.Context, orgID, launchpadID string) ([]persona.LaunchpadRevision, error) {
	rows, err := s.q().QueryContext(ctx, `SELECT org_id, launchpad_id, number, author_id, message, created_at, content
		FROM launchpad_revisions WHERE org_id = $1 AND launchpad_id = $2 ORDER BY number DESC`, orgID, launchpadID)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanLaunchpadRevision)
}

// GetLaunchpadRevision returns one revision of a Launchpad.
func (s *DB) GetLaunchpadRevision(ctx context.Context, orgID, launchpadID string, number int) (persona.LaunchpadRevision, error) {
	r, err := scanLaunchpadRevision(s.q().QueryRowContext(ctx, `SELECT org_id, launchpad_id, number, author_id, message, created_at, content
		FROM launchpad_revisions WHERE org_id = $1 AND launchpad_id = $2 AND number = $3`, orgID, launchpadID, number))
	return r, noRows(err, "revision")
}

func scanLaunchpadRevision(row interface{ Scan(...any) error }) (persona.LaunchpadRevision, error) {
	var (
		r       persona.LaunchpadRevision
		content []byte
	)
	if err := row.Scan(&r.OrgID, &r.LaunchpadID, &r.Number, &r.AuthorID, &r.Message, timeCol{&r.CreatedAt}, &content); err != nil {
		return r, err
	}
	err := (jsonCol{&r.Content}).Scan(content)
	return r, err
}
