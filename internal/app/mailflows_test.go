package app_test

import (
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/store/storetest"
)

// mailService is a set-up service (owner@example.com owns Acme) on db, with
// a recording hasher and a clock.
func mailService(t *testing.T, db app.Store, opts ...app.Option) (*app.Service, app.Actor, string, *clock, *countingHasher) {
	t.Helper()
	clk := newClock()
	h := &countingHasher{PasswordHasher: cheap}
	svc := app.New(db, append([]app.Option{app.WithLogger(quietLog()), app.WithPasswordHasher(h), app.WithClock(clk.Now)}, opts...)...)
	u, err := svc.CreateUser(t.Context(), "owner@example.com", "Olga Owner", "owner-password-1")
	if err != nil {
		t.Fatal(err)
	}
	owner := app.Actor{UserID: u.ID, Email: u.Email, Name: u.Name}
	org, err := svc.CreateOrg(t.Context(), owner, "Acme", "acme")
	if err != nil {
		t.Fatal(err)
	}
	h.reset()
	return svc, owner, org.Slug, clk, h
}

// signedIn signs in and returns the session's actor and secret.
func signedIn(t *testing.T, svc *app.Service, email, password string) (app.Actor, string) {
	t.Helper()
	secret, _, err := svc.SignIn(t.Context(), email, password, "192.0.2.10")
	if err != nil {
		t.Fatalf("sign-in as %s: %v", email, err)
	}
	a, err := svc.SessionActor(t.Context(), secret)
	if err != nil {
		t.Fatal(err)
	}
	return a, secret
}

