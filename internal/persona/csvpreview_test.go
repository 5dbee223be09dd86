package persona

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// unlimited shows everything of a small file.
var unlimited = CSVLimits{Rows: 1 << 30, Columns: 1 << 30, Cells: 1 << 40, CellChars: 1 << 30, Chars: 1 << 40}

// stdRecords reads data with encoding/csv as the viewer used to (any number
// of fields; lazy or strict quotes), with invalid UTF-8 replaced as the
// preview does.
func stdRecords(data []byte, lazy bool) ([][]string, error) {
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))))
	r.FieldsPerRecord, r.LazyQuotes = -1, lazy
	var out [][]string
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		for i := range rec {
			rec[i] = strings.ToValidUTF8(rec[i], "\uFFFD")
		}
		out = append(out, rec)
	}
}

// previewRecords is the preview as records, the padding taken off again
// (widths from encoding/csv's records).
func previewRecords(p CSVPreview, widths []int) [][]string {
	if p.Header == nil {
		return nil
	}
	out := [][]string{p.Header[:widths[0]]}
	for i, r := range p.Rows {
		out = append(out, r[:widths[i+1]])
	}
	return out
}

// checkAgainstEncodingCSV holds the scanner to encoding/csv: strict, it
// accepts and refuses the same inputs with the same error; lazy, it reads
// the same records.
func checkAgainstEncodingCSV(t *testing.T, data []byte) {
	t.Helper()
	want, wantErr := stdRecords(data, false)
	n, err := CheckCSV(bytes.NewReader(data))
	var pe, wantPE *csv.ParseError
	switch {
	case wantErr == nil && err != nil:
		t.Fatalf("CheckCSV(%q) = %v; encoding/csv accepts it", data, err)
	case wantErr != nil && err == nil:
		t.Fatalf("CheckCSV(%q) accepts it; encoding/csv says %v", data, wantErr)
	case wantErr != nil:
		if !errors.As(err, &pe) || !errors.As(wantErr, &wantPE) || pe.Err != wantPE.Err || pe.Line != wantPE.Line {
			t.Fatalf("CheckCSV(%q) = %v; encoding/csv says %v", data, err, wantErr)
		}
	case n != len(want):
		t.Fatalf("CheckCSV(%q) counted %d records; encoding/csv reads %d", data, n, len(want))
	}

	lazy, err := stdRecords(data, true)
	if err != nil {
		t.Fatalf("encoding/csv with LazyQuotes refuses %q: %v", data, err)
	}
	p, err := PreviewCSV(bytes.NewReader(data), unlimited)
	if err != nil {
		t.Fatalf("PreviewCSV(%q): %v", data, err)
	}
	if len(lazy) == 0 {
		if p.Header != nil || p.TotalRows != 0 {
			t.Fatalf("PreviewCSV(%q) = %+v; encoding/csv reads no record", data, p)
		}
		return
	}
	widths := make([]int, len(lazy))
	maxWidth := 0
	for i, r := range lazy {
		widths[i] = len(r)
		maxWidth = max(maxWidth, len(r))
	}
	if p.TotalRows != len(lazy)-1 || p.TotalColumns != maxWidth || p.Cut() {
		t.Fatalf("PreviewCSV(%q): %d rows of %d columns (cut %v); encoding/csv reads %d of %d", data, p.TotalRows, p.TotalColumns, p.Cut(), len(lazy)-1, maxWidth)
	}
	for _, r := range append([][]string{p.Header}, p.Rows...) {
		if len(r) != maxWidth {
			t.Fatalf("PreviewCSV(%q): a row of %d cells in a table of %d columns", data, len(r), maxWidth)
		}
	}
	if diff := cmp.Diff(lazy, previewRecords(p, widths)); diff != "" {
		t.Fatalf("PreviewCSV(%q) differs from encoding/csv (-csv +preview):\n%s", data, diff)
	}
}

var csvSeeds = []string{
	"a,b\n1,2\n",
	"respondent,answer\n1,\"yes, always\"\n2,no\n",
	"a,b\n1\n",
	"a,b\r\n1,2\r\n",
	"\xEF\xBB\xBFbank,score\nTier-1,4\n",
	"a,\"b\nc",
	"a,\"multi\r\nline\",c\n",
	"\n\na,b\n\n\n1,2\n\n",
	"a,b",
	"a,b\r",
	"a,\r\n",
	",,,\n,,\n",
	"a b \"c\" d\n",
	"\"a\"b,c\n",
	"\"a\"\"b\",c\n",
	"\"\"\n",
	"\"",
	"x\r\ry\n",
	"x\ry,z\n",
	"\"a\"\r\n\"b\"",
	"\"unterminated\nstill\n",
	"caf\xe9,\xff\n",
	" ",
	"\r\n",
	"\"a\" ,b\n",
}

func TestCSVScannerAgreesWithEncodingCSV(t *testing.T) {
	for _, s := range csvSeeds {
		checkAgainstEncodingCSV(t, []byte(s))
	}
}

// FuzzCSVScanner: whatever the bytes, upload validation (strict) accepts and
// refuses exactly what encoding/csv does, and the viewer (lazy) reads the
// same records.
func FuzzCSVScanner(f *testing.F) {
	for _, s := range csvSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if tooBigToFuzz(len(data), 2048) {
			return
		}
		checkAgainstEncodingCSV(t, data)
	})
}

