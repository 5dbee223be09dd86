package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/demo"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/seed"
	"github.com/personapal/personapal/internal/server"
	"github.com/personapal/personapal/internal/store"
)

// testPDF is a small, well-formed PDF.
var testPDF = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n" +
	"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n" +
	"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >> endobj\n" +
	"trailer << /Root 1 0 R >>\n%%EOF\n")

// testPNG is a 1×1 PNG.
var testPNG = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89" +
	"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")

// multipartBody builds a multipart form with text fields and one file.
func multipartBody(t *testing.T, fields map[string]string, fileName string, data []byte) (*bytes.Buffer, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if fileName != "" {
		fw, err := mw.CreateFormFile("file", fileName)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fw.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return &buf, mw.FormDataContentType()
}

// upload posts a multipart form, same-origin, as the browser's upload form.
func (b *browser) upload(path string, fields map[string]string, fileName string, data []byte) page {
	b.e.t.Helper()
	body, ct := multipartBody(b.e.t, fields, fileName, data)
	req, err := http.NewRequest(http.MethodPost, b.e.srv.URL+path, body)
	if err != nil {
		b.e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Origin", b.e.srv.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return b.do(req)
}

// apiToken makes an API token for an account.
func (e *webEnv) apiToken(a account) string {
	e.t.Helper()
	secret, _, err := e.svc.CreateToken(context.Background(), e.actor(a), "evidence test")
	if err != nil {
		e.t.Fatal(err)
	}
	return secret
}

// apiCall calls the JSON API. body is nil, a *bytes.Buffer sent with
// contentType, or a value sent as JSON.
func (e *webEnv) apiCall(method, path, token string, body any, contentType string) page {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case *bytes.Buffer:
		rd = b
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd, contentType = bytes.NewReader(buf), "application/json"
	}
	req, err := http.NewRequest(method, e.srv.URL+"/api/v1/orgs/"+e.org+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	return e.browser().do(req)
}

func decode[T any](t *testing.T, p page) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(p.Body), &v); err != nil {
		t.Fatalf("decode %s: %v", p.Body, err)
	}
	return v
}

// libraryCount counts the organisation's evidence items.
func (e *webEnv) libraryCount() int {
	e.t.Helper()
	page, err := e.svc.ListEvidence(context.Background(), e.actor(e.owner), e.org, persona.EvidenceFilter{Limit: 500}, "")
	if err != nil {
		e.t.Fatal(err)
	}
	return len(page.Items)
}

// demoEvidence finds a demo evidence item by title.
func (e *webEnv) demoEvidence(title string) persona.Evidence {
	e.t.Helper()
	page, err := e.svc.ListEvidence(context.Background(), e.actor(e.owner), e.org, persona.EvidenceFilter{Limit: 500}, "")
	if err != nil {
		e.t.Fatal(err)
	}
	for _, it := range page.Items {
		if it.Title == title {
			return it
		}
	}
	e.t.Fatalf("no demo evidence %q", title)
	return persona.Evidence{}
}

var (
	coverageFigure = regexp.MustCompile(`id="coverage-figure">(\d+)%<`)
	evidenceURL    = regexp.MustCompile(`^/o/[^/]+/evidence/([0-9a-f-]{36})$`)
)

func figureOf(t *testing.T, p page) int {
	t.Helper()
	m := coverageFigure.FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("no coverage figure on %s:\n%s", p.URL, p.Body)
	}
	var n int
	fmt.Sscan(m[1], &n)
	return n
}

func idFromURL(t *testing.T, p page) string {
	t.Helper()
	m := evidenceURL.FindStringSubmatch(strings.SplitN(p.URL, "#", 2)[0])
	if m == nil {
		t.Fatalf("not on an evidence item page: %s (%d)\n%s", p.URL, p.Status, p.Body)
	}
	return m[1]
}

