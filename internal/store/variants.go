package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

// Customer variants. A variant is live when neither it nor its persona is in
// the trash; every read of live variants joins the persona to say so.

const variantCols = `v.org_id, v.id, v.persona_id, v.content, v.revision, v.created_at, v.created_by,
	v.updated_at, v.updated_by, v.deleted_at, v.deleted_by`

const liveVariants = `SELECT ` + variantCols + ` FROM variants v
	JOIN personas p ON p.org_id = v.org_id AND p.id = v.persona_id AND p.deleted_at IS NULL`

func scanVariant(row interface{ Scan(...any) error }) (persona.Variant, error) {
	var (
		v       persona.Variant
		content []byte
	)
	err := row.Scan(&v.OrgID, &v.ID, &v.PersonaID, &content, &v.Revision, timeCol{&v.CreatedAt}, &v.CreatedBy,
		timeCol{&v.UpdatedAt}, &v.UpdatedBy, nullTimeCol{&v.DeletedAt}, &v.DeletedBy)
	if err != nil {
		return v, err
	}
	v.VariantContent, err = decodeVariantContent(content)
	return v, err
}

func decodeVariantContent(src []byte) (persona.VariantContent, error) {
	var c persona.VariantContent
	if err := (jsonCol{&c}).Scan(src); err != nil {
		return c, err
	}
	c.Values = objectValues(c.Values)
	c.Dimensions = objectValues(c.Dimensions)
	c.BaseAtOverride = canonicalValues(c.BaseAtOverride)
	return c, nil
}

// CreateVariant inserts a variant of a live persona, its first revision and
// its search entry (skipped when entry.Kind is empty).
func (s *DB) CreateVariant(ctx context.Context, v persona.Variant, rev persona.VariantRevision, entry persona.SearchEntry) error {
	content, err := jsonText(v.VariantContent)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.mustExistTx(ctx, tx, "persona", `SELECT 1 FROM personas WHERE org_id = $1 AND id = $2 AND deleted_at IS NULL`, v.OrgID, v.PersonaID); err != nil {
			return err
		}
		return s.insertVariant(ctx, tx, v, content, rev, entry)
	})
}

// insertVariant writes a variant, its revision and its search entry in tx.
func (s *DB) insertVariant(ctx context.Context, tx *sql.Tx, v persona.Variant, content string, rev persona.VariantRevision, entry persona.SearchEntry) error {
	{
		_, err := s.exec(ctx, tx, `INSERT INTO variants (org_id, id, persona_id, customer_id, customer_label, content, revision,
			created_at, created_by, updated_at, updated_by, deleted_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, '')`,
			v.OrgID, v.ID, v.PersonaID, nullStr(v.CustomerID), v.CustomerLabel, content, v.Revision,
			ts(v.CreatedAt), v.CreatedBy, ts(v.UpdatedAt), v.UpdatedBy)
		if err != nil {
			return withMessage(err, persona.CodeConflict, "a variant with this ID already exists")
		}
		if err := s.insertVariantRevision(ctx, tx, v, rev); err != nil {
			return err
		}
		return s.putEntry(ctx, tx, entry)
	}
}

func (s *DB) insertVariantRevision(ctx context.Context, tx *sql.Tx, v persona.Variant, rev persona.VariantRevision) error {
	content, err := jsonText(rev.Content)
	if err != nil {
		return err
	}
	_, err = s.exec(ctx, tx, `INSERT INTO variant_revisions (org_id, variant_id, number, author_id, message, created_at, content)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, v.OrgID, v.ID, v.Revision, rev.AuthorID, rev.Message, ts(rev.CreatedAt), content)
	return withMessage(err, persona.CodeConflict, fmt.Sprintf("revision %d already exists", v.Revision))
}

// GetVariant returns a live variant.
func (s *DB) GetVariant(ctx context.Context, orgID, id string) (persona.Variant, error) {
	v, err := scanVariant(s.q().QueryRowContext(ctx, liveVariants+`
		WHERE v.org_id = $1 AND v.id = $2 AND v.deleted_at IS NULL`, orgID, id))
	return v, noRows(err, "variant")
}

// ListVariants lists a persona's live variants by creation.
func (s *DB) ListVariants(ctx context.Context, orgID, personaID string) ([]persona.Variant, error) {
	rows, err := s.q().QueryContext(ctx, liveVariants+`
		WHERE v.org_id = $1 AND v.persona_id = $2 AND v.deleted_at IS NULL ORDER BY v.created_at, v.id`, orgID, personaID)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanVariant)
}

// ListVariantsForCustomer lists the live variants made for one customer
// archetype, across all personas, by creation.
func (s *DB) ListVariantsForCustomer(ctx context.Context, orgID, customerID string) ([]persona.Variant, error) {
	rows, err := s.q().QueryContext(ctx, liveVariants+`
		WHERE v.org_id = $1 AND v.customer_id = $2 AND v.deleted_at IS NULL ORDER BY v.created_at, v.id`, orgID, customerID)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanVariant)
}

// ListVariantsForLabel lists the live variants made for a customer label
// (case-insensitive), by creation.
func (s *DB) ListVariantsForLabel(ctx context.Context, orgID, label string) ([]persona.Variant, error) {
	rows, err := s.q().QueryContext(ctx, liveVariants+`
		WHERE v.org_id = $1 AND LOWER(v.customer_label) = LOWER($2) AND v.customer_label <> '' AND v.deleted_at IS NULL
		ORDER BY v.created_at, v.id`, orgID, label)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanVariant)
}

// UpdateVariant writes v as revision v.Revision (and its search entry) when
// the stored revision is still v.Revision-1; otherwise precondition-failed
// with the current one.
func (s *DB) UpdateVariant(ctx context.Context, v persona.Variant, rev persona.VariantRevision, entry persona.SearchEntry) error {
	content, err := jsonText(v.VariantContent)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE variants SET customer_id = $3, customer_label = $4, content = $5,
			revision = $6, updated_at = $7, updated_by = $8
			WHERE org_id = $1 AND id = $2 AND revision = $9 AND deleted_at IS NULL
			AND EXISTS (SELECT 1 FROM personas p WHERE p.org_id = variants.org_id AND p.id = variants.persona_id AND p.deleted_at IS NULL)`,
			v.OrgID, v.ID, nullStr(v.CustomerID), v.CustomerLabel, content, v.Revision, ts(v.UpdatedAt), v.UpdatedBy, v.Revision-1)
		if err != nil {
			return s.d.mapErr(err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 {
			var cur int
			err := tx.QueryRowContext(ctx, `SELECT v.revision FROM variants v
				JOIN personas p ON p.org_id = v.org_id AND p.id = v.persona_id AND p.deleted_at IS NULL
				WHERE v.org_id = $1 AND v.id = $2 AND v.deleted_at IS NULL`, v.OrgID, v.ID).Scan(&cur)
			if err != nil {
				return noRows(err, "variant")
			}
			return &persona.Error{Code: persona.CodePreconditionFailed, Current: cur,
				Message: fmt.Sprintf("variant was changed meanwhile; current revision is %d", cur)}
		}
		if err := s.insertVariantRevision(ctx, tx, v, rev); err != nil {
			return err
		}
		return s.putEntry(ctx, tx, entry)
	})
}

