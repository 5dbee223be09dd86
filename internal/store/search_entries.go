package store

import (
	"context"
	"database/sql"

	"github.com/personapal/personapal/internal/persona"
)

// putSearchEntry writes (or replaces) the indexed text of a variant, note or
// evidence item, inside the caller's transaction so that the index never
// disagrees with what it indexes.
func (s *DB) putSearchEntry(ctx context.Context, q querier, e persona.SearchEntry) error {
	noteID := ""
	if e.Kind == persona.EntryNote {
		noteID = e.RefID
	}
	_, err := s.exec(ctx, q, `INSERT INTO search_entries (org_id, kind, ref_id, persona_id, variant_id, note_id, title, body)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (org_id, kind, ref_id) DO UPDATE SET persona_id = excluded.persona_id,
			variant_id = excluded.variant_id, note_id = excluded.note_id, title = excluded.title, body = excluded.body`,
		e.OrgID, string(e.Kind), e.RefID, nullStr(e.PersonaID), nullStr(e.VariantID), nullStr(noteID), e.Title, e.Body)
	if err != nil {
		return err
	}
	return s.indexEntry(ctx, q, e)
}

// putEntry writes e unless it is empty (callers without search text).
func (s *DB) putEntry(ctx context.Context, q querier, e persona.SearchEntry) error {
	if e.Kind == "" {
		return nil
	}
	return s.putSearchEntry(ctx, q, e)
}

func (s *DB) deleteSearchEntry(ctx context.Context, q querier, orgID string, kind persona.EntryKind, refID string) error {
	_, err := s.exec(ctx, q, `DELETE FROM search_entries WHERE org_id = $1 AND kind = $2 AND ref_id = $3`, orgID, string(kind), refID)
	return err
}

// PutSearchEntry writes the indexed text of something searchable.
func (s *DB) PutSearchEntry(ctx context.Context, e persona.SearchEntry) error {
	return s.putSearchEntry(ctx, s.q(), e)
}

// DeleteSearchEntry removes an entry from the index.
func (s *DB) DeleteSearchEntry(ctx context.Context, orgID string, kind persona.EntryKind, refID string) error {
	return s.deleteSearchEntry(ctx, s.q(), orgID, kind, refID)
}

// SearchEntries searches variants, notes and evidence of one organisation,
// ranked, with a marked snippet; entries of trashed personas or variants
// are left out. Same query rules as SearchPersonas.
func (s *DB) SearchEntries(ctx context.Context, orgID, text string, limit int) ([]persona.EntryHit, error) {
	terms := searchTerms(text)
	if len(terms) == 0 {
		return []persona.EntryHit{}, nil
	}
	if len(terms) > maxSearchTerms {
		terms = terms[:maxSearchTerms]
	}
	if limit <= 0 {
		limit = defaultSearchLimit
	}
	rows, err := s.q().QueryContext(ctx, s.d.entrySearchSQL, orgID, s.d.matchQuery(orgID, terms), min(limit, maxSearchLimit))
	if err != nil {
		return nil, err
	}
	hits, err := collect(rows, func(r interface{ Scan(...any) error }) (persona.EntryHit, error) {
		var (
			h    persona.EntryHit
			body string
		)
		err := r.Scan(&h.Kind, &h.ID, &h.PersonaID, &h.Title, &body, &h.Rank)
		if err == nil {
			h.Snippet = persona.Snippet(terms, h.Title, body)
		}
		return h, err
	})
	if hits == nil && err == nil {
		hits = []persona.EntryHit{}
	}
	return hits, err
}

var _ querier = (*sql.Tx)(nil)
