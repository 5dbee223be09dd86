package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/demo"
	"github.com/personapal/personapal/internal/seed"
	"github.com/personapal/personapal/internal/server"
	"github.com/personapal/personapal/internal/store"
	"github.com/personapal/personapal/internal/store/storetest"
)

// Two instances on one PostgreSQL database behave as one system.
func TestTwoInstancesOnOnePostgres(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))

	// Both start at the same moment: the migrations run once.
	var dbs [2]*store.DB
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for i := range dbs {
		db, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		dbs[i] = db
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- db.Migrate(ctx)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent migrate: %v", err)
		}
	}
	var dup int
	if err := dbs[0].SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT version_id FROM goose_db_version
		WHERE version_id > 0 GROUP BY version_id HAVING COUNT(*) > 1) d`).Scan(&dup); err != nil || dup != 0 {
		t.Fatalf("migrations applied twice: %d (%v)", dup, err)
	}

	var urls [2]string
	var svcs [2]*app.Service
	for i, db := range dbs {
		svcs[i] = app.New(db, app.WithLogger(log), app.WithPasswordHasher(cheapHasher))
		h, err := server.New(svcs[i], db, log)
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		urls[i] = srv.URL
	}
	creds, err := seed.Demo(ctx, svcs[0], demo.Data())
	if err != nil {
		t.Fatal(err)
	}
	call := func(base, method, path string, body any, headers ...string) (int, []byte, http.Header) {
		t.Helper()
		var rd io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		}
		req, _ := http.NewRequest(method, base+path, rd)
		req.Header.Set("Authorization", "Bearer "+creds.Token)
		req.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		out, _ := io.ReadAll(res.Body)
		return res.StatusCode, out, res.Header
	}
	api := "/api/v1/orgs/" + creds.OrgSlug

	// A write through one instance is read through the other.
	code, body, _ := call(urls[0], "POST", api+"/notes", map[string]any{"body": "Written through instance A"})
	if code != 201 {
		t.Fatalf("write via A: %d %s", code, body)
	}
	_, body, _ = call(urls[1], "GET", api+"/notes", nil)
	if !strings.Contains(string(body), "Written through instance A") {
		t.Fatalf("B does not see A's write: %s", body)
	}

	// A session made on one instance works on the other.
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	form := url.Values{"email": {creds.Email}, "password": {creds.Password}}
	req, _ := http.NewRequest("POST", urls[0]+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := browser.Do(req)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("sign in on A: %v %v", res, err)
	}
	res.Body.Close()
	var session *http.Cookie
	for _, c := range jar.Cookies(mustURL(t, urls[0])) {
		if c.Name == "pp_session" {
			session = c
		}
	}
	if session == nil {
		t.Fatal("no session cookie from A")
	}
	req, _ = http.NewRequest("GET", urls[1]+"/o/"+creds.OrgSlug, nil)
	req.AddCookie(session)
	res, err = (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("A's session on B: %v %v", res.StatusCode, err)
	}
	res.Body.Close()

	// Concurrent edits through both with the same If-Match: one wins, the
	// other gets 412.
	_, body, hdr := call(urls[0], "GET", api+"/personas?limit=1", nil)
	var list struct {
		Items []map[string]any `json:"items"`
	}
	json.Unmarshal(body, &list)
	p := list.Items[0]
	id := p["id"].(string)
	_, _, hdr = call(urls[0], "GET", api+"/personas/"+id, nil)
	etag := hdr.Get("ETag")
	codes := make(chan int, 2)
	for i, base := range urls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			edit := map[string]any{"name": p["name"], "summary": "Edited through instance " + string(rune('A'+i)), "group_id": p["group_id"],
				"status": p["status"], "values": p["values"], "dimensions": p["dimensions"]}
			code, _, _ := call(base, "PUT", api+"/personas/"+id, edit, "If-Match", etag)
			codes <- code
		}()
	}
	wg.Wait()
	close(codes)
	got := map[int]int{}
	for c := range codes {
		got[c]++
	}
	if got[200] != 1 || got[412] != 1 {
		t.Fatalf("concurrent edits through two instances: %v", got)
	}

	// A token revoked through one instance is refused by the other at once,
	// though the other has just served it; nothing caches tokens.
	u, err := svcs[0].UserByEmail(ctx, creds.Email)
	if err != nil {
		t.Fatal(err)
	}
	actor, err := svcs[0].ActorFor(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	secret, tok, err := svcs[0].CreateToken(ctx, actor, "revoked across instances")
	if err != nil {
		t.Fatal(err)
	}
	withToken := func(base string) int {
		req, _ := http.NewRequest("GET", base+api+"/personas?limit=1", nil)
		req.Header.Set("Authorization", "Bearer "+secret)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if code := withToken(urls[1]); code != 200 {
		t.Fatalf("new token on B: %d", code)
	}
	if err := svcs[0].RevokeToken(ctx, actor, tok.ID); err != nil {
		t.Fatal(err)
	}
	if code := withToken(urls[1]); code != 401 {
		t.Fatalf("token revoked on A still works on B: %d", code)
	}

	// "Sign out everywhere" on one instance ends the session on the other.
	if _, err := svcs[0].SignOutEverywhere(ctx, actor, false); err != nil {
		t.Fatal(err)
	}
	req, _ = http.NewRequest("GET", urls[1]+"/o/"+creds.OrgSlug, nil)
	req.AddCookie(session)
	res, err = (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Fatalf("session on B after signing out everywhere on A: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
