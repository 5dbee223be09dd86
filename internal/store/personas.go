package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

// Listing limits. ListPersonas honours a limit up to maxListLimit, one more
// than the app's largest page, because the app asks for a page plus one row
// to learn whether a next page exists.
const (
	defaultListLimit   = 50
	maxListLimit       = 201
	defaultSearchLimit = 20
	maxSearchLimit     = 100
	maxSearchTerms     = 16
	getPersonasChunk   = 500
)

const personaCols = `p.org_id, p.id, p.template_id, p.template_version, p.profile_type, p.group_id, p.name, p.summary,
	p.status, p.owner_id, p.field_values, p.dimensions, p.retired, p.last_reviewed_on, p.review_interval_days,
	p.revision, p.created_at, p.created_by, p.updated_at, p.updated_by, p.deleted_at, p.deleted_by`

const personaSelect = `SELECT ` + personaCols + ` FROM personas p`

// personaHeadSelect is personaSelect without the personas' content: NULL
// where the values, dimensions and retired values are (read as empty maps
// and nil), for listings that need names, owners and review dates of every
// persona of an organisation without decoding its JSON.
var personaHeadSelect = func() string {
	const content = `p.field_values, p.dimensions, p.retired`
	if !strings.Contains(personaCols, content) {
		panic("store: personaCols changed; personaHeadSelect no longer leaves out the content")
	}
	return `SELECT ` + strings.Replace(personaCols, content, `NULL, NULL, NULL`, 1) + ` FROM personas p`
}()

func scanPersona(row interface{ Scan(...any) error }) (persona.Persona, error) {
	var p persona.Persona
	err := row.Scan(&p.OrgID, &p.ID, &p.TemplateID, &p.TemplateVersion, &p.ProfileType, strCol{&p.GroupID},
		&p.Name, &p.Summary, &p.Status, strCol{&p.OwnerID}, valuesCol{&p.Values}, valuesCol{&p.Dimensions},
		optionalValuesCol{&p.Retired}, strCol{&p.LastReviewedOn}, &p.ReviewIntervalDays, &p.Revision,
		timeCol{&p.CreatedAt}, &p.CreatedBy, timeCol{&p.UpdatedAt}, &p.UpdatedBy, nullTimeCol{&p.DeletedAt}, &p.DeletedBy)
	return p, err
}

// personaJSON holds a persona's JSON columns, encoded.
type personaJSON struct{ values, dimensions, retired string }

func encodePersonaJSON(c persona.Content) (personaJSON, error) {
	var (
		j   personaJSON
		err error
	)
	if j.values, err = valuesText(c.Values); err != nil {
		return j, err
	}
	if j.dimensions, err = valuesText(c.Dimensions); err != nil {
		return j, err
	}
	j.retired, err = valuesText(c.Retired)
	return j, err
}

// badReference is the error for a persona whose group or template version
// is not in its organisation (a foreign-key violation).
func badReference() error {
	return &persona.Error{Code: persona.CodeInvalid, Message: "invalid persona: the group and the template version must exist in this organisation",
		Fields: []persona.FieldError{
			{Field: "group_id", Message: "must be a group of this organisation"},
			{Field: "template_version", Message: "must be a published version of the persona's template"},
		}}
}

// CreatePersona inserts p and its first revision rev in one transaction.
func (s *DB) CreatePersona(ctx context.Context, p persona.Persona, rev persona.Revision, searchText string) error {
	return s.write(ctx, func(v *DB) error { return v.insertPersona(ctx, v.tx, p, rev, searchText) })
}

