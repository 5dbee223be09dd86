package e2e_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// minimalPDF is a valid one-page PDF with a line of text.
func minimalPDF(text string) []byte {
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 144] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		"", // content stream, below
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
	stream := "BT /F1 12 Tf 20 100 Td (" + text + ") Tj ET"
	objs[3] = fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(stream), stream)
	var b strings.Builder
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return []byte(b.String())
}

// setValue sets a form control's value (for selects whose labels vary).
func setValue(sel, value string) action {
	return js(`(sel, v) => { const el = document.querySelector(sel); if (!el) return "no element " + sel;
		if (el.tagName === "SELECT" && ![...el.options].some(o => o.value === v)) return "no option " + v + " in " + sel;
		el.value = v; el.dispatchEvent(new Event("change", {bubbles: true})); return ""; }`, sel, value)
}

// Issue 4: a PDF and a quote attached to fields change the coverage, and
// the PDF opens inline.
func TestEvidenceCoverageAndInlinePDF(t *testing.T) {
	b := signIn(t, orgPath("/evidence"))
	word := unique("evidence")
	pdf := filepath.Join(t.TempDir(), "interview-"+word+".pdf")
	if err := os.WriteFile(pdf, minimalPDF("Interview notes "+word), 0o644); err != nil {
		t.Fatal(err)
	}
	b.step("upload a PDF to the library",
		js(`() => { document.querySelector("#add-document").open = true; return ""; }`),
		chromedp.SetUploadFiles("#doc-file", []string{pdf}),
		typeInto("#doc-title", "Interview PDF "+word),
		follow("#upload-document"))
	b.step("the PDF is in the library", open(orgPath("/evidence")), see("#evidence-list", "Interview PDF "+word))
	b.step("add a quote",
		js(`() => { document.querySelector("#add-quote").open = true; return ""; }`),
		typeInto("#quote-title", "Quote "+word),
		typeInto("#quote-quote", "We reconcile card payments by hand every Monday "+word),
		follow("#add-quote-button"))

	b.step("open the Payments Operations Specialist's evidence",
		open(orgPath("")), follow(card("Payments Operations Specialist")), follow("#open-evidence"), present("#coverage-figure", 1))
	coverage := func(step string) int {
		txt := run(b, step, chromedp.Text(chromedp.CSS("#count-backed")))
		n, err := strconv.Atoi(strings.TrimSpace(txt))
		if err != nil {
			b.fail(step, "the backed count reads "+txt)
		}
		return n
	}
	before := coverage("read the coverage before")
	attach := func(title, field string) {
		b.step("attach "+title+" to "+field,
			js(`(title) => { const el = document.querySelector("#attach-item");
				const o = [...el.options].find(o => o.textContent.includes(title));
				if (!o) return "no item " + title; el.value = o.value; el.dispatchEvent(new Event("change", {bubbles: true})); return ""; }`, title),
			until("the field list", `() => document.querySelector("#link-target:not([disabled])") ? "" : "disabled"`),
			setValue("#link-target", field),
			follow("#attach-submit"))
	}
	attach("Interview PDF "+word, "values.goals")
	b.step("back on the evidence page", present("#coverage-figure", 1))
	if after := coverage("read the coverage after the PDF"); after != before+1 {
		b.fail("read the coverage after the PDF", fmt.Sprintf("backed fields went from %d to %d", before, after))
	}
	attach("Quote "+word, "values.pain_points")
	if after := coverage("read the coverage after the quote"); after != before+2 {
		b.fail("read the coverage after the quote", fmt.Sprintf("backed fields went from %d to %d", before, after))
	}

	b.step("open the PDF's page: it shows inline",
		open(orgPath("/evidence")),
		waitLoad(js(`(t) => { const a = [...document.querySelectorAll("#evidence-list a")].find(a => a.innerText.includes(t));
			if (!a) return "no link reading " + t; a.click(); return ""; }`, "Interview PDF "+word)),
		until("the PDF item page", `(w) => document.body.innerText.includes(w) ? "" : "not the PDF page"`, "Interview PDF "+word),
		present("iframe#pdf-viewer", 1),
		// A synchronous request from the page: same cookies, same origin.
		until("the inline file is served as a PDF", `() => {
			const src = document.querySelector("iframe#pdf-viewer").getAttribute("src");
			const x = new XMLHttpRequest();
			x.open("GET", src, false);
			x.send();
			const ct = x.getResponseHeader("content-type") || "", cd = x.getResponseHeader("content-disposition") || "", ns = x.getResponseHeader("x-content-type-options") || "";
			if (x.status !== 200) return "status " + x.status;
			if (!ct.startsWith("application/pdf")) return "content type " + ct;
			if (!cd.startsWith("inline")) return "disposition " + cd;
			if (ns !== "nosniff") return "x-content-type-options " + ns;
			return x.responseText.startsWith("%PDF-") ? "" : "the body is not the PDF";
		}`))
}

// Issue 16: the evidence pages in their own palette — kind badges with an
// icon and a label in the kind's colour, quiet state pills with a shape —
// fit a phone and a desktop, light and dark.
func TestEvidencePagesLook(t *testing.T) {
	b := signIn(t, orgPath("/evidence"))
	b.step("the library shows kind badges with an icon and a label",
		present("#evidence-list .ev-kind.k-document .icon", 1), present("#evidence-list .ev-kind.k-quote .icon", 1),
		js(`() => {
			const colour = (sel) => getComputedStyle(document.querySelector(sel)).color;
			const kinds = ["document", "quote", "link", "study"].map(k => "#evidence-list .ev-kind.k-" + k).filter(s => document.querySelector(s));
			const seen = new Set(kinds.map(colour));
			return seen.size === kinds.length ? "" : "two kinds share a colour: " + [...seen].join(", ");
		}`))
	b.looks("evidence library", "#evidence-list")
	b.step("choosing a kind filters the list in place, no Apply button",
		js(`() => { window.__samePage = true; return document.querySelector(".ev-filters button") ? "an Apply button shows" : ""; }`),
		choose("#filter-kind", "Quote"),
		until("only quotes listed", `() => {
			const items = [...document.querySelectorAll("#evidence-list .ev-item")];
			if (!items.length) return "no items";
			return items.every(i => i.classList.contains("k-quote")) ? "" : items.length + " items, not all quotes";
		}`),
		js(`() => window.__samePage ? "" : "the page was reloaded"`),
		js(`() => location.search.includes("kind=quote") ? "" : "the address does not keep the filter: " + location.search`),
		see("#evidence-count", "match the filters"), present("#ev-clear a", 1))
	b.step("open System Lead's evidence", open(orgPath("")), follow(card("System Lead")),
		present("#evidence-kinds .ev-kind-count", 1), follow("#open-evidence"), present("#coverage-figure", 1),
		present(".ev-state.st-assumption .icon", 1),
		js(`() => {
			const a = document.querySelector(".ev-state.st-assumption");
			const s = getComputedStyle(a);
			return s.borderStyle.includes("dashed") ? "assumptions are still dashed pills" : "";
		}`))
	b.looks("persona evidence", "#coverage-figure")
	b.step("open the coverage page: the library by kind, in the kinds' colours", open(orgPath("/evidence/coverage")), present("#group-coverage-table", 1),
		present("#library-kinds a.ev-kind-count.k-quote .icon", 1), see("#library-kinds", "quotes", "stud"))
	b.looks("evidence coverage", "#group-coverage-table")
}
