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

// NotificationKinds lists every kind, in the order the preferences show
// them.
var NotificationKinds = []NotificationKind{NotifyMention, NotifyComment, NotifyReviewDue,
	NotifyBaseChanged, NotifyProposalAwaits, NotifyProposalDecided}

// Label says what a kind is about, for the preferences.
func (k NotificationKind) Label() string {
	switch k {
	case NotifyMention:
		return "Someone mentions you in a comment"
	case NotifyComment:
		return "A comment on a persona you own"
	case NotifyReviewDue:
		return "A persona you own is due for review"
	case NotifyBaseChanged:
		return "A persona changes under a variant's override you made"
	case NotifyProposalAwaits:
		return "A change proposal awaits your decision"
	case NotifyProposalDecided:
		return "Your change proposal is accepted or declined"
	}
	return string(k)
}

// Known reports whether k is one of NotificationKinds.
func (k NotificationKind) Known() bool {
	for _, x := range NotificationKinds {
		if x == k {
			return true
		}
	}
	return false
}

// NotifyChannel is how a member wants one kind of notification.
type NotifyChannel string

// The channels. Each but ChannelOff shows the notification in the app.
const (
	ChannelEmail  NotifyChannel = "email"  // and e-mailed at once
	ChannelDigest NotifyChannel = "digest" // and in the daily e-mail digest
	ChannelApp    NotifyChannel = "app"    // in the app only
	ChannelOff    NotifyChannel = "off"    // not at all
)

// NotifyChannels lists every channel, in the order the preferences show
// them.
var NotifyChannels = []NotifyChannel{ChannelEmail, ChannelDigest, ChannelApp, ChannelOff}

// Label names a channel for the preferences.
func (c NotifyChannel) Label() string {
	switch c {
	case ChannelEmail:
		return "E-mail at once"
	case ChannelDigest:
		return "Daily digest"
	case ChannelApp:
		return "In the app only"
	case ChannelOff:
		return "Off"
	}
	return string(c)
}

// ParseChannel reads a channel's name.
func ParseChannel(s string) (NotifyChannel, bool) {
	for _, c := range NotifyChannels {
		if string(c) == s {
			return c, true
		}
	}
	return "", false
}

// DefaultChannel is a kind's channel for members who have not chosen:
// mentions are e-mailed at once, everything else waits for the digest.
func (k NotificationKind) DefaultChannel() NotifyChannel {
	if k == NotifyMention {
		return ChannelEmail
	}
	return ChannelDigest
}

// NotifyPrefs are a member's channels by kind; a missing kind has its
// default.
type NotifyPrefs map[NotificationKind]NotifyChannel

// Channel is the member's channel for kind.
func (p NotifyPrefs) Channel(k NotificationKind) NotifyChannel {
	if c, ok := p[k]; ok {
		return c
	}
	return k.DefaultChannel()
}

// NotificationFilter selects a member's notifications: unread only or
// all, newest first, at most Limit (1–100; 0: 50), older than Before (an
// ID from the previous page, "" for the first).
type NotificationFilter struct {
	UnreadOnly bool
	Before     string
	Limit      int
}

// MaxNotificationExcerpt bounds a notification's excerpt, in characters.
const MaxNotificationExcerpt = 200

// NewlyBaseChanged lists the paths of v's overrides whose base value
// differs between before and after: the overrides a save of the base just
// moved the ground under.
func NewlyBaseChanged(before, after Content, v VariantContent) []string {
	var out []string
	for _, p := range v.OverridePaths() {
		if !sameJSON(normalEmpty(baseValue(before, p)), normalEmpty(baseValue(after, p))) {
			out = append(out, p)
		}
	}
	return out
}
