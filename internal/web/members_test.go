package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// roleOf returns the user's role in the demo organisation ("" when not a
// member), read through the app layer as the owner.
func (e *webEnv) roleOf(userID string) persona.Role {
	e.t.Helper()
	members, err := e.svc.ListMembers(context.Background(), e.actor(e.owner), e.org)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, m := range members {
		if m.UserID == userID {
			return m.Role
		}
	}
	return ""
}

// newUser creates an account that belongs to no organisation yet.
func (e *webEnv) newUser(email, name string) persona.User {
	e.t.Helper()
	u, err := e.svc.CreateUser(context.Background(), email, name, "new-user-password-1")
	if err != nil {
		e.t.Fatal(err)
	}
	return u
}

// memberRow returns the members table row of the member with this email.
func memberRow(t *testing.T, body, email string) string {
	t.Helper()
	re := regexp.MustCompile(`(?s)<tr id="member-[^"]*" data-email="` + regexp.QuoteMeta(email) + `".*?</tr>`)
	return re.FindString(body)
}

func TestMembersAdminInvitesChangesAndRemoves(t *testing.T) {
	e := newWebEnv(t)
	newbie := e.newUser("newbie@example.com", "Nina Newbie")
	b := e.signedIn(e.owner)
	path := "/o/" + e.org + "/members"

	p := b.get(path).must(t, http.StatusOK)
	if !strings.Contains(p.Body, `id="invite-member"`) || strings.Contains(p.Body, `id="add-member"`) {
		t.Fatalf("owner sees no invite form, or still an add form:\n%s", p.Body)
	}
	if !strings.Contains(p.Body, `id="no-invitations"`) {
		t.Fatalf("no empty state for the invitations")
	}
	ownerRow := memberRow(t, p.Body, e.owner.Email)
	if !strings.Contains(ownerRow, `class="you-badge">you<`) || !strings.Contains(ownerRow, `data-role="owner"`) {
		t.Fatalf("the owner's own row is not marked as theirs:\n%s", ownerRow)
	}
	if row := memberRow(t, p.Body, e.viewer.Email); row == "" || strings.Contains(row, "you-badge") {
		t.Fatalf("the viewer's row is missing or marked as the owner's:\n%s", row)
	}

	// Invite with a role: recorded, pending, not a member yet.
	p = b.post("/o/"+e.org+"/invitations", url.Values{"email": {"NEWBIE@example.com"}, "role": {"editor"}}).must(t, http.StatusOK)
	if p.URL != path || !strings.Contains(p.Body, "Invitation sent to newbie@example.com.") {
		t.Fatalf("after inviting: at %s without the flash\n%s", p.URL, p.Body)
	}
	row := invitationRow(t, p.Body, "newbie@example.com")
	for _, want := range []string{`data-role="editor"`, "Sent", "Open until", `/revoke"`} {
		if !strings.Contains(row, want) && !strings.Contains(p.Body, want) {
			t.Fatalf("the pending invitation lacks %q:\n%s", want, row)
		}
	}
	if owner := e.actor(e.owner); !strings.Contains(row, owner.Name) {
		t.Fatalf("the pending invitation does not say who sent it:\n%s", row)
	}
	if memberRow(t, p.Body, "newbie@example.com") != "" || e.roleOf(newbie.ID) != "" {
		t.Fatal("inviting made Nina a member without her consent")
	}

	// Nina signs in: her invitation waits on the home page; she accepts
	// and lands in the organisation.
	nb := e.signedIn(account{"newbie@example.com", "new-user-password-1"})
	home := nb.get("/").must(t, http.StatusOK)
	if home.URL != "/" || !strings.Contains(home.Body, `class="invitation-card"`) || !strings.Contains(home.Body, "invited you to join") {
		t.Fatalf("Nina's home at %s shows no invitation:\n%s", home.URL, home.Body)
	}
	invs, err := e.svc.MyInvitations(context.Background(), e.actor(account{Email: "newbie@example.com"}))
	if err != nil || len(invs) != 1 {
		t.Fatalf("Nina's invitations: %+v %v", invs, err)
	}
	p = nb.post("/invitations/"+invs[0].ID+"/accept", nil).must(t, http.StatusOK)
	if p.URL != "/o/"+e.org || !strings.Contains(p.Body, "you joined as editor") {
		t.Fatalf("after accepting: at %s\n%s", p.URL, p.Body)
	}
	if got := e.roleOf(newbie.ID); got != persona.RoleEditor {
		t.Fatalf("role after accepting = %q, want editor", got)
	}
	p = b.get(path).must(t, http.StatusOK)
	if row := memberRow(t, p.Body, "newbie@example.com"); !strings.Contains(row, `data-role="editor"`) {
		t.Fatalf("new member's row: %q", row)
	}
	if invitationRow(t, p.Body, "newbie@example.com") != "" {
		t.Fatal("the accepted invitation is still listed")
	}

	// Inviting a member is a conflict, shown on the page.
	p = b.post("/o/"+e.org+"/invitations", url.Values{"email": {"newbie@example.com"}, "role": {"viewer"}}).must(t, http.StatusConflict)
	if !strings.Contains(p.Body, `id="members-error"`) || !strings.Contains(p.Body, "already a member") || !strings.Contains(p.Body, `id="invite-email-error"`) {
		t.Fatalf("inviting a member: no message\n%s", p.Body)
	}

	// Change the role.
	p = b.post(path+"/"+newbie.ID+"/role", url.Values{"role": {"admin"}}).must(t, http.StatusOK)
	if !strings.Contains(p.Body, "Nina Newbie is now admin.") {
		t.Fatalf("after role change: no flash\n%s", p.Body)
	}
	if got := e.roleOf(newbie.ID); got != persona.RoleAdmin {
		t.Fatalf("role after change = %q, want admin", got)
	}

	// Remove.
	p = b.post(path+"/"+newbie.ID+"/remove", nil).must(t, http.StatusOK)
	if !strings.Contains(p.Body, "Nina Newbie was removed") || memberRow(t, p.Body, "newbie@example.com") != "" {
		t.Fatalf("after removal: flash missing or row still there\n%s", p.Body)
	}
	if got := e.roleOf(newbie.ID); got != "" {
		t.Fatalf("removed member still has role %q", got)
	}
}

