package e2e_test

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// On a phone, an editor sets the Onboarding Guide's "Supervising persona"
// in the edit form (a select offering UX personas only) to Branch Manager
// and saves; the agent's page links Branch Manager, whose page lists the
// agent under "Referenced by", and the relation map names the reference.
func TestSetPersonaReferenceOnAPhone(t *testing.T) {
	b := signIn(t, orgPath(""))
	b.step("a phone", chromedp.EmulateViewport(390, 844))
	b.step("open the Onboarding Guide", follow(card("Onboarding Guide")), seeExactly("#persona-name", "Onboarding Guide"))
	b.step("open the edit form", follow("#edit-persona"), atPath(`/edit$`), present("#v-supervising_persona", 1))
	b.step("the select offers UX personas, not agents or archetypes",
		js(`() => { const labels = [...document.querySelectorAll("#v-supervising_persona option")].map(o => o.textContent.trim());
			if (!labels.includes("Branch Manager")) return "no Branch Manager among " + JSON.stringify(labels);
			if (labels.includes("Big Bank") || labels.includes("Onboarding Guide")) return "offers a persona of another type: " + JSON.stringify(labels);
			return ""; }`))
	b.step("choose Branch Manager", choose("#v-supervising_persona", "Branch Manager"))
	b.step("save", follow("#save-persona"))
	b.step("the agent's page links its supervising persona",
		seeExactly("#persona-name", "Onboarding Guide"),
		see(`[data-field="supervising_persona"]`, "Branch Manager"))
	b.step("open Branch Manager from the reference", follow(`[data-field="supervising_persona"] .ref-list a`), seeExactly("#persona-name", "Branch Manager"))
	b.step("Branch Manager is referenced by the agent", see("#referenced-by", "Onboarding Guide", "Supervising persona"))
	b.step("the relation map lists it", follow(`#referenced-by a[href$="/relations"]`), atPath(`/relations$`),
		see(".relation-list", "Onboarding Guide", "Supervising persona: Branch Manager"),
		present("svg.relation-map[role=img]", 1))
}