// insertPersona writes p and its revision rev inside tx.
func (s *DB) insertPersona(ctx context.Context, tx *sql.Tx, p persona.Persona, rev persona.Revision, searchText string) error {
	j, err := encodePersonaJSON(p.Content)
	if err != nil {
		return err
	}
	vector := s.personaVector(24, p.Name, p.Summary, searchText)
	_, err = txQuerier{tx: tx, p: s.db}.ExecContext(ctx, `INSERT INTO personas (org_id, id, template_id, template_version, profile_type,
		group_id, name, summary, status, owner_id, field_values, dimensions, retired, last_reviewed_on,
		review_interval_days, search_text, revision, created_at, created_by, updated_at, updated_by, deleted_at, deleted_by`+vector.col+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23`+vector.value+`)`,
		append([]any{p.OrgID, p.ID, p.TemplateID, p.TemplateVersion, string(p.ProfileType),
			nullStr(p.GroupID), p.Name, p.Summary, string(p.Status), nullStr(p.OwnerID), j.values, j.dimensions, j.retired,
			nullStr(p.LastReviewedOn), p.ReviewIntervalDays, searchText, p.Revision,
			ts(p.CreatedAt), p.CreatedBy, ts(p.UpdatedAt), p.UpdatedBy, nullTS(p.DeletedAt), p.DeletedBy}, vector.args...)...)
	switch s.d.errKind(err) {
	case errUnique:
		return persona.Errorf(persona.CodeConflict, "a persona with this ID already exists")
	case errForeignKey:
		return badReference()
	}
	if err != nil {
		return s.d.mapErr(err)
	}
	if err := s.indexPersona(ctx, tx, p.OrgID, p.ID, p.Name, p.Summary, searchText); err != nil {
		return err
	}
	return s.insertRevision(ctx, tx, p, rev)
}

// insertRevision writes rev as revision p.Revision of p: a snapshot or the
// delta from the revision before it, read in tx (revisions.go).
func (s *DB) insertRevision(ctx context.Context, tx *sql.Tx, p persona.Persona, rev persona.Revision) error {
	var (
		prev     persona.Content
		prevSize int
		found    bool
		err      error
	)
	if p.Revision > 1 && (p.Revision-1)%snapshotEvery != 0 {
		prev, prevSize, found, err = s.revisionBefore(ctx, txQuerier{tx: tx, p: s.db}, p.OrgID, p.ID, p.Revision-1)
		if err != nil {
			return err
		}
	}
	e, err := encodeRevision(p.Revision, rev.Content, prev, prevSize, found)
	if err != nil {
		return err
	}
	_, err = s.exec(ctx, tx, `INSERT INTO persona_revisions (org_id, persona_id, number, author_id, message, created_at, content, content_kind, content_packed)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, p.OrgID, p.ID, p.Revision, rev.AuthorID, rev.Message, ts(rev.CreatedAt),
		e.content, e.kind, e.packed)
	if err != nil {
		return withMessage(err, persona.CodeConflict, fmt.Sprintf("revision %d already exists", p.Revision))
	}
	s.rememberRevision(p, rev, e, prevSize)
	return nil
}

// GetPersona returns a live persona.
func (s *DB) GetPersona(ctx context.Context, orgID, id string) (persona.Persona, error) {
	p, err := scanPersona(s.q().QueryRowContext(ctx, personaSelect+`
		WHERE p.org_id = $1 AND p.id = $2 AND p.deleted_at IS NULL`, orgID, id))
	return p, noRows(err, "persona")
}

// GetTrashedPersona returns a persona that is in the trash.
func (s *DB) GetTrashedPersona(ctx context.Context, orgID, id string) (persona.Persona, error) {
	p, err := scanPersona(s.q().QueryRowContext(ctx, personaSelect+`
		WHERE p.org_id = $1 AND p.id = $2 AND p.deleted_at IS NOT NULL AND p.merged_into IS NULL`, orgID, id))
	return p, noRows(err, "persona")
}

