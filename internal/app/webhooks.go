package app

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/webhook"
)

// Webhooks: admins register endpoints per organisation; every change that
// runs through inTx and maps to an event type (webhook_events.go) inserts
// one delivery per subscribed enabled endpoint, with its job, in the
// change's transaction. The queue's worker sends it signed (Standard
// Webhooks) through the SSRF-guarded client (internal/webhook).

type webhookStore interface {
	CreateWebhookEndpoint(ctx context.Context, e persona.WebhookEndpoint) error
	WebhookEndpoint(ctx context.Context, orgID, id string) (persona.WebhookEndpoint, error)
	ListWebhookEndpoints(ctx context.Context, orgID string) ([]persona.WebhookEndpoint, error)
	// EnabledWebhookEndpoints is the query every change makes.
	EnabledWebhookEndpoints(ctx context.Context, orgID string) ([]persona.WebhookEndpoint, error)
	UpdateWebhookEndpoint(ctx context.Context, e persona.WebhookEndpoint) error
	DisableWebhookEndpoint(ctx context.Context, orgID, id, reason string, at time.Time) error
	DeleteWebhookEndpoint(ctx context.Context, orgID, id string) error
	// QueueWebhookDelivery stores a pending delivery with its
	// DeliverWebhookJob in one transaction (the caller's on a bound Store).
	QueueWebhookDelivery(ctx context.Context, d persona.WebhookDelivery) error
	WebhookDelivery(ctx context.Context, orgID, id string) (persona.WebhookDelivery, error)
	ListWebhookDeliveries(ctx context.Context, orgID, endpointID string, limit int) ([]persona.WebhookDelivery, error)
	ListWebhookAttempts(ctx context.Context, orgID, deliveryID string) ([]persona.WebhookAttempt, error)
	ClaimWebhookDelivery(ctx context.Context, orgID, id string, now, until time.Time) (persona.WebhookDelivery, bool, error)
	ReleaseWebhookDelivery(ctx context.Context, orgID, id string) error
	EarlierPendingWebhook(ctx context.Context, d persona.WebhookDelivery) (bool, error)
	FinishWebhookAttempt(ctx context.Context, orgID, id string, a persona.WebhookAttempt, status persona.DeliveryStatus) error
	RedeliverWebhook(ctx context.Context, orgID, id string, at time.Time) error
	WebhookPersonaOf(ctx context.Context, orgID, kind, id string) (string, error)
	WebhookOrgSlug(ctx context.Context, orgID string) (string, error)
}

// DeliverWebhookJob sends one webhook delivery (its row holds the payload).
type DeliverWebhookJob struct {
	OrgID      string `json:"org_id"`
	DeliveryID string `json:"delivery_id"`
}

// DeliverWebhookKind is DeliverWebhookJob's kind.
const DeliverWebhookKind = "deliver_webhook"

// Kind implements Job.
func (DeliverWebhookJob) Kind() string { return DeliverWebhookKind }

// WebhookRetryDelays is the back-off after each failed attempt: about 24
// hours from the first attempt to the last (8 attempts).
var WebhookRetryDelays = []time.Duration{5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour,
	5 * time.Hour, 10 * time.Hour, 6*time.Hour + 25*time.Minute}

// MaxAttempts implements the queue's per-job attempt limit.
func (DeliverWebhookJob) MaxAttempts() int { return len(WebhookRetryDelays) + 1 }

// WithWebhooksAllowPrivate lets endpoints be plain http (and the client
// reach private addresses: internal/webhook): tests and closed networks.
func WithWebhooksAllowPrivate(on bool) Option {
	return func(s *Service) { s.webhooksAllowPrivate = on }
}

