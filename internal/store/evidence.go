package store

import (
	"context"
	"database/sql"
	"strings"

	"github.com/personapal/personapal/internal/persona"
)

// The evidence library. Items live in evidence, a document's bytes in
// evidence_files (so every instance on one database serves the same
// files), tags once more in evidence_tags for filtering. Links to personas
// are visible only while their persona (and variant) is live: every read
// joins them, so the trash hides links and a restore brings them back, and
// the foreign keys delete them when a persona or variant is purged.

// liveLinkJoin restricts evidence_links l to links whose persona and
// variant are live.
const liveLinkJoin = ` JOIN personas p ON p.org_id = l.org_id AND p.id = l.persona_id AND p.deleted_at IS NULL
	LEFT JOIN variants v ON v.org_id = l.org_id AND v.id = l.variant_id`

const liveLinkWhere = ` AND (l.variant_id IS NULL OR v.deleted_at IS NULL)`

const evidenceSelect = `SELECT e.org_id, e.id, e.kind, e.title, e.source, COALESCE(e.collected_on, ''), e.tags, e.summary,
	e.url, e.quote, e.speaker, e.method, e.participants, e.file_name, e.content_type, e.file_size, e.file_sha256,
	e.created_at, e.created_by, COALESCE(u.name, ''), e.updated_at, e.updated_by,
	(SELECT COUNT(*) FROM evidence_links l` + liveLinkJoin + `
		WHERE l.org_id = e.org_id AND l.evidence_id = e.id` + liveLinkWhere + `)
	FROM evidence e
	LEFT JOIN users u ON u.id = e.created_by
	WHERE e.org_id = $1`

func scanEvidence(row interface{ Scan(...any) error }) (persona.Evidence, error) {
	var (
		e    persona.Evidence
		f    persona.EvidenceFile
		tags []string
	)
	err := row.Scan(&e.OrgID, &e.ID, &e.Kind, &e.Title, &e.Source, &e.CollectedOn, jsonCol{&tags}, &e.Summary,
		&e.URL, &e.Quote, &e.Speaker, &e.Method, &e.Participants, &f.Name, &f.ContentType, &f.Size, &f.SHA256,
		timeCol{&e.CreatedAt}, &e.CreatedBy, &e.CreatedByName, timeCol{&e.UpdatedAt}, &e.UpdatedBy, &e.LinkCount)
	if err != nil {
		return e, err
	}
	if tags == nil {
		tags = []string{}
	}
	e.Tags = tags
	if e.Kind == persona.EvidenceDocument {
		e.File = &f
	}
	return e, nil
}

// CreateEvidence inserts an item, its tags, its file (data, for a document)
// and its search entry (skipped when entry.Kind is empty), all at once.
func (s *DB) CreateEvidence(ctx context.Context, e persona.Evidence, data []byte, entry persona.SearchEntry) error {
	return s.inTx(ctx, func(tx *sql.Tx) error { return s.insertEvidence(ctx, tx, e, data, entry) })
}

// insertEvidence writes an item, its tags, its file and its search entry
// inside tx.
func (s *DB) insertEvidence(ctx context.Context, tx *sql.Tx, e persona.Evidence, data []byte, entry persona.SearchEntry) error {
	tags, err := jsonText(nonNilTags(e.Tags))
	if err != nil {
		return err
	}
	var f persona.EvidenceFile
	if e.File != nil {
		f = *e.File
	}
	_, err = s.exec(ctx, tx, `INSERT INTO evidence (org_id, id, kind, title, source, collected_on, tags, summary,
		url, quote, speaker, method, participants, file_name, content_type, file_size, file_sha256,
		created_at, created_by, updated_at, updated_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)`,
		e.OrgID, e.ID, string(e.Kind), e.Title, e.Source, nullStr(e.CollectedOn), tags, e.Summary,
		e.URL, e.Quote, e.Speaker, string(e.Method), e.Participants, f.Name, f.ContentType, f.Size, f.SHA256,
		ts(e.CreatedAt), e.CreatedBy, ts(e.UpdatedAt), e.UpdatedBy)
	if err != nil {
		return withMessage(err, persona.CodeConflict, "an evidence item with this ID already exists")
	}
	if err := s.putEvidenceTags(ctx, tx, e.OrgID, e.ID, e.Tags); err != nil {
		return err
	}
	if data != nil {
		if _, err := s.exec(ctx, tx, `INSERT INTO evidence_files (org_id, evidence_id, data) VALUES ($1, $2, $3)`,
			e.OrgID, e.ID, data); err != nil {
			return err
		}
	}
	return s.putEntry(ctx, tx, entry)
}

func nonNilTags(tags []string) []string {
	if tags == nil {
		return []string{}
	}
	return tags
}

