package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/store"
)

// tokenWorks reports whether an API token still authenticates.
func tokenWorks(t *testing.T, db, token string) bool {
	t.Helper()
	s, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, err = app.New(s).Authenticate(context.Background(), token)
	if err != nil && persona.ErrorCode(err) != persona.CodeUnauthenticated {
		t.Fatal(err)
	}
	return err == nil
}

// A password reset from the command line revokes the user's API tokens
// unless --keep-tokens, and refuses whitespace-only and repetitive
// passwords with exit code 2.
func TestSetPasswordRevokesTokensUnlessKept(t *testing.T) {
	db := filepath.Join(t.TempDir(), "reset.db")
	if code, out, errOut := cli(t, "user", "create", "--db", db, "--email", "eve@example.com", "--password", "correct horse battery"); code != 0 {
		t.Fatalf("create: %d %s %s", code, out, errOut)
	}
	token := func() string {
		t.Helper()
		code, out, errOut := cli(t, "token", "create", "--db", db, "--email", "eve@example.com")
		if code != 0 || field(out, "token") == "" {
			t.Fatalf("token: %d %s %s", code, out, errOut)
		}
		return field(out, "token")
	}

	kept := token()
	code, out, errOut := cli(t, "user", "set-password", "--db", db, "--email", "eve@example.com", "--password", "a second good password", "--keep-tokens")
	if code != 0 || strings.Contains(out, "revoked") {
		t.Fatalf("--keep-tokens: %d %s %s", code, out, errOut)
	}
	if !tokenWorks(t, db, kept) {
		t.Fatal("--keep-tokens revoked the token")
	}

	second := token()
	code, out, errOut = cli(t, "user", "set-password", "--db", db, "--email", "eve@example.com", "--password", "a third good password")
	if code != 0 || field(out, "API tokens revoked") != "2" {
		t.Fatalf("reset: %d %s %s", code, out, errOut)
	}
	for _, tok := range []string{kept, second} {
		if tokenWorks(t, db, tok) {
			t.Error("a token survived the reset")
		}
	}

	for _, pw := range []string{"            ", "abababababab", "abcdefghijkl"} {
		code, _, errOut := cli(t, "user", "set-password", "--db", db, "--email", "eve@example.com", "--password", pw)
		if code != 2 || !strings.Contains(errOut, "password") {
			t.Errorf("password %q: exit %d, %s", pw, code, errOut)
		}
	}
}