// emitWebhooks inserts the deliveries of entry e's event, in tx. With no
// enabled endpoint it costs one indexed query.
func (s *Service) emitWebhooks(ctx context.Context, tx Store, e persona.AuditEvent) error {
	typ, ok := webhookEvents[[2]string{e.ObjectKind, e.Action}]
	if !ok || e.OrgID == "" {
		return nil
	}
	eps, err := tx.EnabledWebhookEndpoints(ctx, e.OrgID)
	if err != nil || len(eps) == 0 {
		return err
	}
	var subs []persona.WebhookEndpoint
	for _, ep := range eps {
		if ep.Subscribed(typ) {
			subs = append(subs, ep)
		}
	}
	if len(subs) == 0 {
		return nil
	}
	body, orderKey, err := s.webhookPayload(ctx, tx, typ, e)
	if err != nil {
		return err
	}
	for _, ep := range subs {
		if err := tx.QueueWebhookDelivery(ctx, persona.WebhookDelivery{OrgID: e.OrgID, ID: "msg_" + newID(),
			EndpointID: ep.ID, EventType: typ, OrderKey: orderKey, Payload: string(body), CreatedAt: s.timestamp()}); err != nil {
			return err
		}
	}
	return nil
}

// webhookPayload renders the event body and its ordering key (the
// persona, else the object).
func (s *Service) webhookPayload(ctx context.Context, tx Store, typ string, e persona.AuditEvent) ([]byte, string, error) {
	slug, err := tx.WebhookOrgSlug(ctx, e.OrgID)
	if err != nil {
		return nil, "", err
	}
	pid, err := tx.WebhookPersonaOf(ctx, e.OrgID, e.ObjectKind, e.ObjectID)
	if err != nil {
		return nil, "", err
	}
	var name string
	if e.ObjectID != "" {
		if names, err := tx.ObjectNames(ctx, e.OrgID, e.ObjectKind, []string{e.ObjectID}); err == nil {
			name = names[e.ObjectID].Name
		}
	}
	ev := persona.WebhookEvent{Type: typ, Timestamp: e.At.UTC(), Data: persona.WebhookEventData{
		Organisation: slug, Object: persona.WebhookObject{Kind: e.ObjectKind, ID: e.ObjectID, Name: name},
		PersonaID: pid, Actor: persona.WebhookActor{ID: e.ActorID, Email: e.ActorEmail}, Action: e.Action, Summary: e.Summary}}
	if p, ok := webhookAPIPaths[e.ObjectKind]; ok && e.ObjectID != "" && !strings.HasSuffix(typ, ".purged") {
		p = strings.NewReplacer("{org}", url.PathEscape(slug), "{id}", url.PathEscape(e.ObjectID)).Replace(p)
		if s.baseURL != nil {
			p = strings.TrimSuffix(s.baseURL.String(), "/") + p
		}
		ev.Data.URL = p
	}
	body, err := json.Marshal(ev)
	key := pid
	if key == "" {
		key = e.ObjectKind + ":" + e.ObjectID
	}
	return body, key, err
}

// NewWebhookSecret makes a secret: "whsec_" + base64 of 24 random bytes.
func NewWebhookSecret() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return "whsec_" + base64.StdEncoding.EncodeToString(b)
}

// WebhookInput is what a person sets on an endpoint.
type WebhookInput struct {
	URL         string
	EventTypes  []string // at least one
	Enabled     bool
	Description string
}

func (s *Service) checkWebhook(ctx context.Context, in WebhookInput) (WebhookInput, error) {
	in.URL = strings.TrimSpace(in.URL)
	in.Description = strings.TrimSpace(in.Description)
	var fields []persona.FieldError
	u, err := url.Parse(in.URL)
	switch {
	case in.URL == "" || err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		fields = append(fields, persona.FieldError{Field: "url", Message: "must be a URL such as https://example.com/hooks"})
	case u.Scheme != "https" && !s.webhooksAllowPrivate:
		fields = append(fields, persona.FieldError{Field: "url", Message: "must start with https://"})
	case u.User != nil:
		fields = append(fields, persona.FieldError{Field: "url", Message: "must not carry a user name or password"})
	case len(in.URL) > 2000:
		fields = append(fields, persona.FieldError{Field: "url", Message: "must be at most 2000 characters"})
	case !s.webhooksAllowPrivate && webhook.CheckHost(ctx, u.Hostname()) != nil:
		// Loopback, private and link-local receivers are refused (SSRF);
		// the dialer checks again on every connection.
		fields = append(fields, persona.FieldError{Field: "url", Message: "must be a public address: loopback, private and link-local addresses are refused (see --webhooks-allow-private)"})
	}
	if len(in.EventTypes) == 0 {
		fields = append(fields, persona.FieldError{Field: "event_types", Message: "choose at least one event type"})
	}
	if len([]rune(in.Description)) > 500 {
		fields = append(fields, persona.FieldError{Field: "description", Message: "must be at most 500 characters"})
	}
	known := map[string]bool{}
	for _, t := range WebhookEventTypes() {
		known[t] = true
	}
	seen := map[string]bool{}
	var types []string
	for _, t := range in.EventTypes {
		t = strings.TrimSpace(t)
		if t == "" || seen[t] {
			continue
		}
		if !known[t] {
			fields = append(fields, persona.FieldError{Field: "event_types", Message: fmt.Sprintf("%q is not an event type", t)})
			continue
		}
		seen[t] = true
		types = append(types, t)
	}
	sort.Strings(types)
	in.EventTypes = types
	return in, persona.Invalid("invalid webhook endpoint", fields)
}

