package e2e_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// newcomer creates an account (as an operator would) and signs in with it
// through the form, landing on the signed-in home page: no organisation.
func newcomer(t *testing.T, id string) *browser {
	t.Helper()
	email := "newcomer-" + id + "@example.com"
	password := "newcomer-password-" + id
	cliUser(t, email, "Nora Newcomer "+id, password)
	b := newBrowser(t)
	b.step("open the app signed out: the sign-in form", open("/"), atPath(`^/login\?`), present("#email", 1))
	b.step("sign in as a user without an organisation",
		typeInto("#email", email),
		typeInto("#password", password),
		follow(`form[action="/login"] button[type="submit"]`))
	b.step("the home page says there is no organisation yet and offers to create one",
		atPath(`^/$`), see("#no-orgs", "not a member of any organisation yet"), present("#new-org-link", 1))
	return b
}

// createOrg creates an organisation through the New organisation page and
// returns its slug.
func (b *browser) createOrg(name string) string {
	b.t.Helper()
	b.step("open New organisation", follow("#new-org-link"), atPath(`^/orgs/new$`), see("main h1", "New organisation"))
	b.step("name it and create it", typeInto("#org-name", name), follow("#create-org"))
	b.step("land in the new organisation as its owner, invited to create the first group",
		atPath(`^/o/[a-z0-9-]+$`), see(".flash", "You are its owner"), see("#first-group", "Create your first group"))
	path := run(b, "read the organisation's address", chromedp.Evaluate[string](`location.pathname`))
	return strings.TrimPrefix(path, "/o/")
}

// looks checks a page at phone and desktop widths, light and dark: it fits
// the window, and a screenshot of each is kept for people to look at.
func (b *browser) looks(name, sel string) {
	b.t.Helper()
	// Switching the colour scheme starts Pico's colour transitions: the
	// screenshots show the end state, not a frame of the fade.
	b.step(name+": no transitions for the screenshots", js(`() => { const s = document.createElement("style");
		s.textContent = "*, *::before, *::after { transition: none !important; }"; document.head.append(s); return ""; }`))
	defer b.step("back to the light scheme", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{})
		return err
	}))
	for _, dark := range []bool{false, true} {
		scheme := "light"
		if dark {
			scheme = "dark"
		}
		for _, width := range []int64{390, 1440} {
			b.step(fmt.Sprintf("%s fits %dpx (%s)", name, width, scheme),
				chromedp.EmulateViewport(width, 900),
				chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
					_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
						Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}})
					return err
				}),
				present(sel, 1), noSidewaysScroll(name))
			b.shot(fmt.Sprintf("%s-%d-%s", strings.ReplaceAll(name, " ", "-"), width, scheme))
		}
	}
	b.step("back to the desktop window", chromedp.EmulateViewport(1440, 900))
}

// 6. From a browser alone, a user without an organisation creates one, its
// first group and a first persona in it — every step through the real
// controls.
func TestCreateOrganisationGroupAndPersonaFromTheBrowser(t *testing.T) {
	id := unique("")
	b := newcomer(t, id)
	b.looks("home without an organisation", "#no-orgs")
	b.step("open New organisation", follow("#new-org-link"), atPath(`^/orgs/new$`))
	b.looks("new organisation page", "#new-org")
	b.step("an address that is not a slug is refused, naming the field",
		typeInto("#org-name", "Studio "+id), typeInto("#org-slug", "Not A Slug"), follow("#create-org"),
		see("#org-slug-error", "lower-case letters"))
	b.step("without an address, one is made from the name",
		typeInto("#org-slug", ""), follow("#create-org"))
	slug := "studio-" + strings.ToLower(id)
	b.step("land in the new organisation as its owner, invited to create the first group",
		atPath("^/o/"+regexp.QuoteMeta(slug)+"$"), see(".flash", "You are its owner"),
		see("#first-group", "Create your first group"), see("main h1", "Personas"))
	b.looks("empty organisation", "#first-group")

	b.step("create the first group from the home page",
		typeInto("#first-group-name", "Field research"),
		typeInto("#first-group-description", "People we met in the field"),
		follow("#create-first-group-button"))
	b.step("the home page shows the group, empty",
		atPath("^/o/"+regexp.QuoteMeta(slug)+"$"), see(".flash", "Group “Field research” created."),
		see("section.group h2", "Field research"), count("#first-group", 0))

	b.step("start a new persona", follow("#new-persona"), see("main h1", "New persona"))
	b.step("choose the UX persona template", follow(`a.persona-card.t-ux`), see("main h1", "New UX persona"))
	b.step("fill it in, in the new group",
		typeInto("#name", "Rosa Researcher"),
		typeInto("#v-role_title", "Field researcher"),
		choose("#group_id", "Field research"),
		follow("#save-persona"))
	b.step("the persona is created in the group",
		see("#persona-name", "Rosa Researcher"), see(".flash", "Persona created."), see(".profile-head", "Field research"))
	b.step("the home page lists it in its group",
		open("/o/"+slug), see("section.group", "Field research", "Rosa Researcher"))

	b.step("the groups page manages it", open("/o/"+slug+"/groups"), see("#groups", "Field research", "1 persona"))
	b.looks("groups page", "#groups")
	b.step("the settings page, as the owner", open("/o/"+slug+"/settings"), present("#delete-org", 1), present("#change-slug", 1))
	b.looks("settings page", "#settings-delete")
	b.step("the menu offers another organisation",
		click(".org-menu summary"), present("#menu-new-org", 1))
}

