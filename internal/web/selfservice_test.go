package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/demo"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/seed"
	"github.com/personapal/personapal/internal/server"
	"github.com/personapal/personapal/internal/store"
)

// serverWith serves a fresh SQLite file through the whole handler with
// the given options; with demo, it holds the demo data.
func serverWith(t *testing.T, withDemo bool, opts ...app.Option) (*webEnv, *store.DB) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "selfservice.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := app.New(db, append([]app.Option{app.WithLogger(log), app.WithPasswordHasher(cheapHasher)}, opts...)...)
	e := &webEnv{t: t, svc: svc}
	if withDemo {
		creds, err := seed.Demo(ctx, svc, demo.Data())
		if err != nil {
			t.Fatal(err)
		}
		e.org, e.owner = creds.OrgSlug, account{creds.Email, creds.Password}
	}
	h, err := server.New(svc, db, log)
	if err != nil {
		t.Fatal(err)
	}
	e.srv = httptest.NewServer(h)
	t.Cleanup(e.srv.Close)
	return e, db
}

// On a database without accounts every page leads to the setup page (the
// API, health checks and static files do not); the setup code printed at
// start creates the owner and organisation and signs the owner in; after
// that the setup page only says it is done, and a form sent again changes
// nothing.
func TestFirstRunSetupInTheBrowser(t *testing.T) {
	e, db := serverWith(t, false)
	code, err := e.svc.IssueSetupCode(context.Background())
	if err != nil || code == "" {
		t.Fatalf("setup code %q, %v", code, err)
	}
	b := e.browser()
	for _, path := range []string{"/", "/login", "/signup", "/account", "/o/anything/personas", "/login?next=%2Faccount"} {
		p := b.get(path).must(t, http.StatusOK)
		if p.URL != "/setup" || !strings.Contains(p.Body, `id="setup-form"`) {
			t.Fatalf("%s led to %s:\n%s", path, p.URL, p.Body)
		}
	}
	for path, want := range map[string]int{"/healthz": 200, "/api/v1/orgs": 401, "/favicon.ico": 200} {
		if p := b.get(path); p.Status != want || p.URL == "/setup" {
			t.Errorf("%s: %d at %s", path, p.Status, p.URL)
		}
	}
	// A stale form from another tab, kept for the end.
	late := e.browser()
	late.get("/setup").must(t, http.StatusOK)

	form := url.Values{"code": {code}, "name": {"Olga Owner"}, "email": {"olga@example.com"},
		"password": {"correct horse battery staple"}, "org_name": {"Olga & Partners"}}
	wrong := url.Values{}
	for k, v := range form {
		wrong[k] = v
	}
	wrong.Set("code", "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA")
	p := b.post("/setup", wrong).must(t, http.StatusUnprocessableEntity)
	if !strings.Contains(p.Body, `id="setup-code-error"`) || !strings.Contains(p.Body, "The setup code is not a setup code this server printed") ||
		strings.Contains(p.Body, "AAAA-AAAA") || !strings.Contains(p.Body, `value="olga@example.com"`) {
		t.Fatalf("wrong code page:\n%s", p.Body)
	}
	bad := url.Values{"code": {code}, "email": {"olga"}, "password": {"short"}, "org_name": {""}}
	p = b.post("/setup", bad).must(t, http.StatusUnprocessableEntity)
	for _, id := range []string{"setup-name-error", "setup-email-error", "setup-password-error", "setup-org-error"} {
		if !strings.Contains(p.Body, `id="`+id+`"`) {
			t.Errorf("bad fields: no %s", id)
		}
	}
	if needs, _ := e.svc.NeedsSetup(context.Background()); !needs {
		t.Fatal("a refused setup made an account")
	}

	p = b.post("/setup", form).must(t, http.StatusOK)
	if !strings.HasPrefix(p.URL, "/o/olga-partners") || !strings.Contains(p.Body, "Persona Pal is set up and you own Olga &amp; Partners") {
		t.Fatalf("after setup: %s\n%s", p.URL, p.Body)
	}
	if n, _ := db.CountOrgs(context.Background()); n != 1 {
		t.Fatalf("%d organisations", n)
	}
	b.get("/account").must(t, http.StatusOK)

	// Now the setup page says it is done, and the stale form changes nothing.
	p = e.browser().get("/setup").must(t, http.StatusOK)
	if !strings.Contains(p.Body, `id="setup-done"`) || strings.Contains(p.Body, `id="setup-form"`) {
		t.Fatalf("setup page after setup:\n%s", p.Body)
	}
	form.Set("email", "mallory@example.com")
	p = late.post("/setup", form).must(t, http.StatusConflict)
	if !strings.Contains(p.Body, "your form changed nothing") {
		t.Fatalf("second setup:\n%s", p.Body)
	}
	if _, err := e.svc.UserByEmail(context.Background(), "mallory@example.com"); persona.ErrorCode(err) != persona.CodeNotFound {
		t.Fatalf("a second setup made an account: %v", err)
	}
	if p := e.browser().get("/login").must(t, http.StatusOK); p.URL != "/login" {
		t.Fatalf("sign-in page after setup: %s", p.URL)
	}
}

