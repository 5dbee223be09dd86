package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestNotesRenderMarkdownHarmlessly(t *testing.T) {
	e := newWebEnv(t)
	b := e.signedIn(e.owner)
	lead := e.demoPersona("System Lead")
	back := "/o/" + e.org + "/personas/" + lead.ID
	payload := "Confirmed in **three** interviews.\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[click](javascript:alert(1))"
	p := b.post("/o/"+e.org+"/notes", url.Values{"target": {"persona"}, "target_id": {lead.ID}, "body": {payload}, "back": {back}}).must(t, http.StatusOK)
	if !strings.HasPrefix(p.URL, back) || !strings.Contains(p.Body, "<strong>three</strong>") {
		t.Fatalf("note not shown on the persona page (%s)", p.URL)
	}
	for _, bad := range []string{"<script>alert(1)</script>", "<img src=x", `href="javascript`} {
		if strings.Contains(p.Body, bad) {
			t.Errorf("note rendered %q raw", bad)
		}
	}
	// A group note on the group page, an organisation note on the notes page.
	groups := e.demoGroups()
	gp := "/o/" + e.org + "/groups/" + groups[0]
	b.post("/o/"+e.org+"/notes", url.Values{"target": {"group"}, "target_id": {groups[0]}, "body": {"Group decision"}, "back": {gp}}).must(t, http.StatusOK)
	if !strings.Contains(b.get(gp).must(t, http.StatusOK).Body, "Group decision") {
		t.Error("group note missing")
	}
	b.post("/o/"+e.org+"/notes", url.Values{"target": {"org"}, "body": {"Org-wide context"}, "back": {"/o/" + e.org + "/notes"}}).must(t, http.StatusOK)
	if !strings.Contains(b.get("/o/"+e.org+"/notes").Body, "Org-wide context") {
		t.Error("organisation note missing")
	}
	// A viewer cannot add; an outsider cannot see; an offsite "back" is ignored.
	e.signedIn(e.viewer).post("/o/"+e.org+"/notes", url.Values{"target": {"org"}, "body": {"x"}}).must(t, http.StatusForbidden)
	e.signedIn(e.outsider).get("/o/"+e.org+"/notes").must(t, http.StatusNotFound)
	r := b.post("/o/"+e.org+"/notes", url.Values{"target": {"org"}, "body": {"y"}, "back": {"//evil.example/x"}})
	if r.Status != http.StatusOK || strings.Contains(r.URL, "evil") {
		t.Fatalf("offsite back: %d %s", r.Status, r.URL)
	}
}

func TestAuditLogPageForAdmins(t *testing.T) {
	e := newWebEnv(t)
	b := e.signedIn(e.owner)
	lead := e.demoPersona("System Lead")
	b.post("/o/"+e.org+"/personas/"+lead.ID+"/trash", nil).must(t, http.StatusOK)
	p := b.get("/o/"+e.org+"/audit").must(t, http.StatusOK)
	if !strings.Contains(p.Body, `id="audit-log"`) || !strings.Contains(p.Body, "trash") || !strings.Contains(p.Body, e.owner.Email) {
		t.Fatal("the audit page lacks the trash event")
	}
	e.signedIn(e.viewer).get("/o/"+e.org+"/audit").must(t, http.StatusForbidden)
}
