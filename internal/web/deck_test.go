package web_test

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/pdf"
)

// The deck of two demo personas: a cover, a slide each, the comparison
// slide and a slide per variant, numbered; the PDF has that many 16:9
// pages.
func TestDeckOfTwoPersonas(t *testing.T) {
	e := newWebEnv(t)
	ids := e.compareIDs("System Lead", "Head of Operations (buyer)")
	variants := 0
	for _, id := range ids {
		vs, err := e.svc.ListVariants(context.Background(), e.actor(e.owner), e.org, id)
		if err != nil {
			t.Fatal(err)
		}
		variants += len(vs)
	}
	if variants == 0 {
		t.Fatal("fixture: the demo personas have no variants")
	}
	want := 1 + 2 + 1 + variants
	// The System Lead has a photo: its slide shows it, the cover its face.
	e.signedIn(e.owner).uploadPhoto("/o/"+e.org+"/personas/"+ids[0]+"/photo", "lead.jpg", photoJPEG(t)).must(t, http.StatusOK)
	b := e.signedIn(e.viewer)
	p := b.get("/o/"+e.org+"/deck?ids="+strings.Join(ids, ",")).must(t, http.StatusOK)
	if got := strings.Count(p.Body, `<section class="slide `); got != want {
		t.Errorf("the deck has %d slides, want %d", got, want)
	}
	for _, s := range []string{"System Lead", "Head of Operations (buyer)", `id="dimension-chart"`, "For ", "1 / " + strconv.Itoa(want),
		strconv.Itoa(want) + " / " + strconv.Itoa(want), "What changes:", "sensitive field",
		"/personas/" + ids[0] + "/photo/512?v=", "/personas/" + ids[0] + "/photo/96?v="} {
		if !strings.Contains(p.Body, s) {
			t.Errorf("the deck page lacks %q", s)
		}
	}
	// The ways in: the comparison, the persona and the group pages.
	cmp := b.get("/o/"+e.org+"/compare?ids="+strings.Join(ids, ",")).must(t, http.StatusOK)
	if !strings.Contains(cmp.Body, `href="/o/`+e.org+`/deck?ids=`+strings.Join(ids, ",")+`"`) {
		t.Error("the comparison page has no link to its slides")
	}
	if one := b.get("/o/"+e.org+"/personas/"+ids[0]).must(t, http.StatusOK); !strings.Contains(one.Body, `id="persona-slides"`) {
		t.Error("the persona page has no link to its slides")
	}

	// Bad selections: none, too many, another organisation's.
	b.get("/o/"+e.org+"/deck").must(t, http.StatusUnprocessableEntity)
	b.get("/o/"+e.org+"/deck?ids=a,b,c,d,e,f,g,h,i").must(t, http.StatusUnprocessableEntity)
	b.get("/o/"+e.org+"/deck?ids=no-such").must(t, http.StatusNotFound)
	e.signedIn(e.outsider).get("/o/"+e.org+"/deck?ids="+ids[0]).must(t, http.StatusNotFound)
	e.signedIn(e.outsider).get("/o/"+e.org+"/deck.pdf?ids="+ids[0]).must(t, http.StatusNotFound)

	if _, err := pdf.ExecPath(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI must have Chromium: %v", err)
		}
		t.Skip(err)
	}
	doc := b.get("/o/"+e.org+"/deck.pdf?ids="+strings.Join(ids, ",")).must(t, http.StatusOK)
	mustDownload(t, doc, "application/pdf", "slides-system-lead-and-head-of-operations-buyer.pdf")
	checkPDF(t, doc.Body, "960", "540")
	if n := len(regexp.MustCompile(`/Type\s*/Page[^s]`).FindAllString(doc.Body, -1)); n != want {
		t.Errorf("the deck PDF has %d pages, want %d (one per slide: none overflows)", n, want)
	}
	if d := os.Getenv("PERSONAPAL_PNG_DIR"); d != "" {
		f := filepath.Join(d, "deck.pdf")
		os.WriteFile(f, []byte(doc.Body), 0o644)
		exec.Command("pdftoppm", "-png", "-r", "60", f, filepath.Join(d, "deck")).Run()
	}
}
