package e2e_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// The comparison of four personas and the base-and-variants table fit a
// phone and a desktop window in light and dark: the page never scrolls
// sideways, the wide table scrolls inside its own region, and the field
// column stays put while it does.
func TestComparisonPagesFitPhoneAndDesktop(t *testing.T) {
	names := []string{"System Lead", "Compliance Analyst", "Branch Manager", "Mainframe Batch Operator"}
	ids := make([]string, len(names))
	for i, n := range names {
		ids[i] = personaID(t, n)
	}
	b := signIn(t, orgPath("/compare?ids="+strings.Join(ids, ",")))
	b.step("the comparison shows the four personas",
		present("#compare-table", 1), see("#compare-table thead", names...))
	b.looks("comparison", "#compare-table")
	b.step("at 390px the table scrolls inside its region, its field column sticky",
		chromedp.EmulateViewport(390, 900), noSidewaysScroll("the comparison"),
		js(`() => {
			const region = document.querySelector(".compare-fields .table-scroll");
			if (region.scrollWidth <= region.clientWidth) return "the comparison table does not scroll inside its region at " + innerWidth + "px";
			const th = region.querySelector("tbody th[scope=row]");
			return getComputedStyle(th).position === "sticky" ? "" : "the field column is not sticky";
		}`))

	lead := personaID(t, "System Lead")
	b.step("open base and variants", chromedp.EmulateViewport(1440, 900), open(orgPath("/personas/"+lead+"/variants/compare")),
		present("#variant-compare td.overridden .override-mark", 2),
		present(`#variant-compare tr[data-path="values.tools"] td.overridden li`, 2),
		see("#variant-compare", "same as base"))
	b.looks("variant comparison", "#variant-compare")
	b.step("at 390px the variants scroll inside their region, the field column sticky",
		chromedp.EmulateViewport(390, 900), noSidewaysScroll("the base and variants page"),
		js(`() => {
			const region = document.querySelector(".vcompare-scroll");
			if (region.scrollWidth <= region.clientWidth) return "the variants table does not scroll inside its region";
			const th = region.querySelector("tbody tr[data-path] th[scope=row]");
			return getComputedStyle(th).position === "sticky" ? "" : "the field column is not sticky";
		}`))
	b.step("back to the desktop window", chromedp.EmulateViewport(1440, 900))
}

// The dimension chart of four UX personas at 390 and 1440 px, light and
// dark: one row per shared scale across the card's full width, every marker
// visible (tied values apart), text no smaller than 12 px, the series
// colours none of the profile types' colours, and the page never wider than
// the window. Screenshots of the chart go to $TMPDIR/personapal-e2e/.
func TestComparisonChartReadsOnPhoneAndDesktop(t *testing.T) {
	names := []string{"System Lead", "Compliance Analyst", "Branch Manager", "Mainframe Batch Operator"}
	ids := make([]string, len(names))
	for i, n := range names {
		ids[i] = personaID(t, n)
	}
	b := signIn(t, orgPath("/compare?ids="+strings.Join(ids, ",")))
	b.step("the chart and its legend name the four personas",
		present("#dimension-chart .dot-row", 7), present("#dimension-chart svg.dot", 28),
		see("#chart-legend", names...), see("#dimension-table", "Technical comfort"))
	b.step("no transitions for the screenshots", js(`() => { const s = document.createElement("style");
		s.textContent = "*, *::before, *::after { transition: none !important; }"; document.head.append(s); return ""; }`))
	defer b.step("back to the light scheme", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{})
		return err
	}))
	for _, scheme := range []string{"light", "dark"} {
		for _, width := range []int64{390, 1440} {
			where := fmt.Sprintf("%dpx %s", width, scheme)
			b.step("the chart at "+where,
				chromedp.EmulateViewport(width, 900),
				chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
					_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
						Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}})
					return err
				}),
				noSidewaysScroll("the comparison at "+where),
				js(chartChecks, width))
			b.shotOf("chart-"+strings.ReplaceAll(where, " ", "-"), ".compare-dimensions")
		}
	}

	// Eight personas of all four types: eight colours and eight shapes.
	eight := []string{"System Lead", "Compliance Analyst", "Branch Manager", "Product Designer", "Big Bank",
		"FinTech", "Regional Savings Bank", "Reconciliation Assistant"}
	ids = ids[:0]
	for _, n := range eight {
		ids = append(ids, personaID(t, n))
	}
	b.step("compare eight", open(orgPath("/compare?ids="+strings.Join(ids, ","))), see("#chart-legend", eight...))
	for _, scheme := range []string{"light", "dark"} {
		for _, width := range []int64{390, 1440} {
			where := fmt.Sprintf("%dpx %s", width, scheme)
			b.step("eight on the chart at "+where,
				chromedp.EmulateViewport(width, 900),
				chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
					_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
						Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}})
					return err
				}),
				noSidewaysScroll("eight compared at "+where),
				js(chartChecks, width))
			if width == 1440 {
				b.shotOf("eight-"+scheme, ".dimension-figure")
			}
		}
	}
	b.step("back to the desktop window", chromedp.EmulateViewport(1440, 900))
}

