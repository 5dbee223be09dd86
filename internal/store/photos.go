package store

import (
	"context"
	"database/sql"

	"github.com/personapal/personapal/internal/persona"
)

// Persona photos (and image fields' pictures): every size of a picture is
// a row of persona_photos, keyed by the organisation, the persona, the
// image ("photo" or an image ID) and the size. Every statement names the
// organisation; the foreign key to personas (org_id, id) means a row can
// only be written for a persona of that organisation, and purging the
// persona deletes its pictures.

// PutPersonaImage replaces every stored size of one of a persona's images
// with files (their PersonaID and Image are taken from the arguments), in
// one transaction.
func (s *DB) PutPersonaImage(ctx context.Context, orgID, personaID, image string, files []persona.PhotoFile) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := s.exec(ctx, tx, `DELETE FROM persona_photos WHERE org_id = $1 AND persona_id = $2 AND image = $3`,
			orgID, personaID, image); err != nil {
			return err
		}
		for _, f := range files {
			if _, err := s.exec(ctx, tx, `INSERT INTO persona_photos (org_id, persona_id, image, size, content_type, data,
				sha256, updated_at, uploaded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
				orgID, personaID, image, f.Size, f.ContentType, f.Data, f.SHA256, ts(f.UpdatedAt), f.UploadedBy); err != nil {
				return withMessage(err, persona.CodeInvalid, "the persona does not exist in this organisation")
			}
		}
		return nil
	})
}

// GetPersonaImage returns one size of one of a persona's images;
// not-found when there is none.
func (s *DB) GetPersonaImage(ctx context.Context, orgID, personaID, image string, size int) (persona.PhotoFile, error) {
	f := persona.PhotoFile{PersonaID: personaID, Image: image, Size: size}
	err := s.q().QueryRowContext(ctx, `SELECT content_type, data, sha256, updated_at, uploaded_by FROM persona_photos
		WHERE org_id = $1 AND persona_id = $2 AND image = $3 AND size = $4`, orgID, personaID, image, size).
		Scan(&f.ContentType, &f.Data, &f.SHA256, timeCol{&f.UpdatedAt}, &f.UploadedBy)
	if err != nil {
		return persona.PhotoFile{}, noRows(err, "photo")
	}
	return f, nil
}

// DeletePersonaImage deletes every size of one of a persona's images;
// not-found when there was none.
func (s *DB) DeletePersonaImage(ctx context.Context, orgID, personaID, image string) error {
	return s.execOne(ctx, s.q(), "photo", `DELETE FROM persona_photos WHERE org_id = $1 AND persona_id = $2 AND image = $3`,
		orgID, personaID, image)
}

// PersonaPhotoVersions maps the organisation's live personas that have a
// photo to its version (the least SHA-256 of its sizes: it changes with
// the photo, for addresses that do).
func (s *DB) PersonaPhotoVersions(ctx context.Context, orgID string) (map[string]string, error) {
	rows, err := s.q().QueryContext(ctx, `SELECT f.persona_id, MIN(f.sha256) FROM persona_photos f
		JOIN personas p ON p.org_id = f.org_id AND p.id = f.persona_id AND p.deleted_at IS NULL
		WHERE f.org_id = $1 AND f.image = $2 GROUP BY f.persona_id`, orgID, persona.PhotoImage)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, sum string
		if err := rows.Scan(&id, &sum); err != nil {
			return nil, err
		}
		out[id] = sum
	}
	return out, rows.Err()
}
