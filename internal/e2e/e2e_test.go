package e2e_test

// User stories on the demo organisation, in a real browser. Each test signs
// in on its own (own cookies) and creates its own data under unique names;
// the one that edits a demo persona (Compliance Analyst) reads the values
// before it changes them, and no other test looks at them. So the tests do
// not depend on each other or on their order, and -count=N works.

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// orgPath is a path inside the demo organisation.
func orgPath(rest string) string { return "/o/" + env.org + rest }

// signIn opens a page that needs a session, signs in through the form and
// lands back on that page.
func signIn(t *testing.T, path string) *browser {
	t.Helper()
	b := newBrowser(t)
	b.step("open "+path+" signed out: the sign-in form", open(path), atPath(`^/login\?`), present("#email", 1))
	b.step("sign in as the demo user",
		typeInto("#email", env.email),
		typeInto("#password", env.password),
		follow(`form[action="/login"] button[type="submit"]`))
	b.step("land on "+path, atPath("^"+regexp.QuoteMeta(path)+"$"))
	return b
}

// card is the selector of a persona's card on the home page.
func card(name string) string { return fmt.Sprintf(`a.persona-card[data-persona=%q]`, name) }

// clickText clicks the element matching sel whose text is text (a user
// clicks what they read), and waits for the page it leads to when nav is
// set.
func clickText(sel, text string, nav bool) action {
	mark := unique("e2e")
	a := chromedp.Steps(
		until(fmt.Sprintf("%s reading %q", sel, text), `(sel, text, mark) => {
			const all = [...document.querySelectorAll(sel)];
			const el = all.find(e => e.innerText.trim() === text);
			if (!el) return "nothing matching " + sel + " reads " + JSON.stringify(text) + "; there are " + JSON.stringify(all.map(e => e.innerText.trim()).slice(0, 30));
			el.setAttribute("data-e2e", mark);
			return "";
		}`, sel, text, mark),
		click(fmt.Sprintf(`[data-e2e=%q]`, mark)))
	if nav {
		return waitLoad(a)
	}
	return a
}

// count waits until sel matches exactly n elements.
func count(sel string, n int) action {
	return until(fmt.Sprintf("exactly %d of %s", n, sel), `(sel, n) => {
		const got = document.querySelectorAll(sel).length;
		return got === n ? "" : got + " element(s) match " + sel;
	}`, sel, n)
}

// 1. Sign in through the login form and land on the organisation's home.
func TestSignInShowsPersonaCards(t *testing.T) {
	b := newBrowser(t)
	b.step("open the app signed out: it asks to sign in",
		open("/"), atPath(`^/login\?`), see("main h1", "Sign in"), present("#email", 1), present("#password", 1))
	b.step("a wrong password is refused with a message",
		typeInto("#email", env.email),
		typeInto("#password", "not-the-password"),
		follow(`form[action="/login"] button[type="submit"]`),
		atPath(`^/login`), present("#login-error", 1))
	b.step("sign in with the demo password",
		typeInto("#email", env.email),
		typeInto("#password", env.password),
		follow(`form[action="/login"] button[type="submit"]`))
	b.step("land on the organisation's personas, in groups, as cards",
		atPath("^"+regexp.QuoteMeta(orgPath(""))+"$"),
		see("main h1", "Personas"),
		see("main", "Product users", "Go-to-market"),
		present("a.persona-card", 10),
		see(card("System Lead"), "System Lead", "UX persona"),
		present(card("Head of Operations (buyer)"), 1))
}

// 2. Open a persona from its card.
func TestOpenPersonaFromCard(t *testing.T) {
	b := signIn(t, orgPath(""))
	b.step("open System Lead from its card", follow(card("System Lead")))
	b.step("see System Lead's profile",
		atPath(`^`+regexp.QuoteMeta(orgPath("/personas/"))+`[^/?]+$`),
		seeExactly("#persona-name", "System Lead"),
		see("main", "UX persona", "Goals"),
		present("#key-dimensions .pp-dim", 3),
		present("#edit-persona", 1))
	title := run(b, "read the tab title", chromedp.Title())
	if !strings.Contains(title, "System Lead") {
		b.fail("read the tab title", fmt.Sprintf("the title %q does not name the persona", title))
	}
}

