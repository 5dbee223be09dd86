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

// Issue 14 item 13 and issue 16: what the user did. Open a demo persona,
// "Add variant", choose Big Bank, override Team size and type a new value,
// save: the variant has that one override, with the new value; no box to
// tick. Edited again, the override comes back on its own row; "Remove"
// takes it out and the variant follows the base.
func TestVariantKeepsTheTeamSizeTheUserTyped(t *testing.T) {
	b := signIn(t, orgPath(""))
	b.step("open Product Designer", follow(card("Product Designer")), seeExactly("#persona-name", "Product Designer"))
	b.step("open the new-variant form", follow("#add-variant"), present("#variant-form", 1))
	b.step("choose Big Bank and override Team size", choose("#customer_id", "Big Bank"), overrideField("Team size", "values.team_size"))
	was := run(b, "read the Team size", chromedp.Value(chromedp.CSS("#v-team_size")))
	n, err := strconv.Atoi(was)
	if err != nil {
		b.fail("read the Team size", "the Team size reads "+strconv.Quote(was))
	}
	typed := strconv.Itoa(n + 17)
	b.step("type a new Team size", retype("#v-team_size", typed))
	b.step("save the variant", follow("#save-variant"))
	b.step("the variant has one override: the Team size typed",
		atPath(`/variants/[^/]+$`),
		see("#variant-title", "Product Designer", "Big Bank"),
		see(".profile-head .card-meta", "1 override ·"),
		see(`[data-path="values.team_size"] dd.overridden`, typed),
		present(".override-tag", 1))

	b.step("edit it: only the Team size row, with the value typed",
		follow("#edit-variant"), present("#variant-form", 1),
		js(`() => document.querySelectorAll(".override-row").length === 1 ? "" : document.querySelectorAll(".override-row").length + " rows"`),
		js(`(want) => document.getElementById("v-team_size").value === want ? "" : "the Team size reads " + document.getElementById("v-team_size").value`, typed))
	b.step("remove the override and save", click(`[id="row-values.team_size"] button[name="remove_override"]`),
		present("#no-overrides", 1), follow("#save-variant"))
	b.step("the variant follows the base again", atPath(`/variants/[^/]+$`), see(".profile-head .card-meta", "0 overrides"),
		see(`[data-path="values.team_size"]`, was))
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