// CreateWebhook registers an endpoint (admins); the returned endpoint
// carries its secret, shown this once.
func (s *Service) CreateWebhook(ctx context.Context, actor Actor, slug string, in WebhookInput) (persona.WebhookEndpoint, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleAdmin)
	if err != nil {
		return persona.WebhookEndpoint{}, err
	}
	if in, err = s.checkWebhook(ctx, in); err != nil {
		return persona.WebhookEndpoint{}, err
	}
	now := s.timestamp()
	ep := persona.WebhookEndpoint{OrgID: org.ID, ID: newID(), URL: in.URL, Secret: NewWebhookSecret(), EventTypes: in.EventTypes,
		Enabled: in.Enabled, Description: in.Description, CreatedAt: now, UpdatedAt: now}
	err = s.inTx(ctx, s.entry(org.ID, actor, "create", "webhook", ep.ID, ep.URL), func(tx Store) error {
		return tx.CreateWebhookEndpoint(ctx, ep)
	})
	return ep, err
}

// Webhook returns one endpoint (admins); its secret is blanked.
func (s *Service) Webhook(ctx context.Context, actor Actor, slug, id string) (persona.WebhookEndpoint, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleAdmin)
	if err != nil {
		return persona.WebhookEndpoint{}, err
	}
	ep, err := s.store.WebhookEndpoint(ctx, org.ID, id)
	ep.Secret = ""
	return ep, err
}

// ListWebhooks lists the organisation's endpoints (admins), secrets blanked.
func (s *Service) ListWebhooks(ctx context.Context, actor Actor, slug string) ([]persona.WebhookEndpoint, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleAdmin)
	if err != nil {
		return nil, err
	}
	eps, err := s.store.ListWebhookEndpoints(ctx, org.ID)
	for i := range eps {
		eps[i].Secret = ""
	}
	return eps, err
}

// UpdateWebhook changes an endpoint's settings (admins).
func (s *Service) UpdateWebhook(ctx context.Context, actor Actor, slug, id string, in WebhookInput) (persona.WebhookEndpoint, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleAdmin)
	if err != nil {
		return persona.WebhookEndpoint{}, err
	}
	if in, err = s.checkWebhook(ctx, in); err != nil {
		return persona.WebhookEndpoint{}, err
	}
	var ep persona.WebhookEndpoint
	err = s.inTx(ctx, s.entry(org.ID, actor, "update", "webhook", id, in.URL), func(tx Store) error {
		if ep, err = tx.WebhookEndpoint(ctx, org.ID, id); err != nil {
			return err
		}
		ep.URL, ep.EventTypes, ep.Enabled, ep.Description, ep.UpdatedAt = in.URL, in.EventTypes, in.Enabled, in.Description, s.timestamp()
		if ep.Enabled {
			ep.DisabledReason = ""
		}
		return tx.UpdateWebhookEndpoint(ctx, ep)
	})
	ep.Secret = ""
	return ep, err
}

// RotateWebhookSecret gives an endpoint a new secret, returned this once.
func (s *Service) RotateWebhookSecret(ctx context.Context, actor Actor, slug, id string) (string, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleAdmin)
	if err != nil {
		return "", err
	}
	secret := NewWebhookSecret()
	err = s.inTx(ctx, s.entry(org.ID, actor, "rotate", "webhook", id, "new signing secret"), func(tx Store) error {
		ep, err := tx.WebhookEndpoint(ctx, org.ID, id)
		if err != nil {
			return err
		}
		ep.Secret, ep.UpdatedAt = secret, s.timestamp()
		return tx.UpdateWebhookEndpoint(ctx, ep)
	})
	return secret, err
}

