package persona

import "time"

// NotificationKind names why somebody is told about something. Each kind
// has its own per-user preference (in the app, by e-mail at once, in the
// daily digest, or not at all).
type NotificationKind string

const (
	// NotifyMention: somebody @mentioned you in a comment (e-mailed at
	// once by default).
	NotifyMention NotificationKind = "mention"
	// NotifyComment: a comment on a persona you own.
	NotifyComment NotificationKind = "comment"
	// NotifyReviewDue: a persona you own is due for review.
	NotifyReviewDue NotificationKind = "review_due"
	// NotifyBaseChanged: a field a variant overrides changed on its base
	// persona.
	NotifyBaseChanged NotificationKind = "base_changed"
	// NotifyProposalAwaits: a change proposal awaits your decision.
	NotifyProposalAwaits NotificationKind = "proposal_awaits"
	// NotifyProposalDecided: your change proposal was accepted or
	// declined.
	NotifyProposalDecided NotificationKind = "proposal_decided"
)

// Notification tells one member of an organisation about one event. The
// use case that causes it writes it in its own transaction (app's notify),
// so it exists exactly when the change does.
type Notification struct {
	ID     string           `json:"id"`
	OrgID  string           `json:"-"`
	UserID string           `json:"-"` // the member told
	Kind   NotificationKind `json:"kind"`
	// ActorID is who caused it ("" for the system, e.g. a review falling
	// due). Nobody is notified of their own actions.
	ActorID string `json:"actor_id,omitempty"`
	// ObjectKind and ObjectID name what it is about ("persona",
	// "variant", "comment", "proposal", "launchpad").
	ObjectKind string `json:"object_kind"`
	ObjectID   string `json:"object_id"`
	// PersonaID is the persona it concerns, if any.
	PersonaID string `json:"persona_id,omitempty"`
	// Title is one plain sentence: "Ana Lopez mentioned you on
	// Compliance Analyst".
	Title string `json:"title"`
	// Excerpt is a short plain-text quote (a comment's first words).
	Excerpt string `json:"excerpt,omitempty"`
	// Link is the path inside the app that shows it
	// ("/o/acme/personas/ID#comment-ID").
	Link      string     `json:"link"`
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at,omitempty"`
}
