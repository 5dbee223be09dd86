package e2e_test

import (
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"
)

// Issue 16, task 3: attach a quote to one field, from the persona page,
// with the keyboard alone, within 5 actions. The field's marker opens the
// attach page for that persona and field; the quote is written there and
// saved; the persona page is back at the field with the marker counting
// the quote, and the quote's own page links back to the field.
func TestTaskAttachQuoteToField(t *testing.T) {
	b := signIn(t, orgPath(""))
	b.step("open Branch Manager", follow(card("Branch Manager")), seeExactly("#persona-name", "Branch Manager"))
	persona := run(b, "read the persona's address", chromedp.Evaluate[string](`location.pathname`))
	const mark = `.field[data-field="workarounds"] .pp-mark`
	supports := func(step string) int {
		n := run(b, step, chromedp.Evaluate[string](`(() => {
			const m = document.querySelector(`+strconv.Quote(mark)+`);
			if (!m) return "-1";
			const s = m.querySelector("span:not(.visually-hidden)");
			return m.classList.contains("st-backed") && s ? s.textContent.trim() : "0";
		})()`))
		i, err := strconv.Atoi(n)
		if err != nil || i < 0 {
			b.fail(step, "no marker on Workarounds ("+n+")")
		}
		return i
	}
	before := supports("count the quotes on Workarounds")
	words := "I write the differences on paper and type them in after closing " + unique("quote")

	tk := newTask(b, "attach a quote to one field", 5)
	tk.pressAndLoad("press the Workarounds marker", mark)
	tk.free("the attach page is for Branch Manager › Workarounds, with the quote box focused",
		atPath(`/personas/[^/]+/evidence/attach\?target=values\.workarounds$`),
		seeExactly("#attach-title", "Workarounds"),
		see(".ev-eyebrow", "Branch Manager"),
		see("#attach-claim", "Writes differences on paper"),
		js(`() => document.activeElement && document.activeElement.id === "aq-quote" ? "" : "the focus is on " + (document.activeElement ? document.activeElement.outerHTML.slice(0, 80) : "nothing")`))
	b.looks("attach page", "#new-quote-form")
	tk.free("type the quote and who said it",
		typeInto("#aq-quote", words),
		typeInto("#aq-speaker", "Branch manager, savings bank"),
		typeInto("#aq-source", "Branch visit 3"))
	tk.pressAndLoad("press Save and attach", "#aq-save")

	tk.free("back on the persona page at Workarounds, the marker counts the quote",
		atPath("^"+persona+"$"),
		see(".flash", "Quote added and attached to Branch Manager › Workarounds"),
		js(`() => location.hash === "#field-workarounds" ? "" : "the address ends in " + JSON.stringify(location.hash)`),
		present(`.field[data-field="workarounds"]:target`, 1),
		js(`() => { const r = document.querySelector("#field-workarounds").getBoundingClientRect();
			return r.height > 0 && r.top >= 0 && r.top < innerHeight ? "" : "the field is not in view (top " + r.top + ", height " + r.height + ")"; }`),
		present(mark+".st-backed", 1), present(mark+" .pp-mark-kind.k-quote", 1))
	if after := supports("count the quotes on Workarounds again"); after != before+1 {
		b.fail("count the quotes on Workarounds again", "the marker went from "+strconv.Itoa(before)+" to "+strconv.Itoa(after))
	}
	b.looks("persona page after attaching", mark)

	// The quote's page links back to the field (checks, not part of the task).
	b.step("the attach page lists the quote on the field",
		follow(mark), present("#attach-existing", 1), see("#attach-existing", "I write the differences on paper"))
	b.step("open the quote's page", follow(`#attach-existing a[href*="/evidence/"]`),
		present("#evidence-quote", 1), see("#evidence-quote", words), see("#evidence-links", "Branch Manager", "Workarounds"),
		present(".ev-kind.k-quote .icon", 1))
	b.looks("evidence item", "#evidence-title")
	b.step("its link leads back to the field on the persona page",
		follow(`#evidence-links a.ev-link-field[href$="#field-workarounds"]`), atPath("^"+persona+"$"),
		js(`() => location.hash === "#field-workarounds" ? "" : "the address ends in " + JSON.stringify(location.hash)`))

	// A bad submission keeps the typed text and names the field.
	b.step("an unparseable date is refused with the text kept",
		follow(mark),
		js(`() => { document.querySelector("#new-quote-form details").open = true; return ""; }`),
		typeInto("#aq-quote", "Kept after the error"),
		js(`() => { const d = document.querySelector("#aq-collected"); d.type = "text"; d.value = "someday"; return ""; }`),
		follow("#aq-save"),
		see("#attach-error", "Workarounds"),
		js(`() => document.querySelector("#aq-quote").value === "Kept after the error" ? "" : "the quote was lost"`))
}

// The attach page's other way, with the keyboard alone: search the library
// (the list narrows in place as one types), choose the item, attach it.
func TestTaskAttachLibraryItemToField(t *testing.T) {
	b := signIn(t, orgPath(""))
	b.step("open Branch Manager", follow(card("Branch Manager")), seeExactly("#persona-name", "Branch Manager"))
	const mark = `.field[data-field="devices"] .pp-mark`
	tk := newTask(b, "attach a library item to one field", 5)
	tk.pressAndLoad("press the Devices marker", mark)
	tk.free("search the library for the synthesis: the list narrows without a page load",
		js(`() => { window.__samePage = true; return ""; }`),
		typeInto("#pick-q", "month-end synthesis"),
		until("one item left", `() => document.querySelectorAll("#pick-wrap input[name=evidence_id]").length === 1 ? "" :
			document.querySelectorAll("#pick-wrap input[name=evidence_id]").length + " items listed"`),
		js(`() => window.__samePage ? "" : "the page was reloaded"`),
		see("#pick-wrap", "Synthesis: month-end reconciliation"))
	tk.press("choose the synthesis", "#pick-wrap input[name=evidence_id]")
	tk.pressAndLoad("press Attach the item", "#pick-save")
	tk.free("back at Devices, the marker shows the document",
		js(`() => location.hash === "#field-devices" ? "" : "the address ends in " + JSON.stringify(location.hash)`),
		see(".flash", "attached to Branch Manager › Devices"),
		present(mark+".st-backed .pp-mark-kind.k-document", 1))
}
