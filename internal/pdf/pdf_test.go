package pdf_test

import (
	"bytes"
	"context"
	"errors"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/personapal/personapal/internal/pdf"
)

// needChromium skips without Chromium, except in CI, where Chromium is
// installed and a missing one is a failure.
func needChromium(t *testing.T) {
	t.Helper()
	if _, err := pdf.ExecPath(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI must have Chromium for PDF export: %v", err)
		}
		t.Skipf("no Chromium here: %v", err)
	}
}

func pageCount(b []byte) int { return pdf.PageCount(b) }

// site serves a print page only with the right session cookie; without it,
// it redirects to a sign-in page, as the real server does.
func site(t *testing.T, seen *atomic.Int32) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(siteHandler(seen))
	t.Cleanup(srv.Close)
	return srv
}

func siteHandler(seen *atomic.Int32) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /page", func(w http.ResponseWriter, r *http.Request) {
		ck, err := r.Cookie("pp_session")
		if err != nil || ck.Value != "secret-1" {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		seen.Add(1)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(`<!doctype html><html><head><title>Ada</title>
<style>@media print { .no-print { display: none } }</style></head>
<body><h1>Ada the Analyst</h1><p class="no-print">screen only</p>` + strings.Repeat("<p>Goals and frustrations.</p>", 80) + `</body></html>`))
	})
	mux.HandleFunc("GET /fit/{n}", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.PathValue("n"))
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(`<!doctype html><title>Long</title><style>p { margin: 0; height: 20px }</style>` + strings.Repeat("<p>A line.</p>", n)))
	})
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`<!doctype html><title>Sign in</title><p>Sign in</p>`))
	})
	return mux
}

func TestRenderCarriesSessionAndPrints(t *testing.T) {
	needChromium(t)
	var seen atomic.Int32
	srv := site(t, &seen)
	out, err := pdf.Render(context.Background(), srv.URL+"/page", pdf.Options{Cookies: []pdf.Cookie{{Name: "pp_session", Value: "secret-1"}}})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(out, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", out[:min(len(out), 20)])
	}
	if n := pageCount(out); n < 1 {
		t.Fatalf("PDF has %d pages", n)
	}
	if seen.Load() != 1 {
		t.Fatalf("the page was served %d times with the session cookie, want 1", seen.Load())
	}

	landscape, err := pdf.Render(context.Background(), srv.URL+"/page", pdf.Options{Landscape: true,
		Cookies: []pdf.Cookie{{Name: "pp_session", Value: "secret-1"}}})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(landscape, []byte("%PDF-")) || pageCount(landscape) < 1 {
		t.Fatal("landscape rendering is not a PDF with pages")
	}
	// A4 portrait is 595×842 points; landscape swaps them.
	if !regexp.MustCompile(`/MediaBox\s*\[\s*0\s+0\s+84[12]\.`).Match(landscape) {
		t.Error("landscape PDF has no landscape A4 media box")
	}
	if !regexp.MustCompile(`/MediaBox\s*\[\s*0\s+0\s+59[45]\.`).Match(out) {
		t.Error("portrait PDF has no portrait A4 media box")
	}
}

// The server printing its own page over TLS: its certificate is not one
// Chromium trusts (httptest's own CA), which only OwnListener accepts.
func TestRenderOwnListenerOverTLS(t *testing.T) {
	needChromium(t)
	var seen atomic.Int32
	srv := httptest.NewTLSServer(siteHandler(&seen))
	t.Cleanup(srv.Close)
	if !strings.HasPrefix(srv.URL, "https://127.0.0.1:") {
		t.Fatalf("test server at %s, want https://127.0.0.1:…", srv.URL)
	}
	session := []pdf.Cookie{{Name: "pp_session", Value: "secret-1"}}

	if _, err := pdf.Render(context.Background(), srv.URL+"/page", pdf.Options{Cookies: session}); err == nil {
		t.Fatal("an untrusted certificate was accepted without OwnListener")
	}
	if seen.Load() != 0 {
		t.Fatal("page served to a browser that should have refused the certificate")
	}

	out, err := pdf.Render(context.Background(), srv.URL+"/page", pdf.Options{Cookies: session, OwnListener: true})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(out, []byte("%PDF-")) || pageCount(out) < 1 {
		t.Fatalf("not a PDF with pages: %q", out[:min(len(out), 20)])
	}
	if !regexp.MustCompile(`/MediaBox\s*\[\s*0\s+0\s+59[45]\.`).Match(out) {
		t.Error("PDF has no portrait A4 media box")
	}
	// The session cookie went along over https (the page redirects without it).
	if seen.Load() != 1 {
		t.Fatalf("the page was served %d times with the session cookie, want 1", seen.Load())
	}
}

// OwnListener is for the listener's IP address only, never a host name.
func TestOwnListenerRefusesHostNames(t *testing.T) {
	for _, u := range []string{"https://localhost:8443/page", "https://example.com/page", "http://intranet/page"} {
		_, err := pdf.Render(context.Background(), u, pdf.Options{OwnListener: true})
		if err == nil || !strings.Contains(err.Error(), "not a listener's IP address") {
			t.Errorf("%s: want a refusal, got %v", u, err)
		}
	}
}

