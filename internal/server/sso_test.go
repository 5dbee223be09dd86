package server_test

import (
	"context"
	"encoding/json"
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
	"github.com/personapal/personapal/internal/oidctest"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/seed"
	"github.com/personapal/personapal/internal/server"
	"github.com/personapal/personapal/internal/sso"
	"github.com/personapal/personapal/internal/store"
	"github.com/personapal/personapal/internal/web"
)

// The people the test provider knows.
var (
	idpAda      = oidctest.User{ID: "sub-ada", Username: "ada", Password: "ada-at-the-idp", FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com", EmailVerified: true}
	idpUna      = oidctest.User{ID: "sub-una", Username: "una", Password: "una-at-the-idp", FirstName: "Una", LastName: "Unverified", Email: "una@example.com", EmailVerified: false}
	idpEve      = oidctest.User{ID: "sub-eve", Username: "eve", Password: "eve-at-the-idp", FirstName: "Eve", LastName: "Elsewhere", Email: "eve@elsewhere.example", EmailVerified: true}
	idpDemo     = oidctest.User{ID: "sub-demo", Username: "demo", Password: "demo-at-the-idp", FirstName: "Dana", LastName: "Demo", Email: "demo@example.com", EmailVerified: true}
	idpImpostor = oidctest.User{ID: "sub-impostor", Username: "impostor", Password: "impostor-at-the-idp", FirstName: "Not", LastName: "Dana", Email: "demo@example.com", EmailVerified: true}
)

// ssoEnv is the whole server (web app and API) on a temporary SQLite file
// with the demo data, configured for single sign-on with a real OpenID
// provider running in the test (oidctest), both on 127.0.0.1.
type ssoEnv struct {
	t     *testing.T
	idp   *oidctest.Provider
	db    *store.DB
	svc   *app.Service
	h     http.Handler
	srv   *httptest.Server
	creds seed.Credentials
}

const idpName = "Test IdP"

func newSSOEnv(t *testing.T, opts ...app.Option) *ssoEnv {
	t.Helper()
	ctx := context.Background()
	idp := oidctest.Start(t, idpAda, idpUna, idpEve, idpDemo, idpImpostor)
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "sso.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := app.New(db, append([]app.Option{app.WithLogger(log), app.WithPasswordHasher(cheapHasher), app.WithSSO(idp.Issuer, idpName)}, opts...)...)
	creds, err := seed.Demo(ctx, svc, demo.Data())
	if err != nil {
		t.Fatal(err)
	}
	p, err := sso.New(sso.Config{Issuer: idp.Issuer, ClientID: idp.ClientID, ClientSecret: idp.ClientSecret, Name: idpName})
	if err != nil {
		t.Fatal(err)
	}
	h, err := server.NewWithOptions(svc, db, log, server.Options{Web: []web.Option{web.WithSSO(p, "")}})
	if err != nil {
		t.Fatal(err)
	}
	e := &ssoEnv{t: t, idp: idp, db: db, svc: svc, h: h, creds: creds}
	e.srv = httptest.NewServer(h)
	t.Cleanup(e.srv.Close)
	return e
}

// ssoBrowser is a cookie-keeping HTTP client that stops at every redirect,
// so each hop of the flow can be looked at (and tampered with).
type ssoBrowser struct {
	e      *ssoEnv
	client *http.Client
}

func (e *ssoEnv) browser() *ssoBrowser {
	jar, _ := cookiejar.New(nil)
	return &ssoBrowser{e: e, client: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type hop struct {
	Status   int
	Location string
	Body     string
}

func (b *ssoBrowser) get(target string) hop {
	b.e.t.Helper()
	if strings.HasPrefix(target, "/") {
		target = b.e.srv.URL + target
	}
	res, err := b.client.Get(target)
	if err != nil {
		b.e.t.Fatalf("GET %s: %v", target, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return hop{Status: res.StatusCode, Location: res.Header.Get("Location"), Body: string(body)}
}

func (b *ssoBrowser) post(path string, form url.Values) hop {
	b.e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.e.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.e.srv.URL)
	res, err := b.client.Do(req)
	if err != nil {
		b.e.t.Fatalf("POST %s: %v", path, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return hop{Status: res.StatusCode, Location: res.Header.Get("Location"), Body: string(body)}
}

// start opens /auth/oidc/start and returns where it sends the browser (the
// provider's authorisation address).
func (b *ssoBrowser) start(next string) string {
	b.e.t.Helper()
	h := b.get("/auth/oidc/start?next=" + url.QueryEscape(next))
	if h.Status != http.StatusSeeOther || !strings.HasPrefix(h.Location, b.e.idp.Issuer) {
		b.e.t.Fatalf("start: %d to %q: %.500s", h.Status, h.Location, h.Body)
	}
	return h.Location
}

// atProvider signs in at the provider and returns the callback address it
// sends the browser back to.
func (b *ssoBrowser) atProvider(authURL string, u oidctest.User) string {
	b.e.t.Helper()
	cb, err := b.e.idp.Login(b.e.t.Context(), authURL, u.Username, u.Password)
	if err != nil {
		b.e.t.Fatal(err)
	}
	if !strings.HasPrefix(cb, b.e.srv.URL+"/auth/oidc/callback?") {
		b.e.t.Fatalf("the provider sent the browser to %s", cb)
	}
	return cb
}

// signIn runs the whole flow and returns the callback's answer.
func (b *ssoBrowser) signIn(u oidctest.User, next string) hop {
	b.e.t.Helper()
	return b.get(b.atProvider(b.start(next), u))
}

// signInWithPassword signs in on the sign-in form.
func (b *ssoBrowser) signInWithPassword(email, password string) {
	b.e.t.Helper()
	h := b.post("/login", url.Values{"email": {email}, "password": {password}, "next": {"/"}})
	if h.Status != http.StatusSeeOther {
		b.e.t.Fatalf("password sign-in: %d %s", h.Status, mainOf(h.Body))
	}
}

// count counts the rows of a table.
func (e *ssoEnv) count(table string) int {
	e.t.Helper()
	var n int
	if err := e.db.SQL().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

func (e *ssoEnv) noAccount(email string) {
	e.t.Helper()
	if _, err := e.svc.UserByEmail(context.Background(), email); persona.ErrorCode(err) != persona.CodeNotFound {
		e.t.Fatalf("an account for %s exists (%v)", email, err)
	}
}

func (e *ssoEnv) owner() app.Actor {
	e.t.Helper()
	u, err := e.svc.UserByEmail(context.Background(), e.creds.Email)
	if err != nil {
		e.t.Fatal(err)
	}
	a, err := e.svc.ActorFor(context.Background(), u.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

// The whole flow against a real provider: "Sign in with Test IdP" on the
// sign-in page, the authorisation code flow with state, nonce and PKCE
// (S256), the provider's own login form, the callback — and an invited
// person lands signed in, with a new account linked to their identity,
// both recorded in their security log. The callback address works once.
func TestSSOSignInThroughARealProvider(t *testing.T) {
	e := newSSOEnv(t)
	ctx := context.Background()
	if _, err := e.svc.InviteMember(ctx, e.owner(), e.creds.OrgSlug, idpAda.Email, persona.RoleEditor); err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	login := b.get("/login?next=/account")
	if login.Status != 200 || !strings.Contains(login.Body, "Sign in with "+idpName) ||
		!strings.Contains(login.Body, `href="/auth/oidc/start?next=%2faccount"`) {
		t.Fatalf("the sign-in page offers no single sign-on button: %.2000s", login.Body)
	}

	authURL := b.start("/account")
	q := mustQuery(t, authURL)
	for k, want := range map[string]string{"response_type": "code", "client_id": oidctest.ClientID, "code_challenge_method": "S256",
		"redirect_uri": e.srv.URL + "/auth/oidc/callback"} {
		if q.Get(k) != want {
			t.Errorf("authorisation request %s = %q, want %q (%s)", k, q.Get(k), want, authURL)
		}
	}
	for _, k := range []string{"state", "nonce", "code_challenge"} {
		if len(q.Get(k)) < 43 {
			t.Errorf("authorisation request %s = %q: want 256 random bits", k, q.Get(k))
		}
	}
	if !strings.Contains(q.Get("scope"), "openid") || !strings.Contains(q.Get("scope"), "email") {
		t.Errorf("scope %q", q.Get("scope"))
	}
	if strings.Contains(authURL, "verifier") {
		t.Errorf("the PKCE verifier went to the browser: %s", authURL)
	}

	cb := b.atProvider(authURL, idpAda)
	res := b.get(cb)
	if res.Status != http.StatusSeeOther || res.Location != "/account" {
		t.Fatalf("callback: %d to %q: %.1000s", res.Status, res.Location, res.Body)
	}
	account := b.get("/account")
	if account.Status != 200 || !strings.Contains(account.Body, "Ada Lovelace") || !strings.Contains(account.Body, "Signed in with "+idpName) ||
		!strings.Contains(account.Body, "Account created with single sign-on") {
		t.Fatalf("after single sign-on the account page shows: %d %s", account.Status, mainOf(account.Body))
	}
	home := b.get("/")
	if home.Status != 200 || !strings.Contains(home.Body, "Ledgerline") {
		t.Fatalf("the invitation is not offered: %d %s", home.Status, mainOf(home.Body))
	}
	u, err := e.svc.UserByEmail(ctx, idpAda.Email)
	if err != nil || u.PasswordHash != "" || u.Name != "Ada Lovelace" {
		t.Fatalf("account %+v %v", u, err)
	}
	events, _ := e.svc.ListSecurityEvents(ctx, app.Actor{UserID: u.ID}, 0, 10)
	if len(events) != 2 || events[0].Kind != persona.SecuritySignInSSO || events[1].Kind != persona.SecuritySSOLinked {
		t.Fatalf("security log %+v", events)
	}

	// The same callback again (a reload, or someone who copied it): the
	// flow was taken, nothing more happens.
	sessions := e.count("sessions")
	again := b.get(cb)
	if again.Status != http.StatusBadRequest || !strings.Contains(again.Body, "was finished already") {
		t.Fatalf("replayed callback: %d %s", again.Status, mainOf(again.Body))
	}
	if e.count("sessions") != sessions || e.count("sso_flows") != 0 {
		t.Fatal("a replayed callback started a session or left a flow")
	}

	// An account made by single sign-on has no password: the sign-in form
	// refuses any, without a server error.
	pw := b.post("/login", url.Values{"email": {idpAda.Email}, "password": {""}, "next": {"/"}})
	if pw.Status != http.StatusUnauthorized || !strings.Contains(pw.Body, "wrong email or password") {
		t.Fatalf("password sign-in of a single sign-on account: %d %s", pw.Status, mainOf(pw.Body))
	}
}

// mainOf is the page's main content, for failure messages.
func mainOf(body string) string {
	if i := strings.Index(body, "<main"); i >= 0 {
		body = body[i:]
	}
	if len(body) > 3000 {
		body = body[:3000]
	}
	return body
}

func mustQuery(t *testing.T, raw string) url.Values {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

// withQuery replaces one parameter of an address.
func withQuery(t *testing.T, raw, key, value string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String()
}

// Every way a callback can be wrong shows the sign-in page with what went
// wrong, and signs nobody in and creates nothing: a state that is not the
// flow's, a callback opened in another browser (login CSRF), a tampered
// code, an ID token issued with another nonce, a code whose PKCE challenge
// was swapped, the provider's refusal, an address the provider has not
// verified, and an address the sign-up policy does not admit.
func TestSSOCallbackRefusals(t *testing.T) {
	e := newSSOEnv(t)
	ctx := context.Background()
	if _, err := e.svc.InviteMember(ctx, e.owner(), e.creds.OrgSlug, idpAda.Email, persona.RoleEditor); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.InviteMember(ctx, e.owner(), e.creds.OrgSlug, idpUna.Email, persona.RoleEditor); err != nil {
		t.Fatal(err)
	}
	users, identities := e.count("users"), e.count("sso_identities")
	cases := []struct {
		name   string
		run    func(b *ssoBrowser) hop
		status int
		says   string
	}{
		{"state that is not the flow's", func(b *ssoBrowser) hop {
			return b.get(withQuery(t, b.atProvider(b.start("/"), idpAda), "state", "not-the-state-of-any-sign-in-at-all-0123456789"))
		}, 400, "is unknown"},
		{"callback opened in another browser", func(b *ssoBrowser) hop {
			cb := b.atProvider(b.start("/"), idpAda)
			return b.e.browser().get(cb)
		}, 400, "started in another browser"},
		{"tampered code", func(b *ssoBrowser) hop {
			cb := b.atProvider(b.start("/"), idpAda)
			return b.get(withQuery(t, cb, "code", mustQuery(t, cb).Get("code")+"x"))
		}, 400, "the code was refused"},
		{"no code", func(b *ssoBrowser) hop {
			cb := b.atProvider(b.start("/"), idpAda)
			return b.get(withQuery(t, cb, "code", ""))
		}, 400, "no code came back"},
		{"ID token issued for another nonce", func(b *ssoBrowser) hop {
			auth := b.start("/")
			return b.get(b.atProvider(withQuery(t, auth, "nonce", "an-attackers-nonce-from-another-sign-in-0123456789"), idpAda))
		}, 400, "issued for another sign-in"},
		{"PKCE challenge swapped", func(b *ssoBrowser) hop {
			auth := b.start("/")
			// The S256 challenge of a verifier the server does not hold.
			return b.get(b.atProvider(withQuery(t, auth, "code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"), idpAda))
		}, 400, "the code was refused"},
		{"the provider refused", func(b *ssoBrowser) hop {
			auth := b.start("/")
			state := mustQuery(t, auth).Get("state")
			return b.get("/auth/oidc/callback?error=access_denied&error_description=" + url.QueryEscape("The user said no\x1b[31m") + "&state=" + state)
		}, 403, "did not finish there (The user said no[31m)"},
		{"address not verified at the provider", func(b *ssoBrowser) hop {
			return b.signIn(idpUna, "/")
		}, 403, "has not verified the address una@example.com"},
		{"address the sign-up policy does not admit", func(b *ssoBrowser) hop {
			return b.signIn(idpEve, "/")
		}, 403, "does not let new accounts be made"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sessions := e.count("sessions")
			b := e.browser()
			got := c.run(b)
			if got.Status != c.status || !strings.Contains(got.Body, c.says) {
				t.Fatalf("want %d saying %q, got %d: %.3000s", c.status, c.says, got.Status, got.Body)
			}
			if !strings.Contains(got.Body, `id="login-error"`) || !strings.Contains(got.Body, "Sign in with "+idpName) {
				t.Errorf("not the sign-in page with the reason and the button: %.2000s", got.Body)
			}
			if e.count("sessions") != sessions || e.count("users") != users || e.count("sso_identities") != identities {
				t.Fatal("a refused callback signed someone in or created something")
			}
			if acct := b.get("/account"); acct.Status != http.StatusSeeOther {
				t.Fatalf("the browser is signed in after a refusal: %d", acct.Status)
			}
		})
	}
	e.noAccount(idpUna.Email)
	e.noAccount(idpEve.Email)
	// Each callback took its flow, except the one whose state was
	// replaced: that flow waits, useless, until it expires (and is swept).
	if n := e.count("sso_flows"); n != 1 {
		t.Fatalf("%d flows left, want the one whose state was replaced", n)
	}
}

// An account made with a password is linked by the provider's verified
// address and signed in; another person at the provider with the same
// address (a recycled address) is refused once the account is linked; a
// provider that changes a person's address keeps them in their account.
func TestSSOLinksAnExistingPasswordAccount(t *testing.T) {
	e := newSSOEnv(t)
	ctx := context.Background()
	b := e.browser()
	b.signInWithPassword(e.creds.Email, e.creds.Password)
	old := e.count("sessions")
	res := b.signIn(idpDemo, "/o/"+e.creds.OrgSlug)
	if res.Status != http.StatusSeeOther || res.Location != "/o/"+e.creds.OrgSlug {
		t.Fatalf("callback: %d %q %.1000s", res.Status, res.Location, res.Body)
	}
	if e.count("sessions") != old {
		t.Fatal("the password session was not replaced by the new one")
	}
	u, _ := e.svc.UserByEmail(ctx, e.creds.Email)
	id, err := e.db.SSOIdentity(ctx, e.idp.Issuer, idpDemo.ID)
	if err != nil || id.UserID != u.ID {
		t.Fatalf("identity %+v %v, want linked to %s", id, err, u.ID)
	}
	if page := b.get("/o/" + e.creds.OrgSlug); page.Status != 200 {
		t.Fatalf("home page after linking: %d", page.Status)
	}
	// The password still works.
	e.browser().signInWithPassword(e.creds.Email, e.creds.Password)

	refused := e.browser().signIn(idpImpostor, "/")
	if refused.Status != http.StatusForbidden || !strings.Contains(refused.Body, "is linked to another person at "+idpName) {
		t.Fatalf("a second subject with the linked address: %d %s", refused.Status, mainOf(refused.Body))
	}
}

// An organisation that requires single sign-on: a browser signed in with a
// password gets a page offering the button (which returns to the page), an
// API token made in a password session gets 403 sso-required, and after
// signing in with single sign-on the same person opens it, as does a token
// made in that session. Only a single sign-on session may turn it on.
func TestSSORequiredByAnOrganisation(t *testing.T) {
	e := newSSOEnv(t)
	ctx := context.Background()
	org := e.creds.OrgSlug
	orgPath := "/o/" + org + "/templates"

	pwBrowser := e.browser()
	pwBrowser.signInWithPassword(e.creds.Email, e.creds.Password)
	turnOn := pwBrowser.post("/o/"+org+"/sso/require", url.Values{"require_sso": {"on"}})
	if turnOn.Status != http.StatusForbidden || !strings.Contains(turnOn.Body, "Sign in with "+idpName+" first") {
		t.Fatalf("a password session turned the requirement on: %d %s", turnOn.Status, mainOf(turnOn.Body))
	}
	apiOn := e.api(http.MethodPut, "/api/v1/orgs/"+org+"/sso", e.creds.Token, `{"require_sso": true}`)
	if apiOn.Status != http.StatusForbidden {
		t.Fatalf("a password-made token turned the requirement on: %d %s", apiOn.Status, apiOn.Body)
	}

	ssoBrowser := e.browser()
	if res := ssoBrowser.signIn(idpDemo, "/o/"+org+"/sso"); res.Status != http.StatusSeeOther {
		t.Fatalf("single sign-on: %d %s", res.Status, mainOf(res.Body))
	}
	on := ssoBrowser.post("/o/"+org+"/sso/require", url.Values{"require_sso": {"on"}})
	if on.Status != http.StatusSeeOther {
		t.Fatalf("turning it on: %d %s", on.Status, mainOf(on.Body))
	}
	if page := ssoBrowser.get("/o/" + org + "/sso"); !strings.Contains(page.Body, "must now sign in with single sign-on") ||
		!strings.Contains(page.Body, `id="require-sso" checked`) {
		t.Fatalf("settings page: %.2000s", page.Body)
	}
	if page := ssoBrowser.get(orgPath); page.Status != 200 {
		t.Fatalf("a single sign-on session opens the organisation: %d", page.Status)
	}

	// The password session: every page of the organisation says why and
	// offers the button back to the page.
	for _, p := range []string{"/o/" + org, orgPath, "/o/" + org + "/members"} {
		page := pwBrowser.get(p)
		if page.Status != http.StatusForbidden || !strings.Contains(page.Body, "This organisation requires single sign-on") ||
			!strings.Contains(strings.ToLower(page.Body), strings.ToLower(`href="/auth/oidc/start?next=`+url.QueryEscape(p)+`"`)) {
			t.Fatalf("%s in a password session: %d %s", p, page.Status, mainOf(page.Body))
		}
		if strings.Contains(page.Body, "System Lead") {
			t.Fatalf("%s shows the organisation's data", p)
		}
	}
	// Its other pages still work.
	if acct := pwBrowser.get("/account"); acct.Status != 200 {
		t.Fatalf("account page: %d", acct.Status)
	}
	// Signing in with single sign-on from that page returns to it.
	if res := pwBrowser.signIn(idpDemo, orgPath); res.Status != http.StatusSeeOther || res.Location != orgPath {
		t.Fatalf("single sign-on from the page: %d %q", res.Status, res.Location)
	}
	if page := pwBrowser.get(orgPath); page.Status != 200 {
		t.Fatalf("after single sign-on: %d", page.Status)
	}

	// API tokens: the demo token was made with a password.
	refused := e.api(http.MethodGet, "/api/v1/orgs/"+org+"/personas", e.creds.Token, "")
	if refused.Status != http.StatusForbidden || !strings.Contains(refused.Body, `"/problems/sso-required"`) {
		t.Fatalf("a password-made token: %d %s", refused.Status, refused.Body)
	}
	if mine := e.api(http.MethodGet, "/api/v1/me", e.creds.Token, ""); mine.Status != 200 {
		t.Fatalf("/me with a password-made token: %d", mine.Status)
	}
	// A token made in the single sign-on session works.
	made := ssoBrowser.post("/account/tokens", url.Values{"name": {"made with single sign-on"}})
	secret := tokenIn(made.Body)
	if secret == "" {
		t.Fatalf("no token shown: %d %s", made.Status, mainOf(made.Body))
	}
	if ok := e.api(http.MethodGet, "/api/v1/orgs/"+org+"/personas", secret, ""); ok.Status != 200 {
		t.Fatalf("a token made with single sign-on: %d %s", ok.Status, ok.Body)
	}
	// And so does a token that token makes.
	var child struct {
		Token string `json:"token"`
	}
	mk := e.api(http.MethodPost, "/api/v1/me/tokens", secret, `{"name": "child"}`)
	_ = json.Unmarshal([]byte(mk.Body), &child)
	if ok := e.api(http.MethodGet, "/api/v1/orgs/"+org+"/sso", child.Token, ""); ok.Status != 200 || !strings.Contains(ok.Body, `"require_sso":true`) {
		t.Fatalf("a token made by a single sign-on token: %d %s", ok.Status, ok.Body)
	}
	// A non-member still gets 404, not the single sign-on page.
	outsider, err := e.svc.CreateUser(ctx, "outsider@example.org", "Otto Outsider", "outsider-password-1")
	if err != nil {
		t.Fatal(err)
	}
	ob := e.browser()
	ob.signInWithPassword(outsider.Email, "outsider-password-1")
	if page := ob.get(orgPath); page.Status != http.StatusNotFound {
		t.Fatalf("an outsider: %d", page.Status)
	}

	// Turning it off takes a single sign-on session too (a password one
	// cannot reach the page); the CLI can as well (TestOrgSSOCommand).
	off := ssoBrowser.post("/o/"+org+"/sso/require", url.Values{})
	if off.Status != http.StatusSeeOther {
		t.Fatalf("turning it off: %d", off.Status)
	}
	if refused := e.api(http.MethodGet, "/api/v1/orgs/"+org+"/personas", e.creds.Token, ""); refused.Status != 200 {
		t.Fatalf("after turning it off: %d", refused.Status)
	}
}

// tokenIn finds a new token's secret on the tokens page.
func tokenIn(body string) string {
	i := strings.Index(body, "pp_")
	if i < 0 {
		return ""
	}
	j := i
	for j < len(body) && (body[j] == '_' || body[j] == '-' || body[j] >= '0' && body[j] <= '9' || body[j] >= 'a' && body[j] <= 'z' || body[j] >= 'A' && body[j] <= 'Z') {
		j++
	}
	return body[i:j]
}

// api calls the JSON API, checking the answer against the OpenAPI document.
func (e *ssoEnv) api(method, path, token, body string) hop {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, rd)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	checkOpenAPI(e.t, e.h, req, rec.Code, rec.Header(), rec.Body.Bytes())
	return hop{Status: rec.Code, Body: rec.Body.String()}
}

// A domain mapping adds a person with a verified address at the domain to
// the organisation at their first single sign-on, recorded in the audit
// log as added by single sign-on; the sign-up policy counts the mapping as
// an invitation. Removed later, they stay removed.
func TestSSODomainMembership(t *testing.T) {
	e := newSSOEnv(t)
	ctx := context.Background()
	org := e.creds.OrgSlug
	admin := e.browser()
	admin.signInWithPassword(e.creds.Email, e.creds.Password)
	bad := admin.post("/o/"+org+"/sso/domains", url.Values{"domain": {"elsewhere.example"}, "role": {"editor"}})
	if bad.Status != http.StatusUnprocessableEntity || !strings.Contains(bad.Body, "must be the domain of your own address (example.com)") {
		t.Fatalf("mapping a domain that is not the admin's: %d %s", bad.Status, mainOf(bad.Body))
	}
	add := admin.post("/o/"+org+"/sso/domains", url.Values{"domain": {"Example.COM"}, "role": {"editor"}})
	if add.Status != http.StatusSeeOther {
		t.Fatalf("mapping example.com: %d %s", add.Status, mainOf(add.Body))
	}
	if page := admin.get("/o/" + org + "/sso"); !strings.Contains(page.Body, `data-domain="example.com" data-role="editor"`) {
		t.Fatalf("settings page: %.2000s", page.Body)
	}

	ada := e.browser()
	res := ada.signIn(idpAda, "/")
	if res.Status != http.StatusSeeOther {
		t.Fatalf("single sign-on: %d %s", res.Status, mainOf(res.Body))
	}
	home := ada.get(res.Location)
	for home.Status == http.StatusSeeOther {
		home = ada.get(home.Location)
	}
	if home.Status != 200 || !strings.Contains(home.Body, "Your e-mail domain made you a member of Ledgerline (demo) (editor)") {
		t.Fatalf("first page: %d %s", home.Status, mainOf(home.Body))
	}
	u, err := e.svc.UserByEmail(ctx, idpAda.Email)
	if err != nil {
		t.Fatal(err)
	}
	m, err := e.db.GetMember(ctx, mustOrgID(t, e), u.ID)
	if err != nil || m.Role != persona.RoleEditor {
		t.Fatalf("membership %+v %v", m, err)
	}
	log, err := e.svc.ListAudit(ctx, app.System, org, app.AuditQuery{Action: "add", ObjectKind: "member"}, 0, 1)
	if err != nil || len(log) != 1 || log[0].ActorEmail != "(single sign-on)" || log[0].ActorID != "" ||
		!strings.Contains(log[0].Summary, "by the e-mail domain example.com") {
		t.Fatalf("audit %+v %v", log, err)
	}

	// Removed, Ada stays removed however often she signs in.
	if err := e.svc.RemoveMember(ctx, e.owner(), org, u.ID); err != nil {
		t.Fatal(err)
	}
	if res := e.browser().signIn(idpAda, "/"); res.Status != http.StatusSeeOther {
		t.Fatalf("second sign-in: %d", res.Status)
	}
	if _, err := e.db.GetMember(ctx, mustOrgID(t, e), u.ID); persona.ErrorCode(err) != persona.CodeNotFound {
		t.Fatalf("a removed member was added again: %v", err)
	}

	// Removing the mapping.
	if rm := admin.post("/o/"+org+"/sso/domains/remove", url.Values{"domain": {"example.com"}}); rm.Status != http.StatusSeeOther {
		t.Fatalf("removing: %d %s", rm.Status, mainOf(rm.Body))
	}
	if page := admin.get("/o/" + org + "/sso"); !strings.Contains(page.Body, `id="no-sso-domains"`) {
		t.Fatalf("settings page after removing: %.2000s", page.Body)
	}
}

func mustOrgID(t *testing.T, e *ssoEnv) string {
	t.Helper()
	org, _, err := e.svc.GetOrg(context.Background(), app.System, e.creds.OrgSlug)
	if err != nil {
		t.Fatal(err)
	}
	return org.ID
}
