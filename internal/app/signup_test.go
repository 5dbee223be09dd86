package app_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/store/storetest"
)

// links reads the verification links a service sent from its outbox
// (nothing runs the queue in these tests, so every message stays there,
// links included).
type links struct{ svc *app.Service }

// messages lists the outbox's messages of kind, oldest first.
func (l *links) messages(t *testing.T, kind persona.MessageKind) []persona.OutboxMessage {
	t.Helper()
	return mailed(t, l.svc, "", kind)
}

func (l *links) count() int {
	box, err := l.svc.ListOutbox(context.Background(), app.System, persona.OutboxFilter{Limit: 500})
	if err != nil {
		panic(err)
	}
	n := 0
	for _, m := range box.Messages {
		if m.Kind == persona.MessageVerifyEmail {
			n++
		}
	}
	return n
}

// secret is the token of the last link sent.
func (l *links) secret(t *testing.T) string {
	t.Helper()
	ms := l.messages(t, persona.MessageVerifyEmail)
	if len(ms) == 0 {
		t.Fatal("no verification link was sent")
	}
	return linkToken(t, ms[len(ms)-1], "/signup/verify")
}

// signupService is a service with one account (the instance is set up),
// an organisation with a pending invitation for invited@elsewhere.org,
// the policy p and a recording sender.
func signupService(t *testing.T, db app.Store, p persona.SignupPolicy, opts ...app.Option) (*app.Service, *links, *countingHasher) {
	t.Helper()
	ctx := t.Context()
	h := &countingHasher{PasswordHasher: cheap}
	svc := app.New(db, append([]app.Option{app.WithLogger(quietLog()), app.WithPasswordHasher(h),
		app.WithSignupPolicy(p)}, opts...)...)
	l := &links{svc: svc}
	owner, err := svc.CreateUser(ctx, "owner@example.com", "Owner", "owner-password-1")
	if err != nil {
		t.Fatal(err)
	}
	org, err := svc.CreateOrg(ctx, app.Actor{UserID: owner.ID, Email: owner.Email}, "Acme", "acme")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.InviteMember(ctx, app.Actor{UserID: owner.ID, Email: owner.Email}, org.Slug, "invited@elsewhere.org", persona.RoleEditor); err != nil {
		t.Fatal(err)
	}
	h.reset()
	return svc, l, h
}

func signup(email string) app.SignupInput {
	return app.SignupInput{Email: email, Name: "Newcomer " + email, Password: "correct horse battery staple"}
}

// Each policy takes exactly the addresses it should: closed none; invite
// only invited ones (an uninvited address gets the same answer as an
// invited one, and nothing is made or sent); open any, or with domains
// only those (others are told which domains, and invited ones still may).
// AllowsSignup (which single sign-on asks) agrees with the page.
func TestSignupFollowsThePolicy(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			for _, c := range []struct {
				mode    persona.SignupMode
				domains []string
				email   string
				allowed bool
				refusal persona.Code // "" for the answer nil
			}{
				{persona.SignupClosed, nil, "invited@elsewhere.org", false, persona.CodeForbidden},
				{persona.SignupClosed, nil, "anyone@example.net", false, persona.CodeForbidden},
				{persona.SignupInvite, nil, "invited@elsewhere.org", true, ""},
				{persona.SignupInvite, nil, "Invited@Elsewhere.org", true, ""},
				{persona.SignupInvite, nil, "stranger@example.net", false, ""},
				{persona.SignupOpen, nil, "stranger@example.net", true, ""},
				{persona.SignupOpen, []string{"example.com", "acme.test"}, "dev@acme.test", true, ""},
				{persona.SignupOpen, []string{"example.com", "acme.test"}, "dev@sub.acme.test", false, persona.CodeInvalid},
				{persona.SignupOpen, []string{"example.com", "acme.test"}, "stranger@example.net", false, persona.CodeInvalid},
				{persona.SignupOpen, []string{"example.com"}, "invited@elsewhere.org", true, ""},
			} {
				name := fmt.Sprintf("%s %v %s", c.mode, c.domains, c.email)
				p, err := persona.ParseSignupPolicy(string(c.mode), c.domains)
				if err != nil {
					t.Fatal(err)
				}
				svc, sent, h := signupService(t, eng.Open(t), p)
				ctx := t.Context()
				if ok, err := svc.AllowsSignup(ctx, c.email); ok != c.allowed || err != nil {
					t.Errorf("%s: AllowsSignup = %v, %v", name, ok, err)
				}
				err = svc.SignUp(ctx, signup(c.email))
				if persona.ErrorCode(err) != c.refusal {
					t.Errorf("%s: SignUp = %v, want code %q", name, err, c.refusal)
				}
				if c.refusal == persona.CodeInvalid && fieldOf(err) != "email" {
					t.Errorf("%s: refusal names %q, want email", name, fieldOf(err))
				}
				if c.refusal == "" && h.hashes.Load() != 1 {
					t.Errorf("%s: %d password hashes, want one on every path", name, h.hashes.Load())
				}
				u, err := svc.UserByEmail(ctx, c.email)
				if c.allowed != (err == nil) || sent.count() != map[bool]int{true: 1}[c.allowed] {
					t.Errorf("%s: account %+v (%v), %d links sent", name, u, err, sent.count())
				}
				if err == nil && u.EmailVerifiedAt != nil {
					t.Errorf("%s: a signed-up account is verified before its link was opened", name)
				}
			}
		})
	}
}

