package web_test

import (
	"bytes"
	"net/http"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"
)

// allocatedBy returns the bytes allocated in the process (test client and
// server alike) while f ran.
func allocatedBy(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

var tableCell = regexp.MustCompile(`<t[hd][^>]*>([^<]*)</t[hd]>`)

// Issue 14 item 4: a CSV upload cannot make a huge evidence page. 10 MB of
// commas (one record of ten million fields) made a 210 MB page, 12 s and
// +1 GB per view; one huge cell made a page as large as the file. Now the
// page stays small, says what was cut, links the whole file, and a view
// allocates little more than reading the file from the database does.
func TestEvidenceCSVViewerIsBounded(t *testing.T) {
	e := newWebEnv(t)
	b := e.signedIn(e.owner)
	o := "/o/" + e.org
	const size = 10 << 20
	files := []struct {
		name   string
		data   []byte
		notice string
	}{
		{"commas.csv", bytes.Repeat([]byte(","), size),
			"Showing the first 50 of 10,485,761 columns."},
		{"huge-cell.csv", append([]byte("title,note\n"), append(bytes.Repeat([]byte("<b>&"), size/4), ",short\n"...)...),
			"Long cells are shortened."},
		{"wide-and-long.csv", bytes.Repeat([]byte(strings.Repeat("abcdefgh,", 199)+"abcdefgh\n"), size/1800),
			"Showing the first 200 of 5,824 rows and 50 of 200 columns."},
	}
	for _, f := range files {
		t.Run(f.name, func(t *testing.T) {
			up := b.upload(o+"/evidence/upload", map[string]string{"title": f.name}, f.name, f.data).must(t, http.StatusOK)
			item := o + "/evidence/" + idFromURL(t, up)

			var file, view page
			fileAlloc := allocatedBy(func() { file = b.get(item+"/file").must(t, http.StatusOK) })
			if len(file.Body) != len(f.data) {
				t.Fatalf("the download holds %d bytes of %d", len(file.Body), len(f.data))
			}
			viewAlloc := allocatedBy(func() { view = b.get(item).must(t, http.StatusOK) })
			t.Logf("page %d bytes; allocated %d MB for the view, %d MB for the download", len(view.Body), viewAlloc>>20, fileAlloc>>20)

			if len(view.Body) > 400<<10 {
				t.Errorf("the page is %d bytes (bound 400 KB)", len(view.Body))
			}
			// Reading the file from the database copies it (twice on
			// SQLite); the table may cost a few MB on top, not hundreds.
			if viewAlloc > 3*size {
				t.Errorf("a view allocated %d MB (bound %d MB; the download, read by the client too, %d MB)", viewAlloc>>20, 3*size>>20, fileAlloc>>20)
			}
			if !strings.Contains(view.Body, `id="csv-viewer"`) {
				t.Fatalf("no table:\n%.2000s", view.Body)
			}
			notice := regexp.MustCompile(`(?s)<p class="ev-cut muted" id="csv-cut" role="note">(.*?)</p>`).FindStringSubmatch(view.Body)
			if notice == nil || !strings.Contains(notice[1], f.notice) ||
				!strings.Contains(notice[1], `<a href="`+item+`/file" download>Download the whole file</a>`) {
				t.Fatalf("the cut notice should say %q and link the file; page:\n%.3000s", f.notice, view.Body)
			}
			cells := tableCell.FindAllStringSubmatch(view.Body[strings.Index(view.Body, `id="csv-viewer"`):], -1)
			if len(cells) > 51*201 {
				t.Errorf("%d cells shown", len(cells))
			}
			for _, c := range cells {
				text := strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(c[1])
				if n := utf8.RuneCountInString(text); n > 501 {
					t.Fatalf("a cell of %d characters is shown", n)
				}
			}
		})
	}
}
