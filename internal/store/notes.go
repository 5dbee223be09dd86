package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/personapal/personapal/internal/persona"
)

// Notes. A note on a persona, or on a variant, is visible only while that
// persona (and variant) is live, so the trash takes notes along.

const noteSelect = `SELECT n.org_id, n.id, n.target, n.target_id, n.group_id, n.persona_id, n.variant_id, n.body,
	n.author_id, COALESCE(u.name, ''), n.created_at, n.updated_at
	FROM notes n
	LEFT JOIN users u ON u.id = n.author_id
	LEFT JOIN personas p ON p.org_id = n.org_id AND p.id = n.persona_id
	LEFT JOIN variants v ON v.org_id = n.org_id AND v.id = n.variant_id
	WHERE n.org_id = $1 AND (n.persona_id IS NULL OR p.deleted_at IS NULL) AND (n.variant_id IS NULL OR v.deleted_at IS NULL)`

func scanNote(row interface{ Scan(...any) error }) (persona.Note, error) {
	var n persona.Note
	err := row.Scan(&n.OrgID, &n.ID, &n.Target, &n.TargetID, strCol{&n.GroupID}, strCol{&n.PersonaID}, strCol{&n.VariantID},
		&n.Body, &n.AuthorID, &n.AuthorName, timeCol{&n.CreatedAt}, timeCol{&n.UpdatedAt})
	return n, err
}

// CreateNote inserts a note and its search entry (skipped when entry.Kind
// is empty). Its group, persona or variant must exist in the organisation
// (not-found otherwise).
func (s *DB) CreateNote(ctx context.Context, n persona.Note, entry persona.SearchEntry) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.insertNote(ctx, tx, n); err != nil {
			return err
		}
		return s.putEntry(ctx, tx, entry)
	})
}

func (s *DB) insertNote(ctx context.Context, tx *sql.Tx, n persona.Note) error {
	_, err := s.exec(ctx, tx, `INSERT INTO notes (org_id, id, target, target_id, group_id, persona_id, variant_id,
		body, author_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		n.OrgID, n.ID, string(n.Target), n.TargetID, nullStr(n.GroupID), nullStr(n.PersonaID), nullStr(n.VariantID),
		n.Body, n.AuthorID, ts(n.CreatedAt), ts(n.UpdatedAt))
	if persona.ErrorCode(err) == persona.CodeInvalid { // a foreign key: no such target here
		return notFound(string(n.Target))
	}
	return err
}

// GetNote returns a visible note.
func (s *DB) GetNote(ctx context.Context, orgID, id string) (persona.Note, error) {
	n, err := scanNote(s.q().QueryRowContext(ctx, noteSelect+` AND n.id = $2`, orgID, id))
	return n, noRows(err, "note")
}

// ListNotes lists the visible notes on one target, newest first.
func (s *DB) ListNotes(ctx context.Context, orgID string, target persona.NoteTarget, targetID string) ([]persona.Note, error) {
	rows, err := s.q().QueryContext(ctx, noteSelect+` AND n.target = $2 AND n.target_id = $3
		ORDER BY n.created_at DESC, n.id DESC`, orgID, string(target), targetID)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanNote)
}

// ListNotesPage lists up to limit visible notes on one target, newest
// first, beginning after the cursor (the first page when it is zero).
func (s *DB) ListNotesPage(ctx context.Context, orgID string, target persona.NoteTarget, targetID string, after persona.NoteCursor, limit int) ([]persona.Note, error) {
	q := noteSelect + ` AND n.target = $2 AND n.target_id = $3`
	args := []any{orgID, string(target), targetID}
	if !after.IsZero() {
		q += ` AND (n.created_at < $4 OR (n.created_at = $4 AND n.id < $5))`
		args = append(args, ts(after.CreatedAt), after.ID)
	}
	args = append(args, limit)
	rows, err := s.db.QueryContext(ctx, q+fmt.Sprintf(` ORDER BY n.created_at DESC, n.id DESC LIMIT $%d`, len(args)), args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanNote)
}

// CountNotes counts the visible notes on one target.
func (s *DB) CountNotes(ctx context.Context, orgID string, target persona.NoteTarget, targetID string) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM notes n
		LEFT JOIN personas p ON p.org_id = n.org_id AND p.id = n.persona_id
		LEFT JOIN variants v ON v.org_id = n.org_id AND v.id = n.variant_id
		WHERE n.org_id = $1 AND (n.persona_id IS NULL OR p.deleted_at IS NULL) AND (n.variant_id IS NULL OR v.deleted_at IS NULL)
		AND n.target = $2 AND n.target_id = $3`, orgID, string(target), targetID).Scan(&n)
	return n, err
}

// UpdateNote replaces a visible note's body and its search entry.
func (s *DB) UpdateNote(ctx context.Context, n persona.Note, entry persona.SearchEntry) error {
	if _, err := s.GetNote(ctx, n.OrgID, n.ID); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		err := s.execOne(ctx, tx, "note", `UPDATE notes SET body = $3, updated_at = $4 WHERE org_id = $1 AND id = $2`,
			n.OrgID, n.ID, n.Body, ts(n.UpdatedAt))
		if err != nil {
			return err
		}
		return s.putEntry(ctx, tx, entry)
	})
}

// DeleteNote deletes a visible note and its search entry for good.
func (s *DB) DeleteNote(ctx context.Context, orgID, id string) error {
	if _, err := s.GetNote(ctx, orgID, id); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.execOne(ctx, tx, "note", `DELETE FROM notes WHERE org_id = $1 AND id = $2`, orgID, id); err != nil {
			return err
		}
		return s.deleteSearchEntry(ctx, tx, orgID, persona.EntryNote, id)
	})
}
