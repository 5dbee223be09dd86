package server_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/persona"
)

// TestOrganisationLifeOverTheAPI: slug change (the old slug is 404 in the
// API), handing ownership on and back, deleting (confirmed by the slug)
// and restoring, with who may do what; every answer is checked against
// the OpenAPI document.
func TestOrganisationLifeOverTheAPI(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	old := e.org

	p := e.must(409, "PUT", e.api("/slug"), e.owner, map[string]any{"slug": e.otherOr}).problem(t)
	if !slices.Contains(p.locations(), "body.slug") {
		t.Fatalf("taken slug: %+v", p)
	}
	e.must(422, "PUT", e.api("/slug"), e.owner, map[string]any{"slug": "Not A Slug"})
	var org struct {
		Slug string `json:"slug"`
		Role string `json:"role"`
		ID   string `json:"id"`
	}
	e.must(200, "PUT", e.api("/slug"), e.owner, map[string]any{"slug": "ledgerline-new"}).json(t, &org)
	if org.Slug != "ledgerline-new" || org.Role != "owner" {
		t.Fatalf("after the slug change: %+v", org)
	}
	e.must(404, "GET", "/api/v1/orgs/"+old+"/personas", e.owner, nil).problem(t)
	e.org = org.Slug
	e.must(200, "GET", e.api("/personas"), e.owner, nil)
	e.must(409, "PUT", "/api/v1/orgs/"+e.otherOr+"/slug", e.other, map[string]any{"slug": old})

	// Ownership: to the viewer and back.
	viewer, _ := e.svc.UserByEmail(ctx, "viewer@example.com")
	e.must(403, "POST", e.api("/transfer"), e.viewer, map[string]any{"user_id": viewer.ID})
	e.must(422, "POST", e.api("/transfer"), e.owner, map[string]any{"user_id": "nobody"})
	var m persona.Member
	e.must(200, "POST", e.api("/transfer"), e.owner, map[string]any{"user_id": viewer.ID}).json(t, &m)
	if m.Role != persona.RoleOwner || m.UserID != viewer.ID {
		t.Fatalf("transferred to %+v", m)
	}
	e.must(200, "GET", e.api(""), e.owner, nil).json(t, &org)
	if org.Role != "admin" {
		t.Fatalf("the former owner is %s", org.Role)
	}
	e.must(403, "DELETE", e.api("?confirm="+e.org), e.owner, nil)
	ownerUser, _ := e.svc.UserByEmail(ctx, demoOwnerEmail(t, e))
	e.must(200, "POST", e.api("/transfer"), e.viewer, map[string]any{"user_id": ownerUser.ID})

	// Delete: confirmed, hidden, listed for its owners, restored.
	e.must(422, "DELETE", e.api(""), e.owner, nil)
	p = e.must(422, "DELETE", e.api("?confirm=ledgerline"), e.owner, nil).problem(t)
	if !slices.Contains(p.locations(), "query.confirm") {
		t.Fatalf("unconfirmed: %+v", p)
	}
	var d struct {
		ID             string `json:"id"`
		DeletedByEmail string `json:"deleted_by_email"`
		PurgeAt        string `json:"purge_at"`
	}
	e.must(200, "DELETE", e.api("?confirm="+url.QueryEscape(e.org)), e.owner, nil).json(t, &d)
	if d.ID != org.ID || d.PurgeAt == "" || d.DeletedByEmail == "" {
		t.Fatalf("deleted %+v", d)
	}
	for _, tok := range []string{e.owner, e.viewer, e.other} {
		e.must(404, "GET", e.api("/personas"), tok, nil).problem(t)
	}
	var list listJSON[struct {
		ID             string `json:"id"`
		DeletedByEmail string `json:"deleted_by_email"`
	}]
	e.must(200, "GET", "/api/v1/me/deleted-orgs", e.owner, nil).json(t, &list)
	if len(list.Items) != 1 || list.Items[0].ID != org.ID || list.Items[0].DeletedByEmail != ownerUser.Email {
		t.Fatalf("deleted organisations %+v", list)
	}
	for _, tok := range []string{e.viewer, e.other} {
		e.must(200, "GET", "/api/v1/me/deleted-orgs", tok, nil).json(t, &list)
		if len(list.Items) != 0 {
			t.Fatalf("listed to a non-owner: %+v", list)
		}
		e.must(404, "POST", "/api/v1/me/deleted-orgs/"+org.ID+"/restore", tok, nil).problem(t)
	}
	e.must(200, "POST", "/api/v1/me/deleted-orgs/"+org.ID+"/restore", e.owner, nil)
	e.must(200, "GET", e.api("/personas"), e.viewer, nil)
	e.must(404, "POST", "/api/v1/me/deleted-orgs/"+org.ID+"/restore", e.owner, nil)
}

