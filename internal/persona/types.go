// Package persona is the domain core of Persona Pal: organisations, members,
// templates and personas, with the rules that govern them (validation,
// revisions and their diffs, template upgrades, search text). It does no I/O.
package persona

import (
	"slices"
	"time"
)

// ProfileType is the kind of persona a template describes. All four share one
// engine; the UI only relabels sections.
type ProfileType string

const (
	ProfileUX        ProfileType = "ux"
	ProfileMarketing ProfileType = "marketing"
	ProfileArchetype ProfileType = "archetype"
	ProfileAgent     ProfileType = "agent"
)

// ProfileTypes lists every profile type in display order.
var ProfileTypes = []ProfileType{ProfileUX, ProfileMarketing, ProfileArchetype, ProfileAgent}

// Valid reports whether t is a known profile type.
func (t ProfileType) Valid() bool {
	switch t {
	case ProfileUX, ProfileMarketing, ProfileArchetype, ProfileAgent:
		return true
	}
	return false
}

// Label is the human name of the profile type.
func (t ProfileType) Label() string {
	switch t {
	case ProfileUX:
		return "UX persona"
	case ProfileMarketing:
		return "Marketing/sales persona"
	case ProfileArchetype:
		return "Customer archetype"
	case ProfileAgent:
		return "AI agent"
	}
	return string(t)
}

// Role is a member's role in an organisation. Roles are ordered: each one can
// do everything the ones below it can.
type Role string

const (
	RoleViewer Role = "viewer"
	RoleEditor Role = "editor"
	RoleAdmin  Role = "admin"
	RoleOwner  Role = "owner"
)

// Roles are the roles, lowest first (the JSON Schemas and the OpenAPI
// document list them from here).
var Roles = []Role{RoleViewer, RoleEditor, RoleAdmin, RoleOwner}

func (r Role) rank() int {
	switch r {
	case RoleViewer:
		return 1
	case RoleEditor:
		return 2
	case RoleAdmin:
		return 3
	case RoleOwner:
		return 4
	}
	return 0
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r.rank() > 0 }

// AtLeast reports whether r grants everything min grants.
func (r Role) AtLeast(min Role) bool { return r.rank() >= min.rank() && r.rank() > 0 }

// Status is a persona's life-cycle status.
type Status string

const (
	StatusDraft     Status = "draft"
	StatusPublished Status = "published"
	StatusArchived  Status = "archived"
)

// Statuses are the life-cycle statuses, in their order.
var Statuses = []Status{StatusDraft, StatusPublished, StatusArchived}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return slices.Contains(Statuses, s) }

// Org is an organisation: a strictly isolated tenant.
type Org struct {
	ID        string    `json:"id"`
	Slug      string    `json:"slug"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

// User is a person who can sign in. Email is stored lower-cased.
type User struct {
	ID           string    `json:"id"`
	Email        string    `json:"email"`
	Name         string    `json:"name"`
	PasswordHash string    `json:"-"`
	CreatedAt    time.Time `json:"created_at"`
	// EmailVerifiedAt is when the address was verified; nil until then
	// (a sign-up whose link was not opened yet cannot sign in).
	EmailVerifiedAt *time.Time `json:"email_verified_at,omitempty"`
}

// Member is a user's membership of an organisation.
type Member struct {
	OrgID     string    `json:"-"`
	UserID    string    `json:"user_id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	Role      Role      `json:"role"`
	CreatedAt time.Time `json:"created_at"`
}

// OrgMembership is an organisation seen by one of its members.
type OrgMembership struct {
	Org  Org
	Role Role
}

