package server_test

import (
	"slices"
	"strings"
	"testing"
)

// TestAPIDuplicatesAndMerge: creating a near-copy answers 201 with a
// warning and the persona it looks like; the organisation's duplicates
// list the pair with its score and the fields that agree; a viewer cannot
// merge (403), a stale If-Match is 412 and a bad choice a 422 naming the
// field, both writing nothing; the merge answers the survivor's new
// revision, and the merged persona's address answers 308 to the survivor
// (a problem document saying so); it leaves the list and the duplicates.
func TestAPIDuplicatesAndMerge(t *testing.T) {
	e := newEnv(t)
	a := e.createUX("Nora Night Nurse")
	tm := e.templateFor(e.owner, "ux")
	var created struct {
		personaJSON
		Warnings []string `json:"warnings"`
		Similar  []struct {
			Persona struct {
				ID   string `json:"id"`
				Name string `json:"name"`
			} `json:"persona"`
			Score  float64  `json:"score"`
			Fields []string `json:"fields"`
		} `json:"similar"`
	}
	body := map[string]any{"name": "Nora, Night Nurse", "summary": "Runs month-end close", "group_id": e.firstGroup(e.owner),
		"template_id": tm.ID, "status": "draft", "values": a.Values, "dimensions": a.Dimensions}
	e.must(201, "POST", e.api("/personas"), e.owner, body).json(t, &created)
	b := created.personaJSON
	if len(created.Warnings) != 1 || len(created.Similar) != 1 || created.Similar[0].Persona.ID != a.ID ||
		created.Similar[0].Score < 0.6 || !slices.Contains(created.Similar[0].Fields, "summary") {
		t.Fatalf("create answer: warnings %v similar %+v", created.Warnings, created.Similar)
	}

	var dups struct {
		Items []struct {
			A, B struct {
				ID string `json:"id"`
			}
			Score  float64  `json:"score"`
			Fields []string `json:"fields"`
		} `json:"items"`
	}
	e.must(200, "GET", e.api("/duplicates"), e.viewer, nil).json(t, &dups)
	found := false
	for _, d := range dups.Items {
		if (d.A.ID == a.ID && d.B.ID == b.ID) || (d.A.ID == b.ID && d.B.ID == a.ID) {
			found = len(d.Fields) > 0 && d.Score >= 0.6
		}
	}
	if !found {
		t.Fatalf("duplicates: %+v", dups.Items)
	}

	merge := e.api("/personas/" + a.ID + "/merge")
	choice := map[string]any{"merge": b.ID, "fields": map[string]string{"name": "merged"}}
	e.must(403, "POST", merge, e.viewer, choice, "If-Match", `"1"`).problem(t)
	e.must(428, "POST", merge, e.owner, choice).problem(t)
	e.must(412, "POST", merge, e.owner, choice, "If-Match", `"7"`).problem(t)
	p := e.must(422, "POST", merge, e.owner, map[string]any{"merge": b.ID, "fields": map[string]string{"name": "both"}}, "If-Match", `"1"`).problem(t)
	if !slices.Contains(p.locations(), "body.fields.name") {
		t.Errorf("a bad choice: %+v", p)
	}
	e.must(200, "GET", e.api("/personas/"+b.ID), e.viewer, nil)

	var m personaJSON
	r := e.must(200, "POST", merge, e.editorToken(), choice, "If-Match", `"1"`)
	r.json(t, &m)
	if m.ID != a.ID || m.Revision != 2 || m.Name != "Nora, Night Nurse" || r.Header.Get("ETag") != `"2"` {
		t.Fatalf("merged: %+v", m)
	}
	red := e.must(308, "GET", e.api("/personas/"+b.ID), e.viewer, nil)
	if loc := red.Header.Get("Location"); loc != e.api("/personas/"+a.ID) {
		t.Errorf("redirect to %q", loc)
	}
	if pd := red.problem(t); pd.Status != 308 || !strings.Contains(pd.Detail, a.ID) || !strings.Contains(string(red.Body), `"/problems/merged"`) {
		t.Errorf("redirect body %s", red.Body)
	}
	e.must(404, "GET", e.api("/personas/"+b.ID), e.other, nil).problem(t)
	var revs struct {
		Items []struct {
			Message string `json:"message"`
		} `json:"items"`
	}
	e.must(200, "GET", e.api("/personas/"+b.ID+"/revisions"), e.viewer, nil).json(t, &revs)
	if len(revs.Items) != 1 {
		t.Errorf("the merged persona's history: %+v", revs.Items)
	}
	e.must(200, "GET", e.api("/duplicates"), e.viewer, nil).json(t, &dups)
	for _, d := range dups.Items {
		if d.A.ID == b.ID || d.B.ID == b.ID {
			t.Errorf("the merged persona is still a duplicate: %+v", d)
		}
	}
}
