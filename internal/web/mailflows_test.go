package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/persona"
)

var invitationIDIn = regexp.MustCompile(`id="resend-invitation-([0-9a-f-]{36})"`)

// An invitation's e-mail link, through the whole server: opening it
// changes nothing; someone new sets a name and password and lands in the
// organisation, signed in; an existing account signs in and accepts;
// another signed-in account gets a clear page and changes nothing; used,
// tampered and replaced (Resend) links get one clear page; inviting a
// member is a 409 on the members page.
func TestInvitationLinkPages(t *testing.T) {
	e := newWebEnv(t)
	ctx := context.Background()
	admin := e.signedIn(e.owner)
	members := "/o/" + e.org + "/members"

	p := admin.post("/o/"+e.org+"/invitations", url.Values{"email": {"nico@example.net"}, "role": {"editor"}}).must(t, http.StatusOK)
	if !strings.Contains(p.Body, "Invitation sent to nico@example.net.") || !strings.Contains(p.Body, "They get an e-mail with a link") {
		t.Fatalf("after inviting:\n%s", p.Body)
	}
	first := e.lastLink(t, persona.MessageInvitation, "nico@example.net")
	if !strings.HasPrefix(first, "/invite?token=") {
		t.Fatalf("invitation link %q", first)
	}

	// Resend: a new link, the old one is dead.
	m := invitationIDIn.FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("no Resend button:\n%s", p.Body)
	}
	p = admin.post(members[:len(members)-len("/members")]+"/invitations/"+m[1]+"/resend", nil).must(t, http.StatusOK)
	if p.URL != members || !strings.Contains(p.Body, "The invitation to nico@example.net was sent again with a new link") {
		t.Fatalf("after Resend: %s\n%s", p.URL, p.Body)
	}
	link := e.lastLink(t, persona.MessageInvitation, "nico@example.net")
	anon := e.browser()
	for what, l := range map[string]string{"replaced": first, "tampered": link[:len(link)-2] + "xx", "empty": "/invite"} {
		p := anon.get(l).must(t, http.StatusNotFound)
		if !strings.Contains(p.Body, `id="invite-bad-link"`) || !strings.Contains(p.Body, "This invitation link does not work") {
			t.Errorf("%s link:\n%s", what, p.Body)
		}
	}

	// The page: who, what, and a form (opening it twice changes nothing).
	anon.get(link).must(t, http.StatusOK)
	p = anon.get(link).must(t, http.StatusOK)
	for _, want := range []string{`id="invite-join-form"`, "Dana Demo invited", "nico@example.net", `id="invite-role">editor`} {
		if !strings.Contains(p.Body, want) {
			t.Fatalf("the link's page lacks %q:\n%s", want, p.Body)
		}
	}
	token := tokenOf(t, link)
	p = anon.post("/invite/join", url.Values{"token": {token}, "name": {"Nico New"}, "password": {"short"}, "confirm_password": {"short"}}).
		must(t, http.StatusUnprocessableEntity)
	if !strings.Contains(p.Body, `id="join-password-error"`) || !strings.Contains(p.Body, `value="Nico New"`) {
		t.Fatalf("weak password:\n%s", p.Body)
	}
	p = anon.post("/invite/join", url.Values{"token": {token}, "name": {"Nico New"}, "password": {"correct horse battery staple"},
		"confirm_password": {"correct horse battery"}}).must(t, http.StatusUnprocessableEntity)
	if !strings.Contains(p.Body, `id="join-confirm-error"`) {
		t.Fatalf("passwords that differ:\n%s", p.Body)
	}
	if _, err := e.svc.UserByEmail(ctx, "nico@example.net"); persona.ErrorCode(err) != persona.CodeNotFound {
		t.Fatal("a refused form made an account")
	}
	p = anon.post("/invite/join", url.Values{"token": {token}, "name": {"Nico New"}, "password": {"correct horse battery staple"},
		"confirm_password": {"correct horse battery staple"}}).must(t, http.StatusOK)
	if !strings.HasPrefix(p.URL, "/o/"+e.org) || !strings.Contains(p.Body, "your account is ready and you joined as editor") {
		t.Fatalf("after joining: %s\n%s", p.URL, p.Body)
	}
	anon.get("/account").must(t, http.StatusOK)
	if p := e.browser().get(link).must(t, http.StatusNotFound); !strings.Contains(p.Body, "This invitation link does not work") {
		t.Fatalf("the used link:\n%s", p.Body)
	}
	e.signedIn(account{"nico@example.net", "correct horse battery staple"})

	// An existing account: sign in first, then accept; another account
	// signed in gets a clear page and changes nothing.
	admin.post("/o/"+e.org+"/invitations", url.Values{"email": {e.outsider.Email}, "role": {"viewer"}}).must(t, http.StatusOK)
	link = e.lastLink(t, persona.MessageInvitation, e.outsider.Email)
	p = e.browser().get(link).must(t, http.StatusOK)
	if !strings.Contains(p.Body, `id="invite-sign-in"`) || strings.Contains(p.Body, `id="invite-join-form"`) {
		t.Fatalf("the link's page for an existing account:\n%s", p.Body)
	}
	viewer := e.signedIn(e.viewer)
	p = viewer.get(link).must(t, http.StatusForbidden)
	if !strings.Contains(p.Body, `id="invite-other"`) || !strings.Contains(p.Body, "but you are signed in as <strong>"+e.viewer.Email) {
		t.Fatalf("another account's view:\n%s", p.Body)
	}
	p = viewer.post("/invite/accept", url.Values{"token": {tokenOf(t, link)}}).must(t, http.StatusForbidden)
	if !strings.Contains(p.Body, `id="invite-refusal"`) {
		t.Fatalf("another account accepting:\n%s", p.Body)
	}
	out := e.signedIn(e.outsider)
	p = out.get(link).must(t, http.StatusOK)
	if !strings.Contains(p.Body, `id="invite-accept"`) || !strings.Contains(p.Body, `id="invite-decline"`) {
		t.Fatalf("the invitee's view:\n%s", p.Body)
	}
	p = out.post("/invite/accept", url.Values{"token": {tokenOf(t, link)}}).must(t, http.StatusOK)
	if !strings.HasPrefix(p.URL, "/o/"+e.org) || !strings.Contains(p.Body, "you joined as viewer") {
		t.Fatalf("after accepting: %s\n%s", p.URL, p.Body)
	}
	out.post("/invite/accept", url.Values{"token": {tokenOf(t, link)}}).must(t, http.StatusNotFound)

	// A member: 409 on the members page, nothing sent.
	n := len(e.mailed(persona.MessageInvitation, e.viewer.Email))
	p = admin.post("/o/"+e.org+"/invitations", url.Values{"email": {e.viewer.Email}, "role": {"editor"}}).must(t, http.StatusConflict)
	if !strings.Contains(p.Body, "is already a member") || !strings.Contains(p.Body, `id="invite-email-error"`) {
		t.Fatalf("inviting a member:\n%s", p.Body)
	}
	if len(e.mailed(persona.MessageInvitation, e.viewer.Email)) != n {
		t.Fatal("inviting a member sent an e-mail")
	}
}