// GetPersonas returns the live personas with the given IDs in that order,
// skipping IDs that do not exist.
func (s *DB) GetPersonas(ctx context.Context, orgID string, ids []string) ([]persona.Persona, error) {
	found := make(map[string]persona.Persona, len(ids))
	for start := 0; start < len(ids); start += getPersonasChunk {
		chunk := ids[start:min(start+getPersonasChunk, len(ids))]
		args := make([]any, 0, len(chunk)+1)
		args = append(args, orgID)
		marks := make([]string, len(chunk))
		for i, id := range chunk {
			args = append(args, id)
			marks[i] = ph(i + 2)
		}
		rows, err := s.q().QueryContext(ctx, personaSelect+`
			WHERE p.org_id = $1 AND p.deleted_at IS NULL AND p.id IN (`+strings.Join(marks, ", ")+`)`, args...)
		if err != nil {
			return nil, err
		}
		ps, err := collect(rows, scanPersona)
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			found[p.ID] = p
		}
	}
	out := make([]persona.Persona, 0, len(found))
	for _, id := range ids {
		if p, ok := found[id]; ok {
			out = append(out, p)
		}
	}
	return out, nil
}

// ListPersonas lists live personas by ID (keyset: IDs after f.After).
func (s *DB) ListPersonas(ctx context.Context, orgID string, f persona.PersonaFilter) ([]persona.Persona, error) {
	query, args := listPersonasSQL(personaSelect, orgID, f)
	rows, err := s.q().QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanPersona)
}

// ListPersonaHeads is ListPersonas without the personas' content: their
// values and dimensions are empty and their retired values nil.
func (s *DB) ListPersonaHeads(ctx context.Context, orgID string, f persona.PersonaFilter) ([]persona.Persona, error) {
	query, args := listPersonasSQL(personaHeadSelect, orgID, f)
	rows, err := s.q().QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanPersona)
}

// listPersonasSQL is the statement of a persona listing that selects with
// sel (personaSelect or personaHeadSelect).
func listPersonasSQL(sel, orgID string, f persona.PersonaFilter) (string, []any) {
	var (
		where strings.Builder
		args  = []any{orgID}
	)
	add := func(cond string, v any) {
		args = append(args, v)
		where.WriteString(" AND " + cond + " = " + ph(len(args)))
	}
	if f.GroupID != "" {
		add("p.group_id", f.GroupID)
	}
	if f.ProfileType != "" {
		add("p.profile_type", string(f.ProfileType))
	}
	if f.TemplateID != "" {
		add("p.template_id", f.TemplateID)
	}
	if f.Status != "" {
		add("p.status", string(f.Status))
	}
	if f.After != "" {
		args = append(args, f.After)
		where.WriteString(" AND p.id > " + ph(len(args)))
	}
	limit := f.Limit
	if limit <= 0 {
		limit = defaultListLimit
	}
	limit = min(limit, maxListLimit)
	args = append(args, limit)
	return sel + `
		WHERE p.org_id = $1 AND p.deleted_at IS NULL` + where.String() + `
		ORDER BY p.id LIMIT ` + ph(len(args)), args
}

