package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
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

// env is a server on a real temporary SQLite file, seeded with the demo
// organisation, plus a second organisation and users in several roles.
type env struct {
	t       *testing.T
	h       http.Handler
	srv     *server.Handler
	svc     *app.Service
	org     string // demo organisation slug
	owner   string // token of the demo owner
	viewer  string // token of a viewer of the demo organisation
	other   string // token of the owner of the second organisation
	otherOr string // second organisation slug
}

// cheapHasher keeps password hashing fast in tests; production parameters
// are exercised by the password tests.
var cheapHasher = app.PasswordHasher{Time: 1, Memory: 64, Threads: 1}

// demoServer serves a temporary SQLite file holding the demo organisation;
// creds has its slug and its owner's token.
func demoServer(tb testing.TB) (*app.Service, *server.Handler, seed.Credentials) {
	tb.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(tb.TempDir(), "test.db"))
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
	return svc, h, creds
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	svc, h, creds := demoServer(t)
	e := &env{t: t, svc: svc, org: creds.OrgSlug, owner: creds.Token, srv: h, h: h}

	// A viewer of the demo organisation.
	viewer, err := svc.CreateUser(ctx, "viewer@example.com", "Vera Viewer", "viewer-password-1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AddMember(ctx, app.System, creds.OrgSlug, viewer.Email, persona.RoleViewer); err != nil {
		t.Fatal(err)
	}
	e.viewer = e.tokenFor(viewer)

	// The owner of another organisation.
	outsider, err := svc.CreateUser(ctx, "outsider@example.com", "Otto Outsider", "outsider-password-1")
	if err != nil {
		t.Fatal(err)
	}
	otherOrg, err := svc.CreateOrg(ctx, app.Actor{UserID: outsider.ID}, "Other Corp", "other-corp")
	if err != nil {
		t.Fatal(err)
	}
	e.otherOr = otherOrg.Slug
	e.other = e.tokenFor(outsider)
	return e
}

func (e *env) tokenFor(u persona.User) string {
	e.t.Helper()
	secret, _, err := e.svc.CreateToken(context.Background(), app.Actor{UserID: u.ID}, "test")
	if err != nil {
		e.t.Fatal(err)
	}
	return secret
}

type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// problem decodes a problem+json body, failing if it is not one.
func (r response) problem(t *testing.T) problemDoc {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Fatalf("want problem+json, got %q: %s", ct, r.Body)
	}
	var p problemDoc
	r.json(t, &p)
	return p
}

type problemDoc struct {
	Title           string `json:"title"`
	Status          int    `json:"status"`
	Detail          string `json:"detail"`
	CurrentRevision int    `json:"current_revision"`
	Errors          []struct {
		Location string `json:"location"`
		Message  string `json:"message"`
	} `json:"errors"`
}

func (p problemDoc) locations() []string {
	var out []string
	for _, e := range p.Errors {
		out = append(out, e.Location)
	}
	return out
}

// do sends a request to the handler and checks the exchange against the
// OpenAPI description. body may be nil, a string (sent raw) or a value
// encoded as JSON. headers are name, value pairs.
func (e *env) do(method, path, token string, body any, headers ...string) response {
	e.t.Helper()
	req, rec := e.send(method, path, token, body, headers...)
	checkOpenAPI(e.t, e.h, req, rec.Code, rec.Header(), rec.Body.Bytes())
	return response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
}

// send sends one request straight to the handler and returns the request
// and what the handler wrote, unchecked.
func (e *env) send(method, path, token string, body any, headers ...string) (*http.Request, *httptest.ResponseRecorder) {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(buf)
	}
	req := httptest.NewRequest(method, path, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	return req, rec
}

// must sends a request and fails unless the status is want.
func (e *env) must(want int, method, path, token string, body any, headers ...string) response {
	e.t.Helper()
	r := e.do(method, path, token, body, headers...)
	if r.Status != want {
		e.t.Fatalf("%s %s: want %d, got %d: %s", method, path, want, r.Status, r.Body)
	}
	return r
}

func (e *env) api(path string) string { return "/api/v1/orgs/" + e.org + path }

// personaJSON mirrors the API's persona representation.
type personaJSON struct {
	ID              string         `json:"id"`
	Name            string         `json:"name"`
	Summary         string         `json:"summary"`
	ProfileType     string         `json:"profile_type"`
	GroupID         string         `json:"group_id"`
	TemplateID      string         `json:"template_id"`
	TemplateVersion int            `json:"template_version"`
	Status          string         `json:"status"`
	Revision        int            `json:"revision"`
	Values          map[string]any `json:"values"`
	Dimensions      map[string]any `json:"dimensions"`
	Retired         map[string]any `json:"retired"`
}

type listJSON[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

type templateJSON struct {
	ID            string             `json:"id"`
	Name          string             `json:"name"`
	ProfileType   string             `json:"profile_type"`
	LatestVersion int                `json:"latest_version"`
	Draft         persona.Definition `json:"draft"`
}

func (e *env) templateFor(token string, profile persona.ProfileType) templateJSON {
	e.t.Helper()
	var list listJSON[templateJSON]
	e.must(200, "GET", e.api("/templates"), token, nil).json(e.t, &list)
	for _, tm := range list.Items {
		if tm.ProfileType == string(profile) {
			return tm
		}
	}
	e.t.Fatalf("no %s template", profile)
	return templateJSON{}
}

func (e *env) firstGroup(token string) string {
	e.t.Helper()
	var list listJSON[persona.Group]
	e.must(200, "GET", e.api("/groups"), token, nil).json(e.t, &list)
	if len(list.Items) == 0 {
		e.t.Fatal("no groups")
	}
	return list.Items[0].ID
}

// validValues fills every field and dimension of def with a valid value.
func validValues(def persona.Definition) (map[string]any, map[string]any) {
	values := map[string]any{}
	for _, s := range def.Sections {
		for _, f := range s.Fields {
			if v := validValue(f); v != nil {
				values[f.Key] = v
			}
		}
	}
	dims := map[string]any{}
	for _, d := range def.Dimensions {
		if d.Kind == persona.DimensionChoice {
			dims[d.Key] = d.Options[0]
		} else {
			dims[d.Key] = d.Min
		}
	}
	return values, dims
}

func validValue(f persona.Field) any {
	switch f.Kind {
	case persona.KindList, persona.KindTags:
		return []string{"first " + f.Key, "second " + f.Key}
	case persona.KindMultiChoice:
		return []string{f.Options[0]}
	case persona.KindChoice:
		return f.Options[0]
	case persona.KindNumber, persona.KindScale:
		if f.Min != nil {
			return *f.Min
		}
		return 1
	case persona.KindURL:
		return "https://example.com/" + f.Key
	case persona.KindDate:
		return "2026-01-15"
	case persona.KindPersona:
		return nil // a reference needs a persona of the organisation: left empty
	}
	return "Some " + f.Key
}
