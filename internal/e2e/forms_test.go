package e2e_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// Issue 16 point 3: the persona and variant forms. Helpers shared with the
// other tests that fill these forms.

// pickScale chooses value on the scale (a row of radio buttons) named name,
// as a click on the button does; "" is its "Not set".
func pickScale(name, value string) action {
	return js(`(name, value) => {
		const el = [...document.querySelectorAll('input[type=radio][name="' + name + '"]')].find(r => r.value === value);
		if (!el) return "no button " + JSON.stringify(value) + " on the scale " + name;
		el.click();
		return el.checked ? "" : "the button " + value + " of " + name + " is not chosen";
	}`, name, value)
}

// overrideField adds the field labelled label to the variant form with
// "+ Override a field" and waits for its row.
func overrideField(label, path string) action {
	// Choosing swaps the form's rows in place; a choice made while an
	// earlier swap is still on its way is lost with the old select, so it
	// is made again until the row is there.
	return until("an override row for "+path, `(label, path) => {
		if (document.getElementById("row-" + path)) return "";
		if (document.querySelector(".htmx-request, .htmx-swapping, .htmx-settling")) return "a swap is on its way";
		const el = document.querySelector("#add-field");
		if (!el) return "no #add-field";
		const i = [...el.options].findIndex(o => o.textContent.trim() === label);
		if (i < 0) return "no option " + label;
		el.selectedIndex = i;
		el.dispatchEvent(new Event("input", {bubbles: true}));
		el.dispatchEvent(new Event("change", {bubbles: true}));
		return "chose " + label + "; waiting for its row";
	}`, label, path)
}

// viewShot keeps a screenshot of the window as it is (not the full page),
// to see what stays in reach while scrolled.
func (b *browser) viewShot(name string) {
	b.t.Helper()
	png := run(b, "screenshot "+name, chromedp.CaptureScreenshot())
	dir := filepath.Join(os.TempDir(), "personapal-e2e")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	path := filepath.Join(dir, unsafeName.ReplaceAllString(b.t.Name()+"-"+name, "_")+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot %s: %s", name, path)
}

// windowShots keeps window screenshots of the page at width in the dark
// scheme, at each of the scroll positions (fractions of the page), then
// returns to the light scheme at 1440 px.
func (b *browser) windowShots(name string, width int64, at ...float64) {
	b.t.Helper()
	scheme := func(value string) action {
		return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			p := emulation.SetEmulatedMediaParams{}
			if value != "" {
				p.Features = []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: value}}
			}
			_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, p)
			return err
		})
	}
	b.step(fmt.Sprintf("%s at %dpx, dark", name, width), chromedp.EmulateViewport(width, 844), scheme("dark"))
	for _, f := range at {
		b.step(fmt.Sprintf("scroll to %.0f%%", f*100), scrollTo(f), noSidewaysScroll(name))
		b.viewShot(fmt.Sprintf("%s-%d-dark-%.0f", name, width, f*100))
	}
	b.step("back to light at 1440px", scheme(""), chromedp.EmulateViewport(1440, 900))
}

// saveBarInReach checks that the save bar and its Save button are on
// screen and not covered, wherever the form is scrolled to.
func saveBarInReach(button string) action {
	return until("the save bar in reach", `(button) => {
		const bar = document.getElementById("save-bar"), btn = document.querySelector(button);
		if (!bar || !btn) return "no save bar or no " + button;
		const r = btn.getBoundingClientRect();
		if (r.top < 0 || r.bottom > window.innerHeight) return button + " is off screen (" + Math.round(r.top) + " of " + window.innerHeight + ")";
		const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
		return hit && btn.contains(hit) ? "" : button + " is covered by " + (hit ? hit.outerHTML.slice(0, 120) : "nothing");
	}`, button)
}

// scrollTo scrolls the window to a fraction of the page's height.
func scrollTo(fraction float64) action {
	return js(`(f) => { window.scrollTo(0, (document.documentElement.scrollHeight - window.innerHeight) * f); return ""; }`, fraction)
}

