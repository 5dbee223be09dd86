package server_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestAPIComments: a viewer comments on a persona's field and replies; the
// threads list per field; bad input is a problem+json naming the body;
// edit and delete by the author (not another member); resolve and reopen;
// a field on a Launchpad is refused; outsiders get 404.
func TestAPIComments(t *testing.T) {
	e := newEnv(t)
	ids := e.ids()
	base := e.api("/personas/" + ids.persona + "/comments")
	type commentJSON struct {
		ID         string  `json:"id"`
		FieldKey   string  `json:"field_key"`
		ParentID   string  `json:"parent_id"`
		Body       string  `json:"body"`
		ResolvedAt *string `json:"resolved_at"`
		Deleted    bool    `json:"deleted"`
	}
	var c commentJSON
	e.must(201, "POST", base, e.viewer, map[string]any{"body": "Still **true**?", "field": "goals"}).json(t, &c)
	if c.FieldKey != "goals" || c.Body != "Still **true**?" {
		t.Fatalf("created %+v", c)
	}
	var reply commentJSON
	e.must(201, "POST", base, e.owner, map[string]any{"body": "Yes.", "parent_id": c.ID}).json(t, &reply)
	if reply.ParentID != c.ID || reply.FieldKey != "goals" {
		t.Errorf("reply %+v", reply)
	}
	// A reply through another subject's path: not found.
	e.must(404, "POST", e.api("/launchpads/"+ids.launchpad+"/comments"), e.owner, map[string]any{"body": "x", "parent_id": c.ID}).problem(t)

	var threads struct {
		Items []struct {
			Comment commentJSON   `json:"comment"`
			Replies []commentJSON `json:"replies"`
		} `json:"items"`
	}
	e.must(200, "GET", base+"?field=goals", e.viewer, nil).json(t, &threads)
	// The walk's fixture (the owner's comment on goals) first, then ours.
	if len(threads.Items) != 2 || threads.Items[1].Comment.ID != c.ID || len(threads.Items[1].Replies) != 1 {
		t.Fatalf("threads on goals: %+v", threads)
	}

	p := e.must(422, "POST", base, e.viewer, map[string]any{"body": "   "}).problem(t)
	if len(p.Errors) == 0 || !strings.Contains(p.Errors[0].Location, "body") {
		t.Errorf("empty body: %+v", p)
	}
	e.must(422, "POST", e.api("/launchpads/"+ids.launchpad+"/comments"), e.viewer, map[string]any{"body": "x", "field": "goals"}).problem(t)

	e.must(403, "PUT", e.api("/comments/"+ids.comment), e.viewer, map[string]any{"body": "mine"}).problem(t)
	e.must(200, "PUT", e.api("/comments/"+c.ID), e.viewer, map[string]any{"body": "Still true now?"}).json(t, &c)
	if c.Body != "Still true now?" {
		t.Errorf("edited %+v", c)
	}
	e.must(200, "POST", e.api("/comments/"+c.ID+"/resolve"), e.owner, nil).json(t, &c)
	if c.ResolvedAt == nil {
		t.Error("not resolved")
	}
	c = commentJSON{}
	e.must(200, "POST", e.api("/comments/"+threads.Items[1].Comment.ID+"/reopen"), e.viewer, nil).json(t, &c)
	if c.ResolvedAt != nil {
		t.Error("not reopened")
	}
	e.must(403, "DELETE", e.api("/comments/"+ids.comment), e.viewer, nil).problem(t)
	e.must(204, "DELETE", e.api("/comments/"+c.ID), e.viewer, nil)
	e.must(200, "GET", e.api("/comments/"+c.ID), e.viewer, nil).json(t, &c)
	if !c.Deleted || c.Body != "" {
		t.Errorf("the thread's first comment with a reply: %+v", c)
	}

	e.must(http.StatusNotFound, "GET", base, e.other, nil).problem(t)
	e.must(http.StatusNotFound, "POST", base, e.other, map[string]any{"body": "x"}).problem(t)
}
