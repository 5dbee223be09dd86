package persona

import "time"

// PresenceMode is what someone is doing on a persona right now.
type PresenceMode string

// The presence modes.
const (
	PresenceViewing PresenceMode = "viewing"
	PresenceEditing PresenceMode = "editing"
)

// Valid reports whether m is a known mode.
func (m PresenceMode) Valid() bool { return m == PresenceViewing || m == PresenceEditing }

// Presence is one open page (a stream) on a persona: who, doing what,
// until when unless it is refreshed.
type Presence struct {
	OrgID     string
	ConnID    string
	PersonaID string
	// VariantID names the customer variant's page or form ("" for the
	// persona's own).
	VariantID string
	UserID    string
	Mode      PresenceMode
	ExpiresAt time.Time
}

// Present is one person on a persona, as others see them: a person with
// several open pages counts once, editing if any of them edits.
type Present struct {
	UserID string
	Name   string
	Mode   PresenceMode
}
