package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// serve refuses bad mail settings before it opens anything: SMTP without a
// base URL or a sender, a base URL that is not http(s), an SMTP URL it
// cannot use; each is a usage error (exit 2) naming the flag.
func TestServeRefusesBadMailSettings(t *testing.T) {
	db := filepath.Join(t.TempDir(), "mail.db")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--smtp-url", "smtp://mail.example.com", "--mail-from", "pp@example.com"}, "--base-url is required"},
		{[]string{"--smtp-url", "smtp://mail.example.com", "--base-url", "https://pp.example.com"}, "--mail-from is required"},
		{[]string{"--base-url", "javascript:alert(1)"}, "--base-url"},
		{[]string{"--base-url", "ftp://pp.example.com"}, "--base-url"},
		{[]string{"--smtp-url", "http://mail.example.com", "--mail-from", "pp@example.com", "--base-url", "https://pp.example.com"}, "--smtp-url"},
		{[]string{"--smtp-url", "smtp://u:p@mail.example.com?starttls=none", "--mail-from", "pp@example.com", "--base-url", "https://pp.example.com"}, "plain text"},
		{[]string{"--smtp-url", "smtp://mail.example.com", "--mail-from", "not an address", "--base-url", "https://pp.example.com"}, "--mail-from"},
		{[]string{"--smtp-url", "smtp://mail.example.com", "--mail-from", "pp@example.com", "--base-url", "https://pp.example.com", "--smtp-ca-file", "/nonexistent.pem"}, "--smtp-ca-file"},
	} {
		args := append([]string{"serve", "--db", db, "--addr", "127.0.0.1:0"}, tc.args...)
		code, _, errOut := cli(t, args...)
		if code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, %q; want 2 naming %q", tc.args, code, errOut, tc.want)
		}
	}
}

// The outbox from the command line: operators are made with user create
// --operator or user set-operator; outbox test queues a message whose
// link uses --base-url; outbox list and show read it back.
func TestOutboxCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "outbox.db")
	code, out, errOut := cli(t, "user", "create", "--db", db, "--email", "op@example.com", "--password", "correct horse battery", "--operator")
	if code != 0 || field(out, "operator") != "yes" {
		t.Fatalf("create --operator: %d %s %s", code, out, errOut)
	}
	if code, out, errOut = cli(t, "user", "create", "--db", db, "--email", "user@example.com", "--password", "correct horse battery"); code != 0 {
		t.Fatalf("create: %d %s %s", code, out, errOut)
	}
	if code, out, _ = cli(t, "user", "set-operator", "--db", db, "--email", "user@example.com"); code != 0 || !strings.Contains(out, "is an operator") {
		t.Errorf("set-operator: %d %s", code, out)
	}
	if code, out, _ = cli(t, "user", "set-operator", "--db", db, "--email", "user@example.com", "--off"); code != 0 || !strings.Contains(out, "no longer") {
		t.Errorf("set-operator --off: %d %s", code, out)
	}
	if code, _, _ = cli(t, "user", "set-operator", "--db", db, "--email", "nobody@example.com"); code != 3 {
		t.Errorf("set-operator for nobody: exit %d, want 3", code)
	}

	code, out, errOut = cli(t, "outbox", "test", "--db", db, "--to", "Check@Example.com", "--base-url", "https://pp.example.com/")
	id := field(out, "queued")
	if code != 0 || id == "" || field(out, "to") != "check@example.com" {
		t.Fatalf("outbox test: %d %s %s", code, out, errOut)
	}
	if code, _, errOut = cli(t, "outbox", "test", "--db", db, "--to", "not an address"); code != 2 {
		t.Errorf("a bad address: exit %d %s", code, errOut)
	}
	if code, _, errOut = cli(t, "outbox", "test", "--db", db, "--to", "x@example.com", "--base-url", "pp.example.com"); code != 2 || !strings.Contains(errOut, "--base-url") {
		t.Errorf("a bad base URL: exit %d %s", code, errOut)
	}
	code, out, _ = cli(t, "outbox", "list", "--db", db)
	if code != 0 || !strings.Contains(out, "queued 1") || !strings.Contains(out, id) || !strings.Contains(out, "check@example.com") || !strings.Contains(out, "Test message from Persona Pal") {
		t.Errorf("outbox list: %d\n%s", code, out)
	}
	if code, _, _ = cli(t, "outbox", "list", "--db", db, "--status", "nonsense"); code != 2 {
		t.Errorf("a bad status: exit %d, want 2", code)
	}
	code, out, _ = cli(t, "outbox", "show", "--db", db, "--id", id)
	if code != 0 || field(out, "status") != "queued" || !strings.Contains(out, "https://pp.example.com/") {
		t.Errorf("outbox show: %d\n%s", code, out)
	}
	if code, _, _ = cli(t, "outbox", "show", "--db", db, "--id", "0197f3c2-5b1e-7a3d-9c4e-2f6a8b1d0e37"); code != 3 {
		t.Errorf("show an unknown message: exit %d, want 3", code)
	}
}
