package app_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/store"
	"github.com/personapal/personapal/internal/store/storetest"
)

const testIssuer = "https://idp.example.com/"

// ssoWorld is an organisation (owner olga@example.com, an admin, a viewer)
// on one engine, with single sign-on configured and a clock the test moves.
type ssoWorld struct {
	t     *testing.T
	db    *store.DB
	svc   *app.Service
	now   *time.Time
	mu    *sync.Mutex
	clock app.Option
	org   persona.Org
	owner app.Actor
	admin app.Actor
	view  app.Actor
}

func newSSOWorld(t *testing.T, eng storetest.Engine, opts ...app.Option) *ssoWorld {
	t.Helper()
	ctx := t.Context()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	w := &ssoWorld{t: t, db: eng.Open(t), now: &now, mu: &sync.Mutex{}}
	w.clock = app.WithClock(func() time.Time { w.mu.Lock(); defer w.mu.Unlock(); return *w.now })
	base := []app.Option{w.clock,
		app.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))), app.WithPasswordHasher(cheap), app.WithSSO(testIssuer, "Example IdP")}
	w.svc = app.New(w.db, append(base, opts...)...)
	user := func(email, name string) app.Actor {
		u, err := w.svc.CreateUser(ctx, email, name, "a-long-password-"+name)
		if err != nil {
			t.Fatal(err)
		}
		return app.Actor{UserID: u.ID, Email: u.Email, Name: u.Name}
	}
	w.owner, w.admin, w.view = user("olga@example.com", "Olga Owner"), user("adam@example.com", "Adam Admin"), user("vera@example.com", "Vera Viewer")
	var err error
	if w.org, err = w.svc.CreateOrg(ctx, w.owner, "Acme", "acme"); err != nil {
		t.Fatal(err)
	}
	for _, m := range []struct {
		a    app.Actor
		role persona.Role
	}{{w.admin, persona.RoleAdmin}, {w.view, persona.RoleViewer}} {
		if _, err := w.svc.AddMember(ctx, app.System, "acme", m.a.Email, m.role); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

func (w *ssoWorld) count(table string) int {
	w.t.Helper()
	var n int
	if err := w.db.SQL().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
		w.t.Fatal(err)
	}
	return n
}

func claims(sub, email string) app.SSOClaims {
	return app.SSOClaims{Issuer: testIssuer, Subject: sub, Email: email, EmailVerified: true, Name: "Person " + sub}
}

func sso(a app.Actor) app.Actor { a.SSO = true; return a }

