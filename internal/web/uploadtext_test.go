package web_test

import (
	"strings"
	"testing"
)

// TestUploadedTextRefusals: the import wizard and the organisation import
// refuse a file that is not UTF-8 text, each in its own words, and keep
// the page.
func TestUploadedTextRefusals(t *testing.T) {
	e := newWebEnv(t)
	b := e.signedIn(e.owner)
	latin1 := []byte("Name\nJos\xe9\n")
	p := b.upload("/o/"+e.org+"/import/upload", map[string]string{"mode": "create"}, "people.csv", latin1).must(t, 422)
	if !strings.Contains(p.Body, "The file is not UTF-8 text. Save it as UTF-8") {
		t.Errorf("the wizard's answer to a Latin-1 file:\n%s", between(p.Body, "<main", "</form>"))
	}
	p = b.upload("/o/"+e.org+"/settings/import/check", map[string]string{"slug": "latin", "name": "Latin"}, "export.json", latin1).must(t, 422)
	if !strings.Contains(p.Body, "The file is not an export: it is not UTF-8 text.") {
		t.Errorf("the organisation import's answer to a Latin-1 file:\n%s", between(p.Body, "<main", "</form>"))
	}
}
