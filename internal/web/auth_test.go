package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// noRedirects sends one request without following redirects, with the
// cookies of b (when not nil), and returns the response.
func (e *webEnv) noRedirects(b *browser, req *http.Request) *http.Response {
	e.t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if b != nil {
		c.Jar = b.client.Jar
	}
	res, err := c.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	res.Body.Close()
	return res
}

// The sign-in page sends people on only to a path on this server, both
// when they are already signed in and after signing in through the form:
// /login?next=/%09/evil.example/ once answered Location: /<TAB>/evil.example/,
// which browsers read as //evil.example/.
func TestSignInNextStaysOnThisServer(t *testing.T) {
	e := newWebEnv(t)
	signed := e.signedIn(e.owner)
	for _, next := range []string{"/%09/evil.example/", "/\t/evil.example/", "//evil.example", `/\evil.example`, "/%2F/evil.example",
		"/%5C/evil.example", "https://evil.example/", "javascript:alert(1)", "/\uFF0Fevil.example"} {
		// Already signed in: the sign-in page forwards at once.
		req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/login?next="+url.QueryEscape(next), nil)
		res := e.noRedirects(signed, req)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
			t.Errorf("signed in, next=%q: %d Location %q, want 303 to /", next, res.StatusCode, res.Header.Get("Location"))
		}
		// Signed out: the form carries next, and signing in forwards.
		p := e.browser().get("/login?next="+url.QueryEscape(next)).must(t, http.StatusOK)
		if strings.Contains(p.Body, "evil.example") || strings.Contains(p.Body, "javascript:") {
			t.Errorf("next=%q: the sign-in form carries it on:\n%s", next, p.Body)
		}
		form := url.Values{"email": {e.owner.Email}, "password": {e.owner.Password}, "next": {next}}
		req, _ = http.NewRequest(http.MethodPost, e.srv.URL+"/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", e.srv.URL)
		res = e.noRedirects(nil, req)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
			t.Errorf("sign-in with next=%q: %d Location %q, want 303 to /", next, res.StatusCode, res.Header.Get("Location"))
		}
	}
	// A local destination survives the round trip, query and fragment too.
	local := "/o/" + e.org + "/search?q=big+bank#results"
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/login?next="+url.QueryEscape(local), nil)
	if res := e.noRedirects(signed, req); res.Header.Get("Location") != local {
		t.Errorf("signed in, next=%q: Location %q", local, res.Header.Get("Location"))
	}
	p := e.browser().post("/login", url.Values{"email": {e.owner.Email}, "password": {e.owner.Password}, "next": {"/o/" + e.org + "/members"}})
	if p.Status != http.StatusOK || p.URL != "/o/"+e.org+"/members" {
		t.Errorf("sign-in with a local next: %d at %s", p.Status, p.URL)
	}
}
