package e2e_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// navigate opens a URL (a link from an e-mail).
func navigate(url string) action { return chromedp.Navigate(url) }

// resize sets the window's width.
func resize(width int64) action { return chromedp.EmulateViewport(width, 900) }

// joinForm fills the invitation page's form for a new account and sends
// it.
func joinForm(name, password string) action {
	return chromedp.Steps(
		typeInto("#join-name", name),
		typeInto("#join-password", password),
		typeInto("#join-confirm", password),
		follow("#invite-join"))
}

// resetForm fills the reset page's form and sends it.
func resetForm(password string) action {
	return chromedp.Steps(
		typeInto("#reset-password", password),
		typeInto("#reset-confirm", password),
		follow("#reset-submit"))
}

// An admin invites a new address from the members page; the e-mail
// arrives over real SMTP (STARTTLS, AUTH) with a link on the base URL;
// the invitee opens it, sets a name and password and is in the
// organisation, signed in. An existing account's invitation asks to sign
// in first, then to accept. Inviting someone who is a member by then gets
// the 409's message on the members page, and no e-mail.
func TestInvitationsByEmail(t *testing.T) {
	m := startMailServer(t, true)
	id := unique("")
	admin := m.signIn(t, m.email, m.password)
	members := "/o/" + m.org + "/members"

	nia := "nia-" + id + "@example.com"
	admin.step("invite a new address as an editor", m.open(members),
		typeInto("#invite-email", nia), choose("#invite-role", "editor"), follow("#invite-submit"),
		see(".flash", "Invitation sent to "+nia+"."),
		present(fmt.Sprintf(`#invitations tr[data-email=%q]`, nia), 1))
	msg, link := m.mail(t, nia, "invited you to", 1)
	if !strings.Contains(msg.Subject, "Dana Demo invited you to Ledgerline") || !strings.Contains(msg.Text, "as an editor") ||
		!strings.HasPrefix(link, m.base+"/invite?token=") {
		t.Fatalf("the invitation e-mail: %q, %s\n%s", msg.Subject, link, msg.Text)
	}

	b := newBrowser(t)
	b.step("open the e-mail's link: who invites to what, and a form", navigate(link),
		see("#invite-title", "Join Ledgerline"), see("#invite-summary", "Dana Demo invited", nia, "editor"),
		present("#invite-join-form", 1))
	b.looks("invitation page", "#invite-join-form")
	b.step("a weak password is refused, naming the field", joinForm("Nia New", "short"),
		see("#join-password-error", "The password"), see("#invite-refusal", "No account was made"))
	b.step("set a name and a password", joinForm("Nia New", "nia-password-"+id))
	b.step("in the organisation, signed in as the new account",
		atPath("^/o/"+regexp.QuoteMeta(m.org)+"$"), see(".flash", "your account is ready and you joined as editor"),
		see(".user-menu summary", "Nia New"))
	admin.step("the members page lists the newcomer as an editor", m.open(members),
		present(fmt.Sprintf(`#members tr[data-email=%q]`, nia), 1), count(fmt.Sprintf(`#invitations tr[data-email=%q]`, nia), 0))

	// An existing account.
	erik := "erik-" + id + "@example.com"
	m.user(t, erik, "Erik Existing", "erik-password-"+id)
	admin.step("invite an existing account as a viewer", m.open(members),
		typeInto("#invite-email", erik), choose("#invite-role", "viewer"), follow("#invite-submit"),
		see(".flash", "Invitation sent to "+erik+"."))
	_, link = m.mail(t, erik, "invited you to", 1)
	e := newBrowser(t)
	e.step("the link asks to sign in first", navigate(link), see("#invite-has-account", erik), follow("#invite-sign-in"))
	e.step("the sign-in form has the address; sign in", atPath(`^/login\?`), hasValue("#email", erik),
		typeInto("#password", "erik-password-"+id), follow(`form[action="/login"] button[type="submit"]`))
	e.step("back on the invitation", atPath(`^/invite\?token=`), present("#invite-decline", 1))
	e.looks("invitation page, signed in", "#invite-accept")
	e.step("accept", follow("#invite-accept"))
	e.step("in the organisation as a viewer", atPath("^/o/"+regexp.QuoteMeta(m.org)+"$"), see(".flash", "you joined as viewer"))

	// A member by now: the members page says so, and nothing is sent.
	n := m.count(erik)
	admin.step("inviting a member is refused on the members page", m.open(members),
		typeInto("#invite-email", erik), choose("#invite-role", "editor"), follow("#invite-submit"),
		see("#invite-email-error", "is already a member"), see("main", erik+" is already a member of Ledgerline"))
	if m.count(erik) != n {
		t.Fatal("inviting a member sent an e-mail")
	}
	e.step("the used link's page", navigate(link), present("#invite-bad-link", 1))
	e.looks("invitation link that does not work", "#invite-bad-link")
}

