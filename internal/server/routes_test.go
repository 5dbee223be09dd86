package server_test

import (
	"bytes"
	"image"
	"image/jpeg"
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
	persona, group, template, user, token, variant, buyer, evidence, launchpad, invitation string
	webhook, delivery                                                                      string
	proposal                                                                               string
	comment                                                                                string
	agent                                                                                  string // an AI-agent profile
	workLink                                                                               string // the persona's
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
	var agents listJSON[personaJSON]
	e.must(200, "GET", e.api("/personas?profile_type=agent&limit=1"), e.owner, nil).json(e.t, &agents)
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
	// A webhook endpoint (a public address: no flag needed) with one
	// delivery, its test event.
	var hook, queued struct {
		ID         string `json:"id"`
		DeliveryID string `json:"delivery_id"`
	}
	e.must(201, "POST", e.api("/webhooks"), e.owner, map[string]any{"url": "https://93.184.215.14/hooks", "event_types": []string{"persona.updated"}}).json(e.t, &hook)
	e.must(202, "POST", e.api("/webhooks/"+hook.ID+"/test"), e.owner, nil).json(e.t, &queued)
	// A proposal by the owner (so a viewer's withdraw is refused).
	var full map[string]any
	e.must(200, "GET", e.api("/personas/"+ps.Items[0].ID), e.owner, nil).json(e.t, &full)
	full["summary"] = "A proposed summary"
	var pr struct {
		ID string `json:"id"`
	}
	e.must(201, "POST", e.api("/personas/"+ps.Items[0].ID+"/proposals"), e.owner, map[string]any{"persona": full, "message": "Sharper"}).json(e.t, &pr)
	// A photo (so that reading it answers 200).
	var pic bytes.Buffer
	if err := jpeg.Encode(&pic, image.NewGray(image.Rect(0, 0, 40, 40)), nil); err != nil {
		e.t.Fatal(err)
	}
	e.must(200, "PUT", e.api("/personas/"+ps.Items[0].ID+"/photo"), e.owner, pic.String(), "Content-Type", "image/jpeg")
	var cm struct {
		ID string `json:"id"`
	}
	e.must(201, "POST", e.api("/personas/"+ps.Items[0].ID+"/comments"), e.owner, map[string]any{"body": "The owner's comment", "field": "goals"}).json(e.t, &cm)
	var wl struct {
		ID string `json:"id"`
	}
	e.must(201, "POST", e.api("/personas/"+ps.Items[0].ID+"/work"), e.owner, map[string]any{"url": "https://github.com/acme/app/issues/1"}).json(e.t, &wl)
	return objectIDs{
		workLink: wl.ID,
		webhook:  hook.ID, delivery: queued.DeliveryID, proposal: pr.ID, comment: cm.ID,
		agent:      agents.Items[0].ID,
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
	case strings.HasSuffix(path, "/agent-card"), strings.HasSuffix(path, "/system-prompt.md"):
		id = ids.agent
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
	case strings.Contains(path, "/webhooks/{id}"):
		id = ids.webhook
	case strings.Contains(path, "/proposals/{id}"):
		id = ids.proposal
	case strings.Contains(path, "/comments/{id}"):
		id = ids.comment
	}
	path = strings.NewReplacer("{org}", org, "{id}", id, "{delivery}", ids.delivery, "{link}", ids.workLink, "{user}", ids.user, "{version}", "1", "{rev}", "1", "{n}", "1").Replace(path)
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
	// Issue 17's usage reads are in the walk.
	for _, want := range []string{"GET /api/v1/orgs/{org}/usage", "GET /api/v1/orgs/{org}/personas/{id}/usage"} {
		if !slices.ContainsFunc(routes, func(r route) bool { return r.String() == want }) {
			t.Errorf("the walk misses %s", want)
		}
	}
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

// adminReads are the reads that need more than the viewer role (the
// admin role, or the editor role for share links).
var adminReads = map[string]bool{"/api/v1/orgs/{org}/export": true, "/api/v1/orgs/{org}/audit": true, "/api/v1/orgs/{org}/audit/export": true,
	"/api/v1/orgs/{org}/invitations": true, "/api/v1/orgs/{org}/sso": true,
	"/api/v1/orgs/{org}/webhooks": true, "/api/v1/orgs/{org}/webhooks/{id}": true, "/api/v1/orgs/{org}/webhooks/{id}/deliveries": true,
	"/api/v1/orgs/{org}/webhooks/{id}/deliveries/{delivery}/attempts": true,
	// Share links are listed for those who share (editors).
	"/api/v1/orgs/{org}/shares": true, "/api/v1/orgs/{org}/shares/{id}": true}

// viewerWrites are the write routes open to viewers: what a member does
// for themselves (their notifications) or as a reader (proposing a change,
// withdrawing their own proposal).
var viewerWrites = map[string]bool{"POST /api/v1/orgs/{org}/notifications/read": true,
	"POST /api/v1/orgs/{org}/personas/{id}/proposals": true, "POST /api/v1/orgs/{org}/variants/{id}/proposals": true,
	"POST /api/v1/orgs/{org}/proposals/{id}/withdraw": true,
	"POST /api/v1/orgs/{org}/personas/{id}/comments":  true, "POST /api/v1/orgs/{org}/variants/{id}/comments": true,
	"POST /api/v1/orgs/{org}/launchpads/{id}/comments": true, "PUT /api/v1/orgs/{org}/comments/{id}": true,
	"POST /api/v1/orgs/{org}/proposals/{id}/comments": true,
	"DELETE /api/v1/orgs/{org}/comments/{id}":         true, "POST /api/v1/orgs/{org}/comments/{id}/resolve": true,
	"POST /api/v1/orgs/{org}/comments/{id}/reopen": true}

// The routes open to viewers are exactly viewerWrites: the gate lets a
// viewer through to the use case, which answers for itself — marking read
// succeeds; an empty proposal is a 422; withdrawing the owner's proposal
// is the app's 403 (only its proposer may); an empty comment is a 422;
// deleting, resolving or reopening the owner's comment is the app's 403.
func TestViewerWrites(t *testing.T) {
	e := newEnv(t)
	ids := e.ids()
	seen := 0
	for _, rt := range documentedRoutes(e.srv.API.OpenAPI()) {
		if !viewerWrites[rt.String()] {
			continue
		}
		seen++
		res := e.do(rt.Method, ids.fill(rt.Path, e.org), e.viewer, "{}")
		want := map[string]int{"POST /api/v1/orgs/{org}/notifications/read": 200, "POST /api/v1/orgs/{org}/proposals/{id}/withdraw": 403,
			"DELETE /api/v1/orgs/{org}/comments/{id}": 403, "POST /api/v1/orgs/{org}/comments/{id}/resolve": 403,
			"POST /api/v1/orgs/{org}/comments/{id}/reopen": 403}[rt.String()]
		if want == 0 {
			want = http.StatusUnprocessableEntity
		}
		if res.Status != want {
			t.Errorf("viewer %s: want %d, got %d %s", rt, want, res.Status, res.Body)
		}
	}
	if seen != len(viewerWrites) {
		t.Errorf("%d of %d viewer writes are documented", seen, len(viewerWrites))
	}
}

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
		if viewerWrites[rt.String()] {
			continue // TestViewerWrites
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