func TestRenderRefusesRedirectedPage(t *testing.T) {
	needChromium(t)
	var seen atomic.Int32
	srv := site(t, &seen)
	_, err := pdf.Render(context.Background(), srv.URL+"/page", pdf.Options{Cookies: []pdf.Cookie{{Name: "pp_session", Value: "wrong"}}})
	if err == nil || !strings.Contains(err.Error(), "another page") {
		t.Fatalf("want an error about ending at another page, got %v", err)
	}
	if seen.Load() != 0 {
		t.Fatal("page served without the right cookie")
	}
}

func TestRenderRefusesErrorStatus(t *testing.T) {
	needChromium(t)
	srv := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(srv.Close)
	_, err := pdf.Render(context.Background(), srv.URL+"/missing", pdf.Options{})
	if err == nil || !strings.Contains(err.Error(), "status 404") {
		t.Fatalf("want a 404 error, got %v", err)
	}
}

func TestNoChromium(t *testing.T) {
	t.Setenv("CHROMIUM", "/nonexistent/chromium")
	if pdf.Available() {
		t.Fatal("Available with a missing $CHROMIUM")
	}
	_, err := pdf.Render(context.Background(), "http://127.0.0.1:1/page", pdf.Options{})
	if !errors.Is(err, pdf.ErrNoChromium) {
		t.Fatalf("want ErrNoChromium, got %v", err)
	}
	if !strings.Contains(err.Error(), "PDF export needs Chromium (apt-get install chromium)") {
		t.Fatalf("message does not say what to install: %v", err)
	}
}

func TestRejectsNonHTTP(t *testing.T) {
	for _, u := range []string{"file:///etc/passwd", "javascript:alert(1)", "/relative", "http://"} {
		if _, err := pdf.Render(context.Background(), u, pdf.Options{}); err == nil || errors.Is(err, pdf.ErrNoChromium) {
			t.Errorf("%s: want an address error, got %v", u, err)
		}
	}
}

// A slide deck prints on 16:9 sheets: 960×540 points.
func TestRenderOnSlidePaper(t *testing.T) {
	needChromium(t)
	var seen atomic.Int32
	srv := site(t, &seen)
	out, err := pdf.Render(context.Background(), srv.URL+"/page", pdf.Options{Paper: pdf.PaperSlide,
		Cookies: []pdf.Cookie{{Name: "pp_session", Value: "secret-1"}}})
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`/MediaBox\s*\[\s*0\s+0\s+959\.\d+\s+540\b`).Match(out) &&
		!regexp.MustCompile(`/MediaBox\s*\[\s*0\s+0\s+96[0]\.?\d*\s+540\b`).Match(out) {
		t.Errorf("no 16:9 media box in %q", regexp.MustCompile(`/MediaBox[^\]]*\]`).Find(out))
	}
}

// A PNG is the page as printed (print stylesheet, so no screen-only
// parts), at the asked width and twice the pixel density, as tall as the
// page.
func TestRenderPNGIsThePrintedPageAsOneImage(t *testing.T) {
	needChromium(t)
	var seen atomic.Int32
	srv := site(t, &seen)
	out, err := pdf.RenderPNG(context.Background(), srv.URL+"/page", pdf.Options{Width: 800,
		Cookies: []pdf.Cookie{{Name: "pp_session", Value: "secret-1"}}})
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	b := img.Bounds()
	if b.Dx() != 1600 {
		t.Errorf("PNG is %d px wide, want 1600 (800 CSS px at 2×)", b.Dx())
	}
	if b.Dy() < 2*80*16 { // 80 paragraphs of at least 16 CSS px
		t.Errorf("PNG is %d px tall: not the whole page", b.Dy())
	}
	if seen.Load() != 1 {
		t.Fatalf("the page was served %d times with the session cookie, want 1", seen.Load())
	}
	if _, err := pdf.RenderPNG(context.Background(), srv.URL+"/page", pdf.Options{}); err == nil {
		t.Fatal("a PNG of the sign-in page instead of the asked one")
	}
}

// FitPage prints a page that runs a little over one sheet on one sheet,
// scaled down, and leaves one far too long for that at full size.
func TestRenderFitPage(t *testing.T) {
	needChromium(t)
	var seen atomic.Int32
	srv := site(t, &seen)
	// A4 at Chromium's default margins holds about 1,000 CSS px: 60 lines
	// of 20 px need two sheets at full size, one at 0.8.
	plain, err := pdf.Render(context.Background(), srv.URL+"/fit/60", pdf.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if n := pdf.PageCount(plain); n != 2 {
		t.Fatalf("the long page prints on %d sheets without FitPage, want 2", n)
	}
	fit, err := pdf.Render(context.Background(), srv.URL+"/fit/60", pdf.Options{FitPage: true})
	if err != nil {
		t.Fatal(err)
	}
	if n := pdf.PageCount(fit); n != 1 {
		t.Errorf("FitPage printed %d sheets, want 1", n)
	}
	far, err := pdf.Render(context.Background(), srv.URL+"/fit/200", pdf.Options{FitPage: true})
	if err != nil {
		t.Fatal(err)
	}
	if n := pdf.PageCount(far); n < 4 {
		t.Errorf("a page four times too long printed on %d sheets: scaled below the readable", n)
	}
}
