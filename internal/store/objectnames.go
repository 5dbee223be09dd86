package store

import (
	"context"
	"strings"

	"github.com/personapal/personapal/internal/persona"
)

// objectNameQueries read what objects of each kind are called, within one
// organisation ($1), for the IDs of an IN list: id, name, a second name
// part (a variant's customer) and whether the object is in the trash.
var objectNameQueries = map[string]string{
	"persona": `SELECT id, name, '', deleted_at IS NOT NULL FROM personas WHERE org_id = $1 AND id IN (%s)`,
	"variant": `SELECT v.id, p.name, COALESCE(c.name, v.customer_label), v.deleted_at IS NOT NULL
		FROM variants v JOIN personas p ON p.org_id = v.org_id AND p.id = v.persona_id
		LEFT JOIN personas c ON c.org_id = v.org_id AND c.id = v.customer_id
		WHERE v.org_id = $1 AND v.id IN (%s)`,
	"template":   `SELECT id, name, '', FALSE FROM templates WHERE org_id = $1 AND id IN (%s)`,
	"group":      `SELECT id, name, '', FALSE FROM persona_groups WHERE org_id = $1 AND id IN (%s)`,
	"evidence":   `SELECT id, title, '', FALSE FROM evidence WHERE org_id = $1 AND id IN (%s)`,
	"launchpad":  `SELECT id, name, '', FALSE FROM launchpads WHERE org_id = $1 AND id IN (%s)`,
	"invitation": `SELECT id, email, '', FALSE FROM invitations WHERE org_id = $1 AND id IN (%s)`,
	// A member is named by e-mail while they belong to the organisation.
	"member": `SELECT u.id, u.email, '', FALSE FROM users u JOIN memberships m ON m.user_id = u.id AND m.org_id = $1 WHERE u.id IN (%s)`,
}

const objectNamesChunk = 500

// ObjectNames maps the IDs of objects of one kind in the organisation to
// what they are called now; an ID of another organisation, of a deleted
// object or of a kind without names is absent. One query per 500 IDs.
func (s *DB) ObjectNames(ctx context.Context, orgID, kind string, ids []string) (map[string]persona.ObjectName, error) {
	out := map[string]persona.ObjectName{}
	query, ok := objectNameQueries[kind]
	if !ok || len(ids) == 0 {
		return out, nil
	}
	for start := 0; start < len(ids); start += objectNamesChunk {
		chunk := ids[start:min(start+objectNamesChunk, len(ids))]
		args := make([]any, 0, len(chunk)+1)
		args = append(args, orgID)
		marks := make([]string, len(chunk))
		for i, id := range chunk {
			args = append(args, id)
			marks[i] = ph(i + 2)
		}
		rows, err := s.q().QueryContext(ctx, strings.Replace(query, "%s", strings.Join(marks, ", "), 1), args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id string
			var n persona.ObjectName
			if err := rows.Scan(&id, &n.Name, &n.Customer, &n.Trashed); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = n
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
