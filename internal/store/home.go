package store

import (
	"context"
	"strings"

	"github.com/personapal/personapal/internal/persona"
)

// The home page's batch reads: what its persona cards and lists show, for
// every persona of the organisation at once (a few queries a page, however
// many personas there are).

// VariantCounts counts the live variants of each live persona (Own, keyed
// by the persona's ID) and the live variants made for each customer
// archetype (For, keyed by the customer's ID).
func (s *DB) VariantCounts(ctx context.Context, orgID string) (own, forCustomer map[string]int, err error) {
	count := func(q string) (map[string]int, error) {
		rows, err := s.q().QueryContext(ctx, q, orgID)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		out := map[string]int{}
		for rows.Next() {
			var id string
			var n int
			if err := rows.Scan(&id, &n); err != nil {
				return nil, err
			}
			out[id] = n
		}
		return out, rows.Err()
	}
	if own, err = count(`SELECT v.persona_id, COUNT(*) FROM variants v
		JOIN personas p ON p.org_id = v.org_id AND p.id = v.persona_id AND p.deleted_at IS NULL
		WHERE v.org_id = $1 AND v.deleted_at IS NULL GROUP BY v.persona_id`); err != nil {
		return nil, nil, err
	}
	if forCustomer, err = count(`SELECT v.customer_id, COUNT(*) FROM variants v
		JOIN personas p ON p.org_id = v.org_id AND p.id = v.persona_id AND p.deleted_at IS NULL
		WHERE v.org_id = $1 AND v.deleted_at IS NULL AND v.customer_id IS NOT NULL GROUP BY v.customer_id`); err != nil {
		return nil, nil, err
	}
	return own, forCustomer, nil
}

// PersonaEvidenceLinks lists every visible link on a live persona's own
// fields or on the persona as a whole (not on its variants), oldest first.
func (s *DB) PersonaEvidenceLinks(ctx context.Context, orgID string) ([]persona.EvidenceLink, error) {
	rows, err := s.q().QueryContext(ctx, evidenceLinkSelect+` AND l.variant_id IS NULL ORDER BY l.created_at, l.id`, orgID)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanEvidenceLink)
}

// LatestRevisions returns the current revision of each live persona of ids
// (without its content), keyed by persona ID; IDs that do not exist are
// left out.
func (s *DB) LatestRevisions(ctx context.Context, orgID string, ids []string) (map[string]persona.Revision, error) {
	out := make(map[string]persona.Revision, len(ids))
	for start := 0; start < len(ids); start += getPersonasChunk {
		chunk := ids[start:min(start+getPersonasChunk, len(ids))]
		args := make([]any, 0, len(chunk)+1)
		args = append(args, orgID)
		marks := make([]string, len(chunk))
		for i, id := range chunk {
			args = append(args, id)
			marks[i] = ph(i + 2)
		}
		rows, err := s.q().QueryContext(ctx, `SELECT r.org_id, r.persona_id, r.number, r.author_id, r.message, r.created_at
			FROM persona_revisions r
			JOIN personas p ON p.org_id = r.org_id AND p.id = r.persona_id AND p.revision = r.number AND p.deleted_at IS NULL
			WHERE r.org_id = $1 AND r.persona_id IN (`+strings.Join(marks, ", ")+`)`, args...)
		if err != nil {
			return nil, err
		}
		revs, err := collect(rows, func(row interface{ Scan(...any) error }) (persona.Revision, error) {
			var r persona.Revision
			err := row.Scan(&r.OrgID, &r.PersonaID, &r.Number, &r.AuthorID, &r.Message, timeCol{&r.CreatedAt})
			return r, err
		})
		if err != nil {
			return nil, err
		}
		for _, r := range revs {
			out[r.PersonaID] = r
		}
	}
	return out, nil
}