// invitationRow returns the pending invitations table row of the address.
func invitationRow(t *testing.T, body, email string) string {
	t.Helper()
	re := regexp.MustCompile(`(?s)<tr id="invitation-[^"]*" data-email="` + regexp.QuoteMeta(email) + `".*?</tr>`)
	return re.FindString(body)
}

// TestMembersInviteReadsTheSameForAnyAddress: the page after inviting an
// address with an account, one without, and one already invited differs
// only by the address itself; bad input is shown at the input.
func TestMembersInviteReadsTheSameForAnyAddress(t *testing.T) {
	e := newWebEnv(t)
	e.newUser("has-account@example.com", "Hana Account")
	b := e.signedIn(e.owner)
	flash := regexp.MustCompile(`<p class="flash" role="status">[^<]*</p>`)
	var seen []string
	for _, email := range []string{"has-account@example.com", "no-account@example.com", "has-account@example.com", "no-account@example.com"} {
		p := b.post("/o/"+e.org+"/invitations", url.Values{"email": {email}, "role": {"viewer"}})
		msg := flash.FindString(p.Body)
		got := strings.ReplaceAll(fmt.Sprintf("%d %s %s", p.Status, p.URL, msg), email, "ADDRESS")
		seen = append(seen, got)
		if got != seen[0] {
			t.Errorf("inviting %s: %q, want %q", email, got, seen[0])
		}
	}
	if !strings.Contains(seen[0], "200 /o/"+e.org+"/members") || !strings.Contains(seen[0], "Invitation sent to ADDRESS.") {
		t.Fatalf("after inviting: %q", seen[0])
	}
	p := b.get("/o/"+e.org+"/members").must(t, http.StatusOK)
	if strings.Count(p.Body, `<tr id="invitation-`) != 2 {
		t.Fatalf("want two pending invitations (inviting again sends the same one):\n%s", p.Body)
	}
	a, c := invitationRow(t, p.Body, "has-account@example.com"), invitationRow(t, p.Body, "no-account@example.com")
	idRe := regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	norm := func(row, email string) string {
		return idRe.ReplaceAllString(strings.ReplaceAll(row, email, "ADDRESS"), "ID")
	}
	if norm(a, "has-account@example.com") != norm(c, "no-account@example.com") {
		t.Errorf("the pending rows differ:\n%s\n%s", a, c)
	}

	p = b.post("/o/"+e.org+"/invitations", url.Values{"email": {"not an address"}, "role": {"editor"}}).must(t, http.StatusUnprocessableEntity)
	if !strings.Contains(p.Body, `id="invite-email-error"`) || !strings.Contains(p.Body, "must be a valid email address") ||
		!strings.Contains(p.Body, `value="not an address"`) {
		t.Fatalf("bad address: no message at the input, or the input lost\n%s", p.Body)
	}
	if !strings.Contains(p.Body, `id="members"`) || memberRow(t, p.Body, e.owner.Email) == "" {
		t.Fatalf("the refused page lost the member list")
	}
	p = b.post("/o/"+e.org+"/invitations", url.Values{"email": {"x@example.com"}, "role": {"boss"}}).must(t, http.StatusUnprocessableEntity)
	if !strings.Contains(p.Body, `id="invite-role-error"`) {
		t.Fatalf("bad role: no message at the input\n%s", p.Body)
	}
	// The old add form's address adds nobody.
	b.post("/o/"+e.org+"/members", url.Values{"email": {"has-account@example.com"}, "role": {"editor"}}).must(t, http.StatusMethodNotAllowed)
	u, _ := e.svc.UserByEmail(context.Background(), "has-account@example.com")
	if e.roleOf(u.ID) != "" {
		t.Fatal("an account was added without its consent")
	}
}