// Attaching a PDF and a quote to fields raises the persona's coverage, in
// the web app and in the API; the PDF then opens inline.
func TestEvidenceAttachPDFAndQuoteChangesCoverage(t *testing.T) {
	e := newWebEnv(t)
	b := e.signedIn(e.owner)
	bm := e.demoPersona("Branch Manager")
	evPage := "/o/" + e.org + "/personas/" + bm.ID + "/evidence"
	if got := figureOf(t, b.get(evPage).must(t, http.StatusOK)); got != 0 {
		t.Fatalf("Branch Manager starts with %d%% coverage, want 0", got)
	}
	filled := len(bm.Values)
	if _, ok := bm.Values["goals"]; !ok || filled < 3 {
		t.Fatalf("demo Branch Manager has %d values", filled)
	}

	// Upload a PDF: the item page shows it in an inline viewer.
	p := b.upload("/o/"+e.org+"/evidence/upload", map[string]string{"title": "Branch visits report", "tags": "Interviews, branches",
		"collected_on": "2026-05-02"}, "branch-visits.pdf", testPDF).must(t, http.StatusOK)
	pdfID := idFromURL(t, p)
	fileURL := "/o/" + e.org + "/evidence/" + pdfID + "/file"
	if !strings.Contains(p.Body, `<iframe src="`+fileURL+`?inline=1"`) {
		t.Fatalf("no inline PDF viewer on the item page:\n%s", p.Body)
	}
	// Link it to the Goals field from the item page.
	p = b.post("/o/"+e.org+"/evidence/"+pdfID+"/links", url.Values{"persona_id": {bm.ID}, "target": {"values.goals"},
		"stance": {"supports"}, "excerpt": {"Managers want fewer manual checks"}, "page": {"p. 4"}, "back": {"/o/" + e.org + "/evidence/" + pdfID}}).must(t, http.StatusOK)
	if !strings.Contains(p.Body, "Branch Manager</a>") || !strings.Contains(p.Body, "Managers want fewer manual checks") {
		t.Fatalf("the link is not listed on the item page:\n%s", p.Body)
	}
	afterPDF := figureOf(t, b.get(evPage))
	if want := int(math.Round(100 / float64(filled))); afterPDF != want {
		t.Errorf("coverage after the PDF: %d%%, want %d%% (1 of %d fields)", afterPDF, want, filled)
	}

	// Add a quote and attach it from the persona's evidence page.
	p = b.post("/o/"+e.org+"/evidence", url.Values{"kind": {"quote"}, "title": {"Queues at opening"},
		"quote": {"Half my morning goes on the exception queue."}, "speaker": {"Branch manager, savings bank"}}).must(t, http.StatusOK)
	quoteID := idFromURL(t, p)
	field := "pain_points"
	p = b.post(evPage, url.Values{"evidence_id": {quoteID}, "target": {"values." + field}, "stance": {"supports"}}).must(t, http.StatusOK)
	if !strings.HasPrefix(p.URL, evPage) {
		t.Fatalf("attaching did not return to the persona's evidence page: %s", p.URL)
	}
	afterQuote := figureOf(t, p)
	if want := int(math.Round(200 / float64(filled))); afterQuote != want || afterQuote <= afterPDF {
		t.Errorf("coverage after the quote: %d%%, want %d%% (2 of %d fields)", afterQuote, want, filled)
	}
	for _, key := range []string{"goals", field} {
		if !strings.Contains(p.Body, `id="f-`+key+`" class="ev-field st-backed" data-field="`+key+`" data-state="backed"`) {
			t.Errorf("field %s is not shown as backed", key)
		}
	}
	if !strings.Contains(p.Body, `data-state="assumption"`) {
		t.Error("no field is shown as an assumption")
	}

	// The API says the same.
	token := e.apiToken(e.owner)
	cov := decode[struct {
		Percent int `json:"percent"`
		Backed  int `json:"backed"`
		Filled  int `json:"filled"`
		Fields  []struct {
			Key   string `json:"key"`
			State string `json:"state"`
		} `json:"fields"`
	}](t, e.apiCall("GET", "/personas/"+bm.ID+"/coverage", token, nil, "").must(t, http.StatusOK))
	if cov.Percent != afterQuote || cov.Backed != 2 || cov.Filled != filled {
		t.Errorf("API coverage %+v, web said %d%%", cov, afterQuote)
	}

	// The PDF opens inline: its checked type, inline, nosniff, frameable by
	// our own pages only.
	p = b.get(fileURL+"?inline=1").must(t, http.StatusOK)
	h := p.Header
	if h.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(h.Get("Content-Disposition"), "inline") ||
		!strings.Contains(h.Get("Content-Disposition"), `filename=branch-visits.pdf`) || h.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("inline PDF headers: %v", h)
	}
	if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'self'") || strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("inline PDF cannot be framed by the item page: CSP %q", csp)
	}
	if xfo := h.Get("X-Frame-Options"); xfo != "SAMEORIGIN" {
		t.Errorf("inline PDF X-Frame-Options %q", xfo)
	}
	if p.Body != string(testPDF) {
		t.Errorf("PDF bytes changed: %d bytes served", len(p.Body))
	}
	// As a download: attachment, not frameable.
	p = b.get(fileURL).must(t, http.StatusOK)
	if !strings.HasPrefix(p.Header.Get("Content-Disposition"), "attachment") || !strings.Contains(p.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") ||
		p.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("download headers: %v", p.Header)
	}
	// And through the API.
	p = e.apiCall("GET", "/evidence/"+pdfID+"/file?inline=true", token, nil, "").must(t, http.StatusOK)
	if p.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(p.Header.Get("Content-Disposition"), "inline") ||
		p.Header.Get("X-Content-Type-Options") != "nosniff" || p.Body != string(testPDF) {
		t.Errorf("API file: %v (%d bytes)", p.Header, len(p.Body))
	}
	// The library lists both, with tags lower-cased and link counts.
	lib := b.get("/o/"+e.org+"/evidence?tag=interviews").must(t, http.StatusOK)
	if !strings.Contains(lib.Body, `data-evidence="Branch visits report"`) || strings.Contains(lib.Body, `data-evidence="Queues at opening"`) {
		t.Errorf("tag filter:\n%s", lib.Body)
	}
	lib = b.get("/o/"+e.org+"/evidence?kind=quote").must(t, http.StatusOK)
	if !strings.Contains(lib.Body, `data-evidence="Queues at opening"`) || strings.Contains(lib.Body, `data-evidence="Branch visits report"`) {
		t.Errorf("kind filter:\n%s", lib.Body)
	}

	// Unlinking the PDF lowers coverage again.
	links := decode[struct {
		Links []persona.EvidenceLink `json:"links"`
	}](t, e.apiCall("GET", "/evidence/"+pdfID, token, nil, "").must(t, http.StatusOK)).Links
	if len(links) != 1 || links[0].Field != "values.goals" || links[0].FieldLabel == "" {
		t.Fatalf("PDF links %+v", links)
	}
	p = b.post("/o/"+e.org+"/evidence/"+pdfID+"/links/"+links[0].ID+"/delete", url.Values{"back": {evPage}}).must(t, http.StatusOK)
	if got := figureOf(t, p); got != afterPDF {
		t.Errorf("coverage after unlinking the PDF: %d%%, want %d%%", got, afterPDF)
	}
	if !strings.Contains(p.Body, "Link to Branch Manager › Goals removed.") {
		t.Errorf("no message about the removed link:\n%s", p.Body)
	}
}