// Forgot password from the sign-in page: the e-mail's link sets a new
// password and signs in; a second browser's session from before is gone.
func TestForgotPasswordByEmailEndsOldSessions(t *testing.T) {
	m := startMailServer(t, true)
	id := unique("")
	fay := "fay-" + id + "@example.com"
	m.user(t, fay, "Fay Forgetful", "fay-old-password-"+id)
	other := m.signIn(t, fay, "fay-old-password-"+id)
	other.step("the second browser is signed in", m.open("/account"), atPath(`^/account$`))

	b := newBrowser(t)
	b.step("Forgot password? on the sign-in page", m.open("/login"), follow("#forgot-link"), atPath(`^/forgot`))
	b.looks("forgot password page", "#forgot-form")
	b.step("ask for a link", typeInto("#forgot-email", fay), follow("#forgot-submit"),
		see("#forgot-sent-text", "If "+fay+" has an account here", "one hour"))
	msg, link := m.mail(t, fay, "Reset your Persona Pal password", 1)
	if !strings.HasPrefix(link, m.base+"/reset?token=") || !strings.Contains(msg.Text, "works once, for 1 hour") {
		t.Fatalf("the reset e-mail: %s\n%s", link, msg.Text)
	}
	b.step("the link opens the form, revoking tokens by default", navigate(link),
		see("#reset-for", fay), present("#reset-revoke-tokens:checked", 1))
	b.looks("reset page", "#reset-form")
	b.step("set a new password", resetForm("fay-new-password-"+id))
	b.step("signed in, told what happened", atPath(`^/$`), see(".flash", "Your password was reset"),
		m.open("/account"), see("#security-log", "Password reset with a link"))
	other.step("the second browser's session is gone", m.open("/account"), atPath(`^/login\?`))
	other.step("the old password no longer works",
		typeInto("#email", fay), typeInto("#password", "fay-old-password-"+id),
		follow(`form[action="/login"] button[type="submit"]`), see("#login-error", "wrong email or password"))
	other.step("the new one does",
		typeInto("#password", "fay-new-password-"+id), follow(`form[action="/login"] button[type="submit"]`),
		until("signed in", `() => location.pathname.startsWith("/login") ? "still on the sign-in page" : ""`))
}