// DeleteWebhook deletes an endpoint and its deliveries (admins).
func (s *Service) DeleteWebhook(ctx context.Context, actor Actor, slug, id string) error {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleAdmin)
	if err != nil {
		return err
	}
	return s.inTx(ctx, s.entry(org.ID, actor, "delete", "webhook", id, ""), func(tx Store) error {
		return tx.DeleteWebhookEndpoint(ctx, org.ID, id)
	})
}

// WebhookDeliveryView is a delivery with its attempts.
type WebhookDeliveryView struct {
	persona.WebhookDelivery
	AttemptLog []persona.WebhookAttempt `json:"attempt_log"`
}

// ListWebhookDeliveries lists an endpoint's newest deliveries with their
// attempts (admins).
func (s *Service) ListWebhookDeliveries(ctx context.Context, actor Actor, slug, endpointID string, limit int) ([]WebhookDeliveryView, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleAdmin)
	if err != nil {
		return nil, err
	}
	if _, err := s.store.WebhookEndpoint(ctx, org.ID, endpointID); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 100 {
		limit = 50
	}
	ds, err := s.store.ListWebhookDeliveries(ctx, org.ID, endpointID, limit)
	if err != nil {
		return nil, err
	}
	out := make([]WebhookDeliveryView, len(ds))
	for i, d := range ds {
		out[i].WebhookDelivery = d
		if out[i].AttemptLog, err = s.store.ListWebhookAttempts(ctx, org.ID, d.ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// RedeliverWebhook sends a delivery again (same message id) (admins).
func (s *Service) RedeliverWebhook(ctx context.Context, actor Actor, slug, endpointID, deliveryID string) error {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleAdmin)
	if err != nil {
		return err
	}
	return s.inTx(ctx, s.entry(org.ID, actor, "redeliver", "webhook", endpointID, deliveryID), func(tx Store) error {
		d, err := tx.WebhookDelivery(ctx, org.ID, deliveryID)
		if err != nil {
			return err
		}
		if d.EndpointID != endpointID {
			return persona.ErrNotFound("webhook delivery")
		}
		return tx.RedeliverWebhook(ctx, org.ID, deliveryID, s.timestamp())
	})
}

// TestWebhook queues a "webhook.test" event for one endpoint (admins),
// enabled or not.
func (s *Service) TestWebhook(ctx context.Context, actor Actor, slug, endpointID string) (string, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleAdmin)
	if err != nil {
		return "", err
	}
	id := "msg_" + newID()
	err = s.inTx(ctx, s.entry(org.ID, actor, "test", "webhook", endpointID, "test event"), func(tx Store) error {
		if _, err := tx.WebhookEndpoint(ctx, org.ID, endpointID); err != nil {
			return err
		}
		ev := persona.WebhookEvent{Type: "webhook.test", Timestamp: s.timestamp(), Data: persona.WebhookEventData{
			Organisation: org.Slug, Object: persona.WebhookObject{Kind: "webhook", ID: endpointID},
			Actor: persona.WebhookActor{ID: actor.UserID, Email: actor.Email}, Action: "test", Summary: "A test event"}}
		body, err := json.Marshal(ev)
		if err != nil {
			return err
		}
		return tx.QueueWebhookDelivery(ctx, persona.WebhookDelivery{OrgID: org.ID, ID: id, EndpointID: endpointID,
			EventType: ev.Type, OrderKey: "test:" + id, Payload: string(body), CreatedAt: s.timestamp()})
	})
	return id, err
}

// WebhookSender sends one signed request (internal/webhook's client).
type WebhookSender interface {
	// Send posts body to url with the Standard Webhooks headers signed
	// with secret; it returns the status code and up to 1 KB of the
	// response, or an error when no response came.
	Send(ctx context.Context, url, secret, msgID string, at time.Time, body []byte) (status int, response string, err error)
}

// ErrWebhookWait asks the queue to try a delivery again shortly without
// counting an attempt: an earlier delivery for the same persona and
// endpoint is still pending, or another job holds it.
var ErrWebhookWait = errors.New("webhook delivery waits")

