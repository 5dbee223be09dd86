package e2e_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// retype replaces the value of an input with text by keyboard, as a user
// does: click into it, select what is there, type over it. No value is set
// by script, so only the keystrokes' own events reach the page.
func retype(sel, text string) action {
	return chromedp.Steps(
		click(sel),
		js(`(sel) => { const el = document.querySelector(sel); el.select();
			return document.activeElement === el ? "" : sel + " did not take the focus"; }`, sel),
		chromedp.SendKeys(chromedp.CSS(sel), text, chromedp.NodeVisible),
		until(sel+" reads "+text, `(sel, want) => { const v = document.querySelector(sel).value;
			return v === want ? "" : "its value is " + JSON.stringify(v); }`, sel, text),
	)
}

// Issue 14 item 13: what the user did. Open a demo persona, "Add variant",
// choose Big Bank, type a new Team size (the "Override" box left alone),
// save: the variant has that one override, with the new value.
func TestVariantKeepsTheTeamSizeTheUserTyped(t *testing.T) {
	b := signIn(t, orgPath(""))
	b.step("open Product Designer", follow(card("Product Designer")), seeExactly("#persona-name", "Product Designer"))
	b.step("open the new-variant form", follow("#add-variant"), present("#variant-form", 1))
	b.step("choose Big Bank", choose("#customer_id", "Big Bank"))
	was := run(b, "read the Team size", chromedp.Value(chromedp.CSS("#v-team_size")))
	n, err := strconv.Atoi(was)
	if err != nil {
		b.fail("read the Team size", "the Team size reads "+strconv.Quote(was))
	}
	typed := strconv.Itoa(n + 17)
	b.step("the Team size's Override box is not ticked",
		js(`() => document.querySelector('[name="o.values.team_size"]').checked ? "it is ticked already" : ""`))
	b.step("type a new Team size", retype("#v-team_size", typed))
	b.step("changing the value ticked its Override box",
		js(`() => { const box = document.querySelector('[name="o.values.team_size"]');
			return box.checked && box.closest(".override-box").classList.contains("overridden") ? "" : "the box is not ticked"; }`))
	b.step("save the variant", follow("#save-variant"))
	b.step("the variant has one override: the Team size typed",
		atPath(`/variants/[^/]+$`),
		see("#variant-title", "Product Designer", "Big Bank"),
		see(".profile-head .card-meta", "1 override ·"),
		see(`[data-path="values.team_size"] dd.overridden`, typed),
		present(".override-tag", 1))

	// The server does not rely on the script: typed, then the box
	// unticked by hand, the value is still kept, and the page says why.
	again := strconv.Itoa(n + 18)
	b.step("add another Big Bank variant", open(orgPath("")), follow(card("Product Designer")), follow("#add-variant"),
		present("#variant-form", 1), choose("#customer_id", "Big Bank"))
	b.step("type a new Team size and untick its box", retype("#v-team_size", again), click(`[name="o.values.team_size"]`),
		js(`() => document.querySelector('[name="o.values.team_size"]').checked ? "the box is still ticked" : ""`))
	b.step("save it", follow("#save-variant"))
	b.step("the typed Team size is an override all the same",
		atPath(`/variants/[^/]+$`),
		see(".flash", "Overridden because you changed them: Team size."),
		see(".profile-head .card-meta", "1 override ·"),
		see(`[data-path="values.team_size"] dd.overridden`, again))
}

// Issue 14 item 14: attach an evidence item to a persona's field with the
// item page's own controls: choose the persona in the select, wait for its
// field list (htmx), choose a field, click Attach; the persona's evidence
// page then lists the item on that field.
func TestAttachEvidenceWithTheItemPagesControls(t *testing.T) {
	word := unique("attach")
	var item struct {
		ID string `json:"id"`
	}
	apiDo(t, "POST", "/api/v1/orgs/"+env.org+"/evidence", map[string]any{"kind": "quote", "title": "Quote " + word,
		"quote": "I check the design system before every release " + word}, &item)

	b := signIn(t, orgPath("/evidence/"+item.ID))
	b.step("the field list waits for a persona", present("#link-target[disabled]", 1))
	b.step("choose Product Designer in the persona select", choose("#link-persona", "Product Designer (UX persona)"))
	b.step("the field list of Product Designer loads",
		until("an enabled field list with Goals", `() => {
			const el = document.querySelector("#link-target");
			if (!el || el.disabled) return "the field list is still disabled";
			return [...el.options].some(o => o.value === "values.goals") ? "" : "no Goals among " + el.options.length + " options";
		}`))
	b.step("choose the Goals field", setValue("#link-target", "values.goals"))
	b.step("click Attach", follow("#link-submit"))
	b.step("the item is attached to Product Designer › Goals",
		see("#evidence-links", "Product Designer", "Goals"))
	b.step("open the persona's evidence from the link", follow(`#evidence-links a[href*="/personas/"]`))
	b.step("the persona's evidence lists the quote on Goals",
		atPath(`/personas/[^/]+/evidence`),
		see("#f-goals", "Quote "+word))
	if loc := run(b, "read the address", chromedp.Location()); !strings.Contains(loc, "#f-goals") {
		b.fail("read the address", "the link leads to "+loc+", not to the Goals field")
	}
}
