package server_test

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// Real payloads — emitted by real changes through the API and the service
// (persona create, update, trash; a variant; a comment; a review; a test
// event) — validate against the schema served for their event type, and
// not against another type's.
func TestWebhookPayloadsValidateAgainstTheServedSchemas(t *testing.T) {
	e := newEnv(t)
	var hook struct {
		ID     string `json:"id"`
		Secret string `json:"secret"`
	}
	e.must(201, "POST", e.api("/webhooks"), e.owner, map[string]any{"url": "https://93.184.215.14/hooks",
		"event_types": app.WebhookEventTypes(), "description": "everything"}).json(t, &hook)
	if !strings.HasPrefix(hook.Secret, "whsec_") {
		t.Fatalf("created without a secret: %+v", hook)
	}
	if r := e.must(200, "GET", e.api("/webhooks/"+hook.ID), e.owner, nil); strings.Contains(string(r.Body), hook.Secret) {
		t.Fatal("the secret is shown again")
	}

	p := e.createUX("Hook Persona")
	e.must(201, "POST", e.api("/personas/"+p.ID+"/variants"), e.owner, map[string]any{"customer_label": "Hook Co"})
	owner := e.actorOf(e.owner)
	if _, err := e.svc.AddComment(t.Context(), owner, e.org, app.CommentInput{Subject: persona.CommentOnPersona, SubjectID: p.ID, Body: "Still true?"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.MarkReviewed(t.Context(), owner, e.org, p.ID, "fine"); err != nil {
		t.Fatal(err)
	}
	e.must(204, "DELETE", e.api("/personas/"+p.ID), e.owner, nil)
	e.must(202, "POST", e.api("/webhooks/"+hook.ID+"/test"), e.owner, nil)

	var ds struct {
		Items []app.WebhookDeliveryView `json:"items"`
	}
	e.must(200, "GET", e.api("/webhooks/"+hook.ID+"/deliveries"), e.owner, nil).json(t, &ds)
	var types []string
	for _, d := range ds.Items {
		types = append(types, d.EventType)
	}
	for _, want := range []string{"persona.created", "variant.created", "comment.created", "persona.reviewed", "persona.deleted", "webhook.test"} {
		if !slices.Contains(types, want) {
			t.Errorf("no %s delivery; got %v", want, types)
		}
	}
	compile := func(name string) *jsonschema.Schema {
		t.Helper()
		r := e.must(200, "GET", "/api/schemas/"+name+".json", "", nil)
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(r.Body))
		if err != nil {
			t.Fatal(err)
		}
		c := jsonschema.NewCompiler()
		if err := c.AddResource(name+".json", doc); err != nil {
			t.Fatal(err)
		}
		s, err := c.Compile(name + ".json")
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	for _, d := range ds.Items {
		inst, err := jsonschema.UnmarshalJSON(strings.NewReader(d.Payload))
		if err != nil {
			t.Fatal(err)
		}
		if err := compile("webhook-" + d.EventType).Validate(inst); err != nil {
			t.Errorf("%s payload does not match its schema: %v\n%s", d.EventType, err, d.Payload)
		}
		other := "webhook-persona.updated"
		if d.EventType == "persona.updated" {
			other = "webhook-comment.created"
		}
		if compile(other).Validate(inst) == nil {
			t.Errorf("%s payload also matches %s", d.EventType, other)
		}
		var ev persona.WebhookEvent
		if err := json.Unmarshal([]byte(d.Payload), &ev); err != nil || ev.Data.Organisation != e.org {
			t.Errorf("%s: %v %+v", d.EventType, err, ev)
		}
		if d.EventType != "webhook.test" && ev.Data.PersonaID != p.ID {
			t.Errorf("%s is not ordered with its persona: persona_id %q", d.EventType, ev.Data.PersonaID)
		}
	}
	// Attempts and redelivery of one delivery.
	d := ds.Items[0]
	e.must(200, "GET", e.api("/webhooks/"+hook.ID+"/deliveries/"+d.ID+"/attempts"), e.owner, nil)
	e.must(202, "POST", e.api("/webhooks/"+hook.ID+"/deliveries/"+d.ID+"/redeliver"), e.owner, nil)
	e.must(404, "POST", e.api("/webhooks/"+hook.ID+"/deliveries/msg_nope/redeliver"), e.owner, nil).problem(t)
}

// Bad endpoints are refused with problem+json naming the field: plain
// http, loopback, private and link-local addresses (no
// --webhooks-allow-private here), "localhost", no event types, an unknown
// type.
func TestWebhookBadInputIsRefusedNamingTheField(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct {
		url   string
		types []string
		field string
	}{
		{"http://93.184.215.14/hooks", []string{"persona.updated"}, "url"},
		{"https://127.0.0.1/hooks", []string{"persona.updated"}, "url"},
		{"https://localhost:8443/hooks", []string{"persona.updated"}, "url"},
		{"https://10.1.2.3/hooks", []string{"persona.updated"}, "url"},
		{"https://192.168.0.7/hooks", []string{"persona.updated"}, "url"},
		{"https://169.254.169.254/latest/meta-data", []string{"persona.updated"}, "url"},
		{"https://[::1]/hooks", []string{"persona.updated"}, "url"},
		{"https://[fe80::1]/hooks", []string{"persona.updated"}, "url"},
		{"not a url", []string{"persona.updated"}, "url"},
		{"https://93.184.215.14/hooks", []string{}, "event_types"},
		{"https://93.184.215.14/hooks", []string{"persona.exploded"}, "event_types"},
	} {
		r := e.do("POST", e.api("/webhooks"), e.owner, map[string]any{"url": c.url, "event_types": c.types})
		if r.Status != 422 {
			t.Errorf("%s %v: got %d, want 422: %s", c.url, c.types, r.Status, r.Body)
			continue
		}
		if !strings.Contains(string(r.Body), c.field) {
			t.Errorf("%s %v: the problem does not name %s: %s", c.url, c.types, c.field, r.Body)
		}
		r.problem(t)
	}
	var list struct {
		Items []persona.WebhookEndpoint `json:"items"`
	}
	e.must(200, "GET", e.api("/webhooks"), e.owner, nil).json(t, &list)
	if len(list.Items) != 0 {
		t.Fatalf("refused endpoints were stored: %+v", list.Items)
	}
	e.must(403, "GET", e.api("/webhooks"), e.viewer, nil).problem(t)
}
