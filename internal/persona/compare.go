package persona

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// Limits on how many personas one comparison lines up.
const (
	MinCompare = 2
	MaxCompare = 8
)

// CompareInput is one persona to compare, with the definition of the
// template version it is pinned to.
type CompareInput struct {
	Persona    Persona
	Definition Definition
}

// Comparison lines personas up side by side: their fields aligned by section
// and field, and the comparison dimensions that at least two of them share.
// Every Cells slice has one cell per persona, in input order.
type Comparison struct {
	Sections   []CompareSection
	Dimensions []CompareDimension
}

// CompareSection is a heading of the comparison: sections of different
// templates aligned by key, or else by label.
type CompareSection struct {
	Key   string
	Label string // the first persona's label for it, for that persona's profile type
	Rows  []CompareRow
}

// CompareRow is one field across the personas: fields of different templates
// aligned by key, or else by label (case-insensitively).
type CompareRow struct {
	Key   string // the key of the first persona's field
	Label string // the label of the first persona's field
	Cells []CompareCell
	// Differs reports whether the personas who filled the field in hold
	// different values for it. Empty values do not count: a field filled in
	// by one persona only, or by none, never differs.
	Differs bool
}

// CompareCell is one persona's value for a row's field.
type CompareCell struct {
	Has   bool  // false: the persona's template has no such field
	Field Field // the persona's own field (kind, bounds, options)
	Value any
}

// CompareDimension is a comparison dimension (aligned by key) that at least
// two of the personas' definitions have with the same kind.
type CompareDimension struct {
	Key   string
	Label string        // the first persona's label for it
	Kind  DimensionKind // scale or choice
	// Min, Max, LowLabel and HighLabel are the first persona's bounds (scale).
	Min, Max            int
	LowLabel, HighLabel string
	Cells               []DimensionCell
	Differs             bool
}

// DimensionCell is one persona's value on a comparison dimension.
type DimensionCell struct {
	Has       bool      // false: the persona's template lacks the dimension
	Dimension Dimension // the persona's own dimension (its bounds and labels)
	Value     any
}

// Set reports whether the cell holds a value.
func (c DimensionCell) Set() bool { return c.Has && !isEmptyValue(c.Value) }

// Position places a scale value on its own dimension's Min..Max as a
// fraction from 0 to 1 (clamped). ok is false for unset values, choices and
// degenerate scales.
func (c DimensionCell) Position() (pos float64, ok bool) {
	if !c.Has || c.Dimension.Kind != DimensionScale || c.Dimension.Max <= c.Dimension.Min {
		return 0, false
	}
	n, empty, isNum := toNumber(c.Value)
	if empty || !isNum || math.IsNaN(n) {
		return 0, false
	}
	lo, hi := float64(c.Dimension.Min), float64(c.Dimension.Max)
	return math.Max(0, math.Min(1, (n-lo)/(hi-lo))), true
}