// Forgot password through the server: the sign-in page links it; the
// answer is the same page for an address with and without an account; the
// link's page sets a new password, signs in, and the browser signed in
// before is signed out; another account's browser gets a clear page.
func TestForgotPasswordPages(t *testing.T) {
	e := newWebEnv(t)
	if p := e.browser().get("/login").must(t, http.StatusOK); !strings.Contains(p.Body, `id="forgot-link"`) {
		t.Fatal("no Forgot password? link on the sign-in page")
	}
	e.browser().get("/forgot").must(t, http.StatusOK)
	known := e.browser().post("/forgot", url.Values{"email": {e.owner.Email}}).must(t, http.StatusOK)
	unknown := e.browser().post("/forgot", url.Values{"email": {"nobody@example.net"}}).must(t, http.StatusOK)
	if strings.ReplaceAll(known.Body, e.owner.Email, "X") != strings.ReplaceAll(unknown.Body, "nobody@example.net", "X") ||
		!strings.Contains(known.Body, `id="forgot-sent"`) {
		t.Fatalf("the answers differ:\n%s\n---\n%s", known.Body, unknown.Body)
	}
	if len(e.mailed(persona.MessagePasswordReset, "nobody@example.net")) != 0 {
		t.Fatal("a reset link went to an address without an account")
	}
	e.browser().post("/forgot", url.Values{"email": {"nope"}}).must(t, http.StatusUnprocessableEntity)

	before := e.signedIn(e.owner)
	link := e.lastLink(t, persona.MessagePasswordReset, e.owner.Email)
	if p := e.signedIn(e.viewer).get(link).must(t, http.StatusForbidden); !strings.Contains(p.Body, `id="reset-other"`) {
		t.Fatalf("another account's browser:\n%s", p.Body)
	}
	b := e.browser()
	p := b.get(link).must(t, http.StatusOK)
	if !strings.Contains(p.Body, `id="reset-form"`) || !strings.Contains(p.Body, `id="reset-revoke-tokens" checked`) {
		t.Fatalf("the reset page:\n%s", p.Body)
	}
	token := tokenOf(t, link)
	p = b.post("/reset", url.Values{"token": {token}, "new_password": {"brand new password"}, "confirm_password": {"brand new passwort"}}).
		must(t, http.StatusUnprocessableEntity)
	if !strings.Contains(p.Body, `id="reset-confirm-error"`) {
		t.Fatalf("passwords that differ:\n%s", p.Body)
	}
	p = b.post("/reset", url.Values{"token": {token}, "new_password": {"brand new password"}, "confirm_password": {"brand new password"},
		"revoke_tokens": {"on"}}).must(t, http.StatusOK)
	if !strings.Contains(p.Body, "Your password was reset, every other session was signed out and") {
		t.Fatalf("after the reset: %s\n%s", p.URL, p.Body)
	}
	b.get("/account").must(t, http.StatusOK)
	if p := before.get("/account"); !strings.HasPrefix(p.URL, "/login") {
		t.Fatalf("the session from before the reset still works: %s", p.URL)
	}
	if p := e.browser().get(link).must(t, http.StatusNotFound); !strings.Contains(p.Body, `id="reset-bad-link"`) {
		t.Fatalf("the used link:\n%s", p.Body)
	}
	e.signedIn(account{e.owner.Email, "brand new password"})
}

