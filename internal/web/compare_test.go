package web_test

import (
	"context"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/persona"
)

// compareIDs returns the ids of demo personas by name, in order.
func (e *webEnv) compareIDs(names ...string) []string {
	e.t.Helper()
	ids := make([]string, len(names))
	for i, n := range names {
		ids[i] = e.searchDemoID(n)
	}
	return ids
}

// between returns the part of body from the first start to the next end.
func between(body, start, end string) string {
	i := strings.Index(body, start)
	if i < 0 {
		return ""
	}
	j := strings.Index(body[i:], end)
	if j < 0 {
		return body[i:]
	}
	return body[i : i+j+len(end)]
}

func TestCompareThreePersonasOfDifferentTypes(t *testing.T) {
	e := newWebEnv(t)
	names := []string{"System Lead", "Head of Operations (buyer)", "Reconciliation Assistant"} // ux, marketing, agent
	ids := e.compareIDs(names...)
	b := e.signedIn(e.viewer)
	p := b.get("/o/"+e.org+"/compare?ids="+strings.Join(ids, ",")).must(t, http.StatusOK)

	table := between(p.Body, `<table id="compare-table"`, "</table>")
	head := between(table, "<thead>", "</thead>")
	for i, n := range names {
		if !strings.Contains(head, `href="/o/`+e.org+`/personas/`+ids[i]+`">`+n+`</a>`) {
			t.Errorf("table header lacks a link to %s:\n%s", n, head)
		}
	}
	for _, typ := range []string{"t-ux", "t-marketing", "t-agent"} {
		if !strings.Contains(head, "badge "+typ) {
			t.Errorf("table header lacks the %s badge", typ)
		}
	}

	// role_title is in the UX and the marketing template (aligned by key)
	// and holds different values; the agent template has no such field.
	row := between(table, `data-field="role_title"`, "</tr>")
	if !strings.Contains(row, "Reconciliation System Lead") || strings.Count(row, `<td class="differs">`) != 2 ||
		strings.Count(row, `class="absent"`) != 1 || !strings.Contains(row, "not in this template") ||
		!strings.Contains(row, `<span class="visually-hidden"> (differs)</span>`) {
		t.Errorf("role_title row: want two differing cells and one absent:\n%s", row)
	}
	if !strings.Contains(between(p.Body, `<tr class="row-differs" data-field="role_title"`, ">"), "row-differs") {
		t.Error("role_title row not flagged as differing")
	}

	// The chart: one row per shared scale, one marker per persona that has
	// it, in the series palette (not the type colours), each named.
	chart := between(p.Body, `<div id="dimension-chart"`, "</figure>")
	if chart == "" {
		t.Fatalf("no dimension chart:\n%s", p.Body)
	}
	if !strings.Contains(chart, `role="group" aria-label="System Lead, Head of Operations (buyer) and Reconciliation Assistant on`) {
		t.Errorf("chart is not labelled for assistive technology:\n%s", chart)
	}
	rows := chartRows(t, chart)
	for _, shared := range []string{"decision_authority", "risk_tolerance", "autonomy", "technical_comfort"} {
		if _, ok := rows[shared]; !ok {
			t.Errorf("chart lacks a row for shared dimension %s", shared)
		}
	}
	for _, lone := range []string{"oversight_intensity", "budget_authority", "time_pressure"} {
		if strings.Contains(p.Body, `data-dimension="`+lone+`"`) {
			t.Errorf("%s is in one template only but is shown", lone)
		}
	}
	for key, dots := range rows {
		for _, d := range dots {
			i := slices.Index(ids, d.persona)
			if i < 0 || d.class != "series-"+strconv.Itoa(i) {
				t.Errorf("%s: marker %+v: want series-N for the N-th persona", key, d)
			}
		}
	}
	// The buyer's template has no autonomy: that row has two markers.
	if got := rows["autonomy"]; len(got) != 2 || got[0].persona != ids[0] || got[1].persona != ids[2] {
		t.Errorf("autonomy: want markers for the UX persona and the agent only: %+v", got)
	}
	if !strings.Contains(chart, `aria-label="System Lead: 2 of 5"><title>System Lead: 2 of 5</title>`) {
		t.Errorf("markers lack their accessible name (\"System Lead: 2 of 5\"):\n%s", chart)
	}
	if strings.Contains(chart, "t-ux") || strings.Contains(chart, "t-agent") {
		t.Error("the chart uses the profile-type colours")
	}
	// The data table gives the same values as text.
	dims := between(p.Body, `<table id="dimension-table"`, "</table>")
	risk := between(dims, `data-dimension="risk_tolerance"`, "</tr>") // 2, 2 and 2
	if strings.Count(risk, "<td>2 of 1–5</td>") != 3 || !strings.Contains(risk, `class="row-same"`) {
		t.Errorf("risk tolerance: want three equal values:\n%s", risk)
	}
	authority := between(dims, `data-dimension="decision_authority"`, "</tr>") // 3, 5 and 1
	for _, want := range []string{`<td class="differs">3 of 1–5</td>`, `<td class="differs">5 of 1–5</td>`, `<td class="differs">1 of 1–5</td>`} {
		if !strings.Contains(authority, want) || !strings.Contains(authority, `class="row-differs"`) {
			t.Errorf("decision authority: want %s and the row flagged:\n%s", want, authority)
		}
	}
	comfort := between(dims, `data-dimension="technical_comfort"`, "</tr>") // not in the agent template
	if !strings.Contains(comfort, `<td class="absent"><span class="not-in-template">not in this template</span></td>`) {
		t.Errorf("technical comfort: the agent cell should say the template lacks it:\n%s", comfort)
	}

	// The page is its own shareable link.
	if !strings.Contains(p.Body, `<label for="share-url">Share this comparison</label>`) ||
		!strings.Contains(p.Body, `/o/`+e.org+`/compare?ids=`+strings.Join(ids, ",")+`" readonly`) {
		t.Errorf("no share link:\n%s", between(p.Body, `class="share`, "</div>"))
	}
}