// A new account cannot sign in until its link is opened; then it can,
// and the link does not work twice. The security log tells the story.
func TestUnverifiedAccountsCannotSignIn(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := t.Context()
			svc, sent, _ := signupService(t, eng.Open(t), persona.SignupPolicy{Mode: persona.SignupOpen})
			in := signup("new@example.net")
			if err := svc.SignUp(ctx, in); err != nil {
				t.Fatal(err)
			}
			_, _, err := svc.SignIn(ctx, in.Email, in.Password, "192.0.2.1")
			if e, ok := persona.AsError(err); !ok || e.Code != persona.CodeForbidden || !strings.Contains(e.Message, "not verified") {
				t.Fatalf("sign-in before verifying: %v", err)
			}
			// A wrong password says only that.
			if _, _, err := svc.SignIn(ctx, in.Email, "wrong password here", "192.0.2.1"); persona.ErrorCode(err) != persona.CodeUnauthenticated {
				t.Fatalf("wrong password: %v", err)
			}
			secret := sent.secret(t)
			u, err := svc.VerifyEmail(ctx, secret)
			if err != nil || u.Email != in.Email {
				t.Fatalf("VerifyEmail = %+v, %v", u, err)
			}
			if _, err := svc.VerifyEmail(ctx, secret); persona.ErrorCode(err) != persona.CodeNotFound {
				t.Fatalf("the link a second time: %v", err)
			}
			sess, _, err := svc.SignIn(ctx, in.Email, in.Password, "192.0.2.1")
			if err != nil || sess == "" {
				t.Fatalf("sign-in after verifying: %v", err)
			}
			a, err := svc.SessionActor(ctx, sess)
			if err != nil {
				t.Fatal(err)
			}
			events, _ := svc.ListSecurityEvents(ctx, a, 0, 10)
			var kinds []string
			for _, e := range events {
				kinds = append(kinds, e.Kind)
			}
			want := []string{"sign_in", "email_verified", "sign_in_failed", "sign_in_failed", "account_created"}
			if strings.Join(kinds, " ") != strings.Join(want, " ") {
				t.Fatalf("security log %v, want %v", kinds, want)
			}
		})
	}
}

// Links work once, within 24 hours, and only whole: an expired, tampered
// or replaced link changes nothing; of 20 uses at once, one succeeds.
func TestVerificationLinksWorkOnceWithinADay(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := t.Context()
			clk := newClock()
			db := eng.Open(t)
			svc, sent, _ := signupService(t, db, persona.SignupPolicy{Mode: persona.SignupOpen}, app.WithClock(clk.Now))

			// Expired: a day and a second later, nothing changes.
			if err := svc.SignUp(ctx, signup("late@example.net")); err != nil {
				t.Fatal(err)
			}
			late := sent.secret(t)
			clk.Advance(persona.VerificationLifetime + time.Second)
			before := fingerprint(t, db.SQL(), eng.Name)
			tampered := late[:len(late)-1] + map[bool]string{true: "A", false: "B"}[!strings.HasSuffix(late, "A")]
			for name, s := range map[string]string{"expired": late, "tampered": tampered, "cut": late[:20], "empty": "", "other kind": "pp_" + late[4:]} {
				if _, err := svc.VerifyEmail(ctx, s); persona.ErrorCode(err) != persona.CodeNotFound {
					t.Errorf("%s link: %v", name, err)
				}
			}
			if after := fingerprint(t, db.SQL(), eng.Name); after != before {
				t.Fatal("a link that does not work changed the database")
			}

			// Signing up again replaces the password and the link: the
			// first link stops working, the second verifies the second
			// password.
			if err := svc.SignUp(ctx, signup("twice@example.net")); err != nil {
				t.Fatal(err)
			}
			first := sent.secret(t)
			again := signup("twice@example.net")
			again.Password = "another fine password"
			if err := svc.SignUp(ctx, again); err != nil {
				t.Fatal(err)
			}
			second := sent.secret(t)
			if _, err := svc.VerifyEmail(ctx, first); persona.ErrorCode(err) != persona.CodeNotFound {
				t.Fatalf("the replaced link: %v", err)
			}
			// Twenty uses of the second link at once: exactly one works.
			var (
				wg sync.WaitGroup
				mu sync.Mutex
				ok int
			)
			for range 20 {
				wg.Go(func() {
					if _, err := svc.VerifyEmail(ctx, second); err == nil {
						mu.Lock()
						ok++
						mu.Unlock()
					} else if persona.ErrorCode(err) != persona.CodeNotFound {
						t.Errorf("concurrent use: %v", err)
					}
				})
			}
			wg.Wait()
			if ok != 1 {
				t.Fatalf("%d uses of one link worked, want 1", ok)
			}
			if _, _, err := svc.SignIn(ctx, again.Email, "correct horse battery staple", "192.0.2.2"); persona.ErrorCode(err) != persona.CodeUnauthenticated {
				t.Fatalf("the first sign-up's password: %v", err)
			}
			if _, _, err := svc.SignIn(ctx, again.Email, again.Password, "192.0.2.2"); err != nil {
				t.Fatalf("the second sign-up's password: %v", err)
			}

			// A verified account: signing up again sends nothing and keeps
			// its password, with the same answer.
			n := sent.count()
			if err := svc.SignUp(ctx, signup("twice@example.net")); err != nil {
				t.Fatal(err)
			}
			if sent.count() != n {
				t.Fatal("a sign-up for a verified account sent a link")
			}
			// It is told instead: sign in, or reset the password.
			notice := lastMailed(t, svc, "twice@example.net", persona.MessageSignupExisting)
			if !strings.Contains(notice.Text, "already has one") || !strings.Contains(notice.Text, "/forgot") ||
				len(notice.Links) != 1 || !strings.Contains(notice.Links[0], "/login?email=twice%40example.net") {
				t.Fatalf("the notice to a verified account:\n%s\n%v", notice.Text, notice.Links)
			}
			if _, _, err := svc.SignIn(ctx, again.Email, again.Password, "192.0.2.2"); err != nil {
				t.Fatalf("a sign-up for a verified account changed its password: %v", err)
			}
			if err := svc.SignUp(ctx, signup("owner@example.com")); err != nil {
				t.Fatalf("a sign-up for an operator's account: %v", err)
			}
		})
	}
}

