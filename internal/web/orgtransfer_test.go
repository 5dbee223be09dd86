package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestOrgExportAndImportPages: an admin downloads the whole organisation
// (JSON and YAML), checks the file as a new organisation (a report,
// nothing created), a taken address keeps the file and names the field,
// then imports it; a viewer reaches none of it.
func TestOrgExportAndImportPages(t *testing.T) {
	e := newWebEnv(t)
	b := e.signedIn(e.owner)
	p := b.get("/o/"+e.org+"/settings/transfer").must(t, 200)
	if !strings.Contains(p.Body, `id="export-json"`) {
		t.Fatal("no export link")
	}
	y := b.get("/o/"+e.org+"/settings/export.yaml").must(t, 200)
	if !strings.HasPrefix(y.Header.Get("Content-Type"), "application/yaml") || !strings.Contains(y.Header.Get("Content-Disposition"), e.org) {
		t.Fatalf("yaml export headers %v", y.Header)
	}
	j := b.get("/o/"+e.org+"/settings/export.json").must(t, 200)
	if !strings.HasPrefix(j.Body, "{") {
		t.Fatalf("json export %.80s", j.Body)
	}
	p = b.upload("/o/"+e.org+"/settings/import/check", map[string]string{"slug": e.org}, "org.json", []byte(j.Body)).must(t, 422)
	if !strings.Contains(p.Body, `id="org-import-retry"`) || !strings.Contains(p.Body, `aria-invalid="true" aria-describedby="org-import-slug-error"`) {
		t.Fatalf("taken slug: %s", p.Body)
	}
	p = b.post("/o/"+e.org+"/settings/import", url.Values{"op": {"check"}, "slug": {"web-copy"}, "filename": {"org.json"}, "data": {j.Body}}).must(t, 200)
	if !strings.Contains(p.Body, `id="org-import-report"`) || !strings.Contains(p.Body, "/o/web-copy") {
		t.Fatalf("check: %s", p.Body)
	}
	if b.get("/o/web-copy").Status != http.StatusNotFound {
		t.Fatal("the check created the organisation")
	}
	p = b.post("/o/"+e.org+"/settings/import", url.Values{"slug": {"web-copy"}, "filename": {"org.json"}, "data": {j.Body}}).must(t, 200)
	if !strings.HasSuffix(p.URL, "/o/web-copy") || !strings.Contains(p.Body, "You are its owner") {
		t.Fatalf("import landed on %s", p.URL)
	}
	v := e.signedIn(e.viewer)
	for _, path := range []string{"/o/" + e.org + "/settings/transfer", "/o/" + e.org + "/settings/export.json"} {
		if p := v.get(path); p.Status != http.StatusForbidden {
			t.Errorf("viewer %s: %d", path, p.Status)
		}
	}
}
