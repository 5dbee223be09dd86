package web_test

import (
	"html"
	"net/http"
	"strings"
	"testing"
)

// One appended sentence shows in the history as an insertion, not as the
// old paragraph struck out and the new one written out again; a list
// change shows the items that came and went.
func TestHistoryShowsAnAppendedSentenceAsAnInsertion(t *testing.T) {
	e := newWebEnv(t)
	b := e.signedIn(e.owner)
	p := e.demoPersona("System Lead")
	base := "/o/" + e.org + "/personas/" + p.ID

	f := e.editForm(p)
	f.Set("summary", p.Summary+" Covers the weekend runs too.")
	f.Set("message", "Weekend cover")
	b.post(base, f).must(t, http.StatusOK)

	h := b.get(base+"/history").must(t, http.StatusOK)
	row := element(t, h.Body, "diff")
	i := strings.Index(row, `data-path="summary"`)
	if i < 0 {
		t.Fatalf("no summary change in the diff:\n%s", row)
	}
	summary := row[i:]
	summary = summary[:strings.Index(summary, "</tr>")]
	if !strings.Contains(summary, `<ins class="wd-ins"> Covers the weekend runs too.</ins>`) {
		t.Errorf("the appended sentence is not an insertion:\n%s", summary)
	}
	if strings.Contains(summary, "<del") {
		t.Errorf("something is struck out although only a sentence was appended:\n%s", summary)
	}
	if !strings.Contains(summary, html.EscapeString(p.Summary)) {
		t.Errorf("the unchanged text is not shown as it was:\n%s", summary)
	}
}