// The Compliance Analyst's edit form at 1440 and 390: its height and its
// full-width controls measured, the save bar in reach while scrolled,
// the section list jumping to a section, and how it looks.
func TestFormsEditFormLayout(t *testing.T) {
	b := signIn(t, orgPath(""))
	b.step("open the Compliance Analyst's edit form", chromedp.EmulateViewport(1440, 900),
		follow(card("Compliance Analyst")), follow("#edit-persona"), present("#persona-form", 1))
	m := run(b, "measure the form", chromedp.Evaluate[string](`(() => {
		const f = document.querySelector("#persona-form"), w = f.getBoundingClientRect().width;
		const ctl = [...f.querySelectorAll("input:not([type=hidden]):not([type=radio]):not([type=checkbox]), select, textarea")].filter(c => c.getBoundingClientRect().width > 0);
		const full = ctl.filter(c => c.getBoundingClientRect().width > w * 0.9).length;
		return document.documentElement.scrollHeight + " " + ctl.length + " " + full;
	})()`))
	var height, controls, full int
	if _, err := fmt.Sscan(m, &height, &controls, &full); err != nil {
		t.Fatalf("measure: %q", m)
	}
	t.Logf("the Compliance Analyst's edit form at 1440px: %d px tall, %d text controls and selects, %d of them full width (before: 8,319 px, 56 controls, 39 full width)", height, controls, full)
	if height > 6200 || full > 8 {
		t.Errorf("the form is %d px tall with %d full-width controls", height, full)
	}
	for _, w := range []int64{1440, 390} {
		size := strconv.FormatInt(w, 10)
		b.step("at "+size+"px the save bar stays in reach while scrolling", chromedp.EmulateViewport(w, 844), scrollTo(0.5), saveBarInReach("#save-persona"))
		b.viewShot("edit-form-scrolled-" + size)
		b.step("at "+size+"px the section list jumps to Pain points", scrollTo(0), click(`.form-nav a[href="#section-pain_points"]`),
			until("Pain points at the top", `() => { const r = document.getElementById("section-pain_points").getBoundingClientRect();
				return r.top >= 0 && r.top < 200 ? "" : "the section is at " + Math.round(r.top); }`),
			atPath(`/edit$`), saveBarInReach("#save-persona"), noSidewaysScroll("the edit form"))
		b.viewShot("edit-form-section-" + size)
	}
	b.step("a change shows as unsaved", chromedp.EmulateViewport(1440, 900), typeInto("#summary", "Edited in the browser test"),
		see("#save-state", "Unsaved changes"))
	b.step("back to the top", scrollTo(0))
	b.looks("persona edit form", "#persona-form")
	b.windowShots("edit-form", 390, 0, 0.9)
	b.windowShots("edit-form", 1440, 0.92)
}

// A new persona saved without its required fields: the summary at the top
// names each and links to it, the first field with an error has the focus,
// and what was typed is kept.
func TestFormsFirstErrorIsFocused(t *testing.T) {
	b := signIn(t, orgPath(""))
	name := unique("Half done")
	b.step("open a new UX persona", chromedp.EmulateViewport(390, 844), open(orgPath("/personas/new")), follow(`a[data-template="UX persona"]`), present("#persona-form", 1),
		see(`label[for="group_id"]`, "Group *"), see(`label[for="v-role_title"]`, "Role / job title *"))
	b.step("type the name only and save", typeInto("#name", name), typeInto(`#v-goals`, "Goal one"), follow("#save-persona"))
	b.step("the summary names the missing fields; the first has the focus, on screen",
		see("#form-errors", "Group is required", "Role / job title is required"),
		until("the group select focused", `() => { const el = document.activeElement;
			if (!el || el.id !== "group_id") return "the focus is on " + (el ? el.outerHTML.slice(0, 80) : "nothing");
			const r = el.getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight ? "" : "the group select is off screen"; }`),
		see("#group_id-error", "Group is required"),
		js(`(want) => document.getElementById("name").value === want && document.getElementById("v-goals").value === "Goal one" ? "" : "the form lost what was typed"`, name))
	b.viewShot("first-error-390")
	b.step("the summary's link to Role leads to its input", click(`#form-errors a[href="#v-role_title"]`),
		until("the role input focused", `() => document.activeElement && document.activeElement.id === "v-role_title" ? "" : "not focused"`))
	b.step("back to the top", scrollTo(0))
	b.looks("persona form with errors", "#form-errors")
}

// The variant form: only the overrides, "+ Override a field" adds one in
// place, keeping what was typed, and "Remove" takes it out again.
func TestFormsVariantFormAddsAndRemovesOverrides(t *testing.T) {
	b := signIn(t, orgPath(""))
	b.step("open a new variant of Product Designer", follow(card("Product Designer")), follow("#add-variant"), present("#variant-form", 1),
		present("#no-overrides", 1), choose("#customer_id", "Big Bank"), typeInto("#note", "Typed before adding"))
	b.step("override Team size: its row comes in place with the base value, the note typed is kept",
		overrideField("Team size", "values.team_size"),
		until("the Team size input focused", `() => document.activeElement && document.activeElement.id === "v-team_size" ? "" : "the focus is on " + (document.activeElement ? document.activeElement.outerHTML.slice(0, 80) : "nothing")`),
		js(`() => document.getElementById("note").value === "Typed before adding" && document.getElementById("customer_id").selectedOptions[0].textContent.trim() === "Big Bank" ? "" : "the form lost what was typed"`),
		js(`() => [...document.querySelectorAll("#add-field option")].some(o => o.value === "values.team_size") ? "Team size is still offered" : ""`),
		see("#save-state", "Unsaved changes"))
	b.step("override Risk tolerance too and choose 1", overrideField("Risk tolerance", "dimensions.risk_tolerance"), pickScale("d.risk_tolerance", "1"))
	b.step("back to the top", scrollTo(0))
	b.looks("variant form", "#variant-form")
	b.windowShots("variant-form", 390, 0.3, 0.6)
	b.step("remove Team size again", click(`[id="row-values.team_size"] button[name="remove_override"]`),
		until("the row is gone", `() => document.getElementById("row-values.team_size") ? "still there" : ""`),
		js(`() => document.querySelector('input[name="d.risk_tolerance"][value="1"]').checked ? "" : "the chosen risk tolerance was lost"`))
	b.step("save: one override, the risk tolerance", follow("#save-variant"), atPath(`/variants/[^/]+$`),
		see(".profile-head .card-meta", "1 override ·"), present(`[data-path="dimensions.risk_tolerance"] dd.overridden`, 1))
}
