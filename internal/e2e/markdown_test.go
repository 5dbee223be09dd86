package e2e_test

import (
	"strings"
	"testing"
)

// The Markdown preview of the persona form, through its real button: it
// sends only its own field and shows the rendered Markdown; text longer
// than a Markdown field holds gets the reason in the preview box instead.
func TestMarkdownPreviewInTheEditForm(t *testing.T) {
	b := signIn(t, orgPath(""))
	b.step("open Compliance Analyst's edit form", follow(card("Compliance Analyst")), follow("#edit-persona"),
		atPath(`/edit$`), present("#persona-form", 1))
	field := `#persona-form [name="v.context"]`
	button := field + ` ~ .md-tools button`
	preview := field + ` ~ .md-preview`
	word := unique("preview")
	b.step("type Markdown into Context and preview it",
		typeInto(field, "Seen at **two** branches "+word),
		click(button),
		see(preview+" strong", "two"),
		see(preview, word))
	// The refusal is a 422 the browser logs as a failed load; the step
	// checks what the page shows.
	b.expectRefusal(env.base + orgPath("/preview/markdown?field=v.context"))
	b.step("a text longer than the field holds: the preview says why",
		js(`(sel, text) => { const el = document.querySelector(sel); el.value = text; return ""; }`, field, strings.Repeat("x", 20001)),
		click(button),
		see(preview+` p.error`, "at most 20,000 characters", "20,001"))
}

// expectRefusal lets the page log the failed load of url: a request the
// server refuses on purpose, whose answer the steps check on the page.
func (b *browser) expectRefusal(url string) {
	b.mu.Lock()
	b.docs[url] = true
	b.mu.Unlock()
}
