package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestExportImportCommandsRoundTripInYAMLAndJSON(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "x.db")
	if code, out, errOut := cli(t, "demo", "--db", db); code != 0 {
		t.Fatalf("demo: %d\n%s%s", code, out, errOut)
	}
	yml := filepath.Join(dir, "org.yaml")
	if code, _, errOut := cli(t, "export", "--db", db, "--org", "ledgerline-demo", "--out", yml); code != 0 {
		t.Fatalf("export: %d %s", code, errOut)
	}
	raw, _ := os.ReadFile(yml)
	if !strings.Contains(string(raw), "format: personapal/org-export") || !strings.Contains(string(raw), "name: System Lead") {
		t.Fatalf("yaml export:\n%.600s", raw)
	}
	code, out, errOut := cli(t, "import", "--db", db, "--org", "copy", "--owner", "demo@example.com", "--dry-run", yml)
	if code != 0 || !strings.Contains(out, "would import") || !strings.Contains(out, "15 personas") {
		t.Fatalf("dry run: %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut = cli(t, "import", "--db", db, "--org", "copy", "--owner", "demo@example.com", yml); code != 0 {
		t.Fatalf("import: %d\n%s%s", code, out, errOut)
	}
	// The copy exports as the original did (apart from the slug and the time).
	code, a, _ := cli(t, "export", "--db", db, "--org", "ledgerline-demo", "--format", "json")
	code2, b, _ := cli(t, "export", "--db", db, "--org", "copy", "--format", "json")
	if code != 0 || code2 != 0 {
		t.Fatal("json exports failed")
	}
	norm := func(s string) string {
		var lines []string
		for _, l := range strings.Split(s, "\n") {
			if strings.Contains(l, `"exported_at"`) || strings.Contains(l, `"slug"`) {
				continue
			}
			lines = append(lines, l)
		}
		return strings.Join(lines, "\n")
	}
	if norm(a) != norm(b) {
		t.Fatal("the imported copy does not export like the original")
	}
	// Bad input: a clear error and a non-zero exit, nothing written.
	empty := filepath.Join(dir, "empty.json")
	os.WriteFile(empty, nil, 0o644)
	broken := filepath.Join(dir, "broken.json")
	os.WriteFile(broken, []byte("{\n  \"format\": \"personapal/org-export\",\n  \"version\": 1,\n  oops\n}"), 0o644)
	typo := filepath.Join(dir, "typo.yaml")
	os.WriteFile(typo, []byte(strings.Replace(string(raw), "summary:", "sumary:", 1)), 0o644)
	for _, c := range []struct{ file, want string }{
		{empty, "empty"}, {broken, "line 4"}, {typo, "sumary"}, {filepath.Join(dir, "missing.json"), "no such file"},
	} {
		code, out, errOut := cli(t, "import", "--db", db, "--org", "bad", "--owner", "demo@example.com", c.file)
		if code == 0 || !strings.Contains(errOut, c.want) {
			t.Errorf("%s: exit %d, want an error with %q\n%s%s", filepath.Base(c.file), code, c.want, out, errOut)
		}
	}
	if code, _, _ := cli(t, "export", "--db", db, "--org", "bad"); code != 3 {
		t.Errorf("a failed import left an organisation behind (export exit %d)", code)
	}
}

