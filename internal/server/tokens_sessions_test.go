package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/store"
)

// readOnlyToken makes a read-only API token for the demo owner.
func (e *env) readOnlyToken() string {
	e.t.Helper()
	secret, _, err := e.svc.CreateScopedToken(context.Background(), e.actorOf(e.owner), app.TokenOptions{Name: "Dashboard", Scope: persona.ScopeRead})
	if err != nil {
		e.t.Fatal(err)
	}
	return secret
}

// A read-only token of the demo owner reads everything the owner may, and
// every documented write — organisation routes and the owner's own
// (/me…) alike, whatever the body — answers 403 before it is read, and
// changes nothing.
func TestReadOnlyTokenIsRefusedOnEveryWrite(t *testing.T) {
	e := newEnv(t)
	ids := e.ids()
	ro := e.readOnlyToken()
	owner := e.actorOf(e.owner)
	tokensBefore, _ := e.svc.ListTokens(context.Background(), owner)
	orgHead := e.auditHead(e.org)
	writes, reads := 0, 0
	for _, rt := range documentedRoutes(e.srv.API.OpenAPI()) {
		path := ids.fill(rt.Path, e.org)
		if rt.Method == http.MethodGet {
			if strings.HasSuffix(rt.Path, "/diff") {
				path += "?from=1&to=2"
			}
			if res := e.do("GET", path, ro, nil); res.Status == http.StatusForbidden || res.Status == http.StatusUnauthorized {
				t.Errorf("read-only %s: %d %s", rt, res.Status, res.Body)
			}
			reads++
			continue
		}
		writes++
		for _, body := range []any{nil, "{}", map[string]any{"name": "Read-only was here", "role": "owner", "email": "ro@example.com",
			"current_password": "x", "new_password": "a new password for this test", "revoke_tokens": true}, strings.Repeat("x", 3<<20)} {
			res := e.do(rt.Method, path, ro, body, "If-Match", `"2"`)
			if res.Status != http.StatusForbidden {
				t.Errorf("read-only %s: want 403, got %d: %s", rt, res.Status, res.Body)
				continue
			}
			if p := res.problem(t); !strings.Contains(p.Detail, "read-only") {
				t.Errorf("read-only %s: %q does not say why", rt, p.Detail)
			}
		}
	}
	if writes < 60 || reads < 40 {
		t.Fatalf("only %d writes and %d reads walked", writes, reads)
	}
	// Nothing changed: no audit entry, no token, the owner's name, the
	// persona's revision.
	for _, got := range e.auditTail(e.org, orgHead) {
		if got.Action != "export" { // reading an export is recorded
			t.Fatalf("a read-only token's write was recorded: %+v", got)
		}
	}
	if after, _ := e.svc.ListTokens(context.Background(), owner); len(after) != len(tokensBefore) {
		t.Fatal("a read-only token changed the owner's tokens")
	}
	var p personaJSON
	e.must(200, "GET", e.api("/personas/"+ids.persona), ro, nil).json(t, &p)
	if p.Revision != 2 {
		t.Fatalf("a read-only token changed a persona: revision %d", p.Revision)
	}
	var me persona.User
	e.must(200, "GET", "/api/v1/me", ro, nil).json(t, &me)
	if me.Name == "Read-only was here" {
		t.Fatal("a read-only token renamed its owner")
	}
	// The owner's read-write token still writes.
	e.must(201, "POST", e.api("/groups"), e.owner, map[string]any{"name": "Written by the read-write token"})
}

