package persona

import (
	"strings"
	"time"
)

// MessageKind is the purpose of an e-mail; each has its own template.
type MessageKind string

// The kinds of e-mail.
const (
	// MessageVerifyEmail asks a new account's owner to confirm the address.
	MessageVerifyEmail MessageKind = "verify_email"
	// MessageInvitation invites someone into an organisation.
	MessageInvitation MessageKind = "invitation"
	// MessagePasswordReset carries a password-reset link.
	MessagePasswordReset MessageKind = "password_reset"
	// MessageEmailChange asks the new address to confirm an e-mail change.
	MessageEmailChange MessageKind = "email_change"
	// MessageEmailChangeNotice tells the old address about an e-mail change.
	MessageEmailChangeNotice MessageKind = "email_change_notice"
	// MessageTest is an operator's test message (personapal outbox test).
	MessageTest MessageKind = "test"
	// MessageSignupExisting tells an address that already has a verified
	// account that someone tried to sign up with it (sign in, or reset the
	// password), instead of a verification link.
	MessageSignupExisting MessageKind = "signup_existing"
	// MessageReviewDigest is the weekly list of an owner's personas due
	// or overdue for review (Data.Reviews; Link is the review page).
	MessageReviewDigest MessageKind = "review_digest"
	// MessageNotification is one notification e-mailed at once (a
	// mention, by default; Data.Notices holds it, Link opens it).
	MessageNotification MessageKind = "notification"
	// MessageNotificationDigest is the daily list of a member's unread
	// notifications in one organisation (Data.Notices; Link is the list).
	MessageNotificationDigest MessageKind = "notification_digest"
)

// MessageKinds lists every kind.
var MessageKinds = []MessageKind{MessageVerifyEmail, MessageInvitation, MessagePasswordReset,
	MessageEmailChange, MessageEmailChangeNotice, MessageTest, MessageSignupExisting, MessageReviewDigest,
	MessageNotification, MessageNotificationDigest}

// Message is an e-mail to send, before it is rendered: its recipient, its
// kind and what its template needs.
type Message struct {
	To   string
	Kind MessageKind
	Data MessageData
	// OrgID is the organisation the message is about, if any (kept with
	// the outbox entry).
	OrgID string
}

// MessageData is what the templates fill in; each kind uses some of it.
type MessageData struct {
	// Name is the recipient's name, "" when unknown (the greeting then
	// has none).
	Name string
	// Link is a path on this server ("/verify?t=…"), turned into an
	// absolute URL with the server's base URL. Required by every kind but
	// the notice and the test message.
	Link string
	// ValidFor is how long the link works (written as "24 hours").
	ValidFor time.Duration
	// OrgName, InviterName and Role describe an invitation.
	OrgName     string
	InviterName string
	Role        Role
	// NewEmail is the address an e-mail change moves to (change notice).
	NewEmail string
	// Reviews are the personas of a review digest.
	Reviews []DigestItem
	// Notices are the notifications of a notification e-mail or digest.
	Notices []NoticeItem
}

// NoticeItem is one notification in an e-mail.
type NoticeItem struct {
	Title   string
	Excerpt string
	Path    string // where it opens, a path on this server
}

// DigestItem is one persona in a review digest.
type DigestItem struct {
	Name    string
	Path    string // the persona's page, a path on this server
	Due     string // "2 Dec 2026"
	Overdue bool
}

// MessageStatus is where an outbox message is.
type MessageStatus string

// Outbox statuses.
const (
	// MessageQueued: waiting for its first attempt.
	MessageQueued MessageStatus = "queued"
	// MessageRetrying: an attempt failed; another is scheduled.
	MessageRetrying MessageStatus = "retrying"
	// MessageSent: the SMTP server accepted it.
	MessageSent MessageStatus = "sent"
	// MessageLogged: no SMTP server is configured; it went to the log
	// and stays readable on the outbox page.
	MessageLogged MessageStatus = "logged"
	// MessageFailed: every attempt failed; it will not be tried again.
	MessageFailed MessageStatus = "failed"
)

