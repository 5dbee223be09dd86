package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestPersonaAsCodeWithNamesInEveryScript: personas named in Chinese,
// Japanese, Cyrillic, Greek, Arabic, Hebrew, Vietnamese and Polish are
// imported from CSV (no false duplicates), written by export --dir to
// unique, readable file names in their own script, and an edit to one of
// those files is applied by import --dir.
func TestPersonaAsCodeWithNamesInEveryScript(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "x.db")
	if code, out, errOut := cli(t, "demo", "--db", db); code != 0 {
		t.Fatalf("demo: %d\n%s%s", code, out, errOut)
	}
	mp := filepath.Join(dir, "map.yaml")
	os.WriteFile(mp, []byte("template: UX persona\ngroup: Product users\nname: Name\nfields:\n  role_title: Role\n"), 0o644)
	people := map[string]string{ // name → the file export --dir writes
		"王芳": "王芳.yaml", "李娜": "李娜.yaml", "山田太郎": "山田太郎.yaml",
		"Мария Иванова": "мария-иванова.yaml", "Ольга Смирнова": "ольга-смирнова.yaml",
		"Μαρία Παπαδοπούλου": "μαρια-παπαδοπουλου.yaml", "محمد عبد الله": "محمد-عبد-الله.yaml",
		"דוד כהן": "דוד-כהן.yaml", "Nguyễn Thị Minh": "nguyen-thi-minh.yaml", "Łódź Wiśniewska": "lodz-wisniewska.yaml",
	}
	csv := "Name,Role\n"
	for n := range people {
		csv += n + ",Analyst\n"
	}
	in := filepath.Join(dir, "people.csv")
	os.WriteFile(in, []byte(csv), 0o644)
	if code, out, errOut := cli(t, "personas", "import", "--db", db, "--org", "ledgerline-demo", "--mapping", mp, in); code != 0 ||
		!strings.Contains(out, "imported 10 personas") {
		t.Fatalf("import: %d\n%s%s", code, out, errOut)
	}
	tree := filepath.Join(dir, "tree")
	if code, _, errOut := cli(t, "export", "--db", db, "--org", "ledgerline-demo", "--dir", tree); code != 0 {
		t.Fatalf("export --dir: %d %s", code, errOut)
	}
	files, _ := filepath.Glob(filepath.Join(tree, "personas", "*.yaml"))
	var names []string
	for _, f := range files {
		names = append(names, filepath.Base(f))
	}
	for n, file := range people {
		if !slices.Contains(names, file) {
			t.Errorf("%s: no %s among %v", n, file, names)
		}
	}
	if len(names) != 25 {
		t.Errorf("%d persona files, want 25 (15 demo + 10): %v", len(names), names)
	}
	path := filepath.Join(tree, "personas", "王芳.yaml")
	raw, err := os.ReadFile(path)
	if err != nil || !strings.Contains(string(raw), "name: 王芳") {
		t.Fatalf("王芳.yaml: %v\n%s", err, raw)
	}
	os.WriteFile(path, []byte(strings.Replace(string(raw), "role_title: Analyst", "role_title: Head of Research", 1)), 0o644)
	code, out, errOut := cli(t, "import", "--db", db, "--org", "ledgerline-demo", "--dir", tree)
	if code != 0 || !strings.Contains(out, "update 王芳") || !strings.Contains(out, "1 updated, 0 created, 24 unchanged") {
		t.Fatalf("edited tree: %d\n%s%s", code, out, errOut)
	}
}
