package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"testing"
)

// TestBundlesHoldEveryAsset: the stylesheet bundle holds every embedded
// stylesheet once but the page stylesheets (page-*.css), Pico first,
// app.css second, the rest by name (so a new file in static/ is in it
// without an edit elsewhere); the script bundle
// holds htmx, app.js, then every app-*.js by name; every precompressed form decodes to its file.
func TestBundlesHoldEveryAsset(t *testing.T) {
	names, err := fs.Glob(files, "static/*.css")
	if err != nil || len(names) < 2 {
		t.Fatalf("static/*.css: %v %v", names, err)
	}
	for i := range names {
		names[i] = path.Base(names[i])
	}
	var rest []string
	for _, n := range names {
		if !strings.HasPrefix(n, "pico-") && n != "app.css" && !strings.HasPrefix(n, "page-") {
			rest = append(rest, n)
		}
	}
	slices.Sort(rest)
	want := append([]string{"pico-2.1.1.min.css", "app.css"}, rest...)
	if got := cssOrder(names); !slices.Equal(got, want) {
		t.Errorf("css order %q, want %q", got, want)
	}
	if got := cssOrder([]string{"zeta.css", "app.css", "persona.css", "pico-2.1.1.min.css"}); !slices.Equal(got, []string{"pico-2.1.1.min.css", "app.css", "persona.css", "zeta.css"}) {
		t.Errorf("a new stylesheet: order %q", got)
	}

	inOrder := func(bundle string, parts []string) {
		t.Helper()
		b := staticAssets[bundle].raw
		at := 0
		for _, n := range parts {
			src, err := files.ReadFile("static/" + n)
			if err != nil {
				t.Fatal(err)
			}
			if bundle == cssBundle {
				src = shrinkCSS(n, src)
			} else {
				src = shrinkJS(n, src)
			}
			i := bytes.Index(b[at:], src)
			if i < 0 {
				t.Errorf("%s lacks %s (or has it out of order)", bundle, n)
				continue
			}
			at += i + len(src)
		}
	}
	inOrder(cssBundle, want)
	jsParts, _ := fs.Glob(files, "static/app-*.js")
	for i := range jsParts {
		jsParts[i] = path.Base(jsParts[i])
	}
	slices.Sort(jsParts)
	inOrder(jsBundle, append([]string{"htmx-2.0.11.min.js", "app.js"}, jsParts...))
	if got := jsBundled([]string{"app-zeta.js", "compare.js", "app.js", "app-forms.js", "htmx-2.0.11.min.js"}); !slices.Equal(got, []string{"htmx-2.0.11.min.js", "app.js", "app-forms.js", "app-zeta.js"}) {
		t.Errorf("script bundle order %q", got)
	}
	if !bytes.HasPrefix(staticAssets[cssBundle].raw, []byte("/* ---- pico-")) {
		t.Errorf("the stylesheet bundle does not start with Pico")
	}

	for name, a := range staticAssets {
		if a.gz == nil {
			if compressible(a.contentType) && len(a.raw) > 1024 {
				t.Errorf("%s (%s, %d B) has no gzip form", name, a.contentType, len(a.raw))
			}
			continue
		}
		zr, err := gzip.NewReader(bytes.NewReader(a.gz))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got, err := io.ReadAll(zr)
		if err != nil || !bytes.Equal(got, a.raw) {
			t.Errorf("%s: the gzip form does not decode to the file (%v)", name, err)
		}
	}
}

// TestBundlesMinify: every stylesheet and script of the app's own that goes
// into a bundle minifies without an error and comes out smaller (a file the
// minifier could not read would go in as it is, unnoticed otherwise); and
// every page stylesheet is linked by at least one page template.
func TestBundlesMinify(t *testing.T) {
	for _, pattern := range []string{"static/*.css", "static/app*.js"} {
		names, _ := fs.Glob(files, pattern)
		for _, p := range names {
			n := path.Base(p)
			if strings.Contains(n, ".min.") {
				continue
			}
			src, _ := files.ReadFile(p)
			mt := "text/css"
			if path.Ext(n) == ".js" {
				mt = "application/javascript"
			}
			out, err := minifier.Bytes(mt, src)
			if err != nil || len(out) >= len(src) {
				t.Errorf("%s: minified %d → %d B, %v", n, len(src), len(out), err)
			}
		}
	}
	pages, _ := fs.Glob(files, "static/page-*.css")
	if len(pages) == 0 {
		t.Fatal("no page stylesheets")
	}
	var templates []byte
	tpls, _ := fs.Glob(files, "templates/pages/*.html")
	for _, p := range tpls {
		b, _ := files.ReadFile(p)
		templates = append(templates, b...)
	}
	for _, p := range pages {
		if n := path.Base(p); !bytes.Contains(templates, []byte(`{{asset "`+n+`"}}`)) {
			t.Errorf("no page links %s", n)
		}
	}
}