// 3. Edit fields, save, and find the change in the history.
func TestEditPersonaThenHistory(t *testing.T) {
	b := signIn(t, orgPath(""))
	b.step("open Compliance Analyst", follow(card("Compliance Analyst")), seeExactly("#persona-name", "Compliance Analyst"))
	personaURL := run(b, "read the persona's address", chromedp.Location())
	b.step("open the edit form", follow("#edit-persona"), atPath(`/edit$`), present("#persona-form", 1))

	oldQuote := run(b, "read the quote", chromedp.Value(chromedp.CSS(`#persona-form [name="v.quote"]`)))
	oldGoals := run(b, "read the goals", chromedp.Value(chromedp.CSS(`#persona-form [name="v.goals"]`)))
	if oldQuote == "" || oldGoals == "" {
		b.fail("read the form", fmt.Sprintf("the form does not show the saved values: quote %q, goals %q", oldQuote, oldGoals))
	}
	word := unique("quote")
	newQuote := "Show me who approved what, and when " + word
	newGoal := "Answer a regulator's question the same day " + word
	message := "After the June interviews " + word
	b.step("change the quote, add a goal, say why",
		typeInto(`#persona-form [name="v.quote"]`, newQuote),
		typeInto(`#persona-form [name="v.goals"]`, strings.TrimRight(oldGoals, "\n")+"\n"+newGoal),
		typeInto("#message", message))
	b.step("save", follow("#save-persona"))
	b.step("back on the persona page with the new values",
		atPath(`^`+regexp.QuoteMeta(strings.TrimPrefix(personaURL, env.base))+`$`),
		seeExactly("#persona-name", "Compliance Analyst"),
		see(`[data-field="quote"]`, newQuote),
		see(`[data-field="goals"]`, newGoal))

	b.step("open the history", follow(`a[href$="/history"]`), atPath(`/history$`))
	b.step("the new revision is the current one, with the message",
		see("#revisions li.current", message),
		see("#revisions", "Revision 1"))
	b.step("the differences show the old and the new quote and the added goal, and nothing else",
		see("#diff", "In their words", oldQuote, newQuote, "Goals", newGoal),
		count("#diff table.changes tbody tr", 2))
}

// 4. Build a template (one section, one field, one dimension), publish it
// and create a persona from it. A new template starts with one section.
func TestTemplateBuilderToPersona(t *testing.T) {
	b := signIn(t, orgPath(""))
	word := unique("tpl")
	tplName := "Field agent " + word
	b.step("open Templates from the top bar", follow(`a[href="`+orgPath("/templates")+`"]`), present("#new-template-form", 1))
	b.step("create an AI agent template",
		typeInto("#nt-name", tplName),
		choose("#nt-type", "AI agent"),
		typeInto("#nt-description", "Agents that work in the field, for the end-to-end test."),
		follow("#create-template"))
	b.step("the builder opens on the new template",
		atPath(`^`+regexp.QuoteMeta(orgPath("/templates/"))+`[^/?]+`),
		seeExactly("#template-title", tplName),
		see("#template-state", "Not published"))

	b.step("name its first section (its row opens for editing)",
		present("#s0-label", 1), count(".b-section", 1),
		click("#s0-edit > summary"),
		typeInto("#s0-label", "Field work"))
	b.step("add a required short-text field to it",
		click("#s0-add-field"), present("#s0-f0-label", 1),
		typeInto("#s0-f0-label", "Escalation contact"),
		typeInto("#s0-f0-key", "escalation_contact"),
		choose("#s0-f0-kind", "Short text"),
		js(`() => { const c = document.getElementById("s0-f0-required"); if (!c.checked) c.click(); return c.checked ? "" : "not ticked"; }`))
	b.step("add a scale dimension",
		click("#add-dimension"), present("#d0-label", 1),
		typeInto("#d0-label", "Field autonomy"),
		typeInto("#d0-key", "field_autonomy"),
		choose("#d0-kind", "Scale"),
		typeInto("#d0-min", "1"), typeInto("#d0-max", "5"),
		typeInto("#d0-low_label", "Asks first"), typeInto("#d0-high_label", "Acts alone"))
	b.step("the draft keeps what was typed",
		hasValue("#s0-label", "Field work"), hasValue("#s0-f0-label", "Escalation contact"), hasValue("#d0-label", "Field autonomy"))

	b.expectConfirm("publish it as version 1")
	b.step("save and publish version 1, confirming", follow("#publish"))
	b.step("the template is published",
		seeExactly("#template-title", tplName),
		see("#template-state", "Version 1"),
		see("main", "Published version 1"))

	b.step("start a new persona from the home page", open(orgPath("")), follow(`a[href="`+orgPath("/personas/new")+`"]`))
	b.step("choose the new template", clickText("a.persona-card .card-title", tplName, true))
	personaName := "Courier Copilot " + word
	b.step("the form has the template's field and dimension; fill it in",
		present("#persona-form", 1),
		see("#persona-form", "Field work", "Escalation contact", "Field autonomy"),
		typeInto("#name", personaName),
		typeInto("#summary", "Plans a courier's day and hands over to a human when a parcel goes astray."),
		choose("#group_id", "AI agents"),
		typeInto(`#persona-form [name="v.escalation_contact"]`, "Duty manager on call"),
		pickScale("d.field_autonomy", "4"),
		typeInto("#message", "First draft "+word))
	b.step("create it", follow("#save-persona"))
	b.step("see the new persona's page with its values",
		atPath(`^`+regexp.QuoteMeta(orgPath("/personas/"))+`[^/?]+$`),
		seeExactly("#persona-name", personaName),
		see("main", "AI agent", tplName),
		see(`[data-field="escalation_contact"]`, "Escalation contact", "Duty manager on call"),
		see("#key-dimensions", "Field autonomy", "4"))
}