func demoOwnerEmail(t *testing.T, e *env) string {
	t.Helper()
	var me struct {
		Email string `json:"email"`
	}
	e.must(200, "GET", "/api/v1/me", e.owner, nil).json(t, &me)
	return me.Email
}

// TestGroupsAndMovesOverTheAPI: reordering groups, moving several personas
// at once (all or none, a revision each) and deleting a group with its
// personas moved.
func TestGroupsAndMovesOverTheAPI(t *testing.T) {
	e := newEnv(t)
	var groups listJSON[persona.Group]
	e.must(200, "GET", e.api("/groups"), e.owner, nil).json(t, &groups)
	if len(groups.Items) < 2 {
		t.Fatalf("demo groups %+v", groups)
	}
	var ids []string
	for _, g := range slices.Backward(groups.Items) {
		ids = append(ids, g.ID)
	}
	var reordered listJSON[persona.Group]
	e.must(200, "PUT", e.api("/groups/order"), e.owner, map[string]any{"ids": ids}).json(t, &reordered)
	e.must(200, "GET", e.api("/groups"), e.viewer, nil).json(t, &groups)
	for i, g := range groups.Items {
		if g.ID != ids[i] || g.Position != i+1 {
			t.Fatalf("order after the reorder: %+v", groups.Items)
		}
	}
	e.must(409, "PUT", e.api("/groups/order"), e.owner, map[string]any{"ids": ids[1:]}).problem(t)
	e.must(403, "PUT", e.api("/groups/order"), e.viewer, map[string]any{"ids": ids})

	from, to := groups.Items[0], groups.Items[1]
	var ps listJSON[personaJSON]
	e.must(200, "GET", e.api("/personas?group="+from.ID), e.owner, nil).json(t, &ps)
	if len(ps.Items) < 2 {
		t.Fatalf("too few personas in %s", from.Name)
	}
	a, b := ps.Items[0], ps.Items[1]
	p := e.must(404, "POST", e.api("/personas/move"), e.owner, map[string]any{"ids": []string{a.ID, "no-such-persona"}, "group_id": to.ID}).problem(t)
	if !strings.Contains(p.Detail, "nothing was moved") {
		t.Fatalf("partial move: %+v", p)
	}
	e.must(422, "POST", e.api("/personas/move"), e.owner, map[string]any{"ids": []string{}, "group_id": to.ID})
	var moved listJSON[personaJSON]
	e.must(200, "POST", e.api("/personas/move"), e.owner, map[string]any{"ids": []string{a.ID, b.ID}, "group_id": to.ID}).json(t, &moved)
	if len(moved.Items) != 2 || moved.Items[0].GroupID != to.ID || moved.Items[0].Revision != a.Revision+1 {
		t.Fatalf("moved %+v", moved)
	}
	got := e.must(200, "GET", e.api("/personas/"+b.ID), e.owner, nil)
	if etag := got.Header.Get("ETag"); etag != `"`+strconv.Itoa(b.Revision+1)+`"` {
		t.Fatalf("ETag after the move %s", etag)
	}

	// The first group still holds personas: only with move_to.
	e.must(409, "DELETE", e.api("/groups/"+from.ID), e.owner, nil).problem(t)
	p = e.must(422, "DELETE", e.api("/groups/"+from.ID+"?move_to="+from.ID), e.owner, nil).problem(t)
	if !slices.Contains(p.locations(), "query.move_to") {
		t.Fatalf("move to itself: %+v", p)
	}
	e.must(204, "DELETE", e.api("/groups/"+from.ID+"?move_to="+to.ID), e.owner, nil)
	e.must(404, "GET", e.api("/groups/"+from.ID), e.owner, nil)
	var left listJSON[personaJSON]
	e.must(200, "GET", e.api("/personas?group="+to.ID+"&limit=200"), e.owner, nil).json(t, &left)
	if len(left.Items) < len(ps.Items) {
		t.Fatalf("%d personas in the target, want at least %d", len(left.Items), len(ps.Items))
	}
	if r := e.do(http.MethodGet, e.api("/personas?group="+from.ID), e.owner, nil); r.Status != 200 {
		t.Fatalf("listing the deleted group: %d", r.Status)
	}
}
