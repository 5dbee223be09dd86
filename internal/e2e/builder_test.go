package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

// builderFigures measures the builder as the issue did: the page's height
// and how many inputs, selects, text areas and buttons are visible.
const builderFigures = `() => {
	const visible = [...document.querySelectorAll("input, select, textarea, button")].filter(e => e.checkVisibility());
	const outline = visible.filter(e => e.closest("#builder-form")).length;
	return JSON.stringify({height: document.documentElement.scrollHeight, width: document.documentElement.scrollWidth,
		controls: visible.length, outline: outline, preview: visible.length - outline,
		rows: document.querySelectorAll("#builder-form details.b-edit").length});
}`

type figures struct {
	Height, Width, Controls, Outline, Preview, Rows int
}

func measureBuilder(b *browser, what string) figures {
	b.t.Helper()
	raw := run(b, "measure "+what, chromedp.Evaluate[string](call(builderFigures)))
	var f figures
	if err := json.Unmarshal([]byte(raw), &f); err != nil {
		b.t.Fatalf("measure %s: %v (%s)", what, err, raw)
	}
	b.t.Logf("builder figures, %s: %s", what, raw)
	return f
}

// openRows fails unless exactly the rows ids (details ids) are open.
func openRows(ids ...string) action {
	if ids == nil {
		ids = []string{}
	}
	want, _ := json.Marshal(ids)
	return until("open rows "+string(want), `(want) => {
		const got = [...document.querySelectorAll("#builder-form details.b-edit[open]")].map(d => d.id);
		return JSON.stringify(got) === JSON.stringify(want) ? "" : "open rows: " + JSON.stringify(got);
	}`, json.RawMessage(want))
}

// labelled fails when a visible control has no accessible label.
func labelled(where string) action {
	return js(`(where) => {
		const bad = [...document.querySelectorAll("input:not([type=hidden]), select, textarea")].filter(e => e.checkVisibility())
			.filter(e => !(e.labels && e.labels.length) && !e.getAttribute("aria-label") && !e.getAttribute("aria-labelledby"));
		const buttons = [...document.querySelectorAll("button, summary")].filter(e => e.checkVisibility() && !e.textContent.trim() && !e.getAttribute("aria-label"));
		const all = bad.concat(buttons);
		return all.length ? where + ": controls without a label: " + all.slice(0, 5).map(e => e.outerHTML.slice(0, 120)).join(" | ") : "";
	}`, where)
}

// dragRow drags the grip of the row grip (a selector) with the mouse to the
// point of target at fraction fy of its height (0 top, 1 bottom),
// re-measured once the drag has started (rows may fold away).
func dragRow(grip, target string, fy float64) action {
	point := func(ctx context.Context, t *chromedp.Target, sel string, fy float64, scroll bool) (float64, float64, error) {
		xy, err := chromedp.Evaluate[[]float64](call(`(sel, fy, scroll) => {
			const el = document.querySelector(sel);
			if (!el) return [];
			if (scroll) el.scrollIntoView({block: "center"});
			const r = el.getBoundingClientRect();
			return [r.left + Math.min(r.width / 2, 24), r.top + r.height * fy];
		}`, sel, fy, scroll))(ctx, t)
		if err != nil {
			return 0, 0, err
		}
		if len(xy) != 2 {
			return 0, 0, fmt.Errorf("no element matches %s", sel)
		}
		return xy[0], xy[1], nil
	}
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		// Both ends in the window: the grip's row and the target centred
		// together (the mouse cannot reach what is scrolled out of view).
		if _, err := chromedp.Evaluate[bool](call(`(a, b) => {
			const ea = document.querySelector(a), eb = document.querySelector(b);
			if (!ea || !eb) return false;
			ea.scrollIntoView({block: "center"});
			const ra = ea.getBoundingClientRect(), rb = eb.getBoundingClientRect();
			window.scrollBy(0, (Math.min(ra.top, rb.top) + Math.max(ra.bottom, rb.bottom)) / 2 - innerHeight / 2);
			return true;
		}`, grip, target))(ctx, t); err != nil {
			return err
		}
		x, y, err := point(ctx, t, grip, .5, false)
		if err != nil {
			return err
		}
		pressed := func(p *input.DispatchMouseEventParams) {
			p.Button = input.MouseButtonLeft
			p.Buttons = 1
			p.ClickCount = 1
		}
		if _, err := chromedp.MouseEvent(chromedp.MouseMoved, x, y)(ctx, t); err != nil {
			return err
		}
		if _, err := chromedp.MouseEvent(chromedp.MousePressed, x, y, pressed)(ctx, t); err != nil {
			return err
		}
		tx, ty, err := point(ctx, t, target, fy, false)
		if err != nil {
			return err
		}
		for i := 1; i <= 8; i++ {
			f := float64(i) / 8
			if _, err := chromedp.MouseEvent(chromedp.MouseMoved, x+(tx-x)*f, y+(ty-y)*f, func(p *input.DispatchMouseEventParams) { p.Button = input.MouseButtonLeft; p.Buttons = 1 })(ctx, t); err != nil {
				return err
			}
		}
		_, err = chromedp.MouseEvent(chromedp.MouseReleased, tx, ty, pressed)(ctx, t)
		return err
	})
}