// Open sign-up limited to a domain: another domain gets a clear refusal
// naming the field; an address at the domain gets the verification e-mail,
// whose link verifies it, and the account signs in.
func TestOpenSignupVerifiedByEmail(t *testing.T) {
	m := startMailServer(t, true, "--signup", "open", "--signup-domains", "example.com")
	id := unique("")
	b := newBrowser(t)
	b.step("Join from the sign-in page", m.open("/login"), follow("#join-link"), atPath(`^/signup$`),
		see("#signup-policy", "Open to addresses at example.com"))
	b.step("an address at another domain is refused",
		typeInto("#signup-name", "Gus Guest"), typeInto("#signup-email", "gus-"+id+"@elsewhere.org"),
		typeInto("#signup-password", "gus-password-"+id), follow("#signup-submit"),
		see("#signup-email-error", "must be an address at example.com"), see("#signup-error", "No account was made"))
	gus := "gus-" + id + "@example.com"
	b.step("an address at example.com is taken",
		typeInto("#signup-email", gus), typeInto("#signup-password", "gus-password-"+id), follow("#signup-submit"),
		see("#signup-sent-text", gus, "24 hours"))
	if m.count("gus-"+id+"@elsewhere.org") != 0 {
		t.Fatal("the refused address was sent a message")
	}
	b.step("signing in before verifying says why not", m.open("/login"),
		typeInto("#email", gus), typeInto("#password", "gus-password-"+id),
		follow(`form[action="/login"] button[type="submit"]`), see("#login-error", "is not verified yet"))
	_, link := m.mail(t, gus, "Confirm your e-mail address", 1)
	if !strings.HasPrefix(link, m.base+"/signup/verify?token=") {
		t.Fatalf("verification link %s", link)
	}
	b.step("the link's page has a button (opening it verifies nothing)", navigate(link), present("#verify-submit", 1))
	b.looks("verification page", "#verify-submit")
	b.step("verify", follow("#verify-submit"))
	b.step("verified: sign in", atPath(`^/login\?email=`), see(".flash", "is verified"), hasValue("#email", gus),
		typeInto("#password", "gus-password-"+id), follow(`form[action="/login"] button[type="submit"]`),
		atPath(`^/$`), see("#no-orgs", "not a member of any organisation yet"))
	b.step("the link works once", navigate(link), follow("#verify-submit"), see("#verify-error", "does not work"))
}

// Links that do not work — replaced by Resend, tampered, expired, used,
// meant for another account — each show a clear page, and none changes
// an account, a membership, an invitation or a link.
func TestBadEmailLinksShowAClearPageAndChangeNothing(t *testing.T) {
	m := startMailServer(t, true)
	id := unique("")
	admin := m.signIn(t, m.email, m.password)
	members := "/o/" + m.org + "/members"
	hal := "hal-" + id + "@example.com"
	admin.step("invite someone", m.open(members), typeInto("#invite-email", hal), follow("#invite-submit"),
		see(".flash", "Invitation sent to "+hal))
	_, first := m.mail(t, hal, "invited you to", 1)
	admin.step("send it again", click(fmt.Sprintf(`#invitations tr[data-email=%q] button[id^="resend-invitation-"]`, hal)),
		see(".flash", "was sent again with a new link"))
	_, second := m.mail(t, hal, "invited you to", 2)
	if first == second {
		t.Fatal("Resend sent the same link")
	}

	b := newBrowser(t)
	badInvitation := func(what, link string) {
		t.Helper()
		m.unchanged(b, what+" shows a clear page", navigate(link),
			see("#invite-bad-link", "This link does not work"), see("#invite-error", "Nothing was changed"), count("#invite-join-form", 0))
	}
	badInvitation("the link Resend replaced", first)
	tampered := second[:len(second)-1] + map[bool]string{true: "A", false: "B"}[!strings.HasSuffix(second, "A")]
	badInvitation("a tampered link", tampered)
	b.looks("invitation link that does not work", "#invite-bad-link")
	m.unchanged(b, "a tampered link's form, sent anyway, changes nothing", navigate(second),
		js(`() => { document.querySelector('#invite-join-form input[name="token"]').value += "x"; return ""; }`),
		joinForm("Hal Hacker", "hal-password-"+id), see("#invite-error", "This invitation link does not work"))

	ivy := "ivy-" + id + "@example.com"
	admin.step("invite another", m.open(members), typeInto("#invite-email", ivy), follow("#invite-submit"), see(".flash", ivy))
	_, late := m.mail(t, ivy, "invited you to", 1)
	m.expire(t, late)
	badInvitation("an expired link", late)

	b.step("the real link makes the account", navigate(second), joinForm("Hal Helper", "hal-password-"+id),
		see(".flash", "your account is ready"))
	used := newBrowser(t)
	m.unchanged(used, "a used link shows a clear page", navigate(second), see("#invite-error", "does not work"))

	jon := "jon-" + id + "@example.com"
	m.user(t, jon, "Jon Elsewhere", "jon-password-"+id)
	admin.step("invite an existing account", m.open(members), typeInto("#invite-email", jon), follow("#invite-submit"), see(".flash", jon))
	_, jonLink := m.mail(t, jon, "invited you to", 1)
	m.unchanged(b, "Hal, signed in, opens Jon's invitation: a clear page", navigate(jonLink),
		see("#invite-other", "This invitation is for "+jon, "you are signed in as "+hal), count("#invite-accept", 0))

	// Password reset links: expired, and used.
	r := newBrowser(t)
	r.step("ask for a reset link for Jon", m.open("/forgot"), typeInto("#forgot-email", jon), follow("#forgot-submit"), present("#forgot-sent", 1))
	_, reset1 := m.mail(t, jon, "Reset your Persona Pal password", 1)
	m.expire(t, reset1)
	m.unchanged(r, "an expired reset link shows a clear page", navigate(reset1),
		see("#reset-bad-link", "does not work"), see("#reset-error", "Nothing was changed"), count("#reset-form", 0))
	r.looks("reset link that does not work", "#reset-bad-link")
	m.unchanged(b, "a reset link opened in another account's browser: a clear page", navigate(reset1), see("#reset-error", "does not work"))
	r.step("ask again", m.open("/forgot"), typeInto("#forgot-email", jon), follow("#forgot-submit"), present("#forgot-sent", 1))
	_, reset2 := m.mail(t, jon, "Reset your Persona Pal password", 2)
	m.unchanged(b, "Hal's browser opens Jon's reset link: a clear page", navigate(reset2),
		see("#reset-other", "resets the password of "+jon, "signed in as "+hal), count("#reset-form", 0))
	r.step("use it", navigate(reset2), resetForm("jon-new-password-"+id), see(".flash", "Your password was reset"))
	m.unchanged(newBrowser(t), "the used reset link shows a clear page", navigate(reset2), see("#reset-error", "does not work"))
}

