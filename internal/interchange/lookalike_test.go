package interchange

import (
	"encoding/csv"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestImportWarnsAboutLookAlikes: a record that copies a live persona under
// a slightly different name, and two records of the file that copy each
// other, are imported all the same, with a warning naming both sides — in
// the dry run's preview and in the import's report.
func TestImportWarnsAboutLookAlikes(t *testing.T) {
	svc := newSvc(t)
	var orig string
	var role string
	var goals []string
	for name, p := range all(t, svc) {
		g, _ := p.Values["goals"].([]string)
		r, _ := p.Values["role_title"].(string)
		if p.ProfileType == "ux" && r != "" && len(g) > 1 && (orig == "" || name < orig) {
			orig, role, goals = name, r, g
		}
	}
	if orig == "" {
		t.Fatal("the demo has no UX persona with a role and goals")
	}
	var b strings.Builder
	w := csv.NewWriter(&b)
	rows := [][]string{{"Name", "Role", "Goals"},
		{orig + " copy", role, strings.Join(goals, ";")},
		{"Quentin Unrelated", "Night-shift courier", "Deliver parcels;Sleep by day"},
		{"Quentin Unrelated too", "Night-shift courier", "Deliver parcels;Sleep by day"}}
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	m := mapping(t, "template: UX persona\ngroup: Product users\nname: Name\nfields:\n  role_title: Role\n  goals: {column: Goals, split: \";\"}\n")
	want := []string{
		fmt.Sprintf("%q (row 2) looks like %q", orig+" copy", orig),
		`"Quentin Unrelated too" (row 4) looks like "Quentin Unrelated" (row 3)`,
	}
	check := func(what string, ws []string) {
		t.Helper()
		for _, s := range want {
			if !slices.ContainsFunc(ws, func(w string) bool { return strings.HasPrefix(w, s) }) {
				t.Errorf("%s: no warning %q in %q", what, s, ws)
			}
		}
	}
	before := len(all(t, svc))
	dry, err := run(t, svc, m, FormatCSV, textOpen(b.String()), true)
	if err != nil {
		t.Fatal(err)
	}
	check("dry run", dry.Warnings)
	rep, err := run(t, svc, m, FormatCSV, textOpen(b.String()), false)
	if err != nil || rep.Created != 3 {
		t.Fatalf("import: %+v %v", rep, err)
	}
	check("import", rep.Warnings)
	if n := len(all(t, svc)); n != before+3 {
		t.Fatalf("%d personas, want %d: a look-alike is imported, not refused", n, before+3)
	}
}
