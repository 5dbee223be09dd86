package web_test

import (
	"math"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// chartMark is one marker of the dot plot as the page draws it.
type chartMark struct {
	persona, class, x, y, name string
}

var (
	chartRowRe  = regexp.MustCompile(`(?s)<div class="dot-row[^"]*" role="group" aria-labelledby="dot-row-([^"]+)" data-dimension="([^"]+)">(.*?)</svg>\s*(?:<div class="dot-(?:ends|options)"|</div>)`)
	chartMarkRe = regexp.MustCompile(`<svg class="dot ([^"]+)" data-persona="([^"]+)" x="([^"]+)" y="([^"]+)" [^>]*role="img" aria-label="([^"]+)"><title>([^<]+)</title><path d="[^"]+"/></svg>`)
)

// chartRows reads the rows of the dimension chart: markers by dimension key,
// in order.
func chartRows(t *testing.T, chart string) map[string][]chartMark {
	t.Helper()
	rows := map[string][]chartMark{}
	for _, m := range chartRowRe.FindAllStringSubmatch(chart, -1) {
		if m[1] != m[2] {
			t.Errorf("row %s is labelled by dot-row-%s", m[2], m[1])
		}
		if _, dup := rows[m[2]]; dup {
			t.Errorf("two chart rows for %s", m[2])
		}
		rows[m[2]] = []chartMark{}
		for _, d := range chartMarkRe.FindAllStringSubmatch(m[3], -1) {
			if d[5] != d[6] {
				t.Errorf("marker %q has the title %q", d[5], d[6])
			}
			rows[m[2]] = append(rows[m[2]], chartMark{class: d[1], persona: d[2], x: d[3], y: d[4], name: d[5]})
		}
		if n := strings.Count(m[3], `<svg class="dot `); n != len(rows[m[2]]) {
			t.Errorf("row %s: %d markers, %d of them read", m[2], n, len(rows[m[2]]))
		}
	}
	if len(rows) == 0 {
		t.Fatalf("no chart rows:\n%s", chart)
	}
	return rows
}

// Four UX personas: one chart row per shared dimension (a choice drawn as
// bands, one per option), every marker visible even where values tie, each
// in its own series colour and shape, none of them a profile type's colour.
func TestCompareChartOneRowPerScaleTiesApart(t *testing.T) {
	e := newWebEnv(t)
	names := []string{"System Lead", "Compliance Analyst", "Branch Manager", "Mainframe Batch Operator"}
	ids := e.compareIDs(names...)
	p := e.signedIn(e.viewer).get("/o/"+e.org+"/compare?ids="+strings.Join(ids, ",")).must(t, http.StatusOK)
	chart := between(p.Body, `<div id="dimension-chart"`, "</figure>")
	rows := chartRows(t, chart)

	dims := []string{"technical_comfort", "decision_authority", "autonomy", "risk_tolerance", "ai_adoption", "time_pressure", "usage_frequency"}
	if len(rows) != len(dims) {
		t.Errorf("%d chart rows, want one per shared dimension (%d)", len(rows), len(dims))
	}
	for _, k := range dims {
		if len(rows[k]) != 4 {
			t.Errorf("%s: %d markers, want 4", k, len(rows[k]))
		}
	}
	// The choice: daily, weekly, daily, daily on the bands of daily, weekly,
	// monthly and rarely, named under them; no range bar between options.
	usage := rows["usage_frequency"]
	for i, want := range []string{"System Lead: daily", "Compliance Analyst: weekly", "Branch Manager: daily", "Mainframe Batch Operator: daily"} {
		if usage[i].name != want {
			t.Errorf("usage frequency marker %d is named %q, want %q", i, usage[i].name, want)
		}
	}
	if usage[0].x != "12.5%" || usage[1].x != "37.5%" || usage[2].x != "12.5%" {
		t.Errorf("usage frequency markers not on their options' bands: %+v", usage)
	}
	urow := between(chart, `data-dimension="usage_frequency"`, `</div>
          </div>`)
	if !strings.Contains(urow, `<div class="dot-options" aria-hidden="true" style="--options: 4"><span>daily</span><span>weekly</span><span>monthly</span><span>rarely</span></div>`) ||
		strings.Contains(urow, "dot-span") {
		t.Errorf("usage frequency row:\n%s", urow)
	}

	// Ties: decision authority is 3, 2, 3, 1 and risk tolerance 2, 1, 2, 1.
	ties := 0
	for k, dots := range rows {
		seen := map[string]string{}
		byX := map[string]int{}
		for _, d := range dots {
			c := d.x + "," + d.y
			if other, dup := seen[c]; dup {
				t.Errorf("%s: %s and %s share the centre %s", k, other, d.name, c)
			}
			seen[c] = d.name
			byX[d.x]++
		}
		for _, n := range byX {
			if n > 1 {
				ties++
			}
		}
	}
	if ties == 0 {
		t.Error("no tied values in the demo comparison: the test checks nothing")
	}
	risk := rows["risk_tolerance"]
	if risk[0].x != risk[2].x || risk[0].y == risk[2].y {
		t.Errorf("risk tolerance: System Lead and Branch Manager tie at 2, want one x and two heights: %+v", risk)
	}
	for i, want := range []string{"System Lead: 2 of 5", "Compliance Analyst: 1 of 5", "Branch Manager: 2 of 5", "Mainframe Batch Operator: 1 of 5"} {
		if risk[i].name != want {
			t.Errorf("risk tolerance marker %d is named %q, want %q", i, risk[i].name, want)
		}
	}

	// The series palette, not the type colours; each persona one colour and
	// one shape throughout, and a legend that names them.
	for k, dots := range rows {
		for _, d := range dots {
			if want := "series-" + string(rune('0'+indexOf(ids, d.persona))); d.class != want {
				t.Errorf("%s: %s is in %s, want %s", k, d.name, d.class, want)
			}
		}
	}
	if strings.Contains(chart, "t-ux") {
		t.Error("the chart is coloured by profile type")
	}
	legend := between(p.Body, `<ul class="chart-legend"`, "</ul>")
	shapes := map[string]bool{}
	for i, n := range names {
		item := between(legend, `<li class="series-`+string(rune('0'+i))+`">`, "</li>")
		if !strings.Contains(item, n) {
			t.Errorf("legend item %d does not name %s:\n%s", i, n, legend)
		}
		if m := regexp.MustCompile(`<path d="([^"]+)"`).FindStringSubmatch(item); m != nil {
			shapes[m[1]] = true
		}
	}
	if len(shapes) != 4 {
		t.Errorf("the legend's four series share shapes: %v", shapes)
	}
	// The end labels of the scale.
	tech := between(chart, `data-dimension="technical_comfort"`, `</div>
          </div>`)
	if !strings.Contains(tech, "<span>Avoids new tools</span><span>Power user</span>") {
		t.Errorf("technical comfort lacks its end labels:\n%s", tech)
	}
	if strings.Contains(chart, "dumbbell") {
		t.Error("four personas drawn as a dumbbell")
	}
}

func indexOf(ids []string, id string) int {
	for i, v := range ids {
		if v == id {
			return i
		}
	}
	return -1
}

// Two personas: a dumbbell, the bar joining them where they differ.
func TestCompareChartTwoPersonasIsADumbbell(t *testing.T) {
	e := newWebEnv(t)
	ids := e.compareIDs("System Lead", "Compliance Analyst")
	p := e.signedIn(e.viewer).get("/o/"+e.org+"/compare?ids="+strings.Join(ids, ",")).must(t, http.StatusOK)
	if !strings.Contains(p.Body, `<div id="dimension-chart" class="dot-chart dumbbell"`) {
		t.Fatalf("two personas: no dumbbell chart:\n%s", between(p.Body, `<figure class="dimension-figure"`, "</figure>"))
	}
	chart := between(p.Body, `<div id="dimension-chart"`, "</figure>")
	// Technical comfort 5 and 3: joined. Autonomy 4 and 3: joined.
	for _, k := range []string{"technical_comfort", "autonomy"} {
		row := between(chart, `data-dimension="`+k+`"`, `<div class="dot-row`)
		if !strings.Contains(row, `<line class="dot-span"`) {
			t.Errorf("%s: the two values are not joined:\n%s", k, row)
		}
	}
	if !strings.Contains(p.Body, "Comparing 2 personas") {
		t.Error("the heading does not count two personas")
	}
}

// The chart's palette is its own: no series colour is a profile type's
// colour, in light or dark.
func TestCompareSeriesPaletteIsNotTheTypeColours(t *testing.T) {
	app, err := os.ReadFile("static/app.css")
	if err != nil {
		t.Fatal(err)
	}
	cmp, err := os.ReadFile("static/compare.css")
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]bool{}
	for _, m := range regexp.MustCompile(`--pp-(?:ux|marketing|archetype|agent):\s*(#[0-9a-fA-F]{6})`).FindAllStringSubmatch(string(app), -1) {
		types[strings.ToLower(m[1])] = true
	}
	if len(types) < 8 {
		t.Fatalf("read %d type colours from app.css, want the four types in light and dark", len(types))
	}
	series := regexp.MustCompile(`\.series-\d \{ --pp-series: (#[0-9a-fA-F]{6}); \}`).FindAllStringSubmatch(string(cmp), -1)
	if len(series) != 16 {
		t.Fatalf("want 8 series colours for light and 8 for dark, got %d", len(series))
	}
	seen := map[string]bool{}
	for i, m := range series {
		c := strings.ToLower(m[1])
		card, scheme := "#ffffff", "light" // Pico's card background
		if i >= 8 {
			card, scheme = "#181c25", "dark"
		}
		if r := contrast(c, card); r < 3 {
			t.Errorf("series colour %s has %.2f:1 against the %s card, want at least 3:1", c, r, scheme)
		}
		if types[c] {
			t.Errorf("series colour %s is a profile type's colour", c)
		}
		if seen[c] {
			t.Errorf("series colour %s is used twice", c)
		}
		seen[c] = true
	}
}

// contrast is the WCAG contrast ratio of two #rrggbb colours.
func contrast(a, b string) float64 {
	lum := func(h string) float64 {
		var rgb [3]float64
		for i := range rgb {
			v, _ := strconv.ParseUint(h[1+2*i:3+2*i], 16, 8)
			c := float64(v) / 255
			if c <= 0.03928 {
				rgb[i] = c / 12.92
			} else {
				rgb[i] = math.Pow((c+0.055)/1.055, 2.4)
			}
		}
		return 0.2126*rgb[0] + 0.7152*rgb[1] + 0.0722*rgb[2]
	}
	la, lb := lum(a), lum(b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}
