package web_test

import (
	"context"
	"fmt"
	"image/png"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/pdf"
	"github.com/personapal/personapal/internal/persona"
)

// exportDefinition reads a persona's pinned template version.
func (e *webEnv) exportDefinition(p persona.Persona) persona.Definition {
	e.t.Helper()
	ver, err := e.svc.PersonaDefinition(context.Background(), e.actor(e.owner), e.org, p)
	if err != nil {
		e.t.Fatal(err)
	}
	return ver.Definition
}

func mustDownload(t *testing.T, p page, contentType, filename string) {
	t.Helper()
	if got := p.Header.Get("Content-Type"); got != contentType {
		t.Errorf("%s: Content-Type %q, want %q", p.URL, got, contentType)
	}
	if got, want := p.Header.Get("Content-Disposition"), `attachment; filename="`+filename+`"`; got != want {
		t.Errorf("%s: Content-Disposition %q, want %q", p.URL, got, want)
	}
	if p.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("%s: no nosniff", p.URL)
	}
}

func TestExportPersonaMarkdown(t *testing.T) {
	e := newWebEnv(t)
	p := e.demoPersona("System Lead")
	def := e.exportDefinition(p)
	md := e.signedIn(e.viewer).get("/o/"+e.org+"/personas/"+p.ID+"/export.md").must(t, http.StatusOK)
	mustDownload(t, md, "text/markdown; charset=utf-8", "system-lead.md")

	if !strings.HasPrefix(md.Body, "# System Lead\n") {
		t.Errorf("does not start with the persona's name as the title:\n%.200s", md.Body)
	}
	// Every section, labelled for the persona's profile type, in template
	// order; every field under it.
	last := -1
	for _, s := range def.Sections {
		h := "\n## " + persona.EscapeMarkdown(s.LabelFor(p.ProfileType)) + "\n"
		i := strings.Index(md.Body, h)
		if i < 0 {
			t.Errorf("no section heading %q", h)
			continue
		}
		if i < last {
			t.Errorf("section %q out of template order", s.Key)
		}
		last = i
		if len(s.Fields) == 1 && strings.EqualFold(s.Fields[0].Label, s.LabelFor(p.ProfileType)) {
			continue // the section heading stands for its only field
		}
		for _, f := range s.Fields {
			if !strings.Contains(md.Body[i:], "\n### "+persona.EscapeMarkdown(f.Label)+"\n") {
				t.Errorf("no field heading for %q after its section", f.Label)
			}
		}
	}
	if rt, _ := p.Values["role_title"].(string); rt == "" || !strings.Contains(md.Body, persona.EscapeMarkdown(rt)) {
		t.Errorf("role title %q missing", rt)
	}
	if len(def.Dimensions) > 0 && !strings.Contains(md.Body, "\n## Dimensions\n\n| Dimension | Value | Range |\n") {
		t.Error("no dimensions table")
	}
	if !strings.Contains(md.Body, "- **Profile type:** UX persona\n") ||
		!strings.Contains(md.Body, "- **Link:** [Open in Persona Pal](<"+e.srv.URL+"/o/"+e.org+"/personas/"+p.ID+">)") {
		t.Errorf("facts or link back missing:\n%.800s", md.Body)
	}
	// Its evidence, as footnotes: one note per link, each cited.
	ev, err := e.svc.PersonaEvidence(context.Background(), e.actor(e.owner), e.org, p.ID)
	if err != nil || len(ev.Links) == 0 {
		t.Fatalf("fixture: System Lead's evidence: %v %d", err, len(ev.Links))
	}
	for i, l := range ev.Links {
		n := fmt.Sprint(i + 1)
		if !strings.Contains(md.Body, "\n[^"+n+"]: **"+persona.EscapeMarkdown(l.EvidenceTitle)+"**") || !strings.Contains(md.Body, "[^"+n+"]\n") && !strings.Contains(md.Body, "[^"+n+"] ") {
			t.Errorf("evidence %q is not footnote %s", l.EvidenceTitle, n)
		}
	}
}

func TestExportMarkdownEscapesUserText(t *testing.T) {
	e := newWebEnv(t)
	p := e.searchPersonaIn(e.owner, e.org, "# Pip | Piper", "Splits | cells\n- not a list", "Lead | <b>boss</b>")
	b := e.signedIn(e.owner)
	md := b.get("/o/"+e.org+"/personas/"+p.ID+"/export.md").must(t, http.StatusOK)
	mustDownload(t, md, "text/markdown; charset=utf-8", "pip-piper.md")
	for _, want := range []string{"# \\# Pip \\| Piper\n", "> Splits \\| cells\\\n> \\- not a list\n", "Lead \\| \\<b\\>boss\\</b\\>"} {
		if !strings.Contains(md.Body, want) {
			t.Errorf("want %q in:\n%.600s", want, md.Body)
		}
	}
	if strings.Contains(md.Body, "<b>") || strings.Contains(md.Body, "\n- not a list") {
		t.Error("user text reached the Markdown unescaped")
	}

	// The group export lists it in a table, with the pipes escaped so that
	// the row keeps its four cells.
	g := b.get("/o/"+e.org+"/groups/"+p.GroupID+"/export.md").must(t, http.StatusOK)
	mustDownload(t, g, "text/markdown; charset=utf-8", "search-test-pip-piper.md")
	if !strings.Contains(g.Body, "| Persona | Profile type | Status | Summary |\n| --- | --- | --- | --- |\n") {
		t.Fatalf("no persona table:\n%s", g.Body)
	}
	row := between(g.Body, "| [\\# Pip \\| Piper]", "\n")
	if row == "" || !strings.Contains(row, "| UX persona | Draft | Splits \\| cells<br>\\- not a list |") {
		t.Errorf("group row wrong:\n%s", g.Body)
	}
	if cells := len(regexp.MustCompile(`(^|[^\\])\|`).FindAllString(row, -1)); cells != 5 {
		t.Errorf("row has %d unescaped borders, want 5: %s", cells, row)
	}
}

