package server_test

import (
	"bufio"
	"context"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// repeat is an endless reader of one byte.
type repeat byte

func (b repeat) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(b)
	}
	return len(p), nil
}

// bigMultipart is a multipart form with a file part of n bytes, made as it
// is read.
func bigMultipart(n int64) (io.Reader, string, int64) {
	const boundary = "persona-pal-test-boundary"
	head := "--" + boundary + "\r\nContent-Disposition: form-data; name=\"email\"\r\n\r\nada@example.com\r\n" +
		"--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\n" +
		"Content-Type: application/octet-stream\r\n\r\n"
	tail := "\r\n--" + boundary + "--\r\n"
	r := io.MultiReader(strings.NewReader(head), io.LimitReader(repeat('x'), n), strings.NewReader(tail))
	return r, "multipart/form-data; boundary=" + boundary, int64(len(head)) + n + int64(len(tail))
}

// dirSize is the bytes held by the files under dir.
func dirSize(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}

// Nobody's request body is read before the checks that come first, and no
// route reads more than its limit: 50 MB to the sign-in form (multipart or
// urlencoded, with or without a length) is refused with 413, and 50 MB to
// the catalogue import or the evidence upload from a viewer with 403 (an
// outsider 404), with at most a few KB written to the temporary directory
// (where multipart forms spool their files) and a few MB allocated.
func TestBodiesAreBoundedBeforeTheyAreRead(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	viewerSession, _, err := e.svc.SignIn(ctx, "viewer@example.com", "viewer-password-1", "192.0.2.7")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.CreateUser(ctx, "editor@example.com", "Ed Editor", "editor-password-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.AddMember(ctx, app.System, e.org, "editor@example.com", persona.RoleEditor); err != nil {
		t.Fatal(err)
	}
	editorSession, _, err := e.svc.SignIn(ctx, "editor@example.com", "editor-password-1", "192.0.2.8")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e.h)
	t.Cleanup(srv.Close)
	spool := t.TempDir()
	t.Setenv("TMPDIR", spool) // os.TempDir: where mime/multipart spools file parts

	const size = 50 << 20
	type send struct {
		name, path      string
		cookie, token   string
		json, urlencode bool
		chunked         bool
		want            int
		// maxAlloc bounds the bytes allocated while answering: 4 MB
		// unless the route reads a body up to its limit (a 2 MB form, 1 MB
		// of JSON).
		maxAlloc uint64
	}
	org := e.org
	cases := []send{
		{name: "sign-in, multipart", path: "/login", want: 413},
		{name: "sign-in, multipart without a length", path: "/login", chunked: true, want: 413},
		{name: "sign-in, urlencoded", path: "/login", urlencode: true, want: 413},
		{name: "sign-in, urlencoded without a length", path: "/login", urlencode: true, chunked: true, want: 413},
		{name: "sign-out", path: "/logout", chunked: true, want: 413},
		{name: "catalogue import, viewer", path: "/o/" + org + "/catalogue/import", cookie: viewerSession, want: 403},
		{name: "catalogue import without a length, viewer", path: "/o/" + org + "/catalogue/import", cookie: viewerSession, chunked: true, want: 403},
		{name: "evidence upload, viewer", path: "/o/" + org + "/evidence/upload", cookie: viewerSession, chunked: true, want: 403},
		{name: "a form, viewer", path: "/o/" + org + "/notes", cookie: viewerSession, urlencode: true, chunked: true, want: 403},
		{name: "a form, editor", path: "/o/" + org + "/notes", cookie: editorSession, urlencode: true, chunked: true, want: 413, maxAlloc: 12 << 20},
		{name: "API catalogue import, viewer", path: "/api/v1/orgs/" + org + "/catalogue/import", token: e.viewer, json: true, chunked: true, want: 403},
		{name: "API catalogue import, outsider", path: "/api/v1/orgs/" + org + "/catalogue/import", token: e.other, json: true, chunked: true, want: 404},
		{name: "API group, owner", path: "/api/v1/orgs/" + org + "/groups", token: e.owner, json: true, chunked: true, want: 413, maxAlloc: 8 << 20},
		{name: "API evidence upload, viewer", path: "/api/v1/orgs/" + org + "/evidence/documents", token: e.viewer, chunked: true, want: 403},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body, ct, n := bigMultipart(size)
			switch {
			case c.json:
				body, ct, n = io.MultiReader(strings.NewReader(`{"name":"`), io.LimitReader(repeat('x'), size), strings.NewReader(`"}`)), "application/json", size+11
			case c.urlencode:
				body, ct, n = io.MultiReader(strings.NewReader("email=ada%40example.com&password="), io.LimitReader(repeat('x'), size)), "application/x-www-form-urlencoded", size+33
			}
			req, _ := http.NewRequest(http.MethodPost, srv.URL+c.path, io.NopCloser(body))
			req.ContentLength = n
			if c.chunked {
				req.ContentLength = -1
			}
			req.Header.Set("Content-Type", ct)
			if c.cookie != "" {
				req.AddCookie(&http.Cookie{Name: "pp_session", Value: c.cookie})
			}
			if c.token != "" {
				req.Header.Set("Authorization", "Bearer "+c.token)
			}

			// Watch the spool directory while the request runs.
			var peak atomic.Int64
			base := dirSize(spool)
			stop := make(chan struct{})
			var wg sync.WaitGroup
			wg.Go(func() {
				for {
					if n := dirSize(spool); n > peak.Load() {
						peak.Store(n)
					}
					select {
					case <-stop:
						return
					case <-time.After(500 * time.Microsecond):
					}
				}
			})
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)

			conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			go func() { _ = req.Write(conn) }() // the server may stop reading: then this write fails
			res, err := http.ReadResponse(bufio.NewReader(conn), req)
			if err != nil {
				t.Fatalf("no answer: %v", err)
			}
			answer, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
			res.Body.Close()
			conn.Close()
			runtime.ReadMemStats(&after)
			close(stop)
			wg.Wait()

			if res.StatusCode != c.want {
				t.Fatalf("status %d, want %d: %.300s", res.StatusCode, c.want, answer)
			}
			if c.want == 413 && !strings.Contains(string(answer), "larger than") {
				t.Errorf("the answer does not say what is wrong: %.500s", answer)
			}
			if got := peak.Load() - base; got > 64<<10 {
				t.Errorf("%d bytes were written to the temporary directory", got)
			}
			if c.maxAlloc == 0 {
				c.maxAlloc = 4 << 20
			}
			if got := after.TotalAlloc - before.TotalAlloc; got > c.maxAlloc {
				t.Errorf("%d MB allocated while answering", got>>20)
			}
		})
	}

	// Within the limits everything still works: a sign-in, and a form of
	// a few hundred KB is read (and answered on its merits, not refused).
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.PostForm(srv.URL+"/login", url.Values{"email": {"viewer@example.com"}, "password": {"viewer-password-1"}})
	if err != nil || res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in: %v %v", res, err)
	}
	res.Body.Close()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/o/"+org+"/notes",
		strings.NewReader(url.Values{"target": {"org"}, "body": {strings.Repeat("a", 300<<10)}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: "pp_session", Value: editorSession})
	res, err = client.Do(req)
	if err != nil || res.StatusCode == http.StatusRequestEntityTooLarge || res.StatusCode >= 500 {
		t.Fatalf("a 300 KB form: %v %v", res, err)
	}
	res.Body.Close()
}
