package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestImportWizard walks the wizard over HTTP: the upload suggests
// columns from the header, the preview lists each row's problems and the
// unmapped column, a bad mapping keeps every choice, the import creates,
// and the same file again in update mode writes new revisions. A viewer
// is refused every step.
func TestImportWizard(t *testing.T) {
	e := newWebEnv(t)
	ctx := context.Background()
	b := e.signedIn(e.owner)
	var tmplID, groupID string
	ts, _ := e.svc.ListTemplates(ctx, e.actor(e.owner), e.org)
	for _, tm := range ts {
		if tm.Name == "UX persona" {
			tmplID = tm.ID
		}
	}
	gs, _ := e.svc.ListGroups(ctx, e.actor(e.owner), e.org)
	for _, g := range gs {
		if g.Name == "Product users" {
			groupID = g.ID
		}
	}
	csv := "Person ID,Full name,Job title,Goals,Age\nw1,Wiz One,Clerk,\"- - Automate the close\n- Fewer errors\",40\nw2,Wiz Two,,Ship,30\n"
	p := b.upload("/o/"+e.org+"/import/upload", map[string]string{"template": tmplID, "group": groupID, "mode": "create"}, "people.csv", []byte(csv)).must(t, 200)
	for _, want := range []string{`<option selected>Full name</option>`, `<option selected>Job title</option>`, `<option selected>Person ID</option>`, `people.csv`,
		`Not mapped yet, so not imported: <strong>Age</strong>.`} {
		if !strings.Contains(p.Body, want) {
			t.Fatalf("mapping step lacks %q", want)
		}
	}
	form := url.Values{"template": {tmplID}, "group": {groupID}, "mode": {"create"}, "format": {"csv"}, "filename": {"people.csv"},
		"data": {csv}, "external": {"Person ID"}, "src.name": {"Full name"}, "src.values.role_title": {"Job title"},
		"src.values.goals": {"Goals"}, "split.values.goals": {`\n ;`}, "bullets.values.goals": {"on"}}
	p = b.post("/o/"+e.org+"/import/preview", form).must(t, 200)
	for _, want := range []string{`id="import-warnings"`, `column &#34;Age&#34; is not mapped`, `row 3`, `values.role_title</code> is required`, `disabled`} {
		if !strings.Contains(p.Body, want) {
			t.Fatalf("preview lacks %q:\n%s", want, p.Body)
		}
	}
	// Back to the mapping keeps every choice.
	p = b.post("/o/"+e.org+"/import/map", form).must(t, 200)
	if !strings.Contains(p.Body, `<option selected>Job title</option>`) || !strings.Contains(p.Body, `value="\n ;"`) {
		t.Fatal("the mapping step lost a choice")
	}
	// A run with problems writes nothing and shows the preview again.
	p = b.post("/o/"+e.org+"/import/run", form).must(t, 422)
	if !strings.Contains(p.Body, "Nothing was imported") {
		t.Fatal("run with problems")
	}
	form.Set("data", strings.Replace(csv, "w2,Wiz Two,,", "w2,Wiz Two,Dev,", 1))
	p = b.post("/o/"+e.org+"/import/run", form).must(t, 200)
	if !strings.Contains(p.Body, "2 personas created, 0 personas updated") {
		t.Fatalf("run: %s", p.Body)
	}
	form.Set("mode", "update")
	form.Set("data", strings.NewReplacer("Clerk", "Head clerk", "Dev", "Lead dev").Replace(form.Get("data")))
	p = b.post("/o/"+e.org+"/import/run", form).must(t, 200)
	if !strings.Contains(p.Body, "0 personas created, 2 personas updated") {
		t.Fatalf("update run: %s", p.Body)
	}
	// Another organisation's owner cannot import into this one's group
	// or template through their own wizard: the IDs are not theirs.
	o := e.signedIn(e.outsider)
	p = o.post("/o/"+e.otherOrg+"/import/run", form).must(t, 422)
	if !strings.Contains(p.Body, "lost its file, template or group") || strings.Contains(p.Body, "Product users") {
		t.Fatal("outsider run")
	}
	v := e.signedIn(e.viewer)
	if p := v.get("/o/" + e.org + "/import"); p.Status != http.StatusForbidden {
		t.Fatalf("viewer GET: %d", p.Status)
	}
	if p := v.post("/o/"+e.org+"/import/run", form); p.Status != http.StatusForbidden {
		t.Fatalf("viewer run: %d", p.Status)
	}
}

