package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPersonasImportAndExportCSVCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "x.db")
	if code, out, errOut := cli(t, "demo", "--db", db); code != 0 {
		t.Fatalf("demo: %d\n%s%s", code, out, errOut)
	}
	mp := filepath.Join(dir, "map.yaml")
	os.WriteFile(mp, []byte("template: UX persona\ngroup: Product users\nname: Name\nfields:\n  role_title: Role\n  goals: {column: Goals, split: \";\"}\ndimensions:\n  autonomy: Autonomy\n"), 0o644)
	in := filepath.Join(dir, "people.csv")
	os.WriteFile(in, []byte("Name,Role,Goals,Autonomy\nIvy Import,Clerk,Fast close;Few errors,3\nJon Import,Lead,,5\n"), 0o644)

	code, out, errOut := cli(t, "personas", "import", "--db", db, "--org", "ledgerline-demo", "--mapping", mp, "--dry-run", in)
	if code != 0 || !strings.Contains(out, "dry run, nothing written: 2 records") || !strings.Contains(out, "row 2: Ivy Import [draft] role_title=Clerk, goals=Fast close; Few errors") {
		t.Fatalf("dry run: %d\n%s%s", code, out, errOut)
	}
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("Name,Role,Goals,Autonomy\nKim,Clerk,,3\nLou,Clerk,,7\n"), 0o644)
	code, out, errOut = cli(t, "personas", "import", "--db", db, "--org", "ledgerline-demo", "--mapping", mp, bad)
	if code != 2 || !strings.Contains(errOut, `row 3, column "Autonomy": dimensions.autonomy: must be`) {
		t.Fatalf("bad: %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = cli(t, "personas", "import", "--db", db, "--org", "ledgerline-demo", "--mapping", mp, in)
	if code != 0 || !strings.Contains(out, "imported 2 personas of UX persona") {
		t.Fatalf("import: %d\n%s%s", code, out, errOut)
	}
	csvOut := filepath.Join(dir, "users.csv")
	code, _, errOut = cli(t, "personas", "export-csv", "--db", db, "--org", "ledgerline-demo", "--group", "Product users", "--out", csvOut)
	raw, _ := os.ReadFile(csvOut)
	if code != 0 || !strings.HasPrefix(string(raw), "name,summary,status,role_title,") ||
		!strings.Contains(string(raw), "Ivy Import,,draft,Clerk,") || !strings.Contains(string(raw), "Fast close; Few errors") || strings.Contains(string(raw), "Kim") {
		t.Fatalf("export: %d %s\n%.800s", code, errOut, raw)
	}
	if code, _, errOut := cli(t, "personas", "export-csv", "--db", db, "--org", "ledgerline-demo", "--group", "Nope"); code != 2 || !strings.Contains(errOut, "no such group") {
		t.Fatalf("unknown group: %d %s", code, errOut)
	}
}
