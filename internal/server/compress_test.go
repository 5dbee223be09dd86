package server_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/personapal/personapal/internal/server"
)

// raw sends one request straight to the handler (no OpenAPI check: the
// body may be compressed) with headers as name, value pairs.
func (e *env) raw(method, path, token string, headers ...string) *httptest.ResponseRecorder {
	e.t.Helper()
	_, rec := e.send(method, path, token, nil, headers...)
	return rec
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not gzip: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("broken gzip: %v", err)
	}
	return out
}

// TestCompressedResponses: pages, the stylesheet and script bundles, JSON
// and problem+json go out gzipped to a client that accepts gzip (with Vary:
// Accept-Encoding) and as they are to one that does not; the bundles keep
// their immutable caching, have an ETag per coding that revalidates, and
// answer HEAD and Range requests; the streamed CSV export is not
// compressed.
func TestCompressedResponses(t *testing.T) {
	e := newEnv(t)
	const gz = "gzip, deflate, br, zstd"

	login := e.raw("GET", "/login", "")
	if login.Code != 200 {
		t.Fatalf("GET /login: %d", login.Code)
	}
	page := login.Body.String()
	css := regexp.MustCompile(`href="(/static/[^/"]+/bundle\.css)"`).FindStringSubmatch(page)
	js := regexp.MustCompile(`src="(/static/[^/"]+/bundle\.js)"`).FindStringSubmatch(page)
	if css == nil || js == nil {
		t.Fatalf("the page links no stylesheet or script bundle:\n%s", page)
	}
	if n := strings.Count(page, `rel="stylesheet"`); n != 1 {
		t.Errorf("the page links %d stylesheets, want the bundle alone", n)
	}

	cases := []struct {
		name, path, token, ctype string
	}{
		{"sign-in page", "/login", "", "text/html"},
		{"stylesheet bundle", css[1], "", "text/css"},
		{"script bundle", js[1], "", "text/javascript"},
		{"favicon", strings.Replace(css[1], "bundle.css", "favicon.svg", 1), "", "image/svg+xml"},
		{"API list", e.api("/personas"), e.owner, "application/json"},
		{"OpenAPI document", "/api/openapi.json", "", "application/openapi+json"},
	}
	for _, c := range cases {
		plain := e.raw("GET", c.path, c.token)
		packed := e.raw("GET", c.path, c.token, "Accept-Encoding", gz)
		if plain.Code != 200 || packed.Code != 200 {
			t.Errorf("%s: status %d and %d", c.name, plain.Code, packed.Code)
			continue
		}
		if ct := packed.Header().Get("Content-Type"); !strings.HasPrefix(ct, c.ctype) {
			t.Errorf("%s: Content-Type %q, want %s", c.name, ct, c.ctype)
		}
		if ce := plain.Header().Get("Content-Encoding"); ce != "" {
			t.Errorf("%s without Accept-Encoding: Content-Encoding %q, want identity", c.name, ce)
		}
		if ce := packed.Header().Get("Content-Encoding"); ce != "gzip" {
			t.Errorf("%s with Accept-Encoding %q: Content-Encoding %q, want gzip", c.name, gz, ce)
			continue
		}
		if !strings.Contains(strings.Join(packed.Header().Values("Vary"), ","), "Accept-Encoding") {
			t.Errorf("%s: Vary %q lacks Accept-Encoding", c.name, packed.Header().Values("Vary"))
		}
		body := gunzip(t, packed.Body.Bytes())
		if packed.Body.Len() >= len(body) {
			t.Errorf("%s: %d B compressed from %d B", c.name, packed.Body.Len(), len(body))
		}
		if c.ctype != "text/html" && !bytes.Equal(body, plain.Body.Bytes()) {
			t.Errorf("%s: the gzip body decodes to other bytes than the identity body", c.name)
		}
		t.Logf("%s: %d B as gzip, %d B as identity", c.name, packed.Body.Len(), plain.Body.Len())
	}

	// The bundles: cached for a year, one ETag per coding, revalidated.
	plain := e.raw("GET", css[1], "")
	packed := e.raw("GET", css[1], "", "Accept-Encoding", "gzip")
	if cc := packed.Header().Get("Cache-Control"); !strings.Contains(cc, "immutable") {
		t.Errorf("bundle Cache-Control %q, want immutable", cc)
	}
	pe, ge := plain.Header().Get("ETag"), packed.Header().Get("ETag")
	if pe == "" || ge == "" || pe == ge {
		t.Errorf("bundle ETags %q (identity) and %q (gzip): want two different ones", pe, ge)
	}
	if r := e.raw("GET", css[1], "", "Accept-Encoding", "gzip", "If-None-Match", ge); r.Code != http.StatusNotModified {
		t.Errorf("If-None-Match with the gzip ETag: %d, want 304", r.Code)
	}
	if r := e.raw("GET", css[1], "", "If-None-Match", pe); r.Code != http.StatusNotModified {
		t.Errorf("If-None-Match with the identity ETag: %d, want 304", r.Code)
	}
	if r := e.raw("GET", css[1], "", "If-None-Match", ge); r.Code != http.StatusOK {
		t.Errorf("an identity request with the gzip ETag: %d, want 200 (not the other coding's copy)", r.Code)
	}
	if r := e.raw("GET", css[1], "", "Accept-Encoding", "gzip;q=0"); r.Header().Get("Content-Encoding") != "" {
		t.Errorf("Accept-Encoding gzip;q=0 got Content-Encoding %q", r.Header().Get("Content-Encoding"))
	}

	// HEAD: the headers without the body.
	head := e.raw("HEAD", css[1], "", "Accept-Encoding", "gzip")
	if head.Code != 200 || head.Body.Len() != 0 || head.Header().Get("Content-Encoding") != "gzip" ||
		head.Header().Get("Content-Length") != packed.Header().Get("Content-Length") {
		t.Errorf("HEAD: %d, %d B body, Content-Encoding %q, Content-Length %q (GET: %q)", head.Code, head.Body.Len(),
			head.Header().Get("Content-Encoding"), head.Header().Get("Content-Length"), packed.Header().Get("Content-Length"))
	}
	// Range: a part of the identity bytes, not compressed again.
	rng := e.raw("GET", css[1], "", "Range", "bytes=0-99")
	if rng.Code != http.StatusPartialContent || !bytes.Equal(rng.Body.Bytes(), plain.Body.Bytes()[:100]) {
		t.Errorf("Range bytes=0-99: %d with %d B", rng.Code, rng.Body.Len())
	}

	// problem+json stays a readable problem, compressed or not.
	prob := e.raw("GET", e.api("/personas/no-such-persona"), e.owner, "Accept-Encoding", "gzip")
	body := prob.Body.Bytes()
	if prob.Header().Get("Content-Encoding") == "gzip" {
		body = gunzip(t, body)
	}
	if prob.Code != http.StatusNotFound || !strings.HasPrefix(prob.Header().Get("Content-Type"), "application/problem+json") || !bytes.Contains(body, []byte(`"status":404`)) {
		t.Errorf("a missing persona: %d %q %s", prob.Code, prob.Header().Get("Content-Type"), body)
	}

	// The streamed audit export is not compressed.
	export := e.raw("GET", e.api("/audit/export?format=csv"), e.owner, "Accept-Encoding", "gzip")
	if export.Code != 200 || export.Header().Get("Content-Encoding") != "" || !strings.HasPrefix(export.Body.String(), "seq,") {
		t.Errorf("audit export: %d, Content-Encoding %q, body %.60q", export.Code, export.Header().Get("Content-Encoding"), export.Body.String())
	}
}