func securityKinds(t *testing.T, svc *app.Service, a app.Actor) []string {
	t.Helper()
	events, err := svc.ListSecurityEvents(t.Context(), a, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range events {
		kinds = append(kinds, e.Kind)
	}
	return kinds
}

// An invitation goes out by e-mail with a one-time link, the same message
// whether or not the address has an account; the link's page knows which.
// A new address sets a name and password through it and is in: account
// (verified), membership, session, security log and audit entry, once.
// Resending replaces the link; revoking, answering and expiry end it; a
// signed-in stranger cannot use it; twenty uses at once make one account.
func TestInvitationLinksByEmail(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := t.Context()
			db := eng.Open(t)
			svc, owner, org, clk, _ := mailService(t, db)
			existing, err := svc.CreateUser(ctx, "erin@example.net", "Erin Existing", "existing-password-1")
			if err != nil {
				t.Fatal(err)
			}
			stranger, err := svc.CreateUser(ctx, "sam@example.net", "Sam Stranger", "stranger-password-1")
			if err != nil {
				t.Fatal(err)
			}
			strangerActor := app.Actor{UserID: stranger.ID, Email: stranger.Email}

			invNew, err := svc.InviteMember(ctx, owner, org, "nora@example.net", persona.RoleEditor)
			if err != nil {
				t.Fatal(err)
			}
			invOld, err := svc.InviteMember(ctx, owner, org, existing.Email, persona.RoleEditor)
			if err != nil {
				t.Fatal(err)
			}
			mNew := lastMailed(t, svc, "nora@example.net", persona.MessageInvitation)
			mOld := lastMailed(t, svc, existing.Email, persona.MessageInvitation)
			for _, m := range []persona.OutboxMessage{mNew, mOld} {
				if !strings.Contains(m.Subject, "Olga Owner invited you to Acme") || !strings.Contains(m.Text, "as an editor") ||
					!strings.Contains(m.Text, "works for 7 days") || m.OrgID == "" {
					t.Errorf("invitation message %q:\n%s", m.Subject, m.Text)
				}
			}
			// The same message, but for the address and the secret.
			norm := func(m persona.OutboxMessage) string {
				return strings.ReplaceAll(strings.ReplaceAll(m.Text, m.To, "X"), linkToken(t, m, "/invite"), "S")
			}
			if norm(mNew) != norm(mOld) || invNew.Status(clk.Now()) != invOld.Status(clk.Now()) {
				t.Errorf("the invitation differs for an address with an account:\n%s\n---\n%s", norm(mNew), norm(mOld))
			}

			// The link's page: who invites to what, and whether to sign in.
			oldSecret := linkToken(t, mNew, "/invite")
			il, err := svc.OpenInvitationLink(ctx, oldSecret)
			if err != nil || il.HasAccount || il.Invitation.OrgName != "Acme" || il.Invitation.Role != persona.RoleEditor || il.Invitation.InviterLabel() != "Olga Owner" {
				t.Fatalf("the new address's link: %+v %v", il, err)
			}
			if il, err := svc.OpenInvitationLink(ctx, linkToken(t, mOld, "/invite")); err != nil || !il.HasAccount {
				t.Fatalf("the existing account's link: %+v %v", il, err)
			}

			// Resend: a new link; the old one stops working.
			if _, err := svc.ResendInvitation(ctx, owner, org, invNew.ID); err != nil {
				t.Fatal(err)
			}
			secret := linkToken(t, lastMailed(t, svc, "nora@example.net", persona.MessageInvitation), "/invite")
			if secret == oldSecret {
				t.Fatal("resending sent the same link")
			}
			badLink := func(what, s string) {
				t.Helper()
				before := fingerprint(t, db.SQL(), eng.Name)
				if _, err := svc.OpenInvitationLink(ctx, s); persona.ErrorCode(err) != persona.CodeNotFound {
					t.Errorf("%s: opened: %v", what, err)
				}
				if _, err := svc.JoinByInvitation(ctx, app.Actor{}, s, "Nora New", "correct horse battery staple"); persona.ErrorCode(err) != persona.CodeNotFound ||
					!strings.Contains(err.Error(), "This invitation link does not work") {
					t.Errorf("%s: joined: %v", what, err)
				}
				if after := fingerprint(t, db.SQL(), eng.Name); after != before {
					t.Errorf("%s: a link that does not work changed the database", what)
				}
			}
			badLink("the link replaced by Resend", oldSecret)
			badLink("a tampered link", flip(secret))
			badLink("a cut link", secret[:30])

			// A signed-in stranger can neither join nor accept with it.
			before := fingerprint(t, db.SQL(), eng.Name)
			if _, err := svc.JoinByInvitation(ctx, strangerActor, secret, "Nora New", "correct horse battery staple"); persona.ErrorCode(err) != persona.CodeForbidden {
				t.Errorf("joining while signed in as someone else: %v", err)
			}
			if _, err := svc.AcceptInvitationLink(ctx, strangerActor, secret); persona.ErrorCode(err) != persona.CodeForbidden ||
				!strings.Contains(err.Error(), "This link is for nora@example.net, but you are signed in as sam@example.net") {
				t.Errorf("accepting another address's invitation: %v", err)
			}
			if _, err := svc.JoinByInvitation(ctx, app.Actor{}, secret, "", "short"); persona.ErrorCode(err) != persona.CodeInvalid {
				t.Errorf("a bad name and password: %v", err)
			}
			if after := fingerprint(t, db.SQL(), eng.Name); after != before {
				t.Fatal("a refused use of the link changed the database")
			}

			// Twenty joins at once: one account, one membership.
			var (
				wg     sync.WaitGroup
				mu     sync.Mutex
				joined []app.Joined
			)
			for range 20 {
				wg.Go(func() {
					j, err := svc.JoinByInvitation(ctx, app.Actor{}, secret, "Nora New", "correct horse battery staple")
					mu.Lock()
					defer mu.Unlock()
					switch {
					case err == nil:
						joined = append(joined, j)
					case persona.ErrorCode(err) != persona.CodeNotFound && persona.ErrorCode(err) != persona.CodeConflict:
						t.Errorf("a concurrent join: %v", err)
					}
				})
			}
			wg.Wait()
			if len(joined) != 1 {
				t.Fatalf("%d joins worked, want 1", len(joined))
			}
			j := joined[0]
			a, err := svc.SessionActor(ctx, j.Session)
			if err != nil || a.UserID != j.User.ID || j.User.EmailVerifiedAt == nil || j.Membership.Role != persona.RoleEditor {
				t.Fatalf("joined %+v, session %+v %v", j, a, err)
			}
			if _, _, err := svc.GetOrg(ctx, a, org); err != nil {
				t.Fatalf("the newcomer is not in the organisation: %v", err)
			}
			if got := securityKinds(t, svc, a); !slices.Equal(got, []string{"sign_in", "account_created"}) {
				t.Errorf("the newcomer's security log: %v", got)
			}
			if e := auditTail(t, svc, org, 0); e[len(e)-1].Action != "add" || e[len(e)-1].ActorID != j.User.ID ||
				!strings.Contains(e[len(e)-1].Summary, "nora@example.net as editor, invited by Olga Owner (new account)") {
				t.Errorf("audit entry %+v", e[len(e)-1])
			}
			if _, _, err := svc.SignIn(ctx, "nora@example.net", "correct horse battery staple", "192.0.2.3"); err != nil {
				t.Fatalf("the new password: %v", err)
			}
			badLink("a used link", secret)

			// The existing account signs in and accepts with its link.
			oldLink := linkToken(t, mOld, "/invite")
			if _, err := svc.JoinByInvitation(ctx, app.Actor{}, oldLink, "Mallory", "correct horse battery staple"); persona.ErrorCode(err) != persona.CodeConflict {
				t.Fatalf("making an account for an address that has one: %v", err)
			}
			ea, _ := signedIn(t, svc, existing.Email, "existing-password-1")
			if m, err := svc.AcceptInvitationLink(ctx, ea, oldLink); err != nil || m.Org.Slug != org {
				t.Fatalf("accept with the link: %+v %v", m, err)
			}
			if _, err := svc.AcceptInvitationLink(ctx, ea, oldLink); persona.ErrorCode(err) != persona.CodeNotFound {
				t.Fatalf("accept twice: %v", err)
			}

			// Revoked and expired invitations take their links along; so
			// does an answer from the home page.
			revoked, _ := svc.InviteMember(ctx, owner, org, "rev@example.net", persona.RoleViewer)
			revokedLink := linkToken(t, lastMailed(t, svc, "rev@example.net", persona.MessageInvitation), "/invite")
			if err := svc.RevokeInvitation(ctx, owner, org, revoked.ID); err != nil {
				t.Fatal(err)
			}
			badLink("a revoked invitation's link", revokedLink)
			home, _ := svc.InviteMember(ctx, owner, org, stranger.Email, persona.RoleViewer)
			homeLink := linkToken(t, lastMailed(t, svc, stranger.Email, persona.MessageInvitation), "/invite")
			if _, err := svc.DeclineInvitation(ctx, strangerActor, home.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.AcceptInvitationLink(ctx, strangerActor, homeLink); persona.ErrorCode(err) != persona.CodeNotFound {
				t.Fatalf("accepting with the link of a declined invitation: %v", err)
			}
			if _, err := svc.InviteMember(ctx, owner, org, "late@example.net", persona.RoleViewer); err != nil {
				t.Fatal(err)
			}
			lateLink := linkToken(t, lastMailed(t, svc, "late@example.net", persona.MessageInvitation), "/invite")
			clk.Advance(persona.InvitationLifetime + time.Second)
			badLink("an expired link", lateLink)

			// Inviting a member is still a conflict, and sends nothing.
			n := len(mailed(t, svc, existing.Email, persona.MessageInvitation))
			if _, err := svc.InviteMember(ctx, owner, org, existing.Email, persona.RoleViewer); persona.ErrorCode(err) != persona.CodeConflict {
				t.Fatalf("inviting a member: %v", err)
			}
			if len(mailed(t, svc, existing.Email, persona.MessageInvitation)) != n {
				t.Fatal("inviting a member sent an e-mail")
			}
		})
	}
}