func TestCompareEscapesUserText(t *testing.T) {
	e := newWebEnv(t)
	evil := e.searchPersonaIn(e.owner, e.org, `Eve <script>alert(1)</script>`, "x", `<img src=x onerror=alert(2)>`)
	ids := append([]string{evil.ID}, e.compareIDs("Compliance Analyst")...)
	p := e.signedIn(e.owner).get("/o/"+e.org+"/compare?ids="+strings.Join(ids, ",")).must(t, http.StatusOK)
	if strings.Contains(p.Body, "<script>alert") || strings.Contains(p.Body, "<img src=x") {
		t.Fatalf("user text reached the page unescaped")
	}
	chart := between(p.Body, `<div id="dimension-chart"`, "</figure>")
	if !strings.Contains(chart, "<title>Eve &lt;script&gt;alert(1)&lt;/script&gt;: ") {
		t.Errorf("marker titles not escaped:\n%s", chart)
	}
}

func TestComparePickerAndLimits(t *testing.T) {
	e := newWebEnv(t)
	b := e.signedIn(e.owner)
	base := "/o/" + e.org + "/compare"
	ids := e.compareIDs("System Lead", "Compliance Analyst", "Branch Manager", "Product Designer", "Big Bank",
		"FinTech", "Regional Savings Bank", "Reconciliation Assistant", "Onboarding Guide")

	// No or one id: the picker, every persona grouped, the given one ticked.
	p := b.get(base+"?ids="+ids[0]).must(t, http.StatusOK)
	picker := between(p.Body, `<form id="compare-picker"`, "</form>")
	if n := strings.Count(picker, `type="checkbox" id="pick-`); n != 15 {
		t.Errorf("picker lists %d personas, want the 15 demo personas", n)
	}
	if !strings.Contains(picker, `value="`+ids[0]+`" checked>`) || strings.Count(picker, " checked>") != 1 {
		t.Errorf("the given persona is not the only one ticked")
	}
	for _, g := range []string{"Banking customers", "Product users", "Go-to-market", "AI agents"} {
		if !strings.Contains(picker, "<legend>"+g) {
			t.Errorf("picker lacks group %s", g)
		}
	}
	if !strings.Contains(picker, `name="ids"`) || !strings.Contains(picker, `method="get" action="`+base+`"`) {
		t.Error("picker does not submit ids by GET to the comparison")
	}

	// Submitting the picker (repeated ids=) lands on the canonical link.
	p = b.get(base+"?picked=1&ids="+ids[0]+"&ids="+ids[1]).must(t, http.StatusOK)
	if p.URL != base+"?ids="+ids[0]+","+ids[1] {
		t.Errorf("picker submit ended at %s, want the canonical comparison link", p.URL)
	}
	if !strings.Contains(p.Body, `id="compare-table"`) {
		t.Error("repeated ids= did not compare")
	}
	// Too few picked: the picker again, with a message.
	p = b.get(base+"?picked=1&ids="+ids[0]).must(t, http.StatusUnprocessableEntity)
	if !strings.Contains(p.Body, "Pick at least 2 personas to compare.") {
		t.Errorf("one picked: want a message:\n%s", p.Body)
	}

	// Nine: refused with a clear message, the picker keeps the ticks.
	p = b.get(base+"?ids="+strings.Join(ids, ",")).must(t, http.StatusUnprocessableEntity)
	if !strings.Contains(p.Body, `id="compare-message"`) || !strings.Contains(p.Body, "You picked 9 personas. A comparison shows at most 8") {
		t.Errorf("nine: want a clear message:\n%s", p.Body)
	}
	if n := strings.Count(between(p.Body, `<form id="compare-picker"`, "</form>"), " checked>"); n != 9 {
		t.Errorf("nine: %d ticked, want 9", n)
	}
	// Eight is fine, and duplicates do not count twice.
	p = b.get(base+"?ids="+strings.Join(ids[:8], ",")+","+ids[0]).must(t, http.StatusOK)
	if n := strings.Count(between(p.Body, `<ul class="chart-legend"`, "</ul>"), `<li class="series-`); n != 8 {
		t.Errorf("eight: %d series in the legend", n)
	}
	for i := range 8 {
		if !strings.Contains(p.Body, `class="dot series-`+strconv.Itoa(i)+`"`) {
			t.Errorf("eight: no marker in series-%d", i)
		}
	}
	// "Change selection" opens the picker with the comparison ticked.
	p = b.get(base+"?ids="+ids[0]+","+ids[1]+"&edit=1").must(t, http.StatusOK)
	if n := strings.Count(between(p.Body, `<form id="compare-picker"`, "</form>"), " checked>"); n != 2 {
		t.Errorf("edit: %d ticked, want 2", n)
	}
}

