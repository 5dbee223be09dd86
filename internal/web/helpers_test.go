package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/demo"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/seed"
	"github.com/personapal/personapal/internal/server"
	"github.com/personapal/personapal/internal/store"
)

// webEnv is the whole server (API and web app) on a real temporary SQLite
// file with the demo data, served by httptest on 127.0.0.1, plus a viewer
// of the demo organisation and the owner of another organisation.
type webEnv struct {
	t        *testing.T
	srv      *httptest.Server
	svc      *app.Service
	org      string // demo organisation slug
	owner    account
	viewer   account
	outsider account // owner of otherOrg, not a member of org
	otherOrg string
}

type account struct{ Email, Password string }

var cheapHasher = app.PasswordHasher{Time: 1, Memory: 64, Threads: 1}

// seeded builds the whole server over a fresh SQLite file holding the demo
// data.
func seeded(tb testing.TB) (*app.Service, *store.DB, http.Handler, seed.Credentials) {
	tb.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(tb.TempDir(), "web.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := app.New(db, app.WithLogger(log), app.WithPasswordHasher(cheapHasher))
	creds, err := seed.Demo(ctx, svc, demo.Data())
	if err != nil {
		tb.Fatal(err)
	}
	h, err := server.New(svc, db, log)
	if err != nil {
		tb.Fatal(err)
	}
	return svc, db, h, creds
}

func newWebEnv(t *testing.T) *webEnv {
	t.Helper()
	ctx := context.Background()
	svc, _, h, creds := seeded(t)
	e := &webEnv{t: t, svc: svc, org: creds.OrgSlug, owner: account{creds.Email, creds.Password}}

	e.viewer = account{"viewer@example.com", "viewer-password-1"}
	if _, err := svc.CreateUser(ctx, e.viewer.Email, "Vera Viewer", e.viewer.Password); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AddMember(ctx, app.System, e.org, e.viewer.Email, persona.RoleViewer); err != nil {
		t.Fatal(err)
	}
	e.outsider = account{"outsider@example.com", "outsider-password-1"}
	out, err := svc.CreateUser(ctx, e.outsider.Email, "Otto Outsider", e.outsider.Password)
	if err != nil {
		t.Fatal(err)
	}
	other, err := svc.CreateOrg(ctx, app.Actor{UserID: out.ID}, "Other Corp", "other-corp")
	if err != nil {
		t.Fatal(err)
	}
	e.otherOrg = other.Slug

	e.srv = httptest.NewServer(h)
	t.Cleanup(e.srv.Close)
	return e
}

// actor returns the app-layer actor for an account (to arrange data
// directly through the service).
func (e *webEnv) actor(a account) app.Actor {
	e.t.Helper()
	u, err := e.svc.UserByEmail(context.Background(), a.Email)
	if err != nil {
		e.t.Fatal(err)
	}
	act, err := e.svc.ActorFor(context.Background(), u.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return act
}

// browser is an HTTP client with a cookie jar that behaves like a same-origin
// browser: it sends Origin on posts and follows redirects.
type browser struct {
	e      *webEnv
	client *http.Client
}

// page is a response as the browser ended up seeing it.
type page struct {
	Status int
	URL    string // after redirects
	Body   string
	Header http.Header
}

func (e *webEnv) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{e: e, client: &http.Client{Jar: jar}}
}

// signedIn returns a browser signed in as a.
func (e *webEnv) signedIn(a account) *browser {
	e.t.Helper()
	b := e.browser()
	p := b.post("/login", url.Values{"email": {a.Email}, "password": {a.Password}})
	if p.Status != http.StatusOK || strings.Contains(p.URL, "/login") {
		e.t.Fatalf("sign-in as %s: %d at %s\n%s", a.Email, p.Status, p.URL, p.Body)
	}
	return b
}

func (b *browser) get(path string) page {
	b.e.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.e.srv.URL+path, nil)
	if err != nil {
		b.e.t.Fatal(err)
	}
	return b.do(req)
}

// post sends a same-origin form post.
func (b *browser) post(path string, form url.Values) page {
	b.e.t.Helper()
	return b.postFrom(b.e.srv.URL, path, form)
}

// postFrom sends a form post as if from a page on origin.
func (b *browser) postFrom(origin, path string, form url.Values) page {
	b.e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.e.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", origin)
	if origin == b.e.srv.URL {
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	} else {
		req.Header.Set("Sec-Fetch-Site", "cross-site")
	}
	return b.do(req)
}

func (b *browser) do(req *http.Request) page {
	b.e.t.Helper()
	res, err := b.client.Do(req)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		b.e.t.Fatal(err)
	}
	return page{Status: res.StatusCode, URL: strings.TrimPrefix(res.Request.URL.String(), b.e.srv.URL), Body: string(body), Header: res.Header}
}

// must fails the test unless the page has the wanted status.
func (p page) must(t *testing.T, want int) page {
	t.Helper()
	if p.Status != want {
		t.Fatalf("%s: want %d, got %d\n%s", p.URL, want, p.Status, p.Body)
	}
	return p
}

// demoGroups lists the demo organisation's group IDs.
func (e *webEnv) demoGroups() []string {
	e.t.Helper()
	gs, err := e.svc.ListGroups(context.Background(), e.actor(e.owner), e.org)
	if err != nil {
		e.t.Fatal(err)
	}
	ids := make([]string, len(gs))
	for i, g := range gs {
		ids[i] = g.ID
	}
	return ids
}