// webhookClaim bounds one attempt's hold on a delivery: longer than the
// worker's timeout (the send's 10 s and a margin: internal/queue), short
// enough that a delivery cut off by a crash goes out soon after restart.
const webhookClaim = 45 * time.Second

// DeliverWebhook makes one attempt at a delivery (the queue's worker). It
// returns nil when the delivery is done (delivered, gone, or its endpoint
// disabled), ErrWebhookWait to wait, PermanentError when there is nothing
// to retry, and another error to retry with back-off. final says this is
// the last attempt: a failure then marks the delivery failed.
func (s *Service) DeliverWebhook(ctx context.Context, orgID, deliveryID string, final bool, sender WebhookSender) error {
	now := s.now().UTC()
	d, ok, err := s.store.ClaimWebhookDelivery(ctx, orgID, deliveryID, now, now.Add(webhookClaim))
	if err != nil {
		return err
	}
	if !ok {
		cur, err := s.store.WebhookDelivery(ctx, orgID, deliveryID)
		if err != nil {
			return PermanentError{err}
		}
		if cur.Status == persona.DeliveryPending {
			return ErrWebhookWait // another job's attempt is in flight
		}
		return nil
	}
	if earlier, err := s.store.EarlierPendingWebhook(ctx, d); err != nil || earlier {
		if err != nil {
			return s.unclaim(ctx, d, err)
		}
		return s.unclaim(ctx, d, ErrWebhookWait)
	}
	ep, err := s.store.WebhookEndpoint(ctx, orgID, d.EndpointID)
	if err != nil {
		return PermanentError{err}
	}
	if !ep.Enabled && !strings.HasPrefix(d.OrderKey, "test:") {
		return s.finish(ctx, d, persona.WebhookAttempt{At: now, Error: "the endpoint is disabled"}, persona.DeliveryFailed, nil)
	}
	start := s.now()
	status, resp, sendErr := sender.Send(ctx, ep.URL, ep.Secret, d.ID, start, []byte(d.Payload))
	a := persona.WebhookAttempt{At: start.UTC(), StatusCode: status, Duration: s.now().Sub(start), Response: resp}
	switch {
	case sendErr == nil && status >= 200 && status < 300:
		return s.finish(ctx, d, a, persona.DeliveryDelivered, nil)
	case sendErr == nil && status == 410:
		a.Error = "410 Gone: the endpoint was disabled"
		if err := s.store.DisableWebhookEndpoint(ctx, orgID, ep.ID, "The receiver answered 410 Gone.", s.timestamp()); err != nil {
			return err
		}
		return s.finish(ctx, d, a, persona.DeliveryFailed, nil)
	}
	if sendErr != nil {
		a.Error = sendErr.Error()
	} else {
		a.Error = fmt.Sprintf("status %d", status)
	}
	st := persona.DeliveryPending
	if final {
		st = persona.DeliveryFailed
	}
	return s.finish(ctx, d, a, st, errors.New(a.Error))
}

func (s *Service) finish(ctx context.Context, d persona.WebhookDelivery, a persona.WebhookAttempt, st persona.DeliveryStatus, ret error) error {
	if err := s.store.FinishWebhookAttempt(context.WithoutCancel(ctx), d.OrgID, d.ID, a, st); err != nil {
		return err
	}
	return ret
}

// unclaim releases a claim without recording an attempt.
func (s *Service) unclaim(ctx context.Context, d persona.WebhookDelivery, ret error) error {
	if err := s.store.ReleaseWebhookDelivery(context.WithoutCancel(ctx), d.OrgID, d.ID); err != nil {
		return err
	}
	return ret
}

// WebhookAttempts lists one delivery's attempts (admins).
func (s *Service) WebhookAttempts(ctx context.Context, actor Actor, slug, endpointID, deliveryID string) ([]persona.WebhookAttempt, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleAdmin)
	if err != nil {
		return nil, err
	}
	d, err := s.store.WebhookDelivery(ctx, org.ID, deliveryID)
	if err != nil {
		return nil, err
	}
	if d.EndpointID != endpointID {
		return nil, persona.ErrNotFound("webhook delivery")
	}
	return s.store.ListWebhookAttempts(ctx, org.ID, deliveryID)
}