// smallUploadEnv is the whole server with a 64 KB upload limit.
func smallUploadEnv(t *testing.T) *webEnv {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "small.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := app.New(db, app.WithLogger(log), app.WithPasswordHasher(cheapHasher), app.WithMaxUpload(64<<10))
	creds, err := seed.Demo(ctx, svc, demo.Data())
	if err != nil {
		t.Fatal(err)
	}
	h, err := server.New(svc, db, log)
	if err != nil {
		t.Fatal(err)
	}
	e := &webEnv{t: t, svc: svc, org: creds.OrgSlug, owner: account{creds.Email, creds.Password}}
	e.srv = httptest.NewServer(h)
	t.Cleanup(e.srv.Close)
	return e
}

// An upload over the limit, one whose content is not an allowed type, and
// an empty one each get a clear error, in the web app and the API, and
// nothing is stored.
func TestEvidenceUploadRefusals(t *testing.T) {
	e := smallUploadEnv(t)
	if got := e.svc.MaxUpload(); got != 64<<10 {
		t.Fatalf("WithMaxUpload: limit %d", got)
	}
	b := e.signedIn(e.owner)
	token := e.apiToken(e.owner)
	before := e.libraryCount()
	justOver := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("x"), 64<<10)...)
	wayOver := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("x"), 3<<20)...)
	html := []byte("<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>")

	cases := []struct {
		name   string
		file   string
		data   []byte
		status int
		says   string
	}{
		{"over the limit", "big.pdf", justOver, http.StatusRequestEntityTooLarge, "larger than the 64 KB upload limit"},
		{"far over the limit", "huge.pdf", wayOver, http.StatusRequestEntityTooLarge, "larger than the 64 KB upload limit"},
		{"HTML named .pdf", "x.pdf", html, http.StatusUnprocessableEntity, "is an HTML page, which cannot be added"},
		{"text named .pdf", "notes.pdf", []byte("just some notes"), http.StatusUnprocessableEntity, "named .pdf but its content is plain text"},
		{"empty", "empty.pdf", []byte{}, http.StatusUnprocessableEntity, "is empty"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := b.upload("/o/"+e.org+"/evidence/upload", map[string]string{"title": "Refused " + tc.name}, tc.file, tc.data)
			if p.Status != tc.status {
				t.Fatalf("web: status %d, want %d\n%s", p.Status, tc.status, p.Body)
			}
			if !strings.Contains(p.Body, tc.says) || !strings.Contains(p.Body, `id="evidence-error"`) {
				t.Errorf("web page does not say %q:\n%s", tc.says, p.Body)
			}
			if !strings.Contains(p.Body, `<details class="ev-add-form" id="add-document" open>`) {
				t.Error("the upload form is not shown open again")
			}
			body, ct := multipartBody(t, map[string]string{"title": "Refused " + tc.name}, tc.file, tc.data)
			r := e.apiCall("POST", "/evidence/documents", token, body, ct)
			if r.Status != tc.status || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
				t.Fatalf("API: status %d (%s), want %d problem: %s", r.Status, r.Header.Get("Content-Type"), tc.status, r.Body)
			}
			prob := decode[struct {
				Detail string `json:"detail"`
				Errors []struct {
					Location string `json:"location"`
					Message  string `json:"message"`
				} `json:"errors"`
			}](t, r)
			if len(prob.Errors) != 1 || prob.Errors[0].Location != "body.file" || !strings.Contains(prob.Errors[0].Message, tc.says) {
				t.Errorf("API problem %+v does not say %q at body.file", prob, tc.says)
			}
		})
	}
	if after := e.libraryCount(); after != before {
		t.Fatalf("refused uploads stored %d items", after-before)
	}
	hits, err := e.svc.SearchEntries(context.Background(), e.actor(e.owner), e.org, "Refused", 10)
	if err != nil || len(hits) != 0 {
		t.Fatalf("refused uploads left search entries: %+v %v", hits, err)
	}
	// A file within the limit goes through, in both.
	ok := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("y"), 60<<10)...)
	b.upload("/o/"+e.org+"/evidence/upload", nil, "fits.pdf", ok).must(t, http.StatusOK)
	body, ct := multipartBody(t, map[string]string{"tags": "a, b"}, "fits-too.pdf", ok)
	e.apiCall("POST", "/evidence/documents", token, body, ct).must(t, http.StatusCreated)
	if after := e.libraryCount(); after != before+2 {
		t.Fatalf("%d items added, want 2", after-before)
	}
	// Not multipart, no file: clear 4xx too.
	if r := e.apiCall("POST", "/evidence/documents", token, map[string]string{"title": "x"}, ""); r.Status != http.StatusUnsupportedMediaType {
		t.Errorf("JSON to the upload route: %d %s", r.Status, r.Body)
	}
	body, ct = multipartBody(t, map[string]string{"title": "no file"}, "", nil)
	if r := e.apiCall("POST", "/evidence/documents", token, body, ct); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "body.file") {
		t.Errorf("upload without a file: %d %s", r.Status, r.Body)
	}
}