// A sign-up never verified does not count as an account: the invitation's
// link sets it up afresh (name, password), verified, and its pending
// verification link stops working.
func TestInvitationLinkTakesOverAnUnverifiedSignup(t *testing.T) {
	ctx := t.Context()
	svc, owner, org, _, _ := mailService(t, storetest.OpenSQLite(t), app.WithSignupPolicy(persona.SignupPolicy{Mode: persona.SignupOpen}))
	if err := svc.SignUp(ctx, app.SignupInput{Email: "una@example.net", Name: "Una Unverified", Password: "first password here"}); err != nil {
		t.Fatal(err)
	}
	verify := linkToken(t, lastMailed(t, svc, "una@example.net", persona.MessageVerifyEmail), "/signup/verify")
	if _, err := svc.InviteMember(ctx, owner, org, "una@example.net", persona.RoleViewer); err != nil {
		t.Fatal(err)
	}
	secret := linkToken(t, lastMailed(t, svc, "una@example.net", persona.MessageInvitation), "/invite")
	if il, err := svc.OpenInvitationLink(ctx, secret); err != nil || il.HasAccount {
		t.Fatalf("link page for an unverified sign-up: %+v %v", il, err)
	}
	j, err := svc.JoinByInvitation(ctx, app.Actor{}, secret, "Una Invited", "second password here")
	if err != nil {
		t.Fatal(err)
	}
	u, _ := svc.UserByEmail(ctx, "una@example.net")
	if u.ID != j.User.ID || u.Name != "Una Invited" || u.EmailVerifiedAt == nil {
		t.Fatalf("the account after joining: %+v", u)
	}
	if _, _, err := svc.SignIn(ctx, "una@example.net", "second password here", "192.0.2.5"); err != nil {
		t.Fatalf("sign-in: %v", err)
	}
	if _, err := svc.VerifyEmail(ctx, verify); persona.ErrorCode(err) != persona.CodeNotFound {
		t.Fatalf("the sign-up's link after joining: %v", err)
	}
}