// draftOrder is a template's draft as "section: field, field | …; dimensions".
func draftOrder(t *testing.T, id string) string {
	t.Helper()
	var d struct {
		Sections []struct {
			Key    string `json:"key"`
			Fields []struct {
				Key string `json:"key"`
			} `json:"fields"`
		} `json:"sections"`
		Dimensions []struct {
			Key string `json:"key"`
		} `json:"dimensions"`
	}
	apiDo(t, "GET", "/api/v1/orgs/"+env.org+"/templates/"+id+"/draft", nil, &d)
	var parts []string
	for _, s := range d.Sections {
		var keys []string
		for _, f := range s.Fields {
			keys = append(keys, f.Key)
		}
		parts = append(parts, s.Key+": "+strings.Join(keys, ", "))
	}
	var dims []string
	for _, dm := range d.Dimensions {
		dims = append(dims, dm.Key)
	}
	return strings.Join(parts, " | ") + "; " + strings.Join(dims, ", ")
}

// domOrder is the outline's order in the same form, read from the page.
const domOrder = `() => {
	const secs = [...document.querySelectorAll("#b-sections > .b-section")].map(s =>
		s.querySelector("input[name$='.key']").value + ": " + [...s.querySelectorAll(".b-fields > .b-field")].map(f => f.dataset.key).join(", "));
	const dims = [...document.querySelectorAll("#b-dims > .b-dimension")].map(d => d.dataset.key);
	return secs.join(" | ") + "; " + dims.join(", ");
}`

// copyTemplate creates and publishes a copy of a template through the API,
// so that a test can reorder it without touching the demo's own.
func copyTemplate(t *testing.T, from, name string) string {
	t.Helper()
	var src struct {
		Draft json.RawMessage `json:"draft"`
	}
	apiDo(t, "GET", "/api/v1/orgs/"+env.org+"/templates/"+from, nil, &src)
	var created struct {
		ID string `json:"id"`
	}
	apiDo(t, "POST", "/api/v1/orgs/"+env.org+"/templates", map[string]any{
		"name": name, "profile_type": "ux", "description": "A copy for the builder's browser test.", "definition": src.Draft}, &created)
	apiDo(t, "POST", "/api/v1/orgs/"+env.org+"/templates/"+created.ID+"/publish", map[string]any{}, nil)
	return created.ID
}

