package server_test

import (
	"strings"
	"testing"
)

// TestAPIImports: a dry run previews each row (action and problems) and
// warns about the unmapped column; an import with a bad row is a 422
// problem+json naming the row and the column; a good one creates; the
// same file again in update mode writes new revisions, not duplicates; a
// viewer is refused.
func TestAPIImports(t *testing.T) {
	e := newEnv(t)
	mapping := map[string]any{"template": "UX persona", "group": "Product users", "external_id": "ID", "name": "Name",
		"fields": map[string]any{"role_title": "Role", "goals": map[string]any{"column": "Goals", "split": []string{";", "|"}, "strip_bullets": true}}}
	type report struct {
		DryRun   bool     `json:"dry_run"`
		Records  int      `json:"records"`
		ToCreate int      `json:"to_create"`
		ToUpdate int      `json:"to_update"`
		Created  int      `json:"created"`
		Updated  int      `json:"updated"`
		Problems int      `json:"problems"`
		Warnings []string `json:"warnings"`
		Rows     []struct {
			Where    string `json:"where"`
			Action   string `json:"action"`
			Problems []struct {
				Source  string `json:"source"`
				Field   string `json:"field"`
				Message string `json:"message"`
			} `json:"problems"`
		} `json:"rows"`
	}
	bad := "ID,Name,Role,Goals,Age\na1,Api Ann,Clerk,- Close fast|- - Audit,40\na2,Api Bob,,Ship,30\n"
	var r report
	e.must(200, "POST", e.api("/imports?dry_run=true"), e.owner, map[string]any{"format": "csv", "mapping": mapping, "data": bad}).json(t, &r)
	if !r.DryRun || r.Records != 2 || r.ToCreate != 1 || r.Problems != 1 || len(r.Rows) != 2 || r.Rows[0].Action != "create" ||
		r.Rows[1].Action != "" || r.Rows[1].Problems[0].Field != "values.role_title" || r.Rows[1].Problems[0].Source != `column "Role"` {
		t.Fatalf("dry run: %+v", r)
	}
	if len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], `column "Age" is not mapped`) {
		t.Fatalf("warnings %q", r.Warnings)
	}
	p := e.must(422, "POST", e.api("/imports"), e.owner, map[string]any{"format": "csv", "mapping": mapping, "data": bad}).problem(t)
	if len(p.Errors) != 1 || p.Errors[0].Location != `row 3, column "Role"` || !strings.HasPrefix(p.Errors[0].Message, "values.role_title: ") {
		t.Fatalf("problem %+v", p)
	}
	good := strings.Replace(bad, "a2,Api Bob,,", "a2,Api Bob,Dev,", 1)
	e.must(200, "POST", e.api("/imports"), e.owner, map[string]any{"format": "csv", "mapping": mapping, "data": good}).json(t, &r)
	if r.Created != 2 || r.DryRun {
		t.Fatalf("import: %+v", r)
	}
	changed := strings.Replace(good, "Dev", "Lead dev", 1)
	changed = strings.Replace(changed, "Clerk", "Senior clerk", 1)
	e.must(200, "POST", e.api("/imports?mode=update"), e.owner, map[string]any{"format": "csv", "mapping": mapping, "data": changed}).json(t, &r)
	if r.Created != 0 || r.Updated != 2 {
		t.Fatalf("update: %+v", r)
	}
	var list listJSON[personaJSON]
	e.must(200, "GET", e.api("/personas?q=Api"), e.owner, nil).json(t, &list)
	n := 0
	for _, it := range list.Items {
		if strings.HasPrefix(it.Name, "Api ") {
			n++
			if it.Revision != 2 {
				t.Errorf("%s at revision %d, want 2", it.Name, it.Revision)
			}
		}
	}
	if n != 2 {
		t.Fatalf("%d imported personas, want 2 (no duplicates)", n)
	}
	p = e.must(422, "POST", e.api("/imports"), e.owner, map[string]any{"format": "csv", "mapping": map[string]any{"template": "UX persona"}, "data": good}).problem(t)
	if !strings.Contains(strings.Join(p.locations(), " "), "mapping") {
		t.Fatalf("bad mapping: %+v", p)
	}
	e.must(403, "POST", e.api("/imports?dry_run=true"), e.viewer, map[string]any{"format": "csv", "mapping": mapping, "data": good})
}
