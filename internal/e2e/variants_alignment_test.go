package e2e_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// setRange moves a range input to value as a user dragging it would (the
// Issue 4: a Big Bank variant of a persona through the form, its effective
// view, the flag after a base edit, a note that cannot inject markup, and
// the base side by side with two variants.
func TestCustomerVariantFromFormToFlag(t *testing.T) {
	b := signIn(t, orgPath(""))
	b.step("open Branch Manager", follow(card("Branch Manager")), seeExactly("#persona-name", "Branch Manager"))
	b.step("open the new-variant form", follow("#add-variant"), present("#variant-form", 1))
	word := unique("variant")
	b.step("override decision authority and risk tolerance for Big Bank",
		choose("#customer_id", "Big Bank"),
		typeInto("#note", "Branches at big banks follow head-office rules "+word),
		overrideField("Decision authority", "values.decision_authority"),
		choose("#v-decision_authority", "Executes only"),
		overrideField("Risk tolerance", "dimensions.risk_tolerance"),
		pickScale("d.risk_tolerance", "1"))
	b.step("save the variant", follow("#save-variant"))
	b.step("the variant shows the effective profile with the overrides marked and the base beside them",
		atPath(`/variants/[^/]+$`),
		see("#variant-title", "Branch Manager", "Big Bank"),
		see("#variant-note", word),
		see(`[data-path="values.decision_authority"]`, "Executes only", "Base:"),
		present(`[data-path="values.decision_authority"] dd.overridden`, 1),
		present(`[data-path="dimensions.risk_tolerance"] dd.overridden`, 1))
	variantURL := run(b, "read the variant's address", chromedp.Location())

	b.step("a note with HTML in its Markdown renders harmlessly",
		typeInto("#note-body", "Seen at **two** branches <script>alert(1)</script> <img src=x onerror=alert(1)>"),
		follow("#add-note"),
		see(".note-body strong", "two"),
		js(`() => document.querySelector('.note-body img, .note-body script, [onerror]') ? "the note injected markup" : ""`))

	b.step("edit the base persona's decision authority",
		open(orgPath("")), follow(card("Branch Manager")), follow("#edit-persona"), present("#persona-form", 1),
		// Any other value than the current one (so that reruns change it too).
		js(`() => { const el = document.querySelector('#persona-form [name="v.decision_authority"]');
			const opts = [...el.options].filter(o => o.value && o.value !== el.value && o.value !== "Executes only");
			el.value = opts[0].value; el.dispatchEvent(new Event("change", {bubbles: true})); return ""; }`),
		follow("#save-persona"), present(`[data-field="decision_authority"]`, 1))
	b.step("the variant flags the override whose base changed",
		open(strings.TrimPrefix(variantURL, env.base)), present("#base-changed", 1),
		present(`[data-stale="values.decision_authority"]`, 1))
	b.step("keep the override: the flag goes",
		follow(`[data-stale="values.decision_authority"] button[value="confirm"]`),
		until("no stale override", `() => document.querySelector("[data-stale]") ? "still flagged" : ""`),
		see(`[data-path="values.decision_authority"]`, "Executes only"))

	b.step("System Lead's base and its two variants side by side",
		open(orgPath("")), follow(card("System Lead")), follow(`a[href$="/variants/compare"]`),
		see("#variant-compare thead", "Base", "Big Bank", "FinTech"),
		present("#variant-compare td.overridden", 4),
		see(`#variant-compare tr[data-path="values.decision_authority"]`, "Recommends", "Decides alone"))
}

// Issue 5: the demo's alignment view shows a contradicted claim and a
// divergence, and for Big Bank the users' variant values.
func TestAlignmentViewAndCustomerType(t *testing.T) {
	b := signIn(t, orgPath(""))
	b.step("open the buyer and its alignment",
		follow(card("Head of Operations (buyer)")), follow("#open-alignment"), present("#tally", 1))
	lead := `section[data-user="System Lead"]`
	b.step("a contradicted claim and a divergence for the System Lead",
		see(lead+` li.v-contradicted`, "Every override explained, every approval recorded", "contradicted"),
		present(lead+` tr[data-dimension="technical_comfort"].diverges`, 1),
		see(lead+` tr[data-dimension="technical_comfort"]`, "2", "5"))
	b.step("switch to the Big Bank customer type",
		choose("#customer", "Big Bank"), follow("#switch-customer"), atPath(`/alignment\?customer=`))
	b.step("the System Lead is seen through its Big Bank variant",
		see("#alignment-title", "Big Bank"),
		see(lead+" h2", "Big Bank variant"),
		present(lead+` tr[data-dimension="decision_authority"].diverges`, 1),
		see(lead+` tr[data-dimension="decision_authority"]`, "5", "2"))
}
