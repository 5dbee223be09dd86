package e2e_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// barHeight returns the height of the top bar in CSS pixels, as the
// browser lays it out.
func barHeight(b *browser) float64 {
	b.t.Helper()
	h := run(b, "measure the top bar", chromedp.Evaluate[float64](`document.querySelector("header.topbar").getBoundingClientRect().height`))
	return h
}

// key presses one key on the focused element, as a keyboard user.
func key(k string) action {
	return chromedp.KeyEvent(k)
}

// focusOn moves the keyboard focus to sel (as Tab would, without
// counting the tabs).
func focusOn(sel string) action {
	return js(`(sel) => { const el = document.querySelector(sel); if (!el) return "no element " + sel; el.focus();
		return document.activeElement === el ? "" : sel + " takes no focus"; }`, sel)
}

// fits fails unless the page fits the window's width, naming the
// elements that stick out.
func fits(where string) action {
	return js(`(where) => {
		const over = document.documentElement.scrollWidth - window.innerWidth;
		if (over <= 0) return "";
		const out = [...document.querySelectorAll("body *")].filter(e => e.checkVisibility() && e.getBoundingClientRect().right > window.innerWidth + 1)
			.map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.className && typeof e.className === "string" ? "." + e.className.trim().split(/\s+/).join(".") : "") + " right=" + Math.round(e.getBoundingClientRect().right));
		return where + " scrolls sideways by " + over + "px at " + window.innerWidth + "px; sticking out: " + out.slice(0, 12).join(", ");
	}`, where)
}

// tablesWrapped fails if a table of the page is not inside a scrolling
// wrapper (.table-wrap or .table-scroll), which keeps a wide table from
// widening the page.
func tablesWrapped(where string) action {
	return js(`(where) => {
		const bare = [...document.querySelectorAll("main table")].filter(t => !t.closest(".table-wrap, .table-scroll"));
		return bare.length ? where + " has " + bare.length + " table(s) outside a scrolling wrapper: " + bare.map(t => t.id || t.className).join(", ") : "";
	}`, where)
}