func TestExportComparisonMarkdown(t *testing.T) {
	e := newWebEnv(t)
	names := []string{"System Lead", "Head of Operations (buyer)"}
	ids := e.compareIDs(names...)
	md := e.signedIn(e.viewer).get("/o/"+e.org+"/compare/export.md?ids="+strings.Join(ids, ",")).must(t, http.StatusOK)
	mustDownload(t, md, "text/markdown; charset=utf-8", "comparison-system-lead-head-of-operations-buyer.md")
	if !strings.HasPrefix(md.Body, "# Comparison: System Lead and Head of Operations (buyer)\n") {
		t.Errorf("title:\n%.200s", md.Body)
	}
	if !strings.Contains(md.Body, "| Field | System Lead | Head of Operations (buyer) |\n| --- | --- | --- |\n") {
		t.Errorf("no side-by-side table:\n%s", md.Body)
	}
	// role_title is in both templates with different values.
	if !regexp.MustCompile(`\n\| Role[^|\n]* ≠ \| [^|\n]+ \| [^|\n]+ \|\n`).MatchString(md.Body) {
		t.Errorf("differing role row not marked:\n%s", md.Body)
	}

	b := e.signedIn(e.owner)
	b.get("/o/"+e.org+"/compare/export.md?ids="+ids[0]).must(t, http.StatusUnprocessableEntity)
	b.get("/o/"+e.org+"/compare/export.md?ids="+ids[0]+",no-such").must(t, http.StatusNotFound)
}

func TestExportOutsiderNotFound(t *testing.T) {
	e := newWebEnv(t)
	ids := e.compareIDs("System Lead", "Head of Operations (buyer)")
	group := e.demoPersona("System Lead").GroupID
	o := e.signedIn(e.outsider)
	base := "/o/" + e.org
	for _, path := range []string{
		base + "/personas/" + ids[0] + "/export.md",
		base + "/groups/" + group + "/export.md",
		base + "/compare/export.md?ids=" + strings.Join(ids, ","),
		base + "/personas/" + ids[0] + "/export.pdf",
		base + "/compare/export.pdf?ids=" + strings.Join(ids, ","),
		base + "/personas/" + ids[0] + "/export.png",
		base + "/compare/export.png?ids=" + strings.Join(ids, ","),
		// Their own organisation does not reach ours either.
		"/o/" + e.otherOrg + "/personas/" + ids[0] + "/export.md",
		"/o/" + e.otherOrg + "/personas/" + ids[0] + "/export.pdf",
	} {
		p := o.get(path).must(t, http.StatusNotFound)
		if strings.Contains(p.Body, "System Lead") {
			t.Errorf("%s: the not-found page names the persona", path)
		}
	}
	// Signed out: to the sign-in page.
	if p := e.browser().get(base + "/personas/" + ids[0] + "/export.md"); !strings.HasPrefix(p.URL, "/login") {
		t.Errorf("signed out: ended at %s", p.URL)
	}
}

func TestExportPDF(t *testing.T) {
	if _, err := pdf.ExecPath(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI must have Chromium: %v", err)
		}
		t.Skip(err)
	}
	e := newWebEnv(t)
	ids := e.compareIDs("System Lead", "Head of Operations (buyer)")
	b := e.signedIn(e.viewer)

	one := b.get("/o/"+e.org+"/personas/"+ids[0]+"/export.pdf").must(t, http.StatusOK)
	mustDownload(t, one, "application/pdf", "system-lead.pdf")
	checkPDF(t, one.Body, "595", "842")

	cmp := b.get("/o/"+e.org+"/compare/export.pdf?ids="+strings.Join(ids, ",")).must(t, http.StatusOK)
	mustDownload(t, cmp, "application/pdf", "comparison-system-lead-head-of-operations-buyer.pdf")
	checkPDF(t, cmp.Body, "842", "595")

	b.get("/o/"+e.org+"/personas/no-such/export.pdf").must(t, http.StatusNotFound)

	// The PNGs: the one-pager at 1200 CSS px, the comparison likewise,
	// both at twice the density and as tall as the printed page.
	shot := b.get("/o/"+e.org+"/personas/"+ids[0]+"/export.png").must(t, http.StatusOK)
	mustDownload(t, shot, "image/png", "system-lead.png")
	checkPNG(t, shot.Body, 2*pdf.DefaultPNGWidth)
	cmpShot := b.get("/o/"+e.org+"/compare/export.png?ids="+strings.Join(ids, ",")).must(t, http.StatusOK)
	mustDownload(t, cmpShot, "image/png", "comparison-system-lead-head-of-operations-buyer.png")
	checkPNG(t, cmpShot.Body, 2*pdf.DefaultPNGWidth)
	b.get("/o/"+e.org+"/compare/export.png?ids="+ids[0]).must(t, http.StatusUnprocessableEntity)
}

