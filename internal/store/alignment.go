package store

import (
	"context"

	"github.com/personapal/personapal/internal/persona"
)

// Alignment links and claim mappings. Reads join both personas and skip
// those in the trash, so trashing either end hides the link or mapping and
// restoring brings it back.

const linkSelect = `SELECT l.org_id, l.id, l.buyer_id, l.target_id, l.created_at, l.created_by
	FROM alignment_links l
	JOIN personas b ON b.org_id = l.org_id AND b.id = l.buyer_id AND b.deleted_at IS NULL
	JOIN personas t ON t.org_id = l.org_id AND t.id = l.target_id AND t.deleted_at IS NULL
	WHERE l.org_id = $1`

func scanLink(row interface{ Scan(...any) error }) (persona.AlignmentLink, error) {
	var l persona.AlignmentLink
	err := row.Scan(&l.OrgID, &l.ID, &l.BuyerID, &l.TargetID, timeCol{&l.CreatedAt}, &l.CreatedBy)
	return l, err
}

// CreateAlignmentLink links a buyer to a persona; conflict when they are
// linked already, not-found when either is not a persona of the
// organisation.
func (s *DB) CreateAlignmentLink(ctx context.Context, l persona.AlignmentLink) error {
	_, err := s.exec(ctx, s.q(), `INSERT INTO alignment_links (org_id, id, buyer_id, target_id, created_at, created_by)
		VALUES ($1, $2, $3, $4, $5, $6)`, l.OrgID, l.ID, l.BuyerID, l.TargetID, ts(l.CreatedAt), l.CreatedBy)
	switch persona.ErrorCode(err) {
	case persona.CodeInvalid:
		return notFound("persona")
	case persona.CodeConflict:
		return persona.Errorf(persona.CodeConflict, "these personas are linked already")
	}
	return err
}

// GetAlignmentLink returns a visible link.
func (s *DB) GetAlignmentLink(ctx context.Context, orgID, id string) (persona.AlignmentLink, error) {
	l, err := scanLink(s.q().QueryRowContext(ctx, linkSelect+` AND l.id = $2`, orgID, id))
	return l, noRows(err, "alignment link")
}

// DeleteAlignmentLink removes a link (its claim mappings stay: they belong
// to the pair and come back if the pair is linked again).
func (s *DB) DeleteAlignmentLink(ctx context.Context, orgID, id string) error {
	return s.execOne(ctx, s.q(), "alignment link", `DELETE FROM alignment_links WHERE org_id = $1 AND id = $2`, orgID, id)
}

// ListAlignmentLinks lists the visible links with personaID at either end,
// oldest first; with an empty personaID, every visible link.
func (s *DB) ListAlignmentLinks(ctx context.Context, orgID, personaID string) ([]persona.AlignmentLink, error) {
	q, args := linkSelect, []any{orgID}
	if personaID != "" {
		q += ` AND (l.buyer_id = $2 OR l.target_id = $2)`
		args = append(args, personaID)
	}
	rows, err := s.q().QueryContext(ctx, q+` ORDER BY l.created_at, l.id`, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanLink)
}

const mappingSelect = `SELECT m.org_id, m.id, m.buyer_id, m.claim_field, m.claim, m.user_id, m.user_field, m.user_item,
	m.verdict, m.note, m.evidence_id, m.created_at, m.created_by
	FROM claim_mappings m
	JOIN personas b ON b.org_id = m.org_id AND b.id = m.buyer_id AND b.deleted_at IS NULL
	JOIN personas u ON u.org_id = m.org_id AND u.id = m.user_id AND u.deleted_at IS NULL
	WHERE m.org_id = $1`

func scanMapping(row interface{ Scan(...any) error }) (persona.ClaimMapping, error) {
	var m persona.ClaimMapping
	err := row.Scan(&m.OrgID, &m.ID, &m.BuyerID, &m.ClaimField, &m.Claim, &m.UserID, &m.UserField, &m.UserItem,
		&m.Verdict, &m.Note, &m.EvidenceID, timeCol{&m.CreatedAt}, &m.CreatedBy)
	return m, err
}

// CreateClaimMapping records a claim's verdict for one user item.
func (s *DB) CreateClaimMapping(ctx context.Context, m persona.ClaimMapping) error {
	_, err := s.exec(ctx, s.q(), `INSERT INTO claim_mappings (org_id, id, buyer_id, claim_field, claim, user_id, user_field,
		user_item, verdict, note, evidence_id, created_at, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		m.OrgID, m.ID, m.BuyerID, m.ClaimField, m.Claim, m.UserID, m.UserField, m.UserItem, string(m.Verdict),
		m.Note, m.EvidenceID, ts(m.CreatedAt), m.CreatedBy)
	if persona.ErrorCode(err) == persona.CodeInvalid {
		return notFound("persona")
	}
	return err
}

// GetClaimMapping returns a visible mapping.
func (s *DB) GetClaimMapping(ctx context.Context, orgID, id string) (persona.ClaimMapping, error) {
	m, err := scanMapping(s.q().QueryRowContext(ctx, mappingSelect+` AND m.id = $2`, orgID, id))
	return m, noRows(err, "claim mapping")
}

// DeleteClaimMapping removes a mapping.
func (s *DB) DeleteClaimMapping(ctx context.Context, orgID, id string) error {
	return s.execOne(ctx, s.q(), "claim mapping", `DELETE FROM claim_mappings WHERE org_id = $1 AND id = $2`, orgID, id)
}

// ListClaimMappings lists a buyer's visible mappings, oldest first; with an
// empty buyerID, every visible mapping of the organisation.
func (s *DB) ListClaimMappings(ctx context.Context, orgID, buyerID string) ([]persona.ClaimMapping, error) {
	q, args := mappingSelect, []any{orgID}
	if buyerID != "" {
		q += ` AND m.buyer_id = $2`
		args = append(args, buyerID)
	}
	rows, err := s.q().QueryContext(ctx, q+` ORDER BY m.created_at, m.id`, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanMapping)
}

// DivergencePoints returns the organisation's divergence threshold.
func (s *DB) DivergencePoints(ctx context.Context, orgID string) (float64, error) {
	var p float64
	err := s.q().QueryRowContext(ctx, `SELECT divergence_points FROM orgs WHERE id = $1`, orgID).Scan(&p)
	return p, noRows(err, "organisation")
}

// SetDivergencePoints sets the organisation's divergence threshold.
func (s *DB) SetDivergencePoints(ctx context.Context, orgID string, points float64) error {
	return s.execOne(ctx, s.q(), "organisation", `UPDATE orgs SET divergence_points = $2 WHERE id = $1`, orgID, points)
}
