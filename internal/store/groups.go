package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/personapal/personapal/internal/persona"
)

// groupSelect reads groups with their live persona counts.
const groupSelect = `SELECT g.id, g.org_id, g.name, g.description, g.position, g.created_at, g.updated_at,
	(SELECT COUNT(*) FROM personas p WHERE p.org_id = g.org_id AND p.group_id = g.id AND p.deleted_at IS NULL)
	FROM persona_groups g`

func scanGroup(row interface{ Scan(...any) error }) (persona.Group, error) {
	var g persona.Group
	err := row.Scan(&g.ID, &g.OrgID, &g.Name, &g.Description, &g.Position, timeCol{&g.CreatedAt}, timeCol{&g.UpdatedAt}, &g.PersonaCount)
	return g, err
}

// CreateGroup inserts a group at its position (NextGroupPosition: last).
func (s *DB) CreateGroup(ctx context.Context, g persona.Group) error {
	_, err := s.exec(ctx, s.q(), `INSERT INTO persona_groups (org_id, id, name, description, position, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, g.OrgID, g.ID, g.Name, g.Description, g.Position, ts(g.CreatedAt), ts(g.UpdatedAt))
	err = withMessage(err, persona.CodeConflict, "a group with this ID already exists")
	return withMessage(err, persona.CodeInvalid, "organisation not found")
}

// GetGroup returns a group with its live persona count.
func (s *DB) GetGroup(ctx context.Context, orgID, id string) (persona.Group, error) {
	g, err := scanGroup(s.q().QueryRowContext(ctx, groupSelect+` WHERE g.org_id = $1 AND g.id = $2`, orgID, id))
	return g, noRows(err, "group")
}

// ListGroups lists an organisation's groups in their order (position,
// then name).
func (s *DB) ListGroups(ctx context.Context, orgID string) ([]persona.Group, error) {
	rows, err := s.q().QueryContext(ctx, groupSelect+` WHERE g.org_id = $1 ORDER BY g.position, g.name, g.id`, orgID)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanGroup)
}

// GroupExists reports whether the organisation has the group, without
// counting its personas as GetGroup does (writes check it every time).
func (s *DB) GroupExists(ctx context.Context, orgID, id string) (bool, error) {
	var one int
	err := s.q().QueryRowContext(ctx, `SELECT 1 FROM persona_groups WHERE org_id = $1 AND id = $2`, orgID, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// GroupNames maps the organisation's group IDs to their names (pages that
// only label personas with their group need no counts).
func (s *DB) GroupNames(ctx context.Context, orgID string) (map[string]string, error) {
	return s.names(ctx, `SELECT id, name FROM persona_groups WHERE org_id = $1`, orgID)
}

// names reads id → name pairs.
func (s *DB) names(ctx context.Context, query, orgID string) (map[string]string, error) {
	rows, err := s.q().QueryContext(ctx, query, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[string]string{}
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		m[id] = name
	}
	return m, rows.Err()
}

// UpdateGroup writes a group's name, description and updated_at.
func (s *DB) UpdateGroup(ctx context.Context, g persona.Group) error {
	return s.execOne(ctx, s.q(), "group", `UPDATE persona_groups SET name = $3, description = $4, updated_at = $5
		WHERE org_id = $1 AND id = $2`, g.OrgID, g.ID, g.Name, g.Description, ts(g.UpdatedAt))
}

// DeleteGroup deletes a group; conflict while any persona, trashed ones
// included, belongs to it.
func (s *DB) DeleteGroup(ctx context.Context, orgID, id string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM personas WHERE org_id = $1 AND group_id = $2`, orgID, id).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return groupInUse(n)
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM persona_groups WHERE org_id = $1 AND id = $2`, orgID, id)
		if s.d.errKind(err) == errForeignKey {
			// A persona was added meanwhile (PostgreSQL, READ COMMITTED).
			return groupInUse(1)
		} else if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return notFound("group")
		}
		return nil
	})
}

func groupInUse(n int) *persona.Error {
	if n == 1 {
		return persona.Errorf(persona.CodeConflict, "the group still holds 1 persona (counting the trash); move it first")
	}
	return persona.Errorf(persona.CodeConflict, "the group still holds %d personas (counting the trash); move them first", n)
}
