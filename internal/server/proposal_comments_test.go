package server_test

import (
	"net/http"
	"testing"
)

// TestAPIProposalComments: a viewer comments on a proposal and the owner
// replies; the thread lists under the proposal; a field is refused and an
// empty body is a problem naming it; outsiders get 404.
func TestAPIProposalComments(t *testing.T) {
	e := newEnv(t)
	ids := e.ids()
	base := e.api("/proposals/" + ids.proposal + "/comments")
	type commentJSON struct {
		ID          string `json:"id"`
		SubjectKind string `json:"subject_kind"`
		SubjectID   string `json:"subject_id"`
		ParentID    string `json:"parent_id"`
		Body        string `json:"body"`
	}
	var c, reply commentJSON
	e.must(201, "POST", base, e.viewer, map[string]any{"body": "Why now?"}).json(t, &c)
	if c.SubjectKind != "proposal" || c.SubjectID != ids.proposal {
		t.Fatalf("created %+v", c)
	}
	e.must(201, "POST", base, e.owner, map[string]any{"body": "The March promotion.", "parent_id": c.ID}).json(t, &reply)
	if reply.ParentID != c.ID || reply.SubjectKind != "proposal" {
		t.Errorf("reply %+v", reply)
	}
	var threads struct {
		Items []struct {
			Comment commentJSON   `json:"comment"`
			Replies []commentJSON `json:"replies"`
		} `json:"items"`
	}
	e.must(200, "GET", base, e.viewer, nil).json(t, &threads)
	if len(threads.Items) != 1 || threads.Items[0].Comment.ID != c.ID || len(threads.Items[0].Replies) != 1 {
		t.Fatalf("threads: %+v", threads)
	}
	e.must(422, "POST", base, e.viewer, map[string]any{"body": "x", "field": "goals"}).problem(t)
	e.must(422, "POST", base, e.viewer, map[string]any{"body": " "}).problem(t)
	e.must(404, "POST", e.api("/proposals/no-such-proposal/comments"), e.viewer, map[string]any{"body": "x"}).problem(t)

	e.must(http.StatusNotFound, "GET", base, e.other, nil).problem(t)
	e.must(http.StatusNotFound, "POST", base, e.other, map[string]any{"body": "x"}).problem(t)
}