func TestPreviewCSVLimitsAndNotice(t *testing.T) {
	var b strings.Builder
	b.WriteString(strings.Repeat("h,", 3000) + "h\n")
	for i := range 1234 {
		if i == 3 {
			b.WriteString(strings.Repeat("é", 700) + ",short\n")
			continue
		}
		b.WriteString("1,2,3\n")
	}
	p, err := PreviewCSV(strings.NewReader(b.String()), DefaultCSVLimits)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Header) != 50 || len(p.Rows) != 200 || p.TotalRows != 1234 || p.TotalColumns != 3001 || !p.CellsCut {
		t.Fatalf("preview: %d columns, %d of %d rows, %d columns in all, cut cells %v", len(p.Header), len(p.Rows), p.TotalRows, p.TotalColumns, p.CellsCut)
	}
	if got := p.Rows[3][0]; got != strings.Repeat("é", 500)+"…" {
		t.Errorf("long cell shown as %d characters: %.20q…", len([]rune(got)), got)
	}
	if len(p.Rows[0]) != 50 || p.Rows[0][2] != "3" || p.Rows[0][3] != "" {
		t.Errorf("short rows are not padded to the table's width: %q", p.Rows[0][:5])
	}
	want := "Showing the first 200 of 1,234 rows and 50 of 3,001 columns; long cells are shortened."
	if got := p.Notice(); got != want {
		t.Errorf("notice %q, want %q", got, want)
	}

	notices := []struct {
		data string
		lim  CSVLimits
		want string
	}{
		{"a,b\n1,2\n", DefaultCSVLimits, ""},
		{"a,b\n1,2\n3,4\n5,6\n", CSVLimits{Rows: 2, Columns: 50, Cells: 100, CellChars: 10, Chars: 1000}, "Showing the first 2 of 3 rows."},
		{"a,b,c\n1,2,3\n", CSVLimits{Rows: 2, Columns: 2, Cells: 100, CellChars: 10, Chars: 1000}, "Showing the first 2 of 3 columns."},
		{"abcdef\n", CSVLimits{Rows: 2, Columns: 2, Cells: 100, CellChars: 3, Chars: 1000}, "Long cells are shortened."},
		// The cell budget: rows stop before they would exceed it.
		{"a,b\n1,2\n3,4\n5,6\n", CSVLimits{Rows: 100, Columns: 2, Cells: 5, CellChars: 10, Chars: 1000}, "Showing the first 2 of 3 rows."},
		// The character budget, checked before each row.
		{"a\n12345\n12345\n12345\n", CSVLimits{Rows: 100, Columns: 2, Cells: 100, CellChars: 10, Chars: 10}, "Showing the first 2 of 3 rows."},
	}
	for _, n := range notices {
		p, err := PreviewCSV(strings.NewReader(n.data), n.lim)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.Notice(); got != n.want {
			t.Errorf("%q with %+v: notice %q, want %q", n.data, n.lim, got, n.want)
		}
	}
	for n, want := range map[int]string{0: "0", 7: "7", 999: "999", 1000: "1,000", 1234567: "1,234,567", -4500: "-4,500"} {
		if got := Thousands(n); got != want {
			t.Errorf("Thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

// allocated returns the bytes allocated while f ran.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// hostileCSVs are 10 MB files that cost encoding/csv (and the page) in
// proportion to their fields: one line of commas, one huge cell, a quoted
// cell of doubled quotes, and many short lines.
func hostileCSVs() map[string][]byte {
	const size = 10 << 20
	return map[string][]byte{
		"commas":        bytes.Repeat([]byte(","), size),
		"one huge cell": append([]byte("title\n"), bytes.Repeat([]byte("x"), size)...),
		"quotes":        append(append([]byte(`"`), bytes.Repeat([]byte(`""`), size/2)...), '"'),
		"many lines":    bytes.Repeat([]byte("a,b,c,d\n"), size/8),
	}
}

// Issue 14 item 4: reading a hostile 10 MB file allocates a bounded amount
// (its buffers and the cells shown), not memory in proportion to its
// fields: encoding/csv took several hundred MB for the commas.
func TestCSVScannerMemoryIsBounded(t *testing.T) {
	const bound = 2 << 20
	for name, data := range hostileCSVs() {
		var p CSVPreview
		if got := allocated(func() {
			var err error
			if p, err = PreviewCSV(bytes.NewReader(data), DefaultCSVLimits); err != nil {
				t.Fatal(err)
			}
		}); got > bound {
			t.Errorf("%s: PreviewCSV allocated %d bytes (bound %d)", name, got, bound)
		}
		if !p.Cut() || p.Notice() == "" {
			t.Errorf("%s: nothing was cut: %+v", name, p.Notice())
		}
		if got := allocated(func() {
			if _, err := CheckCSV(bytes.NewReader(data)); err != nil {
				t.Fatal(err)
			}
		}); got > bound {
			t.Errorf("%s: CheckCSV allocated %d bytes (bound %d)", name, got, bound)
		}
	}
}

func BenchmarkPreviewCSV(b *testing.B) {
	for name, data := range hostileCSVs() {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := PreviewCSV(bytes.NewReader(data), DefaultCSVLimits); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