// The Template Builder is an outline: rows that open one at a time, dragged
// or moved with the keyboard, beside a live preview.
func TestTemplateBuilderOutline(t *testing.T) {
	main := findTemplate(t, "ux")
	b := signIn(t, orgPath("/templates/"+main))

	b.step("the demo's UX template at 1440 px", chromedp.EmulateViewport(1440, 900), open(orgPath("/templates/"+main)), present("#b-sections", 1))
	fig := measureBuilder(b, "demo UX template at 1440x900")
	if fig.Rows < 29 {
		t.Fatalf("the outline has %d rows; the demo's UX template has 29 fields", fig.Rows)
	}
	if fig.Height > 4000 || fig.Controls > 120 || fig.Width > 1440 {
		t.Errorf("the builder is %d px tall with %d visible controls and %d px wide; want a collapsed outline (at most 4000 px, 120 controls) that fits", fig.Height, fig.Controls, fig.Width)
	}
	b.step("the outline starts collapsed: every field a row, none open",
		openRows(),
		js(`() => { const rows = [...document.querySelectorAll(".b-field > .b-row-wrap > details > summary")];
			const bad = rows.filter(s => !s.querySelector(".b-row-title").textContent.trim() || !s.querySelector(".b-kind-tag") || !s.querySelector(".b-item-key"));
			return rows.length && !bad.length ? "" : "rows without label, kind or key: " + bad.length + " of " + rows.length; }`),
		js(`() => document.querySelector("#s0-f0-label").checkVisibility() ? "a closed row shows its inputs" : ""`),
		labelled("the collapsed outline"))
	b.step("the warning about renaming published keys is said once",
		js(`() => { const text = document.querySelector("#builder").innerText; const n = text.split("retired values").length - 1;
			return n === 1 ? "" : "the page says 'retired values' " + n + " times"; }`),
		see("#b-keys-note", "Renaming the key of a published field"))
	b.step("opening a field shows its controls",
		click("#s0-f1-edit > summary"), openRows("s0-f1-edit"),
		js(`() => document.querySelector("#s0-f1-label").checkVisibility() && document.querySelector("#s0-f1-move-down").checkVisibility() ? "" : "the open row hides its inputs"`),
		labelled("the open field"))
	b.step("opening another closes the first", click("#s1-f0-edit > summary"), openRows("s1-f0-edit"))
	b.step("a section opens for its settings, closing the field", click("#s1-edit > summary"), openRows("s1-edit"),
		js(`() => document.querySelector("#s1-label").checkVisibility() ? "" : "the section's label is hidden"`))
	b.step("the live preview stands beside the outline, sticky",
		js(`() => { window.scrollTo(0, 0); return ""; }`),
		js(`() => { const f = document.querySelector("#builder-form").getBoundingClientRect(), p = document.querySelector("#b-pane").getBoundingClientRect();
			if (!document.querySelector("#b-pane").open) return "the preview is closed on a wide screen";
			return p.left >= f.right && p.top < f.top + 200 ? "" : "the preview is not beside the outline: form " + JSON.stringify(f) + ", preview " + JSON.stringify(p); }`),
		js(`() => { window.scrollTo(0, 1500); const p = document.querySelector("#b-pane").getBoundingClientRect();
			return p.top >= 0 && p.top < 120 ? "" : "scrolled down, the preview is at " + p.top + " px"; }`),
		see("#b-preview", "Name", "Summary"))
	b.step("open one field for the screenshots", click("#s0-f1-edit > summary"), openRows("s0-f1-edit"))
	b.windowShot("builder-1440-open-field")
	b.looks("template builder", "#builder")
	b.step("a phone, a field open", chromedp.EmulateViewport(390, 844), js(`() => { document.querySelector("#s0-f1").scrollIntoView({block: "start"}); window.scrollBy(0, -70); return ""; }`))
	b.windowShot("builder-390-open-field")
	b.step("a phone, the top", js(`() => { window.scrollTo(0, 0); return ""; }`))
	b.windowShot("builder-390-top")
	b.step("on a phone the preview starts closed, below the outline",
		chromedp.EmulateViewport(390, 844), open(orgPath("/templates/"+main)), present("#b-pane", 1),
		js(`() => document.querySelector("#b-pane").open ? "the preview is open on a phone" : ""`),
		js(`() => { const f = document.querySelector("#builder-form").getBoundingClientRect(), p = document.querySelector("#b-pane").getBoundingClientRect();
			return p.top >= f.bottom - 1 ? "" : "the preview is not below the outline"; }`),
		noSidewaysScroll("the builder at 390 px"))
	b.step("open the preview on a phone", click("#b-pane > summary"),
		until("the preview open", `() => document.querySelector("#b-pane").open ? "" : "closed"`), noSidewaysScroll("the builder's preview at 390 px"))
	b.windowShot("builder-390-preview")
	b.step("the full preview page shows the same form", chromedp.EmulateViewport(1440, 900), open(orgPath("/templates/"+main+"/preview")),
		see("main h1", "Preview: UX persona"), present(".b-preview fieldset[disabled]", 1), present("#section-profile", 1), labelled("the preview page"))
	b.looks("template preview", "main")
	if path := os.Getenv("PERSONAPAL_AXE"); path != "" {
		axeCheck(b, path, orgPath("/templates/"+main))
	}

	// Reorder a copy: drag fields within and between sections and a
	// section, save, then move a field with the keyboard.
	copyID := copyTemplate(t, main, "Builder order "+unique("t"))
	before := draftOrder(t, copyID)
	b.step("open the copy on a desktop", chromedp.EmulateViewport(1440, 900), open(orgPath("/templates/"+copyID)), present("#b-sections", 1))
	keys := run(b, "read the keys", chromedp.Evaluate[[]string](`[...document.querySelectorAll("#s0 .b-field, #s1 .b-field")].map(f => f.dataset.key)`))
	secKeys := run(b, "read the section keys", chromedp.Evaluate[[]string](`[...document.querySelectorAll("#b-sections > .b-section")].map(s => s.querySelector("input[name$='.key']").value)`))
	if len(secKeys) < 2 || len(keys) < 5 {
		t.Fatalf("the copy is too small to reorder: %v %v", secKeys, keys)
	}
	b.step("the outline reads as the saved draft", js(`(want) => { const got = (`+domOrder+`)(); return got === want ? "" : "outline " + got + ", draft " + want; }`, before))
	f0 := `#b-sections .b-field[data-key="` + keys[0] + `"]`
	f2 := `#b-sections .b-field[data-key="` + keys[2] + `"]`
	b.step("drag the first field below the third", dragRow(f0+" .b-grip", f2, .85),
		js(`(sel) => { const n = document.querySelector(sel + " input[name$='.key']").name; return n === "s.0.f.2.key" ? "" : "the dragged field's key is named " + n; }`, f0),
		see("#b-status", "Save draft to keep the new order"))
	b.step("the preview follows the new order before saving",
		until("the preview's order", `(a, b, c) => { const ids = [...document.querySelectorAll("#b-preview [id^='v-']")].map(e => e.id);
			const i = k => ids.indexOf("v-" + k); return i(b) < i(c) && i(c) < i(a) && i(a) >= 0 ? "" : "preview order " + JSON.stringify(ids.slice(0, 6)); }`, keys[0], keys[1], keys[2]))
	// The first field of the second section, dragged onto the first
	// section's head, becomes that section's first field.
	s1first := run(b, "the second section's first field", chromedp.Evaluate[string](`document.querySelector("#s1 .b-fields > .b-field").dataset.key`))
	b.step("drag a field of the second section into the first", dragRow(`#b-sections .b-field[data-key="`+s1first+`"] .b-grip`, "#s0 .b-section-head", .5),
		js(`(k) => document.querySelector("#s0 .b-fields > .b-field").dataset.key === k ? "" : "the first section starts with " + document.querySelector("#s0 .b-fields > .b-field").dataset.key`, s1first))
	b.step("drag the second section above the first", dragRow("#s1 > .b-section-head .b-grip", "#s0 > .b-section-head", .15),
		js(`(k) => { const first = document.querySelector("#b-sections > .b-section"); return first.id === "s1" && first.querySelector("input[name='s.0.key']").value === k ? "" : "the first section is " + first.id; }`, secKeys[1]))
	want := run(b, "the outline's order", chromedp.Evaluate[string](call(domOrder)))
	if want == before {
		t.Fatalf("dragging changed nothing: %s", want)
	}
	b.step("save the draft", click("#save-draft"), see("#builder-notice", "Draft saved."))
	if got := draftOrder(t, copyID); got != want {
		t.Fatalf("after Save draft the draft is\n%s\nwant the dragged order\n%s", got, want)
	}
	b.step("reload: the outline keeps the order", open(orgPath("/templates/"+copyID)), present("#b-sections", 1),
		js(`(want) => { const got = (`+domOrder+`)(); return got === want ? "" : "outline " + got; }`, want), openRows())

	// The keyboard alternative: open a row, move it down, and the row
	// stays open and focused where it went.
	tk := newTask(b, "move a field down with the keyboard", 3)
	tk.press("open the first field of the second section", "#s1-f0-edit > summary")
	tk.free("its row is open", openRows("s1-f0-edit"))
	tk.press("move it down", "#s1-f0-move-down")
	tk.free("the moved field is open and its button keeps the focus",
		until("the focus on the moved field", `() => document.activeElement && document.activeElement.id === "s1-f1-move-down" ? "" : "focus on " + (document.activeElement && document.activeElement.id)`),
		openRows("s1-f1-edit"), see("#builder-notice", "Field moved down."))
	moved := draftOrder(t, copyID)
	if moved == want {
		t.Fatal("the keyboard move was not saved")
	}
	b.step("reload: the keyboard move is kept", open(orgPath("/templates/"+copyID)),
		js(`(want) => { const got = (`+domOrder+`)(); return got === want ? "" : "outline " + got; }`, moved))

	// The preview follows what is typed, before anything is saved.
	b.step("rename a field: the preview shows the new label",
		click("#s0-f0-edit > summary"), typeInto("#s0-f0-label", "Renamed in the builder"),
		until("the preview updated", `() => document.querySelector("#b-preview").innerText.includes("Renamed in the builder") ? "" : "the preview still shows the old label"`))
	b.step("edit a published key: that field warns, once",
		typeInto("#s0-f0-key", "renamed_key"), see("#s0-f0-key-warn", "personas' values move to retired values"),
		js(`() => document.querySelectorAll("[data-rename-warning]:not([hidden])").length === 1 ? "" : "more than one rename warning"`))

	// On a phone the grip drags too, and the bar says to save.
	b.step("a phone: drag the second field of the second section above its first",
		chromedp.EmulateViewport(390, 844), open(orgPath("/templates/"+copyID)), present("#b-sections", 1),
		dragRow("#s1-f1 .b-grip", "#s1-f0", .2),
		js(`() => document.querySelector("#s1 .b-fields > .b-field").id === "s1-f1" ? "" : "the field did not move"`),
		js(`() => document.querySelector("#b-status").checkVisibility() && document.querySelector("#b-status").getBoundingClientRect().height > 10 ? "" : "the bar does not say to save"`),
		noSidewaysScroll("the builder after a drag at 390 px"))
	b.windowShot("builder-390-after-drag")
	b.step("save on the phone: the preview stays closed", click("#save-draft"), see("#builder-notice", "Draft saved."),
		js(`() => document.querySelector("#b-pane").open ? "the preview opened after the save" : ""`),
		js(`() => document.querySelector("#s1 .b-fields > .b-field .b-row-title").textContent.trim() !== "" ? "" : "no rows"`))
}

