package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

// CreateReview stores a review and sets the persona's last_reviewed_on to
// its day, in one transaction. The persona's revision and updated_at stay
// as they are: a review is not an edit (see docs/reviews.md).
func (s *DB) CreateReview(ctx context.Context, r persona.Review) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.execOne(ctx, tx, "persona", `UPDATE personas SET last_reviewed_on = $3
			WHERE org_id = $1 AND id = $2 AND deleted_at IS NULL`, r.OrgID, r.PersonaID, r.ReviewedOn); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO reviews (org_id, id, persona_id, reviewer_id, note, reviewed_on, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, r.OrgID, r.ID, r.PersonaID, r.ReviewerID, r.Note, r.ReviewedOn, ts(r.CreatedAt))
		return s.d.mapErr(err)
	})
}

// ListReviews returns a persona's reviews, newest first.
func (s *DB) ListReviews(ctx context.Context, orgID, personaID string) ([]persona.Review, error) {
	rows, err := s.q().QueryContext(ctx, `SELECT org_id, id, persona_id, reviewer_id, note, reviewed_on, created_at
		FROM reviews WHERE org_id = $1 AND persona_id = $2 ORDER BY created_at DESC, id DESC`, orgID, personaID)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(row interface{ Scan(...any) error }) (persona.Review, error) {
		var r persona.Review
		err := row.Scan(&r.OrgID, &r.ID, &r.PersonaID, &r.ReviewerID, &r.Note, &r.ReviewedOn, timeCol{&r.CreatedAt})
		return r, err
	})
}

// LatestReviews returns the newest review of each live persona of the
// organisation that has one, keyed by persona ID.
func (s *DB) LatestReviews(ctx context.Context, orgID string) (map[string]persona.Review, error) {
	rows, err := s.q().QueryContext(ctx, `SELECT r.org_id, r.id, r.persona_id, r.reviewer_id, r.note, r.reviewed_on, r.created_at
		FROM reviews r JOIN personas p ON p.org_id = r.org_id AND p.id = r.persona_id AND p.deleted_at IS NULL
		WHERE r.org_id = $1 ORDER BY r.created_at, r.id`, orgID)
	if err != nil {
		return nil, err
	}
	all, err := collect(rows, func(row interface{ Scan(...any) error }) (persona.Review, error) {
		var r persona.Review
		err := row.Scan(&r.OrgID, &r.ID, &r.PersonaID, &r.ReviewerID, &r.Note, &r.ReviewedOn, timeCol{&r.CreatedAt})
		return r, err
	})
	if err != nil {
		return nil, err
	}
	out := make(map[string]persona.Review, len(all))
	for _, r := range all {
		out[r.PersonaID] = r // oldest first: the newest wins
	}
	return out, nil
}

// SetReviewDigest records whether a user wants the weekly review digest.
func (s *DB) SetReviewDigest(ctx context.Context, userID string, on bool, at time.Time) error {
	if on {
		_, err := s.exec(ctx, s.q(), `DELETE FROM review_digest_optouts WHERE user_id = $1`, userID)
		return err
	}
	_, err := s.exec(ctx, s.q(), `INSERT INTO review_digest_optouts (user_id, created_at) VALUES ($1, $2)
		ON CONFLICT (user_id) DO NOTHING`, userID, ts(at))
	return s.d.mapErr(err)
}

// ReviewDigestOff reports whether a user opted out of the review digest.
func (s *DB) ReviewDigestOff(ctx context.Context, userID string) (bool, error) {
	var n int
	err := s.q().QueryRowContext(ctx, `SELECT COUNT(*) FROM review_digest_optouts WHERE user_id = $1`, userID).Scan(&n)
	return n > 0, err
}

// AllOrgs lists every live organisation, for instance-wide jobs (the
// review digest) that then work one organisation at a time.
func (s *DB) AllOrgs(ctx context.Context) ([]persona.Org, error) {
	rows, err := s.q().QueryContext(ctx, `SELECT `+orgCols+` FROM orgs o WHERE o.deleted_at IS NULL ORDER BY o.id`)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(row interface{ Scan(...any) error }) (persona.Org, error) { return scanOrg(row) })
}

// ClaimDigestPeriod records that the digest of period (an ISO week) is
// being sent; false when it already was (another run claimed it).
func (s *DB) ClaimDigestPeriod(ctx context.Context, period string, at time.Time) (bool, error) {
	res, err := s.exec(ctx, s.q(), `INSERT INTO review_digest_runs (period, created_at) VALUES ($1, $2)
		ON CONFLICT (period) DO NOTHING`, period, ts(at))
	if err != nil {
		return false, s.d.mapErr(err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