// Forgot password: the same answer, the same work (no password hash, one
// transaction; for an unknown address it is rolled back, so nothing at all
// is stored or sent) whether or not the address has an account; the link
// works once, for an hour, only the newest; resetting signs out every
// session, revokes the tokens unless asked not to, logs it and signs in
// afresh; requests are throttled per address and client.
func TestForgotPasswordByEmail(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := from(t.Context(), "192.0.2.20")
			db := eng.Open(t)
			svc, _, _, clk, h := mailService(t, db)
			u, err := svc.CreateUser(ctx, "rita@example.net", "Rita Reset", "old password here")
			if err != nil {
				t.Fatal(err)
			}
			h.reset()

			before := fingerprint(t, db.SQL(), eng.Name)
			if err := svc.RequestPasswordReset(ctx, "Nobody@Example.net"); err != nil {
				t.Fatalf("unknown address: %v", err)
			}
			if after := fingerprint(t, db.SQL(), eng.Name); after != before {
				t.Fatal("a reset request for an address without an account stored something")
			}
			if err := svc.RequestPasswordReset(ctx, "Rita@Example.net"); err != nil {
				t.Fatalf("known address: %v", err)
			}
			if hashes, verifies := h.counts(); hashes != 0 || verifies != 0 {
				t.Errorf("reset requests hashed %d and verified %d passwords, want none on either path", hashes, verifies)
			}
			if err := svc.RequestPasswordReset(ctx, "not an address"); fieldOf(err) != "email" {
				t.Errorf("not an address: %v", err)
			}
			first := linkToken(t, lastMailed(t, svc, u.Email, persona.MessagePasswordReset), "/reset")
			if err := svc.RequestPasswordReset(ctx, u.Email); err != nil {
				t.Fatal(err)
			}
			m := lastMailed(t, svc, u.Email, persona.MessagePasswordReset)
			secret := linkToken(t, m, "/reset")
			if !strings.Contains(m.Text, "works once, for 1 hour") {
				t.Errorf("reset message:\n%s", m.Text)
			}
			if _, err := svc.OpenResetLink(ctx, first); persona.ErrorCode(err) != persona.CodeNotFound {
				t.Fatalf("an earlier link after a new request: %v", err)
			}

			// Two browsers and a token before the reset.
			a1, s1 := signedIn(t, svc, u.Email, "old password here")
			_, s2 := signedIn(t, svc, u.Email, "old password here")
			tok, _, err := svc.CreateToken(ctx, a1, "script")
			if err != nil {
				t.Fatal(err)
			}
			other, _ := svc.CreateUser(ctx, "otto@example.net", "Otto Other", "other password here")
			before = fingerprint(t, db.SQL(), eng.Name)
			if _, err := svc.ResetPassword(ctx, app.Actor{UserID: other.ID, Email: other.Email}, secret, "brand new password", true); persona.ErrorCode(err) != persona.CodeForbidden {
				t.Errorf("another account's browser: %v", err)
			}
			if _, err := svc.ResetPassword(ctx, app.Actor{}, secret, "short", true); fieldOf(err) != "new_password" {
				t.Errorf("a weak password: %v", err)
			}
			if _, err := svc.ResetPassword(ctx, app.Actor{}, flip(secret), "brand new password", true); persona.ErrorCode(err) != persona.CodeNotFound {
				t.Errorf("a tampered link: %v", err)
			}
			if after := fingerprint(t, db.SQL(), eng.Name); after != before {
				t.Fatal("a refused reset changed the database")
			}
			res, err := svc.ResetPassword(ctx, app.Actor{}, secret, "brand new password", true)
			if err != nil || res.Revoked != 1 {
				t.Fatalf("reset: %+v %v", res, err)
			}
			for _, s := range []string{s1, s2} {
				if _, err := svc.SessionActor(ctx, s); persona.ErrorCode(err) != persona.CodeUnauthenticated {
					t.Errorf("an old session survived the reset: %v", err)
				}
			}
			if _, err := svc.Authenticate(ctx, tok); persona.ErrorCode(err) != persona.CodeUnauthenticated {
				t.Errorf("the API token survived the reset: %v", err)
			}
			fresh, err := svc.SessionActor(ctx, res.Session)
			if err != nil || fresh.UserID != u.ID {
				t.Fatalf("the new session: %+v %v", fresh, err)
			}
			if _, _, err := svc.SignIn(ctx, u.Email, "old password here", "192.0.2.21"); persona.ErrorCode(err) != persona.CodeUnauthenticated {
				t.Errorf("the old password: %v", err)
			}
			kinds := securityKinds(t, svc, fresh)
			if len(kinds) < 4 || !slices.Equal(kinds[:4], []string{"sign_in_failed", "sign_in", "password_reset", "token_created"}) ||
				!slices.Contains(kinds, persona.SecurityPasswordResetRequested) {
				t.Errorf("security log after the reset: %v", kinds)
			}
			if _, err := svc.ResetPassword(ctx, app.Actor{}, secret, "another new password", true); persona.ErrorCode(err) != persona.CodeNotFound {
				t.Errorf("the link a second time: %v", err)
			}

			// Without revoking tokens; and a link an hour old is dead.
			tok2, _, _ := svc.CreateToken(ctx, fresh, "kept")
			_ = svc.RequestPasswordReset(ctx, u.Email)
			keep := linkToken(t, lastMailed(t, svc, u.Email, persona.MessagePasswordReset), "/reset")
			if res, err := svc.ResetPassword(ctx, fresh, keep, "third password here", false); err != nil || res.Revoked != 0 {
				t.Fatalf("reset keeping tokens: %+v %v", res, err)
			}
			if _, err := svc.Authenticate(ctx, tok2); err != nil {
				t.Errorf("a token was revoked without asking: %v", err)
			}
			_ = svc.RequestPasswordReset(ctx, u.Email)
			late := linkToken(t, lastMailed(t, svc, u.Email, persona.MessagePasswordReset), "/reset")
			clk.Advance(time.Hour)
			if _, err := svc.ResetPassword(ctx, app.Actor{}, late, "fourth password here", true); persona.ErrorCode(err) != persona.CodeNotFound {
				t.Errorf("a link an hour old: %v", err)
			}

			// Throttled per address and client: the sixth request in a
			// window is refused, for a known and an unknown address alike.
			clk.Advance(time.Hour)
			for _, addr := range []string{u.Email, "ghost@example.net"} {
				client := from(t.Context(), "198.51.100.7")
				for i := range 5 {
					if err := svc.RequestPasswordReset(client, addr); err != nil {
						t.Fatalf("request %d for %s: %v", i, addr, err)
					}
				}
				tooMany(t, svc.RequestPasswordReset(client, addr), "a sixth reset request for "+addr)
			}
		})
	}
}

