package e2e_test

import (
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// cliUser creates an account with the real binary on the server's
// database, as an operator would (personapal user create).
func cliUser(t *testing.T, email, name, password string) {
	t.Helper()
	if env.bin == "" {
		newBrowser(t) // skips or fails the test as the harness says
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, env.bin, "user", "create", "--db", env.db, "--email", email, "--name", name, "--password", password).CombinedOutput()
	if err != nil {
		t.Fatalf("personapal user create: %v\n%s", err, out)
	}
}

// noSidewaysScroll fails unless the page fits the window's width.
func noSidewaysScroll(where string) action {
	return js(`(where) => {
		const over = document.documentElement.scrollWidth - window.innerWidth;
		return over > 0 ? where + " scrolls sideways by " + over + "px at " + window.innerWidth + "px" : "";
	}`, where)
}

// shot keeps a screenshot of the page for people to look at.
func (b *browser) shot(name string) {
	b.t.Helper()
	path, err := b.screenshot(b.ctx, name)
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	b.t.Logf("screenshot %s: %s", name, path)
}

// 9. An admin invites an existing user from the members page; the user
// signs in, finds the invitation on their home page, accepts it and lands
// in the organisation.
func TestInviteFromMembersPageThenAccept(t *testing.T) {
	id := unique("")
	email := "ines-" + id + "@example.com"
	name := "Ines Invitee " + id
	password := "invitee-password-" + id
	cliUser(t, email, name, password)

	admin := signIn(t, orgPath("/members"))
	admin.step("the members page offers an invite form, not an add form",
		see("main h1", "Members"), present("form#invite-member", 1), count("form#add-member", 0),
		see("#invite-title", "Invite someone"))
	admin.step("invite the user as an editor",
		typeInto("#invite-email", strings.ToUpper(email[:1])+email[1:]),
		choose("#invite-role", "editor"),
		follow("#invite-submit"))
	row := fmt.Sprintf(`#invitations tr[data-email=%q]`, email)
	admin.step("the invitation is recorded and waits for an answer, with who sent it and until when",
		atPath("^"+regexp.QuoteMeta(orgPath("/members"))+"$"),
		see(".flash", "Invitation sent to "+email+"."),
		present(row, 1),
		see(row, "editor", "Dana Demo"),
		present(row+` button[id^="revoke-invitation-"]`, 1),
		count(fmt.Sprintf(`#members tr[data-email=%q]`, email), 0))
	for _, width := range []int64{390, 1440} {
		admin.step(fmt.Sprintf("the members page fits %dpx", width),
			chromedp.EmulateViewport(width, 900), present(row, 1), noSidewaysScroll("the members page"))
		admin.shot(fmt.Sprintf("members-%d", width))
	}

	b := newBrowser(t)
	b.step("the invitee opens the app signed out: the sign-in form", open("/"), atPath(`^/login\?`), present("#email", 1))
	b.step("sign in as the invitee",
		typeInto("#email", email),
		typeInto("#password", password),
		follow(`form[action="/login"] button[type="submit"]`))
	card := fmt.Sprintf(`article.invitation-card[data-org=%q]`, env.org)
	b.step("the home page shows the invitation first, from the admin, into the organisation, as an editor",
		atPath(`^/$`),
		see("main h1", "Your invitations"),
		present(card, 1),
		see(card, "Dana Demo invited you to join", "as editor", "open until"),
		present(card+` button[id^="accept-"]`, 1),
		present(card+` button[id^="decline-"]`, 1))
	for _, width := range []int64{390, 1440} {
		b.step(fmt.Sprintf("the invitation fits %dpx", width),
			chromedp.EmulateViewport(width, 900), present(card, 1), noSidewaysScroll("the home page"))
		b.shot(fmt.Sprintf("invitation-%d", width))
	}
	b.step("accept it", follow(card+` button[id^="accept-"]`))
	b.step("land in the organisation as an editor",
		atPath("^"+regexp.QuoteMeta(orgPath(""))+"$"),
		see(".flash", "you joined as editor"),
		see("main h1", "Personas"),
		present("a.persona-card", 10))
	b.step("the home page has nothing left to answer: it goes straight to the organisation",
		open("/"), atPath("^"+regexp.QuoteMeta(orgPath(""))+"$"))

	admin.step("the admin sees the invitee among the members, and no longer waiting",
		open(orgPath("/members")),
		present(fmt.Sprintf(`#members tr[data-email=%q][data-role="editor"]`, email), 1),
		count(row, 0))
}
