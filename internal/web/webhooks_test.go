package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// An admin adds an endpoint through the form: bad input comes back on the
// page naming the field and keeping what was typed; a good one shows its
// secret once; the endpoint page shows the delivery log, a test event and
// a redelivery; viewers are refused.
func TestWebhookPagesAddEditDeliverAndRedeliver(t *testing.T) {
	e := newWebEnv(t)
	owner := e.signedIn(e.owner)
	base := "/o/" + e.org + "/webhooks"
	if p := owner.get("/o/" + e.org); !strings.Contains(p.Body, `href="`+base+`"`) {
		t.Fatal("the organisation menu has no Webhooks link")
	}
	if p := owner.get(base); p.Status != 200 || !strings.Contains(p.Body, "No endpoint yet") || !strings.Contains(p.Body, `value="comment.created"`) {
		t.Fatalf("empty list: %d", p.Status)
	}
	for _, c := range []struct {
		form  url.Values
		field string
	}{
		{url.Values{"url": {"http://93.184.215.14/in"}, "description": {"Kept text"}, "event_types": {"persona.updated"}}, "webhook-url-error"},
		{url.Values{"url": {"https://127.0.0.1/in"}, "description": {"Kept text"}, "event_types": {"persona.updated"}}, "webhook-url-error"},
		{url.Values{"url": {"https://93.184.215.14/in"}, "description": {"Kept text"}}, "webhook-events-error"},
	} {
		p := owner.post(base, c.form)
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `id="`+c.field+`"`) {
			t.Errorf("%v: %d, want 422 naming %s", c.form, p.Status, c.field)
		}
		if !strings.Contains(p.Body, `value="`+html.EscapeString(c.form.Get("url"))+`"`) || !strings.Contains(p.Body, `value="Kept text"`) {
			t.Errorf("%v: the typed input is not kept", c.form)
		}
		if len(c.form["event_types"]) > 0 && !strings.Contains(p.Body, `value="persona.updated" checked`) {
			t.Errorf("%v: the ticked event is not kept", c.form)
		}
	}
	p := owner.post(base, url.Values{"url": {"https://93.184.215.14/in"}, "event_types": {"persona.updated", "comment.created"}, "enabled": {"on"}})
	secret := regexp.MustCompile(`whsec_[A-Za-z0-9+/=]+`).FindString(p.Body)
	if p.Status != http.StatusCreated || secret == "" {
		t.Fatalf("create: %d, secret %q", p.Status, secret)
	}
	id := regexp.MustCompile(`/webhooks/([0-9a-f-]{36})/test`).FindStringSubmatch(p.Body)
	if id == nil {
		t.Fatal("no test button on the new endpoint's page")
	}
	page := base + "/" + id[1]
	if p := owner.get(page); p.Status != 200 || strings.Contains(p.Body, secret) || !strings.Contains(p.Body, `value="comment.created" checked`) {
		t.Fatalf("endpoint page: %d (the secret must not show again)", p.Status)
	}
	if p := owner.get(base); !strings.Contains(p.Body, "https://93.184.215.14/in") {
		t.Fatal("the list misses the endpoint")
	}
	p = owner.post(page+"/test", url.Values{})
	if p.Status != 200 || !strings.Contains(p.Body, "webhook.test") || !strings.Contains(p.Body, "Not attempted yet") {
		t.Fatalf("test event: %d", p.Status)
	}
	d := regexp.MustCompile(`/deliveries/(msg_[0-9a-f-]+)/redeliver`).FindStringSubmatch(p.Body)
	if d == nil {
		t.Fatal("no redeliver button")
	}
	if p := owner.post(page+"/deliveries/"+d[1]+"/redeliver", url.Values{}); p.Status != 200 || !strings.Contains(p.Body, "queued again") {
		t.Fatalf("redeliver: %d", p.Status)
	}
	// Edit: a private address is refused and the page keeps the input.
	if p := owner.post(page, url.Values{"url": {"https://10.0.0.8/in"}, "event_types": {"persona.created"}}); p.Status != 422 || !strings.Contains(p.Body, `value="https://10.0.0.8/in"`) || !strings.Contains(p.Body, `id="webhook-url-error"`) {
		t.Fatalf("bad edit: %d", p.Status)
	}
	if p := owner.post(page, url.Values{"url": {"https://93.184.215.14/other"}, "event_types": {"persona.created"}}); p.Status != 200 || !strings.Contains(p.Body, "Disabled") {
		t.Fatalf("edit (unticked enabled): %d", p.Status)
	}
	viewer := e.signedIn(e.viewer)
	if p := viewer.get(base); p.Status != http.StatusForbidden {
		t.Errorf("viewer list: %d", p.Status)
	}
	if p := viewer.get(page); p.Status != http.StatusForbidden {
		t.Errorf("viewer endpoint page: %d", p.Status)
	}
	if p := owner.post(page+"/delete", url.Values{}); p.Status != 200 || !strings.Contains(p.Body, "No endpoint yet") {
		t.Fatalf("delete: %d", p.Status)
	}
}