// An account made by single sign-on has no password: a reset link sets
// its first one. A sign-up never verified is verified by a reset.
func TestResetLinkSetsAFirstPasswordAndVerifies(t *testing.T) {
	ctx := t.Context()
	svc, _, _, _, _ := mailService(t, storetest.OpenSQLite(t), app.WithSSO("https://idp.example.com/", "Example IdP"),
		app.WithSignupPolicy(persona.SignupPolicy{Mode: persona.SignupOpen}))
	res, err := svc.SignInWithSSO(ctx, app.SSOClaims{Issuer: "https://idp.example.com/", Subject: "s-1", Email: "sso@example.net", EmailVerified: true, Name: "Sue SSO"})
	if err != nil || !res.Created {
		t.Fatalf("SSO sign-up: %+v %v", res, err)
	}
	if err := svc.RequestPasswordReset(ctx, "sso@example.net"); err != nil {
		t.Fatal(err)
	}
	secret := linkToken(t, lastMailed(t, svc, "sso@example.net", persona.MessagePasswordReset), "/reset")
	if _, err := svc.ResetPassword(ctx, app.Actor{}, secret, "a first password here", true); err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.SignIn(ctx, "sso@example.net", "a first password here", "192.0.2.30"); err != nil {
		t.Fatalf("sign-in with the first password: %v", err)
	}

	if err := svc.SignUp(ctx, app.SignupInput{Email: "ulla@example.net", Name: "Ulla", Password: "signup password here"}); err != nil {
		t.Fatal(err)
	}
	if err := svc.RequestPasswordReset(ctx, "ulla@example.net"); err != nil {
		t.Fatal(err)
	}
	secret = linkToken(t, lastMailed(t, svc, "ulla@example.net", persona.MessagePasswordReset), "/reset")
	r, err := svc.ResetPassword(ctx, app.Actor{}, secret, "reset password here", true)
	if err != nil || r.User.EmailVerifiedAt == nil {
		t.Fatalf("reset of an unverified sign-up: %+v %v", r, err)
	}
	if _, _, err := svc.SignIn(ctx, "ulla@example.net", "reset password here", "192.0.2.31"); err != nil {
		t.Fatalf("sign-in after the reset: %v", err)
	}
}

