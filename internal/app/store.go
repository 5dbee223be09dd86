package app

import (
	"context"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

// Store is the persistence the application needs. Every method that touches
// an organisation's data takes the organisation's ID first and never reads or
// writes outside it. Each method is one transaction: a multi-row change is
// all-or-nothing. Errors are *persona.Error with CodeNotFound / CodeConflict /
// CodePreconditionFailed where the caller can act on them; anything else is
// internal.
type Store interface {
	// InTx runs fn with a Store bound to one transaction: what fn does
	// through it is stored together, when fn returns nil, or not at all.
	// Every store method called on it joins that transaction (so does a
	// nested InTx). Use cases call it through Service.inTx.
	InTx(ctx context.Context, fn func(tx Store) error) error
	// LockOrg serialises the calling transaction with every other one that
	// locks the organisation, until it ends (call it inside InTx).
	LockOrg(ctx context.Context, orgID string) error

	// Accounts (not organisation-scoped: a user may belong to several).
	CreateUser(ctx context.Context, u persona.User) error
	UserByEmail(ctx context.Context, email string) (persona.User, error)
	UserByID(ctx context.Context, id string) (persona.User, error)
	SetPassword(ctx context.Context, userID, hash string) error

	CreateToken(ctx context.Context, t persona.Token) error
	// TokenByHash returns an unrevoked token.
	TokenByHash(ctx context.Context, hash string) (persona.Token, error)
	// TokenUserByHash returns an unrevoked token and its user.
	TokenUserByHash(ctx context.Context, hash string) (persona.Token, persona.User, error)
	// TokenAuth returns an unrevoked token's ID, its user (ID, email and
	// name) and the user's membership in the organisation with this slug
	// (Role "" when none).
	TokenAuth(ctx context.Context, hash, slug string) (TokenAuth, error)
	ListTokens(ctx context.Context, userID string) ([]persona.Token, error)
	RevokeToken(ctx context.Context, userID, tokenID string, at time.Time) error
	// TouchToken records a token's use at at unless its recorded last use
	// is after ifBefore; it reports whether it wrote.
	TouchToken(ctx context.Context, tokenID string, at, ifBefore time.Time) (bool, error)

	// Organisations and members. CreateOrg writes the organisation, its owner
	// membership and its starter templates (each with its first published
	// version) atomically.
	CreateOrg(ctx context.Context, org persona.Org, owner persona.Member, templates []persona.Template, versions []persona.TemplateVersion) error
	// OrgForMember returns the organisation with the slug and the user's role
	// in it; not-found when it does not exist or the user is not a member.
	OrgForMember(ctx context.Context, slug, userID string) (persona.Org, persona.Role, error)
	OrgsForUser(ctx context.Context, userID string) ([]persona.OrgMembership, error)
	// OrgBySlug finds an organisation without a membership check; only
	// trusted local administration (the CLI) reaches it.
	OrgBySlug(ctx context.Context, slug string) (persona.Org, error)
	CountOrgs(ctx context.Context) (int, error)
	UpdateOrg(ctx context.Context, org persona.Org) error
	ListMembers(ctx context.Context, orgID string) ([]persona.Member, error)
	GetMember(ctx context.Context, orgID, userID string) (persona.Member, error)
	AddMember(ctx context.Context, m persona.Member) error
	SetMemberRole(ctx context.Context, orgID, userID string, role persona.Role) error
	RemoveMember(ctx context.Context, orgID, userID string) error

	// Groups. DeleteGroup refuses (conflict) while personas, trashed ones
	// included, belong to the group.
	CreateGroup(ctx context.Context, g persona.Group) error
	GetGroup(ctx context.Context, orgID, id string) (persona.Group, error)
	ListGroups(ctx context.Context, orgID string) ([]persona.Group, error)
	// GroupExists reports whether the organisation has the group.
	GroupExists(ctx context.Context, orgID, id string) (bool, error)
	// ObjectNames maps IDs of objects of one kind ("persona", "variant",
	// "template", "group", "evidence", "launchpad", "invitation", "member")
	// in the organisation to what they are called now; absent: deleted,
	// another organisation's or a kind without names.
	ObjectNames(ctx context.Context, orgID, kind string, ids []string) (map[string]persona.ObjectName, error)
	// GroupNames maps the organisation's group IDs to their names.
	GroupNames(ctx context.Context, orgID string) (map[string]string, error)
	UpdateGroup(ctx context.Context, g persona.Group) error
	DeleteGroup(ctx context.Context, orgID, id string) error

	// Templates and their versions. Published versions are immutable.
	CreateTemplate(ctx context.Context, t persona.Template) error
	GetTemplate(ctx context.Context, orgID, id string) (persona.Template, error)
	ListTemplates(ctx context.Context, orgID string) ([]persona.Template, error)
	// TemplateHead returns a template without its draft.
	TemplateHead(ctx context.Context, orgID, id string) (persona.Template, error)
	// TemplateNames maps the organisation's template IDs to their names.
	TemplateNames(ctx context.Context, orgID string) (map[string]string, error)
	// UpdateTemplate writes name, description, draft and their timestamps.
	UpdateTemplate(ctx context.Context, t persona.Template) error
	// PublishVersion inserts v and sets the template's latest version to
	// v.Version; conflict when that version already exists.
	PublishVersion(ctx context.Context, v persona.TemplateVersion) error
	GetVersion(ctx context.Context, orgID, templateID string, version int) (persona.TemplateVersion, error)
	// ListVersions returns versions newest first with their persona counts.
	ListVersions(ctx context.Context, orgID, templateID string) ([]persona.TemplateVersion, error)

	// Personas. Create and Update also write the revision rev; searchText is
	// the text indexed for full-text search.
	CreatePersona(ctx context.Context, p persona.Persona, rev persona.Revision, searchText string) error
	// GetPersona returns a live (not trashed) persona.
	GetPersona(ctx context.Context, orgID, id string) (persona.Persona, error)
	// GetPersonas returns the live personas with the given IDs, in that order,
	// skipping IDs that do not exist.
	GetPersonas(ctx context.Context, orgID string, ids []string) ([]persona.Persona, error)
	ListPersonas(ctx context.Context, orgID string, f persona.PersonaFilter) ([]persona.Persona, error)
	// ListPersonaHeads is ListPersonas without the content: values and
	// dimensions empty, retired values nil.
	ListPersonaHeads(ctx context.Context, orgID string, f persona.PersonaFilter) ([]persona.Persona, error)
	// GetPersonaEncoded and ListPersonasEncoded are GetPersona and
	// ListPersonas with the values kept encoded (persona.Encoded).
	GetPersonaEncoded(ctx context.Context, orgID, id string) (persona.Encoded, error)
	// PersonaRevision is a live persona's revision.
	PersonaRevision(ctx context.Context, orgID, id string) (int, error)
	ListPersonasEncoded(ctx context.Context, orgID string, f persona.PersonaFilter) ([]persona.Encoded, error)
	// UpdatePersona writes p as revision p.Revision when the stored revision
	// is still p.Revision-1; otherwise precondition-failed with the current
	// revision, and nothing is written.
	UpdatePersona(ctx context.Context, p persona.Persona, rev persona.Revision, searchText string) error
	TrashPersona(ctx context.Context, orgID, id, by string, at time.Time) error
	// PersonaExternalIDs maps the external ID of every live persona to its ID;
	// SetPersonaExternalID records one (imports.go).
	PersonaExternalIDs(ctx context.Context, orgID string) (map[string]string, error)
	SetPersonaExternalID(ctx context.Context, orgID, personaID, ext string) error
	RestorePersona(ctx context.Context, orgID, id string) error
	// PurgePersona deletes a trashed persona and its revisions for good.
	PurgePersona(ctx context.Context, orgID, id string) error
	ListTrash(ctx context.Context, orgID string) ([]persona.Persona, error)
	// GetTrashedPersona returns a persona that is in the trash.
	GetTrashedPersona(ctx context.Context, orgID, id string) (persona.Persona, error)

	ListRevisions(ctx context.Context, orgID, personaID string) ([]persona.Revision, error)
	GetRevision(ctx context.Context, orgID, personaID string, number int) (persona.Revision, error)

	SearchPersonas(ctx context.Context, orgID string, q persona.SearchQuery) ([]persona.SearchHit, error)
	// SearchEntries searches variants, notes and evidence; entries of
	// trashed personas or variants are left out.
	SearchEntries(ctx context.Context, orgID, text string, limit int) ([]persona.EntryHit, error)

	// Browser sessions and sign-in throttling (shared by every instance).
	CreateSession(ctx context.Context, sess persona.Session) error
	// SessionByHash returns a session unexpired at now.
	SessionByHash(ctx context.Context, hash string, now time.Time) (persona.Session, error)
	UpdateSession(ctx context.Context, sess persona.Session) error
	DeleteSession(ctx context.Context, hash string) error
	DeleteUserSessions(ctx context.Context, userID string) error
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error)
	// UpdateLoginCounters hands decide the sign-in throttling counters
	// with these keys (a missing one reads as count 0 in a window starting
	// at now) and stores the counters it returns (in the same order; empty
	// ones are deleted), in one transaction that holds them locked: an
	// attempt on any instance is decided on counts no other attempt is
	// changing. An error from decide writes nothing.
	UpdateLoginCounters(ctx context.Context, now time.Time, keys []string,
		decide func([]persona.LoginCounter) ([]persona.LoginCounter, error)) error
	// DeleteStaleLoginCounters removes counters whose window began before
	// windowsBefore and whose next slot has passed at now.
	DeleteStaleLoginCounters(ctx context.Context, windowsBefore, now time.Time) (int64, error)

	// Each user's security log (sign-ins, tokens, passwords), never an
	// organisation's.
	AppendSecurityEvent(ctx context.Context, e persona.SecurityEvent) error
	// ListSecurityEvents lists newest first, below the sequence number
	// before (0: the newest).
	ListSecurityEvents(ctx context.Context, userID string, before int64, limit int) ([]persona.SecurityEvent, error)
	// ResetAccess sets the password (unless PasswordHash is ""), ends every
	// session and, with RevokeTokens, revokes every active API token of the
	// user, and records Event, in one transaction; it returns the number of
	// tokens revoked.
	ResetAccess(ctx context.Context, r AccessReset) (int, error)

	selfServiceStore // selfservice.go: setup codes, sign-up links, sessions, names

	variantStore
	noteStore
	evidenceStore
	alignmentStore
	launchpadStore
	importStore
	batchStore
	auditStore
	invitationStore
	ssoStore
	orgLifeStore
	queueStore
	proposalStore
	reviewStore // reviews.go
	usageStore  // usage.go
	webhookStore
	linkStore
	presenceStore // presence.go
	commentStore
	notificationStore // notify.go
	outboxStore
	homeStore
	shareStore    // shares.go
	photoStore    // photos.go
	workLinkStore // worklinks.go
	mergeStore    // duplicates.go
	refStore      // refs.go
}

// AccessReset is a change to a user's access (Store.ResetAccess).
type AccessReset struct {
	UserID       string
	PasswordHash string // "" keeps the password
	RevokeTokens bool
	At           time.Time
	Event        persona.SecurityEvent
}

// TokenAuth is what authenticating an API request to an organisation needs.
type TokenAuth struct {
	TokenID string
	// Scope, ExpiresAt and LastUsedAt are the token's.
	Scope      persona.TokenScope
	ExpiresAt  *time.Time
	LastUsedAt *time.Time
	User       persona.User // ID, Email and Name
	Org        persona.Org  // empty unless the user is a member
	Role       persona.Role // "" unless the user is a member
}