// Changing the e-mail address from the account page: the password is
// checked, the change waits for the link to the new address (shown with a
// Cancel button), and the link's page moves the account.
func TestEmailChangePages(t *testing.T) {
	e := newWebEnv(t)
	b := e.signedIn(e.viewer)
	p := b.get("/account").must(t, http.StatusOK)
	if !strings.Contains(p.Body, `id="change-email"`) || strings.Contains(p.Body, `id="pending-email"`) {
		t.Fatalf("the account page:\n%s", p.Body)
	}
	p = b.post("/account/email", url.Values{"email": {"vera@new.example"}, "current_password": {"wrong password"}}).must(t, http.StatusUnprocessableEntity)
	if !strings.Contains(p.Body, `id="email-current-password-error"`) || !strings.Contains(p.Body, `value="vera@new.example"`) {
		t.Fatalf("wrong password:\n%s", p.Body)
	}
	p = b.post("/account/email", url.Values{"email": {"vera@new.example"}, "current_password": {e.viewer.Password}}).must(t, http.StatusOK)
	if !strings.Contains(p.Body, "A link to confirm vera@new.example is on its way there") || !strings.Contains(p.Body, `id="pending-email-address">vera@new.example`) {
		t.Fatalf("after asking:\n%s", p.Body)
	}
	if n := len(e.mailed(persona.MessageEmailChangeNotice, e.viewer.Email)); n != 1 {
		t.Fatalf("%d notices to the old address", n)
	}
	p = b.post("/account/email/cancel", nil).must(t, http.StatusOK)
	if strings.Contains(p.Body, `id="pending-email"`) || !strings.Contains(p.Body, "is cancelled") {
		t.Fatalf("after cancelling:\n%s", p.Body)
	}
	cancelled := e.lastLink(t, persona.MessageEmailChange, "vera@new.example")
	if p := e.browser().get(cancelled).must(t, http.StatusNotFound); !strings.Contains(p.Body, `id="email-confirm-error"`) {
		t.Fatalf("a cancelled change's link:\n%s", p.Body)
	}
	b.post("/account/email", url.Values{"email": {"vera@new.example"}, "current_password": {e.viewer.Password}}).must(t, http.StatusOK)
	link := e.lastLink(t, persona.MessageEmailChange, "vera@new.example")
	if p := e.signedIn(e.owner).get(link).must(t, http.StatusForbidden); !strings.Contains(p.Body, `id="email-confirm-other"`) {
		t.Fatalf("another account's browser:\n%s", p.Body)
	}
	anon := e.browser()
	p = anon.get(link).must(t, http.StatusOK)
	if !strings.Contains(p.Body, `id="email-confirm-submit"`) {
		t.Fatalf("the link's page:\n%s", p.Body)
	}
	if u, _ := e.svc.UserByEmail(context.Background(), e.viewer.Email); u.ID == "" {
		t.Fatal("opening the link changed the address")
	}
	p = anon.post("/account/email/confirm", url.Values{"token": {tokenOf(t, link)}}).must(t, http.StatusOK)
	if !strings.HasPrefix(p.URL, "/login?email=vera%40new.example") || !strings.Contains(p.Body, "Your address is now vera@new.example") {
		t.Fatalf("after confirming: %s\n%s", p.URL, p.Body)
	}
	e.signedIn(account{"vera@new.example", e.viewer.Password})
	anon.post("/account/email/confirm", url.Values{"token": {tokenOf(t, link)}}).must(t, http.StatusNotFound)
}
