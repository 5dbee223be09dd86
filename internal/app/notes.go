package app

import (
	"context"
	"encoding/base64"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/personapal/personapal/internal/persona"
)

// noteStore is the part of Store that keeps notes.
type noteStore interface {
	CreateNote(ctx context.Context, n persona.Note, entry persona.SearchEntry) error
	GetNote(ctx context.Context, orgID, id string) (persona.Note, error)
	ListNotes(ctx context.Context, orgID string, target persona.NoteTarget, targetID string) ([]persona.Note, error)
	// ListNotesPage lists up to limit notes on a target, newest first,
	// after the cursor; CountNotes counts them all.
	ListNotesPage(ctx context.Context, orgID string, target persona.NoteTarget, targetID string, after persona.NoteCursor, limit int) ([]persona.Note, error)
	CountNotes(ctx context.Context, orgID string, target persona.NoteTarget, targetID string) (int, error)
	UpdateNote(ctx context.Context, n persona.Note, entry persona.SearchEntry) error
	DeleteNote(ctx context.Context, orgID, id string) error
}

// noteTarget resolves what a note is on, checking that it is live in the
// organisation, and fills the note's reference columns.
func (s *Service) noteTarget(ctx context.Context, orgID string, n *persona.Note) error {
	switch n.Target {
	case persona.NoteOnOrg:
		n.TargetID = ""
	case persona.NoteOnGroup:
		if _, err := s.store.GetGroup(ctx, orgID, n.TargetID); err != nil {
			return err
		}
		n.GroupID = n.TargetID
	case persona.NoteOnPersona:
		if _, err := s.store.GetPersona(ctx, orgID, n.TargetID); err != nil {
			return err
		}
		n.PersonaID = n.TargetID
	case persona.NoteOnVariant:
		v, err := s.store.GetVariant(ctx, orgID, n.TargetID)
		if err != nil {
			return err
		}
		n.VariantID, n.PersonaID = v.ID, v.PersonaID
	default:
		return persona.Invalid("invalid note", []persona.FieldError{{Field: "target", Message: "must be org, group, persona or variant"}})
	}
	return nil
}

// ListNotes lists the notes on a target, newest first (viewers).
func (s *Service) ListNotes(ctx context.Context, actor Actor, slug string, target persona.NoteTarget, targetID string) ([]persona.Note, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return nil, err
	}
	n := persona.Note{Target: target, TargetID: targetID}
	if err := s.noteTarget(ctx, org.ID, &n); err != nil {
		return nil, err
	}
	return s.store.ListNotes(ctx, org.ID, target, n.TargetID)
}

// NotePage is one page of the notes on a target, newest first.
type NotePage struct {
	Items []persona.Note
	Total int // notes on the target, all pages
	// Older is the cursor of the next page (older notes); "" on the last.
	Older string
}

// NotesPageSize is how many notes a page shows.
const NotesPageSize = 20

// ListNotesPage lists a page of the notes on a target, newest first
// (viewers). cursor is "" for the first page, or a page's Older.
func (s *Service) ListNotesPage(ctx context.Context, actor Actor, slug string, target persona.NoteTarget, targetID, cursor string) (NotePage, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return NotePage{}, err
	}
	after, ok := decodeNoteCursor(cursor)
	if !ok {
		return NotePage{}, persona.Invalid("The page of notes asked for (older) is not one this server linked to.", []persona.FieldError{{Field: "older", Message: "is not a page of notes this server linked to"}})
	}
	n := persona.Note{Target: target, TargetID: targetID}
	if err := s.noteTarget(ctx, org.ID, &n); err != nil {
		return NotePage{}, err
	}
	items, err := s.store.ListNotesPage(ctx, org.ID, target, n.TargetID, after, NotesPageSize+1)
	if err != nil {
		return NotePage{}, err
	}
	total, err := s.store.CountNotes(ctx, org.ID, target, n.TargetID)
	if err != nil {
		return NotePage{}, err
	}
	page := NotePage{Items: items, Total: total}
	if len(items) > NotesPageSize {
		page.Items = items[:NotesPageSize]
		last := page.Items[NotesPageSize-1]
		page.Older = encodeNoteCursor(persona.NoteCursor{CreatedAt: last.CreatedAt, ID: last.ID})
	}
	return page, nil
}

// A note cursor is the last note's creation time and ID, base64url-coded.
func encodeNoteCursor(c persona.NoteCursor) string {
	return base64.RawURLEncoding.EncodeToString([]byte(c.CreatedAt.UTC().Format(time.RFC3339Nano) + " " + c.ID))
}

