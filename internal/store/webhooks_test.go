package store

import (
	"os"
	"testing"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

// Webhooks on both engines: endpoints stay inside their organisation; a
// delivery is claimed by one attempt at a time; an earlier pending
// delivery with the same order key holds a later one back until it is
// finished; attempts are numbered and logged; a redelivery makes it
// pending again; deleting the endpoint takes its deliveries along.
func TestWebhooksSQLite(t *testing.T) { testWebhooks(t, openSQLite(t)) }

func TestWebhooksPostgres(t *testing.T) {
	if os.Getenv("PERSONAPAL_TEST_POSTGRES") == "" {
		t.Skip("PERSONAPAL_TEST_POSTGRES is not set")
	}
	testWebhooks(t, openPostgres(t))
}

func testWebhooks(t *testing.T, db *DB) {
	ctx := t.Context()
	f := mustOrg(t, db, "hooks")
	other := mustOrg(t, db, "hooks-other")
	ep := persona.WebhookEndpoint{OrgID: f.Org.ID, ID: newID(), URL: "https://93.184.215.14/in", Secret: "whsec_c2VjcmV0",
		EventTypes: []string{"persona.created", "persona.updated"}, Enabled: true, CreatedAt: t0, UpdatedAt: t0}
	wantNoErr(t, db.CreateWebhookEndpoint(ctx, ep), "CreateWebhookEndpoint")
	got, err := db.WebhookEndpoint(ctx, f.Org.ID, ep.ID)
	wantNoErr(t, err, "WebhookEndpoint")
	wantEqual(t, got.EventTypes, ep.EventTypes, "event types")
	wantEqual(t, got.Secret, ep.Secret, "secret")
	_, err = db.WebhookEndpoint(ctx, other.Org.ID, ep.ID)
	wantCode(t, err, persona.CodeNotFound, "endpoint seen from another organisation")
	elsewhere, err := db.EnabledWebhookEndpoints(ctx, other.Org.ID)
	wantNoErr(t, err, "EnabledWebhookEndpoints elsewhere")
	wantEqual(t, len(elsewhere), 0, "endpoints of another organisation")
	wantCode(t, db.DeleteWebhookEndpoint(ctx, other.Org.ID, ep.ID), persona.CodeNotFound, "delete from another organisation")

	first := persona.WebhookDelivery{OrgID: f.Org.ID, ID: "msg_" + newID(), EndpointID: ep.ID, EventType: "persona.created",
		OrderKey: "p1", Payload: `{"n":1}`, CreatedAt: t0}
	second := first
	second.ID, second.EventType, second.Payload = "msg_"+newID(), "persona.updated", `{"n":2}`
	wantNoErr(t, db.QueueWebhookDelivery(ctx, first), "queue first")
	wantNoErr(t, db.QueueWebhookDelivery(ctx, second), "queue second")
	_, err = db.WebhookDelivery(ctx, other.Org.ID, first.ID)
	wantCode(t, err, persona.CodeNotFound, "delivery seen from another organisation")

	now := t0.Add(time.Minute)
	d, ok, err := db.ClaimWebhookDelivery(ctx, f.Org.ID, first.ID, now, now.Add(time.Minute))
	wantNoErr(t, err, "claim")
	wantEqual(t, ok, true, "first claim")
	_, ok, err = db.ClaimWebhookDelivery(ctx, f.Org.ID, first.ID, now.Add(time.Second), now.Add(time.Minute))
	wantNoErr(t, err, "claim again")
	wantEqual(t, ok, false, "a second claim while the first holds")
	_, ok, _ = db.ClaimWebhookDelivery(ctx, other.Org.ID, first.ID, now.Add(2*time.Minute), now.Add(3*time.Minute))
	wantEqual(t, ok, false, "a claim from another organisation")

	d2, err := db.WebhookDelivery(ctx, f.Org.ID, second.ID)
	wantNoErr(t, err, "second")
	earlier, err := db.EarlierPendingWebhook(ctx, d2)
	wantNoErr(t, err, "EarlierPendingWebhook")
	wantEqual(t, earlier, true, "the second waits for the first")
	earlier, _ = db.EarlierPendingWebhook(ctx, d)
	wantEqual(t, earlier, false, "the first waits for nothing")

	wantNoErr(t, db.FinishWebhookAttempt(ctx, f.Org.ID, first.ID, persona.WebhookAttempt{At: now, StatusCode: 500, Response: "oops", Error: "status 500"}, persona.DeliveryPending), "attempt 1")
	wantNoErr(t, db.FinishWebhookAttempt(ctx, f.Org.ID, first.ID, persona.WebhookAttempt{At: now.Add(time.Second), StatusCode: 204, Duration: 12 * time.Millisecond}, persona.DeliveryDelivered), "attempt 2")
	as, err := db.ListWebhookAttempts(ctx, f.Org.ID, first.ID)
	wantNoErr(t, err, "ListWebhookAttempts")
	wantEqual(t, len(as), 2, "attempts")
	wantEqual(t, [2]int{as[0].N, as[1].N}, [2]int{1, 2}, "attempt numbers")
	wantEqual(t, as[0].Response, "oops", "response excerpt")
	wantEqual(t, as[1].DurationMS, int64(12), "duration")
	d, _ = db.WebhookDelivery(ctx, f.Org.ID, first.ID)
	wantEqual(t, d.Status, persona.DeliveryDelivered, "status")
	wantEqual(t, d.Attempts, 2, "attempt count")
	earlier, _ = db.EarlierPendingWebhook(ctx, d2)
	wantEqual(t, earlier, false, "the second goes once the first is delivered")
	none, err := db.ListWebhookAttempts(ctx, other.Org.ID, first.ID)
	wantNoErr(t, err, "attempts elsewhere")
	wantEqual(t, len(none), 0, "attempts seen from another organisation")

	wantNoErr(t, db.RedeliverWebhook(ctx, f.Org.ID, first.ID, now.Add(time.Hour)), "redeliver")
	d, _ = db.WebhookDelivery(ctx, f.Org.ID, first.ID)
	wantEqual(t, d.Status, persona.DeliveryPending, "status after redeliver")
	wantCode(t, db.RedeliverWebhook(ctx, other.Org.ID, first.ID, now), persona.CodeNotFound, "redeliver from another organisation")

	list, err := db.ListWebhookDeliveries(ctx, f.Org.ID, ep.ID, 10)
	wantNoErr(t, err, "ListWebhookDeliveries")
	wantEqual(t, len(list), 2, "deliveries")
	wantEqual(t, list[0].ID, second.ID, "newest first")

	wantNoErr(t, db.DeleteWebhookEndpoint(ctx, f.Org.ID, ep.ID), "delete")
	_, err = db.WebhookDelivery(ctx, f.Org.ID, first.ID)
	wantCode(t, err, persona.CodeNotFound, "a delivery of a deleted endpoint")
}
