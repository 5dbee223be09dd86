package server

import (
	"net/http"

	"github.com/klauspost/compress/gzhttp"
)

// compressedTypes are the responses compressed on the fly: pages, htmx
// fragments, JSON and problem+json, stylesheets, scripts and SVG. Downloads
// of other types (CSV and JSONL exports, PDF, Markdown, uploaded evidence)
// pass through untouched, so streamed exports keep streaming as written.
var compressedTypes = []string{
	"text/html",
	"application/json",
	"application/problem+json",
	"application/openapi+json",
	"text/css",
	"text/javascript",
	"application/javascript",
	"image/svg+xml",
}

// compress gzips responses of compressedTypes for clients that accept gzip
// (github.com/klauspost/compress/gzhttp; docs/ASSETS.md). It adds
// "Vary: Accept-Encoding"; leaves responses that already carry a
// Content-Encoding (the precompressed static files) or a Content-Range (a
// 206 answer to a Range request) as they are; keeps ETags unchanged (the
// API's ETags are revisions for If-Match); answers below 1 KiB go out as
// they are. The level stays the default: the fastest one made the persona
// page's first load 600 B larger than its budget (internal/e2e). Zstd is
// off: one coding everywhere, the one the static files are precompressed in.
func compress(next http.Handler) http.Handler {
	wrap, err := gzhttp.NewWrapper(
		gzhttp.ContentTypes(compressedTypes),
		gzhttp.EnableZstd(false),
		gzhttp.MinSize(gzhttp.DefaultMinSize),
	)
	if err != nil {
		panic(err) // the options above are constants
	}
	return wrap(next)
}
