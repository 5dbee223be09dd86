package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/store"
)

// `personapal org sso` shows and changes an organisation's single sign-on
// settings; --require=false is the way back in for an organisation that
// requires single sign-on when its provider is gone.
func TestOrgSSOCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "sso.db")
	for _, args := range [][]string{
		{"user", "create", "--db", db, "--email", "ada@example.com", "--name", "Ada", "--password", "correct horse battery"},
		{"org", "create", "--db", db, "--name", "Acme", "--owner", "ada@example.com"},
	} {
		if code, _, stderr := cli(t, args...); code != 0 {
			t.Fatalf("%v: %d %s", args, code, stderr)
		}
	}
	// A server with single sign-on required it (done here on the database).
	ctx := context.Background()
	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	svc := app.New(st, app.WithSSO("https://idp.example.com/", "IdP"))
	if _, err := svc.SetSSORequired(ctx, app.System, "acme", true); err != nil {
		t.Fatal(err)
	}
	st.Close()

	steps := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"org", "sso", "--db", db, "--org", "acme"}, 0, "require_sso: true"},
		{[]string{"org", "sso", "--db", db, "--org", "acme", "--add-domain", "Example.com", "--role", "editor"}, 0, "domain: example.com editor"},
		{[]string{"org", "sso", "--db", db, "--org", "acme", "--add-domain", "example.com"}, 4, "mapped already"},
		{[]string{"org", "sso", "--db", db, "--org", "acme", "--add-domain", "nope", "--role", "editor"}, 2, "e-mail domain"},
		{[]string{"org", "sso", "--db", db, "--org", "acme", "--add-domain", "example.org", "--role", "owner"}, 2, "viewer or editor"},
		{[]string{"org", "sso", "--db", db, "--org", "acme", "--require=false", "--remove-domain", "example.com"}, 0, "require_sso: false"},
		{[]string{"org", "sso", "--db", db, "--org", "acme", "--require"}, 2, "no single sign-on configured"},
		{[]string{"org", "sso", "--db", db, "--org", "nope"}, 3, "not found"},
		{[]string{"org", "sso", "--db", db}, 2, "--org is required"},
	}
	for _, s := range steps {
		code, stdout, stderr := cli(t, s.args...)
		out := stdout
		if s.code != 0 {
			out = stderr
		}
		if code != s.code || !strings.Contains(out, s.want) {
			t.Errorf("%v: exit %d, want %d with %q; stdout %q stderr %q", s.args, code, s.code, s.want, stdout, stderr)
		}
	}
	if _, stdout, _ := cli(t, "org", "sso", "--db", db, "--org", "acme"); strings.Contains(stdout, "domain:") {
		t.Errorf("the domain was not removed: %s", stdout)
	}
}

// serve refuses incomplete or unsafe single sign-on flags before it opens
// anything.
func TestServeChecksTheOIDCFlags(t *testing.T) {
	db := filepath.Join(t.TempDir(), "serve.db")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--oidc-issuer", "https://idp.example.com"}, "needs both --oidc-issuer and --oidc-client-id"},
		{[]string{"--oidc-client-id", "pp"}, "needs both"},
		{[]string{"--oidc-issuer", "http://idp.example.com", "--oidc-client-id", "pp"}, "must use https"},
		{[]string{"--oidc-issuer", "ftp://idp.example.com", "--oidc-client-id", "pp"}, "must be an https URL"},
		{[]string{"--oidc-issuer", "https://idp.example.com", "--oidc-client-id", "pp", "--oidc-redirect-url", "https://pp.example.com/elsewhere"}, "--oidc-redirect-url"},
		{[]string{"--oidc-issuer", "https://idp.example.com", "--oidc-client-id", "pp", "--oidc-name", "bad\x1bname"}, "name"},
	} {
		code, _, stderr := cli(t, append([]string{"serve", "--db", db, "--addr", "127.0.0.1:0"}, c.args...)...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d %q, want 2 with %q", c.args, code, stderr, c.want)
		}
	}
}