// Token is an API token. Only the hash of its secret is stored.
type Token struct {
	ID         string     `json:"id"`
	UserID     string     `json:"-"`
	Name       string     `json:"name"`
	Hash       string     `json:"-"`
	Prefix     string     `json:"prefix"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty" doc:"When it was last used (written at most once a minute)"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
	// Scope is what the token may do: read only, or read and write.
	Scope TokenScope `json:"scope" enum:"read,write" doc:"read: every write answers 403; write: the owner's roles apply"`
	// ExpiresAt ends the token; nil: it works until revoked.
	ExpiresAt *time.Time `json:"expires_at,omitempty" doc:"After this the token is refused (401); absent: until revoked"`
}

// Group is a persona group inside an organisation.
type Group struct {
	ID           string    `json:"id"`
	OrgID        string    `json:"-"`
	Name         string    `json:"name"`
	Description  string    `json:"description"`
	Position     int       `json:"position" doc:"The group's place in the organisation's order of groups (1 first)"`
	PersonaCount int       `json:"persona_count"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// FieldKind is the type of a template field.
type FieldKind string

const (
	KindText        FieldKind = "text"
	KindMarkdown    FieldKind = "markdown"
	KindList        FieldKind = "list"
	KindNumber      FieldKind = "number"
	KindScale       FieldKind = "scale"
	KindChoice      FieldKind = "choice"
	KindMultiChoice FieldKind = "multi_choice"
	KindTags        FieldKind = "tags"
	KindURL         FieldKind = "url"
	KindDate        FieldKind = "date"
	// KindImage is a picture uploaded for the persona: its value is the
	// picture's image ID (ImageID), its sizes are stored with the persona.
	KindImage FieldKind = "image"
	// KindPersona is a reference to other personas of the organisation
	// (refs.go): its value is a persona ID, or a list of them when the
	// field is Multiple; ProfileTypes, when set, limits the targets.
	KindPersona FieldKind = "persona"
)

// FieldKinds lists every field kind.
var FieldKinds = []FieldKind{KindText, KindMarkdown, KindList, KindNumber, KindScale, KindChoice, KindMultiChoice, KindTags, KindURL, KindDate, KindImage, KindPersona}

// Field is one typed field of a template section. Field keys are unique across
// the whole template version: a persona's values are keyed by field key.
type Field struct {
	Key       string    `json:"key"`
	Label     string    `json:"label"`
	Help      string    `json:"help,omitempty"`
	Kind      FieldKind `json:"kind"`
	Required  bool      `json:"required,omitempty"`
	MaxLength int       `json:"max_length,omitempty"` // text-like kinds; per item for lists
	Min       *float64  `json:"min,omitempty"`        // number, scale
	Max       *float64  `json:"max,omitempty"`        // number, scale
	LowLabel  string    `json:"low_label,omitempty"`  // scale
	HighLabel string    `json:"high_label,omitempty"` // scale
	Options   []string  `json:"options,omitempty"`    // choice, multi_choice
	// Sensitive marks a field that an outside audience never sees: share
	// links and their exports leave it out whatever their lens says.
	Sensitive bool `json:"sensitive,omitempty"`
	// Multiple lets a persona reference field (KindPersona) hold several
	// personas; without it the value is one persona ID.
	Multiple bool `json:"multiple,omitempty"`
	// ProfileTypes limits a persona reference field's targets to these
	// profile types; empty: any persona of the organisation.
	ProfileTypes []ProfileType `json:"profile_types,omitempty"`
}

// Section is an ordered group of fields. Labels optionally relabels the section
// for a profile type ("Jobs to be done" vs "Goals & challenges").
type Section struct {
	Key    string                 `json:"key"`
	Label  string                 `json:"label"`
	Help   string                 `json:"help,omitempty"`
	Labels map[ProfileType]string `json:"labels,omitempty"`
	Fields []Field                `json:"fields"`
}

// LabelFor returns the section label for a profile type.
func (s Section) LabelFor(t ProfileType) string {
	if l, ok := s.Labels[t]; ok && l != "" {
		return l
	}
	return s.Label
}

// DimensionKind is how a comparison dimension is measured.
type DimensionKind string

const (
	DimensionScale  DimensionKind = "scale"
	DimensionChoice DimensionKind = "choice"
)

// DimensionKinds are the kinds of comparison dimension.
var DimensionKinds = []DimensionKind{DimensionScale, DimensionChoice}

// Dimension is a comparison dimension: a scale (Min..Max, integers) or a
// choice list. Comparison views line personas up on these; keys are shared
// across templates wherever the meaning is shared.
type Dimension struct {
	Key       string        `json:"key"`
	Label     string        `json:"label"`
	Help      string        `json:"help,omitempty"`
	Kind      DimensionKind `json:"kind"`
	Min       int           `json:"min,omitempty"`
	Max       int           `json:"max,omitempty"`
	LowLabel  string        `json:"low_label,omitempty"`
	HighLabel string        `json:"high_label,omitempty"`
	Options   []string      `json:"options,omitempty"`
}

// Definition is the schema a template version holds.
type Definition struct {
	Sections   []Section   `json:"sections"`
	Dimensions []Dimension `json:"dimensions"`
}

// Template is a persona schema. Its draft is editable; publishing freezes the
// draft as version LatestVersion+1.
type Template struct {
	ID             string      `json:"id"`
	OrgID          string      `json:"-"`
	Name           string      `json:"name"`
	ProfileType    ProfileType `json:"profile_type"`
	Description    string      `json:"description"`
	LatestVersion  int         `json:"latest_version"` // 0 until first publish
	Draft          Definition  `json:"draft"`
	DraftUpdatedAt time.Time   `json:"draft_updated_at"`
	CreatedAt      time.Time   `json:"created_at"`
	UpdatedAt      time.Time   `json:"updated_at"`
}

// TemplateVersion is a published, immutable version of a template.
type TemplateVersion struct {
	TemplateID   string     `json:"template_id"`
	OrgID        string     `json:"-"`
	Version      int        `json:"version"`
	Definition   Definition `json:"definition"`
	PublishedAt  time.Time  `json:"published_at"`
	PublishedBy  string     `json:"published_by"`
	PersonaCount int        `json:"persona_count"`
}

// Values holds field or dimension values keyed by field or dimension key.
// Canonical forms after validation: string (text, markdown, url, date, choice),
// []string (list, tags, multi_choice), float64 (number, scale and scale
// dimensions).
type Values map[string]any

// Content is everything about a persona that a revision captures and a
// restore brings back.
type Content struct {
	Name               string `json:"name"`
	Summary            string `json:"summary"`
	GroupID            string `json:"group_id"`
	Status             Status `json:"status"`
	OwnerID            string `json:"owner_id"`
	TemplateVersion    int    `json:"template_version"`
	Values             Values `json:"values"`
	Dimensions         Values `json:"dimensions"`
	Retired            Values `json:"retired,omitempty"`          // values of fields the pinned version no longer has
	LastReviewedOn     string `json:"last_reviewed_on,omitempty"` // YYYY-MM-DD
	ReviewIntervalDays int    `json:"review_interval_days,omitempty"`
}

// Persona is one persona built from a template version.
type Persona struct {
	ID          string      `json:"id"`
	OrgID       string      `json:"-"`
	TemplateID  string      `json:"template_id"`
	ProfileType ProfileType `json:"profile_type"`
	Content
	Revision  int        `json:"revision"`
	CreatedAt time.Time  `json:"created_at"`
	CreatedBy string     `json:"created_by"`
	UpdatedAt time.Time  `json:"updated_at"`
	UpdatedBy string     `json:"updated_by"`
	DeletedAt *time.Time `json:"deleted_at,omitempty"`
	DeletedBy string     `json:"deleted_by,omitempty"`
}

// Revision is a full snapshot of a persona's content, taken at every save.
type Revision struct {
	PersonaID string    `json:"persona_id"`
	OrgID     string    `json:"-"`
	Number    int       `json:"revision"`
	AuthorID  string    `json:"author_id"`
	CreatedAt time.Time `json:"created_at"`
	Message   string    `json:"message,omitempty"`
	Content   Content   `json:"content"`
}

// PersonaFilter narrows a persona listing. Empty fields do not filter.
type PersonaFilter struct {
	GroupID     string
	ProfileType ProfileType
	TemplateID  string
	Status      Status
	After       string // keyset cursor: list personas with ID > After
	Limit       int
}

// SearchQuery is an organisation-scoped full-text search.
type SearchQuery struct {
	Text        string
	ProfileType ProfileType
	GroupID     string
	Limit       int
}

// SearchHit is one ranked search result. Snippet marks matched terms with
// SnippetOpen and SnippetClose so that edges can escape the text and then
// highlight safely.
type SearchHit struct {
	PersonaID   string      `json:"persona_id"`
	Name        string      `json:"name"`
	ProfileType ProfileType `json:"profile_type"`
	GroupID     string      `json:"group_id"`
	Status      Status      `json:"status"`
	Snippet     string      `json:"snippet"`
	Rank        float64     `json:"rank"`
}

// Markers that the store puts around matched terms in a snippet. They are
// control characters that validation never lets into user text.
const (
	SnippetOpen  = "\x02"
	SnippetClose = "\x03"
)

// Session is a signed-in browser. Only the hash of its secret is stored.
type Session struct {
	TokenHash string
	UserID    string
	Data      []byte // opaque to the store (the web edge's JSON)
	ExpiresAt time.Time
	// ID names the session to its owner (ending one from the account
	// page); it is not the secret, nor derived from it.
	ID string
	// CreatedAt is the sign-in; LastSeenAt the last use, written at most
	// once a minute (nil for sessions older than this record).
	CreatedAt  *time.Time
	LastSeenAt *time.Time
	// Client and UserAgent are the address and browser last seen using it.
	Client    string
	UserAgent string
}
