package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// Webhooks (app.webhookStore): endpoints, deliveries and their attempts. A
// delivery is inserted with its job in the caller's transaction
// (QueueWebhookDelivery), like an outbox message.

const webhookEndpointCols = `id, url, secret, event_types, enabled, description, disabled_reason, created_at, updated_at`

func scanWebhookEndpoint(orgID string, row interface{ Scan(...any) error }) (persona.WebhookEndpoint, error) {
	e := persona.WebhookEndpoint{OrgID: orgID}
	var types string
	err := row.Scan(&e.ID, &e.URL, &e.Secret, &types, &e.Enabled, &e.Description, &e.DisabledReason,
		timeCol{&e.CreatedAt}, timeCol{&e.UpdatedAt})
	e.EventTypes = strings.Fields(types)
	return e, err
}

// CreateWebhookEndpoint stores a new endpoint.
func (s *DB) CreateWebhookEndpoint(ctx context.Context, e persona.WebhookEndpoint) error {
	_, err := s.exec(ctx, s.q(), `INSERT INTO webhook_endpoints (org_id, id, url, secret, event_types, enabled, description,
		disabled_reason, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		e.OrgID, e.ID, e.URL, e.Secret, strings.Join(e.EventTypes, " "), e.Enabled, e.Description, e.DisabledReason,
		ts(e.CreatedAt), ts(e.UpdatedAt))
	return err
}

// WebhookEndpoint returns one of the organisation's endpoints.
func (s *DB) WebhookEndpoint(ctx context.Context, orgID, id string) (persona.WebhookEndpoint, error) {
	e, err := scanWebhookEndpoint(orgID, s.q().QueryRowContext(ctx, `SELECT `+webhookEndpointCols+`
		FROM webhook_endpoints WHERE org_id = $1 AND id = $2`, orgID, id))
	return e, noRows(err, "webhook endpoint")
}

func (s *DB) listWebhookEndpoints(ctx context.Context, orgID, where string) ([]persona.WebhookEndpoint, error) {
	rows, err := s.q().QueryContext(ctx, `SELECT `+webhookEndpointCols+` FROM webhook_endpoints WHERE org_id = $1`+where+` ORDER BY created_at, id`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []persona.WebhookEndpoint
	for rows.Next() {
		e, err := scanWebhookEndpoint(orgID, rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// ListWebhookEndpoints lists the organisation's endpoints, oldest first.
func (s *DB) ListWebhookEndpoints(ctx context.Context, orgID string) ([]persona.WebhookEndpoint, error) {
	return s.listWebhookEndpoints(ctx, orgID, "")
}

// EnabledWebhookEndpoints lists the enabled endpoints: the one query every
// change makes (on the primary key's org_id prefix; nothing when none).
func (s *DB) EnabledWebhookEndpoints(ctx context.Context, orgID string) ([]persona.WebhookEndpoint, error) {
	return s.listWebhookEndpoints(ctx, orgID, " AND enabled")
}

// UpdateWebhookEndpoint replaces an endpoint's settings.
func (s *DB) UpdateWebhookEndpoint(ctx context.Context, e persona.WebhookEndpoint) error {
	return s.execOne(ctx, s.q(), "webhook endpoint", `UPDATE webhook_endpoints SET url = $3, secret = $4, event_types = $5,
		enabled = $6, description = $7, disabled_reason = $8, updated_at = $9 WHERE org_id = $1 AND id = $2`,
		e.OrgID, e.ID, e.URL, e.Secret, strings.Join(e.EventTypes, " "), e.Enabled, e.Description, e.DisabledReason, ts(e.UpdatedAt))
}

// DisableWebhookEndpoint switches an endpoint off with a reason (410 Gone).
func (s *DB) DisableWebhookEndpoint(ctx context.Context, orgID, id, reason string, at time.Time) error {
	return s.execOne(ctx, s.q(), "webhook endpoint", `UPDATE webhook_endpoints SET enabled = FALSE, disabled_reason = $3,
		updated_at = $4 WHERE org_id = $1 AND id = $2`, orgID, id, reason, ts(at))
}

// DeleteWebhookEndpoint deletes an endpoint with its deliveries.
func (s *DB) DeleteWebhookEndpoint(ctx context.Context, orgID, id string) error {
	return s.execOne(ctx, s.q(), "webhook endpoint", `DELETE FROM webhook_endpoints WHERE org_id = $1 AND id = $2`, orgID, id)
}

const webhookDeliveryCols = `id, endpoint_id, event_type, order_key, payload, status, attempts, last_status, last_error,
	created_at, updated_at, delivered_at`

func scanWebhookDelivery(orgID string, row interface{ Scan(...any) error }) (persona.WebhookDelivery, error) {
	d := persona.WebhookDelivery{OrgID: orgID}
	var delivered *time.Time
	err := row.Scan(&d.ID, &d.EndpointID, &d.EventType, &d.OrderKey, &d.Payload, &d.Status, &d.Attempts, &d.LastStatus,
		&d.LastError, timeCol{&d.CreatedAt}, timeCol{&d.UpdatedAt}, nullTimeCol{&delivered})
	if delivered != nil {
		d.DeliveredAt = *delivered
	}
	return d, err
}

// QueueWebhookDelivery stores a pending delivery and queues the job that
// sends it, in one transaction (the caller's on a view made by InTx).
func (s *DB) QueueWebhookDelivery(ctx context.Context, d persona.WebhookDelivery) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		v := s.view(tx)
		if _, err := v.exec(ctx, tx, `INSERT INTO webhook_deliveries (org_id, id, endpoint_id, event_type, order_key, payload,
			status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`,
			d.OrgID, d.ID, d.EndpointID, d.EventType, d.OrderKey, d.Payload, string(persona.DeliveryPending), ts(d.CreatedAt)); err != nil {
			return err
		}
		return v.Enqueue(ctx, app.DeliverWebhookJob{OrgID: d.OrgID, DeliveryID: d.ID})
	})
}

// WebhookDelivery returns one delivery.
func (s *DB) WebhookDelivery(ctx context.Context, orgID, id string) (persona.WebhookDelivery, error) {
	d, err := scanWebhookDelivery(orgID, s.q().QueryRowContext(ctx, `SELECT `+webhookDeliveryCols+`
		FROM webhook_deliveries WHERE org_id = $1 AND id = $2`, orgID, id))
	return d, noRows(err, "webhook delivery")
}

// ListWebhookDeliveries lists an endpoint's deliveries, newest first.
func (s *DB) ListWebhookDeliveries(ctx context.Context, orgID, endpointID string, limit int) ([]persona.WebhookDelivery, error) {
	rows, err := s.q().QueryContext(ctx, `SELECT `+webhookDeliveryCols+` FROM webhook_deliveries
		WHERE org_id = $1 AND endpoint_id = $2 ORDER BY id DESC LIMIT $3`, orgID, endpointID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []persona.WebhookDelivery
	for rows.Next() {
		d, err := scanWebhookDelivery(orgID, rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// ListWebhookAttempts lists a delivery's attempts, first first.
func (s *DB) ListWebhookAttempts(ctx context.Context, orgID, deliveryID string) ([]persona.WebhookAttempt, error) {
	rows, err := s.q().QueryContext(ctx, `SELECT n, at, status_code, duration_ms, response, error FROM webhook_attempts
		WHERE org_id = $1 AND delivery_id = $2 ORDER BY n`, orgID, deliveryID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []persona.WebhookAttempt
	for rows.Next() {
		var a persona.WebhookAttempt
		if err := rows.Scan(&a.N, timeCol{&a.At}, &a.StatusCode, &a.DurationMS, &a.Response, &a.Error); err != nil {
			return nil, err
		}
		a.Duration = time.Duration(a.DurationMS) * time.Millisecond
		out = append(out, a)
	}
	return out, rows.Err()
}

// ClaimWebhookDelivery takes a pending delivery for one attempt until
// until, in one statement: of two jobs for the same delivery (a redelivery
// race) only one gets it while the claim holds. ok is false when the
// delivery is not pending or claimed by another attempt.
func (s *DB) ClaimWebhookDelivery(ctx context.Context, orgID, id string, now, until time.Time) (persona.WebhookDelivery, bool, error) {
	res, err := s.exec(ctx, s.q(), `UPDATE webhook_deliveries SET claimed_until = $4
		WHERE org_id = $1 AND id = $2 AND status = 'pending' AND (claimed_until IS NULL OR claimed_until < $3)`,
		orgID, id, ts(now), ts(until))
	if err != nil {
		return persona.WebhookDelivery{}, false, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return persona.WebhookDelivery{}, false, err
	}
	d, err := s.WebhookDelivery(ctx, orgID, id)
	return d, err == nil, err
}

// EarlierPendingWebhook reports whether a delivery to the same endpoint
// with the same order key, made before d, is still pending.
func (s *DB) EarlierPendingWebhook(ctx context.Context, d persona.WebhookDelivery) (bool, error) {
	var n int
	err := s.q().QueryRowContext(ctx, `SELECT COUNT(*) FROM webhook_deliveries WHERE org_id = $1 AND endpoint_id = $2
		AND order_key = $3 AND status = 'pending' AND id < $4`, d.OrgID, d.EndpointID, d.OrderKey, d.ID).Scan(&n)
	return n > 0, err
}

// FinishWebhookAttempt records attempt a of a claimed delivery, sets its
// status and releases the claim, in one transaction.
func (s *DB) FinishWebhookAttempt(ctx context.Context, orgID, id string, a persona.WebhookAttempt, status persona.DeliveryStatus) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		v := s.view(tx)
		var n int
		if err := v.q().QueryRowContext(ctx, `SELECT COALESCE(MAX(n), 0) FROM webhook_attempts WHERE org_id = $1 AND delivery_id = $2`,
			orgID, id).Scan(&n); err != nil {
			return err
		}
		if _, err := v.exec(ctx, tx, `INSERT INTO webhook_attempts (org_id, delivery_id, n, at, status_code, duration_ms, response, error)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, orgID, id, n+1, ts(a.At), a.StatusCode, a.Duration.Milliseconds(),
			a.Response, a.Error); err != nil {
			return err
		}
		var delivered any
		if status == persona.DeliveryDelivered {
			delivered = ts(a.At)
		}
		return v.execOne(ctx, tx, "webhook delivery", `UPDATE webhook_deliveries SET status = $3, attempts = attempts + 1,
			last_status = $4, last_error = $5, claimed_until = NULL, updated_at = $6, delivered_at = COALESCE($7, delivered_at)
			WHERE org_id = $1 AND id = $2`, orgID, id, string(status), a.StatusCode, a.Error, ts(a.At), delivered)
	})
}

