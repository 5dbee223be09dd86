package server_test

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/persona"
)

// shape is a JSON document with the values that differ between any two
// invitations (their ID, address and times) blanked, and every key kept.
func shape(t *testing.T, body []byte) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	for _, k := range []string{"id", "email", "created_at", "expires_at"} {
		if _, ok := doc[k]; !ok {
			t.Fatalf("no %q in %s", k, body)
		}
		doc[k] = "…"
	}
	return doc
}

// TestInviteAnswersTheSameForAnyAddress: inviting an address with an
// account, one without, and either again while its invitation is pending
// answers 202 with the same headers and the same document apart from the
// invitation's own ID, address and times. (The route it replaces answered
// 201 for an account, 409 for a member and 422 for an unknown address.)
func TestInviteAnswersTheSameForAnyAddress(t *testing.T) {
	e := newEnv(t)
	if _, err := e.svc.CreateUser(context.Background(), "has-account@example.com", "Hana Account", "hana-password-1"); err != nil {
		t.Fatal(err)
	}
	type answer struct {
		status  int
		headers []string
		ctype   string
		doc     map[string]any
	}
	answers := map[string]answer{}
	ids := map[string]string{}
	for _, c := range []struct{ name, email string }{
		{"with an account", "has-account@example.com"},
		{"without an account", "no-account@example.com"},
		{"with an account, pending", "Has-Account@example.com"},
		{"without an account, pending", "no-account@example.com"},
	} {
		res := e.do("POST", e.api("/invitations"), e.owner, map[string]any{"email": c.email, "role": "editor"})
		var inv struct {
			ID    string `json:"id"`
			Email string `json:"email"`
		}
		res.json(t, &inv)
		if inv.Email != strings.ToLower(c.email) {
			t.Errorf("%s: invited %q", c.name, inv.Email)
		}
		if old, ok := ids[inv.Email]; ok && old != inv.ID {
			t.Errorf("%s: a second invitation %s instead of sending %s again", c.name, inv.ID, old)
		}
		ids[inv.Email] = inv.ID
		answers[c.name] = answer{res.Status, slices.Sorted(maps.Keys(res.Header)), res.Header.Get("Content-Type"), shape(t, res.Body)}
	}
	want := answers["with an account"]
	if want.status != http.StatusAccepted || want.ctype != "application/json" {
		t.Fatalf("invite: %d %s", want.status, want.ctype)
	}
	for name, got := range answers {
		if got.status != want.status || got.ctype != want.ctype || !slices.Equal(got.headers, want.headers) {
			t.Errorf("%s: %d %s %v, want %d %s %v", name, got.status, got.ctype, got.headers, want.status, want.ctype, want.headers)
		}
		a, _ := json.Marshal(got.doc)
		b, _ := json.Marshal(want.doc)
		if string(a) != string(b) {
			t.Errorf("%s answers\n%s\nwant\n%s", name, a, b)
		}
	}
	// Nothing in the answer speaks of accounts.
	for _, k := range []string{"user_id", "name", "account", "exists"} {
		if _, ok := want.doc[k]; ok {
			t.Errorf("the answer has %q: %v", k, want.doc)
		}
	}

	// The admins' list holds both, pending, with who sent them.
	var list listJSON[struct {
		ID        string `json:"id"`
		Email     string `json:"email"`
		Role      string `json:"role"`
		Status    string `json:"status"`
		InvitedBy struct {
			Name  string `json:"name"`
			Email string `json:"email"`
		} `json:"invited_by"`
	}]
	e.must(200, "GET", e.api("/invitations"), e.owner, nil).json(t, &list)
	if len(list.Items) != 2 {
		t.Fatalf("invitations: %+v", list.Items)
	}
	for _, it := range list.Items {
		if it.Status != "pending" || it.Role != "editor" || it.InvitedBy.Email != "demo@example.com" || it.InvitedBy.Name == "" || ids[it.Email] != it.ID {
			t.Errorf("listed %+v", it)
		}
	}

	// Refusals: an address that is already a member (admins see the
	// members anyway), bad input, the owner role from an admin.
	p := e.must(409, "POST", e.api("/invitations"), e.owner, map[string]any{"email": "viewer@example.com", "role": "editor"}).problem(t)
	if !strings.Contains(p.Detail, "already a member") {
		t.Errorf("inviting a member: %+v", p)
	}
	p = e.must(422, "POST", e.api("/invitations"), e.owner, map[string]any{"email": "not an address", "role": "editor"}).problem(t)
	if !slices.Equal(p.locations(), []string{"body.email"}) {
		t.Errorf("bad address: %+v", p)
	}
	e.must(422, "POST", e.api("/invitations"), e.owner, map[string]any{"email": "x@example.com", "role": "boss"}).problem(t)

	// The route that added members without asking them is gone, whatever
	// the address.
	for _, email := range []string{"has-account@example.com", "no-account@example.com", "viewer@example.com"} {
		p := e.must(410, "POST", e.api("/members"), e.owner, map[string]any{"email": email, "role": "editor"}).problem(t)
		if !strings.Contains(p.Detail, "/invitations") {
			t.Errorf("POST /members: %+v", p)
		}
	}
	var members listJSON[persona.Member]
	e.must(200, "GET", e.api("/members"), e.owner, nil).json(t, &members)
	for _, m := range members.Items {
		if m.Email == "has-account@example.com" {
			t.Fatal("inviting added the account without its consent")
		}
	}
}

