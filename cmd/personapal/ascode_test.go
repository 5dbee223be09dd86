package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// demoTree makes a demo database and exports it as persona-as-code.
func demoTree(t *testing.T) (db, tree string) {
	t.Helper()
	dir := t.TempDir()
	db = filepath.Join(dir, "x.db")
	if code, out, errOut := cli(t, "demo", "--db", db); code != 0 {
		t.Fatalf("demo: %d\n%s%s", code, out, errOut)
	}
	tree = filepath.Join(dir, "tree")
	if code, _, errOut := cli(t, "export", "--db", db, "--org", "ledgerline-demo", "--dir", tree); code != 0 {
		t.Fatalf("export --dir: %d %s", code, errOut)
	}
	return db, tree
}

// editYAML loads a file, lets edit change it, and writes it back as YAML.
func editYAML(t *testing.T, path string, edit func(m map[string]any)) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := yaml.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	out, err := yaml.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

func variantFor(m map[string]any, key, value string) map[string]any {
	for _, v := range m["variants"].([]any) {
		if vm := v.(map[string]any); fmt.Sprint(vm[key]) == value {
			return vm
		}
	}
	return nil
}

// orgJSON exports the organisation as a JSON document without its time.
func orgJSON(t *testing.T, db string) string {
	t.Helper()
	code, out, errOut := cli(t, "export", "--db", db, "--org", "ledgerline-demo", "--format", "json")
	if code != 0 {
		t.Fatalf("export: %d %s", code, errOut)
	}
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if !strings.Contains(l, `"exported_at"`) {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}

type exportedPersona struct {
	Name     string         `json:"name"`
	Values   map[string]any `json:"values"`
	Variants []struct {
		CustomerLabel string         `json:"customer_label"`
		Values        map[string]any `json:"values"`
	} `json:"variants"`
	Notes []struct {
		Body string `json:"body"`
	} `json:"notes"`
}

func personaNamed(t *testing.T, db, name string) exportedPersona {
	t.Helper()
	var doc struct {
		Personas []exportedPersona `json:"personas"`
	}
	if err := json.Unmarshal([]byte(orgJSON(t, db)), &doc); err != nil {
		t.Fatal(err)
	}
	for _, p := range doc.Personas {
		if p.Name == name {
			return p
		}
	}
	t.Fatalf("no persona %q", name)
	return exportedPersona{}
}

// TestPersonaAsCodeAppliesVariantAndNoteEditsAndWritesRevisionsBack edits a
// variant, adds a variant and a note to a persona file, applies it, then
// edits the same working copy again without exporting: both applies go
// through, because the first wrote the new revisions (and the new IDs) back
// into the file. A second working copy exported before the second edit is
// refused for the part that changed since.
func TestPersonaAsCodeAppliesVariantAndNoteEditsAndWritesRevisionsBack(t *testing.T) {
	db, tree := demoTree(t)
	lead := filepath.Join(tree, "personas", "system-lead.yaml")
	editYAML(t, lead, func(m map[string]any) {
		fintech := variantFor(m, "note", "At a fintech the System Lead is often also the platform engineer: small team, deploys weekly, automates everything, and wants an API for every screen.")
		fintech["values"].(map[string]any)["team_size"] = 3
		m["variants"] = append(m["variants"].([]any), map[string]any{"customer_label": "Credit union", "note": "Tiny team", "values": map[string]any{"team_size": 1},
			"notes": []any{map[string]any{"body": "Seen at two credit unions"}}})
		m["notes"] = []any{map[string]any{"body": "First note, from a file"}}
	})
	code, out, errOut := cli(t, "import", "--db", db, "--org", "ledgerline-demo", "--dir", tree)
	if code != 0 {
		t.Fatalf("apply: %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"update System Lead (personas/system-lead.yaml)", "update FinTech: values.team_size", "create Credit union",
		"create note on the Credit union variant", "create note\n",
		"applied: 1 updated, 0 created, 14 unchanged (1 updated variant, 1 created variant, 2 created notes)", "wrote the new revisions back"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	raw, _ := os.ReadFile(lead)
	var f map[string]any
	yaml.Unmarshal(raw, &f)
	if fintech := variantFor(f, "customer_id", fmt.Sprint(variantFor(f, "note", "At a fintech the System Lead is often also the platform engineer: small team, deploys weekly, automates everything, and wants an API for every screen.")["customer_id"])); fintech["revision"] != 2 {
		t.Errorf("the fintech variant's revision was not written back: %v", fintech["revision"])
	}
	cu := variantFor(f, "customer_label", "Credit union")
	if cu == nil || cu["id"] == nil || cu["revision"] != 1 || len(f["notes"].([]any)) != 1 || f["notes"].([]any)[0].(map[string]any)["id"] == nil {
		t.Fatalf("the new variant and note did not get their IDs written back:\n%s", raw)
	}
	stale := filepath.Join(filepath.Dir(tree), "stale")
	cli(t, "export", "--db", db, "--org", "ledgerline-demo", "--dir", stale)

	// The same working copy, edited again.
	editYAML(t, lead, func(m map[string]any) {
		m["values"].(map[string]any)["role_title"] = "Head of Reconciliation Platform"
		variantFor(m, "customer_label", "Credit union")["values"].(map[string]any)["team_size"] = 2
		m["notes"].([]any)[0].(map[string]any)["body"] = "First note, edited"
	})
	code, out, errOut = cli(t, "import", "--db", db, "--org", "ledgerline-demo", "--dir", tree)
	if code != 0 || !strings.Contains(out, "changed Role / job title") || !strings.Contains(out, "update Credit union: values.team_size") ||
		!strings.Contains(out, "update note ") || !strings.Contains(out, "1 updated, 0 created, 14 unchanged") {
		t.Fatalf("second edit of the same copy: %d\n%s%s", code, out, errOut)
	}
	p := personaNamed(t, db, "System Lead")
	if p.Values["role_title"] != "Head of Reconciliation Platform" || len(p.Notes) != 1 || p.Notes[0].Body != "First note, edited" {
		t.Fatalf("not applied: %+v", p)
	}
	found := false
	for _, v := range p.Variants {
		if v.CustomerLabel == "Credit union" && v.Values["team_size"] == 2.0 {
			found = true
		}
	}
	if !found {
		t.Fatalf("the new variant's edit did not land: %+v", p.Variants)
	}
	// Applying the written-back copy again changes nothing.
	if code, out, _ := cli(t, "import", "--db", db, "--org", "ledgerline-demo", "--dir", tree); code != 0 || !strings.Contains(out, "0 updated, 0 created, 15 unchanged") {
		t.Fatalf("re-apply: %d\n%s", code, out)
	}
	// The copy exported in between is stale for the parts changed since.
	staleLead := filepath.Join(stale, "personas", "system-lead.yaml")
	editYAML(t, staleLead, func(m map[string]any) {
		m["values"].(map[string]any)["role_title"] = "Head of Reconciliation Platform" // as it is now
		variantFor(m, "customer_label", "Credit union")["note"] = "Edited in an old copy"
	})
	before := orgJSON(t, db)
	code, _, errOut = cli(t, "import", "--db", db, "--org", "ledgerline-demo", "--dir", stale)
	if code != 2 || !strings.Contains(errOut, "personas/system-lead.yaml: variants[2].revision") || !strings.Contains(errOut, "export again") {
		t.Fatalf("stale variant: %d\n%s", code, errOut)
	}
	if orgJSON(t, db) != before {
		t.Fatal("a refused apply wrote something")
	}
}

// TestPersonaAsCodeRefusesWhatFilesCannotChange edits, one at a time, what a
// file cannot change: each apply fails with exit code 2, naming the file,
// the field and what to do instead, and writes nothing.
func TestPersonaAsCodeRefusesWhatFilesCannotChange(t *testing.T) {
	db, tree := demoTree(t)
	before := orgJSON(t, db)
	lead := filepath.Join(tree, "personas", "system-lead.yaml")
	bigBankVariant := "At a big bank the System Lead runs the platform but does not own change: every production change goes through the weekly change advisory board, and segregation of duties is audited twice a year."
	cases := []struct {
		name, file string
		edit       func(m map[string]any)
		want       []string
	}{
		{"template label", "templates/ux-persona.yaml", func(m map[string]any) {
			sec := m["draft"].(map[string]any)["sections"].([]any)[0].(map[string]any)
			sec["label"] = "Renamed in a file"
		}, []string{"templates/ux-persona.yaml: draft", "Template Builder"}},
		{"template version", "templates/ux-persona.yaml", func(m map[string]any) {
			v := m["versions"].([]any)[0].(map[string]any)["definition"].(map[string]any)
			v["dimensions"] = []any{}
		}, []string{"templates/ux-persona.yaml: versions[0]"}},
		{"organisation name", "organisation.yaml", func(m map[string]any) { m["name"] = "Renamed" }, []string{"organisation.yaml: name", "settings"}},
		{"owner", "personas/system-lead.yaml", func(m map[string]any) { m["owner_email"] = "someone@example.com" }, []string{"system-lead.yaml: owner_email"}},
		{"removed variant", "personas/system-lead.yaml", func(m map[string]any) {
			var keep []any
			for _, v := range m["variants"].([]any) {
				if v.(map[string]any)["note"] != bigBankVariant {
					keep = append(keep, v)
				}
			}
			m["variants"] = keep
		}, []string{"system-lead.yaml: variants", "missing from the file", "trash"}},
		{"recorded base", "personas/system-lead.yaml", func(m map[string]any) {
			variantFor(m, "note", bigBankVariant)["base_at_override"].(map[string]any)["dimensions.autonomy"] = 1
		}, []string{"system-lead.yaml: variants[0].base_at_override"}},
		{"unknown variant", "personas/system-lead.yaml", func(m map[string]any) {
			variantFor(m, "note", bigBankVariant)["id"] = "0197f3c2-5b1e-7a3d-9c4e-2f6a8b1d0e37"
		}, []string{"system-lead.yaml: variants[0].id", "no variant"}},
		{"path as a variant ID", "personas/system-lead.yaml", func(m map[string]any) {
			variantFor(m, "note", bigBankVariant)["id"] = "../../x"
		}, []string{"system-lead.yaml: variants[0].id: must be an ID"}},
		{"markup as the persona ID", "personas/system-lead.yaml", func(m map[string]any) { m["id"] = "<script>" }, []string{"system-lead.yaml: id: must be an ID"}},
		{"dot-dot group", "personas/system-lead.yaml", func(m map[string]any) { m["group_id"] = ".." }, []string{"system-lead.yaml: group_id: must be an ID"}},
		{"retired values", "personas/system-lead.yaml", func(m map[string]any) { m["retired"] = map[string]any{"old": "x"} }, []string{"system-lead.yaml: retired"}},
	}
	for _, c := range cases {
		path := filepath.Join(tree, c.file)
		orig, _ := os.ReadFile(path)
		editYAML(t, path, c.edit)
		code, out, errOut := cli(t, "import", "--db", db, "--org", "ledgerline-demo", "--dir", tree)
		os.WriteFile(path, orig, 0o644)
		if code != 2 {
			t.Errorf("%s: exit %d\n%s%s", c.name, code, out, errOut)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(errOut, w) {
				t.Errorf("%s: the error lacks %q:\n%s", c.name, w, errOut)
			}
		}
	}
	_ = lead
	if orgJSON(t, db) != before {
		t.Fatal("a refused apply wrote something")
	}
}

// TestPersonaAsCodeYAMLErrorsNameTheLine breaks files the ways hands do: an
// unclosed quote (the parser notices lines later), an unknown key, a wrong
// type; the error names each file and the right line, with exit code 2.
func TestPersonaAsCodeYAMLErrorsNameTheLine(t *testing.T) {
	db, tree := demoTree(t)
	lead := filepath.Join(tree, "personas", "system-lead.yaml")
	raw, _ := os.ReadFile(lead)
	lines := strings.Split(string(raw), "\n")
	quoteLine := 0
	for i, l := range lines {
		if strings.HasPrefix(l, "  role_title: ") {
			// The quoted value runs on to the next ' three lines down, where
			// the parser stops: the mistake is here, not there.
			lines[i] = `  role_title: 'Reconciliation System Lead`
			quoteLine = i + 1
		}
	}
	if quoteLine == 0 {
		t.Fatalf("no role_title line:\n%s", raw)
	}
	os.WriteFile(lead, []byte(strings.Join(lines, "\n")), 0o644)
	analyst := filepath.Join(tree, "personas", "compliance-analyst.yaml")
	araw, _ := os.ReadFile(analyst)
	os.WriteFile(analyst, []byte("sumary: typo\n"+strings.Replace(string(araw), "revision: ", "revision: two\nx_revision: ", 1)), 0o644)
	code, out, errOut := cli(t, "import", "--db", db, "--org", "ledgerline-demo", "--dir", tree)
	if code != 2 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{
		fmt.Sprintf("personas/system-lead.yaml: line %d: malformed YAML: a quoted value starts on this line and is not closed", quoteLine),
		`personas/compliance-analyst.yaml: line 1: unknown key "sumary"`,
		`unknown key "x_revision"`,
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("the error lacks %q:\n%s", want, errOut)
		}
	}
	// A wrong type alone: named at its line.
	os.WriteFile(analyst, araw, 0o644)
	os.WriteFile(lead, raw, 0o644)
	alines := strings.Split(string(araw), "\n")
	for i, l := range alines {
		if strings.HasPrefix(l, "revision: ") {
			alines[i] = "revision: two"
			os.WriteFile(analyst, []byte(strings.Join(alines, "\n")), 0o644)
			code, _, errOut := cli(t, "import", "--db", db, "--org", "ledgerline-demo", "--dir", tree)
			if want := fmt.Sprintf("personas/compliance-analyst.yaml: line %d: revision: must be a whole number", i+1); code != 2 || !strings.Contains(errOut, want) {
				t.Fatalf("type error: %d, want %q in\n%s", code, want, errOut)
			}
		}
	}
}

// TestExportDirRefusesSymbolicLinks points the directory, its personas/
// folder, one persona file and organisation.yaml at another place in turn:
// export --dir (and import --dir) refuse each with exit code 2, and the
// files at the link's target are untouched.
func TestExportDirRefusesSymbolicLinks(t *testing.T) {
	db, tree := demoTree(t)
	victim := filepath.Join(t.TempDir(), "victim")
	os.MkdirAll(victim, 0o755)
	precious := filepath.Join(victim, "precious.yaml")
	os.WriteFile(precious, []byte("keep: me\n"), 0o644)
	check := func(what string, args ...string) {
		t.Helper()
		code, out, errOut := cli(t, args...)
		if code != 2 || !strings.Contains(errOut, "symbolic link") {
			t.Errorf("%s: exit %d\n%s%s", what, code, out, errOut)
		}
		if b, err := os.ReadFile(precious); err != nil || string(b) != "keep: me\n" {
			t.Fatalf("%s: the link's target was changed: %q %v", what, b, err)
		}
		if entries, _ := os.ReadDir(victim); len(entries) != 1 {
			t.Fatalf("%s: files were written at the link's target: %v", what, entries)
		}
	}
	exportTo := func(dir string) []string {
		return []string{"export", "--db", db, "--org", "ledgerline-demo", "--dir", dir}
	}
	// personas/ is a link.
	personas := filepath.Join(tree, "personas")
	os.RemoveAll(personas)
	if err := os.Symlink(victim, personas); err != nil {
		t.Fatal(err)
	}
	check("linked personas/", exportTo(tree)...)
	check("import from a linked personas/", "import", "--db", db, "--org", "ledgerline-demo", "--dir", tree)
	os.Remove(personas)
	// The directory itself is a link.
	linked := filepath.Join(filepath.Dir(tree), "linked")
	os.Symlink(victim, linked)
	check("linked directory", exportTo(linked)...)
	// One persona file is a link.
	if code, _, errOut := cli(t, exportTo(tree)...); code != 0 {
		t.Fatalf("export: %s", errOut)
	}
	lead := filepath.Join(tree, "personas", "system-lead.yaml")
	os.Remove(lead)
	os.Symlink(precious, lead)
	check("linked persona file", exportTo(tree)...)
	check("import with a linked persona file", "import", "--db", db, "--org", "ledgerline-demo", "--dir", tree)
	os.Remove(lead)
	// organisation.yaml is a link.
	orgFile := filepath.Join(tree, "organisation.yaml")
	os.Remove(orgFile)
	os.Symlink(precious, orgFile)
	check("linked organisation.yaml", exportTo(tree)...)
	os.Remove(orgFile)
	// Without links the export works again and removes only its own stale files.
	stray := filepath.Join(tree, "personas", "gone.yaml")
	os.WriteFile(stray, []byte("x: 1\n"), 0o644)
	if code, _, errOut := cli(t, exportTo(tree)...); code != 0 {
		t.Fatalf("export: %s", errOut)
	}
	if _, err := os.Stat(stray); err == nil {
		t.Fatal("a stale file was kept")
	}
	if _, err := os.Stat(lead); err != nil {
		t.Fatal(err)
	}
}