// The acceptance walk, from a fresh database (no --demo) and browsers
// alone: the owner reads the setup code serve printed and sets up the
// instance and the organisation; invites a colleague, who receives the
// e-mail from the real SMTP server and sets a password through its link;
// both are signed in at once (two browser contexts); the colleague
// creates a group and a persona, which the owner sees; the colleague then
// forgets the password and resets it through the e-mail's link.
func TestAcceptanceWalk(t *testing.T) {
	m := startMailServer(t, false)
	id := unique("")
	owner := newBrowser(t)
	owner.step("the first visit leads to setup", m.open("/"), atPath(`^/setup$`))
	owner.step("set up with the printed code",
		typeInto("#setup-code", m.code),
		typeInto("#setup-name", "Olivia Owner"),
		typeInto("#setup-email", "olivia-"+id+"@example.com"),
		typeInto("#setup-password", "olivia-password-"+id),
		typeInto("#setup-org", "Walk Studio"),
		follow("#setup-submit"))
	owner.step("signed in, in the new organisation", atPath(`^/o/walk-studio$`), see(".org-name", "Walk Studio"))

	colleague := "colin-" + id + "@example.com"
	owner.step("invite a colleague as an editor", m.open("/o/walk-studio/members"),
		typeInto("#invite-email", colleague), choose("#invite-role", "editor"), follow("#invite-submit"),
		see(".flash", "Invitation sent to "+colleague))
	msg, link := m.mail(t, colleague, "Olivia Owner invited you to Walk Studio", 1)
	if !msg.TLS || !msg.Auth {
		t.Fatal("the invitation did not come over TLS with authentication")
	}
	c := newBrowser(t)
	c.step("the colleague opens the link and sets a password", navigate(link),
		see("#invite-summary", "Olivia Owner invited", colleague), joinForm("Colin Colleague", "colin-password-"+id))
	c.step("the colleague is in, signed in", atPath(`^/o/walk-studio$`), see(".user-menu summary", "Colin Colleague"))
	owner.step("the owner, signed in too, sees the colleague among the members", m.open("/o/walk-studio/members"),
		present(fmt.Sprintf(`#members tr[data-email=%q]`, colleague), 1))

	c.step("the colleague creates the first group", m.open("/o/walk-studio"),
		typeInto("#first-group-name", "Interviews"), follow("#create-first-group-button"),
		see(".flash", "Group “Interviews” created."))
	c.step("and a persona in it", follow("#new-persona"), follow(`a.persona-card.t-ux`),
		typeInto("#name", "Walter Walker"), typeInto("#v-role_title", "Walking interviewer"), choose("#group_id", "Interviews"), follow("#save-persona"),
		see("#persona-name", "Walter Walker"), see(".flash", "Persona created."))
	owner.step("the owner sees the group and the persona", m.open("/o/walk-studio"),
		see("section.group", "Interviews", "Walter Walker"))

	c.step("the colleague signs out", m.open("/account"), follow(`.nav-links form[action="/logout"] button`), atPath(`^/login`))
	c.step("and has forgotten the password", follow("#forgot-link"), typeInto("#forgot-email", colleague), follow("#forgot-submit"),
		present("#forgot-sent", 1))
	_, reset := m.mail(t, colleague, "Reset your Persona Pal password", 1)
	c.step("the reset link sets a new one and signs in", navigate(reset), resetForm("colin-new-password-"+id),
		see(".flash", "Your password was reset"))
	c.step("in the organisation with the persona", m.open("/o/walk-studio"), see("section.group", "Walter Walker"))
	c2 := m.signIn(t, colleague, "colin-new-password-"+id)
	c2.step("the new password signs in", atPath(`^/o/walk-studio$`))
	owner.step("the owner is still signed in", m.open("/o/walk-studio/members"), see("main h1", "Members"))
}