// Compare aligns 2 to 8 personas (MinCompare..MaxCompare). It is
// deterministic: sections, rows and dimensions come in order of first
// appearance, walking the personas in input order and each definition in
// its own order.
//
// Sections are aligned by key, or else by label (the label for the persona's
// profile type or the base label, case-insensitively). Fields are aligned
// across the whole comparison, whatever section holds them, by key or else
// by label; a row sits under the section where its field first appeared.
// Key matches win over label matches: each persona is matched by key first,
// then its remaining fields by label, and what is still unmatched starts new
// rows. A persona fills at most one cell of a row.
func Compare(in []CompareInput) (Comparison, error) {
	if len(in) < MinCompare || len(in) > MaxCompare {
		return Comparison{}, Errorf(CodeInvalid, "compare between %d and %d personas, not %d", MinCompare, MaxCompare, len(in))
	}
	n := len(in)
	var cmp Comparison

	// Sections: where each persona's sections go.
	sectionOf := make([]map[string]int, n) // persona -> section key -> index in cmp.Sections
	sectionLabels := [][]string{}          // index -> every label its members answer to
	for i, ci := range in {
		secs := ci.Definition.Sections
		sectionOf[i] = map[string]int{}
		taken := map[int]bool{}
		place := func(si, at int) {
			s := secs[si]
			sectionOf[i][s.Key] = at
			taken[at] = true
			sectionLabels[at] = appendLabels(sectionLabels[at], s, ci.Persona.ProfileType)
		}
		matched := make([]bool, len(secs))
		for si, s := range secs { // by key
			if at := slices.IndexFunc(cmp.Sections, func(cs CompareSection) bool { return cs.Key == s.Key }); at >= 0 && !taken[at] {
				place(si, at)
				matched[si] = true
			}
		}
		for si, s := range secs { // by label
			if matched[si] {
				continue
			}
			mine := appendLabels(nil, s, ci.Persona.ProfileType)
			for at := range cmp.Sections {
				if !taken[at] && sharesLabel(sectionLabels[at], mine) {
					place(si, at)
					matched[si] = true
					break
				}
			}
		}
		for si, s := range secs { // new
			if !matched[si] {
				cmp.Sections = append(cmp.Sections, CompareSection{Key: s.Key, Label: s.LabelFor(ci.Persona.ProfileType)})
				sectionLabels = append(sectionLabels, nil)
				place(si, len(cmp.Sections)-1)
			}
		}
	}

	// Rows: aligned across the whole comparison.
	type rowRef struct{ section, row int }
	var rows []rowRef
	rowKeys := map[string]int{}      // field key -> index in rows (first row wins)
	rowLabels := []map[string]bool{} // index in rows -> normalised labels
	row := func(r rowRef) *CompareRow { return &cmp.Sections[r.section].Rows[r.row] }
	for i, ci := range in {
		type item struct {
			section string
			f       Field
		}
		var items []item
		for _, s := range ci.Definition.Sections {
			for _, f := range s.Fields {
				items = append(items, item{s.Key, f})
			}
		}
		taken := map[int]bool{}
		matched := make([]bool, len(items))
		fill := func(it int, at int) {
			row(rows[at]).Cells[i] = CompareCell{Has: true, Field: items[it].f, Value: ci.Persona.Values[items[it].f.Key]}
			taken[at] = true
			matched[it] = true
			if l := normLabel(items[it].f.Label); l != "" {
				rowLabels[at][l] = true
			}
			if _, ok := rowKeys[items[it].f.Key]; !ok {
				rowKeys[items[it].f.Key] = at // later personas match this key too
			}
		}
		for it, x := range items { // by key
			if at, ok := rowKeys[x.f.Key]; ok && !taken[at] {
				fill(it, at)
			}
		}
		for it, x := range items { // by label
			l := normLabel(x.f.Label)
			if matched[it] || l == "" {
				continue
			}
			for at := range rows {
				if !taken[at] && rowLabels[at][l] {
					fill(it, at)
					break
				}
			}
		}
		for it, x := range items { // new
			if matched[it] {
				continue
			}
			si := sectionOf[i][x.section]
			cmp.Sections[si].Rows = append(cmp.Sections[si].Rows, CompareRow{Key: x.f.Key, Label: x.f.Label, Cells: make([]CompareCell, n)})
			rows = append(rows, rowRef{si, len(cmp.Sections[si].Rows) - 1})
			rowLabels = append(rowLabels, map[string]bool{})
			fill(it, len(rows)-1)
		}
	}
	for si := range cmp.Sections {
		for ri := range cmp.Sections[si].Rows {
			r := &cmp.Sections[si].Rows[ri]
			r.Differs = rowDiffers(r.Cells)
		}
	}

	// Dimensions shared by at least two personas, aligned by key and kind.
	var dimKeys []string
	first := map[string]Dimension{}
	for _, ci := range in {
		for _, d := range ci.Definition.Dimensions {
			if _, ok := first[d.Key]; !ok {
				first[d.Key] = d
				dimKeys = append(dimKeys, d.Key)
			}
		}
	}
	for _, k := range dimKeys {
		f := first[k]
		cd := CompareDimension{Key: k, Label: f.Label, Kind: f.Kind, Min: f.Min, Max: f.Max,
			LowLabel: f.LowLabel, HighLabel: f.HighLabel, Cells: make([]DimensionCell, n)}
		have := 0
		for i, ci := range in {
			d, ok := ci.Definition.Dimension(k)
			if !ok || d.Kind != f.Kind {
				continue
			}
			have++
			cd.Cells[i] = DimensionCell{Has: true, Dimension: d, Value: ci.Persona.Dimensions[k]}
		}
		if have < 2 {
			continue
		}
		cd.Differs = dimensionDiffers(cd.Cells)
		cmp.Dimensions = append(cmp.Dimensions, cd)
	}
	return cmp, nil
}

