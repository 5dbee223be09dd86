package store

import (
	"context"
	"strings"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

// Comments. Like notes, a comment on a persona or a variant is visible
// only while that persona (and variant) is live.

const commentLive = `(c.persona_id IS NULL OR p.deleted_at IS NULL) AND (c.variant_id IS NULL OR v.deleted_at IS NULL)`

const commentSelect = `SELECT c.org_id, c.id, c.subject_kind, c.subject_id, c.field_key, c.parent_id, c.persona_id,
	c.body, c.mentions, c.author_id, COALESCE(u.name, ''), c.created_at, c.updated_at, c.deleted_at, c.resolved_at, c.resolved_by
	FROM comments c
	LEFT JOIN users u ON u.id = c.author_id
	LEFT JOIN personas p ON p.org_id = c.org_id AND p.id = c.persona_id
	LEFT JOIN variants v ON v.org_id = c.org_id AND v.id = c.variant_id
	WHERE c.org_id = $1 AND ` + commentLive

func scanComment(row interface{ Scan(...any) error }) (persona.Comment, error) {
	var c persona.Comment
	var mentions string
	var deleted *time.Time
	err := row.Scan(&c.OrgID, &c.ID, &c.Subject, &c.SubjectID, &c.FieldKey, strCol{&c.ParentID}, strCol{&c.PersonaID},
		&c.Body, &mentions, &c.AuthorID, &c.AuthorName, timeCol{&c.CreatedAt}, timeCol{&c.UpdatedAt},
		nullTimeCol{&deleted}, nullTimeCol{&c.ResolvedAt}, &c.ResolvedBy)
	c.Mentions = strings.Fields(mentions)
	c.Deleted = deleted != nil
	return c, err
}

// commentRefs are the typed reference columns of a comment's subject.
func commentRefs(c persona.Comment) (variantID, launchpadID, proposalID any) {
	switch c.Subject {
	case persona.CommentOnVariant:
		variantID = c.SubjectID
	case persona.CommentOnLaunchpad:
		launchpadID = c.SubjectID
	case persona.CommentOnProposal:
		proposalID = c.SubjectID
	}
	return variantID, launchpadID, proposalID
}

// CreateComment inserts a comment. Its subject (and parent) must exist in
// the organisation (not-found otherwise).
func (s *DB) CreateComment(ctx context.Context, c persona.Comment) error {
	variantID, launchpadID, proposalID := commentRefs(c)
	_, err := s.exec(ctx, s.q(), `INSERT INTO comments (org_id, id, subject_kind, subject_id, field_key, parent_id,
		persona_id, variant_id, launchpad_id, proposal_id, body, mentions, author_id, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
		c.OrgID, c.ID, string(c.Subject), c.SubjectID, c.FieldKey, nullStr(c.ParentID), nullStr(c.PersonaID),
		variantID, launchpadID, proposalID, c.Body, strings.Join(c.Mentions, " "), c.AuthorID, ts(c.CreatedAt), ts(c.UpdatedAt))
	if persona.ErrorCode(err) == persona.CodeInvalid { // a foreign key: no such subject here
		return notFound(string(c.Subject))
	}
	return err
}

// GetComment returns a visible comment (a tombstone too).
func (s *DB) GetComment(ctx context.Context, orgID, id string) (persona.Comment, error) {
	c, err := scanComment(s.q().QueryRowContext(ctx, commentSelect+` AND c.id = $2`, orgID, id))
	return c, noRows(err, "comment")
}

// ListComments lists the visible comments on a subject, every field's
// included, oldest first.
func (s *DB) ListComments(ctx context.Context, orgID string, subject persona.CommentSubject, subjectID string) ([]persona.Comment, error) {
	rows, err := s.q().QueryContext(ctx, commentSelect+` AND c.subject_kind = $2 AND c.subject_id = $3
		ORDER BY c.created_at, c.id`, orgID, string(subject), subjectID)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanComment)
}

// UpdateComment writes a visible comment's changeable columns: body,
// mentions, updated_at, deleted (a tombstone) and the thread's resolution.
func (s *DB) UpdateComment(ctx context.Context, c persona.Comment) error {
	if _, err := s.GetComment(ctx, c.OrgID, c.ID); err != nil {
		return err
	}
	var deleted any
	if c.Deleted {
		deleted = ts(c.UpdatedAt)
	}
	return s.execOne(ctx, s.q(), "comment", `UPDATE comments SET body = $3, mentions = $4, updated_at = $5,
		deleted_at = $6, resolved_at = $7, resolved_by = $8 WHERE org_id = $1 AND id = $2`,
		c.OrgID, c.ID, c.Body, strings.Join(c.Mentions, " "), ts(c.UpdatedAt), deleted, nullTS(c.ResolvedAt), c.ResolvedBy)
}

// DeleteComment deletes a visible comment, and its replies, for good.
func (s *DB) DeleteComment(ctx context.Context, orgID, id string) error {
	if _, err := s.GetComment(ctx, orgID, id); err != nil {
		return err
	}
	return s.execOne(ctx, s.q(), "comment", `DELETE FROM comments WHERE org_id = $1 AND id = $2`, orgID, id)
}

// CountPersonaComments maps each live persona of the organisation with
// comments (on it or its fields, tombstones not counted) to how many: one
// query for every card of a page.
func (s *DB) CountPersonaComments(ctx context.Context, orgID string) (map[string]int, error) {
	rows, err := s.q().QueryContext(ctx, `SELECT c.subject_id, COUNT(*) FROM comments c
		JOIN personas p ON p.org_id = c.org_id AND p.id = c.subject_id
		WHERE c.org_id = $1 AND c.subject_kind = 'persona' AND c.deleted_at IS NULL AND p.deleted_at IS NULL
		GROUP BY c.subject_id`, orgID)
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