// The Join page follows the policy: none (and no link) when closed;
// invited addresses only, told so, in invite mode; a clear refusal naming
// the domains for another domain in open mode; the same answer for every
// address it takes. The account works only after its link is opened: the
// link's page uses it with a button, once.
func TestJoinPageAndVerificationLink(t *testing.T) {
	t.Run("closed", func(t *testing.T) {
		e, _ := serverWith(t, true, app.WithSignupPolicy(persona.SignupPolicy{Mode: persona.SignupClosed}))
		b := e.browser()
		b.get("/signup").must(t, http.StatusNotFound)
		b.post("/signup", url.Values{"email": {"a@example.com"}}).must(t, http.StatusNotFound)
		if p := b.get("/login").must(t, http.StatusOK); strings.Contains(p.Body, `href="/signup"`) {
			t.Fatal("the sign-in page links a closed sign-up")
		}
	})
	t.Run("invite", func(t *testing.T) {
		e, _ := serverWith(t, true)
		p := e.browser().get("/login").must(t, http.StatusOK)
		if !strings.Contains(p.Body, `href="/signup"`) {
			t.Fatal("no Join link on the sign-in page")
		}
		p = e.browser().get("/signup").must(t, http.StatusOK)
		if !strings.Contains(p.Body, "Joining needs an invitation") {
			t.Fatalf("invite mode page:\n%s", p.Body)
		}
		form := url.Values{"name": {"Stranger"}, "email": {"stranger@example.net"}, "password": {"correct horse battery staple"}}
		strangerPage := e.browser().post("/signup", form).must(t, http.StatusOK)
		form.Set("email", e.owner.Email)
		ownerPage := e.browser().post("/signup", form).must(t, http.StatusOK)
		if strings.ReplaceAll(strangerPage.Body, "stranger@example.net", "X") != strings.ReplaceAll(ownerPage.Body, e.owner.Email, "X") {
			t.Fatal("the answer differs for an address with an account")
		}
		if n := len(e.mailed(persona.MessageVerifyEmail, "")); n != 0 {
			t.Fatalf("%d links sent", n)
		}
		// The owner, who has an account, is told so (the answer was the
		// same); the stranger got nothing.
		if n := len(e.mailed(persona.MessageSignupExisting, e.owner.Email)); n != 0 {
			t.Fatalf("%d notices sent to an uninvited address in invite mode", n)
		}
	})
	t.Run("open with domains", func(t *testing.T) {
		e, _ := serverWith(t, true,
			app.WithSignupPolicy(persona.SignupPolicy{Mode: persona.SignupOpen, Domains: []string{"acme.test", "example.org"}}))
		b := e.browser()
		p := b.get("/signup").must(t, http.StatusOK)
		if !strings.Contains(p.Body, "Open to addresses at acme.test and example.org") {
			t.Fatalf("open page:\n%s", p.Body)
		}
		form := url.Values{"name": {"Nina New"}, "email": {"nina@elsewhere.net"}, "password": {"correct horse battery staple"}}
		p = b.post("/signup", form).must(t, http.StatusUnprocessableEntity)
		if !strings.Contains(p.Body, `id="signup-email-error"`) || !strings.Contains(p.Body, "Your email must be an address at acme.test and example.org") {
			t.Fatalf("disallowed domain:\n%s", p.Body)
		}
		if _, err := e.svc.UserByEmail(context.Background(), "nina@elsewhere.net"); err == nil {
			t.Fatal("an account was made for a disallowed domain")
		}
		form.Set("email", "nina@acme.test")
		p = b.post("/signup", form).must(t, http.StatusOK)
		if !strings.Contains(p.Body, `id="signup-sent"`) {
			t.Fatalf("after joining:\n%s", p.Body)
		}
		// Not verified yet: the sign-in says so.
		p = b.post("/login", url.Values{"email": {"nina@acme.test"}, "password": {"correct horse battery staple"}}).must(t, http.StatusForbidden)
		if !strings.Contains(p.Body, "is not verified yet") {
			t.Fatalf("sign-in before verifying:\n%s", p.Body)
		}
		// A broken link: a clear page, nothing changed.
		p = b.get("/signup/verify?token=ppv_tampered").must(t, http.StatusOK)
		p = b.post("/signup/verify", url.Values{"token": {"ppv_tampered"}}).must(t, http.StatusNotFound)
		if !strings.Contains(p.Body, "This verification link does not work") || !strings.Contains(p.Body, `id="verify-join-again"`) {
			t.Fatalf("broken link:\n%s", p.Body)
		}
		// The real link: opening it changes nothing; its button verifies.
		link := e.lastLink(t, persona.MessageVerifyEmail, "nina@acme.test")
		p = b.get(link).must(t, http.StatusOK)
		if !strings.Contains(p.Body, `id="verify-submit"`) {
			t.Fatalf("link page:\n%s", p.Body)
		}
		if u, _ := e.svc.UserByEmail(context.Background(), "nina@acme.test"); u.EmailVerifiedAt != nil {
			t.Fatal("opening the link verified the address")
		}
		token := strings.TrimPrefix(link, "/signup/verify?token=")
		p = b.post("/signup/verify", url.Values{"token": {token}}).must(t, http.StatusOK)
		if !strings.HasPrefix(p.URL, "/login?email=nina%40acme.test") || !strings.Contains(p.Body, "is verified") || !strings.Contains(p.Body, `value="nina@acme.test"`) {
			t.Fatalf("after verifying: %s\n%s", p.URL, p.Body)
		}
		b.post("/signup/verify", url.Values{"token": {token}}).must(t, http.StatusNotFound)
		e.signedIn(account{"nina@acme.test", "correct horse battery staple"})
	})
}

