package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

func (h *Handler) compareRoutes() {
	h.org("GET /o/{org}/compare", h.comparePage)
}

// compareView is the comparison page: a picker while fewer than two
// personas are chosen (or the choice is being changed), else the personas
// side by side with their shared dimensions.
type compareView struct {
	Org string

	// The picker.
	Picking  bool
	Picker   []pickerGroup
	Selected int    // how many are ticked
	Message  string // why the selection cannot be compared
	Min, Max int

	// The comparison.
	Personas   []comparePersona
	Sections   []compareSection
	Dimensions []compareDimension
	Chart      dimensionChart
	DiffRows   int    // rows whose values differ
	ShareURL   string // absolute link to this comparison
	EditURL    string // the picker with this selection
}

type pickerGroup struct {
	ID, Name string
	Items    []pickerItem
}

type pickerItem struct {
	ID, Name string
	Type     persona.ProfileType
	Status   persona.Status
	Summary  string
	Checked  bool
}

// comparePersona is one column of the comparison.
type comparePersona struct {
	ID, Name     string
	Type         persona.ProfileType
	Status       persona.Status
	Summary      string
	GroupName    string
	TemplateName string
	Version      int
	UpdatedAt    time.Time
	Series       string // CSS class of its chart colour
	Shape        string // its chart marker, drawn in a 12×12 box around 0,0
	RemoveURL    string // the comparison without it ("" when only two are left)
}

type compareSection struct {
	persona.CompareSection
	AnyDiffers bool
}

type compareDimension struct {
	persona.CompareDimension
	Values []dimensionValue // one per persona
}

// dimensionValue is one persona's value on a dimension, as text for the
// data table.
type dimensionValue struct {
	Has  bool
	Set  bool
	Text string
}

func (h *Handler) comparePage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	q := r.URL.Query()
	ids := compareIDs(q["ids"])
	v := compareView{Org: c.Org.Slug, Min: persona.MinCompare, Max: persona.MaxCompare}
	editing := q.Get("edit") != ""
	switch {
	case len(ids) >= persona.MinCompare && len(ids) <= persona.MaxCompare && !editing &&
		(q.Has("picked") || len(q["ids"]) > 1):
		// From the picker form: move to the canonical, shareable address.
		http.Redirect(w, r, compareURL(c.Org.Slug, ids), http.StatusSeeOther)
		return nil
	case len(ids) > persona.MaxCompare:
		v.Message = fmt.Sprintf("You picked %d personas. A comparison shows at most %d side by side: untick %d and compare again.",
			len(ids), persona.MaxCompare, len(ids)-persona.MaxCompare)
		return h.comparePicker(w, r, c, v, ids, http.StatusUnprocessableEntity)
	case len(ids) < persona.MinCompare && q.Has("picked"):
		v.Message = fmt.Sprintf("Pick at least %d personas to compare.", persona.MinCompare)
		return h.comparePicker(w, r, c, v, ids, http.StatusUnprocessableEntity)
	case len(ids) < persona.MinCompare || editing:
		return h.comparePicker(w, r, c, v, ids, http.StatusOK)
	}

	ctx := r.Context()
	labels, err := h.svc.Names(ctx, c.Actor, c.Org.Slug)
	if err != nil {
		return err
	}
	groupNames, templateNames := labels.Groups, labels.Templates
	ps, err := h.svc.GetPersonas(ctx, c.Actor, c.Org.Slug, ids)
	if err != nil {
		return err
	}
	in := make([]persona.CompareInput, 0, len(ps))
	for _, p := range ps {
		ver, err := h.svc.PersonaDefinition(ctx, c.Actor, c.Org.Slug, p)
		if err != nil {
			return err
		}
		in = append(in, persona.CompareInput{Persona: p, Definition: ver.Definition})
	}
	cmp, err := persona.Compare(in)
	if err != nil {
		return err
	}

	distinctTypes := true
	seen := map[persona.ProfileType]bool{}
	for _, ci := range in {
		if seen[ci.Persona.ProfileType] {
			distinctTypes = false
		}
		seen[ci.Persona.ProfileType] = true
	}
	for i, ci := range in {
		p := ci.Persona
		cp := comparePersona{ID: p.ID, Name: p.Name, Type: p.ProfileType, Status: p.Status, Summary: p.Summary,
			GroupName: groupNames[p.GroupID], TemplateName: templateNames[p.TemplateID], Version: p.TemplateVersion,
			UpdatedAt: p.UpdatedAt, Series: "series-" + strconv.Itoa(i), Shape: markerShapes[i%len(markerShapes)]}
		if distinctTypes { // one persona per type: the type's own colour
			cp.Series = "t-" + string(p.ProfileType)
		}
		if len(ids) > persona.MinCompare {
			cp.RemoveURL = compareURL(c.Org.Slug, slices.Delete(slices.Clone(ids), i, i+1))
		}
		v.Personas = append(v.Personas, cp)
	}
	for _, s := range cmp.Sections {
		cs := compareSection{CompareSection: s}
		for _, row := range s.Rows {
			if row.Differs {
				cs.AnyDiffers = true
				v.DiffRows++
			}
		}
		v.Sections = append(v.Sections, cs)
	}
	for _, d := range cmp.Dimensions {
		cd := compareDimension{CompareDimension: d}
		for _, cell := range d.Cells {
			cd.Values = append(cd.Values, dimensionValue{Has: cell.Has, Set: cell.Set(), Text: dimensionText(cell)})
		}
		v.Dimensions = append(v.Dimensions, cd)
	}
	v.Chart = chartOf(cmp.Dimensions, v.Personas)
	scheme := "http"
	if isHTTPS(r) {
		scheme = "https"
	}
	v.ShareURL = scheme + "://" + r.Host + compareURL(c.Org.Slug, ids)
	v.EditURL = compareURL(c.Org.Slug, ids) + "&edit=1"
	names := make([]string, len(v.Personas))
	for i, p := range v.Personas {
		names[i] = p.Name
	}
	return h.render(w, r, c, http.StatusOK, "compare", "Compare "+joinNames(names), v)
}

