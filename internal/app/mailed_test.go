package app_test

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// The use cases' e-mail, read from the outbox: nothing runs the queue in
// these tests, so every message stays queued there with its text and
// links.

// mailed lists the outbox's messages to addr ("" for any) of kind, oldest
// first.
func mailed(t *testing.T, svc *app.Service, addr string, kind persona.MessageKind) []persona.OutboxMessage {
	t.Helper()
	box, err := svc.ListOutbox(context.Background(), app.System, persona.OutboxFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	var out []persona.OutboxMessage
	for _, m := range slices.Backward(box.Messages) {
		if m.Kind == kind && (addr == "" || strings.EqualFold(m.To, addr)) {
			out = append(out, m)
		}
	}
	return out
}

// lastMailed is the newest message to addr of kind.
func lastMailed(t *testing.T, svc *app.Service, addr string, kind persona.MessageKind) persona.OutboxMessage {
	t.Helper()
	ms := mailed(t, svc, addr, kind)
	if len(ms) == 0 {
		t.Fatalf("no %s message to %s was sent", kind, addr)
	}
	return ms[len(ms)-1]
}

// linkToken is the token parameter of the message's link, which must lead
// to path.
func linkToken(t *testing.T, m persona.OutboxMessage, path string) string {
	t.Helper()
	if len(m.Links) != 1 {
		t.Fatalf("%s message to %s has links %v, want one", m.Kind, m.To, m.Links)
	}
	u, err := url.Parse(m.Links[0])
	if err != nil || !strings.HasSuffix(u.Path, path) {
		t.Fatalf("link %q does not lead to %s", m.Links[0], path)
	}
	tok := u.Query().Get("token")
	if tok == "" || !strings.Contains(m.Text, m.Links[0]) {
		t.Fatalf("link %q has no token, or is not in the text:\n%s", m.Links[0], m.Text)
	}
	return tok
}
