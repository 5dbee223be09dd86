package server_test

import (
	"encoding/json"
	"testing"
)

// A GET that carries an ETag answers 304 Not Modified, with the ETag and
// no body, to an If-None-Match naming it, and 200 with the body once the
// resource changed or for another tag: get-persona (which answers from the
// revision alone), the catalogue and a variant (answered by the server's
// middleware), and the OpenAPI document says so for each.
func TestConditionalGets(t *testing.T) {
	e := newEnv(t)
	var list listJSON[personaJSON]
	e.must(200, "GET", e.api("/personas?limit=1"), e.owner, nil).json(t, &list)
	p := list.Items[0]
	first := e.must(200, "GET", e.api("/personas/"+p.ID), e.owner, nil)
	tag := first.Header.Get("ETag")
	if tag == "" {
		t.Fatal("get-persona has no ETag")
	}
	for _, inm := range []string{tag, "W/" + tag, `"999", ` + tag, "*"} {
		r := e.do("GET", e.api("/personas/"+p.ID), e.viewer, nil, "If-None-Match", inm)
		if r.Status != 304 || len(r.Body) != 0 || r.Header.Get("ETag") != tag || r.Header.Get("Content-Type") != "" {
			t.Errorf("If-None-Match %s: %d %q ETag %q Content-Type %q", inm, r.Status, r.Body, r.Header.Get("ETag"), r.Header.Get("Content-Type"))
		}
	}
	if r := e.do("GET", e.api("/personas/"+p.ID), e.viewer, nil, "If-None-Match", `"999"`); r.Status != 200 || len(r.Body) == 0 {
		t.Errorf("another tag: %d", r.Status)
	}
	// Outsiders get what they get without the header.
	if r := e.do("GET", "/api/v1/orgs/"+e.org+"/personas/"+p.ID, e.other, nil, "If-None-Match", tag); r.Status != 404 {
		t.Errorf("outsider with the ETag: %d %s", r.Status, r.Body)
	}
	// A change moves the ETag on: the old one gets the new body.
	var full map[string]any
	first.json(t, &full)
	full["summary"] = "Changed for the conditional get"
	e.must(200, "PUT", e.api("/personas/"+p.ID), e.owner, full, "If-Match", tag)
	again := e.must(200, "GET", e.api("/personas/"+p.ID), e.viewer, nil, "If-None-Match", tag)
	if again.Header.Get("ETag") == tag || !json.Valid(again.Body) {
		t.Errorf("after an update: ETag %q", again.Header.Get("ETag"))
	}

	// Routes without a fast path: the catalogue and a variant.
	cat := e.must(200, "GET", e.api("/catalogue"), e.viewer, nil)
	if r := e.do("GET", e.api("/catalogue"), e.viewer, nil, "If-None-Match", cat.Header.Get("ETag")); r.Status != 304 || len(r.Body) != 0 {
		t.Errorf("catalogue: %d %q", r.Status, r.Body)
	}
	var variants listJSON[struct {
		ID string `json:"id"`
	}]
	e.must(200, "GET", e.api("/personas/"+e.demoByName("System Lead").ID+"/variants"), e.viewer, nil).json(t, &variants)
	if len(variants.Items) == 0 {
		t.Fatal("the demo has no variants")
	}
	v := e.must(200, "GET", e.api("/variants/"+variants.Items[0].ID), e.viewer, nil)
	if r := e.do("GET", e.api("/variants/"+variants.Items[0].ID), e.viewer, nil, "If-None-Match", v.Header.Get("ETag")); r.Status != 304 {
		t.Errorf("variant: %d", r.Status)
	}
	// Writes ignore If-None-Match.
	if r := e.do("PUT", e.api("/personas/"+p.ID), e.owner, full, "If-Match", again.Header.Get("ETag"), "If-None-Match", again.Header.Get("ETag")); r.Status != 200 {
		t.Errorf("PUT with If-None-Match: %d %s", r.Status, r.Body)
	}

	var doc struct {
		Paths map[string]map[string]struct {
			Parameters []struct{ Name, In string }
			Responses  map[string]any
		}
	}
	e.must(200, "GET", "/api/openapi.json", "", nil).json(t, &doc)
	for _, path := range []string{"/api/v1/orgs/{org}/personas/{id}", "/api/v1/orgs/{org}/catalogue", "/api/v1/orgs/{org}/variants/{id}"} {
		op := doc.Paths[path]["get"]
		n := 0
		for _, p := range op.Parameters {
			if p.In == "header" && p.Name == "If-None-Match" {
				n++
			}
		}
		if n != 1 || op.Responses["304"] == nil {
			t.Errorf("%s: %d If-None-Match parameters, 304 documented: %v", path, n, op.Responses["304"] != nil)
		}
	}
}
