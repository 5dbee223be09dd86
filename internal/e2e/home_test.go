package e2e_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/chromedp/chromedp"
)

// The home page as a hub: the cards say at a glance how each persona
// stands, the side rail lists what changed lately and which reviews are
// overdue, a filter applies as soon as it is chosen (no button, the
// address follows), and no card grid leaves an empty column.
func TestHomeIsAHub(t *testing.T) {
	home := orgPath("")
	b := signIn(t, home)
	b.step("every card says how it stands: evidence, variants and (when linked) alignment",
		present("a.persona-card [data-glance=evidence]", 15),
		see(card("System Lead")+" [data-glance=evidence]", "fields backed"),
		see(card("System Lead")+" [data-glance=variants]", "variant"),
		see(card("Big Bank")+" [data-glance=variants]", "persona variant"),
		present(card("Head of Operations (buyer)")+" [data-glance=alignment]", 1),
		js(`() => {
			const t = document.querySelector('a.persona-card[data-persona="Head of Operations (buyer)"] [data-glance=alignment]').innerText.trim();
			return /^(Aligned|\d+ divergences?|.*claims? contradicted)/.test(t) ? "" : "the buyer's alignment reads " + JSON.stringify(t); }`))
	b.step("the side rail lists recent changes and overdue reviews, each a link",
		present("#recently-changed a.hub-item", 5),
		present("#review-overdue a.hub-item", 1),
		see("#review-overdue", "Owner"),
		see("#persona-count", "reviews overdue"))
	b.step("no Apply button while the script applies the filters", js(`() => {
		const b = document.getElementById("apply-filters");
		return b && b.offsetParent === null ? "" : "the Apply button shows"; }`))

	b.step("no card grid leaves an empty column at 1440px", gridsFill())
	for _, w := range []int64{1440, 390} {
		b.step(fmt.Sprintf("at %dpx", w), chromedp.EmulateViewport(w, 900))
		h := run(b, "measure the page", chromedp.Evaluate[int](`document.documentElement.scrollHeight`))
		t.Logf("home page at %dpx: %dpx tall", w, h)
	}
	b.step("back at 1440px", chromedp.EmulateViewport(1440, 900), gridsFill())
	b.looks("home hub", "#home-results")

	b.step("choosing a type filters at once, and the address keeps it",
		choose("#filter-type", "Customer archetype"),
		atPath(`^`+regexp.QuoteMeta(home)+`\?type=archetype$`),
		until("only archetypes shown", `() => {
			const cards = [...document.querySelectorAll("a.persona-card")];
			if (cards.length === 0) return "no cards";
			const other = cards.filter(c => !c.classList.contains("t-archetype"));
			return other.length ? other.length + " cards of other types still shown" : ""; }`),
		see("#persona-count", "match the filters"),
		present(card("Big Bank"), 1), count(card("System Lead"), 0))
	b.step("choosing the Overdue review filter narrows further, still without a button",
		click(`label.review-chip:has(#filter-review-overdue)`),
		atPath(`^`+regexp.QuoteMeta(home)+`\?type=archetype&review=overdue$`),
		until("only overdue archetypes", `() => {
			const cards = [...document.querySelectorAll("a.persona-card")];
			const fresh = cards.filter(c => !c.querySelector(".review-due"));
			return fresh.length ? fresh.length + " cards are not overdue" : ""; }`))
	b.step("the filtered address is shareable: opened afresh it shows the same",
		open(home+"?type=archetype&review=overdue"),
		js(`() => document.getElementById("filter-type").value === "archetype" && document.getElementById("filter-review-overdue").checked ? "" : "the filters did not come back"`),
		see("#persona-count", "match the filters"))
	b.step("back goes to the unfiltered page, the controls follow",
		open(home), choose("#filter-group", "AI agents"), atPath(`\?group=`),
		js(`() => { history.back(); return ""; }`),
		atPath(`^`+regexp.QuoteMeta(home)+`$`),
		until("all groups again", `() => document.getElementById("filter-group").value === "" && document.querySelectorAll("a.persona-card").length >= 15 ? "" : "still filtered"`))

	b.step("typing in Find filters as you type, without a button",
		typeInto("#filter-q", "savings"),
		atPath(`^`+regexp.QuoteMeta(home)+`\?q=savings$`),
		until("only the savings bank", `() => {
			const names = [...document.querySelectorAll("a.persona-card")].map(c => c.dataset.persona);
			return names.join() === "Regional Savings Bank" ? "" : "cards: " + names.join(); }`),
		js(`() => document.activeElement && document.activeElement.id === "filter-q" ? "" : "the focus left the Find box"`))
	b.step("the group page's grid fills its rows too",
		open(home),
		follow(`section.group h2 a.group-link`), present("a.persona-card", 1), gridsFill())
	b.looks("group page", ".card-grid")
	b.step("the groups page", open(home+"/groups"), present("#groups", 1))
	b.looks("groups page", "#groups")
}

// gridsFill checks every card grid: no track stays empty (a row of three
// cards is not followed by an empty fourth column).
func gridsFill() action {
	return js(`() => {
		const bad = [];
		for (const g of document.querySelectorAll(".card-grid")) {
			// auto-fit collapses the tracks no card needs to 0px: count the others.
			const tracks = getComputedStyle(g).gridTemplateColumns.split(" ").filter(w => parseFloat(w) > 0).length;
			const items = g.children.length;
			if (items < tracks) bad.push(items + " cards in " + tracks + " columns (" + getComputedStyle(g).gridTemplateColumns + ")");
			const right = Math.max(...[...g.children].map(c => c.getBoundingClientRect().right));
			const gap = g.getBoundingClientRect().right - right;
			if (items > 0 && gap > 24 && !(items === 1)) bad.push("the row ends " + Math.round(gap) + "px short of the grid's edge");
		}
		return bad.join("; "); }`)
}