// chartChecks measures the chart as drawn; "" when it reads well.
const chartChecks = `(width) => {
	const fig = document.querySelector(".dimension-figure");
	const chart = document.getElementById("dimension-chart");
	const share = chart.getBoundingClientRect().width / fig.clientWidth;
	if (share < 0.95) return "the chart fills " + Math.round(share * 100) + "% of its card, want at least 95%";
	const rows = [...chart.querySelectorAll(".dot-row")];
	for (const row of rows) {
		const label = row.querySelector(".dot-label").getBoundingClientRect();
		const track = row.querySelector(".dot-plot").getBoundingClientRect();
		if (width < 600 && label.bottom > track.top + 1) return "at " + width + "px the label of " + row.dataset.dimension + " is beside its row, not above it";
		if (width >= 1200 && label.right > track.left) return "at " + width + "px the label of " + row.dataset.dimension + " overlaps its row";
		if (track.width < fig.clientWidth * (width < 600 ? 0.8 : 0.6)) return row.dataset.dimension + ": the track is only " + Math.round(track.width) + "px wide";
		const dots = [...row.querySelectorAll("svg.dot path")].map(p => p.getBoundingClientRect());
		for (let i = 0; i < dots.length; i++) {
			for (let j = i + 1; j < dots.length; j++) {
				const a = dots[i], b = dots[j];
				const dx = (a.left + a.width / 2) - (b.left + b.width / 2), dy = (a.top + a.height / 2) - (b.top + b.height / 2);
				if (Math.hypot(dx, dy) < 12) return row.dataset.dimension + ": markers " + i + " and " + j + " overlap (" + Math.round(Math.hypot(dx, dy)) + "px apart)";
			}
			if (dots[i].left < fig.getBoundingClientRect().left || dots[i].right > fig.getBoundingClientRect().right) return row.dataset.dimension + ": marker " + i + " runs out of the card";
		}
	}
	for (const el of fig.querySelectorAll(".dot-label, .tick-label, .dot-ends span, .dot-options span, .chart-legend li, .chart-title")) {
		const px = parseFloat(getComputedStyle(el).fontSize);
		if (px < 12) return "text '" + el.textContent.trim() + "' is " + px + "px, want at least 12px";
	}
	const probe = document.createElement("span");
	document.body.append(probe);
	const types = ["ux", "marketing", "archetype", "agent"].map(t => { probe.style.color = "var(--pp-" + t + ")"; return getComputedStyle(probe).color; });
	probe.remove();
	const seen = new Set();
	for (const li of fig.querySelectorAll(".chart-legend li")) {
		const fill = getComputedStyle(li.querySelector("path")).fill;
		if (types.includes(fill)) return li.textContent.trim() + " is drawn in a profile type's colour " + fill;
		if (seen.has(fill)) return "two series share the colour " + fill;
		seen.add(fill);
	}
	return "";
}`

// shotOf saves a screenshot of the first element sel matches.
func (b *browser) shotOf(name, sel string) {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.Screenshot(sel))
	if err != nil {
		b.t.Fatalf("screenshot of %s: %v", sel, err)
	}
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
