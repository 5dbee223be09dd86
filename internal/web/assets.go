package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/tdewolff/minify/v2"
	"github.com/tdewolff/minify/v2/css"
	"github.com/tdewolff/minify/v2/js"
)

// The two bundles every page links (layout.html): all stylesheets in one
// file, and htmx with app.js in another. They are built from the embedded
// static files when the package loads, so a stylesheet added to static/ is
// in the bundle without touching the layout.
const (
	cssBundle = "bundle.css"
	jsBundle  = "bundle.js"
)

// staticAsset is one file under /static/<version>/, held in memory with its
// gzip form (compressed once, at start-up).
type staticAsset struct {
	raw, gz     []byte
	contentType string
	etag        string // of raw; the gzip form's ends in -gz
}

// staticAssets are the embedded static files and the bundles, by name.
var staticAssets = loadStaticAssets()

// cssOrder is the order of the stylesheet bundle: Pico first (the base),
// app.css next (the app's own base), then every other stylesheet by name —
// but the page stylesheets (page-*.css), which only their own pages link
// (a "styles" block in the page's template), so the first load of every
// other page does not carry them.
func cssOrder(names []string) []string {
	names = slices.DeleteFunc(slices.Clone(names), pageStylesheet)
	rank := func(n string) int {
		switch {
		case strings.HasPrefix(n, "pico-"):
			return 0
		case n == "app.css":
			return 1
		}
		return 2
	}
	out := names
	slices.SortStableFunc(out, func(a, b string) int {
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra - rb
		}
		return strings.Compare(a, b)
	})
	return out
}

// jsBundled are the scripts of the script bundle, in order: htmx, then
// app.js (which listens for htmx's events), then every app-*.js by name
// (one small file per concern: forms, home, …). Page scripts (compare.js,
// builder.js) stay separate; their pages link them.
func jsBundled(names []string) []string {
	var htmx, parts []string
	for _, n := range names {
		switch {
		case strings.HasPrefix(n, "htmx-") && strings.HasSuffix(n, ".js"):
			htmx = append(htmx, n)
		case strings.HasPrefix(n, "app-") && strings.HasSuffix(n, ".js"):
			parts = append(parts, n)
		}
	}
	slices.Sort(htmx)
	slices.Sort(parts)
	out := htmx
	if slices.Contains(names, "app.js") {
		out = append(out, "app.js")
	}
	return append(out, parts...)
}

func loadStaticAssets() map[string]*staticAsset {
	raw := map[string][]byte{}
	var names, css []string
	_ = fs.WalkDir(files, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "static/")
		raw[name] = b
		names = append(names, name)
		if path.Ext(name) == ".css" {
			css = append(css, name)
		}
		return nil
	})
	join := func(parts []string, sep string, shrink func(name string, b []byte) []byte) []byte {
		var buf bytes.Buffer
		for _, n := range parts {
			buf.WriteString("/* ---- " + n + " ---- */\n")
			buf.Write(shrink(n, raw[n]))
			buf.WriteString(sep)
		}
		return buf.Bytes()
	}
	raw[cssBundle] = join(cssOrder(css), "\n", shrinkCSS)
	// A ";" between scripts ends a statement a file left open.
	raw[jsBundle] = join(jsBundled(names), "\n;\n", shrinkJS)
	names = append(names, cssBundle, jsBundle)

	out := make(map[string]*staticAsset, len(names))
	for _, n := range names {
		b := raw[n]
		sum := sha256.Sum256(b)
		a := &staticAsset{
			raw:         b,
			contentType: mime.TypeByExtension(path.Ext(n)),
			etag:        `"` + hex.EncodeToString(sum[:8]) + `"`,
		}
		if a.contentType == "" {
			a.contentType = "application/octet-stream"
		}
		if compressible(a.contentType) {
			var buf bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
			_, _ = zw.Write(b)
			_ = zw.Close()
			if buf.Len() < len(b) {
				a.gz = buf.Bytes()
			}
		}
		out[n] = a
	}
	// The version in asset URLs covers the bundles too (they are made of
	// the files it hashes, but the order or separators may change).
	return out
}

// compressible reports whether a type is text worth compressing.
func compressible(contentType string) bool {
	t, _, _ := strings.Cut(contentType, ";")
	switch strings.TrimSpace(t) {
	case "text/css", "text/javascript", "application/javascript", "image/svg+xml", "text/html", "application/json":
		return true
	}
	return false
}

// acceptsGzip reports whether the request's Accept-Encoding accepts gzip
// (by name with a non-zero quality).
func acceptsGzip(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept-Encoding") {
		for part := range strings.SplitSeq(v, ",") {
			coding, params, _ := strings.Cut(part, ";")
			if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
				continue
			}
			q := 1.0
			for p := range strings.SplitSeq(params, ";") {
				k, val, ok := strings.Cut(strings.TrimSpace(p), "=")
				if ok && strings.EqualFold(k, "q") {
					if f, err := strconv.ParseFloat(strings.TrimSpace(val), 64); err == nil {
						q = f
					}
				}
			}
			return q > 0
		}
	}
	return false
}

// staticHandler serves /static/<version>/<name> from memory: cached for a
// year (immutable) under the current version, revalidated otherwise; the
// precompressed gzip form to clients that accept it (Vary: Accept-Encoding,
// an ETag of its own). http.ServeContent answers HEAD, Range and
// If-None-Match.
func staticHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rest := strings.TrimPrefix(r.URL.Path, "/static/")
		version, name, ok := strings.Cut(rest, "/")
		a := staticAssets[name]
		if !ok || a == nil {
			http.NotFound(w, r)
			return
		}
		hdr := w.Header()
		if version == assetVersion {
			hdr.Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			hdr.Set("Cache-Control", "no-cache")
		}
		hdr.Set("Content-Type", a.contentType)
		body, etag := a.raw, a.etag
		if a.gz != nil {
			hdr.Add("Vary", "Accept-Encoding")
			if acceptsGzip(r) {
				body, etag = a.gz, strings.TrimSuffix(a.etag, `"`)+`-gz"`
				hdr.Set("Content-Encoding", "gzip")
			}
		}
		hdr.Set("ETag", etag)
		http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(body))
	})
}

// pageStylesheet reports whether a stylesheet is a page's own (page-*.css):
// not in the bundle, linked by the pages that use it.
func pageStylesheet(name string) bool { return strings.HasPrefix(name, "page-") }

// minifier minifies the app's own stylesheets and scripts in the bundles
// (tdewolff/minify: comments, whitespace, shorter colours and numbers —
// the first load has a budget); minified files (Pico, htmx) go in as they
// are.
var minifier = func() *minify.M {
	m := minify.New()
	m.AddFunc("text/css", css.Minify)
	m.AddFunc("application/javascript", js.Minify)
	return m
}()

// shrinkCSS minifies one of the app's stylesheets for the bundle.
func shrinkCSS(name string, b []byte) []byte { return shrink("text/css", name, b) }

// shrinkJS minifies one of the app's scripts for the bundle.
func shrinkJS(name string, b []byte) []byte { return shrink("application/javascript", name, b) }

func shrink(mediaType, name string, b []byte) []byte {
	if strings.Contains(name, ".min.") {
		return b
	}
	out, err := minifier.Bytes(mediaType, b)
	if err != nil { // a file the minifier cannot read goes in as it is (TestBundlesMinify fails on it)
		return b
	}
	return out
}
