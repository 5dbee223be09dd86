package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

// One-time links (persona.Link): the secret's hash, never the secret.

const oneTimeLinkCols = `token_hash, purpose, COALESCE(user_id, ''), email, COALESCE(org_id, ''), ref_id, created_at, expires_at, used_at`

func scanOneTimeLink(row interface{ Scan(...any) error }) (persona.Link, error) {
	var l persona.Link
	err := row.Scan(&l.Hash, &l.Purpose, &l.UserID, &l.Email, &l.OrgID, &l.RefID,
		timeCol{&l.CreatedAt}, timeCol{&l.ExpiresAt}, nullTimeCol{&l.UsedAt})
	return l, err
}

// CreateLink stores a link; conflict if its hash exists (it never does:
// secrets are 256 random bits).
func (s *DB) CreateLink(ctx context.Context, l persona.Link) error {
	_, err := s.exec(ctx, s.q(), `INSERT INTO links (token_hash, purpose, user_id, email, org_id, ref_id, created_at, expires_at, used_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		l.Hash, string(l.Purpose), nullStr(l.UserID), l.Email, nullStr(l.OrgID), l.RefID,
		ts(l.CreatedAt), ts(l.ExpiresAt), nullTS(l.UsedAt))
	return err
}

// PeekLink returns the unused, unexpired link of this purpose with this
// hash, without using it; not found otherwise.
func (s *DB) PeekLink(ctx context.Context, purpose persona.LinkPurpose, hash string, now time.Time) (persona.Link, error) {
	l, err := scanOneTimeLink(s.q().QueryRowContext(ctx, `SELECT `+oneTimeLinkCols+` FROM links
		WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3`, hash, string(purpose), ts(now)))
	return l, noRows(err, "link")
}

// ConsumeLink marks the unused, unexpired link of this purpose with this
// hash used at now and returns it, in one statement: of any number of
// concurrent consumers (on any instance) exactly one gets the link, the
// others not found.
func (s *DB) ConsumeLink(ctx context.Context, purpose persona.LinkPurpose, hash string, now time.Time) (persona.Link, error) {
	var l persona.Link
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		l, err = scanOneTimeLink(tx.QueryRowContext(ctx, `UPDATE links SET used_at = $3
			WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3
			RETURNING `+oneTimeLinkCols, hash, string(purpose), ts(now)))
		return s.d.mapErr(noRows(err, "link"))
	})
	return l, err
}

// PendingLink returns the user's newest unused link of this purpose that
// is unexpired at now (an e-mail change waiting for its confirmation);
// not found when there is none.
func (s *DB) PendingLink(ctx context.Context, purpose persona.LinkPurpose, userID string, now time.Time) (persona.Link, error) {
	l, err := scanOneTimeLink(s.q().QueryRowContext(ctx, `SELECT `+oneTimeLinkCols+` FROM links
		WHERE purpose = $1 AND user_id = $2 AND used_at IS NULL AND expires_at > $3
		ORDER BY created_at DESC, token_hash LIMIT 1`, string(purpose), userID, ts(now)))
	return l, noRows(err, "link")
}

// RevokeLinks marks the unused links of the purpose for userID and/or
// refID (at least one non-empty; both must match when both are given) used
// at now, and returns how many.
func (s *DB) RevokeLinks(ctx context.Context, purpose persona.LinkPurpose, userID, refID string, now time.Time) (int, error) {
	if userID == "" && refID == "" {
		return 0, persona.Errorf(persona.CodeInvalid, "revoking links needs a user or a reference")
	}
	q := `UPDATE links SET used_at = $2 WHERE purpose = $1 AND used_at IS NULL`
	args := []any{string(purpose), ts(now)}
	if userID != "" {
		args = append(args, userID)
		q += ` AND user_id = ` + ph(len(args))
	}
	if refID != "" {
		args = append(args, refID)
		q += ` AND ref_id = ` + ph(len(args))
	}
	res, err := s.exec(ctx, s.q(), q, args...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// DeleteLinksBefore deletes the links that expired before t (used or
// not), and returns how many.
func (s *DB) DeleteLinksBefore(ctx context.Context, t time.Time) (int, error) {
	res, err := s.exec(ctx, s.q(), `DELETE FROM links WHERE expires_at < $1`, ts(t))
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}
