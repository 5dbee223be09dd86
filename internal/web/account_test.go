package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/persona"
)

var securityRow = regexp.MustCompile(`<tr id="security-event-\d+" data-kind="([a-z_]+)"`)

// securityKinds are the kinds of the security log's rows on a page, top
// to bottom.
func securityKinds(body string) []string {
	var out []string
	for _, m := range securityRow.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// The account page shows the caller's own security log, newest first, in
// plain words with one date format and where each event came from, a page
// at a time; nobody else's events ever appear on it.
func TestAccountPageShowsYourOwnSecurityLog(t *testing.T) {
	e := newWebEnv(t)
	ctx := context.Background()
	// A failed sign-in, then a real one, then tokens made and revoked.
	e.browser().post("/login", url.Values{"email": {e.owner.Email}, "password": {"not the password at all"}})
	b := e.signedIn(e.owner)
	b.post("/account/tokens", url.Values{"name": {"Nightly <sync>"}}).must(t, http.StatusCreated)
	tokens, _ := e.svc.ListTokens(ctx, e.actor(e.owner))
	for _, tok := range tokens {
		if tok.Name == "Nightly <sync>" {
			b.post("/account/tokens/"+tok.ID+"/revoke", nil).must(t, http.StatusOK)
		}
	}
	// The outsider does things of their own meanwhile.
	out := e.signedIn(e.outsider)
	out.post("/account/tokens", url.Values{"name": {"Outsider's robot"}}).must(t, http.StatusCreated)

	p := b.get("/account").must(t, http.StatusOK)
	kinds := securityKinds(p.Body)
	want := []string{persona.SecurityTokenRevoked, persona.SecurityTokenCreated, persona.SecuritySignIn, persona.SecuritySignInFailed}
	if len(kinds) < len(want) || strings.Join(kinds[:len(want)], " ") != strings.Join(want, " ") {
		t.Fatalf("the log shows %v, want it to start with %v", kinds, want)
	}
	for _, s := range []string{"API token “Nightly &lt;sync&gt;” revoked", "Failed sign-in: wrong password", "Signed in", "127.0.0.1", "Go-http-client"} {
		if !strings.Contains(p.Body, s) {
			t.Errorf("the account page lacks %q", s)
		}
	}
	if strings.Contains(p.Body, "Nightly <sync>") {
		t.Error("a token name is not escaped")
	}
	if strings.Contains(p.Body, "Outsider's robot") || strings.Contains(p.Body, "Outsider&#39;s robot") {
		t.Error("the owner's log shows the outsider's events")
	}
	// One date format: "2 Jan 2006, 15:04 UTC".
	if !regexp.MustCompile(`<time datetime="[^"]+">\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} UTC</time>`).MatchString(p.Body) {
		t.Error("the events' times are not in the page's date format")
	}
	op := out.get("/account").must(t, http.StatusOK)
	if strings.Contains(op.Body, "Nightly") || strings.Contains(op.Body, "wrong password") {
		t.Error("the outsider's account page shows the owner's events")
	}
	if !strings.Contains(op.Body, "Outsider&#39;s robot") {
		t.Error("the outsider's page lacks their own event")
	}

	// Paged: 20 at a time, then older ones below the last.
	for i := range 25 {
		if _, _, err := e.svc.CreateToken(ctx, e.actor(e.owner), fmt.Sprintf("bulk %02d", i)); err != nil {
			t.Fatal(err)
		}
	}
	p = b.get("/account").must(t, http.StatusOK)
	if n := len(securityKinds(p.Body)); n != 20 || !strings.Contains(p.Body, "API token “bulk 24” created") || strings.Contains(p.Body, "“bulk 04”") {
		t.Fatalf("first page: %d rows", n)
	}
	older := regexp.MustCompile(`href="(/account\?before=\d+)" id="security-older"`).FindStringSubmatch(p.Body)
	if older == nil {
		t.Fatal("no link to older events")
	}
	p = b.get(older[1]).must(t, http.StatusOK)
	if !strings.Contains(p.Body, "“bulk 04”") || strings.Contains(p.Body, "“bulk 24”") || !strings.Contains(p.Body, `id="security-newest"`) {
		t.Errorf("second page: %v", securityKinds(p.Body))
	}
	b.get("/account?before=soon").must(t, http.StatusUnprocessableEntity)
}

// Changing the password on the account page: refusals name the field and
// keep the choice of the revoke box; a change signs every browser out,
// and with the box ticked revokes the API tokens too.
func TestAccountPageChangesThePassword(t *testing.T) {
	e := newWebEnv(t)
	ctx := context.Background()
	b := e.signedIn(e.viewer)
	other := e.signedIn(e.viewer)
	token := e.apiToken(e.viewer)
	form := func(current, next, again string, revoke bool) url.Values {
		v := url.Values{"current_password": {current}, "new_password": {next}, "confirm_password": {again}}
		if revoke {
			v.Set("revoke_tokens", "on")
		}
		return v
	}
	for _, c := range []struct {
		form  url.Values
		field string
		msg   string
	}{
		{form("wrong one entirely", "a fine new password", "a fine new password", true), "current-password-error", "Your current password is not your current password."},
		{form(e.viewer.Password, "          ", "          ", true), "new-password-error", "The new password must not be only spaces."},
		{form(e.viewer.Password, "zzzzzzzzzzzz", "zzzzzzzzzzzz", true), "new-password-error", "at least 5 different characters"},
		{form(e.viewer.Password, "a fine new password", "a fine new passwort", true), "confirm-password-error", "The two new passwords differ"},
	} {
		p := b.post("/account/password", c.form).must(t, http.StatusUnprocessableEntity)
		if !strings.Contains(p.Body, `id="`+c.field+`"`) || !strings.Contains(p.Body, c.msg) {
			t.Errorf("%v: the page does not say %q at %s", c.form, c.msg, c.field)
		}
		if !strings.Contains(p.Body, `id="password-revoke-tokens" checked`) {
			t.Errorf("%v: the revoke box lost its tick", c.form)
		}
		if strings.Contains(p.Body, c.form.Get("new_password")) && strings.TrimSpace(c.form.Get("new_password")) != "" {
			t.Errorf("%v: the page echoes a password", c.form)
		}
	}
	if _, err := e.svc.CheckPassword(ctx, e.viewer.Email, e.viewer.Password); err != nil {
		t.Fatalf("a refused change changed the password: %v", err)
	}

	// Without the box: browsers signed out, token kept.
	p := b.post("/account/password", form(e.viewer.Password, "a fine new password", "a fine new password", false)).must(t, http.StatusOK)
	if !strings.HasPrefix(p.URL, "/login") || !strings.Contains(p.Body, "Your password was changed") {
		t.Fatalf("after the change: at %s\n%s", p.URL, p.Body)
	}
	if p := other.get("/account"); !strings.HasPrefix(p.URL, "/login") {
		t.Error("another browser is still signed in after the change")
	}
	if _, err := e.svc.Authenticate(ctx, token); err != nil {
		t.Fatalf("the token was revoked without the box: %v", err)
	}
	// With the box: the token goes too.
	e.viewer.Password = "a fine new password"
	b = e.signedIn(e.viewer)
	p = b.post("/account/password", form(e.viewer.Password, "another fine password", "another fine password", true)).must(t, http.StatusOK)
	if !strings.Contains(p.Body, "your API token was revoked") {
		t.Errorf("the message does not say the token was revoked:\n%s", p.Body)
	}
	if _, err := e.svc.Authenticate(ctx, token); persona.ErrorCode(err) != persona.CodeUnauthenticated {
		t.Fatalf("the token survived a change with the box ticked: %v", err)
	}
	e.viewer.Password = "another fine password"
	e.signedIn(e.viewer)
}
