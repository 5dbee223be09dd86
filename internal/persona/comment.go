package persona

import (
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// CommentSubject is the kind of thing a comment thread is on. Every kind
// lives here: adding one (a change proposal, say) is a constant, a line in
// Valid and a case where the app resolves the subject.
type CommentSubject string

// Comment subjects.
const (
	CommentOnPersona   CommentSubject = "persona"
	CommentOnVariant   CommentSubject = "variant"
	CommentOnLaunchpad CommentSubject = "launchpad"
	CommentOnProposal  CommentSubject = "proposal" // a change proposal's discussion
)

// Valid reports whether k is a known comment subject.
func (k CommentSubject) Valid() bool {
	switch k {
	case CommentOnPersona, CommentOnVariant, CommentOnLaunchpad, CommentOnProposal:
		return true
	}
	return false
}

// HasFields reports whether comments on k may name one field (field_key).
func (k CommentSubject) HasFields() bool { return k == CommentOnPersona }

// Comment is one comment in a thread. A thread is a top-level comment
// (ParentID "") and its replies (ParentID the top-level comment's ID): one
// level of replies. The subject is (Subject, SubjectID, FieldKey); FieldKey
// is "" for the subject as a whole. Resolution belongs to the thread (the
// top-level comment). A deleted comment that has replies stays as a
// tombstone (Deleted, empty Body) so the thread keeps its shape.
type Comment struct {
	ID         string         `json:"id"`
	OrgID      string         `json:"-"`
	Subject    CommentSubject `json:"subject_kind"`
	SubjectID  string         `json:"subject_id"`
	FieldKey   string         `json:"field_key,omitempty"`
	ParentID   string         `json:"parent_id,omitempty"`
	PersonaID  string         `json:"persona_id,omitempty"` // the persona it concerns, if any (its trash hides it)
	Body       string         `json:"body"`
	Mentions   []string       `json:"mentions,omitempty"` // user IDs, resolved at write time
	AuthorID   string         `json:"author_id"`
	AuthorName string         `json:"author_name,omitempty"`
	CreatedAt  time.Time      `json:"created_at"`
	UpdatedAt  time.Time      `json:"updated_at"`
	Deleted    bool           `json:"deleted,omitempty"`
	ResolvedAt *time.Time     `json:"resolved_at,omitempty"`
	ResolvedBy string         `json:"resolved_by,omitempty"`
}

// MaxCommentLength bounds a comment's Markdown (the notes' limit: the same
// renderer and its limits).
const MaxCommentLength = MaxNoteLength

// ValidateCommentBody cleans and checks a comment's Markdown like a note's.
func ValidateCommentBody(body string) (string, error) {
	body = CleanText(body)
	msg := ""
	if body == "" {
		msg = "is required"
	} else {
		msg = TextProblem(body, MaxCommentLength)
	}
	if msg != "" {
		return body, Invalid("invalid comment", []FieldError{{Field: "body", Message: msg}})
	}
	return body, nil
}

// A mention is written @[Display Name](user:ID): the autocomplete inserts
// it, so a mention survives renames and never guesses between two people
// with one name. The name may not hold brackets or line breaks.
var mentionRE = regexp.MustCompile(`@\[([^\[\]\n\r]{1,120})\]\(user:([A-Za-z0-9_-]{1,64})\)`)

// MentionToken is how the autocomplete writes a mention of a member.
func MentionToken(name, userID string) string {
	name = strings.Map(func(r rune) rune {
		if r == '[' || r == ']' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, name)
	return "@[" + name + "](user:" + userID + ")"
}

// ResolveMentions keeps the mention tokens of members (isMember says who
// is one) and turns every other token into plain "@Name" text, so a
// mention of somebody outside the organisation is only text. It returns
// the body and the mentioned members' IDs, each once, in order.
func ResolveMentions(body string, isMember func(userID string) bool) (string, []string) {
	var ids []string
	seen := map[string]bool{}
	out := mentionRE.ReplaceAllStringFunc(body, func(tok string) string {
		m := mentionRE.FindStringSubmatch(tok)
		if !isMember(m[2]) {
			return "@" + m[1]
		}
		if !seen[m[2]] {
			seen[m[2]] = true
			ids = append(ids, m[2])
		}
		return tok
	})
	return out, ids
}

// MentionMarkdown rewrites mention tokens as links to a fragment
// (#mention-ID) that the page styles as a highlighted name; the Markdown
// renderer (and its safety rules) does the rest.
func MentionMarkdown(body string) string {
	return mentionRE.ReplaceAllString(body, "[@$1](#mention-$2)")
}

// CommentExcerpt is the first words of a comment as plain text (mentions
// as @Name, Markdown punctuation dropped), at most n characters.
func CommentExcerpt(body string, n int) string {
	s := mentionRE.ReplaceAllString(body, "@$1")
	s = strings.Map(func(r rune) rune {
		switch r {
		case '*', '_', '`', '#', '>', '~', '|':
			return -1
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}