func TestCompareNotFound(t *testing.T) {
	e := newWebEnv(t)
	ids := e.compareIDs("System Lead", "Big Bank")
	base := "/o/" + e.org + "/compare?ids="

	// An outsider cannot see the comparison, even with valid ids.
	e.signedIn(e.outsider).get(base+strings.Join(ids, ",")).must(t, http.StatusNotFound)

	b := e.signedIn(e.owner)
	b.get(base+ids[0]+",no-such-persona").must(t, http.StatusNotFound)
	// Another organisation's persona is not found either.
	other := e.searchPersonaIn(e.outsider, e.otherOrg, "Other Org Persona", "x", "Elsewhere")
	p := b.get(base+ids[0]+","+other.ID).must(t, http.StatusNotFound)
	if strings.Contains(p.Body, "Other Org Persona") {
		t.Error("the not-found page names the other organisation's persona")
	}
	// A trashed persona cannot be compared.
	if err := e.svc.TrashPersona(context.Background(), e.actor(e.owner), e.org, ids[1]); err != nil {
		t.Fatal(err)
	}
	b.get(base+strings.Join(ids, ",")).must(t, http.StatusNotFound)
	_ = persona.MaxCompare
}

// TestCompareTintsOnlyFilledValuesThatDiffer: a row is "differs" only when
// two filled values differ, and only the filled cells of such a row are
// tinted; a field one persona left empty is no difference.
func TestCompareTintsOnlyFilledValuesThatDiffer(t *testing.T) {
	e := newWebEnv(t)
	ids := e.compareIDs("System Lead", "Mainframe Batch Operator", "Branch Manager")
	p := e.signedIn(e.viewer).get("/o/"+e.org+"/compare?ids="+strings.Join(ids, ",")).must(t, http.StatusOK)
	table := between(p.Body, `<table id="compare-table"`, "</table>")
	rows := regexp.MustCompile(`(?s)<tr class="(row-differs|row-same)" data-field="[^"]*">.*?</tr>`).FindAllStringSubmatch(table, -1)
	if len(rows) == 0 {
		t.Fatal("no field rows")
	}
	cell := regexp.MustCompile(`(?s)<td( class="[^"]*")?>(.*?)</td>`)
	var differs, sameWithEmpty int
	for _, r := range rows {
		var filled, tinted int
		for _, c := range cell.FindAllStringSubmatch(r[0], -1) {
			empty := strings.Contains(c[2], "Not filled in yet")
			if c[1] == ` class="differs"` {
				tinted++
				if empty {
					t.Errorf("an empty cell is tinted as differing:\n%s", r[0])
				}
			}
			if c[1] != ` class="absent"` && !empty {
				filled++
			}
		}
		switch {
		case r[1] == "row-differs":
			differs++
			if filled < 2 || tinted != filled {
				t.Errorf("row marked differing with %d filled and %d tinted cells:\n%s", filled, tinted, r[0])
			}
		case tinted > 0:
			t.Errorf("a row that does not differ has tinted cells:\n%s", r[0])
		case filled >= 1 && filled < 3:
			sameWithEmpty++
		}
	}
	if differs == 0 || differs == len(rows) {
		t.Errorf("%d of %d rows differ: the tint tells nothing", differs, len(rows))
	}
	if sameWithEmpty == 0 {
		t.Error("no row filled in by only some personas counts as the same")
	}
	if !strings.Contains(p.Body, strconv.Itoa(differs)+" field") {
		t.Errorf("the summary does not count the %d differing rows", differs)
	}
}

