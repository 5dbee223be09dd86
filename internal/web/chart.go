package web

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/personapal/personapal/internal/persona"
)

// ---- the dimension chart ----

// dotChart is a dot plot of the shared scale dimensions: one row per
// dimension, each persona a marker on the dimension's scale (a dumbbell when
// two are compared). It is drawn by the server at the card's full width:
// every row is an SVG as wide as its box, the markers placed by percentage
// along it, so nothing is scaled down and the text keeps its size on a
// phone. Everything here is geometry and words; the template draws it (and
// escapes every label).
type dotChart struct {
	Label    string // what the chart shows, for assistive technology
	Dumbbell bool   // two personas: each row joins them with a bar
	Rows     []dotRow
}

// dotRow is one dimension: a scale from Min to Max, or a choice whose
// options are equal bands side by side (Options).
type dotRow struct {
	Key, Label string
	Low, High  string   // the scale's end labels ("" when the template has none)
	Options    []string // a choice's options, one band each, in order
	Height     float64
	Mid        float64 // the track line
	TickY      float64 // the tick numbers' baseline
	TickY1     float64 // the tick marks across the track line
	TickY2     float64
	Ticks      []dotTick
	Span       *dotSpan // from the lowest to the highest value, when they differ
	Dots       []dotMark
}

type dotTick struct {
	X     string // "25%"
	Label string // the value at the tick
}

type dotSpan struct{ X1, X2 string }

// dotMark is one persona's value on a row.
type dotMark struct {
	PersonaID string
	Class     string // the series colour
	Shape     string // path data of the marker around 0,0
	Pos       float64
	X         string  // "42.5%" along the track
	Y         float64 // px from the row's top: tied values are stacked
	Name      string  // "Compliance Analyst: 4 of 5"
}

// Chart geometry, in CSS pixels.
const (
	dotStep     = 17.0 // vertical distance between tied markers
	dotPadTop   = 16.0 // above the first marker's centre
	dotTickGap  = 24.0 // from the lowest marker's centre to the tick numbers' baseline
	dotNear     = 0.035
	dotMaxTicks = 20
)

// seriesCount is how many series colours static/compare.css defines
// (.series-0 … .series-7); the marker shapes repeat with the same period.
const seriesCount = 8

// markerShapes tell the series apart without colour: circle, square,
// diamond, triangle, and so on, each about 14 px across.
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

// seriesOf is the colour class and the marker of the i-th persona: a palette
// of its own, never the profile types' colours (those stay on the badges).
func seriesOf(i int) (class, shape string) {
	return "series-" + strconv.Itoa(i%seriesCount), markerShapes[i%len(markerShapes)]
}

func chartOf(dims []persona.CompareDimension, people []comparePersona) dotChart {
	ch := dotChart{Dumbbell: len(people) == 2}
	for _, d := range dims {
		ch.Rows = append(ch.Rows, dotRowOf(d, people))
	}
	names := make([]string, len(people))
	for i, p := range people {
		names[i] = p.Name
	}
	rowNames := make([]string, len(ch.Rows))
	for i, r := range ch.Rows {
		rowNames[i] = r.Label
	}
	ch.Label = fmt.Sprintf("%s on %s: %s. The table that follows lists the values.",
		joinNames(names), pluralize(len(ch.Rows), "shared dimension", "shared dimensions"), joinNames(rowNames))
	return ch
}

