package persona

import "time"

// AuditEvent is one entry of an organisation's audit log: who did what to
// which object, and when.
type AuditEvent struct {
	Seq        int64     `json:"seq"`
	OrgID      string    `json:"-"`
	At         time.Time `json:"at"`
	ActorID    string    `json:"actor_id,omitempty"`
	ActorEmail string    `json:"actor_email,omitempty"`
	Action     string    `json:"action"`      // e.g. "create", "update", "trash", "publish"
	ObjectKind string    `json:"object_kind"` // e.g. "persona", "template", "member"
	ObjectID   string    `json:"object_id,omitempty"`
	Summary    string    `json:"summary,omitempty"`
}

// AuditFilter narrows a listing of the audit log; zero fields match
// everything.
type AuditFilter struct {
	Action     string
	ObjectKind string
	ActorEmail string
	Since      time.Time // at or after
	Until      time.Time // before
}

// AuditActions and AuditKinds are the actions and object kinds the
// application records, in the order the audit page offers them as filters.
// Events about a user's own account (tokens, passwords, sessions) are not
// among them: they go to that user's security log (SecurityEvent).
var (
	AuditActions = []string{
		"create", "update", "delete", "trash", "restore", "purge", "publish", "save draft", "upgrade", "restore revision",
		"upload", "link", "unlink", "keep override", "drop override", "accept", "reject", "regenerate",
		"invite", "add", "decline", "change role", "remove", "revoke", "import", "export",
		"change slug", "transfer ownership", "move", "reorder", "review", "set photo", "remove photo",
		"add work link", "remove work link", "merge",
	}
	AuditKinds = []string{
		"organisation", "member", "invitation", "template", "group", "persona", "variant", "note", "evidence",
		"alignment link", "claim verdict", "catalogue", "launchpad", "audit log",
		"single sign-on", "sso domain",
	}
)

// ObjectName is what an object an audit entry names is called now: a
// persona's or a template's name, an evidence item's title, a member's
// e-mail. Customer is a variant's customer ("Big Bank"); Trashed is true
// for a persona or variant in the trash.
type ObjectName struct {
	Name     string
	Customer string
	Trashed  bool
}

// Label is how the object reads: "System Lead at Big Bank" for a variant.
func (n ObjectName) Label() string {
	if n.Customer != "" {
		return n.Name + " at " + n.Customer
	}
	return n.Name
}