// Who a sign-in is: a linked identity, else the account with the verified
// address (linked now), else a new account when the sign-up policy allows;
// an unverified or missing address, another issuer, or an address the
// policy refuses sign nobody in and write nothing.
func TestSSOSignInDecidesWhoItIs(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := t.Context()
			w := newSSOWorld(t, eng)
			users, sessions, identities := w.count("users"), w.count("sessions"), w.count("sso_identities")
			unverified := claims("s-new", "newcomer@example.com")
			unverified.EmailVerified = false
			noEmail := claims("s-new", "")
			other := claims("s-new", "newcomer@example.com")
			other.Issuer = "https://evil.example.com/"
			for name, c := range map[string]app.SSOClaims{"unverified": unverified, "no address": noEmail, "another issuer": other,
				"not invited": claims("s-new", "newcomer@example.com"), "bad address": claims("s-new", "not an address")} {
				_, err := w.svc.SignInWithSSO(ctx, c)
				if persona.ErrorCode(err) != persona.CodeForbidden {
					t.Errorf("%s: %v, want forbidden", name, err)
				}
			}
			if w.count("users") != users || w.count("sessions") != sessions || w.count("sso_identities") != identities {
				t.Fatal("a refused sign-in wrote something")
			}

			// Invited: a new account without a password.
			if _, err := w.svc.InviteMember(ctx, w.owner, "acme", "newcomer@example.com", persona.RoleEditor); err != nil {
				t.Fatal(err)
			}
			res, err := w.svc.SignInWithSSO(ctx, app.SSOClaims{Issuer: testIssuer, Subject: "s-new", Email: "NewComer@Example.com", EmailVerified: true, Name: "Nia\x07 Bell"})
			if err != nil || !res.Created || !res.Linked || res.User.Email != "newcomer@example.com" || res.User.PasswordHash != "" ||
				res.User.Name != "newcomer" {
				t.Fatalf("invited sign-in %+v %v", res, err)
			}
			a, err := w.svc.SessionActor(ctx, res.Secret)
			if err != nil || !a.SSO || a.UserID != res.User.ID {
				t.Fatalf("its session %+v %v", a, err)
			}
			if _, _, err := w.svc.SignIn(ctx, "newcomer@example.com", "", ""); persona.ErrorCode(err) != persona.CodeUnauthenticated {
				t.Fatalf("a password sign-in of an account without one: %v", err)
			}
			// The same subject with a new address: the same account.
			again, err := w.svc.SignInWithSSO(ctx, claims("s-new", "renamed@example.org"))
			if err != nil || again.Created || again.Linked || again.User.ID != res.User.ID {
				t.Fatalf("second sign-in %+v %v", again, err)
			}
			if id, _ := w.db.SSOIdentity(ctx, testIssuer, "s-new"); id.Email != "renamed@example.org" {
				t.Errorf("identity keeps %q", id.Email)
			}
			events, _ := w.svc.ListSecurityEvents(ctx, app.Actor{UserID: res.User.ID}, 0, 10)
			kinds := []string{}
			for _, e := range events {
				kinds = append(kinds, e.Kind)
			}
			if strings.Join(kinds, ",") != "sign_in_sso,sign_in_failed,sign_in_sso,sso_linked" {
				t.Errorf("security log %v", kinds)
			}

			// An account with a password: linked by its verified address.
			linked, err := w.svc.SignInWithSSO(ctx, claims("s-olga", "olga@example.com"))
			if err != nil || linked.Created || !linked.Linked || linked.User.ID != w.owner.UserID {
				t.Fatalf("linking by address %+v %v", linked, err)
			}
			if _, _, err := w.svc.SignIn(ctx, "olga@example.com", "a-long-password-Olga Owner", ""); err != nil {
				t.Fatalf("the password stopped working: %v", err)
			}
			// Someone else at the provider with that address now: refused.
			if _, err := w.svc.SignInWithSSO(ctx, claims("s-impostor", "olga@example.com")); persona.ErrorCode(err) != persona.CodeForbidden {
				t.Fatalf("a second subject for a linked account: %v", err)
			}
			// A session of another issuer (the operator changed it) is not
			// a single sign-on session for this one.
			elsewhere := app.New(w.db, w.clock, app.WithSSO("https://new-idp.example.com/", "New"))
			if a, err := elsewhere.SessionActor(ctx, linked.Secret); err != nil || a.SSO {
				t.Fatalf("a session of another issuer: %+v %v", a, err)
			}
		})
	}
}

// The sign-up policy decides about addresses without an account; the
// default admits only invited addresses (or a mapped domain).
func TestSSOSignupPolicy(t *testing.T) {
	eng := storetest.Engines(t)[0]
	open := persona.SignupPolicy{Mode: persona.SignupOpen, Domains: []string{"open.example"}}
	w := newSSOWorld(t, eng, app.WithSignupPolicy(open))
	if _, err := w.svc.SignInWithSSO(t.Context(), claims("a", "anyone@open.example")); err != nil {
		t.Fatalf("a policy that admits the address: %v", err)
	}
	if _, err := w.svc.SignInWithSSO(t.Context(), claims("b", "anyone@closed.example")); persona.ErrorCode(err) != persona.CodeForbidden {
		t.Fatalf("a policy that refuses the address: %v", err)
	}
	closed := newSSOWorld(t, eng, app.WithSignupPolicy(persona.SignupPolicy{Mode: persona.SignupClosed}))
	if _, err := closed.svc.SignInWithSSO(t.Context(), claims("c", "anyone@open.example")); persona.ErrorCode(err) != persona.CodeForbidden {
		t.Fatalf("closed sign-up let a new account in: %v", err)
	}
}

