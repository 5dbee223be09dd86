package persona

import "time"

// WebhookEndpoint is an organisation's registered receiver of events.
// Secret is "whsec_" + base64 of random bytes (Standard Webhooks); it is
// shown once, when it is made.
type WebhookEndpoint struct {
	OrgID       string   `json:"-"`
	ID          string   `json:"id"`
	URL         string   `json:"url"`
	Secret      string   `json:"-"`
	EventTypes  []string `json:"event_types"` // empty: every type
	Enabled     bool     `json:"enabled"`
	Description string   `json:"description"`
	// DisabledReason says why the endpoint was switched off by delivery
	// (410 Gone); empty when a person did it or it is enabled.
	DisabledReason string    `json:"disabled_reason,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// Subscribed reports whether the endpoint wants events of type t.
func (e WebhookEndpoint) Subscribed(t string) bool {
	if len(e.EventTypes) == 0 {
		return true
	}
	for _, x := range e.EventTypes {
		if x == t {
			return true
		}
	}
	return false
}

// DeliveryStatus is where one delivery stands.
type DeliveryStatus string

const (
	DeliveryPending   DeliveryStatus = "pending"
	DeliveryDelivered DeliveryStatus = "delivered"
	DeliveryFailed    DeliveryStatus = "failed"
)

// WebhookDelivery is one event for one endpoint. Its ID is the message id
// (webhook-id), the same on every attempt. OrderKey (the persona, or the
// object) orders deliveries per endpoint.
type WebhookDelivery struct {
	OrgID       string         `json:"-"`
	ID          string         `json:"id"`
	EndpointID  string         `json:"endpoint_id"`
	EventType   string         `json:"event_type"`
	OrderKey    string         `json:"-"`
	Payload     string         `json:"payload"`
	Status      DeliveryStatus `json:"status"`
	Attempts    int            `json:"attempts"`
	LastStatus  int            `json:"last_status_code,omitempty"`
	LastError   string         `json:"last_error,omitempty"`
	CreatedAt   time.Time      `json:"created_at"`
	UpdatedAt   time.Time      `json:"updated_at"`
	DeliveredAt time.Time      `json:"delivered_at,omitzero"`
}

// WebhookAttempt is one try at sending a delivery.
type WebhookAttempt struct {
	N          int           `json:"n"`
	At         time.Time     `json:"at"`
	StatusCode int           `json:"status_code,omitempty"`
	Duration   time.Duration `json:"-"`
	DurationMS int64         `json:"duration_ms"`
	Response   string        `json:"response,omitempty"` // at most 1 KB
	Error      string        `json:"error,omitempty"`
}

// WebhookEvent is the body sent to endpoints (Standard Webhooks' shape).
type WebhookEvent struct {
	Type      string           `json:"type" doc:"Event type, e.g. persona.updated"`
	Timestamp time.Time        `json:"timestamp" doc:"When the change happened (RFC 3339)"`
	Data      WebhookEventData `json:"data"`
}

// WebhookEventData names what changed, where and by whom.
type WebhookEventData struct {
	Organisation string        `json:"organisation" doc:"The organisation's slug"`
	Object       WebhookObject `json:"object"`
	PersonaID    string        `json:"persona_id,omitempty" doc:"The persona the object belongs to (or is)"`
	Actor        WebhookActor  `json:"actor"`
	Action       string        `json:"action" doc:"The audit action, e.g. update"`
	Summary      string        `json:"summary" doc:"The audit log's summary of the change"`
	URL          string        `json:"url,omitempty" doc:"API URL to fetch the object"`
}

// WebhookObject is the object an event is about.
type WebhookObject struct {
	Kind string `json:"kind" doc:"persona, variant, template, evidence, …"`
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

// WebhookActor is who made the change.
type WebhookActor struct {
	ID    string `json:"id,omitempty"`
	Email string `json:"email,omitempty"`
}