// axeCheck runs axe-core (the file at path) on the page and fails on a
// serious or critical violation, in light and dark.
func axeCheck(b *browser, path, page string) {
	b.t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		b.t.Fatalf("axe-core: %v", err)
	}
	defer b.step("axe: back to the light scheme", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{})
		return err
	}))
	for _, run := range []struct {
		width  int64
		scheme string
	}{{390, "light"}, {1440, "light"}, {390, "dark"}, {1440, "dark"}} {
		width, scheme := run.width, run.scheme
		b.step(fmt.Sprintf("axe at %d px (%s), a field and the preview open", width, scheme), chromedp.EmulateViewport(width, 900),
			chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
				_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
					Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}})
				return err
			}),
			open(page), present("#builder", 1), click("#s0-f1-edit > summary"), openRows("s0-f1-edit"),
			js(`() => { document.querySelector("#b-pane").open = true; return ""; }`),
			chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
				_, err := chromedp.Evaluate[bool](string(src)+";\ntrue")(ctx, t)
				return err
			}),
			until("axe finds no serious violation", `() => {
				if (!window.__axe) { window.__axe = "running"; axe.run(document, {resultTypes: ["violations"]}).then(r => {
					// The type badge's colours are app.css's (shared by every page), not the builder's.
					const mine = n => !n.target.join(" ").includes(".badge");
					window.__axe = r.violations.filter(v => v.impact === "serious" || v.impact === "critical")
						.map(v => ({id: v.id, nodes: v.nodes.filter(mine)})).filter(v => v.nodes.length)
						.map(v => v.id + ": " + v.nodes.slice(0, 4).map(n => n.target.join(" ") + " (" + (n.failureSummary || "").slice(0, 160) + ")").join(", ")); }); }
				if (window.__axe === "running") return "axe is running";
				return window.__axe.length ? window.__axe.join(" | ") : "";
			}`))
	}
}