// Many first sign-ins of one person at once (a double click, two tabs)
// make one account and one identity, and every one of them signs in.
func TestSSOConcurrentFirstSignIns(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			w := newSSOWorld(t, eng, app.WithSignupPolicy(persona.SignupPolicy{Mode: persona.SignupOpen}))
			users := w.count("users")
			var wg sync.WaitGroup
			errs := make(chan error, 10)
			for range 10 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, err := w.svc.SignInWithSSO(t.Context(), claims("s-twice", "twice@example.com"))
					errs <- err
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Errorf("a concurrent sign-in failed: %v", err)
				}
			}
			if w.count("users") != users+1 || w.count("sso_identities") != 1 {
				t.Fatalf("%d new users, %d identities", w.count("users")-users, w.count("sso_identities"))
			}
		})
	}
}

// A domain mapping adds people at its domain once, with its role, recorded
// as added by single sign-on; a removal stays; a member stays as they are.
// Only admins map, only their own domain, only as viewer or editor.
func TestSSODomainMappings(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := t.Context()
			w := newSSOWorld(t, eng)
			for name, c := range map[string]struct {
				actor  app.Actor
				domain string
				role   persona.Role
				code   persona.Code
			}{
				"a viewer":            {w.view, "example.com", persona.RoleViewer, persona.CodeForbidden},
				"another domain":      {w.admin, "example.org", persona.RoleViewer, persona.CodeInvalid},
				"the admin role":      {w.admin, "example.com", persona.RoleAdmin, persona.CodeInvalid},
				"the owner role":      {w.admin, "example.com", persona.RoleOwner, persona.CodeInvalid},
				"not a domain":        {w.admin, "*.example.com", persona.RoleViewer, persona.CodeInvalid},
				"a subdomain of mine": {w.admin, "eu.example.com", persona.RoleViewer, persona.CodeInvalid},
			} {
				if _, err := w.svc.AddSSODomain(ctx, c.actor, "acme", c.domain, c.role); persona.ErrorCode(err) != c.code {
					t.Errorf("%s: %v, want %s", name, err, c.code)
				}
			}
			d, err := w.svc.AddSSODomain(ctx, w.admin, "acme", " @Example.COM ", persona.RoleEditor)
			if err != nil || d.Domain != "example.com" || d.CreatedBy != "adam@example.com" {
				t.Fatalf("mapping %+v %v", d, err)
			}
			if _, err := w.svc.AddSSODomain(ctx, w.owner, "acme", "example.com", persona.RoleViewer); persona.ErrorCode(err) != persona.CodeConflict {
				t.Fatalf("mapping twice: %v", err)
			}

			// A new person at the domain: the mapping admits the account
			// (a standing invitation) and adds them.
			res, err := w.svc.SignInWithSSO(ctx, claims("s-joe", "joe@example.com"))
			if err != nil || !res.Created || len(res.Joined) != 1 || res.Joined[0].Org.Slug != "acme" || res.Joined[0].Role != persona.RoleEditor {
				t.Fatalf("first sign-in %+v %v", res, err)
			}
			bySSO := app.AuditQuery{Action: "add", ObjectKind: "member", Actor: "(single sign-on)"}
			log, _ := w.svc.ListAudit(ctx, w.owner, "acme", bySSO, 0, 10)
			if len(log) != 1 || log[0].ActorID != "" || log[0].ActorEmail != "(single sign-on)" || log[0].ObjectID != res.User.ID {
				t.Fatalf("audit %+v", log)
			}
			joe := app.Actor{UserID: res.User.ID, Email: res.User.Email}
			if err := w.svc.RemoveMember(ctx, w.owner, "acme", joe.UserID); err != nil {
				t.Fatal(err)
			}
			if again, err := w.svc.SignInWithSSO(ctx, claims("s-joe", "joe@example.com")); err != nil || len(again.Joined) != 0 {
				t.Fatalf("after removal %+v %v", again, err)
			}
			if _, _, err := w.svc.GetOrg(ctx, joe, "acme"); persona.ErrorCode(err) != persona.CodeNotFound {
				t.Fatalf("a removed person was added again: %v", err)
			}
			// A member already: unchanged role, no entry.
			head := len(log)
			if res, err := w.svc.SignInWithSSO(ctx, claims("s-vera", "vera@example.com")); err != nil || len(res.Joined) != 0 {
				t.Fatalf("a member signs in: %+v %v", res, err)
			}
			if _, role, _ := w.svc.GetOrg(ctx, w.view, "acme"); role != persona.RoleViewer {
				t.Fatalf("a member's role changed to %s", role)
			}
			log, _ = w.svc.ListAudit(ctx, w.owner, "acme", bySSO, 0, 10)
			if len(log) != head {
				t.Fatalf("entries %+v", log)
			}
			// Another domain: nothing.
			if res, err := w.svc.SignInWithSSO(ctx, claims("s-x", "x@example.org")); persona.ErrorCode(err) != persona.CodeForbidden {
				t.Fatalf("an address at an unmapped domain without an invitation: %+v %v", res, err)
			}
			if err := w.svc.RemoveSSODomain(ctx, w.admin, "acme", "example.com"); err != nil {
				t.Fatal(err)
			}
			if err := w.svc.RemoveSSODomain(ctx, w.admin, "acme", "example.com"); persona.ErrorCode(err) != persona.CodeNotFound {
				t.Fatalf("removing twice: %v", err)
			}
		})
	}
}

