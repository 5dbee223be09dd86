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
