package web_test

import (
	"context"
	"encoding/csv"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// auditRows returns the audit table's rows as "action kind summary".
func auditRows(t *testing.T, body string) []string {
	t.Helper()
	var out []string
	tags := regexp.MustCompile(`<[^>]+>`)
	for _, m := range regexp.MustCompile(`(?s)<tr><td><time.*?</td><td>.*?</td>\s*<td>(.*?)</td>\s*<td class="audit-object"><span class="audit-kind">(.*?)</span>.*?</td>\s*<td class="audit-summary">(.*?)</td></tr>`).FindAllStringSubmatch(body, -1) {
		out = append(out, html.UnescapeString(m[1]+" "+m[2]+" "+tags.ReplaceAllString(m[3], "")))
	}
	return out
}

func TestAuditPageFiltersAndDownloads(t *testing.T) {
	e := newWebEnv(t)
	ctx := context.Background()
	owner := e.actor(e.owner)
	g, err := e.svc.CreateGroup(ctx, owner, e.org, app.GroupInput{Name: "=1+2 formula group"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.DeleteGroup(ctx, owner, e.org, g.ID); err != nil {
		t.Fatal(err)
	}
	b := e.signedIn(e.owner)
	base := "/o/" + e.org + "/audit"

	p := b.get(base).must(t, http.StatusOK)
	for _, want := range []string{`id="audit-filters"`, `name="action"`, `name="object_kind"`, `name="actor"`, `name="since"`, `name="until"`,
		`href="` + base + `?format=csv"`, `href="` + base + `?format=jsonl"`, ">Download CSV<", ">Download JSONL<"} {
		if !strings.Contains(p.Body, want) {
			t.Fatalf("audit page lacks %s:\n%s", want, p.Body)
		}
	}
	if rows := auditRows(t, p.Body); len(rows) < 2 || rows[0] != "delete group =1+2 formula group" || rows[1] != "create group =1+2 formula group" {
		t.Fatalf("newest rows %q", rows)
	}

	// Filtered: only group deletions; the downloads keep the filter.
	q := url.Values{"action": {"delete"}, "object_kind": {"group"}, "actor": {e.owner.Email}}
	p = b.get(base+"?"+q.Encode()).must(t, http.StatusOK)
	if rows := auditRows(t, p.Body); len(rows) != 1 || rows[0] != "delete group =1+2 formula group" {
		t.Fatalf("filtered rows %q", rows)
	}
	q.Set("format", "csv")
	if !strings.Contains(p.Body, `href="`+html.EscapeString(base+"?"+q.Encode())+`"`) {
		t.Fatalf("the CSV link drops the filters:\n%s", p.Body)
	}
	// A bad date is explained, not a server error.
	p = b.get(base+"?since=tomorrow").must(t, http.StatusOK)
	if !strings.Contains(p.Body, `id="audit-filter-error"`) || !strings.Contains(p.Body, "2026-01-31") {
		t.Fatalf("bad date not explained:\n%s", p.Body)
	}

	// The CSV download: every entry, oldest first, the formula neutralised.
	d := b.get(base+"?"+q.Encode()).must(t, http.StatusOK)
	if ct := d.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" || !strings.Contains(d.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("download headers %v", d.Header)
	}
	rows, err := csv.NewReader(strings.NewReader(d.Body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[1][4] != "delete" || rows[1][6] != g.ID || rows[1][7] != "'=1+2 formula group" {
		t.Fatalf("csv %q", rows)
	}
	all := b.get(base+"?format=jsonl").must(t, http.StatusOK)
	lines := strings.Split(strings.TrimSuffix(all.Body, "\n"), "\n")
	if all.Header.Get("Content-Type") != "application/jsonl" || len(lines) < 3 || !strings.Contains(lines[0], `"seq":1,`) {
		t.Fatalf("jsonl %s", all.Body)
	}
	// The downloads are recorded, so an admin's export leaves a trace.
	got, err := e.svc.ListAudit(ctx, owner, e.org, app.AuditQuery{ObjectKind: "audit log"}, 0, 10)
	if err != nil || len(got) != 2 || got[0].Summary != "JSONL, "+strconv.Itoa(len(lines))+" entries" || got[1].Summary != "CSV, 1 entries" {
		t.Fatalf("download entries %+v %v", got, err)
	}

	// Editors and viewers get 403, outsiders 404, for the page and the files.
	editor := e.newUser("editor@example.com", "Eddie Editor")
	if _, err := e.svc.AddMember(ctx, app.System, e.org, editor.Email, persona.RoleEditor); err != nil {
		t.Fatal(err)
	}
	for _, who := range []struct {
		acc    account
		status int
	}{{account{editor.Email, "new-user-password-1"}, http.StatusForbidden}, {e.viewer, http.StatusForbidden}, {e.outsider, http.StatusNotFound}} {
		wb := e.signedIn(who.acc)
		for _, path := range []string{base, base + "?format=csv", base + "?format=jsonl"} {
			if r := wb.get(path); r.Status != who.status || strings.Contains(r.Body, "formula group") {
				t.Errorf("%s %s: %d\n%s", who.acc.Email, path, r.Status, r.Body)
			}
		}
	}
}

// The audit log names the objects it records, and those its details quote
// by ID, linking to them; a deleted object reads as its kind and a short
// ID, a trashed persona by name without a link.
func TestAuditPageShowsNamesNotIDs(t *testing.T) {
	e := newWebEnv(t)
	ctx := context.Background()
	owner := e.actor(e.owner)
	lead := e.demoPersona("System Lead")
	designer := e.demoPersona("Product Designer")
	g, err := e.svc.CreateGroup(ctx, owner, e.org, app.GroupInput{Name: "Short-lived group"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.DeleteGroup(ctx, owner, e.org, g.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.TrashPersona(ctx, owner, e.org, designer.ID); err != nil {
		t.Fatal(err)
	}
	org := "/o/" + e.org
	body := e.signedIn(e.owner).get(org+"/audit").must(t, http.StatusOK).Body
	log := element(t, body, "audit-log")

	// "supports persona 01a2…" reads "supports System Lead", linked.
	if strings.Contains(log, "persona "+lead.ID) {
		t.Error("a summary still quotes the System Lead's ID")
	}
	if !strings.Contains(log, `supports <a href="`+org+`/personas/`+lead.ID+`" class="audit-name">System Lead</a>`) {
		t.Error("an evidence link does not name the System Lead")
	}
	// The field an evidence link names reads as its label.
	if !strings.Contains(log, `class="audit-name">System Lead</a>, Pain points</td>`) || strings.Contains(log, ", pain_points") {
		t.Error("an evidence link names its field by key, not by label")
	}
	// A variant quoted in brackets reads "at Big Bank".
	if !regexp.MustCompile(`System Lead</a> at <a href="` + org + `/variants/[^"]+" class="audit-name">Big Bank</a>`).MatchString(log) {
		t.Error("a link to the Big Bank variant does not read \"System Lead at Big Bank\"")
	}
	if regexp.MustCompile(`\(variant [0-9a-f-]{36}\)`).MatchString(log) {
		t.Error("a summary still quotes a variant's ID")
	}
	// Each entry's own object by name.
	if !strings.Contains(log, `<span class="audit-kind">persona</span> <a href="`+org+`/personas/`+lead.ID+`" class="audit-name">System Lead</a>`) {
		t.Error("the System Lead's entries do not name it")
	}
	// Deleted: kind and a short ID, with the whole ID for who needs it.
	short := g.ID[:4] + "…" + g.ID[len(g.ID)-5:]
	if !strings.Contains(log, `<span class="audit-gone" title="`+g.ID+`">deleted · `+short+`</span>`) {
		t.Errorf("the deleted group is not shown as deleted · %s", short)
	}
	// Trashed: by name, no link, marked.
	if !strings.Contains(log, `<span class="audit-name">Product Designer</span> <small class="muted">(in trash)</small>`) {
		t.Error("the trashed persona is not named as in the trash")
	}
	// The downloads keep the IDs, for machines.
	csvText := e.signedIn(e.owner).get(org+"/audit?format=csv").must(t, http.StatusOK).Body
	if !strings.Contains(csvText, lead.ID) {
		t.Error("the CSV lost the IDs")
	}
}
