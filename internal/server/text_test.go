package server_test

import (
	"slices"
	"strings"
	"testing"
)

// TestControlCharactersAnswer422 sends NUL, ESC and BEL in names and text
// over the API: each answer is a 422 problem naming the field (never a
// 500, and nothing is written), while tabs and line breaks in multi-line
// text are kept.
func TestControlCharactersAnswer422(t *testing.T) {
	e := newEnv(t)
	group := e.firstGroup(e.owner)
	cases := []struct {
		method, path string
		body         map[string]any
		location     string
	}{
		{"POST", e.api("/groups"), map[string]any{"name": "Ops\x1b[31m"}, "body.name"},
		{"POST", e.api("/groups"), map[string]any{"name": "Ops", "description": "nul\x00byte"}, "body.description"},
		{"PUT", e.api("/groups/" + group), map[string]any{"name": "tab\tname"}, "body.name"},
		{"POST", e.api("/templates"), map[string]any{"name": "bell\a", "profile_type": "ux"}, "body.name"},
		{"POST", "/api/v1/me/tokens", map[string]any{"name": "ci\x00token"}, "body.name"},
		{"POST", "/api/v1/orgs", map[string]any{"name": "Acme\u009b", "slug": "acme-ctl"}, "body.name"},
		{"PUT", "/api/v1/orgs/" + e.org, map[string]any{"name": "line\nbreak"}, "body.name"},
		{"POST", e.api("/notes"), map[string]any{"body": "esc \x1b[2J"}, "body.body"},
	}
	for _, c := range cases {
		r := e.do(c.method, c.path, e.owner, c.body)
		if r.Status != 422 {
			t.Errorf("%s %s %q: %d %s", c.method, c.path, c.body, r.Status, r.Body)
			continue
		}
		if p := r.problem(t); !slices.Contains(p.locations(), c.location) {
			t.Errorf("%s %s: errors at %v, want %s", c.method, c.path, p.locations(), c.location)
		}
	}
	var list listJSON[struct {
		Name string `json:"name"`
	}]
	e.must(200, "GET", e.api("/groups"), e.owner, nil).json(t, &list)
	for _, g := range list.Items {
		if strings.ContainsAny(g.Name, "\x00\x1b\t\n") {
			t.Errorf("a refused group was written: %q", g.Name)
		}
	}
	var g struct {
		Description string `json:"description"`
	}
	e.must(201, "POST", e.api("/groups"), e.owner, map[string]any{"name": "Multi-line", "description": "one\r\n\ttwo"}).json(t, &g)
	if g.Description != "one\n\ttwo" {
		t.Errorf("description %q", g.Description)
	}
}