// Changing the e-mail address on the account page: the new address gets
// the link, the old one a notice; the account page shows the pending
// change; the link's page confirms it, and the account signs in with the
// new address.
func TestEmailChangeByEmail(t *testing.T) {
	m := startMailServer(t, true)
	id := unique("")
	old, next := "kai-"+id+"@example.com", "kai-"+id+"@new.example"
	m.user(t, old, "Kai Change", "kai-password-"+id)
	b := m.signIn(t, old, "kai-password-"+id)
	b.step("the account page offers the change", m.open("/account"), see("#account-email", old))
	b.step("a wrong password is refused, naming the field",
		typeInto("#new-email", next), typeInto("#email-current-password", "not my password"), follow("#change-email-button"),
		see("#email-current-password-error", "is not your current password"), hasValue("#new-email", next))
	b.step("ask for the change", typeInto("#email-current-password", "kai-password-"+id), follow("#change-email-button"),
		see(".flash", "A link to confirm "+next), see("#pending-email", next), present("#cancel-email-change", 1),
		see("#account-email", old))
	b.looks("account page with a pending change", "#pending-email")
	notice, _ := m.mail(t, old, "is being changed", 1)
	if !strings.Contains(notice.Text, next) {
		t.Fatalf("the notice to the old address:\n%s", notice.Text)
	}
	_, link := m.mail(t, next, "Confirm your new e-mail address", 1)
	c := newBrowser(t)
	c.step("the link's page, on another device, asks to confirm", navigate(link), see("#email-confirm-text", next))
	c.looks("e-mail confirmation page", "#email-confirm-submit")
	c.step("confirm", follow("#email-confirm-submit"), atPath(`^/login\?email=`), see(".flash", "Your address is now "+next))
	b.step("the account page shows the new address", m.open("/account"), see("#account-email", next), count("#pending-email", 0))
	m.signIn(t, next, "kai-password-"+id)
}