// Trashing a persona hides its evidence links everywhere; restoring brings
// them back.
func TestEvidenceLinksFollowTheTrash(t *testing.T) {
	e := newWebEnv(t)
	b := e.signedIn(e.owner)
	token := e.apiToken(e.owner)
	lead := e.demoPersona("System Lead")
	study := e.demoEvidence("Reconciliation leads: contextual interviews")
	item := "/o/" + e.org + "/evidence/" + study.ID
	linksOf := func() []persona.EvidenceLink {
		return decode[struct {
			Links []persona.EvidenceLink `json:"links"`
		}](t, e.apiCall("GET", "/evidence/"+study.ID, token, nil, "").must(t, http.StatusOK)).Links
	}
	hasLead := func(ls []persona.EvidenceLink) bool {
		for _, l := range ls {
			if l.PersonaID == lead.ID {
				return true
			}
		}
		return false
	}
	before := linksOf()
	if !hasLead(before) || !strings.Contains(b.get(item).must(t, http.StatusOK).Body, ">System Lead</a>") {
		t.Fatalf("the demo study is not linked to the System Lead: %+v", before)
	}
	covBefore := e.apiCall("GET", "/personas/"+lead.ID+"/coverage", token, nil, "").must(t, http.StatusOK).Body

	b.post("/o/"+e.org+"/personas/"+lead.ID+"/trash", nil).must(t, http.StatusOK)
	during := linksOf()
	if hasLead(during) || len(during) == 0 {
		t.Fatalf("links while the persona is trashed: %+v", during)
	}
	p := b.get(item).must(t, http.StatusOK)
	if strings.Contains(p.Body, ">System Lead</a>") || !strings.Contains(p.Body, ">Compliance Analyst</a>") {
		t.Errorf("item page while the System Lead is trashed:\n%s", p.Body)
	}
	b.get("/o/"+e.org+"/personas/"+lead.ID+"/evidence").must(t, http.StatusNotFound)

	b.post("/o/"+e.org+"/trash/"+lead.ID+"/restore", nil).must(t, http.StatusOK)
	after := linksOf()
	if len(after) != len(before) || !hasLead(after) {
		t.Fatalf("links after restoring: %+v, before %+v", after, before)
	}
	if covAfter := e.apiCall("GET", "/personas/"+lead.ID+"/coverage", token, nil, "").must(t, http.StatusOK).Body; covAfter != covBefore {
		t.Errorf("coverage changed across trash and restore:\n%s\n%s", covBefore, covAfter)
	}
}