// hasValue waits until the input sel holds want.
func hasValue(sel, want string) action {
	return until(fmt.Sprintf("%s holds %q", sel, want), `(sel, want) => {
		const el = document.querySelector(sel);
		if (!el) return "no element matches " + sel;
		return el.value === want ? "" : "it holds " + JSON.stringify(el.value);
	}`, sel, want)
}

// 5. Search from the top bar and open a result.
func TestSearchFromTopBar(t *testing.T) {
	b := signIn(t, orgPath(""))
	b.step("search for “mainframe” from the top bar", waitLoad(typeInto("#q", "mainframe\n")))
	b.step("see the results with the word marked",
		atPath(`/search\?q=mainframe`),
		present("#search-results .search-hit", 1),
		until("a marked snippet with the word", `() => {
			const marks = [...document.querySelectorAll("#search-results .snippet mark")].map(m => m.innerText);
			return marks.some(m => m.toLowerCase().includes("mainframe")) ? "" : "marks: " + JSON.stringify(marks);
		}`))
	first := run(b, "read the first result", chromedp.Text(chromedp.CSS("#search-results .search-hit-title a")))
	if !strings.Contains(strings.ToLower(first+" "+run(b, "read the first snippet",
		chromedp.Text(chromedp.CSS("#search-results .search-hit .snippet")))), "mainframe") {
		b.fail("read the first result", "the first result neither names nor quotes the word")
	}
	b.step("open the first result", follow("#search-results .search-hit-title a"), seeExactly("#persona-name", strings.TrimSpace(first)))
}

// 6. Compare three personas of different types, picked in the picker.
func TestComparePicker(t *testing.T) {
	b := signIn(t, orgPath(""))
	names := []string{"System Lead", "Head of Operations (buyer)", "Reconciliation Assistant"}
	b.step("open Compare from the top bar", follow(`a[href="`+orgPath("/compare")+`"]`), present("#compare-picker", 1))
	for i, n := range names {
		b.step("tick "+n,
			clickText("#compare-picker label.pick .pick-name", n, false),
			see("#pick-count", fmt.Sprintf("%d selected", i+1)))
	}
	b.step("compare them", follow("#compare-submit"))
	b.step("see the three side by side",
		atPath(`/compare\?`),
		see("#compare-heading", "Comparing 3 personas"),
		see("#compare-table thead", names...))
	b.step("see them on the shared dimensions chart",
		present("#dimension-chart .dot-row", 1),
		present("#dimension-chart svg.dot", 1),
		see("#chart-legend", names...),
		see("#dimension-table", "Technical comfort"))
}