// TrashVariant moves a live variant to the trash.
func (s *DB) TrashVariant(ctx context.Context, orgID, id, by string, at time.Time) error {
	return s.execOne(ctx, s.q(), "variant", `UPDATE variants SET deleted_at = $3, deleted_by = $4
		WHERE org_id = $1 AND id = $2 AND deleted_at IS NULL
		AND EXISTS (SELECT 1 FROM personas p WHERE p.org_id = variants.org_id AND p.id = variants.persona_id AND p.deleted_at IS NULL)`,
		orgID, id, ts(at), by)
}

// RestoreVariant brings a trashed variant back (its persona must be live).
func (s *DB) RestoreVariant(ctx context.Context, orgID, id string) error {
	return s.execOne(ctx, s.q(), "variant", `UPDATE variants SET deleted_at = NULL, deleted_by = ''
		WHERE org_id = $1 AND id = $2 AND deleted_at IS NOT NULL
		AND EXISTS (SELECT 1 FROM personas p WHERE p.org_id = variants.org_id AND p.id = variants.persona_id AND p.deleted_at IS NULL)`,
		orgID, id)
}

// PurgeVariant deletes a trashed variant and its revisions for good.
func (s *DB) PurgeVariant(ctx context.Context, orgID, id string) error {
	return s.execOne(ctx, s.q(), "variant", `DELETE FROM variants WHERE org_id = $1 AND id = $2 AND deleted_at IS NOT NULL`, orgID, id)
}

// ListTrashedVariants lists variants in the trash whose persona is live,
// most recently trashed first.
func (s *DB) ListTrashedVariants(ctx context.Context, orgID string) ([]persona.Variant, error) {
	rows, err := s.q().QueryContext(ctx, liveVariants+`
		WHERE v.org_id = $1 AND v.deleted_at IS NOT NULL ORDER BY v.deleted_at DESC, v.id`, orgID)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanVariant)
}

// ListVariantRevisions lists a variant's revisions, newest first.
func (s *DB) ListVariantRevisions(ctx context.Context, orgID, variantID string) ([]persona.VariantRevision, error) {
	rows, err := s.q().QueryContext(ctx, `SELECT org_id, variant_id, number, author_id, message, created_at, content
		FROM variant_revisions WHERE org_id = $1 AND variant_id = $2 ORDER BY number DESC`, orgID, variantID)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanVariantRevision)
}

// GetVariantRevision returns one revision of a variant.
func (s *DB) GetVariantRevision(ctx context.Context, orgID, variantID string, number int) (persona.VariantRevision, error) {
	r, err := scanVariantRevision(s.q().QueryRowContext(ctx, `SELECT org_id, variant_id, number, author_id, message, created_at, content
		FROM variant_revisions WHERE org_id = $1 AND variant_id = $2 AND number = $3`, orgID, variantID, number))
	if errors.Is(err, sql.ErrNoRows) {
		return r, notFound("revision")
	}
	return r, err
}

func scanVariantRevision(row interface{ Scan(...any) error }) (persona.VariantRevision, error) {
	var (
		r       persona.VariantRevision
		content []byte
	)
	if err := row.Scan(&r.OrgID, &r.VariantID, &r.Number, &r.AuthorID, &r.Message, timeCol{&r.CreatedAt}, &content); err != nil {
		return r, err
	}
	c, err := decodeVariantContent(content)
	r.Content = c
	return r, err
}

// mustExistTx is mustExist inside a transaction.
func (s *DB) mustExistTx(ctx context.Context, tx *sql.Tx, what, query string, args ...any) error {
	var one int
	return noRows(tx.QueryRowContext(ctx, query, args...).Scan(&one), what)
}