// TestInviteeAcceptsDeclinesThroughTheAPI: the invitee lists their
// invitations, accepts one and becomes a member with the role; another
// user cannot accept or decline it (404); a revoked one cannot be
// accepted; an admin revokes; a viewer can do none of the admins' part.
func TestInviteeAcceptsDeclinesThroughTheAPI(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	nina, err := e.svc.CreateUser(ctx, "nina@example.com", "Nina Newcomer", "nina-password-12")
	if err != nil {
		t.Fatal(err)
	}
	ninaTok := e.tokenFor(nina)
	var inv, other struct {
		ID string `json:"id"`
	}
	e.must(202, "POST", e.api("/invitations"), e.owner, map[string]any{"email": "nina@example.com", "role": "editor"}).json(t, &inv)
	e.must(202, "POST", "/api/v1/orgs/"+e.otherOr+"/invitations", e.other, map[string]any{"email": "nina@example.com", "role": "viewer"}).json(t, &other)

	var mine listJSON[struct {
		ID  string `json:"id"`
		Org struct {
			Slug string `json:"slug"`
			Name string `json:"name"`
		} `json:"org"`
		Role      string `json:"role"`
		InvitedBy struct {
			Name string `json:"name"`
		} `json:"invited_by"`
	}]
	e.must(200, "GET", "/api/v1/me/invitations", ninaTok, nil).json(t, &mine)
	if len(mine.Items) != 2 || mine.Items[0].ID != inv.ID || mine.Items[0].Org.Slug != e.org || mine.Items[0].Role != "editor" ||
		mine.Items[0].InvitedBy.Name == "" || mine.Items[1].Org.Name != "Other Corp" {
		t.Fatalf("Nina's invitations: %+v", mine.Items)
	}
	// Nobody else sees, accepts or declines them.
	for _, tok := range []string{e.owner, e.viewer, e.other} {
		var theirs listJSON[struct{}]
		e.must(200, "GET", "/api/v1/me/invitations", tok, nil).json(t, &theirs)
		if len(theirs.Items) != 0 {
			t.Errorf("another user sees %d invitations", len(theirs.Items))
		}
		e.must(404, "POST", "/api/v1/me/invitations/"+inv.ID+"/accept", tok, nil).problem(t)
		e.must(404, "POST", "/api/v1/me/invitations/"+inv.ID+"/decline", tok, nil).problem(t)
	}
	e.must(401, "POST", "/api/v1/me/invitations/"+inv.ID+"/accept", "", nil).problem(t)
	// A viewer cannot list, invite or revoke; an outsider gets 404.
	e.must(403, "GET", e.api("/invitations"), e.viewer, nil).problem(t)
	e.must(403, "POST", e.api("/invitations"), e.viewer, map[string]any{"email": "x@example.com", "role": "viewer"}).problem(t)
	e.must(403, "DELETE", e.api("/invitations/"+inv.ID), e.viewer, nil).problem(t)
	e.must(404, "DELETE", e.api("/invitations/"+inv.ID), e.other, nil).problem(t)
	e.must(404, "DELETE", "/api/v1/orgs/"+e.otherOr+"/invitations/"+inv.ID, e.other, nil).problem(t)

	// Nina accepts: she is an editor at once.
	e.must(404, "GET", e.api("/groups"), ninaTok, nil)
	var joined struct {
		Slug string `json:"slug"`
		Role string `json:"role"`
	}
	e.must(200, "POST", "/api/v1/me/invitations/"+inv.ID+"/accept", ninaTok, nil).json(t, &joined)
	if joined.Slug != e.org || joined.Role != "editor" {
		t.Fatalf("joined %+v", joined)
	}
	e.must(201, "POST", e.api("/groups"), ninaTok, map[string]any{"name": "Nina's group"})
	p := e.must(404, "POST", "/api/v1/me/invitations/"+inv.ID+"/accept", ninaTok, nil).problem(t)
	if !strings.Contains(p.Detail, "already accepted") {
		t.Errorf("accept twice: %+v", p)
	}
	// She declines the other one; the other organisation stays closed.
	e.must(204, "POST", "/api/v1/me/invitations/"+other.ID+"/decline", ninaTok, nil)
	e.must(404, "GET", "/api/v1/orgs/"+e.otherOr+"/groups", ninaTok, nil)
	e.must(404, "POST", "/api/v1/me/invitations/"+other.ID+"/accept", ninaTok, nil).problem(t)

	// A revoked invitation cannot be accepted.
	var third struct {
		ID string `json:"id"`
	}
	e.must(202, "POST", "/api/v1/orgs/"+e.otherOr+"/invitations", e.other, map[string]any{"email": "nina@example.com", "role": "admin"}).json(t, &third)
	e.must(204, "DELETE", "/api/v1/orgs/"+e.otherOr+"/invitations/"+third.ID, e.other, nil)
	e.must(409, "DELETE", "/api/v1/orgs/"+e.otherOr+"/invitations/"+third.ID, e.other, nil).problem(t)
	p = e.must(404, "POST", "/api/v1/me/invitations/"+third.ID+"/accept", ninaTok, nil).problem(t)
	if !strings.Contains(p.Detail, "withdrawn") {
		t.Errorf("accept a revoked invitation: %+v", p)
	}
	e.must(404, "GET", "/api/v1/orgs/"+e.otherOr+"/groups", ninaTok, nil)

	// The organisation's log: the invitation, and the invitee adding
	// herself by accepting.
	var log listJSON[persona.AuditEvent]
	e.must(200, "GET", e.api("/audit?object_kind=member"), e.owner, nil).json(t, &log)
	if len(log.Items) == 0 || log.Items[0].Action != "add" || log.Items[0].ActorEmail != "nina@example.com" || log.Items[0].ObjectID != nina.ID {
		t.Errorf("member entries: %+v", log.Items)
	}
	e.must(200, "GET", e.api("/audit?object_kind=invitation"), e.owner, nil).json(t, &log)
	if len(log.Items) != 1 || log.Items[0].Action != "invite" || log.Items[0].ObjectID != inv.ID {
		t.Errorf("invitation entries: %+v", log.Items)
	}
}
