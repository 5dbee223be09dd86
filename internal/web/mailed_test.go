package web_test

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// The server's e-mail, read from its outbox: no queue runs in these tests,
// so every message stays there with its text and links.

// mailed lists the messages of kind to addr ("" for any), oldest first.
func (e *webEnv) mailed(kind persona.MessageKind, addr string) []persona.OutboxMessage {
	e.t.Helper()
	box, err := e.svc.ListOutbox(context.Background(), app.System, persona.OutboxFilter{Limit: 500})
	if err != nil {
		e.t.Fatal(err)
	}
	var out []persona.OutboxMessage
	for _, m := range slices.Backward(box.Messages) {
		if m.Kind == kind && (addr == "" || strings.EqualFold(m.To, addr)) {
			out = append(out, m)
		}
	}
	return out
}

// lastLink is the link (path and query, on this server) of the newest
// message of kind to addr.
func (e *webEnv) lastLink(t *testing.T, kind persona.MessageKind, addr string) string {
	t.Helper()
	ms := e.mailed(kind, addr)
	if len(ms) == 0 {
		t.Fatalf("no %s message to %q was sent", kind, addr)
	}
	m := ms[len(ms)-1]
	if len(m.Links) != 1 {
		t.Fatalf("%s message has links %v", kind, m.Links)
	}
	u, err := url.Parse(m.Links[0])
	if err != nil {
		t.Fatal(err)
	}
	return u.RequestURI()
}

// tokenOf is a link's token parameter.
func tokenOf(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil || u.Query().Get("token") == "" {
		t.Fatalf("link %q has no token", link)
	}
	return u.Query().Get("token")
}