// appendLabels adds a section's labels (for t, and its base label) in
// normalised form.
func appendLabels(labels []string, s Section, t ProfileType) []string {
	for _, l := range []string{s.LabelFor(t), s.Label} {
		if l = normLabel(l); l != "" && !slices.Contains(labels, l) {
			labels = append(labels, l)
		}
	}
	return labels
}

func sharesLabel(a, b []string) bool {
	return slices.ContainsFunc(a, func(l string) bool { return slices.Contains(b, l) })
}

// normLabel folds a label for matching: case-insensitive, with runs of
// white space as one space.
func normLabel(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

func rowDiffers(cells []CompareCell) bool {
	var ref *CompareCell
	for i := range cells {
		c := &cells[i]
		if !c.Has || isEmptyValue(c.Value) {
			continue
		}
		if ref == nil {
			ref = c
			continue
		}
		if !sameFieldValue(*ref, *c) {
			return true
		}
	}
	return false
}

// sameFieldValue compares two cells' values: empty equals empty, strings
// ignore surrounding white space, numbers compare by value, tags and
// multiple choices compare as sets, other lists in order.
func sameFieldValue(a, b CompareCell) bool {
	return sameValue(a.Value, b.Value, isSetKind(a.Field.Kind) && isSetKind(b.Field.Kind))
}

func isSetKind(k FieldKind) bool { return k == KindTags || k == KindMultiChoice }

func sameValue(x, y any, asSet bool) bool {
	ex, ey := isEmptyValue(x), isEmptyValue(y)
	if ex || ey {
		return ex == ey
	}
	if sx, ok := x.(string); ok {
		if sy, ok := y.(string); ok {
			return strings.TrimSpace(sx) == strings.TrimSpace(sy)
		}
	}
	if nx, _, ok := toNumber(x); ok && !isString(x) {
		if ny, _, ok := toNumber(y); ok && !isString(y) {
			return nx == ny
		}
	}
	if lx, ok := stringList(x); ok {
		if ly, ok := stringList(y); ok {
			lx, ly = trimAll(lx), trimAll(ly)
			if asSet {
				slices.Sort(lx)
				lx = slices.Compact(lx)
				slices.Sort(ly)
				ly = slices.Compact(ly)
			}
			return slices.Equal(lx, ly)
		}
	}
	return sameJSON(x, y)
}

func isString(v any) bool { _, ok := v.(string); return ok }

func trimAll(l []string) []string {
	out := make([]string, len(l))
	for i, s := range l {
		out[i] = strings.TrimSpace(s)
	}
	return out
}

// dimensionDiffers compares the personas that have the dimension set:
// scales by their position on their own bounds, choices by value.
func dimensionDiffers(cells []DimensionCell) bool {
	var ref string
	seen := false
	for _, c := range cells {
		if !c.Has {
			continue
		}
		var k string
		switch {
		case !c.Set():
			continue // an unset value does not count as differing
		case c.Dimension.Kind == DimensionScale:
			if p, ok := c.Position(); ok {
				k = fmt.Sprintf("at:%.6f", p)
			} else {
				k = fmt.Sprintf("raw:%s", encodeForCompare(c.Value))
			}
		default:
			k = fmt.Sprintf("is:%s", strings.TrimSpace(fmt.Sprint(c.Value)))
		}
		if seen && k != ref {
			return true
		}
		ref, seen = k, true
	}
	return false
}
