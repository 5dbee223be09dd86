package store

import (
	"context"
	"database/sql"
)

// PersonaExternalIDs maps the external ID of every live persona of the
// organisation to the persona's ID.
func (s *DB) PersonaExternalIDs(ctx context.Context, orgID string) (map[string]string, error) {
	rows, err := s.q().QueryContext(ctx, `SELECT x.external_id, x.persona_id FROM persona_external_ids x
		JOIN personas p ON p.org_id = x.org_id AND p.id = x.persona_id
		WHERE x.org_id = $1 AND p.deleted_at IS NULL`, orgID)
	if err != nil {
		return nil, s.d.mapErr(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var ext, id string
		if err := rows.Scan(&ext, &id); err != nil {
			return nil, s.d.mapErr(err)
		}
		out[ext] = id
	}
	return out, s.d.mapErr(rows.Err())
}

// SetPersonaExternalID records ext as the persona's external ID: the
// persona's former one and another (trashed) persona's claim on ext go.
func (s *DB) SetPersonaExternalID(ctx context.Context, orgID, personaID, ext string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := s.exec(ctx, tx, `DELETE FROM persona_external_ids WHERE org_id = $1 AND (persona_id = $2 OR external_id = $3)`,
			orgID, personaID, ext); err != nil {
			return s.d.mapErr(err)
		}
		if _, err := s.exec(ctx, tx, `INSERT INTO persona_external_ids (org_id, external_id, persona_id) VALUES ($1, $2, $3)`,
			orgID, ext, personaID); err != nil {
			if s.d.errKind(err) == errForeignKey {
				return badReference()
			}
			return s.d.mapErr(err)
		}
		return nil
	})
}