type noPing struct{}

func (noPing) Ping(context.Context) error { return nil }

// TestCompressionKeepsStreamsAndPanics: behind the compression middleware a
// handler that flushes as it goes reaches the client chunk by chunk (each
// flushed part decodes before the handler ends), and one that panics still
// gets the 500 problem+json.
func TestCompressionKeepsStreamsAndPanics(t *testing.T) {
	e := newEnv(t)
	flushed := make(chan struct{})
	h, err := server.New(e.svc, noPing{}, slog.New(slog.NewTextHandler(io.Discard, nil)), func(mux *http.ServeMux) {
		mux.HandleFunc("GET /test/stream", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = io.WriteString(w, "<p>"+strings.Repeat("first part ", 200)+"</p>\n")
			if err := http.NewResponseController(w).Flush(); err != nil {
				t.Errorf("flush: %v", err)
			}
			select { // until the client has read the first part
			case <-flushed:
			case <-time.After(30 * time.Second): // a bound against a hang, not a timing
				t.Errorf("the client did not read the flushed first part while the handler ran")
			}
			_, _ = io.WriteString(w, "<p>second part</p>\n")
		})
		mux.HandleFunc("GET /test/panic", func(w http.ResponseWriter, r *http.Request) { panic("boom") })
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}

	req, _ := http.NewRequest("GET", srv.URL+"/test/stream", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("stream: Content-Encoding %q, want gzip", res.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	first := make([]byte, len("<p>first part "))
	if _, err := io.ReadFull(zr, first); err != nil || string(first) != "<p>first part " {
		t.Fatalf("the first part before the handler ended: %q %v", first, err)
	}
	close(flushed)
	rest, err := io.ReadAll(zr)
	if err != nil || !strings.HasSuffix(string(rest), "<p>second part</p>\n") {
		t.Errorf("the rest: %v, ends %q", err, rest[max(0, len(rest)-40):])
	}

	req, _ = http.NewRequest("GET", srv.URL+"/test/panic", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	res, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 500 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/problem+json") || !bytes.Contains(body, []byte(`"status":500`)) {
		t.Errorf("a panic: %d %q %s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
}