// checkPNG decodes a PNG and checks its width in device pixels, and that
// it is taller than a screen: the whole page, not the first view of it.
func checkPNG(t *testing.T, body string, width int) {
	t.Helper()
	if d := os.Getenv("PERSONAPAL_PNG_DIR"); d != "" {
		os.WriteFile(d+"/"+strings.ReplaceAll(t.Name(), "/", "-")+fmt.Sprint(len(body))+".png", []byte(body), 0o644)
	}
	img, err := png.Decode(strings.NewReader(body))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != width || b.Dy() < 2*600 {
		t.Errorf("PNG is %d×%d px, want %d wide and taller than 1200", b.Dx(), b.Dy(), width)
	}
}

// checkPDF checks a PDF's signature, that it has pages, and the size (in
// points, rounded) of its pages.
func checkPDF(t *testing.T, body, width, height string) {
	t.Helper()
	if !strings.HasPrefix(body, "%PDF-") {
		t.Fatalf("not a PDF: %.40q", body)
	}
	if n := len(regexp.MustCompile(`/Type\s*/Page[^s]`).FindAllString(body, -1)); n < 1 {
		t.Fatalf("PDF has %d pages", n)
	}
	box := regexp.MustCompile(`/MediaBox\s*\[\s*0\s+0\s+([0-9.]+)\s+([0-9.]+)\s*\]`).FindStringSubmatch(body)
	if box == nil {
		t.Fatal("no media box")
	}
	round := func(s string) string {
		i := strings.IndexByte(s, '.')
		if i < 0 {
			return s
		}
		return s[:i]
	}
	if !close1(round(box[1]), width) || !close1(round(box[2]), height) {
		t.Errorf("page is %s×%s points, want about %s×%s", box[1], box[2], width, height)
	}
}

// close1 reports whether two integer strings differ by at most 1.
func close1(a, b string) bool {
	var x, y int
	for _, c := range a {
		x = x*10 + int(c-'0')
	}
	for _, c := range b {
		y = y*10 + int(c-'0')
	}
	return x-y <= 1 && y-x <= 1
}

func TestExportPDFWithoutChromium(t *testing.T) {
	t.Setenv("CHROMIUM", "/nonexistent/chromium")
	e := newWebEnv(t)
	id := e.compareIDs("System Lead")[0]
	p := e.signedIn(e.viewer).get("/o/"+e.org+"/personas/"+id+"/export.pdf").must(t, http.StatusServiceUnavailable)
	if !strings.Contains(p.Body, "PDF export needs Chromium (apt-get install chromium)") {
		t.Errorf("503 page does not say what to install:\n%s", p.Body)
	}
	if !strings.HasPrefix(p.Header.Get("Content-Type"), "text/html") {
		t.Errorf("503 is not an HTML page: %s", p.Header.Get("Content-Type"))
	}
}

// Every demo persona's one-pager prints on one A4 page: the print
// stylesheet lays it out in two columns, and the printer scales a long
// one down to fit (pdf.Options.FitPage).
func TestEveryDemoOnePagerFitsOneA4Page(t *testing.T) {
	if _, err := pdf.ExecPath(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI must have Chromium: %v", err)
		}
		t.Skip(err)
	}
	e := newWebEnv(t)
	list, err := e.svc.ListPersonas(context.Background(), e.actor(e.owner), e.org, persona.PersonaFilter{Limit: 200}, "")
	if err != nil || len(list.Items) < 5 {
		t.Fatalf("fixture: %v %d personas", err, len(list.Items))
	}
	b := e.signedIn(e.viewer)
	for _, p := range list.Items {
		doc := b.get("/o/"+e.org+"/personas/"+p.ID+"/export.pdf").must(t, http.StatusOK)
		checkPDF(t, doc.Body, "595", "842")
		if n := len(regexp.MustCompile(`/Type\s*/Page[^s]`).FindAllString(doc.Body, -1)); n != 1 {
			t.Errorf("%s: the one-pager prints on %d pages", p.Name, n)
		}
		if d := os.Getenv("PERSONAPAL_PNG_DIR"); d != "" {
			os.WriteFile(d+"/onepager-"+fileName(p.Name)+".pdf", []byte(doc.Body), 0o644)
		}
	}
}

func fileName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '-'
	}, s)
}
