package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/demo"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/seed"
	"github.com/personapal/personapal/internal/server"
	"github.com/personapal/personapal/internal/store"
)

// serverOver starts an independent server (its own database handle,
// service and router, as a second instance would have) over the SQLite
// file at path, which must already be migrated.
func serverOver(t *testing.T, path string) (*httptest.Server, *app.Service) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := app.New(db, app.WithLogger(log), app.WithPasswordHasher(cheapHasher))
	h, err := server.New(svc, db, log)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, svc
}

// newWebEnvOnFile is the demo organisation and its owner on a database file
// whose path the test keeps, so that a second server can share it.
func newWebEnvOnFile(t *testing.T) (*webEnv, string) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shared.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	creds, err := seed.Demo(ctx, app.New(db, app.WithLogger(log), app.WithPasswordHasher(cheapHasher)), demo.Data())
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	srv, svc := serverOver(t, path)
	return &webEnv{t: t, srv: srv, svc: svc, org: creds.OrgSlug, owner: account{creds.Email, creds.Password}}, path
}

func TestSecurityCrossOriginPostsAreRefused(t *testing.T) {
	e := newWebEnv(t)
	ctx := context.Background()
	newbie := e.newUser("newbie@example.com", "Nina Newbie")
	b := e.signedIn(e.owner)
	page, err := e.svc.ListPersonas(ctx, e.actor(e.owner), e.org, persona.PersonaFilter{Limit: 1}, "")
	if err != nil || len(page.Items) == 0 {
		t.Fatalf("no demo persona: %v", err)
	}
	victim := page.Items[0]
	addForm := url.Values{"email": {newbie.Email}, "role": {"owner"}}

	p := b.postFrom("https://evil.example", "/o/"+e.org+"/invitations", addForm).must(t, http.StatusForbidden)
	if !strings.Contains(p.Body, "another site") {
		t.Fatalf("cross-origin refusal does not say why:\n%s", p.Body)
	}
	b.postFrom("https://evil.example", "/o/"+e.org+"/personas/"+victim.ID+"/trash", nil).must(t, http.StatusForbidden)
	b.postFrom("https://evil.example", "/account/tokens", url.Values{"name": {"stolen"}}).must(t, http.StatusForbidden)
	b.postFrom("https://evil.example", "/logout", nil).must(t, http.StatusForbidden)

	if list, _ := e.svc.ListInvitations(ctx, e.actor(e.owner), e.org); len(list) != 0 {
		t.Fatal("a cross-origin post invited someone")
	}
	if _, err := e.svc.GetPersona(ctx, e.actor(e.owner), e.org, victim.ID); err != nil {
		t.Fatalf("a cross-origin post trashed the persona: %v", err)
	}
	tokens, _ := e.svc.ListTokens(ctx, e.actor(e.owner))
	for _, tok := range tokens {
		if tok.Name == "stolen" {
			t.Fatal("a cross-origin post created a token")
		}
	}
	b.get("/o/"+e.org+"/members").must(t, http.StatusOK) // still signed in

	// The same posts from our own pages work.
	b.post("/o/"+e.org+"/invitations", addForm).must(t, http.StatusOK)
	if list, _ := e.svc.ListInvitations(ctx, e.actor(e.owner), e.org); len(list) != 1 || list[0].Email != newbie.Email || list[0].Role != persona.RoleOwner {
		t.Fatalf("a same-origin post did not invite: %+v", list)
	}
	nb := e.signedIn(account{newbie.Email, "new-user-password-1"})
	nb.postFrom("https://evil.example", "/invitations/"+mustInvitation(t, e, newbie.Email)+"/accept", nil).must(t, http.StatusForbidden)
	if e.roleOf(newbie.ID) != "" {
		t.Fatal("a cross-origin post accepted an invitation")
	}
	b.post("/o/"+e.org+"/personas/"+victim.ID+"/trash", nil).must(t, http.StatusOK)
	if _, err := e.svc.GetPersona(ctx, e.actor(e.owner), e.org, victim.ID); persona.ErrorCode(err) != persona.CodeNotFound {
		t.Fatalf("a same-origin post did not trash the persona: %v", err)
	}
}