// Changing one's address: the current password (or a single sign-on
// session) asks for it; a link goes to the new address, a notice to the
// old; nothing changes until the link is used; a newer request or Cancel
// ends the link; the new address is checked to be free when confirming;
// every step is in the security log.
func TestEmailChangeByLink(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := from(t.Context(), "192.0.2.40")
			db := eng.Open(t)
			svc, _, _, clk, _ := mailService(t, db)
			u, _ := svc.CreateUser(ctx, "cleo@example.net", "Cleo Change", "cleo password here")
			a, _ := signedIn(t, svc, u.Email, "cleo password here")

			for what, c := range map[string]struct{ email, password, field string }{
				"wrong password": {"cleo@new.example", "not my password", "current_password"},
				"same address":   {"Cleo@Example.net", "cleo password here", "email"},
				"not an address": {"cleo", "cleo password here", "email"},
			} {
				if _, err := svc.RequestEmailChange(ctx, a, c.email, c.password); fieldOf(err) != c.field {
					t.Errorf("%s: %v, want a field error of %s", what, err, c.field)
				}
			}
			if len(mailed(t, svc, "", persona.MessageEmailChange)) != 0 {
				t.Fatal("a refused request sent a link")
			}
			if _, err := svc.RequestEmailChange(ctx, a, "first@new.example", "cleo password here"); err != nil {
				t.Fatal(err)
			}
			firstLink := linkToken(t, lastMailed(t, svc, "first@new.example", persona.MessageEmailChange), "/account/email/confirm")
			pc, err := svc.RequestEmailChange(ctx, a, "cleo@new.example", "cleo password here")
			if err != nil || pc.NewEmail != "cleo@new.example" || !pc.ExpiresAt.Equal(clk.Now().Add(24*time.Hour)) {
				t.Fatalf("request: %+v %v", pc, err)
			}
			secret := linkToken(t, lastMailed(t, svc, "cleo@new.example", persona.MessageEmailChange), "/account/email/confirm")
			notice := lastMailed(t, svc, u.Email, persona.MessageEmailChangeNotice)
			if !strings.Contains(notice.Text, "to cleo@new.example") || len(notice.Links) != 1 || !strings.HasSuffix(notice.Links[0], "/account") {
				t.Errorf("notice to the old address:\n%s\n%v", notice.Text, notice.Links)
			}
			if p, _ := svc.PendingEmailChange(ctx, a); p == nil || p.NewEmail != "cleo@new.example" {
				t.Fatalf("pending: %+v", p)
			}
			if me, _ := svc.Me(ctx, a); me.Email != u.Email {
				t.Fatal("the address changed before its confirmation")
			}
			if _, err := svc.ConfirmEmailChange(ctx, app.Actor{}, firstLink); persona.ErrorCode(err) != persona.CodeNotFound {
				t.Fatalf("the replaced link: %v", err)
			}

			// Cancel ends it; a new request starts again.
			if c, err := svc.CancelEmailChange(ctx, a); err != nil || c.NewEmail != "cleo@new.example" {
				t.Fatalf("cancel: %+v %v", c, err)
			}
			if _, err := svc.CancelEmailChange(ctx, a); persona.ErrorCode(err) != persona.CodeNotFound {
				t.Fatalf("cancel twice: %v", err)
			}
			if p, _ := svc.PendingEmailChange(ctx, a); p != nil {
				t.Fatalf("pending after cancel: %+v", p)
			}
			if _, err := svc.ConfirmEmailChange(ctx, app.Actor{}, secret); persona.ErrorCode(err) != persona.CodeNotFound {
				t.Fatalf("a cancelled change's link: %v", err)
			}

			// Taken meanwhile: refused at confirmation, nothing changes.
			if _, err := svc.RequestEmailChange(ctx, a, "taken@new.example", "cleo password here"); err != nil {
				t.Fatal(err)
			}
			taken := linkToken(t, lastMailed(t, svc, "taken@new.example", persona.MessageEmailChange), "/account/email/confirm")
			if _, err := svc.CreateUser(ctx, "taken@new.example", "Quick", "quick password here"); err != nil {
				t.Fatal(err)
			}
			before := fingerprint(t, db.SQL(), eng.Name)
			if _, err := svc.ConfirmEmailChange(ctx, app.Actor{}, taken); persona.ErrorCode(err) != persona.CodeConflict {
				t.Fatalf("confirming a taken address: %v", err)
			}
			if after := fingerprint(t, db.SQL(), eng.Name); after != before {
				t.Fatal("a refused confirmation changed the database")
			}

			// Confirmed: the account moves, verified; the old address no
			// longer signs in. Someone else's browser cannot confirm it.
			if _, err := svc.RequestEmailChange(ctx, a, "cleo@new.example", "cleo password here"); err != nil {
				t.Fatal(err)
			}
			secret = linkToken(t, lastMailed(t, svc, "cleo@new.example", persona.MessageEmailChange), "/account/email/confirm")
			other, _ := svc.CreateUser(ctx, "olaf@example.net", "Olaf", "olaf password here")
			if _, err := svc.ConfirmEmailChange(ctx, app.Actor{UserID: other.ID, Email: other.Email}, secret); persona.ErrorCode(err) != persona.CodeForbidden {
				t.Fatalf("another account confirms: %v", err)
			}
			got, err := svc.ConfirmEmailChange(ctx, app.Actor{}, secret)
			if err != nil || got.Email != "cleo@new.example" || got.EmailVerifiedAt == nil {
				t.Fatalf("confirm: %+v %v", got, err)
			}
			if _, err := svc.ConfirmEmailChange(ctx, a, secret); persona.ErrorCode(err) != persona.CodeNotFound {
				t.Fatalf("the link twice: %v", err)
			}
			if _, _, err := svc.SignIn(ctx, "cleo@new.example", "cleo password here", "192.0.2.41"); err != nil {
				t.Fatalf("sign-in with the new address: %v", err)
			}
			if _, _, err := svc.SignIn(ctx, u.Email, "cleo password here", "192.0.2.41"); persona.ErrorCode(err) != persona.CodeUnauthenticated {
				t.Fatalf("sign-in with the old address: %v", err)
			}
			kinds := securityKinds(t, svc, a)
			for _, k := range []string{persona.SecurityEmailChanged, persona.SecurityEmailChangeCancelled, persona.SecurityEmailChangeRequested} {
				if !slices.Contains(kinds, k) {
					t.Errorf("security log %v lacks %s", kinds, k)
				}
			}
			if kinds[1] != persona.SecurityEmailChanged {
				t.Errorf("security log %v", kinds)
			}
		})
	}
}

// In a single sign-on session the provider vouched for the person: the
// change needs no password.
func TestEmailChangeInASingleSignOnSession(t *testing.T) {
	ctx := t.Context()
	svc, _, _, _, _ := mailService(t, storetest.OpenSQLite(t), app.WithSSO("https://idp.example.com/", "Example IdP"),
		app.WithSignupPolicy(persona.SignupPolicy{Mode: persona.SignupOpen}))
	res, err := svc.SignInWithSSO(ctx, app.SSOClaims{Issuer: "https://idp.example.com/", Subject: "s-2", Email: "sid@example.net", EmailVerified: true, Name: "Sid"})
	if err != nil {
		t.Fatal(err)
	}
	a, err := svc.SessionActor(ctx, res.Secret)
	if err != nil || !a.SSO {
		t.Fatalf("SSO session: %+v %v", a, err)
	}
	if _, err := svc.RequestEmailChange(ctx, a, "sid@new.example", ""); err != nil {
		t.Fatalf("SSO session without a password: %v", err)
	}
	if len(mailed(t, svc, "sid@new.example", persona.MessageEmailChange)) != 1 {
		t.Fatal("no link sent")
	}
}
