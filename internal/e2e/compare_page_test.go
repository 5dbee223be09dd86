package e2e_test

import (
	"strings"
	"testing"

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
