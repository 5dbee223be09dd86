package e2e_test

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// The persona page reads as a one-pager: a header with the avatar, name,
// role, profile type, status, the "In their words" pull quote and the key
// dimensions as static scales; unfilled fields collapse into one line per
// section; a field's quiet evidence marker opens the attach form for that
// field; no slider on the page; no sideways scroll on a phone or a desktop.
func TestPersonaPageIsAOnePager(t *testing.T) {
	b := signIn(t, orgPath(""))
	b.step("open Compliance Analyst", follow(card("Compliance Analyst")), seeExactly("#persona-name", "Compliance Analyst"))

	b.step("at 1440 px", chromedp.EmulateViewport(1440, 900))
	height := run(b, "measure the page", chromedp.Evaluate[int](`document.documentElement.scrollHeight`))
	t.Logf("persona page height at 1440 px: %d px", height)

	b.step("the header has the avatar, name, role, type, status, quote and key dimensions",
		present(".pp-head .avatar", 1),
		see("#persona-role", "Compliance"),
		present("#persona-meta .badge", 1), present("#persona-meta .status", 1),
		present(`#persona-quote[data-field="quote"] blockquote`, 1),
		see("#persona-quote figcaption", "In their words"),
		present("#key-dimensions .pp-dim .pp-scale", 3),
		js(`() => {
			const q = document.querySelector("#persona-quote blockquote").innerText.trim();
			if (q.length < 5) return "the pull quote is empty";
			const s = document.querySelector("#key-dimensions .pp-scale");
			if (!/\d/.test(s.querySelector(".pp-scale-num").innerText)) return "a key dimension shows no figure";
			return "";
		}`))

	b.step("the sections sit in two columns on a wide screen",
		js(`() => {
			const cols = getComputedStyle(document.querySelector(".pp-sections")).gridTemplateColumns.split(" ").length;
			return cols === 2 ? "" : "the sections have " + cols + " column(s) at 1440 px";
		}`))

	b.step("unfilled fields are one line per section, not empty rows",
		present(".pp-section .pp-unfilled", 1),
		js(`() => {
			for (const l of document.querySelectorAll(".pp-unfilled")) {
				if (!/^\d+ fields? not filled in — fill (it|them)$/.test(l.innerText.trim())) return "the line reads " + JSON.stringify(l.innerText);
				const a = l.querySelector("a");
				if (!a || !/\/edit#section-/.test(a.getAttribute("href"))) return "the line does not link to the edit form's section";
			}
			for (const f of document.querySelectorAll(".pp-section .field dd")) {
				if (f.innerText.trim() === "") return "an empty field row is shown";
			}
			return "";
		}`))

	b.step("evidence is a quiet marker per field plus one summary line per section, no pills",
		present(".pp-section .field .pp-mark", 5),
		present(".pp-section .pp-ev-line", 1),
		js(`() => {
			if (document.querySelector(".profile .ev-field-mark")) return "a field still carries an evidence pill";
			const l = document.querySelector(".pp-ev-line").innerText.trim();
			return /^\d+ claims? · \d+ backed by evidence( · \d+ contradicted)? · \d+ assumptions?$/.test(l) ? "" : "the summary reads " + JSON.stringify(l);
		}`))

	b.step("scales read as scales: no slider outside forms",
		js(`() => {
			const r = [...document.querySelectorAll('input[type=range]')].filter(i => !i.closest("form"));
			return r.length ? r.length + " slider(s) on the page" : "";
		}`))

	b.looks("persona page", "#persona-name")

	b.step("a field's marker opens the attach form for that field",
		follow(`.field[data-field="goals"] .pp-mark`),
		atPath(`/evidence/attach\?target=values\.goals$`),
		present("#attach", 1),
		js(`() => {
			const s = document.querySelector("#new-quote-form input[name=target]");
			return s && s.value === "values.goals" ? "" : "the attach form's target is " + (s ? JSON.stringify(s.value) : "missing");
		}`))
}