// RedeliverWebhook makes a delivery pending again and queues a job for it.
func (s *DB) RedeliverWebhook(ctx context.Context, orgID, id string, at time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		v := s.view(tx)
		if err := v.execOne(ctx, tx, "webhook delivery", `UPDATE webhook_deliveries SET status = 'pending', updated_at = $3
			WHERE org_id = $1 AND id = $2`, orgID, id, ts(at)); err != nil {
			return err
		}
		return v.Enqueue(ctx, app.DeliverWebhookJob{OrgID: orgID, DeliveryID: id})
	})
}

// WebhookPersonaOf returns the persona an object of kind belongs to ("" when
// none or not known).
func (s *DB) WebhookPersonaOf(ctx context.Context, orgID, kind, id string) (string, error) {
	var q string
	switch kind {
	case "persona":
		return id, nil
	case "variant":
		q = `SELECT persona_id FROM variants WHERE org_id = $1 AND id = $2`
	case "comment":
		// A comment on a variant orders with the variant's persona.
		q = `SELECT COALESCE(c.persona_id, v.persona_id, '') FROM comments c
			LEFT JOIN variants v ON v.org_id = c.org_id AND v.id = c.variant_id WHERE c.org_id = $1 AND c.id = $2`
	case "proposal":
		q = `SELECT persona_id FROM proposals WHERE org_id = $1 AND id = $2`
	default:
		return "", nil
	}
	var p string
	err := s.q().QueryRowContext(ctx, q, orgID, id).Scan(&p)
	if err == sql.ErrNoRows {
		return "", nil
	}
	return p, err
}

// WebhookOrgSlug returns the organisation's slug (named in payloads).
func (s *DB) WebhookOrgSlug(ctx context.Context, orgID string) (string, error) {
	var slug string
	err := s.q().QueryRowContext(ctx, `SELECT slug FROM orgs WHERE id = $1`, orgID).Scan(&slug)
	return slug, noRows(err, "organisation")
}

// ReleaseWebhookDelivery gives a claim back without an attempt.
func (s *DB) ReleaseWebhookDelivery(ctx context.Context, orgID, id string) error {
	_, err := s.exec(ctx, s.q(), `UPDATE webhook_deliveries SET claimed_until = NULL WHERE org_id = $1 AND id = $2`, orgID, id)
	return err
}