// The compare pages print counts with the noun that agrees with them: the
// heading and summary of a comparison, and the variants and overrides of
// base and variants, where each column counts the overrides it marks.
func TestComparePagesCountWithPlurals(t *testing.T) {
	e := newWebEnv(t)
	b := e.signedIn(e.viewer)
	ids := e.compareIDs("System Lead", "Compliance Analyst")
	p := b.get("/o/"+e.org+"/compare?ids="+strings.Join(ids, ",")).must(t, http.StatusOK)
	summary := between(p.Body, `<p class="muted" id="compare-summary">`, "</p>")
	if !strings.Contains(p.Body, "Comparing 2 personas") || !regexp.MustCompile(`(\b1 field differs|\b([02-9]|\d\d+) fields differ) between them · ([02-9]|\d\d+) shared dimensions\.`).MatchString(summary) {
		t.Errorf("comparison counts: %s", summary)
	}
	picker := b.get("/o/"+e.org+"/compare").must(t, http.StatusOK)
	for _, m := range regexp.MustCompile(`<small class="muted">(\d+) (personas?)</small></legend>`).FindAllStringSubmatch(picker.Body, -1) {
		if (m[1] == "1") != (m[2] == "persona") {
			t.Errorf("picker group counts %q", m[0])
		}
	}
	if !strings.Contains(picker.Body, `personas</small></legend>`) {
		t.Error("picker groups do not count their personas")
	}

	lead := ids[0]
	p = b.get("/o/"+e.org+"/personas/"+lead+"/variants/compare").must(t, http.StatusOK)
	table := between(p.Body, `<table class="vcompare"`, "</table>")
	heads := regexp.MustCompile(`<small class="muted vcompare-overrides">(\d+) (overrides?)</small>`).FindAllStringSubmatch(table, -1)
	if len(heads) < 2 {
		t.Fatalf("want the demo's variants of System Lead to count their overrides:\n%s", between(table, "<thead>", "</thead>"))
	}
	if want := strconv.Itoa(len(heads)) + " customer variants side by side with the base."; !strings.Contains(p.Body, want) {
		t.Errorf("base and variants does not say %q", want)
	}
	rows := regexp.MustCompile(`(?s)<tr data-path="[^"]+">(.*?)</tr>`).FindAllStringSubmatch(table, -1)
	per := make([]int, len(heads))
	for _, r := range rows {
		cells := regexp.MustCompile(`<td class="(base-value|overridden|inherited)"`).FindAllStringSubmatch(r[1], -1)
		for i, c := range cells[1:] {
			if c[1] == "overridden" {
				per[i]++
			}
		}
	}
	for i, h := range heads {
		if h[1] != strconv.Itoa(per[i]) || (h[1] == "1") != (h[2] == "override") {
			t.Errorf("variant %d says %q, and marks %d overrides", i, h[0], per[i])
		}
	}
}
