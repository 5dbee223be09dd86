package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// noFollow sends req without following a redirect, so its status and
// Location show.
func (b *browser) noFollow(method, path string, form url.Values) *http.Response {
	b.e.t.Helper()
	c := *b.client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	var req *http.Request
	var err error
	if method == http.MethodGet {
		req, err = http.NewRequest(method, b.e.srv.URL+path, nil)
	} else {
		req, err = http.NewRequest(method, b.e.srv.URL+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", b.e.srv.URL)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	if err != nil {
		b.e.t.Fatal(err)
	}
	res, err := c.Do(req)
	if err != nil {
		b.e.t.Fatal(err)
	}
	res.Body.Close()
	return res
}

func wantIn(t *testing.T, p page, parts ...string) {
	t.Helper()
	for _, s := range parts {
		if !strings.Contains(p.Body, s) {
			t.Fatalf("%s (%d) lacks %q:\n%s", p.URL, p.Status, s, p.Body)
		}
	}
}

// TestAFreshOrganisationIsNoDeadEnd: a signed-in user without an
// organisation creates one from the home page, finds an invitation to
// create the first group, and — even without a group — the New persona
// form works: the persona starts a group. A refused persona creates no
// group; a bad organisation slug is named.
func TestAFreshOrganisationIsNoDeadEnd(t *testing.T) {
	e := newWebEnv(t)
	ctx := context.Background()
	if _, err := e.svc.CreateUser(ctx, "nadia@example.com", "Nadia New", "nadia-password-1"); err != nil {
		t.Fatal(err)
	}
	b := e.signedIn(account{"nadia@example.com", "nadia-password-1"})
	home := b.get("/").must(t, 200)
	wantIn(t, home, `href="/orgs/new"`, "create an organisation")

	bad := b.post("/orgs", url.Values{"name": {"Nadia's Studio"}, "slug": {"Not a slug"}})
	if bad.Status != 422 {
		t.Fatalf("a bad slug: %d", bad.Status)
	}
	wantIn(t, bad, `id="org-slug-error"`, "lower-case letters", `value="Nadia&#39;s Studio"`)
	if orgs, _ := e.svc.ListMyOrgs(ctx, e.actor(account{Email: "nadia@example.com"})); len(orgs) != 0 {
		t.Fatal("a refused form created an organisation")
	}
	taken := b.post("/orgs", url.Values{"name": {"Copycat"}, "slug": {e.otherOrg}})
	if taken.Status != 409 || !strings.Contains(taken.Body, "is taken") {
		t.Fatalf("a taken slug: %d", taken.Status)
	}

	p := b.post("/orgs", url.Values{"name": {"Nadia's Studio"}}).must(t, 200)
	if !strings.HasPrefix(p.URL, "/o/nadia-s-studio") {
		t.Fatalf("landed on %s", p.URL)
	}
	wantIn(t, p, "You are its owner", "Create your first group", `id="create-first-group"`, `href="/orgs/new"`)
	slug := "nadia-s-studio"

	// New persona with no group at all.
	nadia := e.actor(account{Email: "nadia@example.com"})
	var ux string
	ts, _ := e.svc.ListTemplates(ctx, nadia, slug)
	for _, tm := range ts {
		if tm.ProfileType == persona.ProfileUX {
			ux = tm.ID
		}
	}
	form := b.get("/o/"+slug+"/personas/new?template="+ux).must(t, 200)
	wantIn(t, form, `name="new_group"`, `value="Personas"`, "There is no group yet")
	refused := b.post("/o/"+slug+"/personas", url.Values{"template_id": {ux}, "new_group": {"Research"}, "name": {""}, "status": {"draft"}})
	if refused.Status != 422 {
		t.Fatalf("an invalid persona: %d", refused.Status)
	}
	wantIn(t, refused, `value="Research"`)
	if gs, _ := e.svc.ListGroups(ctx, nadia, slug); len(gs) != 0 {
		t.Fatalf("a refused persona created the group %+v", gs)
	}
	emptyGroup := b.post("/o/"+slug+"/personas", url.Values{"template_id": {ux}, "new_group": {" "}, "name": {"Rhea"},
		"status": {"draft"}, "v.role_title": {"Researcher"}})
	if emptyGroup.Status != 422 || !strings.Contains(emptyGroup.Body, `id="new_group-error"`) {
		t.Fatalf("an empty group name: %d\n%s", emptyGroup.Status, emptyGroup.Body)
	}
	created := b.post("/o/"+slug+"/personas", url.Values{"template_id": {ux}, "new_group": {"Research"}, "name": {"Rhea Researcher"},
		"status": {"draft"}, "v.role_title": {"Researcher"}}).must(t, 200)
	wantIn(t, created, "Rhea Researcher", "in the new group “Research”")
	gs, _ := e.svc.ListGroups(ctx, nadia, slug)
	if len(gs) != 1 || gs[0].Name != "Research" || gs[0].PersonaCount != 1 {
		t.Fatalf("groups %+v", gs)
	}
	// The home page lists it; the first-group invitation is gone.
	p = b.get("/o/"+slug).must(t, 200)
	wantIn(t, p, "Research", "Rhea Researcher")
	if strings.Contains(p.Body, "Create your first group") {
		t.Fatal("still inviting the first group")
	}
}

// TestOrganisationSettings: owners and admins rename and change the slug,
// editors are refused before anything is read; old URLs redirect members
// only (301 pages, 308 forms, never cached); only owners hand ownership
// on and delete, the deletion typed; a deleted organisation is 404 to
// its members and restorable from its owners' home page.
func TestOrganisationSettings(t *testing.T) {
	e := newWebEnv(t)
	ctx := context.Background()
	owner := e.actor(e.owner)
	editor := account{"eddie@example.com", "eddie-password-1"}
	admin := account{"ada@example.com", "ada-password-123"}
	for _, a := range []struct {
		acc  account
		role persona.Role
	}{{editor, persona.RoleEditor}, {admin, persona.RoleAdmin}} {
		if _, err := e.svc.CreateUser(ctx, a.acc.Email, strings.Split(a.acc.Email, "@")[0], a.acc.Password); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.AddMember(ctx, app.System, e.org, a.acc.Email, a.role); err != nil {
			t.Fatal(err)
		}
	}
	ob, ab, eb, vb, xb := e.signedIn(e.owner), e.signedIn(admin), e.signedIn(editor), e.signedIn(e.viewer), e.signedIn(e.outsider)
	old := e.org
	lead := e.demoPersona("System Lead")

	if p := eb.get("/o/" + old + "/settings"); p.Status != 403 {
		t.Fatalf("an editor opens the settings: %d", p.Status)
	}
	for _, path := range []string{"/settings/name", "/settings/slug", "/settings/transfer", "/settings/delete"} {
		if p := eb.post("/o/"+old+path, url.Values{"name": {"Edited"}, "slug": {"edited"}, "confirm": {old}}); p.Status != 403 {
			t.Errorf("an editor posts %s: %d", path, p.Status)
		}
	}
	for _, path := range []string{"/settings/transfer", "/settings/delete"} {
		if p := ab.post("/o/"+old+path, url.Values{"user_id": {owner.UserID}, "confirm": {old}}); p.Status != 403 {
			t.Errorf("an admin posts %s: %d", path, p.Status)
		}
	}
	as := ab.get("/o/"+old+"/settings").must(t, 200)
	wantIn(t, as, `id="rename-org"`, `id="change-slug"`)
	if strings.Contains(as.Body, `id="delete-org"`) || strings.Contains(as.Body, `id="transfer-ownership"`) {
		t.Fatal("an admin is offered the owners' forms")
	}

	// Rename and re-address, as an admin.
	bad := ab.post("/o/"+old+"/settings/name", url.Values{"name": {"Bad\u0007name"}})
	if bad.Status != 422 || !strings.Contains(bad.Body, `id="org-name-error"`) {
		t.Fatalf("a control character in the name: %d", bad.Status)
	}
	ab.post("/o/"+old+"/settings/name", url.Values{"name": {"Ledgerline Group"}}).must(t, 200)
	taken := ab.post("/o/"+old+"/settings/slug", url.Values{"slug": {e.otherOrg}})
	if taken.Status != 409 || !strings.Contains(taken.Body, `id="org-slug-error"`) {
		t.Fatalf("another organisation's slug: %d", taken.Status)
	}
	moved := ab.post("/o/"+old+"/settings/slug", url.Values{"slug": {"ledgerline-group"}}).must(t, 200)
	if !strings.HasPrefix(moved.URL, "/o/ledgerline-group/settings") {
		t.Fatalf("after the slug change: %s", moved.URL)
	}
	wantIn(t, moved, "keep leading its members here", `value="ledgerline-group"`)
	slug := "ledgerline-group"

	// Old URLs: members are redirected, anyone else sees 404.
	res := vb.noFollow(http.MethodGet, "/o/"+old+"/personas/"+lead.ID+"?tab=x", nil)
	if res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Location") != "/o/"+slug+"/personas/"+lead.ID+"?tab=x" ||
		res.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("old URL for a member: %d %s %q", res.StatusCode, res.Header.Get("Location"), res.Header.Get("Cache-Control"))
	}
	if p := vb.get("/o/" + old + "/personas/" + lead.ID); p.Status != 200 || !strings.HasPrefix(p.URL, "/o/"+slug+"/") {
		t.Fatalf("following the old URL: %d %s", p.Status, p.URL)
	}
	res = ob.noFollow(http.MethodPost, "/o/"+old+"/notes", url.Values{"body": {"hello"}})
	if res.StatusCode != http.StatusPermanentRedirect || res.Header.Get("Location") != "/o/"+slug+"/notes" {
		t.Fatalf("a form to the old URL: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if p := xb.get("/o/" + old); p.Status != 404 || strings.Contains(p.Body, slug) {
		t.Fatalf("an outsider at the old URL: %d", p.Status)
	}
	if res := xb.noFollow(http.MethodGet, "/o/"+old+"/personas/"+lead.ID, nil); res.StatusCode != 404 {
		t.Fatalf("an outsider is redirected: %d", res.StatusCode)
	}

	// Ownership, as the owner: to the admin and back.
	adminActor := e.actor(admin)
	ow := ob.get("/o/"+slug+"/settings").must(t, 200)
	wantIn(t, ow, `id="transfer-ownership"`, `id="delete-org"`, admin.Email)
	nobody := ob.post("/o/"+slug+"/settings/transfer", url.Values{"user_id": {"no-such-member"}})
	if nobody.Status != 422 || !strings.Contains(nobody.Body, `id="transfer-to-error"`) {
		t.Fatalf("transfer to a non-member: %d", nobody.Status)
	}
	ob.post("/o/"+slug+"/settings/transfer", url.Values{"user_id": {adminActor.UserID}}).must(t, 200)
	if _, role, _ := e.svc.GetOrg(ctx, owner, slug); role != persona.RoleAdmin {
		t.Fatalf("the former owner is %s", role)
	}
	ab.post("/o/"+slug+"/settings/transfer", url.Values{"user_id": {owner.UserID}}).must(t, 200)

	// Delete: typed, then gone, then restored.
	unconfirmed := ob.post("/o/"+slug+"/settings/delete", url.Values{"confirm": {"yes"}})
	if unconfirmed.Status != 422 || !strings.Contains(unconfirmed.Body, `id="delete-confirm-error"`) {
		t.Fatalf("an unconfirmed delete: %d", unconfirmed.Status)
	}
	if _, _, err := e.svc.GetOrg(ctx, owner, slug); err != nil {
		t.Fatal("an unconfirmed delete deleted")
	}
	gone := ob.post("/o/"+slug+"/settings/delete", url.Values{"confirm": {"Ledgerline Group"}}).must(t, 200)
	if gone.URL != "/" {
		t.Fatalf("after deleting: %s", gone.URL)
	}
	wantIn(t, gone, "is deleted", `id="deleted-orgs"`, "Ledgerline Group", "restorable until")
	for _, b := range []*browser{ob, ab, vb} {
		if p := b.get("/o/" + slug); p.Status != 404 {
			t.Fatalf("a member opens the deleted organisation: %d", p.Status)
		}
		if res := b.noFollow(http.MethodGet, "/o/"+old, nil); res.StatusCode != 404 {
			t.Fatalf("an old URL of the deleted organisation: %d", res.StatusCode)
		}
	}
	if p := ab.get("/"); strings.Contains(p.Body, `id="deleted-orgs"`) {
		t.Fatal("an admin is offered the restore")
	}
	orgID := ""
	if list, _ := e.svc.ListDeletedOrgs(ctx, owner); len(list) == 1 {
		orgID = list[0].Org.ID
	}
	for _, b := range []*browser{ab, xb} {
		if p := b.post("/deleted-orgs/"+orgID+"/restore", nil); p.Status != 404 {
			t.Fatalf("a non-owner restores: %d", p.Status)
		}
	}
	back := ob.post("/deleted-orgs/"+orgID+"/restore", nil).must(t, 200)
	if !strings.HasPrefix(back.URL, "/o/"+slug) {
		t.Fatalf("after restoring: %s", back.URL)
	}
	wantIn(t, back, "is restored", "System Lead")
	vb.get("/o/"+slug+"/personas/"+lead.ID).must(t, 200)
}

// TestGroupsPage: editors create, rename, reorder (the moved button keeps
// the focus) and delete groups, with their personas moved; viewers read
// the page without the forms.
func TestGroupsPage(t *testing.T) {
	e := newWebEnv(t)
	ctx := context.Background()
	owner := e.actor(e.owner)
	b, vb := e.signedIn(e.owner), e.signedIn(e.viewer)
	path := "/o/" + e.org + "/groups"
	before, _ := e.svc.ListGroups(ctx, owner, e.org)

	v := vb.get(path).must(t, 200)
	wantIn(t, v, before[0].Name)
	if strings.Contains(v.Body, `id="create-group"`) || strings.Contains(v.Body, `/move"`) {
		t.Fatal("a viewer is offered the forms")
	}

	bad := b.post(path, url.Values{"name": {"  "}})
	if bad.Status != 422 || !strings.Contains(bad.Body, `id="new-group-name-error"`) {
		t.Fatalf("an empty name: %d", bad.Status)
	}
	b.post(path, url.Values{"name": {"Prospects"}, "description": {"People we pitch to"}}).must(t, 200)
	gs, _ := e.svc.ListGroups(ctx, owner, e.org)
	last := gs[len(gs)-1]
	if last.Name != "Prospects" || last.Position != len(gs) {
		t.Fatalf("the new group: %+v", last)
	}
	p := b.get(path).must(t, 200)
	wantIn(t, p, `id="up-`+last.ID+`"`, `id="down-`+last.ID+`" disabled`)

	renamed := b.post(path+"/"+last.ID, url.Values{"name": {"Prospects\u0007"}, "description": {""}})
	if renamed.Status != 422 || !strings.Contains(renamed.Body, `id="name-`+last.ID+`-error"`) {
		t.Fatalf("a control character in a group name: %d", renamed.Status)
	}
	b.post(path+"/"+last.ID, url.Values{"name": {"Leads"}, "description": {"Prospective buyers"}}).must(t, 200)

	up := b.post(path+"/"+last.ID+"/move", url.Values{"direction": {"up"}}).must(t, 200)
	wantIn(t, up, `id="up-`+last.ID+`" autofocus`, "“Leads” is now")
	gs, _ = e.svc.ListGroups(ctx, owner, e.org)
	if gs[len(gs)-2].ID != last.ID {
		t.Fatalf("not moved up: %+v", gs)
	}
	for range len(gs) {
		b.post(path+"/"+last.ID+"/move", url.Values{"direction": {"up"}}).must(t, 200)
	}
	top := b.get(path+"?moved="+last.ID+"&dir=up").must(t, 200)
	wantIn(t, top, `id="down-`+last.ID+`" autofocus`) // first: its Up is disabled, Down keeps the focus
	if gs, _ = e.svc.ListGroups(ctx, owner, e.org); gs[0].ID != last.ID {
		t.Fatalf("not first: %+v", gs)
	}
	if p := b.post(path+"/"+last.ID+"/move", url.Values{"direction": {"sideways"}}); p.Status != 422 {
		t.Fatalf("a bad direction: %d", p.Status)
	}
	home := b.get("/o/"+e.org).must(t, 200)
	if strings.Index(home.Body, "Leads") > strings.Index(home.Body, before[0].Name) {
		t.Fatal("the home page does not follow the order")
	}

	// Delete a group with personas: only with a move.
	full := before[0]
	n := full.PersonaCount
	held := b.post(path+"/"+full.ID+"/delete", url.Values{"move_to": {""}})
	if held.Status != 409 || !strings.Contains(held.Body, "Choose a group to move them to") {
		t.Fatalf("deleting a full group without a move: %d", held.Status)
	}
	done := b.post(path+"/"+full.ID+"/delete", url.Values{"move_to": {last.ID}}).must(t, 200)
	wantIn(t, done, "deleted; its personas moved to “Leads”")
	if g, _ := e.svc.GetGroup(ctx, owner, e.org, last.ID); g.PersonaCount != n {
		t.Fatalf("%d personas moved, want %d", g.PersonaCount, n)
	}
	b.post(path+"/"+last.ID+"/delete", url.Values{"move_to": {""}})
	if _, err := e.svc.GetGroup(ctx, owner, e.org, last.ID); err != nil {
		t.Fatal("a full group was deleted without a move")
	}
}

// TestMovingPersonasFromTheBrowser: editors tick personas on the home page
// and move them at once; nothing ticked or a vanished persona moves
// nothing and says so; the persona page moves one; viewers get neither.
func TestMovingPersonasFromTheBrowser(t *testing.T) {
	e := newWebEnv(t)
	ctx := context.Background()
	owner := e.actor(e.owner)
	b, vb := e.signedIn(e.owner), e.signedIn(e.viewer)
	gs, _ := e.svc.ListGroups(ctx, owner, e.org)
	to := gs[len(gs)-1]
	lead, bank := e.demoPersona("System Lead"), e.demoPersona("Big Bank")
	if lead.GroupID == to.ID || bank.GroupID == to.ID {
		t.Fatal("pick another target group")
	}

	home := b.get("/o/"+e.org).must(t, 200)
	wantIn(t, home, `id="move-form"`, `id="pick-`+lead.ID+`"`, `form="move-form"`)
	if p := vb.get("/o/" + e.org); strings.Contains(p.Body, `id="move-form"`) || strings.Contains(p.Body, `class="pick"`) {
		t.Fatal("a viewer is offered the move")
	}
	if p := vb.post("/o/"+e.org+"/personas/move", url.Values{"ids": {lead.ID}, "group_id": {to.ID}}); p.Status != 403 {
		t.Fatalf("a viewer moves: %d", p.Status)
	}

	none := b.post("/o/"+e.org+"/personas/move", url.Values{"group_id": {to.ID}})
	if none.Status != 422 || !strings.Contains(none.Body, "Nothing was moved: choose at least one persona") {
		t.Fatalf("nothing ticked: %d", none.Status)
	}
	noGroup := b.post("/o/"+e.org+"/personas/move", url.Values{"ids": {lead.ID, bank.ID}})
	if noGroup.Status != 422 || !strings.Contains(noGroup.Body, `id="pick-`+lead.ID+`" class="pick" checked`) {
		t.Fatalf("no group chosen keeps the ticks: %d", noGroup.Status)
	}
	if err := e.svc.TrashPersona(ctx, owner, e.org, bank.ID); err != nil {
		t.Fatal(err)
	}
	vanished := b.post("/o/"+e.org+"/personas/move", url.Values{"ids": {lead.ID, bank.ID}, "group_id": {to.ID}})
	if vanished.Status != 404 || !strings.Contains(vanished.Body, "nothing was moved") {
		t.Fatalf("a trashed persona among them: %d", vanished.Status)
	}
	if p, _ := e.svc.GetPersona(ctx, owner, e.org, lead.ID); p.GroupID == to.ID {
		t.Fatal("moved although one of them was gone")
	}
	if _, err := e.svc.RestorePersona(ctx, owner, e.org, bank.ID); err != nil {
		t.Fatal(err)
	}
	moved := b.post("/o/"+e.org+"/personas/move", url.Values{"ids": {lead.ID, bank.ID}, "group_id": {to.ID}}).must(t, 200)
	wantIn(t, moved, "Moved 2 personas to “"+to.Name+"”")
	for _, p := range []persona.Persona{lead, bank} {
		got, _ := e.svc.GetPersona(ctx, owner, e.org, p.ID)
		if got.GroupID != to.ID || got.Revision != p.Revision+1 {
			t.Fatalf("%s: %+v", p.Name, got)
		}
	}

	// One at a time, from the persona page.
	page := b.get("/o/"+e.org+"/personas/"+lead.ID).must(t, 200)
	wantIn(t, page, `id="move-persona"`, `<option value="`+to.ID+`" selected>`)
	if p := vb.get("/o/" + e.org + "/personas/" + lead.ID); strings.Contains(p.Body, `id="move-persona"`) {
		t.Fatal("a viewer is offered the move")
	}
	back := b.post("/o/"+e.org+"/personas/"+lead.ID+"/move", url.Values{"group_id": {lead.GroupID}}).must(t, 200)
	wantIn(t, back, "System Lead is now in")
	if got, _ := e.svc.GetPersona(ctx, owner, e.org, lead.ID); got.GroupID != lead.GroupID || got.Revision != lead.Revision+2 {
		t.Fatalf("moved back: %+v", got)
	}
	if p := b.post("/o/"+e.org+"/personas/"+lead.ID+"/move", url.Values{"group_id": {"nowhere"}}); p.Status != 422 ||
		!strings.Contains(p.Body, "Group: no such group") {
		t.Fatalf("to no group: %d\n%s", p.Status, p.Body)
	}
}
