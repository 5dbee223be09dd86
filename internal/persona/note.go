package persona

import (
	"time"
)

// NoteTarget is what a note is written on.
type NoteTarget string

// Note targets.
const (
	NoteOnOrg     NoteTarget = "org"
	NoteOnGroup   NoteTarget = "group"
	NoteOnPersona NoteTarget = "persona"
	NoteOnVariant NoteTarget = "variant"
)

// Valid reports whether t is a known note target.
func (t NoteTarget) Valid() bool {
	return t == NoteOnOrg || t == NoteOnGroup || t == NoteOnPersona || t == NoteOnVariant
}

// Note is a Markdown note on an organisation, a group, a persona or a
// variant. A note on a persona or a variant goes to the trash with it.
type Note struct {
	ID         string     `json:"id"`
	OrgID      string     `json:"-"`
	Target     NoteTarget `json:"target"`
	TargetID   string     `json:"target_id"` // empty for the organisation
	PersonaID  string     `json:"-"`         // the persona whose trash hides the note
	VariantID  string     `json:"-"`
	GroupID    string     `json:"-"`
	Body       string     `json:"body"`
	AuthorID   string     `json:"author_id"`
	AuthorName string     `json:"author_name,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
}

// NoteCursor marks where a page of notes (newest first) ended: the
// creation time and ID of its last note. The next page holds the notes
// created before it (or at the same time with a smaller ID).
type NoteCursor struct {
	CreatedAt time.Time
	ID        string
}

// IsZero reports whether the cursor is unset (the first page).
func (c NoteCursor) IsZero() bool { return c.ID == "" }

// MaxNoteLength bounds a note's Markdown.
const MaxNoteLength = 20000

// ValidateNoteBody cleans a note's Markdown (CleanText) and checks it as
// multi-line text (TextProblem).
func ValidateNoteBody(body string) (string, error) {
	body = CleanText(body)
	msg := ""
	if body == "" {
		msg = "is required"
	} else {
		msg = TextProblem(body, MaxNoteLength)
	}
	if msg != "" {
		return body, Invalid("invalid note", []FieldError{{Field: "body", Message: msg}})
	}
	return body, nil
}
