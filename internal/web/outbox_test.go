package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// The outbox page is for operators only: signed-in non-operators get
// 404 on every outbox route (nothing queued), the signed-out go to
// sign-in; an operator sees every message with recipient, subject,
// status and attempts, the whole text of one that was not sent, and can
// queue a test message (a bad address names the field).
func TestOutboxPageIsForOperatorsOnly(t *testing.T) {
	e := newWebEnv(t)
	ctx := context.Background()
	id, err := e.svc.QueueTestMessage(ctx, app.System, "someone@example.com")
	if err != nil {
		t.Fatal(err)
	}

	owner := e.signedIn(e.owner) // owns an organisation, but is no operator
	for _, p := range []string{"/admin/outbox", "/admin/outbox/" + id, "/admin/outbox/not-an-id"} {
		if got := owner.get(p); got.Status != http.StatusNotFound || strings.Contains(got.Body, "someone@example.com") {
			t.Errorf("a non-operator GET %s: %d", p, got.Status)
		}
	}
	if got := owner.post("/admin/outbox/test", url.Values{"to": {"x@example.com"}}); got.Status != http.StatusNotFound {
		t.Errorf("a non-operator queues a test message: %d", got.Status)
	}
	if got := e.browser().get("/admin/outbox"); !strings.Contains(got.URL, "/login") {
		t.Errorf("signed out: landed on %s", got.URL)
	}

	if _, err := e.svc.SetOperator(ctx, app.System, e.viewer.Email, true); err != nil {
		t.Fatal(err)
	}
	op := e.signedIn(e.viewer)
	list := op.get("/admin/outbox").must(t, http.StatusOK)
	for _, want := range []string{"someone@example.com", "Test message from Persona Pal", `data-status="queued"`, "/admin/outbox/" + id} {
		if !strings.Contains(list.Body, want) {
			t.Errorf("the outbox page lacks %q", want)
		}
	}
	msg := op.get("/admin/outbox/"+id).must(t, http.StatusOK)
	if !strings.Contains(msg.Body, `id="message-text"`) || !strings.Contains(msg.Body, "e-mail works") || !strings.Contains(msg.Body, e.svc.BaseURL()+"/") {
		t.Errorf("the message page lacks the text or the link:\n%s", msg.Body)
	}

	bad := op.post("/admin/outbox/test", url.Values{"to": {"not an address"}})
	if bad.Status != http.StatusUnprocessableEntity || !strings.Contains(bad.Body, "must be a valid email address") {
		t.Errorf("a bad address: %d", bad.Status)
	}
	sent := op.post("/admin/outbox/test", url.Values{"to": {"check@example.com"}}).must(t, http.StatusOK)
	if !strings.Contains(sent.Body, "check@example.com") || !strings.Contains(sent.URL, "/admin/outbox/") {
		t.Errorf("after queueing a test message: %s", sent.URL)
	}
	out, _ := e.svc.ListOutbox(ctx, app.System, persona.OutboxFilter{})
	if len(out.Messages) != 2 {
		t.Errorf("%d messages in the outbox, want 2", len(out.Messages))
	}
}