// TestImportWizardThousandRows: a 1,000-row file goes through the
// preview and the import in one request each, then again in update mode.
func TestImportWizardThousandRows(t *testing.T) {
	e := newWebEnv(t)
	ctx := context.Background()
	b := e.signedIn(e.owner)
	var tmplID, groupID string
	ts, _ := e.svc.ListTemplates(ctx, e.actor(e.owner), e.org)
	for _, tm := range ts {
		if tm.Name == "UX persona" {
			tmplID = tm.ID
		}
	}
	gs, _ := e.svc.ListGroups(ctx, e.actor(e.owner), e.org)
	for _, g := range gs {
		if g.Name == "Product users" {
			groupID = g.ID
		}
	}
	rows := func(role string) string {
		var sb strings.Builder
		sb.WriteString("ID,Name,Role,Goals\n")
		for i := range 1000 {
			fmt.Fprintf(&sb, "t%d,Bulk Person %04d,%s %d,- Goal one\n", i, i, role, i)
		}
		return sb.String()
	}
	form := url.Values{"template": {tmplID}, "group": {groupID}, "mode": {"create"}, "format": {"csv"}, "filename": {"bulk.csv"},
		"data": {rows("Clerk")}, "external": {"ID"}, "src.name": {"Name"}, "src.values.role_title": {"Role"},
		"src.values.goals": {"Goals"}, "bullets.values.goals": {"on"}}
	start := time.Now()
	p := b.post("/o/"+e.org+"/import/preview", form).must(t, 200)
	if !strings.Contains(p.Body, "1000 new personas") {
		t.Fatal("preview of 1,000 rows")
	}
	p = b.post("/o/"+e.org+"/import/run", form).must(t, 200)
	if !strings.Contains(p.Body, "1000 personas created") {
		t.Fatal("import of 1,000 rows")
	}
	form.Set("mode", "update")
	form.Set("data", rows("Lead"))
	p = b.post("/o/"+e.org+"/import/run", form).must(t, 200)
	if !strings.Contains(p.Body, "1000 personas updated") {
		t.Fatal("update of 1,000 rows")
	}
	t.Logf("preview, import and update of 1,000 rows: %s", time.Since(start).Round(time.Millisecond))
}

// TestImportWizardJSONLines: keys become the sources (a key with a space
// is read through a quoted path), and an unmapped key is a warning.
func TestImportWizardJSONLines(t *testing.T) {
	e := newWebEnv(t)
	ctx := context.Background()
	b := e.signedIn(e.owner)
	var tmplID string
	ts, _ := e.svc.ListTemplates(ctx, e.actor(e.owner), e.org)
	for _, tm := range ts {
		if tm.Name == "UX persona" {
			tmplID = tm.ID
		}
	}
	gs, _ := e.svc.ListGroups(ctx, e.actor(e.owner), e.org)
	groupID := gs[0].ID
	data := `{"Full name": "Jay Lines", "role": "Clerk", "photo": "http://x/p.png"}` + "\n"
	p := b.upload("/o/"+e.org+"/import/upload", map[string]string{"template": tmplID, "group": groupID}, "people.jsonl", []byte(data)).must(t, 200)
	if !strings.Contains(p.Body, "JSON Lines") || !strings.Contains(p.Body, `<option selected>Full name</option>`) {
		t.Fatal("mapping step for JSON Lines")
	}
	form := url.Values{"template": {tmplID}, "group": {groupID}, "mode": {"create"}, "format": {"jsonl"}, "filename": {"people.jsonl"},
		"data": {data}, "src.name": {"Full name"}, "src.values.role_title": {"role"}}
	p = b.post("/o/"+e.org+"/import/preview", form).must(t, 200)
	if !strings.Contains(p.Body, `key &#34;photo&#34; is not mapped`) || !strings.Contains(p.Body, "Jay Lines") {
		t.Fatalf("preview: %s", p.Body)
	}
	p = b.post("/o/"+e.org+"/import/run", form).must(t, 200)
	if !strings.Contains(p.Body, "1 persona created") {
		t.Fatal("run")
	}
}