func TestSecuritySignInThrottleIsKeptInTheDatabase(t *testing.T) {
	e, path := newWebEnvOnFile(t)
	b := e.browser()
	for i := range 5 {
		p := b.post("/login", url.Values{"email": {e.owner.Email}, "password": {"not the password"}})
		if p.Status != http.StatusUnauthorized {
			t.Fatalf("wrong password #%d: %d\n%s", i+1, p.Status, p.Body)
		}
	}
	p := b.post("/login", url.Values{"email": {e.owner.Email}, "password": {e.owner.Password}})
	if p.Status != http.StatusTooManyRequests || !strings.Contains(p.Body, "too many failed sign-ins") {
		t.Fatalf("right password after 5 failures: %d at %s\n%s", p.Status, p.URL, p.Body)
	}
	if p.Header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	if !strings.HasPrefix(b.get("/").URL, "/login") {
		t.Fatal("throttled sign-in still signed the browser in")
	}

	// A second instance over the same database refuses too: the count is
	// not in the first process's memory.
	srv2, svc2 := serverOver(t, path)
	e2 := &webEnv{t: t, srv: srv2, svc: svc2, org: e.org, owner: e.owner}
	p = e2.browser().post("/login", url.Values{"email": {e.owner.Email}, "password": {e.owner.Password}})
	if p.Status != http.StatusTooManyRequests || !strings.Contains(p.Body, "too many failed sign-ins") {
		t.Fatalf("second instance let the throttled email in: %d at %s", p.Status, p.URL)
	}
}

// sessionValue is the browser's session cookie ("" when it has none).
func (b *browser) sessionValue() string {
	u, _ := url.Parse(b.e.srv.URL)
	for _, ck := range b.client.Jar.Cookies(u) {
		if ck.Name == "pp_session" {
			return ck.Value
		}
	}
	return ""
}

// browserWithSession is a fresh browser carrying only this session cookie.
func (e *webEnv) browserWithSession(value string) *browser {
	jar, _ := cookiejar.New(nil)
	u, _ := url.Parse(e.srv.URL)
	jar.SetCookies(u, []*http.Cookie{{Name: "pp_session", Value: value, Path: "/"}})
	return &browser{e: e, client: &http.Client{Jar: jar}}
}

func TestSecuritySessionsRotateAndEndAtSignOut(t *testing.T) {
	e := newWebEnv(t)
	home := "/o/" + e.org
	b := e.signedIn(e.owner)
	first := b.sessionValue()
	if first == "" {
		t.Fatal("no session cookie after sign-in")
	}
	// Signing in again (same browser) starts a new session and ends the old.
	b.post("/login", url.Values{"email": {e.owner.Email}, "password": {e.owner.Password}}).must(t, http.StatusOK)
	second := b.sessionValue()
	if second == "" || second == first {
		t.Fatalf("session not rotated on sign-in: %q then %q", first, second)
	}
	if p := e.browserWithSession(first).get(home); !strings.HasPrefix(p.URL, "/login") {
		t.Fatalf("the replaced session still works: %d at %s", p.Status, p.URL)
	}
	// A second browser gets its own session.
	if other := e.signedIn(e.owner).sessionValue(); other == second || other == first {
		t.Fatal("two sign-ins share a session value")
	}
	if p := e.browserWithSession(second).get(home); p.Status != http.StatusOK || p.URL != home {
		t.Fatalf("the current session does not work from a fresh jar: %d at %s", p.Status, p.URL)
	}

	p := b.post("/logout", nil).must(t, http.StatusOK)
	if !strings.HasPrefix(p.URL, "/login") || b.sessionValue() != "" {
		t.Fatalf("after sign-out: at %s, cookie %q", p.URL, b.sessionValue())
	}
	// Replaying the signed-out cookie value gets the sign-in page.
	p = e.browserWithSession(second).get(home)
	if !strings.HasPrefix(p.URL, "/login") || strings.Contains(p.Body, "System Lead") {
		t.Fatalf("signed-out session replayed: %d at %s", p.Status, p.URL)
	}
	p = e.browserWithSession(second).post("/account/tokens", url.Values{"name": {"replay"}})
	if !strings.HasPrefix(p.URL, "/login") || secretInput.MatchString(p.Body) {
		t.Fatalf("signed-out session could create a token: %d at %s", p.Status, p.URL)
	}
}