var secretInPage = regexp.MustCompile(`id="new-token-secret"[^>]*value="(pp_[A-Za-z0-9_-]+)"`)

// The tokens page makes a read-only token with an expiry, shows both in
// the list, and the token cannot write through the API.
func TestTokensPageScopeAndExpiry(t *testing.T) {
	e := newWebEnv(t)
	b := e.signedIn(e.owner)
	p := b.post("/account/tokens", url.Values{"name": {"Wallboard"}, "scope": {"read"}, "expires": {"30"}}).must(t, http.StatusCreated)
	m := secretInPage.FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("no secret on the page:\n%s", p.Body)
	}
	if !strings.Contains(p.Body, "only read") {
		t.Fatalf("the list does not say the token only reads:\n%s", p.Body)
	}
	req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/orgs/"+e.org+"/groups", strings.NewReader(`{"name":"x"}`))
	req.Header.Set("Authorization", "Bearer "+m[1])
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("a read-only token wrote: %d", res.StatusCode)
	}
	tokens, _ := e.svc.ListTokens(context.Background(), e.actor(e.owner))
	var made persona.Token
	for _, tok := range tokens {
		if tok.Name == "Wallboard" {
			made = tok
		}
	}
	if made.Scope != persona.ScopeRead || made.ExpiresAt == nil {
		t.Fatalf("made %+v", made)
	}
	p = b.post("/account/tokens", url.Values{"name": {"Forever"}, "scope": {"admin"}}).must(t, http.StatusUnprocessableEntity)
	if !strings.Contains(p.Body, "What the token may do must be read or write") {
		t.Fatalf("bad scope:\n%s", p.Body)
	}
	b.post("/account/tokens", url.Values{"name": {"Forever"}, "expires": {"9999"}}).must(t, http.StatusUnprocessableEntity)
}

