package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/store/storetest"
)

func TestCopyCommand(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "source.db")
	code, out, errOut := cli(t, "demo", "--db", file)
	if code != 0 {
		t.Fatalf("demo: %d %s", code, errOut)
	}
	slug := field(out, "org")
	dsn := storetest.PostgresDSN(t)

	// Wrong way round, or missing pieces: usage errors, nothing created.
	missing := filepath.Join(dir, "missing.db")
	notDB := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notDB, []byte("not a database, just some words\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"copy", "--to", dsn}, 2, "--from is required"},
		{[]string{"copy", "--from", file}, 2, "--to is required"},
		{[]string{"copy", "--from", file, "--to", filepath.Join(dir, "other.db")}, 2, "postgres:// URL"},
		{[]string{"copy", "--from", dsn, "--to", dsn}, 2, "SQLite file"},
		{[]string{"copy", "--from", missing, "--to", dsn}, 3, "does not exist"},
		{[]string{"copy", "--from", notDB, "--to", dsn}, 2, "SQLite database"},
	} {
		code, _, errOut := cli(t, c.args...)
		if code != c.code || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, %q; want %d and %q", c.args, code, errOut, c.code, c.want)
		}
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Errorf("a refused copy created %s: %v", missing, err)
	}

	code, out, errOut = cli(t, "copy", "--from", file, "--to", dsn)
	if code != 0 {
		t.Fatalf("copy: exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"personas", "evidence_files", "audit_log", "copied ", "signs in again"} {
		if !strings.Contains(out, want) {
			t.Errorf("copy output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, ":personapal@") {
		t.Errorf("copy printed the database password:\n%s", out)
	}

	// The target serves the organisation's export, equal to the source's
	// apart from the export time.
	export := func(db string) map[string]any {
		code, out, errOut := cli(t, "export", "--db", db, "--org", slug)
		if code != 0 {
			t.Fatalf("export from %s: %d %s", db, code, errOut)
		}
		var doc map[string]any
		if err := json.NewDecoder(bytes.NewReader([]byte(out))).Decode(&doc); err != nil {
			t.Fatal(err)
		}
		delete(doc, "exported_at")
		return doc
	}
	a, _ := json.Marshal(export(file))
	b, _ := json.Marshal(export(dsn))
	if !bytes.Equal(a, b) {
		t.Errorf("export differs between source and target")
	}

	// A second copy into the filled target is refused (conflict).
	code, _, errOut = cli(t, "copy", "--from", file, "--to", dsn)
	if code != 4 || !strings.Contains(errOut, "already holds data") {
		t.Errorf("second copy: exit %d, %q; want 4 and a refusal", code, errOut)
	}
}