// windowShot keeps a screenshot of what the window shows (not the whole
// page): the top bar and the first screen, for people to look at.
func (b *browser) windowShot(name string) {
	b.t.Helper()
	png := run(b, "screenshot of the window: "+name, chromedp.CaptureScreenshot())
	dir := filepath.Join(os.TempDir(), "personapal-e2e")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	path := filepath.Join(dir, "shell-"+name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot %s: %s", name, path)
}

// The top bar on a phone is one compact row (≤ 64 px, also while it sticks
// to the top of a scrolled page); its menu opens with the keyboard, has an
// accessible name, and its links lead where they say. The organisation menu
// holds the organisation's own area, the personal menu only the account.
// No page of the demo scrolls sideways at 390 or 1440 px.
func TestTopBarIsCompactOnAPhoneAndOpensWithTheKeyboard(t *testing.T) {
	b := signIn(t, orgPath(""))
	b.step("a phone window", chromedp.EmulateViewport(390, 844))
	b.step("the top bar is one row on the home page", open(orgPath("")), present("header.topbar", 1))
	b.shot("home-390-bar")
	if h := barHeight(b); h > 64 {
		t.Logf("%s", run(b, "debug", chromedp.Evaluate[string](`[...document.querySelectorAll("header.topbar .bar > *, header.topbar")].map(e => e.className + ":" + JSON.stringify(e.getBoundingClientRect())).join("\n")`)))
		t.Fatalf("the top bar is %.0f px tall at 390 px; want at most 64", h)
	}
	b.step("scrolled down, the sticky bar still covers at most 64 px",
		js(`() => { window.scrollTo(0, 600); const r = document.querySelector("header.topbar").getBoundingClientRect();
			return r.bottom > 64 ? "the sticky bar covers " + r.bottom + "px" : ""; }`),
		js(`() => { window.scrollTo(0, 0); return ""; }`))
	b.step("the section links are folded away",
		until("the main menu closed", `() => document.querySelector("#site-menu").open ? "the menu is open" : ""`),
		js(`() => { const a = document.querySelector('.nav-links a[href$="/evidence"]');
			return a.checkVisibility() ? "the Evidence link shows while the menu is closed" : ""; }`))
	b.step("the menu button has an accessible name",
		js(`() => { const s = document.querySelector("#site-menu > summary");
			return (s.getAttribute("aria-label") || s.textContent).trim() ? "" : "the menu button has no name"; }`))
	b.step("open the menu with the keyboard", focusOn("#site-menu > summary"), key(kb.Enter),
		until("the main menu open", `() => document.querySelector("#site-menu").open ? "" : "the menu is closed"`),
		js(`() => { const a = document.querySelector('.nav-links a[href$="/evidence"]');
			const r = a.getBoundingClientRect(); return a.checkVisibility() && r.bottom <= window.innerHeight ? "" : "the Evidence link is not shown"; }`),
		js(`() => { const links = [...document.querySelectorAll(".site-menu .user-menu a, .site-menu .user-menu button")].map(e => e.textContent.trim());
			const want = ["Your account", "API tokens", "Sign out"];
			return JSON.stringify(links) === JSON.stringify(want) ? "" : "the personal menu holds " + JSON.stringify(links); }`),
		js(`() => { const a = document.querySelector(".site-menu .user-menu a"); 
			return a.checkVisibility() ? "" : "the personal menu's links are not shown in the phone menu"; }`))
	b.step("tab to Evidence and follow it with Enter",
		focusOn(`.nav-links a[href$="/evidence"]`),
		waitLoad(key(kb.Enter)), atPath(`/evidence$`), see("main h1", "Evidence"))
	if h := barHeight(b); h > 64 {
		t.Fatalf("the top bar is %.0f px tall on the evidence page at 390 px; want at most 64", h)
	}
	b.step("Escape closes the menu and gives the focus back to its button",
		focusOn("#site-menu > summary"), key(kb.Enter),
		until("the main menu open", `() => document.querySelector("#site-menu").open ? "" : "the menu is closed"`),
		focusOn(`.nav-links a[href$="/templates"]`), key(kb.Escape),
		until("the main menu closed", `() => document.querySelector("#site-menu").open ? "the menu is open" : ""`),
		js(`() => document.activeElement === document.querySelector("#site-menu > summary") ? "" : "the focus is on " + document.activeElement.outerHTML.slice(0, 80)`))
	b.step("the organisation menu opens with the keyboard and holds the organisation's area",
		focusOn(".org-menu > summary"), key(kb.Enter),
		until("the organisation menu open", `() => document.querySelector(".org-menu").open ? "" : "closed"`),
		js(`() => { const s = document.querySelector(".org-menu > summary"); return s.getAttribute("aria-label").startsWith("Organisation menu") ? "" : "no name"; }`),
		js(`() => { const texts = [...document.querySelectorAll(".org-menu a")].map(e => e.textContent.trim());
			for (const w of ["Groups", "Members", "Organisation notes", "Trash", "+ New organisation"]) if (!texts.includes(w)) return "the organisation menu lacks " + w + ": " + JSON.stringify(texts);
			return ""; }`),
		js(`() => { const ul = document.querySelector(".org-menu > ul").getBoundingClientRect();
			return ul.left >= 0 && ul.right <= window.innerWidth ? "" : "the organisation menu runs out of the window: " + ul.left + "–" + ul.right; }`),
		noSidewaysScroll("the open organisation menu"))
	b.step("follow Trash from it", focusOn(`.org-menu a[href$="/trash"]`), waitLoad(key(kb.Enter)), atPath(`/trash$`))

	b.step("a desktop window", chromedp.EmulateViewport(1440, 900), open(orgPath("")))
	if h := barHeight(b); h > 72 {
		t.Fatalf("the top bar is %.0f px tall at 1440 px; want one row", h)
	}
	b.step("on a desktop the section links show without a menu button",
		js(`() => document.querySelector("#site-menu > summary").checkVisibility() ? "the menu button shows on a desktop" : ""`),
		js(`() => { const a = document.querySelector('.nav-links a[href$="/evidence"]'); return a.checkVisibility() ? "" : "no Evidence link"; }`),
		js(`() => { const s = document.querySelector(".user-menu > summary"); return s.checkVisibility() && s.textContent.trim() ? "" : "no personal menu"; }`))

	tpl := findTemplate(t, "ux")
	pages := []struct{ name, path, sel string }{
		{"home", orgPath(""), "main"},
		{"members", orgPath("/members"), "main"},
		{"evidence", orgPath("/evidence"), "main"},
		{"templates", orgPath("/templates"), "main"},
		{"template builder", orgPath("/templates/" + tpl), "main"},
		{"audit", orgPath("/audit"), "main"},
		{"trash", orgPath("/trash"), "main"},
		{"account", "/account", "main"},
		{"tokens", "/account/tokens", "main"},
		{"groups", orgPath("/groups"), "main"},
		{"search", orgPath("/search?q=lead"), "main"},
		{"alignment", orgPath("/alignment"), "main"},
		{"launchpads", orgPath("/launchpads"), "main"},
		{"organisation notes", orgPath("/notes"), "main"},
		{"evidence coverage", orgPath("/evidence/coverage"), "main"},
	}
	for _, width := range []int64{390, 1440} {
		for _, p := range pages {
			b.step(fmt.Sprintf("%s fits %dpx", p.name, width),
				chromedp.EmulateViewport(width, 900), open(p.path), present(p.sel, 1), fits(p.name), tablesWrapped(p.name))
		}
	}
	b.step("home again", chromedp.EmulateViewport(1440, 900), open(orgPath("")))
	b.looks("home", "main")
	b.step("home with the menu open on a phone", chromedp.EmulateViewport(390, 844), focusOn("#site-menu > summary"), key(kb.Enter),
		until("the main menu open", `() => document.querySelector("#site-menu").open ? "" : "the menu is closed"`))
	b.windowShot("home-390-menu-open")
	b.step("the organisation menu on a phone", js(`() => { document.querySelector("#site-menu").open = false; document.querySelector(".org-menu").open = true; return ""; }`))
	b.windowShot("home-390-org-menu")
	b.step("close it", js(`() => { document.querySelector(".org-menu").open = false; return ""; }`))
	for _, scheme := range []string{"light", "dark"} {
		for _, width := range []int64{390, 1440} {
			b.step(fmt.Sprintf("home at %dpx (%s)", width, scheme), chromedp.EmulateViewport(width, 844),
				chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
					_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
						Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}})
					return err
				}), open(orgPath("")), present("header.topbar", 1))
			b.windowShot(fmt.Sprintf("home-%d-%s", width, scheme))
		}
	}
	b.step("the audit log on a phone: its table scrolls in its wrapper", chromedp.EmulateViewport(390, 844), open(orgPath("/audit")), fits("audit"))
	b.windowShot("audit-390-dark")
	b.step("back to the light scheme", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{})
		return err
	}), chromedp.EmulateViewport(1440, 900))
}
