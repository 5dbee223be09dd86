package persona

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestValidateEvidence(t *testing.T) {
	file := &EvidenceFile{Name: "a.pdf", ContentType: "application/pdf", Size: 9}
	tests := []struct {
		name   string
		in     Evidence
		fields []string // wanted error fields; nil means valid
	}{
		{"link", Evidence{Kind: EvidenceWebLink, Title: " Report ", URL: "https://example.com/r"}, nil},
		{"quote", Evidence{Kind: EvidenceQuote, Title: "Q", Quote: "It takes four days.", Speaker: "System lead"}, nil},
		{"study", Evidence{Kind: EvidenceStudy, Title: "Interviews", Method: MethodInterview, Participants: 12, CollectedOn: "2026-09-14"}, nil},
		{"document", Evidence{Kind: EvidenceDocument, Title: "Deck", File: file}, nil},
		{"unknown kind", Evidence{Kind: "video", Title: "x"}, []string{"kind"}},
		{"no title", Evidence{Kind: EvidenceWebLink, Title: "  ", URL: "https://example.com"}, []string{"title"}},
		{"bad date", Evidence{Kind: EvidenceWebLink, Title: "x", URL: "https://example.com", CollectedOn: "14/09/2026"}, []string{"collected_on"}},
		{"link without url", Evidence{Kind: EvidenceWebLink, Title: "x"}, []string{"url"}},
		{"javascript url", Evidence{Kind: EvidenceWebLink, Title: "x", URL: "javascript:alert(1)"}, []string{"url"}},
		{"quote without text", Evidence{Kind: EvidenceQuote, Title: "x"}, []string{"quote"}},
		{"study without method", Evidence{Kind: EvidenceStudy, Title: "x"}, []string{"method"}},
		{"negative participants", Evidence{Kind: EvidenceStudy, Title: "x", Method: MethodSurvey, Participants: -1}, []string{"participants"}},
		{"document without file", Evidence{Kind: EvidenceDocument, Title: "x"}, []string{"file"}},
		{"fields of another kind", Evidence{Kind: EvidenceQuote, Title: "x", Quote: "q", URL: "https://example.com", Method: MethodSurvey, File: file},
			[]string{"url", "method", "file"}},
		{"control characters", Evidence{Kind: EvidenceQuote, Title: "x\x02", Quote: "q"}, []string{"title"}},
		{"too many tags", Evidence{Kind: EvidenceQuote, Title: "x", Quote: "q", Tags: strings.Split("a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s,t,u", ",")}, []string{"tags"}},
		{"long tag", Evidence{Kind: EvidenceQuote, Title: "x", Quote: "q", Tags: []string{strings.Repeat("t", 41)}}, []string{"tags"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := tc.in
			err := ValidateEvidence(&e)
			if tc.fields == nil {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				return
			}
			pe, ok := AsError(err)
			if !ok || pe.Code != CodeInvalid {
				t.Fatalf("want invalid, got %v", err)
			}
			var got []string
			for _, f := range pe.Fields {
				got = append(got, f.Field)
			}
			if strings.Join(got, ",") != strings.Join(tc.fields, ",") {
				t.Errorf("error fields %v, want %v (%v)", got, tc.fields, err)
			}
		})
	}
}

func TestValidateEvidenceNormalises(t *testing.T) {
	e := Evidence{Kind: EvidenceQuote, Title: "  Month end  ", Quote: " Four days.\r\nEvery month. ", Tags: []string{" Month End ", "month   end", "", "Audit"}}
	if err := ValidateEvidence(&e); err != nil {
		t.Fatal(err)
	}
	if e.Title != "Month end" || e.Quote != "Four days.\nEvery month." {
		t.Errorf("not trimmed: %q %q", e.Title, e.Quote)
	}
	if strings.Join(e.Tags, "|") != "month end|audit" {
		t.Errorf("tags %q", e.Tags)
	}
	if got := SplitTags(" a, b ,,c "); strings.Join(got, "|") != "a|b|c" {
		t.Errorf("SplitTags %q", got)
	}
}