// TestMembersRevokeAnInvitation: the admin revokes a pending invitation;
// the invitee then cannot accept it and is told why.
func TestMembersRevokeAnInvitation(t *testing.T) {
	e := newWebEnv(t)
	nina := e.newUser("nina@example.com", "Nina")
	b := e.signedIn(e.owner)
	b.post("/o/"+e.org+"/invitations", url.Values{"email": {"nina@example.com"}, "role": {"editor"}}).must(t, http.StatusOK)
	invs, err := e.svc.ListInvitations(context.Background(), e.actor(e.owner), e.org)
	if err != nil || len(invs) != 1 {
		t.Fatalf("invitations: %+v %v", invs, err)
	}
	id := invs[0].ID
	nb := e.signedIn(account{"nina@example.com", "new-user-password-1"})
	if p := nb.get("/").must(t, http.StatusOK); !strings.Contains(p.Body, `id="accept-`+id+`"`) {
		t.Fatalf("Nina does not see the invitation:\n%s", p.Body)
	}

	p := b.post("/o/"+e.org+"/invitations/"+id+"/revoke", nil).must(t, http.StatusOK)
	if !strings.Contains(p.Body, "The invitation for nina@example.com was withdrawn.") || invitationRow(t, p.Body, "nina@example.com") != "" {
		t.Fatalf("after revoking:\n%s", p.Body)
	}
	p = b.post("/o/"+e.org+"/invitations/"+id+"/revoke", nil).must(t, http.StatusConflict)
	if !strings.Contains(p.Body, "already withdrawn") {
		t.Fatalf("revoking twice:\n%s", p.Body)
	}

	// Nina's page no longer offers it; a stale form is refused with why.
	p = nb.get("/").must(t, http.StatusOK)
	if strings.Contains(p.Body, `id="accept-`+id+`"`) {
		t.Fatal("a revoked invitation is still offered")
	}
	p = nb.post("/invitations/"+id+"/accept", nil).must(t, http.StatusNotFound)
	if !strings.Contains(p.Body, `id="invitation-error"`) || !strings.Contains(p.Body, "This invitation was withdrawn.") {
		t.Fatalf("accepting a revoked invitation:\n%s", p.Body)
	}
	if e.roleOf(nina.ID) != "" {
		t.Fatal("Nina joined through a revoked invitation")
	}
}

