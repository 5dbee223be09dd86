package server_test

import (
	"io"
	"log/slog"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"

	"github.com/personapal/personapal/internal/api"
	"github.com/personapal/personapal/internal/persona"
)

// recordingMux records every pattern the API registers.
type recordingMux struct {
	*http.ServeMux
	patterns []string
}

func (m *recordingMux) HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request)) {
	m.patterns = append(m.patterns, pattern)
	m.ServeMux.HandleFunc(pattern, h)
}

type route struct{ Method, Path string }

func (r route) String() string { return r.Method + " " + r.Path }

func documentedRoutes(doc *huma.OpenAPI) []route {
	var out []route
	for path, item := range doc.Paths {
		for method, op := range map[string]*huma.Operation{
			http.MethodGet: item.Get, http.MethodPost: item.Post, http.MethodPut: item.Put,
			http.MethodDelete: item.Delete, http.MethodPatch: item.Patch,
		} {
			if op != nil {
				out = append(out, route{method, path})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

// The OpenAPI document and the router come from the same declarations; this
// proves it: every registered API route is documented and every documented
// route answers.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	e := newEnv(t)
	rec := &recordingMux{ServeMux: http.NewServeMux()}
	humaAPI := api.Register(rec, e.svc, slog.New(slog.NewTextHandler(io.Discard, nil)))
	documented := documentedRoutes(humaAPI.OpenAPI())
	docSet := map[string]bool{}
	for _, r := range documented {
		docSet[r.String()] = true
	}
	var registered []string
	for _, p := range rec.patterns {
		method, path, _ := strings.Cut(p, " ")
		if !strings.HasPrefix(path, "/api/v1/") {
			continue // the OpenAPI document, docs and schemas themselves
		}
		registered = append(registered, method+" "+path)
		if !docSet[method+" "+path] {
			t.Errorf("route %s %s is not documented", method, path)
		}
	}
	if len(registered) != len(documented) {
		t.Errorf("%d routes registered, %d documented", len(registered), len(documented))
	}
	if len(documented) < 30 {
		t.Fatalf("only %d documented routes", len(documented))
	}

	// The document is served, as OpenAPI 3.1.
	r := e.must(200, "GET", "/api/openapi.json", "", nil)
	var doc struct {
		OpenAPI string         `json:"openapi"`
		Paths   map[string]any `json:"paths"`
	}
	r.json(t, &doc)
	if !strings.HasPrefix(doc.OpenAPI, "3.1") || len(doc.Paths) == 0 {
		t.Fatalf("openapi %q with %d paths", doc.OpenAPI, len(doc.Paths))
	}

	// Every documented route exists on the real server: it never falls
	// through to the router's own 404 or 405.
	ids := e.ids()
	for _, rt := range documented {
		res := e.do(rt.Method, ids.fill(rt.Path, e.org), e.owner, "{}")
		if res.Status == 404 || res.Status == 405 {
			if !strings.HasPrefix(res.Header.Get("Content-Type"), "application/problem+json") {
				t.Errorf("%s: not routed (%d %s)", rt, res.Status, res.Body)
			}
		}
	}
}

// objectIDs are real IDs of the demo organisation's objects.
type objectIDs struct {
	persona, group, template, user, token, variant, buyer, evidence, launchpad, invitation, comment string
}

func (e *env) ids() objectIDs {
	e.t.Helper()
	var ps listJSON[personaJSON]
	e.must(200, "GET", e.api("/personas?limit=1"), e.owner, nil).json(e.t, &ps)
	var me struct {
		ID string `json:"id"`
	}
	e.must(200, "GET", "/api/v1/me", e.owner, nil).json(e.t, &me)
	var toks listJSON[persona.Token]
	e.must(200, "GET", "/api/v1/me/tokens", e.owner, nil).json(e.t, &toks)
	var v struct {
		ID string `json:"id"`
	}
	e.must(201, "POST", e.api("/personas/"+ps.Items[0].ID+"/variants"), e.owner,
		map[string]any{"customer_label": "Credit Union", "note": "Smaller team"}).json(e.t, &v)
	var buyers listJSON[personaJSON]
	e.must(200, "GET", e.api("/personas?profile_type=marketing&limit=1"), e.owner, nil).json(e.t, &buyers)
	var docs listJSON[struct {
		ID string `json:"id"`
	}]
	e.must(200, "GET", e.api("/evidence?kind=document&limit=1"), e.owner, nil).json(e.t, &docs)
	if len(docs.Items) == 0 {
		e.t.Fatal("the demo has no evidence documents")
	}
	var launchpads listJSON[struct {
		ID string `json:"id"`
	}]
	e.must(200, "GET", e.api("/launchpads"), e.owner, nil).json(e.t, &launchpads)
	if len(launchpads.Items) == 0 {
		e.t.Fatal("the demo has no saved Launchpad")
	}
	var inv struct {
		ID string `json:"id"`
	}
	e.must(202, "POST", e.api("/invitations"), e.owner, map[string]any{"email": "invitee@example.com", "role": "editor"}).json(e.t, &inv)
	var cm struct {
		ID string `json:"id"`
	}
	e.must(201, "POST", e.api("/personas/"+ps.Items[0].ID+"/comments"), e.owner, map[string]any{"body": "The owner's comment", "field": "goals"}).json(e.t, &cm)
	return objectIDs{
		comment:    cm.ID,
		invitation: inv.ID,
		launchpad:  launchpads.Items[0].ID,
		evidence:   docs.Items[0].ID,
		buyer:      buyers.Items[0].ID,
		persona:    ps.Items[0].ID, group: e.firstGroup(e.owner), template: e.templateFor(e.owner, persona.ProfileUX).ID,
		user: me.ID, token: toks.Items[0].ID, variant: v.ID,
	}
}

// fill puts real IDs into a route's path parameters.
func (ids objectIDs) fill(path, org string) string {
	id := ids.persona
	switch {
	case strings.Contains(path, "/groups/{id}"):
		id = ids.group
	case strings.Contains(path, "/templates/{id}"):
		id = ids.template
	case strings.Contains(path, "/me/tokens/{id}"):
		id = ids.token
	case strings.Contains(path, "/variants/{id}"):
		id = ids.variant
	case strings.Contains(path, "/evidence/{id}"):
		id = ids.evidence
	case strings.Contains(path, "/personas/{id}/alignment"):
		id = ids.buyer
	case strings.Contains(path, "/launchpads/{id}"):
		id = ids.launchpad
	case strings.Contains(path, "/invitations/{id}"):
		id = ids.invitation
	case strings.Contains(path, "/comments/{id}"):
		id = ids.comment
	}
	path = strings.NewReplacer("{org}", org, "{id}", id, "{user}", ids.user, "{version}", "1", "{rev}", "1", "{n}", "1").Replace(path)
	if strings.HasSuffix(path, "/"+org+"/variants") {
		path += "?customer_label=Credit+Union"
	}
	return path
}

// A member of another organisation gets 404 on every route of the first
// organisation — with the first organisation's slug and real IDs, whatever
// the method and body — and no byte of its data.
func TestOtherOrganisationGetsNotFoundEverywhere(t *testing.T) {
	e := newEnv(t)
	ids := e.ids()
	routes := documentedRoutes(e.srv.API.OpenAPI())
	checked := 0
	for _, rt := range routes {
		if !strings.Contains(rt.Path, "{org}") {
			continue
		}
		for _, body := range []any{nil, "{}", map[string]any{"name": "x", "role": "owner", "email": "outsider@example.com"}} {
			res := e.do(rt.Method, ids.fill(rt.Path, e.org), e.other, body, "If-Match", `"1"`)
			if res.Status != http.StatusNotFound {
				t.Errorf("%s as outsider: want 404, got %d: %s", rt, res.Status, res.Body)
				continue
			}
			res.problem(t)
			for _, secret := range []string{ids.persona, ids.group, ids.template, ids.invitation, ids.comment, "invitee@example.com", "System Lead"} {
				if strings.Contains(string(res.Body), secret) {
					t.Errorf("%s leaks %q: %s", rt, secret, res.Body)
				}
			}
		}
		checked++
	}
	if checked < 25 {
		t.Fatalf("only %d organisation routes walked", checked)
	}
	// The outsider's own organisation slug with the first organisation's
	// object IDs: not found either.
	for _, rt := range routes {
		if !strings.Contains(rt.Path, "{id}") || !strings.Contains(rt.Path, "{org}") || rt.Method != http.MethodGet {
			continue
		}
		res := e.do(rt.Method, ids.fill(rt.Path, e.otherOr), e.other, nil)
		if res.Status != http.StatusNotFound {
			t.Errorf("%s with foreign IDs: want 404, got %d: %s", rt, res.Status, res.Body)
		}
	}
	// Nothing was changed by all that.
	var p personaJSON
	e.must(200, "GET", e.api("/personas/"+ids.persona), e.owner, nil).json(t, &p)
	if p.Revision != 2 {
		t.Fatalf("outsider changed a persona: revision %d", p.Revision)
	}
}

// adminReads are the reads that need more than the viewer role.
var adminReads = map[string]bool{"/api/v1/orgs/{org}/export": true, "/api/v1/orgs/{org}/audit": true, "/api/v1/orgs/{org}/audit/export": true,
	"/api/v1/orgs/{org}/invitations": true, "/api/v1/orgs/{org}/sso": true}

// viewerWrites are the writes a viewer may make: commenting, and editing
// or deleting their own comment (whose body is validated before the app
// layer says 403 to another's; TestAPIComments checks those 403s). The
// walk's resolve and reopen of the owner's comment stay 403.
var viewerWrites = map[string]bool{"/api/v1/orgs/{org}/personas/{id}/comments": true,
	"/api/v1/orgs/{org}/variants/{id}/comments": true, "/api/v1/orgs/{org}/launchpads/{id}/comments": true,
	"/api/v1/orgs/{org}/comments/{id}": true}

// A viewer reads everything (but the admin-only reads) and changes nothing.
func TestViewerGetsForbiddenOnEveryWrite(t *testing.T) {
	e := newEnv(t)
	ids := e.ids()
	writes := 0
	for _, rt := range documentedRoutes(e.srv.API.OpenAPI()) {
		if !strings.Contains(rt.Path, "{org}") {
			continue
		}
		path := ids.fill(rt.Path, e.org)
		if rt.Method == http.MethodGet {
			if strings.HasSuffix(rt.Path, "/diff") {
				path += "?from=1&to=2"
			}
			want := 200
			if adminReads[rt.Path] {
				want = 403
			}
			if res := e.do("GET", path, e.viewer, nil); res.Status != want {
				t.Errorf("viewer %s: want 200, got %d: %s", rt, res.Status, res.Body)
			}
			continue
		}
		if viewerWrites[rt.Path] {
			continue // TestAPIComments covers who may comment
		}
		writes++
		for _, body := range []any{"{}", map[string]any{"name": "Viewer was here", "role": "owner", "email": "viewer@example.com"}} {
			res := e.do(rt.Method, path, e.viewer, body, "If-Match", `"2"`)
			if res.Status != http.StatusForbidden {
				t.Errorf("viewer %s: want 403, got %d: %s", rt, res.Status, res.Body)
				continue
			}
			res.problem(t)
		}
	}
	if writes < 15 {
		t.Fatalf("only %d write routes walked", writes)
	}
	var p personaJSON
	e.must(200, "GET", e.api("/personas/"+ids.persona), e.owner, nil).json(t, &p)
	if p.Revision != 2 || slices.Contains([]string{p.Name}, "Viewer was here") {
		t.Fatalf("viewer changed a persona: %+v", p)
	}
}