// Outsiders see nothing (404); viewers read everything and change nothing
// (403).
func TestEvidenceRoles(t *testing.T) {
	e := newWebEnv(t)
	owner := e.signedIn(e.owner)
	viewer := e.signedIn(e.viewer)
	outsider := e.signedIn(e.outsider)
	doc := e.demoEvidence("Synthesis: month-end reconciliation")
	lead := e.demoPersona("System Lead")
	groups := e.demoGroups()
	o := "/o/" + e.org
	item := o + "/evidence/" + doc.ID
	d, err := e.svc.GetEvidence(context.Background(), e.actor(e.owner), e.org, doc.ID)
	if err != nil || len(d.Links) == 0 {
		t.Fatalf("demo document links: %v %+v", err, d)
	}
	link := d.Links[0]

	reads := []string{o + "/evidence", o + "/evidence?kind=document", item, item + "/file", item + "/file?inline=1",
		o + "/evidence/coverage", o + "/personas/" + lead.ID + "/evidence", o + "/groups/" + groups[0] + "/evidence",
		item + "/targets?persona_id=" + lead.ID}
	for _, path := range reads {
		outsider.get(path).must(t, http.StatusNotFound)
		viewer.get(path).must(t, http.StatusOK)
	}
	viewer.get(item+"/edit").must(t, http.StatusForbidden)
	if p := viewer.get(item); strings.Contains(p.Body, `id="link-form"`) || strings.Contains(p.Body, "Remove link") || strings.Contains(p.Body, `id="delete-evidence"`) {
		t.Error("the item page offers a viewer changes")
	}
	if p := viewer.get(o + "/evidence"); strings.Contains(p.Body, `id="upload-form"`) {
		t.Error("the library offers a viewer the upload form")
	}

	writes := []struct {
		path string
		form url.Values
	}{
		{o + "/evidence", url.Values{"kind": {"quote"}, "title": {"x"}, "quote": {"y"}}},
		{item, url.Values{"kind": {"document"}, "title": {"Renamed by a stranger"}}},
		{item + "/delete", nil},
		{item + "/links", url.Values{"persona_id": {lead.ID}, "target": {"values.goals"}, "stance": {"contradicts"}}},
		{item + "/links/" + link.ID + "/delete", nil},
		{o + "/personas/" + lead.ID + "/evidence", url.Values{"evidence_id": {doc.ID}, "target": {"values.tools"}, "stance": {"supports"}}},
	}
	for _, w := range writes {
		outsider.post(w.path, w.form).must(t, http.StatusNotFound)
		viewer.post(w.path, w.form).must(t, http.StatusForbidden)
	}
	outsider.upload(o+"/evidence/upload", nil, "x.pdf", testPDF).must(t, http.StatusNotFound)
	viewer.upload(o+"/evidence/upload", nil, "x.pdf", testPDF).must(t, http.StatusForbidden)

	// Nothing changed.
	d2, err := e.svc.GetEvidence(context.Background(), e.actor(e.owner), e.org, doc.ID)
	if err != nil || d2.Evidence.Title != doc.Title || len(d2.Links) != len(d.Links) {
		t.Fatalf("viewer or outsider changed the item: %v %+v", err, d2)
	}
	if n := len(e.demoLibrary()); n != 6 {
		t.Fatalf("library has %d items, want the 6 demo ones", n)
	}
	// The owner may do all of it: edit, then delete.
	p := owner.post(item, url.Values{"kind": {"document"}, "title": {"Month-end synthesis"}, "tags": {"synthesis"}}).must(t, http.StatusOK)
	if !strings.Contains(p.Body, `<h1 id="evidence-title">Month-end synthesis</h1>`) {
		t.Errorf("edit not shown:\n%s", p.Body)
	}
	p = owner.post(item, url.Values{"title": {""}})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "Title is required") {
		t.Errorf("empty title: %d\n%s", p.Status, p.Body)
	}
	owner.post(item+"/delete", nil).must(t, http.StatusOK)
	owner.get(item).must(t, http.StatusNotFound)
	owner.get(item+"/file").must(t, http.StatusNotFound)
}