// TestInvitationsAreTheirAddresseesOnly: another signed-in user cannot see,
// accept or decline someone's invitation (404, nothing changes); the
// invitee declines hers and stays out.
func TestInvitationsAreTheirAddresseesOnly(t *testing.T) {
	e := newWebEnv(t)
	ctx := context.Background()
	nina := e.newUser("nina@example.com", "Nina")
	inv, err := e.svc.InviteMember(ctx, e.actor(e.owner), e.org, nina.Email, persona.RoleEditor)
	if err != nil {
		t.Fatal(err)
	}
	out := e.signedIn(e.outsider)
	p := out.get("/").must(t, http.StatusOK)
	if strings.Contains(p.Body, inv.ID) || strings.Contains(p.Body, "invited you") {
		t.Fatalf("the outsider sees Nina's invitation:\n%s", p.Body)
	}
	for _, action := range []string{"accept", "decline"} {
		p = out.post("/invitations/"+inv.ID+"/"+action, nil).must(t, http.StatusNotFound)
		if !strings.Contains(p.Body, "may be meant for another address") || strings.Contains(p.Body, e.org) {
			t.Fatalf("%s by the outsider:\n%s", action, p.Body)
		}
	}
	e.browser().post("/invitations/"+inv.ID+"/accept", nil) // signed out: to the sign-in page
	if e.roleOf(e.actor(e.outsider).UserID) != "" {
		t.Fatal("the outsider joined through Nina's invitation")
	}
	if got, _ := e.svc.MyInvitations(ctx, e.actor(account{Email: nina.Email})); len(got) != 1 {
		t.Fatalf("Nina's invitation after the outsider's attempts: %+v", got)
	}

	nb := e.signedIn(account{"nina@example.com", "new-user-password-1"})
	p = nb.post("/invitations/"+inv.ID+"/decline", nil).must(t, http.StatusOK)
	if p.URL != "/" || !strings.Contains(p.Body, "You declined the invitation to join") {
		t.Fatalf("after declining: at %s\n%s", p.URL, p.Body)
	}
	if e.roleOf(nina.ID) != "" {
		t.Fatal("declining made Nina a member")
	}
	if !strings.Contains(p.Body, "not a member of any organisation yet") {
		t.Fatalf("Nina's home after declining:\n%s", p.Body)
	}
}