// 7. Markup in user content is shown as text everywhere, and never runs.
func TestUserContentIsNeverMarkup(t *testing.T) {
	const (
		scriptTag = `<script>alert(1)</script>`
		imgTag    = `"><img src=x onerror=alert(1)>`
	)
	if env.skip != "" || env.setupErr != nil {
		newBrowser(t) // skips or fails with the reason
	}
	word := unique("xssprobe")
	name := "Probe " + word + " " + scriptTag + " " + imgTag
	summary := "Summary " + scriptTag + " and " + imgTag
	tmpl := findTemplate(t, "ux")
	group := findGroup(t, "Product users")
	var created struct {
		ID string `json:"id"`
	}
	apiDo(t, "POST", "/api/v1/orgs/"+env.org+"/personas", map[string]any{
		"name": name, "summary": summary, "template_id": tmpl, "group_id": group,
		"values": map[string]any{
			"role_title": "Role " + scriptTag,
			"quote":      "Quote " + imgTag,
			"goals":      []string{"Goal " + scriptTag, "Goal " + imgTag},
		},
		"dimensions": map[string]any{"technical_comfort": 3, "autonomy": 2},
		"message":    "Created by the end-to-end test " + scriptTag + " " + imgTag,
	}, &created)

	noInjection := js(`() => {
		const bad = [];
		if (document.querySelector('img[src="x"], [onerror]')) bad.push("an element from the payload is in the page: " + document.querySelector('img[src="x"], [onerror]').outerHTML);
		for (const s of document.scripts) if (s.textContent.includes("alert(1)")) bad.push("a script from the payload is in the page");
		return bad.join("; ");
	}`)
	literal := func(sel string) action { return see(sel, scriptTag, imgTag) }

	b := signIn(t, orgPath(""))
	b.step("the home page shows the card's name and summary as text",
		see(card(name), "Probe "+word, scriptTag, imgTag),
		see(card(name)+" .card-summary", summary),
		noInjection)

	b.step("open the persona from its card", follow(card(name)))
	b.step("its page shows the name, summary and fields as text",
		seeExactly("#persona-name", name),
		see("#persona-summary", summary),
		see(`[data-field="role_title"]`, "Role "+scriptTag),
		see(`[data-field="quote"]`, "Quote "+imgTag),
		see(`[data-field="goals"]`, "Goal "+scriptTag, "Goal "+imgTag),
		noInjection,
		js(`(want) => document.title.includes(want) ? "" : "the title is " + JSON.stringify(document.title)`, scriptTag))

	b.step("its history shows the revision message as text",
		follow(`a[href$="/history"]`), literal("#revisions"), literal("main h1"), noInjection)

	b.step("search for it from the top bar", waitLoad(typeInto("#q", word+"\n")))
	b.step("the result shows the name as text, with the word marked",
		present("#search-results .search-hit", 1),
		literal("#search-results"),
		see("#search-results mark", word),
		noInjection)

	b.step("compare it with System Lead", open(orgPath("/compare?ids="+created.ID+","+personaID(t, "System Lead"))))
	b.step("the comparison shows its name and fields as text",
		see("#compare-table thead", "System Lead"),
		literal("#compare-table thead"),
		literal("#compare-table tbody"),
		noInjection)
}

// ---- test data through the JSON API ----

// findTemplate returns the id of the organisation's starter template of a
// profile type.
func findTemplate(t *testing.T, profileType string) string {
	t.Helper()
	var list struct {
		Items []struct {
			ID          string `json:"id"`
			ProfileType string `json:"profile_type"`
			Latest      int    `json:"latest_version"`
		} `json:"items"`
	}
	apiDo(t, "GET", "/api/v1/orgs/"+env.org+"/templates", nil, &list)
	for _, it := range list.Items {
		if it.ProfileType == profileType && it.Latest > 0 {
			return it.ID
		}
	}
	t.Fatalf("no published %s template in the demo organisation", profileType)
	return ""
}

func findGroup(t *testing.T, name string) string {
	t.Helper()
	var list struct {
		Items []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"items"`
	}
	apiDo(t, "GET", "/api/v1/orgs/"+env.org+"/groups", nil, &list)
	for _, it := range list.Items {
		if it.Name == name {
			return it.ID
		}
	}
	t.Fatalf("no group %q in the demo organisation", name)
	return ""
}

// personaID finds a persona by name (the list is short in the demo).
func personaID(t *testing.T, name string) string {
	t.Helper()
	var list struct {
		Items []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"items"`
	}
	apiDo(t, "GET", "/api/v1/orgs/"+env.org+"/personas?limit=100", nil, &list)
	for _, it := range list.Items {
		if it.Name == name {
			return it.ID
		}
	}
	t.Fatalf("no persona %q in the demo organisation", name)
	return ""
}