// putEvidenceTags replaces an item's tag rows.
func (s *DB) putEvidenceTags(ctx context.Context, tx *sql.Tx, orgID, id string, tags []string) error {
	if _, err := s.exec(ctx, tx, `DELETE FROM evidence_tags WHERE org_id = $1 AND evidence_id = $2`, orgID, id); err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, t := range tags {
		if seen[t] {
			continue
		}
		seen[t] = true
		if _, err := s.exec(ctx, tx, `INSERT INTO evidence_tags (org_id, evidence_id, tag) VALUES ($1, $2, $3)`, orgID, id, t); err != nil {
			return err
		}
	}
	return nil
}

// GetEvidence returns one item of the organisation.
func (s *DB) GetEvidence(ctx context.Context, orgID, id string) (persona.Evidence, error) {
	e, err := scanEvidence(s.q().QueryRowContext(ctx, evidenceSelect+` AND e.id = $2`, orgID, id))
	return e, noRows(err, "evidence")
}

// ListEvidence lists the library newest first (IDs sort by creation), with
// optional kind and tag filters and a keyset cursor (Before).
func (s *DB) ListEvidence(ctx context.Context, orgID string, f persona.EvidenceFilter) ([]persona.Evidence, error) {
	var (
		where strings.Builder
		args  = []any{orgID}
	)
	if f.Kind != "" {
		args = append(args, string(f.Kind))
		where.WriteString(` AND e.kind = ` + ph(len(args)))
	}
	if f.Tag != "" {
		args = append(args, f.Tag)
		where.WriteString(` AND EXISTS (SELECT 1 FROM evidence_tags t WHERE t.org_id = e.org_id AND t.evidence_id = e.id AND t.tag = ` + ph(len(args)) + `)`)
	}
	if f.Before != "" {
		args = append(args, f.Before)
		where.WriteString(` AND e.id < ` + ph(len(args)))
	}
	limit := f.Limit
	if limit <= 0 {
		limit = defaultListLimit
	}
	args = append(args, min(limit, 1001))
	rows, err := s.q().QueryContext(ctx, evidenceSelect+where.String()+` ORDER BY e.id DESC LIMIT `+ph(len(args)), args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanEvidence)
}

// ListEvidenceTags lists every tag used in the organisation's library, in
// order.
func (s *DB) ListEvidenceTags(ctx context.Context, orgID string) ([]string, error) {
	rows, err := s.q().QueryContext(ctx, `SELECT DISTINCT tag FROM evidence_tags WHERE org_id = $1 ORDER BY tag`, orgID)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(r interface{ Scan(...any) error }) (string, error) {
		var t string
		err := r.Scan(&t)
		return t, err
	})
}

// UpdateEvidence replaces an item's metadata and the fields of its kind
// (not its kind, not its file), its tags and its search entry.
func (s *DB) UpdateEvidence(ctx context.Context, e persona.Evidence, entry persona.SearchEntry) error {
	tags, err := jsonText(nonNilTags(e.Tags))
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		err := s.execOne(ctx, tx, "evidence", `UPDATE evidence SET title = $3, source = $4, collected_on = $5, tags = $6,
			summary = $7, url = $8, quote = $9, speaker = $10, method = $11, participants = $12, updated_at = $13, updated_by = $14
			WHERE org_id = $1 AND id = $2`,
			e.OrgID, e.ID, e.Title, e.Source, nullStr(e.CollectedOn), tags, e.Summary, e.URL, e.Quote, e.Speaker,
			string(e.Method), e.Participants, ts(e.UpdatedAt), e.UpdatedBy)
		if err != nil {
			return err
		}
		if err := s.putEvidenceTags(ctx, tx, e.OrgID, e.ID, e.Tags); err != nil {
			return err
		}
		return s.putEntry(ctx, tx, entry)
	})
}

// DeleteEvidence deletes an item for good, with its file, tags, links and
// search entry.
func (s *DB) DeleteEvidence(ctx context.Context, orgID, id string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.execOne(ctx, tx, "evidence", `DELETE FROM evidence WHERE org_id = $1 AND id = $2`, orgID, id); err != nil {
			return err
		}
		return s.deleteSearchEntry(ctx, tx, orgID, persona.EntryEvidence, id)
	})
}

// GetEvidenceFile returns the bytes of a document's file.
func (s *DB) GetEvidenceFile(ctx context.Context, orgID, id string) ([]byte, error) {
	var data []byte
	err := s.q().QueryRowContext(ctx, `SELECT data FROM evidence_files WHERE org_id = $1 AND evidence_id = $2`, orgID, id).Scan(&data)
	if err != nil {
		return nil, noRows(err, "file")
	}
	if data == nil {
		data = []byte{}
	}
	return data, nil
}

// ---- links ----