// Scope and expiry are chosen when the token is made through the API; an
// expired token is refused as unauthenticated on every route, reads too.
func TestTokenScopeAndExpiryThroughTheAPI(t *testing.T) {
	e := newEnv(t)
	var tok struct {
		persona.Token
		Secret string `json:"token"`
	}
	e.must(201, "POST", "/api/v1/me/tokens", e.owner, map[string]any{"name": "Report", "scope": "read", "expires_in_days": 30}).json(t, &tok)
	if tok.Scope != persona.ScopeRead || tok.ExpiresAt == nil || time.Until(*tok.ExpiresAt) < 29*24*time.Hour || tok.Secret == "" {
		t.Fatalf("created %+v", tok)
	}
	e.must(200, "GET", e.api("/personas?limit=1"), tok.Secret, nil)
	e.must(403, "POST", e.api("/groups"), tok.Secret, map[string]any{"name": "x"})
	for _, bad := range []map[string]any{{"scope": "admin"}, {"expires_in_days": -1}, {"expires_in_days": 5000}} {
		e.must(422, "POST", "/api/v1/me/tokens", e.owner, bad).problem(t)
	}
	var list listJSON[persona.Token]
	e.must(200, "GET", "/api/v1/me/tokens", e.owner, nil).json(t, &list)
	for _, it := range list.Items {
		if it.ID == tok.ID && (it.Scope != persona.ScopeRead || it.LastUsedAt == nil) {
			t.Fatalf("listed %+v: scope and last use", it)
		}
	}

	// Its expiry passes (set in the database: the server's clock is real).
	db := e.svc.Store().(*store.DB)
	if _, err := db.SQL().ExecContext(t.Context(), `UPDATE api_tokens SET expires_at = $1 WHERE id = $2`,
		time.Now().Add(-time.Second).UTC(), tok.ID); err != nil {
		t.Fatal(err)
	}
	ids := e.ids()
	walked := 0
	for _, rt := range documentedRoutes(e.srv.API.OpenAPI()) {
		res := e.do(rt.Method, ids.fill(rt.Path, e.org), tok.Secret, nil)
		if res.Status != http.StatusUnauthorized || !strings.Contains(res.Header.Get("WWW-Authenticate"), "invalid_token") {
			t.Errorf("expired token %s: %d %s", rt, res.Status, res.Body)
			continue
		}
		if p := res.problem(t); !strings.Contains(p.Detail, "expired") {
			t.Errorf("expired token %s: %q", rt, p.Detail)
		}
		walked++
	}
	if walked < 100 {
		t.Fatalf("only %d routes walked", walked)
	}
}

// The sessions API lists the caller's browser sessions and ends one at
// once; another user's session is not found.
func TestSessionsAPI(t *testing.T) {
	e := newEnv(t)
	ctx := app.WithClientInfo(context.Background(), app.ClientInfo{Address: "192.0.2.44",
		UserAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"})
	secret, u, err := e.svc.SignIn(ctx, "viewer@example.com", "viewer-password-1", "192.0.2.44")
	if err != nil {
		t.Fatal(err)
	}
	var list listJSON[struct {
		ID         string  `json:"id"`
		Browser    string  `json:"browser"`
		Client     string  `json:"client_address"`
		LastSeenAt *string `json:"last_seen_at"`
	}]
	e.must(200, "GET", "/api/v1/me/sessions", e.viewer, nil).json(t, &list)
	if len(list.Items) != 1 || list.Items[0].Browser != "Firefox on Linux" || list.Items[0].Client != "192.0.2.44" || list.Items[0].LastSeenAt == nil {
		t.Fatalf("sessions %+v", list.Items)
	}
	id := list.Items[0].ID
	e.must(200, "GET", "/api/v1/me/sessions", e.owner, nil).json(t, &list)
	if len(list.Items) != 0 {
		t.Fatalf("the owner sees sessions %+v", list.Items)
	}
	e.must(404, "DELETE", "/api/v1/me/sessions/"+id, e.owner, nil).problem(t)
	if _, err := e.svc.SessionActor(ctx, secret); err != nil {
		t.Fatalf("another user ended the session: %v", err)
	}
	e.must(204, "DELETE", "/api/v1/me/sessions/"+id, e.viewer, nil)
	if _, err := e.svc.SessionActor(ctx, secret); persona.ErrorCode(err) != persona.CodeUnauthenticated {
		t.Fatalf("the ended session still works: %v", err)
	}
	e.must(404, "DELETE", "/api/v1/me/sessions/"+id, e.viewer, nil).problem(t)

	// The name is changed through PUT /me.
	var me persona.User
	e.must(200, "PUT", "/api/v1/me", e.viewer, map[string]any{"name": "Vera V. Viewer"}).json(t, &me)
	if me.Name != "Vera V. Viewer" || me.ID != u.ID || me.EmailVerifiedAt == nil {
		t.Fatalf("me %+v", me)
	}
	p := e.must(422, "PUT", "/api/v1/me", e.viewer, map[string]any{"name": "bell\a"}).problem(t)
	if loc := p.locations(); len(loc) != 1 || loc[0] != "body.name" {
		t.Fatalf("problem %+v", p)
	}
}