// Minimal but real file heads of each allowed type.
var (
	pdfBytes  = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
	pngBytes  = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 20)...)
	jpegBytes = append([]byte("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00"), make([]byte, 20)...)
	gifBytes  = append([]byte("GIF89a\x01\x00\x01\x00"), make([]byte, 20)...)
	webpBytes = append([]byte("RIFF\x24\x00\x00\x00WEBPVP8 "), make([]byte, 20)...)
)

func TestSniffUpload(t *testing.T) {
	tests := []struct {
		name, file string
		data       []byte
		want       string // content type; "" means refused
		msg        string // part of the refusal message
	}{
		{"pdf", "report.pdf", pdfBytes, "application/pdf", ""},
		{"pdf without extension", "report", pdfBytes, "application/pdf", ""},
		{"png", "screen.PNG", pngBytes, "image/png", ""},
		{"jpeg", "photo.jpeg", jpegBytes, "image/jpeg", ""},
		{"gif", "anim.gif", gifBytes, "image/gif", ""},
		{"webp", "pic.webp", webpBytes, "image/webp", ""},
		{"text", "notes.txt", []byte("Interview notes\nline two\n"), "text/plain; charset=utf-8", ""},
		{"text without extension", "README", []byte("plain words"), "text/plain; charset=utf-8", ""},
		{"utf-8 text with bom", "notes.txt", []byte("\xEF\xBB\xBFCafé notes"), "text/plain; charset=utf-8", ""},
		{"markdown", "summary.md", []byte("# Findings\n\n- *four* days\n"), "text/markdown; charset=utf-8", ""},
		{"csv", "survey.csv", []byte("respondent,answer\n1,\"yes, always\"\n2,no\n"), "text/csv; charset=utf-8", ""},
		{"ragged csv", "survey.csv", []byte("a,b\n1\n"), "text/csv; charset=utf-8", ""},
		{"path in name", `C:\fakepath\survey.csv`, []byte("a,b\n"), "text/csv; charset=utf-8", ""},

		{"empty", "empty.pdf", nil, "", "is empty"},
		{"html named pdf", "x.pdf", []byte("<!DOCTYPE html><html><script>alert(1)</script></html>"), "", "HTML"},
		{"html named txt", "x.txt", []byte("  <html><body>hi</body></html>"), "", "HTML"},
		{"script tag", "x.md", []byte("<script>alert(1)</script>"), "", "HTML"},
		{"svg", "x.svg", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>`), "", "XML"},
		{"zip", "x.csv", []byte("PK\x03\x04\x14\x00\x00\x00\x08\x00"), "", "cannot be added"},
		{"executable", "x.txt", []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00"), "", "cannot be added"},
		{"nul byte in text", "x.txt", []byte("abc\x00def"), "", "cannot be added"},
		{"latin-1 text", "x.txt", []byte("caf\xe9 cr\xe8me"), "", "not UTF-8"},
		{"utf-16 text", "x.txt", []byte("\xFF\xFEh\x00i\x00"), "", "cannot be added"},
		{"text named pdf", "x.pdf", []byte("just words"), "", "named .pdf but its content is plain text"},
		{"pdf named png", "x.png", pdfBytes, "", "named .png but its content is a PDF"},
		{"text named html", "x.html", []byte("just words"), "", "extension .html"},
		{"broken csv", "x.csv", []byte("a,\"b\nc"), "", "not valid CSV"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := SniffUpload(tc.file, tc.data)
			if tc.want == "" {
				pe, ok := AsError(err)
				if !ok || pe.Code != CodeInvalid || len(pe.Fields) != 1 || pe.Fields[0].Field != "file" {
					t.Fatalf("want an invalid file error, got %v (%+v)", err, f)
				}
				if !strings.Contains(pe.Fields[0].Message, tc.msg) {
					t.Errorf("message %q does not say %q", pe.Fields[0].Message, tc.msg)
				}
				return
			}
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if f.ContentType != tc.want || f.Size != int64(len(tc.data)) {
				t.Errorf("got %+v, want type %s", f, tc.want)
			}
			if strings.ContainsAny(f.Name, `/\`) {
				t.Errorf("name keeps a path: %q", f.Name)
			}
		})
	}
}

func TestFileHelpers(t *testing.T) {
	if got := CleanFileName("../../etc/passwd"); got != "passwd" {
		t.Errorf("CleanFileName path: %q", got)
	}
	if got := CleanFileName(" \x01\"quoted\".pdf "); got != "quoted.pdf" {
		t.Errorf("CleanFileName controls: %q", got)
	}
	if got := CleanFileName(".."); got != "upload" {
		t.Errorf("CleanFileName dots: %q", got)
	}
	long := CleanFileName(strings.Repeat("x", 300) + ".pdf")
	if len([]rune(long)) != MaxFileNameLength || !strings.HasSuffix(long, ".pdf") {
		t.Errorf("long name %d %q", len(long), long[len(long)-8:])
	}
	for n, want := range map[int64]string{20 << 20: "20 MB", 1536: "1.5 KB", 1: "1 byte", 300: "300 bytes"} {
		if got := FormatBytes(n); got != want {
			t.Errorf("FormatBytes(%d) = %q, want %q", n, got, want)
		}
	}
	f := EvidenceFile{Name: "Interview notes é.pdf", ContentType: "application/pdf"}
	if d := f.Disposition(true); !strings.HasPrefix(d, "inline; filename*=") || !strings.Contains(d, "%C3%A9") {
		t.Errorf("disposition %q", d)
	}
	if d := (EvidenceFile{Name: "a.csv"}).Disposition(false); d != "attachment; filename=a.csv" {
		t.Errorf("disposition %q", d)
	}
	if v := f.Viewer(); v != "pdf" {
		t.Errorf("viewer %q", v)
	}
	if !strings.Contains(UploadAccept(), ".webp") {
		t.Error("accept list misses webp")
	}
	// Serving: a PDF shown inline may be framed by our pages and is not
	// sandboxed (browsers' PDF viewers refuse to run sandboxed); everything
	// else is sandboxed; downloads may not be framed at all.
	pdf := EvidenceFile{Name: "a.pdf", ContentType: "application/pdf"}.Headers(true)
	if pdf.ContentSecurity != "frame-ancestors 'self'" || pdf.FrameOptions != "SAMEORIGIN" || pdf.ContentTypeOptions != "nosniff" ||
		pdf.ContentType != "application/pdf" || !strings.HasPrefix(pdf.ContentDisposition, "inline") {
		t.Errorf("inline PDF headers %+v", pdf)
	}
	img := EvidenceFile{Name: "a.png", ContentType: "image/png"}.Headers(true)
	if !strings.Contains(img.ContentSecurity, "sandbox") || !strings.Contains(img.ContentSecurity, "default-src 'none'") ||
		!strings.Contains(img.ContentSecurity, "frame-ancestors 'self'") {
		t.Errorf("inline image headers %+v", img)
	}
	dl := EvidenceFile{Name: "a.pdf", ContentType: "application/pdf"}.Headers(false)
	if !strings.Contains(dl.ContentSecurity, "sandbox") || !strings.Contains(dl.ContentSecurity, "frame-ancestors 'none'") ||
		dl.FrameOptions != "DENY" || !strings.HasPrefix(dl.ContentDisposition, "attachment") {
		t.Errorf("download headers %+v", dl)
	}
	if h := (EvidenceFile{Name: "x"}).Headers(true); h.ContentType != "application/octet-stream" {
		t.Errorf("untyped file served as %q", h.ContentType)
	}
}

func TestValidateEvidenceLink(t *testing.T) {
	tests := []struct {
		name   string
		in     EvidenceLink
		fields string
	}{
		{"field", EvidenceLink{PersonaID: "p", Field: "values.goals", Stance: StanceSupports, Excerpt: " p. 4 says so "}, ""},
		{"whole persona", EvidenceLink{PersonaID: "p", Stance: StanceContradicts}, ""},
		{"variant field", EvidenceLink{PersonaID: "p", VariantID: "v", Field: "values.tools", Stance: StanceSupports}, ""},
		{"variant without field", EvidenceLink{PersonaID: "p", VariantID: "v", Stance: StanceSupports}, "field"},
		{"bad stance", EvidenceLink{PersonaID: "p", Stance: "maybe"}, "stance"},
		{"bad field", EvidenceLink{PersonaID: "p", Field: "dimensions.x", Stance: StanceSupports}, "field"},
		{"bad key", EvidenceLink{PersonaID: "p", Field: "values.Bad Key", Stance: StanceSupports}, "field"},
		{"no persona", EvidenceLink{Stance: StanceSupports}, "persona_id"},
		{"long excerpt", EvidenceLink{PersonaID: "p", Stance: StanceSupports, Excerpt: strings.Repeat("x", MaxExcerptLength+1)}, "excerpt"},
		{"long page", EvidenceLink{PersonaID: "p", Stance: StanceSupports, Page: strings.Repeat("1", MaxPageRefLength+1)}, "page"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := tc.in
			err := ValidateEvidenceLink(&l)
			var got []string
			if pe, ok := AsError(err); ok {
				for _, f := range pe.Fields {
					got = append(got, f.Field)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, ",") != tc.fields {
				t.Errorf("error fields %v, want %q (%v)", got, tc.fields, err)
			}
		})
	}
}

// coverageDef has five fields in two sections.
var coverageDef = Definition{Sections: []Section{
	{Key: "who", Label: "Who", Labels: map[ProfileType]string{ProfileUX: "Who they are"}, Fields: []Field{
		{Key: "role", Label: "Role", Kind: KindText},
		{Key: "bio", Label: "Bio", Kind: KindMarkdown},
	}},
	{Key: "jobs", Label: "Jobs", Fields: []Field{
		{Key: "goals", Label: "Goals", Kind: KindList},
		{Key: "tools", Label: "Tools", Kind: KindTags},
		{Key: "authority", Label: "Authority", Kind: KindChoice, Options: []string{"alone", "recommends"}},
	}},
}}

func TestComputeCoverage(t *testing.T) {
	values := Values{"role": "System lead", "goals": []string{"Close the day"}, "tools": []string{"excel"}, "authority": "alone"}
	link := func(field string, s Stance) EvidenceLink {
		return EvidenceLink{PersonaID: "p", Field: field, Stance: s}
	}
	links := []EvidenceLink{
		link("values.role", StanceSupports),
		link("values.role", StanceSupports),
		link("values.goals", StanceSupports),
		link("values.goals", StanceContradicts),
		link("values.tools", StanceContradicts),
		link("values.bio", StanceSupports),                                                  // empty field: not counted
		link("", StanceSupports),                                                            // the whole persona: not a field
		{PersonaID: "p", VariantID: "v", Field: "values.authority", Stance: StanceSupports}, // a variant's
	}
	c := ComputeCoverage(coverageDef, ProfileUX, values, links)
	want := CoverageSummary{Filled: 4, Backed: 2, Contradicted: 2, Assumptions: 1, Percent: 50}
	if c.CoverageSummary != want {
		t.Errorf("summary %+v, want %+v", c.CoverageSummary, want)
	}
	states := map[string]FieldState{}
	for _, f := range c.Fields {
		states[f.Key] = f.State
	}
	wantStates := map[string]FieldState{"role": FieldBacked, "bio": FieldEmpty, "goals": FieldContested, "tools": FieldContradicted, "authority": FieldAssumption}
	for k, s := range wantStates {
		if states[k] != s {
			t.Errorf("%s: state %s, want %s", k, states[k], s)
		}
	}
	if f := c.Field("role"); f.Supports != 2 || f.Section != "Who they are" || f.Path != "values.role" || !f.Backed() {
		t.Errorf("role: %+v", f)
	}
	if got := c.InState(FieldAssumption); len(got) != 1 || got[0].Key != "authority" {
		t.Errorf("assumptions %+v", got)
	}
	if c.Field("nope").Key != "" {
		t.Error("unknown field found")
	}

	// Attaching a supporting item to the assumption raises coverage.
	c2 := ComputeCoverage(coverageDef, ProfileUX, values, append(links, link("values.authority", StanceSupports)))
	if c2.Percent != 75 || c2.Backed != 3 || c2.Assumptions != 0 {
		t.Errorf("after a new link: %+v", c2.CoverageSummary)
	}
	// Nothing filled: 0 %, no division by zero.
	if c0 := ComputeCoverage(coverageDef, ProfileUX, nil, links); c0.Percent != 0 || c0.Filled != 0 {
		t.Errorf("empty persona: %+v", c0.CoverageSummary)
	}
	// Sums across personas.
	total := c.CoverageSummary.Add(c2.CoverageSummary)
	if total.Filled != 8 || total.Backed != 5 || total.Percent != 63 {
		t.Errorf("sum %+v", total)
	}
}

func TestComputeVariantCoverage(t *testing.T) {
	base := Content{Values: Values{"role": "System lead", "authority": "alone", "goals": []string{"Close the day"}}}
	v := Variant{ID: "v1", VariantContent: VariantContent{Values: Values{"authority": "recommends"}}}
	links := []EvidenceLink{
		{PersonaID: "p", Field: "values.role", Stance: StanceSupports},      // base, not overridden: counts
		{PersonaID: "p", Field: "values.authority", Stance: StanceSupports}, // base, overridden: does not count
		{PersonaID: "p", VariantID: "v1", Field: "values.authority", Stance: StanceContradicts},
		{PersonaID: "p", VariantID: "v2", Field: "values.goals", Stance: StanceSupports}, // another variant
	}
	c := ComputeVariantCoverage(coverageDef, ProfileUX, base, v, links)
	if c.Filled != 3 || c.Backed != 1 || c.Contradicted != 1 || c.Field("authority").State != FieldContradicted || c.Field("goals").State != FieldAssumption {
		t.Errorf("variant coverage %+v", c)
	}
}

func TestEvidenceEntry(t *testing.T) {
	e := Evidence{ID: "e1", OrgID: "o", Kind: EvidenceQuote, Title: "Month end", Quote: "Four days every month", Speaker: "Lead", Tags: []string{"month end"}}
	en := EvidenceEntry(e, "")
	if en.Kind != EntryEvidence || en.RefID != "e1" || en.Title != "Month end" || !strings.Contains(en.Body, "Four days") || !strings.Contains(en.Body, "month end") {
		t.Errorf("entry %+v", en)
	}
	big := strings.Repeat("word ", maxEvidenceTextBody)
	en = EvidenceEntry(Evidence{ID: "e2", Kind: EvidenceDocument, Title: "Notes", File: &EvidenceFile{Name: "n.txt"}}, big)
	if len(en.Body) > maxEvidenceTextBody+100 || !bytes.Contains([]byte(en.Body), []byte("n.txt")) {
		t.Errorf("document entry body %d chars", len(en.Body))
	}
}

// FuzzSniffUpload: whatever the name and bytes, SniffUpload never panics,
// accepts only the allowed types, never accepts what a browser would sniff
// as HTML, and accepts text only when it is UTF-8 without NUL bytes.
func FuzzSniffUpload(f *testing.F) {
	f.Add("report.pdf", pdfBytes)
	f.Add("x.pdf", []byte("<html><script>alert(1)</script>"))
	f.Add("notes.md", []byte("# Title\n\n<b>x</b>"))
	f.Add("survey.csv", []byte("a,b\n1,\"2\"\n"))
	f.Add("pic.webp", webpBytes)
	f.Add("", []byte{})
	allowed := map[string]bool{}
	for _, t := range fileTypes {
		allowed[t.ContentType] = true
	}
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		file, err := SniffUpload(name, data)
		if err != nil {
			if e, ok := AsError(err); !ok || e.Code != CodeInvalid {
				t.Fatalf("refusal is not an invalid-input error: %v", err)
			}
			return
		}
		if !allowed[file.ContentType] || file.Size != int64(len(data)) || len(data) == 0 {
			t.Fatalf("accepted %+v", file)
		}
		if strings.HasPrefix(http.DetectContentType(data), "text/html") {
			t.Fatalf("accepted HTML as %s", file.ContentType)
		}
		if strings.HasPrefix(file.ContentType, "text/") && (!utf8.Valid(data) || bytes.IndexByte(data, 0) >= 0) {
			t.Fatalf("accepted non-UTF-8 text as %s", file.ContentType)
		}
		if strings.ContainsAny(file.Name, "/\\\x00") || file.Name == "" {
			t.Fatalf("unsafe name %q", file.Name)
		}
	})
}
