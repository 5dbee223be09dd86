package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"
)

// Bad input never gives a 500 or a panic: every documented route, sent
// malformed bodies and hostile query strings by the organisation's owner,
// answers with a client error (problem+json) or, for harmless query noise,
// success — never a server error.
func TestBadInputNeverGivesAServerError(t *testing.T) {
	e := newEnv(t)
	ids := e.ids()
	huge := strings.Repeat("x", 2<<20)
	bodies := map[string]string{
		"malformed JSON":   `{"name": "x",`,
		"wrong types":      `{"name": 5, "values": "nope", "dimensions": [1], "limit": "many", "group_id": {"a": 1}}`,
		"huge string":      `{"name": "` + huge + `"}`,
		"invalid UTF-8":    "{\"name\": \"\xff\xfe\xfd\"}",
		"not an object":    `[1, 2, 3]`,
		"SQL and FTS meta": `{"name": "'; DROP TABLE personas; --", "body": "\" OR 1=1 NEAR(*", "q": "*"}`,
	}
	queries := []string{
		"?limit=-1", "?limit=99999999999999999999", "?cursor=%00%ff", "?q=%27%20OR%201%3D1%20--%22*()",
		"?unknown=1&limit=abc", "?profile_type=%ff", "?from=-5&to=999999", "?customer=%00",
	}
	checked := 0
	doc := e.srv.API.OpenAPI()
	for _, rt := range documentedRoutes(doc) {
		if !strings.Contains(rt.Path, "{org}") && !strings.HasPrefix(rt.Path, "/api/v1/me") && rt.Path != "/api/v1/orgs" {
			continue
		}
		path := ids.fill(rt.Path, e.org)
		if rt.Method == http.MethodGet {
			base, _, _ := strings.Cut(path, "?")
			for _, q := range queries {
				res := e.do("GET", base+q, e.owner, nil)
				if res.Status >= 500 {
					t.Errorf("GET %s%s: %d %s", rt.Path, q, res.Status, res.Body)
				}
				if res.Status >= 400 {
					res.problem(t)
				}
			}
			checked++
			continue
		}
		item := doc.Paths[rt.Path]
		op := map[string]*huma.Operation{http.MethodPost: item.Post, http.MethodPut: item.Put}[rt.Method]
		if op == nil || op.RequestBody == nil {
			continue // no body to spoil; covered by the other walks
		}
		for name, body := range bodies {
			res := e.do(rt.Method, path, e.owner, body, "If-Match", `"1"`)
			if res.Status >= 500 || res.Status < 400 {
				t.Errorf("%s %s with %s: %d %.300s", rt.Method, rt.Path, name, res.Status, res.Body)
				continue
			}
			res.problem(t)
		}
		checked++
	}
	if checked < 40 {
		t.Fatalf("only %d routes walked", checked)
	}
}
