package persona

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// ShareKind is what a share link shows.
type ShareKind string

const (
	ShareOfPersona    ShareKind = "persona"
	ShareOfVariant    ShareKind = "variant"
	ShareOfComparison ShareKind = "comparison"
	ShareOfLaunchpad  ShareKind = "launchpad"
)

// Valid reports whether k is a kind of share link.
func (k ShareKind) Valid() bool {
	switch k {
	case ShareOfPersona, ShareOfVariant, ShareOfComparison, ShareOfLaunchpad:
		return true
	}
	return false
}

// Limits of a share link.
const (
	MaxShareTitle          = 200
	MaxShareFrameAncestors = 10
	MinSharePassword       = 8
	MaxSharePassword       = 200
)

// ShareLens is what an outside audience of a share link does not see.
// Sensitive fields are hidden whatever the lens says.
type ShareLens struct {
	HiddenSections []string `json:"hidden_sections,omitempty"` // section keys
	HiddenFields   []string `json:"hidden_fields,omitempty"`   // field and dimension keys
	HideEvidence   bool     `json:"hide_evidence,omitempty"`
	HideNotes      bool     `json:"hide_notes,omitempty"`
	HideComments   bool     `json:"hide_comments,omitempty"`
	HideMembers    bool     `json:"hide_members,omitempty"` // owner and authors' names
}

// ShowsSection reports whether the lens lets the section through.
func (l ShareLens) ShowsSection(key string) bool { return !slices.Contains(l.HiddenSections, key) }

// ShowsField reports whether the lens lets the field of the section
// through: not sensitive, not hidden, in a section that is not hidden.
func (l ShareLens) ShowsField(s Section, f Field) bool {
	return !f.Sensitive && l.ShowsSection(s.Key) && !slices.Contains(l.HiddenFields, f.Key)
}

// Lensed returns the definition reduced to what the lens shows: hidden
// sections and fields are gone, and so is a section left without fields.
func (l ShareLens) Lensed(def Definition) Definition {
	out := Definition{}
	for _, d := range def.Dimensions {
		if !slices.Contains(l.HiddenFields, d.Key) {
			out.Dimensions = append(out.Dimensions, d)
		}
	}
	for _, s := range def.Sections {
		if !l.ShowsSection(s.Key) {
			continue
		}
		t := s
		t.Fields = nil
		for _, f := range s.Fields {
			if l.ShowsField(s, f) {
				t.Fields = append(t.Fields, f)
			}
		}
		if len(t.Fields) > 0 {
			out.Sections = append(out.Sections, t)
		}
	}
	return out
}

// LensedValues keeps only the values of fields the lensed definition has:
// a value the audience must not see never leaves the application.
func LensedValues(lensed Definition, v Values) Values {
	out := Values{}
	for _, s := range lensed.Sections {
		for _, f := range s.Fields {
			if x, ok := v[f.Key]; ok {
				out[f.Key] = x
			}
		}
	}
	return out
}

// LensedDimensions keeps only the dimension values the lensed definition
// has.
func LensedDimensions(lensed Definition, v Values) Values {
	out := Values{}
	for _, d := range lensed.Dimensions {
		if x, ok := v[d.Key]; ok {
			out[d.Key] = x
		}
	}
	return out
}

// ShareLink is a read-only address for people without an account.
type ShareLink struct {
	ID    string    `json:"id"`
	OrgID string    `json:"-"`
	Kind  ShareKind `json:"kind"`
	// SubjectIDs is the shared object: one persona, variant or Launchpad,
	// or the personas of a comparison, in order.
	SubjectIDs []string  `json:"subject_ids"`
	Title      string    `json:"title"`
	Lens       ShareLens `json:"lens"`
	// PasswordHash is empty for a link without a password (never shown).
	PasswordHash string     `json:"-"`
	ExpiresAt    *time.Time `json:"expires_at,omitempty"`
	// FrameAncestors are the origins that may embed the link.
	FrameAncestors []string   `json:"frame_ancestors,omitempty"`
	CreatedBy      string     `json:"created_by"`
	CreatedByName  string     `json:"created_by_name,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	RevokedAt      *time.Time `json:"revoked_at,omitempty"`
	RevokedBy      string     `json:"revoked_by,omitempty"`
	LastOpenedAt   *time.Time `json:"last_opened_at,omitempty"`
	Views          int64      `json:"views"`
}

// HasPassword reports whether the link asks for a password.
func (l ShareLink) HasPassword() bool { return l.PasswordHash != "" }

// Live reports whether the link still opens at now.
func (l ShareLink) Live(now time.Time) bool {
	return l.RevokedAt == nil && (l.ExpiresAt == nil || now.Before(*l.ExpiresAt))
}

// State says in a word what the link is at now.
func (l ShareLink) State(now time.Time) string {
	switch {
	case l.RevokedAt != nil:
		return "revoked"
	case l.ExpiresAt != nil && !now.Before(*l.ExpiresAt):
		return "expired"
	}
	return "active"
}

// NormaliseOrigin checks an origin allowed to embed a link and returns it
// in the form a frame-ancestors source takes: scheme://host[:port], https
// (or http only for localhost), no path, no wildcard.
func NormaliseOrigin(s string) (string, error) {
	s = strings.TrimRight(strings.TrimSpace(s), "/")
	scheme, rest, ok := strings.Cut(s, "://")
	scheme = strings.ToLower(scheme)
	if !ok || rest == "" || strings.ContainsAny(rest, "/?#*@ ;,'\"\\") {
		return "", originError(fmt.Sprintf("%q is not an origin like https://example.com", s))
	}
	host := strings.ToLower(rest)
	hostOnly := host
	if h, _, ok := strings.Cut(host, ":"); ok && !strings.HasPrefix(host, "[") {
		hostOnly = h
	}
	local := hostOnly == "localhost" || hostOnly == "127.0.0.1" || hostOnly == "[::1]"
	if scheme != "https" && !(scheme == "http" && local) {
		return "", originError(fmt.Sprintf("%q must start with https://", s))
	}
	return scheme + "://" + host, nil
}

func originError(msg string) error {
	return Invalid(msg, []FieldError{{Field: "frame_ancestors", Message: msg}})
}