// An organisation that requires single sign-on admits its members' single
// sign-on sessions and tokens made in them, and refuses password sessions
// and other tokens with sso_required (non-members still get not-found).
// Turning it on needs a single sign-on session; the command line can turn
// it off; a server without single sign-on refuses everyone but the command
// line.
func TestSSORequired(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := t.Context()
			w := newSSOWorld(t, eng)
			if _, err := w.svc.SetSSORequired(ctx, w.admin, "acme", true); persona.ErrorCode(err) != persona.CodeForbidden {
				t.Fatalf("a password session turned it on: %v", err)
			}
			if _, err := w.svc.SetSSORequired(ctx, sso(w.view), "acme", true); persona.ErrorCode(err) != persona.CodeForbidden {
				t.Fatalf("a viewer turned it on: %v", err)
			}
			pwToken, _, err := w.svc.CreateToken(ctx, w.admin, "password")
			if err != nil {
				t.Fatal(err)
			}
			ssoToken, _, err := w.svc.CreateToken(ctx, sso(w.admin), "sso")
			if err != nil {
				t.Fatal(err)
			}
			st, err := w.svc.SetSSORequired(ctx, sso(w.admin), "acme", true)
			if err != nil || !st.Required() {
				t.Fatalf("turning it on: %+v %v", st, err)
			}
			if _, _, err := w.svc.GetOrg(ctx, w.admin, "acme"); persona.ErrorCode(err) != persona.CodeSSORequired ||
				!strings.Contains(err.Error(), "Acme requires its members to sign in with Example IdP") {
				t.Fatalf("a password session: %v", err)
			}
			if _, _, err := w.svc.GetOrg(ctx, sso(w.view), "acme"); err != nil {
				t.Fatalf("a single sign-on session: %v", err)
			}
			outsider, _ := w.svc.CreateUser(ctx, "out@example.net", "Out", "a-long-password-out")
			if _, _, err := w.svc.GetOrg(ctx, sso(app.Actor{UserID: outsider.ID}), "acme"); persona.ErrorCode(err) != persona.CodeNotFound {
				t.Fatalf("an outsider: %v", err)
			}
			for name, tc := range map[string]struct {
				secret string
				code   persona.Code
			}{"password": {pwToken, persona.CodeSSORequired}, "sso": {ssoToken, ""}} {
				rctx := app.WithRequestMemo(ctx)
				a, err := w.svc.AuthenticateOrg(rctx, tc.secret, "acme")
				if err != nil {
					t.Fatal(err)
				}
				_, err = w.svc.ListGroups(rctx, a, "acme")
				if persona.ErrorCode(err) != tc.code {
					t.Errorf("a token made in a %s session: %v, want %q", name, err, tc.code)
				}
				// A token made by that token inherits how it was made.
				child, _, err := w.svc.CreateToken(ctx, a, "child")
				if err != nil {
					t.Fatal(err)
				}
				ca, _ := w.svc.Authenticate(ctx, child)
				if _, err := w.svc.ListGroups(ctx, ca, "acme"); persona.ErrorCode(err) != tc.code {
					t.Errorf("a child of a %s token: %v", name, err)
				}
			}
			// The settings page's view.
			if s, err := w.svc.GetOrgSSO(ctx, sso(w.admin), "acme"); err != nil || !s.Available || !s.SSOSession || s.Provider != "Example IdP" {
				t.Fatalf("settings %+v %v", s, err)
			}
			// A server without single sign-on: nobody gets in but the CLI,
			// which can turn it off.
			plain := app.New(w.db, app.WithPasswordHasher(cheap))
			if _, _, err := plain.GetOrg(ctx, sso(w.admin), "acme"); persona.ErrorCode(err) != persona.CodeSSORequired ||
				!strings.Contains(err.Error(), "none configured") {
				t.Fatalf("a server without single sign-on: %v", err)
			}
			if _, err := plain.SetSSORequired(ctx, app.System, "acme", true); err != nil {
				t.Fatalf("setting what is set: %v", err)
			}
			if _, err := plain.SetSSORequired(ctx, app.System, "acme", false); err != nil {
				t.Fatalf("the command line turns it off: %v", err)
			}
			if _, err := plain.SetSSORequired(ctx, app.System, "acme", true); persona.ErrorCode(err) != persona.CodeInvalid {
				t.Fatalf("turning it on where single sign-on is not configured: %v", err)
			}
			if _, _, err := w.svc.GetOrg(ctx, w.admin, "acme"); err != nil {
				t.Fatalf("after turning it off: %v", err)
			}
		})
	}
}