func TestSecurityCookiesAreHttpOnlyAndLax(t *testing.T) {
	e := newWebEnv(t)
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	post := func(path string, form url.Values, cookies ...*http.Cookie) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, e.srv.URL+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", e.srv.URL)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		for _, ck := range cookies {
			req.AddCookie(ck)
		}
		res, err := noFollow.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	check := func(res *http.Response, name string) *http.Cookie {
		t.Helper()
		for _, ck := range res.Cookies() {
			if ck.Name == name {
				if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" {
					t.Errorf("cookie %s: HttpOnly=%v SameSite=%v Path=%q (raw %q)", name, ck.HttpOnly, ck.SameSite, ck.Path, ck.Raw)
				}
				return ck
			}
		}
		t.Fatalf("no %s cookie set (status %d, cookies %v)", name, res.StatusCode, res.Header.Values("Set-Cookie"))
		return nil
	}

	res := post("/login", url.Values{"email": {e.owner.Email}, "password": {e.owner.Password}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in: %d", res.StatusCode)
	}
	session := check(res, "pp_session")
	if session.Secure {
		t.Error("session cookie marked Secure on plain http (browsers would drop it)")
	}
	if session.MaxAge <= 0 {
		t.Errorf("session cookie MaxAge = %d", session.MaxAge)
	}
	// A flash (set by a form post that redirects) is protected the same way.
	newbie := e.newUser("newbie@example.com", "Nina Newbie")
	check(post("/o/"+e.org+"/invitations", url.Values{"email": {newbie.Email}, "role": {"viewer"}}, session), "pp_flash")
	// Sign-out clears the session with the same attributes.
	out := check(post("/logout", nil, session), "pp_session")
	if out.MaxAge >= 0 || out.Value != "" {
		t.Errorf("sign-out cookie does not delete the session: MaxAge=%d Value=%q", out.MaxAge, out.Value)
	}
}

