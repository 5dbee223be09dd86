package store

import (
	"context"
	"database/sql"
	"strconv"

	"github.com/personapal/personapal/internal/persona"
)

// Work links: external work items attached to a persona.

const workCols = `w.org_id, w.id, w.persona_id, w.url, w.title, w.kind, w.created_at, w.created_by, COALESCE(u.name, '')`

const workFrom = ` FROM work_links w LEFT JOIN users u ON u.id = w.created_by`

func scanWorkLink(row interface{ Scan(...any) error }) (persona.WorkLink, error) {
	var l persona.WorkLink
	var kind string
	err := row.Scan(&l.OrgID, &l.ID, &l.PersonaID, &l.URL, &l.Title, &kind, timeCol{&l.CreatedAt}, &l.CreatedBy, &l.CreatedByName)
	l.Kind = persona.WorkKind(kind)
	return l, err
}

// CreateWorkLink stores a new work link; not-found when the organisation
// has no such persona.
func (s *DB) CreateWorkLink(ctx context.Context, l persona.WorkLink) error {
	_, err := s.exec(ctx, s.q(), `INSERT INTO work_links (org_id, id, persona_id, url, title, kind, created_at, created_by)
		SELECT $1, $2, $3, $4, $5, $6, $7, $8 WHERE EXISTS (SELECT 1 FROM personas WHERE org_id = $1 AND id = $3)`,
		l.OrgID, l.ID, l.PersonaID, l.URL, l.Title, string(l.Kind), ts(l.CreatedAt), l.CreatedBy)
	if err != nil {
		return s.d.mapErr(err)
	}
	if _, err := s.GetWorkLink(ctx, l.OrgID, l.ID); err != nil {
		return notFound("persona")
	}
	return nil
}

// GetWorkLink returns one of the organisation's work links.
func (s *DB) GetWorkLink(ctx context.Context, orgID, id string) (persona.WorkLink, error) {
	l, err := scanWorkLink(s.q().QueryRowContext(ctx, `SELECT `+workCols+workFrom+` WHERE w.org_id = $1 AND w.id = $2`, orgID, id))
	if err == sql.ErrNoRows {
		return l, notFound("work link")
	}
	return l, err
}

// ListWorkLinks returns a persona's work links, oldest first.
func (s *DB) ListWorkLinks(ctx context.Context, orgID, personaID string) ([]persona.WorkLink, error) {
	rows, err := s.q().QueryContext(ctx, `SELECT `+workCols+workFrom+` WHERE w.org_id = $1 AND w.persona_id = $2
		ORDER BY w.created_at, w.id`, orgID, personaID)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanWorkLink)
}

// ListOrgWorkLinks returns the work links of the organisation's live
// (not trashed) personas, newest first, narrowed by the filter.
func (s *DB) ListOrgWorkLinks(ctx context.Context, orgID string, f persona.WorkLinkFilter) ([]persona.WorkLink, error) {
	q := `SELECT ` + workCols + workFrom + ` WHERE w.org_id = $1
		AND EXISTS (SELECT 1 FROM personas p WHERE p.org_id = w.org_id AND p.id = w.persona_id AND p.deleted_at IS NULL)`
	args := []any{orgID}
	if f.PersonaID != "" {
		args = append(args, f.PersonaID)
		q += ` AND w.persona_id = $` + strconv.Itoa(len(args))
	}
	if f.Kind != "" {
		args = append(args, string(f.Kind))
		q += ` AND w.kind = $` + strconv.Itoa(len(args))
	}
	q += ` ORDER BY w.created_at DESC, w.id DESC`
	if f.Limit > 0 {
		q += ` LIMIT ` + strconv.Itoa(f.Limit)
	}
	rows, err := s.q().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanWorkLink)
}

// CountWorkLinks counts a persona's work links.
func (s *DB) CountWorkLinks(ctx context.Context, orgID, personaID string) (int, error) {
	var n int
	err := s.q().QueryRowContext(ctx, `SELECT COUNT(*) FROM work_links WHERE org_id = $1 AND persona_id = $2`, orgID, personaID).Scan(&n)
	return n, err
}

// DeleteWorkLink removes one of the organisation's work links.
func (s *DB) DeleteWorkLink(ctx context.Context, orgID, id string) error {
	return s.execOne(ctx, s.q(), "work link", `DELETE FROM work_links WHERE org_id = $1 AND id = $2`, orgID, id)
}
