package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

// Share links. The token is the only credential of a link's audience, so
// ShareLinkByTokenHash is the one read not scoped by an organisation: it
// answers the organisation the link belongs to, and everything the link
// then shows is read within that organisation.

const shareCols = `s.org_id, s.id, s.kind, s.subject_ids, s.title, s.lens, s.password_hash, s.expires_at,
	s.frame_ancestors, s.created_by, COALESCE(u.name, ''), s.created_at, s.revoked_at, s.revoked_by, s.last_opened_at, s.views`

const shareFrom = ` FROM share_links s LEFT JOIN users u ON u.id = s.created_by`

func scanShareLink(row interface{ Scan(...any) error }) (persona.ShareLink, error) {
	var l persona.ShareLink
	var kind, subjects, lens, frames string
	err := row.Scan(&l.OrgID, &l.ID, &kind, &subjects, &l.Title, &lens, &l.PasswordHash, nullTimeCol{&l.ExpiresAt},
		&frames, &l.CreatedBy, &l.CreatedByName, timeCol{&l.CreatedAt}, nullTimeCol{&l.RevokedAt}, &l.RevokedBy,
		nullTimeCol{&l.LastOpenedAt}, &l.Views)
	if err != nil {
		return l, err
	}
	l.Kind = persona.ShareKind(kind)
	l.SubjectIDs = strings.Fields(subjects)
	if err := json.Unmarshal([]byte(lens), &l.Lens); err != nil {
		return l, err
	}
	if err := json.Unmarshal([]byte(frames), &l.FrameAncestors); err != nil {
		return l, err
	}
	return l, nil
}

// CreateShareLink stores a new link with the hash of its token.
func (s *DB) CreateShareLink(ctx context.Context, l persona.ShareLink, tokenHash string) error {
	lens, err := json.Marshal(l.Lens)
	if err != nil {
		return err
	}
	frames, err := json.Marshal(nonNil(l.FrameAncestors))
	if err != nil {
		return err
	}
	_, err = s.exec(ctx, s.q(), `INSERT INTO share_links (org_id, id, token_hash, kind, subject_ids, title, lens,
		password_hash, expires_at, frame_ancestors, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		l.OrgID, l.ID, tokenHash, string(l.Kind), strings.Join(l.SubjectIDs, " "), l.Title, string(lens),
		l.PasswordHash, nullTS(l.ExpiresAt), string(frames), l.CreatedBy, ts(l.CreatedAt))
	return s.d.mapErr(err)
}

func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

// ShareLinkByTokenHash finds the link of a token, in whichever
// organisation (see above); not-found when there is none.
func (s *DB) ShareLinkByTokenHash(ctx context.Context, tokenHash string) (persona.ShareLink, error) {
	l, err := scanShareLink(s.q().QueryRowContext(ctx, `SELECT `+shareCols+shareFrom+` WHERE s.token_hash = $1`, tokenHash))
	if err == sql.ErrNoRows {
		return l, notFound("share link")
	}
	return l, err
}

// GetShareLink returns one of the organisation's links.
func (s *DB) GetShareLink(ctx context.Context, orgID, id string) (persona.ShareLink, error) {
	l, err := scanShareLink(s.q().QueryRowContext(ctx, `SELECT `+shareCols+shareFrom+` WHERE s.org_id = $1 AND s.id = $2`, orgID, id))
	if err == sql.ErrNoRows {
		return l, notFound("share link")
	}
	return l, err
}

// ListShareLinks returns the organisation's links, newest first.
func (s *DB) ListShareLinks(ctx context.Context, orgID string) ([]persona.ShareLink, error) {
	rows, err := s.q().QueryContext(ctx, `SELECT `+shareCols+shareFrom+` WHERE s.org_id = $1 ORDER BY s.created_at DESC, s.id DESC`, orgID)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanShareLink)
}

// RevokeShareLink ends a live link at once; not-found when the
// organisation has no such link or it was revoked already.
func (s *DB) RevokeShareLink(ctx context.Context, orgID, id, by string, at time.Time) error {
	return s.execOne(ctx, s.q(), "share link", `UPDATE share_links SET revoked_at = $3, revoked_by = $4
		WHERE org_id = $1 AND id = $2 AND revoked_at IS NULL`, orgID, id, ts(at), by)
}

// RecordShareView counts one view of a link.
func (s *DB) RecordShareView(ctx context.Context, orgID, id string, at time.Time) error {
	_, err := s.exec(ctx, s.q(), `UPDATE share_links SET views = views + 1, last_opened_at = $3
		WHERE org_id = $1 AND id = $2`, orgID, id, ts(at))
	return err
}
