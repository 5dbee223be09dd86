package e2e_test

import (
	"fmt"
	"net/url"
	"testing"

	"github.com/chromedp/chromedp"
)

// onThisServer waits until the tab shows a page of the server under test
// (not evil.example, not a browser error page) and its path is one of
// paths.
func onThisServer(paths ...string) action {
	return until("a page of this server at one of "+fmt.Sprint(paths), `(origin, paths) => {
		if (location.origin !== origin) return "the tab is at " + location.href;
		return paths.includes(location.pathname) ? "" : "the page is " + location.pathname + location.search;
	}`, env.base, paths)
}

// An open redirect through the sign-in page: /login?next=/%09/evil.example/
// once answered Location: /<TAB>/evil.example/, and Chromium, which drops
// the tab, went to //evil.example/. Signed out (through the real form) and
// signed in, the browser must stay here and end on the start page (which
// sends a member of one organisation on to it).
func TestSignInNextCannotLeaveTheServer(t *testing.T) {
	hostile := "/login?next=" + url.QueryEscape("/\t/evil.example/")
	encoded := "/login?next=/%09/evil.example/"
	home := []string{"/", orgPath("")}

	b := newBrowser(t)
	b.step("open the sign-in page with a hostile next", open(encoded), atPath(`^/login`), present("#email", 1))
	next := run(b, "read the form's next", chromedp.Evaluate[string](`(document.querySelector('input[name="next"]') || {value: "(no next field)"}).value`))
	if next != "/" {
		b.fail("read the form's next", fmt.Sprintf("the form carries next=%q on", next))
	}
	b.step("sign in through the form",
		typeInto("#email", env.email),
		typeInto("#password", env.password),
		click(`form[action="/login"] button[type="submit"]`))
	// Not waiting for a load event: evil.example would never load.
	b.step("land on this server's start page", onThisServer(home...))

	// Signed in now: the sign-in page forwards at once.
	for _, path := range []string{encoded, hostile, "/login?next=" + url.QueryEscape(`/\evil.example/`), "/login?next=%2F%2Fevil.example%2F"} {
		b.step("open "+path+" signed in", open(path), onThisServer(home...))
	}
}

// The account page after a real sign-in: the security log names this
// sign-in, and the page fits a phone and a wide screen without sideways
// scrolling.
func TestAccountPageShowsTheSignIn(t *testing.T) {
	b := signIn(t, "/account")
	b.step("see this sign-in at the top of the security log",
		see("#security-log tbody tr:first-child", "Signed in", "127.0.0.1"),
		present("#sign-out-everywhere", 1), present("#sessions-revoke-tokens", 1), present("#password-revoke-tokens", 1))
	for _, width := range []int64{390, 1440} {
		b.step(fmt.Sprintf("no sideways scroll at %d px", width),
			chromedp.EmulateViewport(width, 900),
			until("the page fits its width", `() => {
				const d = document.documentElement;
				return d.scrollWidth <= d.clientWidth ? "" : "the page is " + d.scrollWidth + " px wide in a " + d.clientWidth + " px window";
			}`))
	}
}
