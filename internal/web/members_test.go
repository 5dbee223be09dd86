package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

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

func TestMembersAdminAddsChangesAndRemoves(t *testing.T) {
	e := newWebEnv(t)
	newbie := e.newUser("newbie@example.com", "Nina Newbie")
	b := e.signedIn(e.owner)
	path := "/o/" + e.org + "/members"

	p := b.get(path).must(t, http.StatusOK)
	if !strings.Contains(p.Body, `id="add-member"`) {
		t.Fatalf("owner sees no add-member form:\n%s", p.Body)
	}
	ownerRow := memberRow(t, p.Body, e.owner.Email)
	if !strings.Contains(ownerRow, `class="you-badge">you<`) || !strings.Contains(ownerRow, `data-role="owner"`) {
		t.Fatalf("the owner's own row is not marked as theirs:\n%s", ownerRow)
	}
	if row := memberRow(t, p.Body, e.viewer.Email); row == "" || strings.Contains(row, "you-badge") {
		t.Fatalf("the viewer's row is missing or marked as the owner's:\n%s", row)
	}

	// Add with a role.
	p = b.post(path, url.Values{"email": {"NEWBIE@example.com"}, "role": {"editor"}}).must(t, http.StatusOK)
	if p.URL != path || !strings.Contains(p.Body, "Nina Newbie joined as editor.") {
		t.Fatalf("after adding: at %s without the flash\n%s", p.URL, p.Body)
	}
	if row := memberRow(t, p.Body, "newbie@example.com"); !strings.Contains(row, `data-role="editor"`) {
		t.Fatalf("new member's row: %q", row)
	}
	if got := e.roleOf(newbie.ID); got != persona.RoleEditor {
		t.Fatalf("role after adding = %q, want editor", got)
	}

	// Adding again is a conflict, shown on the page.
	p = b.post(path, url.Values{"email": {"newbie@example.com"}, "role": {"viewer"}}).must(t, http.StatusConflict)
	if !strings.Contains(p.Body, `id="members-error"`) || !strings.Contains(p.Body, "already a member") {
		t.Fatalf("duplicate add: no message\n%s", p.Body)
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

func TestMembersAddUnknownEmailShowsWhy(t *testing.T) {
	e := newWebEnv(t)
	b := e.signedIn(e.owner)
	p := b.post("/o/"+e.org+"/members", url.Values{"email": {"nobody@example.com"}, "role": {"editor"}}).
		must(t, http.StatusUnprocessableEntity)
	if !strings.Contains(p.Body, "no user with this email") || !strings.Contains(p.Body, `id="member-email-error"`) {
		t.Fatalf("unknown email: no message at the input\n%s", p.Body)
	}
	if !strings.Contains(p.Body, `value="nobody@example.com"`) {
		t.Fatalf("the typed email was not kept in the form")
	}
	if !strings.Contains(p.Body, `id="members"`) || memberRow(t, p.Body, e.owner.Email) == "" {
		t.Fatalf("the refused page lost the member list")
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
	if _, err := e.svc.AddMember(context.Background(), e.actor(e.owner), e.org, admin.Email, persona.RoleAdmin); err != nil {
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
	for _, s := range []string{`id="add-member"`, `/remove"`, `/role"`, "<select"} {
		if strings.Contains(p.Body[strings.Index(p.Body, "<main"):], s) {
			t.Fatalf("viewer's page contains %s", s)
		}
	}
	if row := memberRow(t, p.Body, e.viewer.Email); !strings.Contains(row, "you-badge") {
		t.Fatalf("viewer's own row is not marked:\n%s", row)
	}

	// Forged posts are refused and change nothing.
	b.post(path, url.Values{"email": {newbie.Email}, "role": {"owner"}}).must(t, http.StatusForbidden)
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
	b.post("/o/"+e.org+"/members", url.Values{"email": {e.outsider.Email}, "role": {"owner"}}).must(t, http.StatusNotFound)
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
