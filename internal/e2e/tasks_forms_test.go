package e2e_test

import (
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"
)

// Issue 16 point 12, task 1: create a UX persona from the home page with
// the keyboard alone, in at most 6 actions (today 8, with a failed save).
func TestTaskCreateUXPersona(t *testing.T) {
	b := signIn(t, orgPath(""))
	name := unique("Uma Researcher")
	tk := newTask(b, "create a UX persona", 6)
	tk.pressAndLoad("New persona", "#new-persona")
	tk.pressAndLoad("the UX persona template", `a[data-template="UX persona"]`)
	tk.free("type the name, the summary, the role and a goal",
		present("#persona-form", 1),
		typeInto("#name", name),
		typeInto("#summary", "Runs the interviews for the reconciliation redesign."),
		typeInto("#v-role_title", "User researcher"),
		typeInto("#v-goals", "Hear ten analysts a month"))
	tk.pick("choose the group", "#group_id", "Product users")
	tk.press("technical comfort 4", "#d-technical_comfort-4")
	tk.pressAndLoad("Create persona", "#save-persona")
	tk.free("the persona exists with what was typed",
		atPath(`/personas/[^/]+$`),
		seeExactly("#persona-name", name),
		see("main", "User researcher", "Hear ten analysts a month", "Runs the interviews"),
		see("#key-dimensions", "Technical comfort", "4"))
}

// Issue 16 point 12, task 2: from a persona's page, add a Big Bank
// override of one field with a "what changes" note, with the keyboard
// alone, in at most 5 actions (today 7–10, and the value was dropped).
func TestTaskAddBigBankOverride(t *testing.T) {
	b := signIn(t, orgPath(""))
	b.step("open Product Designer's page", follow(card("Product Designer")), seeExactly("#persona-name", "Product Designer"))
	tk := newTask(b, "add a Big Bank override", 5)
	tk.pressAndLoad("Add variant", "#add-variant")
	tk.pick("Big Bank", "#customer_id", "Big Bank")
	tk.pick("override Team size", "#add-field", "Team size")
	tk.free("the Team size row comes in place", present("#v-team_size", 1))
	was := run(b, "read the base Team size", chromedp.Evaluate[string](`(() => { const el = document.getElementById("v-team_size"); return el ? el.value : ""; })()`))
	n, err := strconv.Atoi(was)
	if err != nil {
		b.fail("read the base Team size", "the Team size reads "+strconv.Quote(was))
	}
	typed := strconv.Itoa(n + 40)
	tk.free("type the Big Bank Team size and what changes",
		retype("#v-team_size", typed),
		typeInto(`[name="n.values.team_size"]`, "Big Bank runs a shared design service"))
	tk.pressAndLoad("Create variant", "#save-variant")
	tk.free("the variant shows the override with its note",
		atPath(`/variants/[^/]+$`),
		see("#variant-title", "Product Designer", "Big Bank"),
		see(".profile-head .card-meta", "1 override ·"),
		see(`[data-path="values.team_size"] dd.overridden`, typed),
		see(`[data-path="values.team_size"]`, "Big Bank runs a shared design service"))
}
