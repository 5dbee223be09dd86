package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestSignInShowsTheOrganisationHome(t *testing.T) {
	e := newWebEnv(t)
	b := e.browser()
	p := b.get("/")
	if !strings.HasPrefix(p.URL, "/login") {
		t.Fatalf("anonymous visitor not sent to sign-in: %s", p.URL)
	}
	p = b.post("/login", url.Values{"email": {e.owner.Email}, "password": {"wrong password!"}})
	if p.Status != http.StatusUnauthorized || !strings.Contains(p.Body, "wrong email or password") {
		t.Fatalf("wrong password: %d at %s\n%s", p.Status, p.URL, p.Body[strings.Index(p.Body, "<main"):])
	}
	b = e.signedIn(e.owner)
	p = b.get("/").must(t, http.StatusOK)
	if p.URL != "/o/"+e.org || !strings.Contains(p.Body, "System Lead") {
		t.Fatalf("home at %s lacks the demo personas", p.URL)
	}
}
