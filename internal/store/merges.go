package store

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

// Duplicates and merges (migration 00038). A merged persona keeps its row
// and its revisions; deleted_at is set (so every live read leaves it out,
// as it does a trashed persona) and merged_into names the survivor. The
// trash, restore and purge leave merged personas alone.

// DuplicateCandidates returns every live persona of the organisation, in ID
// order: what the duplicate search compares (one query, scoped by
// organisation).
func (s *DB) DuplicateCandidates(ctx context.Context, orgID string) ([]persona.Persona, error) {
	rows, err := s.q().QueryContext(ctx, personaSelect+`
		WHERE p.org_id = $1 AND p.deleted_at IS NULL ORDER BY p.id`, orgID)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanPersona)
}

// SimilarCandidates returns at most limit live personas of the template
// that hold any of words, those sharing the most (and the rarest) first by
// the full-text index's own ranking: the few a look-alike check scores,
// instead of every persona of the organisation.
func (s *DB) SimilarCandidates(ctx context.Context, orgID, templateID string, words []string, limit int) ([]persona.Persona, error) {
	terms := searchTerms(strings.Join(words, " "))
	if len(terms) > maxSearchTerms {
		terms = terms[:maxSearchTerms]
	}
	if len(terms) == 0 || limit <= 0 {
		return []persona.Persona{}, nil
	}
	if s.d.name == DialectSQLite {
		var err error
		if terms, err = s.telling(ctx, orgID, terms); err != nil || len(terms) == 0 {
			return []persona.Persona{}, err
		}
	}
	rows, err := s.q().QueryContext(ctx, s.d.searchSQL(" AND p.template_id = $3", "$4"),
		orgID, s.d.matchAnyQuery(orgID, terms), templateID, limit)
	if err != nil {
		return nil, err
	}
	ids, err := collect(rows, func(r interface{ Scan(...any) error }) (string, error) {
		var id, name, pt, group, status, summary, text string
		var rank float64
		err := r.Scan(&id, &name, &pt, &group, &status, &summary, &text, &rank)
		return id, err
	})
	if err != nil {
		return nil, err
	}
	return s.GetPersonas(ctx, orgID, ids)
}

// commonWordFloor and commonWordShare bound the words a look-alike check
// matches on: a word held by more than the larger of the two (a count, a
// share of the organisation's personas) is left out.
const (
	commonWordFloor = 50
	commonWordShare = 4 // a quarter
)

