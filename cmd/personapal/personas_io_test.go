package main

import (
	"encoding/json"
	"fmt"
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

// TestExportCSVCommandNeutralisesFormulasAndWritesTheBOM imports a persona
// whose name is a formula and whose goals hold "; ", exports the group with
// --bom, and imports the file back with escaped: true into a fresh copy of
// the organisation: the formula is written as text, the BOM is there, and
// the goals come back as the same two items.
func TestExportCSVCommandNeutralisesFormulasAndWritesTheBOM(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "x.db")
	if code, out, errOut := cli(t, "demo", "--db", db); code != 0 {
		t.Fatalf("demo: %d\n%s%s", code, out, errOut)
	}
	mp := filepath.Join(dir, "map.yaml")
	os.WriteFile(mp, []byte("template: UX persona\ngroup: Product users\nname: Name\nfields:\n  role_title: {value: Clerk}\n  goals: {column: Goals, split: \"|\"}\n"), 0o644)
	in := filepath.Join(dir, "people.csv")
	os.WriteFile(in, []byte("Name,Goals\n\"=cmd|' /C calc'!A0\",Close fast; and right|@SUM(A1)\n"), 0o644)
	if code, out, errOut := cli(t, "personas", "import", "--db", db, "--org", "ledgerline-demo", "--mapping", mp, in); code != 0 {
		t.Fatalf("import: %d\n%s%s", code, out, errOut)
	}
	csvOut := filepath.Join(dir, "users.csv")
	if code, _, errOut := cli(t, "personas", "export-csv", "--db", db, "--org", "ledgerline-demo", "--group", "Product users", "--bom", "--out", csvOut); code != 0 {
		t.Fatalf("export: %d %s", code, errOut)
	}
	raw, _ := os.ReadFile(csvOut)
	if !strings.HasPrefix(string(raw), "\uFEFFname,summary,status,") {
		t.Fatalf("no BOM: %.40q", raw)
	}
	if !strings.Contains(string(raw), "\n'=cmd|' /C calc'!A0,") || !strings.Contains(string(raw), `,Close fast\; and right; @SUM(A1),`) {
		t.Fatalf("formula or list not protected:\n%s", raw)
	}
	if code, _, errOut := cli(t, "personas", "export-csv", "--db", db, "--org", "ledgerline-demo", "--group", "Product users", "--out", csvOut); code != 0 {
		t.Fatalf("export without --bom: %d %s", code, errOut)
	}
	if raw, _ := os.ReadFile(csvOut); !strings.HasPrefix(string(raw), "name,") {
		t.Fatalf("a BOM without --bom: %.40q", raw)
	}
	// Read back with escaped: true (renamed, so it is a new persona): the
	// name loses its protective ' and the goals are the same two items.
	cli(t, "personas", "export-csv", "--db", db, "--org", "ledgerline-demo", "--group", "Product users", "--bom", "--out", csvOut)
	all, _ := os.ReadFile(csvOut)
	var one []string
	for i, line := range strings.SplitAfter(string(all), "\n") {
		if i == 0 || strings.Contains(line, "=cmd") {
			one = append(one, strings.Replace(line, "!A0", "!A1", 1))
		}
	}
	os.WriteFile(csvOut, []byte(strings.Join(one, "")), 0o644)
	back := filepath.Join(dir, "back.yaml")
	os.WriteFile(back, []byte("template: UX persona\ngroup: Product users\nname: name\nfields:\n  role_title: role_title\n  goals: {column: goals, escaped: true}\n"), 0o644)
	if code, out, errOut := cli(t, "personas", "import", "--db", db, "--org", "ledgerline-demo", "--mapping", back, csvOut); code != 0 {
		t.Fatalf("re-import: %d\n%s%s", code, out, errOut)
	}
	code, out, _ := cli(t, "export", "--db", db, "--org", "ledgerline-demo", "--format", "json")
	var doc struct {
		Personas []struct {
			Name   string         `json:"name"`
			Values map[string]any `json:"values"`
		} `json:"personas"`
	}
	if err := json.Unmarshal([]byte(out), &doc); code != 0 || err != nil {
		t.Fatalf("export: %d %v", code, err)
	}
	found := 0
	for _, p := range doc.Personas {
		if strings.HasPrefix(p.Name, "=cmd|' /C calc'!A") {
			found++
			if g := fmt.Sprint(p.Values["goals"]); g != "[Close fast; and right @SUM(A1)]" {
				t.Errorf("%s: goals %s", p.Name, g)
			}
		}
	}
	if found != 2 {
		t.Fatalf("%d personas named like the formula", found)
	}
}

// TestPersonasImportOwnerWarningsAndUpdateMode imports with --owner, sees
// the unmapped column as a warning, then imports the changed file with
// --mode update: a new revision, no duplicate.
func TestPersonasImportOwnerWarningsAndUpdateMode(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "x.db")
	if code, out, errOut := cli(t, "demo", "--db", db); code != 0 {
		t.Fatalf("demo: %d\n%s%s", code, out, errOut)
	}
	mp := filepath.Join(dir, "map.yaml")
	os.WriteFile(mp, []byte("template: UX persona\ngroup: Product users\nexternal_id: ID\nname: Name\nfields:\n  role_title: Role\n"), 0o644)
	in := filepath.Join(dir, "people.csv")
	os.WriteFile(in, []byte("ID,Name,Role,Age\n7,Ivy Import,Clerk,40\n"), 0o644)
	code, out, errOut := cli(t, "personas", "import", "--db", db, "--org", "ledgerline-demo", "--mapping", mp, "--owner", "nobody@example.com", in)
	if code != 2 || !strings.Contains(errOut, `"nobody@example.com" is not a member of organisation ledgerline-demo`) {
		t.Fatalf("unknown owner: %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = cli(t, "personas", "import", "--db", db, "--org", "ledgerline-demo", "--mapping", mp, "--owner", "DEMO@example.com", in)
	if code != 0 || !strings.Contains(out, "imported 1 personas") || !strings.Contains(errOut, `warning: column "Age" is not mapped`) {
		t.Fatalf("import: %d\n%s%s", code, out, errOut)
	}
	os.WriteFile(in, []byte("ID,Name,Role,Age\n7,Ivy Import,Senior clerk,41\n"), 0o644)
	code, out, errOut = cli(t, "personas", "import", "--db", db, "--org", "ledgerline-demo", "--mapping", mp, in)
	if code != 2 || !strings.Contains(errOut, `external ID "7" already exists`) {
		t.Fatalf("create mode again: %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = cli(t, "personas", "import", "--db", db, "--org", "ledgerline-demo", "--mapping", mp, "--mode", "update", in)
	if code != 0 || !strings.Contains(out, "1 personas updated (a new revision each), 0 unchanged, 0 created") {
		t.Fatalf("update: %d\n%s%s", code, out, errOut)
	}
}