// comparePicker renders the checkbox list of every persona, grouped by group.
func (h *Handler) comparePicker(w http.ResponseWriter, r *http.Request, c *Ctx, v compareView, ids []string, status int) error {
	v.Picking = true
	groups, err := h.svc.ListGroups(r.Context(), c.Actor, c.Org.Slug)
	if err != nil {
		return err
	}
	all, err := h.allPersonas(r, c, persona.PersonaFilter{})
	if err != nil {
		return err
	}
	byGroup := map[string][]pickerItem{}
	for _, p := range all {
		checked := slices.Contains(ids, p.ID)
		if checked {
			v.Selected++
		}
		byGroup[p.GroupID] = append(byGroup[p.GroupID], pickerItem{ID: p.ID, Name: p.Name, Type: p.ProfileType,
			Status: p.Status, Summary: p.Summary, Checked: checked})
	}
	for _, g := range groups {
		if items := byGroup[g.ID]; len(items) > 0 {
			v.Picker = append(v.Picker, pickerGroup{ID: g.ID, Name: g.Name, Items: items})
			delete(byGroup, g.ID)
		}
	}
	var rest []pickerItem // personas of a group this listing did not name
	for _, k := range sortedKeys(byGroup) {
		rest = append(rest, byGroup[k]...)
	}
	if len(rest) > 0 {
		v.Picker = append(v.Picker, pickerGroup{ID: "other", Name: "Other personas", Items: rest})
	}
	return h.render(w, r, c, status, "compare", "Compare personas", v)
}