const evidenceLinkSelect = `SELECT l.org_id, l.id, l.evidence_id, l.persona_id, COALESCE(l.variant_id, ''), l.field, l.stance,
	l.excerpt, l.page, l.created_at, l.created_by, e.title, e.kind, p.name
	FROM evidence_links l
	JOIN evidence e ON e.org_id = l.org_id AND e.id = l.evidence_id` + liveLinkJoin + `
	WHERE l.org_id = $1` + liveLinkWhere

func scanEvidenceLink(row interface{ Scan(...any) error }) (persona.EvidenceLink, error) {
	var l persona.EvidenceLink
	err := row.Scan(&l.OrgID, &l.ID, &l.EvidenceID, &l.PersonaID, &l.VariantID, &l.Field, &l.Stance,
		&l.Excerpt, &l.Page, timeCol{&l.CreatedAt}, &l.CreatedBy, &l.EvidenceTitle, &l.EvidenceKind, &l.PersonaName)
	return l, err
}

// CreateEvidenceLink links an item to a live persona (and, for a variant
// link, to a live variant of that persona); not-found names what is
// missing.
func (s *DB) CreateEvidenceLink(ctx context.Context, l persona.EvidenceLink) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.mustExistTx(ctx, tx, "evidence", `SELECT 1 FROM evidence WHERE org_id = $1 AND id = $2`, l.OrgID, l.EvidenceID); err != nil {
			return err
		}
		if err := s.mustExistTx(ctx, tx, "persona", `SELECT 1 FROM personas WHERE org_id = $1 AND id = $2 AND deleted_at IS NULL`, l.OrgID, l.PersonaID); err != nil {
			return err
		}
		if l.VariantID != "" {
			if err := s.mustExistTx(ctx, tx, "variant", `SELECT 1 FROM variants WHERE org_id = $1 AND id = $2 AND persona_id = $3 AND deleted_at IS NULL`,
				l.OrgID, l.VariantID, l.PersonaID); err != nil {
				return err
			}
		}
		return s.insertEvidenceLink(ctx, tx, l)
	})
}

func (s *DB) insertEvidenceLink(ctx context.Context, tx *sql.Tx, l persona.EvidenceLink) error {
	_, err := s.exec(ctx, tx, `INSERT INTO evidence_links (org_id, id, evidence_id, persona_id, variant_id, field, stance,
		excerpt, page, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		l.OrgID, l.ID, l.EvidenceID, l.PersonaID, nullStr(l.VariantID), l.Field, string(l.Stance), l.Excerpt, l.Page,
		ts(l.CreatedAt), l.CreatedBy)
	return withMessage(err, persona.CodeConflict, "a link with this ID already exists")
}

// GetEvidenceLink returns a visible link.
func (s *DB) GetEvidenceLink(ctx context.Context, orgID, id string) (persona.EvidenceLink, error) {
	l, err := scanEvidenceLink(s.q().QueryRowContext(ctx, evidenceLinkSelect+` AND l.id = $2`, orgID, id))
	return l, noRows(err, "evidence link")
}

// ListEvidenceLinks lists visible links, oldest first, of one item, one
// persona (its own links and its variants'), one variant, or the personas
// of one group. An empty filter lists nothing.
func (s *DB) ListEvidenceLinks(ctx context.Context, orgID string, f persona.EvidenceLinkFilter) ([]persona.EvidenceLink, error) {
	var cond, arg string
	switch {
	case f.EvidenceID != "":
		cond, arg = ` AND l.evidence_id = $2`, f.EvidenceID
	case f.PersonaID != "":
		cond, arg = ` AND l.persona_id = $2`, f.PersonaID
	case f.VariantID != "":
		cond, arg = ` AND l.variant_id = $2`, f.VariantID
	case f.GroupID != "":
		cond, arg = ` AND p.group_id = $2`, f.GroupID
	default:
		return []persona.EvidenceLink{}, nil
	}
	rows, err := s.q().QueryContext(ctx, evidenceLinkSelect+cond+` ORDER BY l.created_at, l.id`, orgID, arg)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanEvidenceLink)
}

// DeleteEvidenceLink deletes a visible link.
func (s *DB) DeleteEvidenceLink(ctx context.Context, orgID, id string) error {
	return s.execOne(ctx, s.q(), "evidence link", `DELETE FROM evidence_links WHERE org_id = $1 AND id = $2
		AND EXISTS (SELECT 1 FROM personas p WHERE p.org_id = evidence_links.org_id AND p.id = evidence_links.persona_id AND p.deleted_at IS NULL)
		AND (variant_id IS NULL OR EXISTS (SELECT 1 FROM variants v WHERE v.org_id = evidence_links.org_id AND v.id = evidence_links.variant_id AND v.deleted_at IS NULL))`,
		orgID, id)
}