// 6. Several personas move at once from the home page: tick two, choose
// the group, Move; the groups page's keyboard buttons reorder groups.
func TestMoveTwoPersonasAtOnceFromTheHomePage(t *testing.T) {
	id := unique("")
	b := newcomer(t, id)
	slug := b.createOrg("Movers " + id)
	home := "/o/" + slug
	b.step("create a group from the home page", typeInto("#first-group-name", "Inbox"), follow("#create-first-group-button"))
	b.step("create a second group on the groups page",
		open(home+"/groups"), typeInto("#new-group-name", "Sorted"), follow("#create-group-button"),
		see(".flash", "Group “Sorted” created."), see("#groups", "Inbox", "Sorted"))
	for _, name := range []string{"Ada Alpha", "Ben Beta", "Cy Gamma"} {
		b.step("new persona "+name, open(home+"/personas/new"), follow(`a.persona-card.t-ux`),
			typeInto("#name", name), typeInto("#v-role_title", "Tester"), choose("#group_id", "Inbox"), follow("#save-persona"),
			see("#persona-name", name))
	}
	b.step("the home page offers to move ticked personas", open(home), present("#move-form", 1), present("input.pick", 3))
	b.looks("home page with the move bar", "#move-form")
	ids := run(b, "read the personas' box ids", chromedp.Evaluate[[]string](`["Ada Alpha", "Cy Gamma"].map(n =>
		document.querySelector('a.persona-card[data-persona="' + n + '"]').closest(".pickable").querySelector("input.pick").id)`))
	b.step("tick Ada Alpha with the mouse", click("#"+ids[0]), count("input.pick:checked", 1))
	b.step("tick Cy Gamma with the keyboard",
		js(`(id) => { const el = document.getElementById(id); el.focus(); return document.activeElement === el ? "" : "cannot focus " + id; }`, ids[1]),
		chromedp.KeyEvent(" "), count("input.pick:checked", 2))
	b.step("choose the group and move them", choose("#move-to", "Sorted"), follow("#move-submit"))
	b.step("both moved, the third stayed",
		atPath("^"+regexp.QuoteMeta(home)+"$"), see(".flash", "Moved 2 personas to “Sorted”."),
		js(`() => {
			const groups = Object.fromEntries([...document.querySelectorAll("section.group")].map(s => [s.querySelector("h2 a").innerText.trim(), s.innerText]));
			if (!/Ada Alpha/.test(groups["Sorted"] || "") || !/Cy Gamma/.test(groups["Sorted"] || "")) return "Sorted holds: " + groups["Sorted"];
			if (!/Ben Beta/.test(groups["Inbox"] || "") || /Ada Alpha|Cy Gamma/.test(groups["Inbox"] || "")) return "Inbox holds: " + groups["Inbox"];
			return ""; }`))
	b.step("the move is in each persona's history",
		follow(`a.persona-card[data-persona="Ada Alpha"]`), follow(`a[href$="/history"]`), see("main", "Moved from Inbox to Sorted"))

	b.step("move Sorted up with the keyboard on the groups page",
		open(home+"/groups"),
		js(`() => { const up = [...document.querySelectorAll("button[id^=up-]")].find(b => b.closest("li").dataset.group === "Sorted");
			if (!up) return "no Up button for Sorted"; up.focus(); return document.activeElement === up ? "" : "cannot focus it"; }`),
		waitLoad(chromedp.KeyEvent("\r")))
	b.step("Sorted is first, and its Down button has the focus",
		see(".flash", "“Sorted” is now 1st of 2."),
		js(`() => { const first = document.querySelector("#groups > li"); if (first.dataset.group !== "Sorted") return "first is " + first.dataset.group;
			const a = document.activeElement; return a && a.id.startsWith("down-") && a.closest("li") === first ? "" : "the focus is on " + (a ? a.outerHTML.slice(0, 120) : "nothing"); }`))
	b.step("the home page follows the new order",
		open(home), js(`() => { const h = [...document.querySelectorAll("section.group h2 a")].map(a => a.innerText.trim()); return h.join() === "Sorted,Inbox" ? "" : "order " + h.join(); }`))
}