// UpdatePersona writes p as revision p.Revision, in one statement that only
// matches while the stored revision is p.Revision-1, and records rev in the
// same transaction. When the persona moved on meanwhile the error is
// precondition-failed with the current revision and nothing is written.
func (s *DB) UpdatePersona(ctx context.Context, p persona.Persona, rev persona.Revision, searchText string) error {
	j, err := encodePersonaJSON(p.Content)
	if err != nil {
		return err
	}
	return s.write(ctx, func(v *DB) error {
		tx := v.tx
		vector := s.personaVector(21, p.Name, p.Summary, searchText)
		res, err := txQuerier{tx: tx, p: s.db}.ExecContext(ctx, `UPDATE personas SET template_id = $3, template_version = $4, profile_type = $5,
			group_id = $6, name = $7, summary = $8, status = $9, owner_id = $10, field_values = $11, dimensions = $12,
			retired = $13, last_reviewed_on = $14, review_interval_days = $15, search_text = $16, revision = $17,
			updated_at = $18, updated_by = $19`+vector.set+`
			WHERE org_id = $1 AND id = $2 AND revision = $20 AND deleted_at IS NULL`,
			append([]any{p.OrgID, p.ID, p.TemplateID, p.TemplateVersion, string(p.ProfileType),
				nullStr(p.GroupID), p.Name, p.Summary, string(p.Status), nullStr(p.OwnerID), j.values, j.dimensions,
				j.retired, nullStr(p.LastReviewedOn), p.ReviewIntervalDays, searchText, p.Revision,
				ts(p.UpdatedAt), p.UpdatedBy, p.Revision - 1}, vector.args...)...)
		if s.d.errKind(err) == errForeignKey {
			return badReference()
		} else if err != nil {
			return s.d.mapErr(err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 {
			var cur int
			err := tx.QueryRowContext(ctx, `SELECT revision FROM personas WHERE org_id = $1 AND id = $2 AND deleted_at IS NULL`,
				p.OrgID, p.ID).Scan(&cur)
			if err != nil {
				return noRows(err, "persona")
			}
			return &persona.Error{Code: persona.CodePreconditionFailed, Current: cur,
				Message: fmt.Sprintf("persona was changed meanwhile; current revision is %d", cur)}
		}
		if err := s.indexPersona(ctx, tx, p.OrgID, p.ID, p.Name, p.Summary, searchText); err != nil {
			return err
		}
		return v.insertRevision(ctx, tx, p, rev)
	})
}

// TrashPersona moves a live persona to the trash.
func (s *DB) TrashPersona(ctx context.Context, orgID, id, by string, at time.Time) error {
	return s.execOne(ctx, s.q(), "persona", `UPDATE personas SET deleted_at = $3, deleted_by = $4
		WHERE org_id = $1 AND id = $2 AND deleted_at IS NULL`, orgID, id, ts(at), by)
}

// RestorePersona brings a persona back from the trash.
func (s *DB) RestorePersona(ctx context.Context, orgID, id string) error {
	return s.execOne(ctx, s.q(), "persona", `UPDATE personas SET deleted_at = NULL, deleted_by = ''
		WHERE org_id = $1 AND id = $2 AND deleted_at IS NOT NULL AND merged_into IS NULL`, orgID, id)
}

// PurgePersona deletes a trashed persona and its revisions for good;
// conflict when the persona is not in the trash.
func (s *DB) PurgePersona(ctx context.Context, orgID, id string) error {
	s.revs.forget(orgID, id)
	return s.inTx(ctx, func(tx *sql.Tx) error {
		err := s.execOne(ctx, tx, "persona", `DELETE FROM personas WHERE org_id = $1 AND id = $2 AND deleted_at IS NOT NULL AND merged_into IS NULL`, orgID, id)
		if persona.ErrorCode(err) != persona.CodeNotFound {
			return err
		}
		var one int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM personas WHERE org_id = $1 AND id = $2`, orgID, id).Scan(&one); err != nil {
			return noRows(err, "persona")
		}
		var merged bool
		if err := tx.QueryRowContext(ctx, `SELECT merged_into IS NOT NULL FROM personas WHERE org_id = $1 AND id = $2`, orgID, id).Scan(&merged); err != nil {
			return err
		}
		if merged {
			return persona.Errorf(persona.CodeConflict, "the persona was merged into another one; its history stays")
		}
		return persona.Errorf(persona.CodeConflict, "the persona is not in the trash; move it to the trash first")
	})
}

// ListTrash lists trashed personas, most recently trashed first.
func (s *DB) ListTrash(ctx context.Context, orgID string) ([]persona.Persona, error) {
	rows, err := s.q().QueryContext(ctx, personaSelect+`
		WHERE p.org_id = $1 AND p.deleted_at IS NOT NULL AND p.merged_into IS NULL ORDER BY p.deleted_at DESC, p.id`, orgID)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanPersona)
}

// ---- revisions ----

const revisionSelect = `SELECT r.org_id, r.persona_id, r.number, r.author_id, r.message, r.created_at, ` + revisionCols + `
	FROM persona_revisions r`

// ListRevisions lists a persona's revisions newest first; not-found when the
// persona does not exist (live or trashed). The revisions are read oldest
// first, each delta applied to the revision before it.
func (s *DB) ListRevisions(ctx context.Context, orgID, personaID string) ([]persona.Revision, error) {
	rows, err := s.q().QueryContext(ctx, revisionSelect+`
		WHERE r.org_id = $1 AND r.persona_id = $2 ORDER BY r.number`, orgID, personaID)
	if err != nil {
		return nil, err
	}
	var b rebuilder
	revs, err := collect(rows, func(row interface{ Scan(...any) error }) (persona.Revision, error) {
		var (
			r  persona.Revision
			st storedRevision
		)
		if err := row.Scan(append([]any{&r.OrgID, &r.PersonaID, &r.Number, &r.AuthorID, &r.Message, timeCol{&r.CreatedAt}},
			scanBody{&st}.targets()...)...); err != nil {
			return r, err
		}
		st.number = r.Number
		var err error
		r.Content, err = b.next(personaID, st)
		return r, err
	})
	if err != nil {
		return nil, err
	}
	if len(revs) > 0 {
		slices.Reverse(revs)
		return revs, nil
	}
	if err := s.mustExist(ctx, "persona", `SELECT 1 FROM personas WHERE org_id = $1 AND id = $2`, orgID, personaID); err != nil {
		return nil, err
	}
	return []persona.Revision{}, nil
}

// GetRevision returns one revision of a persona, rebuilt from the nearest
// snapshot at or before it.
func (s *DB) GetRevision(ctx context.Context, orgID, personaID string, number int) (persona.Revision, error) {
	r, found, err := revisionChain(ctx, s.q(), orgID, personaID, number)
	if err != nil {
		return persona.Revision{}, err
	}
	if !found {
		return persona.Revision{}, notFound("revision")
	}
	return r, nil
}

// ---- search ----

// SearchPersonas runs an organisation-scoped, ranked full-text search over
// live personas' name, summary and search text. Every term is a prefix and
// all must match. A query without terms returns no hits.
func (s *DB) SearchPersonas(ctx context.Context, orgID string, q persona.SearchQuery) ([]persona.SearchHit, error) {
	terms := searchTerms(q.Text)
	if len(terms) == 0 {
		return []persona.SearchHit{}, nil
	}
	if len(terms) > maxSearchTerms {
		terms = terms[:maxSearchTerms]
	}
	args := []any{orgID, s.d.matchQuery(orgID, terms)}
	var filters strings.Builder
	if q.ProfileType != "" {
		args = append(args, string(q.ProfileType))
		filters.WriteString(" AND p.profile_type = " + ph(len(args)))
	}
	if q.GroupID != "" {
		args = append(args, q.GroupID)
		filters.WriteString(" AND p.group_id = " + ph(len(args)))
	}
	limit := q.Limit
	if limit <= 0 {
		limit = defaultSearchLimit
	}
	args = append(args, min(limit, maxSearchLimit))
	rows, err := s.q().QueryContext(ctx, s.d.searchSQL(filters.String(), ph(len(args))), args...)
	if err != nil {
		return nil, err
	}
	hits, err := collect(rows, func(r interface{ Scan(...any) error }) (persona.SearchHit, error) {
		var (
			h             persona.SearchHit
			summary, text string
		)
		err := r.Scan(&h.PersonaID, &h.Name, &h.ProfileType, &h.GroupID, &h.Status, &summary, &text, &h.Rank)
		if err == nil {
			h.Snippet = persona.Snippet(terms, h.Name, summary, text)
		}
		return h, err
	})
	if hits == nil && err == nil {
		hits = []persona.SearchHit{}
	}
	return hits, err
}