func dotRowOf(d persona.CompareDimension, people []comparePersona) dotRow {
	row := dotRow{Key: d.Key, Label: d.Label, Low: d.LowLabel, High: d.HighLabel}
	choice := d.Kind != persona.DimensionScale
	if choice {
		row.Low, row.High = "", ""
		row.Options = choiceOptions(d)
	}
	for i, cell := range d.Cells {
		pos, ok := cell.Position()
		text := ""
		if choice {
			text = valueText(cell.Value)
			k := slices.Index(row.Options, text)
			pos, ok = (float64(k)+0.5)/float64(len(row.Options)), cell.Set() && k >= 0
		} else if ok {
			text = dotValueText(cell)
		}
		if !ok {
			continue
		}
		row.Dots = append(row.Dots, dotMark{PersonaID: people[i].ID, Class: people[i].Series, Shape: people[i].Shape,
			Pos: pos, X: dotPct(pos), Name: people[i].Name + ": " + text})
	}

	// Ties: markers at (nearly) the same place form a cluster and are
	// stacked around the track, in persona order, so each stays visible.
	order := make([]int, len(row.Dots))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch pa, pb := row.Dots[a].Pos, row.Dots[b].Pos; {
		case pa < pb:
			return -1
		case pa > pb:
			return 1
		}
		return 0
	})
	var clusters [][]int
	for k, i := range order {
		if k > 0 && row.Dots[i].Pos-row.Dots[order[k-1]].Pos < dotNear {
			clusters[len(clusters)-1] = append(clusters[len(clusters)-1], i)
			continue
		}
		clusters = append(clusters, []int{i})
	}
	tallest := 1
	for _, c := range clusters {
		tallest = max(tallest, len(c))
	}
	row.Mid = dotPadTop + dotStep*float64(tallest-1)/2
	for _, c := range clusters {
		slices.Sort(c) // persona order, top to bottom
		for j, i := range c {
			row.Dots[i].Y = row.Mid + dotStep*(float64(j)-float64(len(c)-1)/2)
		}
	}
	row.TickY = row.Mid + dotStep*float64(tallest-1)/2 + dotTickGap
	row.Height = row.TickY + 4 // room for the descenders
	row.TickY1, row.TickY2 = row.Mid-6, row.Mid+6

	if len(row.Dots) >= 2 && len(clusters) > 1 && !choice { // a range means nothing between options
		lo, hi := row.Dots[order[0]].Pos, row.Dots[order[len(order)-1]].Pos
		row.Span = &dotSpan{X1: dotPct(lo), X2: dotPct(hi)}
	}

	if choice { // a tick at each option's band; the options are named below
		for k := range row.Options {
			row.Ticks = append(row.Ticks, dotTick{X: dotPct((float64(k) + 0.5) / float64(len(row.Options)))})
		}
		row.TickY = row.Mid + dotStep*float64(tallest-1)/2 + 10
		row.Height = row.TickY
		return row
	}
	// Ticks at every step of a short scale, else at quarters.
	lo, hi := d.Min, d.Max
	if steps := hi - lo; steps > 0 {
		n := steps
		if steps > dotMaxTicks {
			n = 4
		}
		for t := 0; t <= n; t++ {
			f := float64(t) / float64(n)
			row.Ticks = append(row.Ticks, dotTick{X: dotPct(f), Label: trimNum(float64(lo) + f*float64(steps))})
		}
	}
	return row
}

// choiceOptions are the bands of a choice row: the first template's
// options, then any value another persona holds that they lack.
func choiceOptions(d persona.CompareDimension) []string {
	var opts []string
	for _, c := range d.Cells {
		if c.Has && len(opts) == 0 {
			opts = slices.Clone(c.Dimension.Options)
		}
	}
	for _, c := range d.Cells {
		if v := valueText(c.Value); c.Set() && !slices.Contains(opts, v) {
			opts = append(opts, v)
		}
	}
	if len(opts) == 0 {
		opts = []string{""}
	}
	return opts
}

// dotValueText is a value on its scale, as a marker's accessible name ends:
// "4 of 5" on a scale from 1 (or 0), else "4 on 2–9".
func dotValueText(c persona.DimensionCell) string {
	v := valueText(c.Value)
	if c.Dimension.Min == 0 || c.Dimension.Min == 1 {
		return v + " of " + strconv.Itoa(c.Dimension.Max)
	}
	return v + " on " + strconv.Itoa(c.Dimension.Min) + "–" + strconv.Itoa(c.Dimension.Max)
}

// dotPct is a fraction as an SVG percentage, to one decimal.
func dotPct(f float64) string {
	return strconv.FormatFloat(float64(int(f*1000+0.5))/10, 'f', -1, 64) + "%"
}

func trimNum(f float64) string { return strconv.FormatFloat(float64(int(f*10+0.5))/10, 'f', -1, 64) }