func TestSecurityUserContentIsEscaped(t *testing.T) {
	e := newWebEnv(t)
	ctx := context.Background()
	owner := e.actor(e.owner)
	const script = `<script>alert(1)</script>`
	const img = `"><img src=x onerror=alert(1)>`
	templates, err := e.svc.ListTemplates(ctx, owner, e.org)
	if err != nil {
		t.Fatal(err)
	}
	var ux persona.Template
	for _, tm := range templates {
		if tm.ProfileType == persona.ProfileUX && tm.Name == "UX persona" {
			ux = tm
		}
	}
	if ux.ID == "" {
		t.Fatalf("no UX starter template in %+v", templates)
	}
	groups, err := e.svc.ListGroups(ctx, owner, e.org)
	if err != nil || len(groups) == 0 {
		t.Fatalf("no groups: %v", err)
	}
	evil, err := e.svc.CreatePersona(ctx, owner, e.org, app.PersonaInput{
		Name: "Eve " + script, Summary: "Summary " + img + " " + script, GroupID: groups[0].ID, TemplateID: ux.ID,
		Status: persona.StatusPublished,
		Values: persona.Values{
			"role_title": "Role " + script,
			"quote":      "Quote " + img,
			"goals":      []any{"Goal " + script, "Goal " + img},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	others, err := e.svc.ListPersonas(ctx, owner, e.org, persona.PersonaFilter{ProfileType: persona.ProfileUX, Limit: 10}, "")
	if err != nil {
		t.Fatal(err)
	}
	other := ""
	for _, p := range others.Items {
		if p.ID != evil.ID {
			other = p.ID
		}
	}
	if other == "" {
		t.Fatal("no second UX persona to compare with")
	}
	// A member and a token with hostile names too.
	if _, err := e.svc.CreateUser(ctx, "mallory@example.com", "Mallory "+script, "mallory-password-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.AddMember(ctx, app.System, e.org, "mallory@example.com", persona.RoleEditor); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.CreateToken(ctx, owner, "Token "+img); err != nil {
		t.Fatal(err)
	}

	b := e.signedIn(e.owner)
	pages := []string{
		"/o/" + e.org,
		"/o/" + e.org + "/personas/" + evil.ID,
		"/o/" + e.org + "/search?q=alert",
		"/o/" + e.org + "/compare?ids=" + evil.ID + "," + other,
		"/o/" + e.org + "/members",
		"/account/tokens",
	}
	for _, path := range pages {
		p := b.get(path).must(t, http.StatusOK)
		if strings.Contains(p.Body, script) || strings.Contains(p.Body, "<img src=x") {
			t.Errorf("%s contains the raw payload", path)
		}
		if !strings.Contains(p.Body, "&lt;script&gt;alert(1)&lt;/script&gt;") && !strings.Contains(p.Body, "&lt;img src=x onerror=alert(1)&gt;") {
			i := strings.Index(p.Body, "<main")
			t.Errorf("%s does not show the escaped payload (is the content on the page?):\n%s", path, p.Body[max(i, 0):])
		}
	}
	// The persona page shows every field's escaped payload.
	p := b.get("/o/" + e.org + "/personas/" + evil.ID)
	for _, want := range []string{"Eve &lt;script&gt;", "Role &lt;script&gt;", "Goal &lt;script&gt;", "Quote &#34;&gt;&lt;img", "Summary &#34;&gt;&lt;img"} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("persona page lacks %q", want)
		}
	}
}

func TestSecuritySignOutEverywhereEndsEverySession(t *testing.T) {
	e := newWebEnv(t)
	first := e.signedIn(e.owner)
	second := e.signedIn(e.owner)
	token := e.apiToken(e.owner)
	page := first.get("/account").must(t, http.StatusOK)
	if !strings.Contains(page.Body, `id="sign-out-everywhere"`) || !strings.Contains(page.Body, `id="sessions-revoke-tokens"`) {
		t.Fatal("no sign-out-everywhere button with its revoke-tokens box on the account page")
	}
	p := first.post("/account/sessions/revoke", url.Values{}).must(t, http.StatusOK)
	if !strings.HasPrefix(p.URL, "/login") || !strings.Contains(p.Body, "signed out on every device") {
		t.Fatalf("after signing out everywhere: at %s\n%s", p.URL, p.Body)
	}
	for i, b := range []*browser{first, second} {
		if p := b.get("/o/" + e.org); !strings.HasPrefix(p.URL, "/login") {
			t.Errorf("browser %d still signed in at %s", i+1, p.URL)
		}
	}
	// API tokens are untouched unless the box is ticked…
	if _, err := e.svc.Authenticate(context.Background(), token); err != nil {
		t.Fatalf("signing out everywhere revoked a token without being asked: %v", err)
	}
	// …and revoked with the rest when it is.
	b := e.signedIn(e.owner)
	p = b.post("/account/sessions/revoke", url.Values{"revoke_tokens": {"on"}}).must(t, http.StatusOK)
	if !strings.Contains(p.Body, "API token") || !strings.Contains(p.Body, "revoked") {
		t.Errorf("the sign-out message does not mention the tokens:\n%s", p.Body)
	}
	if _, err := e.svc.Authenticate(context.Background(), token); persona.ErrorCode(err) != persona.CodeUnauthenticated {
		t.Fatalf("a token survived signing out everywhere with revoke ticked: %v", err)
	}
	if p := b.get("/o/" + e.org); !strings.HasPrefix(p.URL, "/login") {
		t.Errorf("still signed in at %s", p.URL)
	}
}

// mustInvitation is the ID of the only invitation waiting for the address.
func mustInvitation(t *testing.T, e *webEnv, email string) string {
	t.Helper()
	u, err := e.svc.UserByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	invs, err := e.svc.MyInvitations(context.Background(), app.Actor{UserID: u.ID})
	if err != nil || len(invs) != 1 {
		t.Fatalf("invitations of %s: %+v %v", email, invs, err)
	}
	return invs[0].ID
}
