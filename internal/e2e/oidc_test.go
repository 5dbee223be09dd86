package e2e_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/personapal/personapal/internal/oidctest"
)

// ssoServer is a second personapal server (the binary TestMain built) with
// the demo data and single sign-on configured against a provider.
type ssoServer struct {
	base, org, token, email, password string
}

// startSSOServer runs `personapal serve --demo --oidc-…` against the
// provider on a database of its own until the test ends. The client
// secret comes from the environment, as the docs advise.
func startSSOServer(t *testing.T, idp *oidctest.Provider, name string) ssoServer {
	t.Helper()
	if env.skip != "" {
		t.Skip(env.skip)
	}
	if env.setupErr != nil {
		t.Fatalf("end-to-end harness: %v", env.setupErr)
	}
	logs := &lockedBuffer{}
	cmd := exec.Command(env.bin, "serve", "--demo", "--db", filepath.Join(t.TempDir(), "sso.db"), "--addr", "127.0.0.1:0",
		"--oidc-issuer", idp.Issuer, "--oidc-client-id", idp.ClientID, "--oidc-name", name)
	cmd.Env = append(os.Environ(), "PERSONAPAL_OIDC_CLIENT_SECRET="+idp.ClientSecret)
	cmd.Stderr = logs
	dieWithTests(cmd)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("single sign-on server log (tail):\n%s", logs.tail(4000))
		}
	})
	lines := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var s ssoServer
	deadline := time.After(startTimeout)
	for s.base == "" {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("the server stopped before printing its url:\n%s", logs.tail(4000))
			}
			k, v, _ := strings.Cut(line, ": ")
			switch k {
			case "org":
				s.org = strings.TrimSpace(v)
			case "token":
				s.token = strings.TrimSpace(v)
			case "email":
				s.email = strings.TrimSpace(v)
			case "password":
				s.password = strings.TrimSpace(v)
			case "url":
				s.base = strings.TrimSuffix(strings.TrimSpace(v), "/")
			}
		case <-deadline:
			t.Fatalf("the server printed no url within %s:\n%s", startTimeout, logs.tail(4000))
		}
	}
	go func() {
		for range lines { // keep draining
		}
	}()
	if s.org == "" || s.token == "" {
		t.Fatalf("no demo credentials printed:\n%s", logs.tail(4000))
	}
	return s
}

// call uses the server's JSON API with the demo token.
func (s ssoServer) call(t *testing.T, method, path string, body any) {
	t.Helper()
	j, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, s.base+path, bytes.NewReader(j))
	req.Header.Set("Authorization", "Bearer "+s.token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode/100 != 2 {
		t.Fatalf("%s %s: %s %s", method, path, res.Status, raw)
	}
}

// OIDC sign-in from the browser alone, against a real provider running in
// the test: on the sign-in page of a server started with --oidc-*, click
// "Sign in with Test IdP", log in on the provider's own login page, and
// land signed in on Persona Pal — in the demo organisation, which maps the
// person's e-mail domain to membership as an editor. A person whose address
// the provider has not verified is shown why nobody was signed in.
func TestOIDCSignInFromTheBrowser(t *testing.T) {
	idp := oidctest.Start(t,
		oidctest.User{ID: "sub-ada", Username: "ada", Password: "ada-at-the-idp", FirstName: "Ada", LastName: "Lovelace",
			Email: "ada@example.com", EmailVerified: true},
		oidctest.User{ID: "sub-una", Username: "una", Password: "una-at-the-idp", FirstName: "Una", LastName: "Unverified",
			Email: "una@example.com", EmailVerified: false})
	srv := startSSOServer(t, idp, "Test IdP")
	// The demo owner (demo@example.com) maps their domain.
	srv.call(t, http.MethodPost, "/api/v1/orgs/"+srv.org+"/sso/domains", map[string]string{"domain": "example.com", "role": "editor"})

	b := newBrowser(t)
	b.step("open the sign-in page", chromedp.Navigate(srv.base+"/login"), present("#sso-sign-in", 1),
		seeExactly("#sso-sign-in", "Sign in with Test IdP"))
	b.step("click “Sign in with Test IdP”", follow("#sso-sign-in"))
	b.step("see the provider's login page", until("the provider's login form", `(issuer) => {
		if (!location.href.startsWith(issuer)) return "the tab is at " + location.href;
		return document.querySelector("#username") ? "" : "no username field";
	}`, idp.Issuer))
	b.step("log in at the provider",
		typeInto("#username", "ada"),
		typeInto("#password", "ada-at-the-idp"),
		follow(`button[type="submit"]`))
	b.step("land signed in on Persona Pal, in the organisation",
		until("Persona Pal's organisation page", `(base, org) => {
			if (!location.href.startsWith(base)) return "the tab is at " + location.href;
			return location.pathname === "/o/" + org ? "" : "the page is " + location.pathname + location.search;
		}`, srv.base, srv.org),
		see(".flash", "Your e-mail domain made you a member of", "(editor)"),
		seeExactly(".user-menu summary", "Ada Lovelace"))
	b.step("the account page records the single sign-on", chromedp.Navigate(srv.base+"/account"),
		see("#security-log tbody tr:first-child", "Signed in with Test IdP", "127.0.0.1"),
		see("#security-log", "Account created with single sign-on"))
	for _, width := range []int64{390, 1440} {
		b.step(fmt.Sprintf("the organisation fits %d px", width), chromedp.EmulateViewport(width, 900),
			chromedp.Navigate(srv.base+"/o/"+srv.org), present(".persona-card", 1),
			until("the page fits its width", `() => {
				const d = document.documentElement;
				return d.scrollWidth <= d.clientWidth ? "" : "the page is " + d.scrollWidth + " px wide in a " + d.clientWidth + " px window";
			}`))
	}

	u := newBrowser(t)
	for _, width := range []int64{390, 1440} {
		u.step(fmt.Sprintf("the sign-in page with its button fits %d px", width), chromedp.EmulateViewport(width, 900),
			chromedp.Navigate(srv.base+"/login"), present("#sso-sign-in", 1),
			until("the page fits its width", `() => {
				const d = document.documentElement;
				return d.scrollWidth <= d.clientWidth ? "" : "the page is " + d.scrollWidth + " px wide in a " + d.clientWidth + " px window";
			}`))
	}
	u.step("click “Sign in with Test IdP”", follow("#sso-sign-in"))
	u.step("log in at the provider with an unverified address",
		present("#username", 1),
		typeInto("#username", "una"),
		typeInto("#password", "una-at-the-idp"),
		follow(`button[type="submit"]`))
	u.step("see why nobody was signed in, and the button to try again",
		until("Persona Pal's sign-in page", `(base) => location.href.startsWith(base + "/auth/oidc/callback") ? "" : "the tab is at " + location.href`, srv.base),
		see("#login-error", "Test IdP has not verified the address una@example.com"),
		present("#sso-sign-in", 1), present("#email", 1))
}