// MessageStatuses lists every status.
var MessageStatuses = []MessageStatus{MessageQueued, MessageRetrying, MessageSent, MessageLogged, MessageFailed}

// OutboxMessage is a rendered e-mail in the outbox.
type OutboxMessage struct {
	ID    string
	Kind  MessageKind
	OrgID string
	To    string
	// MessageID is the Message-ID header ("<id@host>"): every attempt
	// sends the same one, so a duplicate delivery after a crash is
	// recognisable as the same message.
	MessageID string
	Subject   string
	// Text and HTML are the bodies; both are removed once an SMTP server
	// accepted the message (links are secrets).
	Text string
	HTML string
	// Links are the absolute URLs in the message (logged when there is no
	// SMTP server).
	Links     []string
	Status    MessageStatus
	Attempts  int
	LastError string
	CreatedAt time.Time
	UpdatedAt time.Time
	SentAt    *time.Time
}

// MaxMessageError bounds the last error kept with an outbox message.
const MaxMessageError = 1000

// OutboxFilter selects outbox messages: a status ("" for all), newest
// first, at most Limit (1–500; 0: 100).
type OutboxFilter struct {
	Status MessageStatus
	Limit  int
}

// ValidateMessage checks a message before it is rendered and queued: the
// address, a known kind, the link a kind needs (a path on this server,
// never an absolute URL) and the texts the templates show.
func ValidateMessage(m Message) (Message, error) {
	var fields []FieldError
	to, err := ValidateEmail(m.To)
	if err != nil {
		fields = append(fields, FieldError{Field: "to", Message: err.Error()})
	}
	m.To = to
	known := false
	for _, k := range MessageKinds {
		known = known || k == m.Kind
	}
	if !known {
		fields = append(fields, FieldError{Field: "kind", Message: "is not a kind of message"})
	}
	needsLink := m.Kind != MessageEmailChangeNotice && m.Kind != MessageTest
	switch l := m.Data.Link; {
	case l == "" && needsLink:
		fields = append(fields, FieldError{Field: "data.link", Message: "is required"})
	case l != "" && !localPath(l):
		fields = append(fields, FieldError{Field: "data.link", Message: "must be a path on this server"})
	}
	for _, f := range []struct{ name, v string }{{"data.name", m.Data.Name}, {"data.org_name", m.Data.OrgName}, {"data.inviter_name", m.Data.InviterName}} {
		if msg := LineProblem(f.v, 200); msg != "" {
			fields = append(fields, FieldError{Field: f.name, Message: msg})
		}
	}
	if m.Data.NewEmail != "" {
		if _, err := ValidateEmail(m.Data.NewEmail); err != nil {
			fields = append(fields, FieldError{Field: "data.new_email", Message: err.Error()})
		}
	}
	for _, it := range m.Data.Reviews {
		if !localPath(it.Path) {
			fields = append(fields, FieldError{Field: "data.reviews", Message: "links must be paths on this server"})
			break
		}
	}
	for _, it := range m.Data.Notices {
		if !localPath(it.Path) {
			fields = append(fields, FieldError{Field: "data.notices", Message: "links must be paths on this server"})
			break
		}
	}
	if m.Kind == MessageInvitation && m.Data.OrgName == "" {
		fields = append(fields, FieldError{Field: "data.org_name", Message: "is required"})
	}
	if err := Invalid("invalid message", fields); err != nil {
		return Message{}, err
	}
	return m, nil
}

// localPath reports whether l is a path on this server: never an absolute
// or scheme-relative URL, no backslash, space or control character.
func localPath(l string) bool {
	return strings.HasPrefix(l, "/") && !strings.HasPrefix(l, "//") && !strings.ContainsAny(l, "\\ ") && !HasControl(l)
}
