package server_test

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/persona"
)

// The routes about "you" (/api/v1/me…) take no organisation: each answers
// about the caller alone. Walked by another user with the owner's real
// token ID, and by a viewer of the owner's organisation, they show nothing
// of the owner's and change nothing of the owner's or the organisation's.
func TestAccountRoutesServeOnlyTheCaller(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	owner := e.actorOf(e.owner)
	ids := e.ids()
	if _, _, err := e.svc.CreateToken(ctx, owner, "Owner's private token"); err != nil {
		t.Fatal(err)
	}
	orgHead := e.auditHead(e.org)
	ownerLog := func() []persona.SecurityEvent {
		t.Helper()
		l, err := e.svc.ListSecurityEvents(ctx, owner, 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	before := ownerLog()
	secrets := []string{"Owner's private token", owner.UserID, owner.Email, ids.token}
	walked := 0
	for _, rt := range documentedRoutes(e.srv.API.OpenAPI()) {
		if !strings.HasPrefix(rt.Path, "/api/v1/me") {
			continue
		}
		path := ids.fill(rt.Path, e.org)
		for _, who := range []string{e.other, e.viewer} {
			for _, body := range []any{nil, "{}", map[string]any{"name": "x", "revoke_tokens": false, "current_password": "viewer-password-1",
				"new_password": "a new password for this test"}} {
				if rt.Method == http.MethodGet && body != nil {
					continue
				}
				res := e.do(rt.Method, path, who, body)
				if res.Status >= 500 {
					t.Errorf("%s: %d %s", rt, res.Status, res.Body)
				}
				for _, s := range secrets {
					if strings.Contains(string(res.Body), s) {
						t.Errorf("%s shows another user %q: %s", rt, s, res.Body)
					}
				}
				walked++
			}
		}
	}
	if walked < 20 {
		t.Fatalf("only %d requests walked", walked)
	}
	// The owner's token still works, their log has nothing new, and the
	// organisation's audit log has nothing at all.
	e.must(200, "GET", "/api/v1/me", e.owner, nil)
	if after := ownerLog(); len(after) != len(before) {
		t.Errorf("others' requests wrote to the owner's security log: %+v", after[:len(after)-len(before)])
	}
	if got := e.auditTail(e.org, orgHead); len(got) != 0 {
		t.Errorf("account requests wrote to the organisation's audit log: %+v", got)
	}
}

// A password change checks the current password (throttled like a
// sign-in), refuses a weak new one with a field error, signs out every
// browser and, when asked, revokes every API token; signing out everywhere
// can revoke them too, and by default does not.
func TestPasswordChangeAndSignOutEverywhereCanRevokeTokens(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	viewer, err := e.svc.UserByEmail(ctx, "viewer@example.com")
	if err != nil {
		t.Fatal(err)
	}
	second := e.tokenFor(viewer)
	set := func(body map[string]any) response { return e.do("PUT", "/api/v1/me/password", e.viewer, body) }

	// Refusals name the field and change nothing.
	for _, c := range []struct {
		body  map[string]any
		field string
		msg   string
	}{
		{map[string]any{"current_password": "not it at all", "new_password": "a perfectly good one"}, "body.current_password", "is not your current password"},
		{map[string]any{"current_password": "viewer-password-1", "new_password": "          "}, "body.new_password", "must not be only spaces"},
		{map[string]any{"current_password": "viewer-password-1", "new_password": "abcabcabcabc"}, "body.new_password", "different characters"},
		{map[string]any{"current_password": "viewer-password-1", "new_password": "viewer-password-1"}, "body.new_password", "must differ"},
	} {
		res := set(c.body)
		if res.Status != http.StatusUnprocessableEntity {
			t.Fatalf("%v: %d %s", c.body, res.Status, res.Body)
		}
		p := res.problem(t)
		if !slices.Contains(p.locations(), c.field) || !strings.Contains(string(res.Body), c.msg) {
			t.Errorf("%v: %+v, want %s %q", c.body, p, c.field, c.msg)
		}
	}
	if _, err := e.svc.CheckPassword(ctx, viewer.Email, "viewer-password-1"); err != nil {
		t.Fatalf("a refused change changed the password: %v", err)
	}

	// Keeping the tokens (the default): both still work.
	var out struct {
		RevokedTokens int `json:"revoked_tokens"`
	}
	e.must(200, "PUT", "/api/v1/me/password", e.viewer, map[string]any{"current_password": "viewer-password-1", "new_password": "viewer-password-2"}).json(t, &out)
	if out.RevokedTokens != 0 {
		t.Errorf("revoked %d tokens without being asked", out.RevokedTokens)
	}
	e.must(200, "GET", "/api/v1/me", e.viewer, nil)
	e.must(200, "POST", "/api/v1/me/sign-out-everywhere", e.viewer, nil).json(t, &out)
	if out.RevokedTokens != 0 {
		t.Errorf("sign-out revoked %d tokens without being asked", out.RevokedTokens)
	}
	e.must(200, "GET", "/api/v1/me", second, nil)

	// Revoking: every token of the user stops working at once, this one too.
	e.must(200, "PUT", "/api/v1/me/password", e.viewer, map[string]any{"current_password": "viewer-password-2",
		"new_password": "viewer-password-3", "revoke_tokens": true}).json(t, &out)
	if out.RevokedTokens != 2 {
		t.Errorf("revoked %d tokens, want 2", out.RevokedTokens)
	}
	for _, tok := range []string{e.viewer, second} {
		e.must(401, "GET", "/api/v1/me", tok, nil).problem(t)
	}
	e.must(200, "GET", "/api/v1/me", e.owner, nil) // nobody else's
	if _, err := e.svc.CheckPassword(ctx, viewer.Email, "viewer-password-3"); err != nil {
		t.Fatalf("the new password does not work: %v", err)
	}
	fresh := e.tokenFor(viewer)
	e.must(200, "POST", "/api/v1/me/sign-out-everywhere", fresh, map[string]any{"revoke_tokens": true}).json(t, &out)
	if out.RevokedTokens != 1 {
		t.Errorf("sign-out revoked %d tokens, want 1", out.RevokedTokens)
	}
	e.must(401, "GET", "/api/v1/me", fresh, nil)

	// Each of it is in the viewer's own log.
	log, err := e.svc.ListSecurityEvents(ctx, e.actorOf(e.tokenFor(viewer)), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, ev := range log {
		kinds = append(kinds, ev.Kind+" "+ev.Summary)
	}
	for _, want := range []string{"sign_out_everywhere Signed out everywhere; API tokens revoked", "password_changed Password changed; signed out everywhere; API tokens revoked",
		"password_changed Password changed; signed out everywhere", "sign_in_failed Password change refused: the current password was wrong"} {
		if !slices.Contains(kinds, want) {
			t.Errorf("the security log lacks %q: %q", want, kinds)
		}
	}

	// The current password is guessed no faster than at sign-in: after 5
	// wrong ones from this address, 429 with Retry-After.
	tok := e.tokenFor(viewer)
	for i := range 5 {
		res := e.do("PUT", "/api/v1/me/password", tok, map[string]any{"current_password": "guess " + strconv.Itoa(i) + " xyz", "new_password": "viewer-password-4"})
		if res.Status != http.StatusUnprocessableEntity {
			t.Fatalf("wrong current password %d: %d %s", i+1, res.Status, res.Body)
		}
	}
	res := e.do("PUT", "/api/v1/me/password", tok, map[string]any{"current_password": "viewer-password-3", "new_password": "viewer-password-4"})
	if res.Status != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
		t.Fatalf("after 5 wrong current passwords: %d Retry-After %q %s", res.Status, res.Header.Get("Retry-After"), res.Body)
	}
	res.problem(t)
	if _, err := e.svc.CheckPassword(ctx, viewer.Email, "viewer-password-3"); err != nil {
		t.Fatalf("a throttled change changed the password: %v", err)
	}
}