func (e *webEnv) demoLibrary() []persona.Evidence {
	e.t.Helper()
	page, err := e.svc.ListEvidence(context.Background(), e.actor(e.owner), e.org, persona.EvidenceFilter{}, "")
	if err != nil {
		e.t.Fatal(err)
	}
	return page.Items
}

// Text and Markdown render safely, CSV as a table, images inline.
func TestEvidenceViewers(t *testing.T) {
	e := newWebEnv(t)
	b := e.signedIn(e.owner)
	o := "/o/" + e.org

	md := b.get(o+"/evidence/"+e.demoEvidence("Synthesis: month-end reconciliation").ID).must(t, http.StatusOK)
	if !strings.Contains(md.Body, `id="markdown-viewer"`) || !strings.Contains(md.Body, "<strong>three to five days</strong>") {
		t.Errorf("Markdown not rendered:\n%s", md.Body)
	}
	csvPage := b.get(o+"/evidence/"+e.demoEvidence("Rule-change survey: answers by bank").ID).must(t, http.StatusOK)
	if !strings.Contains(csvPage.Body, `<th scope="col">bank_type</th>`) || !strings.Contains(csvPage.Body, "<td>Tier-1 bank</td>") {
		t.Errorf("CSV not shown as a table:\n%s", csvPage.Body)
	}

	hostile := "# Notes\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n[click](javascript:alert(3))\n\nPlain **bold**."
	p := b.upload(o+"/evidence/upload", nil, "hostile.md", []byte(hostile)).must(t, http.StatusOK)
	for _, bad := range []string{"<script>alert(1)", "<img src=x", `href="javascript:`} {
		if strings.Contains(p.Body, bad) {
			t.Errorf("Markdown document rendered %q raw", bad)
		}
	}
	if !strings.Contains(p.Body, "<strong>bold</strong>") {
		t.Error("Markdown document not rendered")
	}
	p = b.upload(o+"/evidence/upload", nil, "notes.txt", []byte("Line one <b>not bold</b>\nLine two")).must(t, http.StatusOK)
	if !strings.Contains(p.Body, `<pre class="ev-text" id="text-viewer">Line one &lt;b&gt;not bold&lt;/b&gt;`) {
		t.Errorf("text not shown escaped:\n%s", p.Body)
	}
	p = b.upload(o+"/evidence/upload", map[string]string{"title": "Queue screenshot"}, "queue.png", testPNG).must(t, http.StatusOK)
	id := idFromURL(t, p)
	if !strings.Contains(p.Body, `<img src="`+o+`/evidence/`+id+`/file?inline=1" alt="Queue screenshot"`) {
		t.Errorf("no inline image:\n%s", p.Body)
	}
	img := b.get(o+"/evidence/"+id+"/file?inline=1").must(t, http.StatusOK)
	if img.Header.Get("Content-Type") != "image/png" || !strings.Contains(img.Header.Get("Content-Security-Policy"), "sandbox") {
		t.Errorf("image headers: %v", img.Header)
	}
	// The link form lists a persona's fields and its variants' fields (the
	// htmx fragment, and the no-script "Show its fields" step).
	lead := e.demoPersona("System Lead")
	frag := b.get(o+"/evidence/"+id+"/targets?persona_id="+lead.ID).must(t, http.StatusOK)
	if !strings.Contains(frag.Body, `<option value="values.goals">`) || !strings.Contains(frag.Body, `<optgroup label="Variant: Big Bank">`) ||
		strings.Contains(frag.Body, "<html") {
		t.Errorf("target fragment:\n%s", frag.Body)
	}
	step := b.get(o+"/evidence/"+id+"?persona_id="+lead.ID+"&target=values.tools").must(t, http.StatusOK)
	if !strings.Contains(step.Body, `<option value="values.tools" selected>`) {
		t.Errorf("the no-script step does not list the fields:\n%s", step.Body)
	}

	// Search finds a Markdown document's text.
	hits, err := e.svc.SearchEntries(context.Background(), e.actor(e.owner), e.org, "most often asked by name", 10)
	if err != nil || len(hits) != 1 || hits[0].Kind != persona.EntryEvidence || hits[0].Title != "Synthesis: month-end reconciliation" {
		t.Errorf("evidence text not searchable: %+v %v", hits, err)
	}
}