// Sign-up attempts are counted per address and client like sign-ins (so
// nobody floods an inbox with links), in counters of their own (sign-ins
// from the same office are not slowed), and sign-up waits for the
// first-run setup.
func TestSignupIsThrottledAndWaitsForSetup(t *testing.T) {
	ctx := t.Context()
	db := storetest.OpenSQLite(t)
	fresh := app.New(db, app.WithLogger(quietLog()), app.WithPasswordHasher(cheap), app.WithSignupPolicy(persona.SignupPolicy{Mode: persona.SignupOpen}))
	if err := fresh.SignUp(ctx, signup("early@example.net")); persona.ErrorCode(err) != persona.CodeForbidden {
		t.Fatalf("sign-up before setup: %v", err)
	}
	if needs, _ := fresh.NeedsSetup(ctx); !needs {
		t.Fatal("a refused sign-up made an account")
	}
	svc, sent, _ := signupService(t, db, persona.SignupPolicy{Mode: persona.SignupOpen})
	client := from(ctx, "192.0.2.77")
	for i := range 5 {
		if err := svc.SignUp(client, signup("flood@example.net")); err != nil {
			t.Fatalf("sign-up %d: %v", i, err)
		}
	}
	tooMany(t, svc.SignUp(client, signup("flood@example.net")), "a sixth sign-up for one address from one client")
	if sent.count() != 5 {
		t.Fatalf("%d links sent, want 5", sent.count())
	}
	if _, _, err := svc.SignIn(client, "owner@example.com", "owner-password-1", "192.0.2.77"); err != nil {
		t.Fatalf("sign-in from the same client: %v", err)
	}
}

// A verification link sent before they were one-time links ("ppv_…",
// moved to the links table by migration 00021 under the digest of the
// whole secret) still verifies its account, once.
func TestLegacyVerificationLinksStillWorkOnce(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := t.Context()
			db := eng.Open(t)
			svc, _, _ := signupService(t, db, persona.SignupPolicy{Mode: persona.SignupOpen})
			in := signup("legacy@example.net")
			if err := svc.SignUp(ctx, in); err != nil {
				t.Fatal(err)
			}
			u, err := svc.UserByEmail(ctx, in.Email)
			if err != nil {
				t.Fatal(err)
			}
			secret := "ppv_" + strings.Repeat("Q", 43)
			sum := sha256.Sum256([]byte(secret))
			now := time.Now().UTC()
			if _, err := db.SQL().ExecContext(ctx, `INSERT INTO links (token_hash, purpose, user_id, email, created_at, expires_at)
				VALUES ($1, 'verify_email', $2, $3, $4, $5)`, hex.EncodeToString(sum[:]), u.ID, u.Email, now, now.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.VerifyEmail(ctx, "ppv_"+strings.Repeat("R", 43)); persona.ErrorCode(err) != persona.CodeNotFound {
				t.Fatalf("another legacy secret: %v", err)
			}
			if got, err := svc.VerifyEmail(ctx, secret); err != nil || got.EmailVerifiedAt == nil {
				t.Fatalf("the legacy link: %+v, %v", got, err)
			}
			if _, err := svc.VerifyEmail(ctx, secret); persona.ErrorCode(err) != persona.CodeNotFound {
				t.Fatalf("the legacy link twice: %v", err)
			}
		})
	}
}
