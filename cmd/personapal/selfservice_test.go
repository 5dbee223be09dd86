package main

import (
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// serve on a database without accounts prints a one-time setup code (a
// new one each start, every one working until the setup), which the setup
// page takes; once an account exists it prints none, and --demo prints
// credentials instead.
func TestServePrintsASetupCodeWhileNoAccountExists(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "fresh.db")
	first := field(startServe(t, "--db", db, "--addr", "127.0.0.1:0"), "setup code")
	printed := startServe(t, "--db", db, "--addr", "127.0.0.1:0")
	second, base := field(printed, "setup code"), strings.TrimSuffix(field(printed, "url"), "/")
	if len(first) != 34 || len(second) != 34 || first == second {
		t.Fatalf("setup codes %q and %q\n%s", first, second, printed)
	}
	client := &http.Client{Timeout: 30 * time.Second, CheckRedirect: noRedirects}
	res, err := client.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/setup" {
		t.Fatalf("first visit: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	form := url.Values{"code": {first}, "name": {"Olga"}, "email": {"olga@example.com"},
		"password": {"correct horse battery staple"}, "org_name": {"Olga Labs"}}
	req, _ := http.NewRequest("POST", base+"/setup", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/o/olga-labs" {
		t.Fatalf("setup with the first start's code: %d to %q\n%s", res.StatusCode, res.Header.Get("Location"), body)
	}
	if again := startServe(t, "--db", db, "--addr", "127.0.0.1:0"); field(again, "setup code") != "" {
		t.Fatalf("a set-up database printed a setup code:\n%s", again)
	}
	if demo := startServe(t, "--demo", "--db", filepath.Join(dir, "demo.db"), "--addr", "127.0.0.1:0"); field(demo, "setup code") != "" {
		t.Fatalf("--demo printed a setup code:\n%s", demo)
	}
}

func TestServeSignupFlagsAreChecked(t *testing.T) {
	db := filepath.Join(t.TempDir(), "flags.db")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--signup", "anyone"}, "closed, invite or open"},
		{[]string{"--signup-domains", "example.com"}, "need the open mode"},
		{[]string{"--signup", "open", "--signup-domains", "example.com,not a domain"}, "not a domain"},
	} {
		code, out, errOut := cliCtxTimeout(t, 30*time.Second, append([]string{"serve", "--db", db, "--addr", "127.0.0.1:0"}, c.args...)...)
		if code != 2 || !strings.Contains(errOut, c.want) || field(out, "url") != "" || field(out, "setup code") != "" {
			t.Errorf("serve %v: exit %d, want 2 with %q\nstdout: %s\nstderr: %s", c.args, code, c.want, out, errOut)
		}
	}
	t.Setenv("PERSONAPAL_SIGNUP", "open")
	t.Setenv("PERSONAPAL_SIGNUP_DOMAINS", "example.com,acme.test")
	startServe(t, "--db", db, "--addr", "127.0.0.1:0")
}

// token create takes a scope and a lifetime.
func TestTokenCreateScopeAndExpiry(t *testing.T) {
	db := filepath.Join(t.TempDir(), "tokens.db")
	if code, _, errOut := cli(t, "user", "create", "--db", db, "--email", "ci@example.com", "--password", "correct horse battery"); code != 0 {
		t.Fatal(errOut)
	}
	code, out, errOut := cli(t, "token", "create", "--db", db, "--email", "ci@example.com", "--scope", "read", "--expires", "90d")
	if code != 0 || field(out, "scope") != "read" {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	exp, err := time.Parse(time.RFC3339, field(out, "expires"))
	if err != nil || exp.Sub(time.Now()) < 89*24*time.Hour || exp.Sub(time.Now()) > 91*24*time.Hour {
		t.Fatalf("expires %q (%v)", field(out, "expires"), err)
	}
	if !tokenWorks(t, db, field(out, "token")) {
		t.Fatal("the read-only token does not read")
	}
	if code, out, _ := cli(t, "token", "create", "--db", db, "--email", "ci@example.com"); code != 0 || field(out, "scope") != "write" || field(out, "expires") != "never" {
		t.Fatalf("defaults: exit %d\n%s", code, out)
	}
	for _, args := range [][]string{{"--scope", "admin"}, {"--expires", "soon"}, {"--expires", "-3d"}, {"--expires", "5000d"}} {
		code, _, errOut := cli(t, append([]string{"token", "create", "--db", db, "--email", "ci@example.com"}, args...)...)
		if code != 2 || !strings.Contains(errOut, args[0]) {
			t.Errorf("%v: exit %d %s", args, code, errOut)
		}
	}
}
