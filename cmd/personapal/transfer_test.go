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
