package store

import (
	"context"

	"github.com/personapal/personapal/internal/persona"
)

// Change proposals. A proposal lives as long as its persona (the trash
// hides it, a purge deletes it).

const proposalSelect = `SELECT pr.org_id, pr.id, pr.persona_id, pr.base_revision, pr.message, pr.content, pr.status,
	pr.author_id, COALESCE(ua.name, ''), pr.created_at, pr.decided_by, COALESCE(ud.name, ''), pr.decided_at,
	pr.reason, pr.applied_revision, p.name, pr.variant_id, pr.variant_content
	FROM proposals pr
	JOIN personas p ON p.org_id = pr.org_id AND p.id = pr.persona_id
	LEFT JOIN users ua ON ua.id = pr.author_id
	LEFT JOIN users ud ON ud.id = pr.decided_by
	WHERE pr.org_id = $1 AND p.deleted_at IS NULL`

func scanProposal(row interface{ Scan(...any) error }) (persona.Proposal, error) {
	var (
		pr             persona.Proposal
		content, vjson []byte
		status         string
	)
	err := row.Scan(&pr.OrgID, &pr.ID, &pr.PersonaID, &pr.BaseRevision, &pr.Message, &content, &status,
		&pr.AuthorID, &pr.AuthorName, timeCol{&pr.CreatedAt}, &pr.DecidedBy, &pr.DeciderName, nullTimeCol{&pr.DecidedAt},
		&pr.Reason, &pr.AppliedRevision, &pr.PersonaName, &pr.VariantID, &vjson)
	if err != nil {
		return pr, err
	}
	pr.Status = persona.ProposalStatus(status)
	if len(vjson) > 0 {
		vc, err := decodeVariantContent(vjson)
		if err != nil {
			return pr, err
		}
		pr.Variant = &vc
	}
	pr.Content, err = decodeContent(content)
	return pr, err
}

// CreateProposal inserts a proposal; its persona must exist in the
// organisation (not found otherwise).
func (s *DB) CreateProposal(ctx context.Context, pr persona.Proposal) error {
	content, err := jsonText(pr.Content)
	if err != nil {
		return err
	}
	vjson := ""
	if pr.Variant != nil {
		if vjson, err = jsonText(pr.Variant); err != nil {
			return err
		}
	}
	_, err = s.exec(ctx, s.q(), `INSERT INTO proposals (org_id, id, persona_id, base_revision, message, content, status,
		author_id, created_at, variant_id, variant_content) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		pr.OrgID, pr.ID, pr.PersonaID, pr.BaseRevision, pr.Message, content, string(pr.Status), pr.AuthorID, ts(pr.CreatedAt),
		pr.VariantID, vjson)
	if persona.ErrorCode(err) == persona.CodeInvalid { // the foreign key: no such persona here
		return notFound("persona")
	}
	return err
}

// GetProposal returns a proposal of a live persona.
func (s *DB) GetProposal(ctx context.Context, orgID, id string) (persona.Proposal, error) {
	pr, err := scanProposal(s.q().QueryRowContext(ctx, proposalSelect+` AND pr.id = $2`, orgID, id))
	return pr, noRows(err, "proposal")
}

// ListProposals lists proposals, of one persona when personaID is set,
// open ones first, then newest first.
func (s *DB) ListProposals(ctx context.Context, orgID, personaID string) ([]persona.Proposal, error) {
	q, args := proposalSelect, []any{orgID}
	if personaID != "" {
		q += ` AND pr.persona_id = $2`
		args = append(args, personaID)
	}
	rows, err := s.q().QueryContext(ctx, q+` ORDER BY CASE WHEN pr.status = 'open' THEN 0 ELSE 1 END, pr.created_at DESC, pr.id DESC LIMIT 500`, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanProposal)
}

// CountOpenProposals counts the open proposals on a persona.
func (s *DB) CountOpenProposals(ctx context.Context, orgID, personaID string) (int, error) {
	var n int
	err := s.q().QueryRowContext(ctx, `SELECT COUNT(*) FROM proposals WHERE org_id = $1 AND persona_id = $2 AND status = 'open'`,
		orgID, personaID).Scan(&n)
	return n, err
}

// DecideProposal records a decision on an open proposal (accepted,
// declined or withdrawn) in one statement: of two concurrent deciders
// exactly one succeeds, the other gets a conflict.
func (s *DB) DecideProposal(ctx context.Context, pr persona.Proposal) error {
	res, err := s.exec(ctx, s.q(), `UPDATE proposals SET status = $3, decided_by = $4, decided_at = $5, reason = $6,
		applied_revision = $7 WHERE org_id = $1 AND id = $2 AND status = 'open'`,
		pr.OrgID, pr.ID, string(pr.Status), pr.DecidedBy, nullTS(pr.DecidedAt), pr.Reason, pr.AppliedRevision)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		if _, err := s.GetProposal(ctx, pr.OrgID, pr.ID); err != nil {
			return err
		}
		return persona.Errorf(persona.CodeConflict, "this proposal was already decided")
	}
	return nil
}

// OrgRequiresProposals reports whether published personas of the
// organisation change only through accepted proposals.
func (s *DB) OrgRequiresProposals(ctx context.Context, orgID string) (bool, error) {
	var n int
	err := s.q().QueryRowContext(ctx, `SELECT COUNT(*) FROM org_proposal_settings WHERE org_id = $1 AND require_proposals = 1`, orgID).Scan(&n)
	return n > 0, err
}

// SetOrgRequiresProposals turns the sign-off setting on or off.
func (s *DB) SetOrgRequiresProposals(ctx context.Context, orgID string, on bool) error {
	v := 0
	if on {
		v = 1
	}
	_, err := s.exec(ctx, s.q(), `INSERT INTO org_proposal_settings (org_id, require_proposals) VALUES ($1, $2)
		ON CONFLICT (org_id) DO UPDATE SET require_proposals = excluded.require_proposals`, orgID, v)
	return err
}