func decodeNoteCursor(s string) (persona.NoteCursor, bool) {
	if s == "" {
		return persona.NoteCursor{}, true
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) > 200 {
		return persona.NoteCursor{}, false
	}
	at, id, ok := strings.Cut(string(b), " ")
	t, err := time.Parse(time.RFC3339Nano, at)
	if !ok || err != nil || id == "" || !utf8.ValidString(id) {
		return persona.NoteCursor{}, false
	}
	return persona.NoteCursor{CreatedAt: t, ID: id}, true
}

// AddNote writes a note on a target (editors).
func (s *Service) AddNote(ctx context.Context, actor Actor, slug string, target persona.NoteTarget, targetID, body string) (persona.Note, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleEditor)
	if err != nil {
		return persona.Note{}, err
	}
	body, err = persona.ValidateNoteBody(body)
	if err != nil {
		return persona.Note{}, err
	}
	now := s.timestamp()
	n := persona.Note{ID: newID(), OrgID: org.ID, Target: target, TargetID: targetID, Body: body,
		AuthorID: actor.UserID, AuthorName: actor.Name, CreatedAt: now, UpdatedAt: now}
	if err := s.noteTarget(ctx, org.ID, &n); err != nil {
		return persona.Note{}, err
	}
	if err := s.inTx(ctx, s.entry(org.ID, actor, "create", "note", n.ID, noteEntry(n).Title), func(tx Store) error { return tx.CreateNote(ctx, n, noteEntry(n)) }); err != nil {
		return persona.Note{}, err
	}
	return n, nil
}

// noteForChange returns a note its caller may change: its author (an
// editor still) or an admin.
func (s *Service) noteForChange(ctx context.Context, actor Actor, slug, id string) (persona.Note, error) {
	org, role, err := s.scope(ctx, actor, slug, persona.RoleEditor)
	if err != nil {
		return persona.Note{}, err
	}
	n, err := s.store.GetNote(ctx, org.ID, id)
	if err != nil {
		return persona.Note{}, err
	}
	if n.AuthorID != actor.UserID && !role.AtLeast(persona.RoleAdmin) {
		return persona.Note{}, persona.Errorf(persona.CodeForbidden, "only the note's author or an admin can change it")
	}
	return n, nil
}

// UpdateNote replaces a note's Markdown (its author or an admin).
func (s *Service) UpdateNote(ctx context.Context, actor Actor, slug, id, body string) (persona.Note, error) {
	n, err := s.noteForChange(ctx, actor, slug, id)
	if err != nil {
		return persona.Note{}, err
	}
	if n.Body, err = persona.ValidateNoteBody(body); err != nil {
		return persona.Note{}, err
	}
	n.UpdatedAt = s.timestamp()
	if err := s.inTx(ctx, s.entry(n.OrgID, actor, "update", "note", n.ID, noteEntry(n).Title), func(tx Store) error { return tx.UpdateNote(ctx, n, noteEntry(n)) }); err != nil {
		return persona.Note{}, err
	}
	return n, nil
}

// DeleteNote deletes a note (its author or an admin).
func (s *Service) DeleteNote(ctx context.Context, actor Actor, slug, id string) (persona.Note, error) {
	n, err := s.noteForChange(ctx, actor, slug, id)
	if err != nil {
		return persona.Note{}, err
	}
	return n, s.inTx(ctx, s.entry(n.OrgID, actor, "delete", "note", id, noteEntry(n).Title), func(tx Store) error { return tx.DeleteNote(ctx, n.OrgID, id) })
}

// noteEntry is a note's search entry.
func noteEntry(n persona.Note) persona.SearchEntry {
	title := "Note on the organisation"
	switch n.Target {
	case persona.NoteOnGroup:
		title = "Note on a group"
	case persona.NoteOnPersona:
		title = "Note on a persona"
	case persona.NoteOnVariant:
		title = "Note on a customer variant"
	}
	return persona.SearchEntry{OrgID: n.OrgID, Kind: persona.EntryNote, RefID: n.ID, PersonaID: n.PersonaID,
		VariantID: n.VariantID, Title: title, Body: n.Body}
}

// GetNote returns one visible note (viewers).
func (s *Service) GetNote(ctx context.Context, actor Actor, slug, id string) (persona.Note, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return persona.Note{}, err
	}
	return s.store.GetNote(ctx, org.ID, id)
}
