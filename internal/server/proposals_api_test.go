package server_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// The proposals API end to end: a viewer proposes; the owner's accept is
// refused with 409 naming the field an editor changed meanwhile, then
// applies with a resolution; a bad proposal is 422 problem+json; the
// sign-off setting refuses a direct update of a published persona.
func TestProposalsAPI(t *testing.T) {
	e := newEnv(t)
	ids := e.ids()
	var full map[string]any
	e.must(200, "GET", e.api("/personas/"+ids.persona), e.owner, nil).json(t, &full)
	rev := int(full["revision"].(float64))

	bad := e.do("POST", e.api("/personas/"+ids.persona+"/proposals"), e.viewer, map[string]any{"persona": full, "message": strings.Repeat("x", 2001)})
	if bad.Status != http.StatusUnprocessableEntity {
		t.Fatalf("a message too long: %d %s", bad.Status, bad.Body)
	}
	bad.problem(t)

	full["summary"] = "The viewer's summary"
	var pr struct {
		ID      string `json:"id"`
		Status  string `json:"status"`
		Changes []struct {
			Path string `json:"path"`
		} `json:"changes"`
	}
	e.must(201, "POST", e.api("/personas/"+ids.persona+"/proposals"), e.viewer, map[string]any{"persona": full, "message": "Sharper"}).json(t, &pr)
	if pr.Status != "open" || len(pr.Changes) != 1 || pr.Changes[0].Path != "summary" {
		t.Fatalf("created %+v", pr)
	}
	e.must(403, "POST", e.api("/proposals/"+pr.ID+"/accept"), e.viewer, map[string]any{})

	// An editor (the owner here) saves the same field directly.
	full["summary"] = "The owner's summary"
	e.must(200, "PUT", e.api("/personas/"+ids.persona), e.owner, full, "If-Match", `"`+strconv.Itoa(rev)+`"`)

	conflict := e.do("POST", e.api("/proposals/"+pr.ID+"/accept"), e.owner, map[string]any{})
	if conflict.Status != http.StatusConflict {
		t.Fatalf("accept over a conflict: %d %s", conflict.Status, conflict.Body)
	}
	if p := conflict.problem(t); len(p.Errors) != 1 || !strings.HasSuffix(p.Errors[0].Location, "summary") {
		t.Fatalf("conflict problem %+v", p)
	}
	var got struct {
		Conflicts []struct {
			Path     string `json:"path"`
			Current  string `json:"current"`
			Proposed string `json:"proposed"`
		} `json:"conflicts"`
	}
	e.must(200, "GET", e.api("/proposals/"+pr.ID), e.viewer, nil).json(t, &got)
	if len(got.Conflicts) != 1 || got.Conflicts[0].Current != "The owner's summary" || got.Conflicts[0].Proposed != "The viewer's summary" {
		t.Fatalf("conflicts %+v", got.Conflicts)
	}
	var acc struct {
		Proposal struct {
			Status          string `json:"status"`
			AppliedRevision int    `json:"applied_revision"`
		} `json:"proposal"`
		Persona struct {
			Summary  string `json:"summary"`
			Revision int    `json:"revision"`
		} `json:"persona"`
	}
	e.must(200, "POST", e.api("/proposals/"+pr.ID+"/accept"), e.owner, map[string]any{"resolutions": map[string]string{"summary": "proposed"}}).json(t, &acc)
	if acc.Proposal.Status != "accepted" || acc.Persona.Summary != "The viewer's summary" || acc.Persona.Revision != rev+2 || acc.Proposal.AppliedRevision != rev+2 {
		t.Fatalf("accepted %+v", acc)
	}
	var list struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	e.must(200, "GET", e.api("/proposals?status=accepted"), e.viewer, nil).json(t, &list)
	if len(list.Items) != 1 || list.Items[0].ID != pr.ID {
		t.Errorf("accepted list %+v", list)
	}

	// Sign-off: admins only; a direct update of a published persona is refused.
	var pub map[string]any
	e.must(200, "GET", e.api("/personas/"+ids.persona), e.owner, nil).json(t, &pub)
	pub["status"] = "published"
	e.must(200, "PUT", e.api("/personas/"+ids.persona), e.owner, pub, "If-Match", `"`+strconv.Itoa(rev+2)+`"`)
	e.must(403, "PUT", e.api("/proposal-settings"), e.viewer, map[string]any{"require_proposals": true})
	e.must(200, "PUT", e.api("/proposal-settings"), e.owner, map[string]any{"require_proposals": true})
	pub["summary"] = "Direct"
	refused := e.do("PUT", e.api("/personas/"+ids.persona), e.owner, pub, "If-Match", `"`+strconv.Itoa(rev+3)+`"`)
	if refused.Status != http.StatusForbidden || !strings.Contains(refused.problem(t).Detail, "proposal") {
		t.Errorf("a direct update under sign-off: %d %s", refused.Status, refused.Body)
	}
}