// The account page lists the browser sessions with this one marked; one
// can be signed out (it stops at once), another user cannot sign it out,
// and "every other session" leaves only this one. The name can be
// changed, and a name with control characters is refused.
func TestAccountPageSessionsAndName(t *testing.T) {
	e := newWebEnv(t)
	here, there := e.signedIn(e.owner), e.signedIn(e.owner)
	third := e.signedIn(e.owner)
	p := here.get("/account").must(t, http.StatusOK)
	rows := regexp.MustCompile(`<tr id="session-([A-Za-z0-9_-]+)"`).FindAllStringSubmatch(p.Body, -1)
	if len(rows) != 3 || strings.Count(p.Body, `id="this-browser"`) != 1 || !strings.Contains(p.Body, "Go HTTP client") {
		t.Fatalf("%d sessions listed:\n%s", len(rows), p.Body)
	}
	current := regexp.MustCompile(`<tr id="session-([A-Za-z0-9_-]+)" aria-current="true"`).FindStringSubmatch(p.Body)
	if current == nil {
		t.Fatal("this browser's session is not marked")
	}
	var other string
	for _, r := range rows {
		if r[1] != current[1] {
			other = r[1]
		}
	}
	// Another user cannot end it.
	outsider := e.signedIn(e.outsider)
	outsider.post("/account/sessions/"+other+"/revoke", nil).must(t, http.StatusOK)
	// Which of the two others it was: one of them stops working now.
	here.post("/account/sessions/"+other+"/revoke", nil).must(t, http.StatusOK)
	alive := 0
	for _, b := range []*browser{there, third} {
		if p := b.get("/account"); p.URL == "/account" {
			alive++
		}
	}
	if alive != 1 {
		t.Fatalf("%d of the two other sessions still work after one was signed out", alive)
	}
	p = here.post("/account/sessions/others/revoke", nil).must(t, http.StatusOK)
	if !strings.Contains(p.Body, "Every other session is signed out (1)") {
		t.Fatalf("sign out others:\n%s", p.Body)
	}
	for _, b := range []*browser{there, third} {
		if p := b.get("/account"); p.URL == "/account" {
			t.Fatal("another session survived signing out every other")
		}
	}
	here.get("/account").must(t, http.StatusOK)

	p = here.post("/account/name", url.Values{"name": {"Dana\u0007 Demo"}}).must(t, http.StatusUnprocessableEntity)
	if !strings.Contains(p.Body, `id="name-error"`) {
		t.Fatalf("bad name:\n%s", p.Body)
	}
	p = here.post("/account/name", url.Values{"name": {"Dana Demo-Owner"}}).must(t, http.StatusOK)
	if !strings.Contains(p.Body, "Your name is now Dana Demo-Owner") {
		t.Fatalf("name change:\n%s", p.Body)
	}
	if p := here.get("/o/"+e.org+"/members").must(t, http.StatusOK); !strings.Contains(p.Body, "Dana Demo-Owner") {
		t.Fatal("the members page shows the old name")
	}
}