func TestPersonaAsCodeDirectoryRoundTrip(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "x.db")
	if code, out, errOut := cli(t, "demo", "--db", db); code != 0 {
		t.Fatalf("demo: %d\n%s%s", code, out, errOut)
	}
	tree := filepath.Join(dir, "tree")
	if code, _, errOut := cli(t, "export", "--db", db, "--org", "ledgerline-demo", "--dir", tree); code != 0 {
		t.Fatalf("export --dir: %d %s", code, errOut)
	}
	lead := filepath.Join(tree, "personas", "system-lead.yaml")
	raw, err := os.ReadFile(lead)
	if err != nil {
		t.Fatal(err)
	}
	// A second export writes the same bytes (deterministic), and applying
	// the untouched tree changes nothing.
	tree2 := filepath.Join(dir, "tree2")
	cli(t, "export", "--db", db, "--org", "ledgerline-demo", "--dir", tree2)
	if raw2, _ := os.ReadFile(filepath.Join(tree2, "personas", "system-lead.yaml")); string(raw2) != string(raw) {
		t.Fatal("two exports of the same data differ")
	}
	code, out, errOut := cli(t, "import", "--db", db, "--org", "ledgerline-demo", "--dir", tree)
	if code != 0 || !strings.Contains(out, "0 updated, 0 created, 15 unchanged") {
		t.Fatalf("untouched tree: %d\n%s%s", code, out, errOut)
	}
	// Edit one value: exactly that persona is updated, with a new revision.
	edited := strings.Replace(string(raw), "role_title: Reconciliation System Lead", "role_title: Head of Reconciliation Platform", 1)
	if edited == string(raw) {
		t.Fatalf("the file lacks the role title:\n%s", raw)
	}
	os.WriteFile(lead, []byte(edited), 0o644)
	code, out, errOut = cli(t, "import", "--db", db, "--org", "ledgerline-demo", "--dir", tree)
	if code != 0 || !strings.Contains(out, "update System Lead") || !strings.Contains(out, "changed Role / job title") || !strings.Contains(out, "1 updated, 0 created, 14 unchanged") {
		t.Fatalf("edited tree: %d\n%s%s", code, out, errOut)
	}
	// The file still says the old revision: applying another edit is refused.
	os.WriteFile(lead, []byte(strings.Replace(edited, "Head of Reconciliation Platform", "Someone else", 1)), 0o644)
	code, out, errOut = cli(t, "import", "--db", db, "--org", "ledgerline-demo", "--dir", tree)
	if code != 2 || !strings.Contains(errOut, "revision") {
		t.Fatalf("stale file: %d\n%s%s", code, out, errOut)
	}
	// An invalid value is refused with the file and field named; nothing is written.
	cli(t, "export", "--db", db, "--org", "ledgerline-demo", "--dir", tree)
	raw, _ = os.ReadFile(lead)
	bad := strings.Replace(string(raw), "risk_tolerance: 2", "risk_tolerance: 42", 1)
	os.WriteFile(lead, []byte(bad), 0o644)
	code, _, errOut = cli(t, "import", "--db", db, "--org", "ledgerline-demo", "--dir", tree)
	if code != 2 || !strings.Contains(errOut, "system-lead.yaml") || !strings.Contains(errOut, "dimensions.risk_tolerance") {
		t.Fatalf("invalid file: %d\n%s", code, errOut)
	}
}

func TestBackupAndRestoreCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "live.db")
	if code, _, errOut := cli(t, "demo", "--db", db); code != 0 {
		t.Fatalf("demo: %s", errOut)
	}
	bak := filepath.Join(dir, "backup.db")
	code, out, errOut := cli(t, "backup", "--db", db, "--out", bak)
	if code != 0 || !strings.Contains(out, "integrity ok") {
		t.Fatalf("backup: %d\n%s%s", code, out, errOut)
	}
	if code, _, errOut := cli(t, "backup", "--db", db, "--out", bak); code != 4 || !strings.Contains(errOut, "exists") {
		t.Fatalf("backup over an existing file: %d %s", code, errOut)
	}
	target := filepath.Join(dir, "restored.db")
	if code, out, errOut := cli(t, "restore", "--db", target, "--from", bak); code != 0 {
		t.Fatalf("restore: %d\n%s%s", code, out, errOut)
	}
	code, out, _ = cli(t, "export", "--db", target, "--org", "ledgerline-demo", "--format", "json")
	if code != 0 || !strings.Contains(out, "System Lead") {
		t.Fatalf("the restored database lacks the demo: %d", code)
	}
	if code, _, errOut := cli(t, "restore", "--db", target, "--from", bak); code != 4 || !strings.Contains(errOut, "--force") {
		t.Fatalf("restore over an existing database: %d %s", code, errOut)
	}
	os.WriteFile(filepath.Join(dir, "junk.db"), []byte("not a database at all, just some text"), 0o644)
	if code, _, _ := cli(t, "restore", "--db", filepath.Join(dir, "x.db"), "--from", filepath.Join(dir, "junk.db")); code == 0 {
		t.Fatal("restored from junk")
	}
}