// The JSON API: add, link (claim level and variant field), conflicts,
// coverage per persona and per group, edit and delete.
func TestEvidenceAPI(t *testing.T) {
	e := newWebEnv(t)
	token := e.apiToken(e.owner)
	viewer := e.apiToken(e.viewer)
	lead := e.demoPersona("System Lead")

	r := e.apiCall("POST", "/evidence", token, map[string]any{"kind": "quote", "title": "Audit nerves",
		"quote": "Auditors ask for every override.", "speaker": "Lead", "tags": []string{"Audit"}}, "").must(t, http.StatusCreated)
	q := decode[struct {
		ID   string   `json:"id"`
		Kind string   `json:"kind"`
		Tags []string `json:"tags"`
	}](t, r)
	if q.Kind != "quote" || strings.Join(q.Tags, ",") != "audit" || r.Header.Get("Location") != "/api/v1/orgs/"+e.org+"/evidence/"+q.ID {
		t.Fatalf("created %+v at %q", q, r.Header.Get("Location"))
	}
	e.apiCall("POST", "/evidence", viewer, map[string]any{"kind": "quote", "title": "x", "quote": "y"}, "").must(t, http.StatusForbidden)
	if r := e.apiCall("POST", "/evidence", token, map[string]any{"kind": "document", "title": "x"}, ""); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "upload") {
		t.Errorf("JSON document: %d %s", r.Status, r.Body)
	}

	cov := func() int {
		return decode[struct {
			Percent int `json:"percent"`
		}](t, e.apiCall("GET", "/personas/"+lead.ID+"/coverage", token, nil, "").must(t, http.StatusOK)).Percent
	}
	before := cov()
	l := decode[persona.EvidenceLink](t, e.apiCall("POST", "/evidence/"+q.ID+"/links", token,
		map[string]any{"persona_id": lead.ID, "field": "values.ai_concerns", "stance": "supports", "excerpt": "every override"}, "").must(t, http.StatusCreated))
	if l.PersonaName != "System Lead" || l.FieldLabel != "Concerns about AI" || l.EvidenceTitle != "Audit nerves" {
		t.Errorf("link %+v", l)
	}
	if after := cov(); after <= before {
		t.Errorf("coverage %d%% → %d%% after backing an assumption", before, after)
	}
	if r := e.apiCall("POST", "/evidence/"+q.ID+"/links", token, map[string]any{"persona_id": lead.ID, "field": "values.ai_concerns", "stance": "contradicts"}, ""); r.Status != http.StatusConflict {
		t.Errorf("duplicate link: %d %s", r.Status, r.Body)
	}
	if r := e.apiCall("POST", "/evidence/"+q.ID+"/links", token, map[string]any{"persona_id": lead.ID, "field": "values.no_such_field", "stance": "supports"}, ""); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "body.field") {
		t.Errorf("unknown field: %d %s", r.Status, r.Body)
	}
	// A variant field: the Big Bank variant's decision authority.
	vs, err := e.svc.ListVariants(context.Background(), e.actor(e.owner), e.org, lead.ID)
	if err != nil || len(vs) == 0 {
		t.Fatal(err)
	}
	vl := decode[persona.EvidenceLink](t, e.apiCall("POST", "/evidence/"+q.ID+"/links", token,
		map[string]any{"variant_id": vs[0].Variant.ID, "field": "values.decision_authority", "stance": "contradicts"}, "").must(t, http.StatusCreated))
	if vl.PersonaID != lead.ID || vl.VariantName == "" {
		t.Errorf("variant link %+v", vl)
	}
	full := decode[struct {
		Variants []struct {
			VariantID string                 `json:"variant_id"`
			Links     []persona.EvidenceLink `json:"links"`
			Fields    []struct {
				Key   string `json:"key"`
				State string `json:"state"`
			} `json:"fields"`
		} `json:"variants"`
	}](t, e.apiCall("GET", "/personas/"+lead.ID+"/coverage", token, nil, "").must(t, http.StatusOK))
	found := false
	for _, v := range full.Variants {
		if v.VariantID == vs[0].Variant.ID {
			for _, f := range v.Fields {
				if f.Key == "decision_authority" && (f.State == "contradicted" || f.State == "contested") {
					found = true
				}
			}
		}
	}
	if !found {
		t.Errorf("variant coverage does not show the contradicted override: %+v", full)
	}
	e.apiCall("DELETE", "/evidence/"+q.ID+"/links/"+vl.ID, viewer, nil, "").must(t, http.StatusForbidden)
	e.apiCall("DELETE", "/evidence/"+q.ID+"/links/"+vl.ID, token, nil, "").must(t, http.StatusNoContent)

	// Group and organisation coverage.
	g := decode[struct {
		Name     string `json:"name"`
		Percent  int    `json:"percent"`
		Personas []struct {
			Name    string `json:"name"`
			Percent int    `json:"percent"`
		} `json:"personas"`
	}](t, e.apiCall("GET", "/groups/"+lead.GroupID+"/coverage", token, nil, "").must(t, http.StatusOK))
	if g.Name != "Product users" || len(g.Personas) < 2 || g.Percent <= 0 {
		t.Errorf("group coverage %+v", g)
	}
	org := decode[struct {
		Percent int `json:"percent"`
		Groups  []struct {
			Name string `json:"name"`
		} `json:"groups"`
	}](t, e.apiCall("GET", "/coverage", token, nil, "").must(t, http.StatusOK))
	if len(org.Groups) < 4 || org.Percent <= 0 {
		t.Errorf("organisation coverage %+v", org)
	}
	tags := decode[struct {
		Items []string `json:"items"`
	}](t, e.apiCall("GET", "/evidence/tags", token, nil, "").must(t, http.StatusOK))
	if !strings.Contains(strings.Join(tags.Items, ","), "audit") {
		t.Errorf("tags %v", tags.Items)
	}

	// Edit (kind fixed), list, delete.
	r = e.apiCall("PUT", "/evidence/"+q.ID, token, map[string]any{"title": "Audit nerves (tier-1)", "quote": "Auditors ask for every override.", "tags": []string{"audit", "tier-1"}}, "").must(t, http.StatusOK)
	if !strings.Contains(r.Body, `"title":"Audit nerves (tier-1)"`) {
		t.Errorf("update: %s", r.Body)
	}
	if r := e.apiCall("PUT", "/evidence/"+q.ID, token, map[string]any{"kind": "link", "title": "x", "url": "https://example.com"}, ""); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("kind change: %d %s", r.Status, r.Body)
	}
	list := decode[struct {
		Items []struct {
			Title string `json:"title"`
		} `json:"items"`
	}](t, e.apiCall("GET", "/evidence?kind=quote&tag=tier-1", token, nil, "").must(t, http.StatusOK))
	if len(list.Items) != 1 || list.Items[0].Title != "Audit nerves (tier-1)" {
		t.Errorf("filtered list %+v", list)
	}
	e.apiCall("GET", "/evidence?kind=video", token, nil, "").must(t, http.StatusUnprocessableEntity)
	e.apiCall("DELETE", "/evidence/"+q.ID, token, nil, "").must(t, http.StatusNoContent)
	e.apiCall("GET", "/evidence/"+q.ID, token, nil, "").must(t, http.StatusNotFound)
	if got := cov(); got != before {
		t.Errorf("coverage after deleting the item: %d%%, want %d%%", got, before)
	}
}