// A flow is taken once, only with the browser secret of the browser that
// started it, and only within its lifetime.
func TestSSOFlows(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := t.Context()
			w := newSSOWorld(t, eng)
			st, err := w.svc.BeginSSO(ctx, "/o/acme", "https://pp.example.com/auth/oidc/callback")
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			for _, v := range []string{st.State, st.Browser, st.Nonce, st.Verifier} {
				if len(v) != 43 || seen[v] {
					t.Fatalf("secrets %+v: want four distinct 256-bit values", st)
				}
				seen[v] = true
			}
			var raw string
			_ = w.db.SQL().QueryRowContext(ctx, `SELECT state_hash || browser_hash FROM sso_flows`).Scan(&raw)
			if strings.Contains(raw, st.State) || strings.Contains(raw, st.Browser) {
				t.Fatal("the state or the browser secret is stored in clear")
			}
			if _, err := w.svc.FinishSSO(ctx, st.State, "another browser's secret"); persona.ErrorCode(err) != persona.CodeBadRequest {
				t.Fatalf("another browser: %v", err)
			}
			// That attempt used the flow up: the right browser is too late.
			if _, err := w.svc.FinishSSO(ctx, st.State, st.Browser); persona.ErrorCode(err) != persona.CodeBadRequest {
				t.Fatalf("a flow taken by another browser: %v", err)
			}
			st, _ = w.svc.BeginSSO(ctx, "/o/acme", "https://pp.example.com/auth/oidc/callback")
			f, err := w.svc.FinishSSO(ctx, st.State, st.Browser)
			if err != nil || f.Nonce != st.Nonce || f.Verifier != st.Verifier || f.Next != "/o/acme" {
				t.Fatalf("finish %+v %v", f, err)
			}
			if _, err := w.svc.FinishSSO(ctx, st.State, st.Browser); persona.ErrorCode(err) != persona.CodeBadRequest {
				t.Fatalf("finishing twice: %v", err)
			}
			st, _ = w.svc.BeginSSO(ctx, "/", "https://pp.example.com/auth/oidc/callback")
			w.mu.Lock()
			*w.now = w.now.Add(persona.SSOFlowLifetime + time.Second)
			w.mu.Unlock()
			if _, err := w.svc.FinishSSO(ctx, st.State, st.Browser); persona.ErrorCode(err) != persona.CodeBadRequest ||
				!strings.Contains(err.Error(), "took longer than 10 minutes") {
				t.Fatalf("an expired flow: %v", err)
			}
			// Without single sign-on there is no flow at all.
			if _, err := app.New(w.db).BeginSSO(ctx, "/", "x"); persona.ErrorCode(err) != persona.CodeNotFound {
				t.Fatalf("BeginSSO without single sign-on: %v", err)
			}
		})
	}
}