// telling drops the terms most of the organisation's personas hold (SQLite).
// They say nothing about likeness, and ranking their matches cost a create
// more the larger the organisation grew: bm25 reads the sizes of every
// matching row, so a word in each of 2,000 personas meant 2,000 reads.
// Counting a word's matches only walks its list in the index. In an
// organisation of up to 50 personas every word is kept; in a larger one a
// word held by more than a quarter of them (and more than 50) is left out.
func (s *DB) telling(ctx context.Context, orgID string, terms []string) ([]string, error) {
	var total int
	if err := s.q().QueryRowContext(ctx, `SELECT count(*) FROM personas WHERE org_id = $1`, orgID).Scan(&total); err != nil {
		return nil, err
	}
	limit := max(commonWordFloor, total/commonWordShare)
	if total <= limit {
		return terms, nil
	}
	kept := terms[:0:0]
	for _, t := range terms {
		var n int
		// Counting stops one past the limit: a common word's whole list is
		// not walked either.
		err := s.q().QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM personas_fts WHERE personas_fts MATCH $1 LIMIT $2)`,
			s.d.matchAnyQuery(orgID, []string{t}), limit+1).Scan(&n)
		if err != nil {
			return nil, err
		}
		if n <= limit {
			kept = append(kept, t)
		}
	}
	return kept, nil
}

// MergedInto returns the persona that id was merged into (following a
// chain of merges to its live end); not-found when id is no merged persona
// of the organisation.
func (s *DB) MergedInto(ctx context.Context, orgID, id string) (string, error) {
	var into string
	err := s.q().QueryRowContext(ctx, `SELECT merged_into FROM personas WHERE org_id = $1 AND id = $2 AND merged_into IS NOT NULL`,
		orgID, id).Scan(&into)
	return into, noRows(err, "persona")
}

// GetMergedPersona returns a persona that was merged into another one.
func (s *DB) GetMergedPersona(ctx context.Context, orgID, id string) (persona.Persona, error) {
	p, err := scanPersona(s.q().QueryRowContext(ctx, personaSelect+`
		WHERE p.org_id = $1 AND p.id = $2 AND p.merged_into IS NOT NULL`, orgID, id))
	return p, noRows(err, "persona")
}

// MergedFrom lists the personas merged into id, most recent merge first.
func (s *DB) MergedFrom(ctx context.Context, orgID, id string) ([]persona.Persona, error) {
	rows, err := s.q().QueryContext(ctx, personaSelect+`
		WHERE p.org_id = $1 AND p.merged_into = $2 ORDER BY p.deleted_at DESC, p.id`, orgID, id)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanPersona)
}

// MergePersona moves everything attached to the persona merged onto the
// persona survivor and marks merged as merged into it (call it inside a
// transaction, with the survivor's new revision). Moved: variants (the app
// refuses a clash of customer types first), evidence links, notes,
// comments, alignment links and claim mappings (a link that would repeat
// one the survivor has, or join the survivor to itself, is dropped), work
// links, search entries, Launchpads of an archetype, share links of the
// persona or a comparison, the external ID (unless the survivor has one),
// and earlier merges into merged. Revisions,
// proposals, reviews, photos, views and notifications stay with merged.
func (s *DB) MergePersona(ctx context.Context, orgID, survivorID, mergedID, by string, at time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		q := txQuerier{tx: tx, p: s.db}
		err := s.execOne(ctx, q, "persona", `UPDATE personas SET deleted_at = $4, deleted_by = $5, merged_into = $3
			WHERE org_id = $1 AND id = $2 AND deleted_at IS NULL
			AND EXISTS (SELECT 1 FROM personas s WHERE s.org_id = $1 AND s.id = $3 AND s.deleted_at IS NULL)`,
			orgID, mergedID, survivorID, ts(at), by)
		if err != nil {
			return err
		}
		stmts := []string{
			`UPDATE personas SET merged_into = $3 WHERE org_id = $1 AND merged_into = $2`,
			`UPDATE variants SET persona_id = $3 WHERE org_id = $1 AND persona_id = $2`,
			// Other personas' variants for merged (an archetype) are now for
			// the survivor, unless the persona has one for it already.
			`UPDATE variants SET customer_id = $3 WHERE org_id = $1 AND customer_id = $2
				AND persona_id NOT IN (SELECT persona_id FROM variants WHERE org_id = $1 AND customer_id = $3 AND deleted_at IS NULL)`,
			`UPDATE evidence_links SET persona_id = $3 WHERE org_id = $1 AND persona_id = $2`,
			`UPDATE notes SET target_id = $3 WHERE org_id = $1 AND target = 'persona' AND target_id = $2`,
			`UPDATE notes SET persona_id = $3 WHERE org_id = $1 AND persona_id = $2`,
			`UPDATE comments SET subject_id = $3 WHERE org_id = $1 AND subject_kind = 'persona' AND subject_id = $2`,
			// A proposal's discussion stays with its proposal (on merged).
			`UPDATE comments SET persona_id = $3 WHERE org_id = $1 AND persona_id = $2 AND proposal_id IS NULL`,
			// Alignment: drop what would join the survivor to itself or
			// repeat one of its links, then move the rest.
			`DELETE FROM alignment_links WHERE org_id = $1 AND ((buyer_id = $2 AND target_id = $3) OR (buyer_id = $3 AND target_id = $2))`,
			`DELETE FROM alignment_links WHERE org_id = $1 AND buyer_id = $2
				AND target_id IN (SELECT target_id FROM alignment_links WHERE org_id = $1 AND buyer_id = $3)`,
			`DELETE FROM alignment_links WHERE org_id = $1 AND target_id = $2
				AND buyer_id IN (SELECT buyer_id FROM alignment_links WHERE org_id = $1 AND target_id = $3)`,
			`UPDATE alignment_links SET buyer_id = $3 WHERE org_id = $1 AND buyer_id = $2`,
			`UPDATE alignment_links SET target_id = $3 WHERE org_id = $1 AND target_id = $2`,
			`DELETE FROM claim_mappings WHERE org_id = $1 AND ((buyer_id = $2 AND user_id = $3) OR (buyer_id = $3 AND user_id = $2))`,
			`UPDATE claim_mappings SET buyer_id = $3 WHERE org_id = $1 AND buyer_id = $2`,
			`UPDATE claim_mappings SET user_id = $3 WHERE org_id = $1 AND user_id = $2`,
			`UPDATE work_links SET persona_id = $3 WHERE org_id = $1 AND persona_id = $2`,
			`UPDATE search_entries SET persona_id = $3 WHERE org_id = $1 AND persona_id = $2`,
			`UPDATE launchpads SET archetype_id = $3 WHERE org_id = $1 AND archetype_id = $2`,
			// The external ID goes too (so an update-mode import finds the
			// survivor), unless the survivor has one of its own.
			`UPDATE persona_external_ids SET persona_id = $3 WHERE org_id = $1 AND persona_id = $2
				AND NOT EXISTS (SELECT 1 FROM persona_external_ids x WHERE x.org_id = $1 AND x.persona_id = $3)`,
		}
		for _, st := range stmts {
			if _, err := s.exec(ctx, q, st, orgID, mergedID, survivorID); err != nil {
				return s.d.mapErr(err)
			}
		}
		return s.mergeShareLinks(ctx, q, orgID, survivorID, mergedID)
	})
}

// mergeShareLinks rewrites the subjects of the share links that show
// merged (a persona, or one of a comparison) to show survivor.
func (s *DB) mergeShareLinks(ctx context.Context, q querier, orgID, survivorID, mergedID string) error {
	rows, err := q.QueryContext(ctx, `SELECT id, subject_ids FROM share_links
		WHERE org_id = $1 AND kind IN ('persona', 'comparison') AND subject_ids LIKE $2`, orgID, "%"+mergedID+"%")
	if err != nil {
		return err
	}
	type link struct{ id, subjects string }
	var links []link
	for rows.Next() {
		var l link
		if err := rows.Scan(&l.id, &l.subjects); err != nil {
			rows.Close()
			return err
		}
		links = append(links, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, l := range links {
		ids := strings.Fields(l.subjects)
		if !slices.Contains(ids, mergedID) {
			continue
		}
		var out []string
		for _, id := range ids {
			if id == mergedID {
				id = survivorID
			}
			if !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
		if _, err := s.exec(ctx, q, `UPDATE share_links SET subject_ids = $3 WHERE org_id = $1 AND id = $2`,
			orgID, l.id, strings.Join(out, " ")); err != nil {
			return err
		}
	}
	return nil
}