// compareIDs reads ids from ?ids=a,b,c and/or repeated ?ids=: trimmed,
// without blanks or repeats, in order.
func compareIDs(raw []string) []string {
	var ids []string
	for _, s := range raw {
		for id := range strings.SplitSeq(s, ",") {
			if id = strings.TrimSpace(id); id != "" && !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	return ids
}

// compareURL is the canonical, shareable path of a comparison.
func compareURL(org string, ids []string) string {
	esc := make([]string, len(ids))
	for i, id := range ids {
		esc[i] = url.QueryEscape(id)
	}
	return "/o/" + url.PathEscape(org) + "/compare?ids=" + strings.Join(esc, ",")
}

func joinNames(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

func dimensionText(c persona.DimensionCell) string {
	switch {
	case !c.Has:
		return "not in this template"
	case !c.Set():
		return "not set"
	case c.Dimension.Kind == persona.DimensionScale:
		return valueText(c.Value) + " of " + strconv.Itoa(c.Dimension.Min) + "–" + strconv.Itoa(c.Dimension.Max)
	}
	return valueText(c.Value)
}

// ---- the dimension chart ----

// dimensionChart is a parallel-scales chart: one horizontal axis per shared
// scale dimension, one marker per persona on each, joined per persona by a
// polyline. Everything here is geometry; the template draws it (and
// escapes every label).
type dimensionChart struct {
	Width, Height int
	X0, X1        float64 // where every axis starts and ends
	RowH          int
	Label         string // aria-label: what the chart shows
	Axes          []chartAxis
	Series        []chartSeries
}

type chartAxis struct {
	Key, Label string
	Low, High  string
	Y          float64 // the axis line
	LabelY     float64 // the dimension label above it
	EndsY      float64 // the low and high labels below it
	Ticks      []float64
	TickY1     float64
	TickY2     float64
	BandY      float64 // every other axis sits on a faint band
	Band       bool
}

type chartSeries struct {
	PersonaID string
	Name      string
	Class     string
	Lines     []string // polyline points through its markers in axis order, broken where a value is missing
	Markers   []chartMarker
}

type chartMarker struct {
	X, Y  float64
	Shape string // path data of the marker, translated to X,Y by the template
	Title string // "Name — Dimension: 4 (1–5)"
}

// Chart geometry, in SVG user units. Personas on the same value of an axis
// are stacked a little apart so that none hides another.
const (
	chartWidth  = 960
	chartPadX   = 30
	chartTop    = 6
	chartRowH   = 112
	chartStackY = 9.0  // vertical step between personas on an axis…
	chartSpread = 42.0 // …but never more than this in all
)

// markerShapes tell the series apart without colour: circle, square,
// diamond, triangle, and so on, each about 11 units across.
var markerShapes = []string{
	"M-7 0a7 7 0 1 0 14 0a7 7 0 1 0-14 0Z",              // circle
	"M-6-6h12v12h-12Z",                                  // square
	"M0-8.5L8.5 0L0 8.5L-8.5 0Z",                        // diamond
	"M0-8L8 6.5H-8Z",                                    // triangle
	"M0 8L8-6.5H-8Z",                                    // triangle down
	"M-2.5-8h5v5.5h5.5v5h-5.5v5.5h-5v-5.5h-5.5v-5h5.5Z", // cross
	"M-8-3.5h16v7h-16Z",                                 // bar
	"M0-8.5L2.5-2.8L8.1-2.6L3.8 1.5L5.1 7.4L0 4.2L-5.1 7.4L-3.8 1.5L-8.1-2.6L-2.5-2.8Z", // star
}

func chartOf(dims []persona.CompareDimension, people []comparePersona) dimensionChart {
	x0, x1 := float64(chartPadX), float64(chartWidth-chartPadX)
	ch := dimensionChart{Width: chartWidth, X0: x0, X1: x1, RowH: chartRowH}
	n := len(people)
	series := make([]chartSeries, n)
	points := make([][]string, n) // the current run of each series
	for i, p := range people {
		series[i] = chartSeries{PersonaID: p.ID, Name: p.Name, Class: p.Series}
	}
	step := chartStackY
	if n > 1 && step*float64(n-1) > chartSpread {
		step = chartSpread / float64(n-1)
	}
	for _, d := range dims {
		if d.Kind != persona.DimensionScale {
			continue
		}
		k := len(ch.Axes)
		y := float64(chartTop + k*chartRowH + 50)
		ax := chartAxis{Key: d.Key, Label: d.Label, Y: y, LabelY: y - 32, EndsY: y + 38,
			Low: d.LowLabel, High: d.HighLabel, TickY1: y - 6, TickY2: y + 6,
			Band: k%2 == 1, BandY: float64(chartTop + k*chartRowH)}
		if ax.Low == "" {
			ax.Low = strconv.Itoa(d.Min)
		}
		if ax.High == "" {
			ax.High = strconv.Itoa(d.Max)
		}
		if steps := d.Max - d.Min; steps > 0 && steps <= 20 {
			for t := 0; t <= steps; t++ {
				ax.Ticks = append(ax.Ticks, round1(x0+(x1-x0)*float64(t)/float64(steps)))
			}
		}
		for i, cell := range d.Cells {
			pos, ok := cell.Position()
			if !ok {
				series[i].Lines = appendRun(series[i].Lines, points[i])
				points[i] = nil
				continue
			}
			mx := round1(x0 + (x1-x0)*pos)
			my := round1(y + (float64(i)-float64(n-1)/2)*step)
			series[i].Markers = append(series[i].Markers, chartMarker{X: mx, Y: my, Shape: people[i].Shape,
				Title: fmt.Sprintf("%s — %s: %s", people[i].Name, d.Label, dimensionText(cell))})
			points[i] = append(points[i], fmt.Sprintf("%s,%s", num1(mx), num1(my)))
		}
		ch.Axes = append(ch.Axes, ax)
	}
	for i := range series {
		series[i].Lines = appendRun(series[i].Lines, points[i])
	}
	ch.Series = series
	ch.Height = chartTop + len(ch.Axes)*chartRowH
	names := make([]string, n)
	for i, p := range people {
		names[i] = p.Name
	}
	axisNames := make([]string, len(ch.Axes))
	for i, a := range ch.Axes {
		axisNames[i] = a.Label
	}
	ch.Label = fmt.Sprintf("%s on %d shared scale%s: %s. The table that follows lists the values.",
		joinNames(names), len(ch.Axes), pluralS(len(ch.Axes)), joinNames(axisNames))
	return ch
}

// appendRun adds a run of points as a line when it joins at least two.
func appendRun(lines, run []string) []string {
	if len(run) < 2 {
		return lines
	}
	return append(lines, strings.Join(run, " "))
}

func pluralS(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func round1(f float64) float64 { return float64(int(f*10+0.5)) / 10 }

func num1(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