// TestOneOrganisationMemberSeesInvitationsFirst: the home page sends a
// member of one organisation straight to it, unless an invitation waits.
func TestOneOrganisationMemberSeesInvitationsFirst(t *testing.T) {
	e := newWebEnv(t)
	b := e.signedIn(e.viewer)
	if p := b.get("/").must(t, http.StatusOK); p.URL != "/o/"+e.org {
		t.Fatalf("a member of one organisation lands at %s", p.URL)
	}
	if _, err := e.svc.InviteMember(context.Background(), e.actor(e.outsider), e.otherOrg, e.viewer.Email, persona.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	p := b.get("/").must(t, http.StatusOK)
	if p.URL != "/" || !strings.Contains(p.Body, "Otto Outsider</strong> invited you to join <strong class=\"invitation-org\">Other Corp</strong>") ||
		!strings.Contains(p.Body, `href="/o/`+e.org+`"`) {
		t.Fatalf("with an invitation waiting, at %s:\n%s", p.URL, p.Body)
	}
	if i, j := strings.Index(p.Body, `class="invitation-card"`), strings.Index(p.Body, `class="card org-card"`); i < 0 || j < 0 || i > j {
		t.Fatalf("the invitation is not shown before the organisations")
	}
}

func TestMembersCannotRemoveOrDemoteTheLastOwner(t *testing.T) {
	e := newWebEnv(t)
	b := e.signedIn(e.owner)
	owner := e.actor(e.owner)
	path := "/o/" + e.org + "/members/" + owner.UserID

	p := b.post(path+"/remove", nil).must(t, http.StatusConflict)
	if !strings.Contains(p.Body, "at least one owner") || !strings.Contains(p.Body, `role="alert"`) {
		t.Fatalf("removing the last owner: no clear message\n%s", p.Body)
	}
	p = b.post(path+"/role", url.Values{"role": {"viewer"}}).must(t, http.StatusConflict)
	if !strings.Contains(p.Body, "at least one owner") {
		t.Fatalf("demoting the last owner: no clear message\n%s", p.Body)
	}
	if got := e.roleOf(owner.UserID); got != persona.RoleOwner {
		t.Fatalf("last owner is now %q", got)
	}
	if row := memberRow(t, p.Body, e.owner.Email); !strings.Contains(row, `data-role="owner"`) {
		t.Fatalf("page shows the owner as not owner:\n%s", row)
	}
}

func TestMembersAdminCannotTouchOwners(t *testing.T) {
	e := newWebEnv(t)
	admin := account{"admin@example.com", "admin-password-1"}
	if _, err := e.svc.CreateUser(context.Background(), admin.Email, "Ada Admin", admin.Password); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.AddMember(context.Background(), app.System, e.org, admin.Email, persona.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	b := e.signedIn(admin)
	p := b.get("/o/"+e.org+"/members").must(t, http.StatusOK)
	if row := memberRow(t, p.Body, e.owner.Email); strings.Contains(row, "<select") || strings.Contains(row, "/remove") {
		t.Fatalf("an admin is offered controls on an owner's row:\n%s", row)
	}
	if strings.Contains(p.Body, `<option value="owner"`) {
		t.Fatalf("an admin is offered the owner role")
	}
	owner := e.actor(e.owner)
	p = b.post("/o/"+e.org+"/members/"+owner.UserID+"/remove", nil).must(t, http.StatusForbidden)
	if !strings.Contains(p.Body, "only an owner") {
		t.Fatalf("no reason given:\n%s", p.Body)
	}
	if e.roleOf(owner.UserID) != persona.RoleOwner {
		t.Fatal("an admin removed the owner")
	}
	// Nor invite an owner, nor withdraw an owner's invitation.
	p = b.post("/o/"+e.org+"/invitations", url.Values{"email": {"olga@example.com"}, "role": {"owner"}}).must(t, http.StatusForbidden)
	if !strings.Contains(p.Body, "only an owner can invite an owner") {
		t.Fatalf("no reason given:\n%s", p.Body)
	}
	inv, err := e.svc.InviteMember(context.Background(), owner, e.org, "olga@example.com", persona.RoleOwner)
	if err != nil {
		t.Fatal(err)
	}
	p = b.get("/o/"+e.org+"/members").must(t, http.StatusOK)
	if row := invitationRow(t, p.Body, "olga@example.com"); row == "" || strings.Contains(row, "/revoke") {
		t.Fatalf("an admin is offered to revoke an owner invitation (or does not see it):\n%s", row)
	}
	b.post("/o/"+e.org+"/invitations/"+inv.ID+"/revoke", nil).must(t, http.StatusForbidden)
	if list, _ := e.svc.ListInvitations(context.Background(), owner, e.org); len(list) != 1 || list[0].RevokedAt != nil {
		t.Fatalf("an admin revoked an owner invitation: %+v", list)
	}
}

func TestMembersViewerIsReadOnly(t *testing.T) {
	e := newWebEnv(t)
	newbie := e.newUser("newbie@example.com", "Nina Newbie")
	b := e.signedIn(e.viewer)
	path := "/o/" + e.org + "/members"

	p := b.get(path).must(t, http.StatusOK)
	if memberRow(t, p.Body, e.owner.Email) == "" {
		t.Fatalf("viewer does not see the members:\n%s", p.Body)
	}
	for _, s := range []string{`id="invite-member"`, `id="invitations"`, `/remove"`, `/role"`, `/revoke"`, "<select"} {
		if strings.Contains(p.Body[strings.Index(p.Body, "<main"):], s) {
			t.Fatalf("viewer's page contains %s", s)
		}
	}
	if row := memberRow(t, p.Body, e.viewer.Email); !strings.Contains(row, "you-badge") {
		t.Fatalf("viewer's own row is not marked:\n%s", row)
	}

	// Forged posts are refused and change nothing.
	inv, err := e.svc.InviteMember(context.Background(), e.actor(e.owner), e.org, "pending@example.com", persona.RoleViewer)
	if err != nil {
		t.Fatal(err)
	}
	b.post("/o/"+e.org+"/invitations", url.Values{"email": {newbie.Email}, "role": {"owner"}}).must(t, http.StatusForbidden)
	b.post("/o/"+e.org+"/invitations/"+inv.ID+"/revoke", nil).must(t, http.StatusForbidden)
	if list, _ := e.svc.ListInvitations(context.Background(), e.actor(e.owner), e.org); len(list) != 1 || list[0].ID != inv.ID {
		t.Fatalf("a viewer's forged posts changed the invitations: %+v", list)
	}
	owner := e.actor(e.owner)
	b.post(path+"/"+owner.UserID+"/remove", nil).must(t, http.StatusForbidden)
	b.post(path+"/"+owner.UserID+"/role", url.Values{"role": {"viewer"}}).must(t, http.StatusForbidden)
	viewer := e.actor(e.viewer)
	b.post(path+"/"+viewer.UserID+"/role", url.Values{"role": {"owner"}}).must(t, http.StatusForbidden)
	if e.roleOf(newbie.ID) != "" || e.roleOf(owner.UserID) != persona.RoleOwner || e.roleOf(viewer.UserID) != persona.RoleViewer {
		t.Fatalf("a viewer's forged post changed the members: newbie=%q owner=%q viewer=%q",
			e.roleOf(newbie.ID), e.roleOf(owner.UserID), e.roleOf(viewer.UserID))
	}
}

func TestMembersOutsiderGetsNotFound(t *testing.T) {
	e := newWebEnv(t)
	b := e.signedIn(e.outsider)
	b.get("/o/"+e.org+"/members").must(t, http.StatusNotFound)
	b.post("/o/"+e.org+"/invitations", url.Values{"email": {e.outsider.Email}, "role": {"owner"}}).must(t, http.StatusNotFound)
	out := e.actor(e.outsider)
	if e.roleOf(out.UserID) != "" {
		t.Fatal("an outsider added themselves")
	}
}

var secretInput = regexp.MustCompile(`id="new-token-secret"[^>]*value="([^"]+)"`)

// apiStatus calls GET /api/v1/orgs with a bearer token.
func (e *webEnv) apiStatus(token string) (int, string) {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/api/v1/orgs", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	b := e.browser()
	p := b.do(req)
	return p.Status, p.Body
}

func TestTokensCreateUseAndRevoke(t *testing.T) {
	e := newWebEnv(t)
	b := e.signedIn(e.owner)

	before, err := e.svc.ListTokens(context.Background(), e.actor(e.owner))
	if err != nil {
		t.Fatal(err)
	}
	p := b.get("/account/tokens").must(t, http.StatusOK)
	if !strings.Contains(p.Body, e.srv.URL+"/api/v1/orgs") {
		t.Fatalf("tokens page lacks the usage example:\n%s", p.Body)
	}

	p = b.post("/account/tokens", url.Values{"name": {"Research sync"}}).must(t, http.StatusCreated)
	m := secretInput.FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("no secret shown after creating a token:\n%s", p.Body)
	}
	secret := m[1]
	if !strings.HasPrefix(secret, "pp_") || !strings.Contains(p.Body, "Copy it now") {
		t.Fatalf("secret %q or copy hint missing", secret)
	}
	if cc := p.Header.Get("Cache-Control"); cc != "no-store" {
		t.Fatalf("secret page Cache-Control = %q, want no-store", cc)
	}
	if strings.Contains(p.URL, secret) || strings.Count(p.Body, secret) != 1 {
		t.Fatalf("secret leaked into the URL %s or shown %d times", p.URL, strings.Count(p.Body, secret))
	}
	u, _ := url.Parse(e.srv.URL)
	for _, ck := range b.client.Jar.Cookies(u) {
		if strings.Contains(ck.Value, secret) || strings.Contains(ck.Value, url.QueryEscape(secret)) {
			t.Fatalf("secret stored in cookie %s", ck.Name)
		}
	}

	status, body := e.apiStatus(secret)
	if status != http.StatusOK || !strings.Contains(body, e.org) {
		t.Fatalf("new token against the API: %d %s", status, body)
	}

	// Shown once: a reload of the list no longer has it.
	p = b.get("/account/tokens").must(t, http.StatusOK)
	if strings.Contains(p.Body, secret) || !strings.Contains(p.Body, "Research sync") {
		t.Fatalf("token list shows the secret again or lacks the token:\n%s", p.Body)
	}
	tokens, err := e.svc.ListTokens(context.Background(), e.actor(e.owner))
	if err != nil || len(tokens) != len(before)+1 || tokens[0].Name != "Research sync" {
		t.Fatalf("tokens: %+v %v", tokens, err)
	}
	id := tokens[0].ID // newest first

	// Someone else cannot revoke it.
	e.signedIn(e.outsider).post("/account/tokens/"+id+"/revoke", nil).must(t, http.StatusNotFound)
	if status, _ := e.apiStatus(secret); status != http.StatusOK {
		t.Fatalf("token stopped working after another user's revoke: %d", status)
	}

	p = b.post("/account/tokens/"+id+"/revoke", nil).must(t, http.StatusOK)
	if p.URL != "/account/tokens" || !strings.Contains(p.Body, "“Research sync” was revoked") ||
		!strings.Contains(p.Body, "token-state revoked") {
		t.Fatalf("after revoking: at %s\n%s", p.URL, p.Body)
	}
	if strings.Contains(p.Body, `id="revoke-`+id+`"`) {
		t.Fatal("a revoked token still has a Revoke button")
	}
	if status, _ := e.apiStatus(secret); status != http.StatusUnauthorized {
		t.Fatalf("revoked token answered %d, want 401", status)
	}
}

func TestTokensNeedSignIn(t *testing.T) {
	e := newWebEnv(t)
	p := e.signedIn(e.viewer).get("/account/tokens").must(t, http.StatusOK)
	if !strings.Contains(p.Body, "no API tokens yet") {
		t.Fatalf("a user without tokens does not see the empty state:\n%s", p.Body)
	}
	b := e.browser()
	if p := b.get("/account/tokens"); !strings.HasPrefix(p.URL, "/login") {
		t.Fatalf("anonymous tokens page: %d at %s", p.Status, p.URL)
	}
	if p := b.post("/account/tokens", url.Values{"name": {"x"}}); !strings.HasPrefix(p.URL, "/login") || secretInput.MatchString(p.Body) {
		t.Fatalf("anonymous token creation: %d at %s", p.Status, p.URL)
	}
}

func TestTokensLongNameIsRefusedOnThePage(t *testing.T) {
	e := newWebEnv(t)
	b := e.signedIn(e.owner)
	p := b.post("/account/tokens", url.Values{"name": {strings.Repeat("x", 101)}}).must(t, http.StatusUnprocessableEntity)
	if !strings.Contains(p.Body, `id="token-error"`) || !strings.Contains(p.Body, "at most 100 characters") || secretInput.MatchString(p.Body) {
		t.Fatalf("long name: no message, or a token was made:\n%s", p.Body)
	}
}

// TestInvitationPagesEscapeNames: an inviter's and an organisation's names
// are text on the invitee's home page and on the members page.
func TestInvitationPagesEscapeNames(t *testing.T) {
	e := newWebEnv(t)
	ctx := context.Background()
	const script = `<script>alert(1)</script>`
	evil, err := e.svc.CreateUser(ctx, "evil@example.com", "Eve "+script, "evil-password-12")
	if err != nil {
		t.Fatal(err)
	}
	org, err := e.svc.CreateOrg(ctx, app.Actor{UserID: evil.ID, Email: evil.Email}, "Org "+script, "evil-org")
	if err != nil {
		t.Fatal(err)
	}
	nina := e.newUser("nina@example.com", "Nina")
	if _, err := e.svc.InviteMember(ctx, app.Actor{UserID: evil.ID, Email: evil.Email}, org.Slug, nina.Email, persona.RoleViewer); err != nil {
		t.Fatal(err)
	}
	for _, page := range []struct {
		who  account
		path string
	}{{account{"nina@example.com", "new-user-password-1"}, "/"}, {account{"evil@example.com", "evil-password-12"}, "/o/evil-org/members"}} {
		p := e.signedIn(page.who).get(page.path).must(t, http.StatusOK)
		if strings.Contains(p.Body, script) || !strings.Contains(p.Body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Errorf("%s: the names are not escaped text:\n%s", page.path, p.Body)
		}
	}
}
