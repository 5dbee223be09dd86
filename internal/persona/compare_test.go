package persona

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// layout prints a comparison as lines, one per section and row:
//
//	§ key "Label"
//	  key "Label" [cells] (differs)
//
// where each cell is the persona's field key, or "-" when its template
// lacks the field. Dimensions follow as "dim key kind [values]".
func cmpLayout(c Comparison) []string {
	var out []string
	for _, s := range c.Sections {
		out = append(out, fmt.Sprintf("§ %s %q", s.Key, s.Label))
		for _, r := range s.Rows {
			cells := make([]string, len(r.Cells))
			for i, cell := range r.Cells {
				cells[i] = "-"
				if cell.Has {
					cells[i] = cell.Field.Key
				}
			}
			line := fmt.Sprintf("  %s %q [%s]", r.Key, r.Label, strings.Join(cells, " "))
			if r.Differs {
				line += " differs"
			}
			out = append(out, line)
		}
	}
	for _, d := range c.Dimensions {
		vals := make([]string, len(d.Cells))
		for i, cell := range d.Cells {
			switch {
			case !cell.Has:
				vals[i] = "-"
			case !cell.Set():
				vals[i] = "unset"
			default:
				vals[i] = fmt.Sprint(cell.Value)
			}
		}
		line := fmt.Sprintf("dim %s %s [%s]", d.Key, d.Kind, strings.Join(vals, " "))
		if d.Differs {
			line += " differs"
		}
		out = append(out, line)
	}
	return out
}

func cmpText(key, label string) Field { return Field{Key: key, Label: label, Kind: KindText} }

func cmpSec(key, label string, fields ...Field) Section {
	return Section{Key: key, Label: label, Fields: fields}
}

func cmpIn(t ProfileType, values Values, secs ...Section) CompareInput {
	return CompareInput{Persona: Persona{ProfileType: t, Content: Content{Values: values}}, Definition: Definition{Sections: secs}}
}

func cmpWithDims(ci CompareInput, dims Values, defs ...Dimension) CompareInput {
	ci.Definition.Dimensions = defs
	ci.Persona.Dimensions = dims
	return ci
}

func cmpScale(key string, min, max int) Dimension {
	return Dimension{Key: key, Label: strings.ToUpper(key[:1]) + key[1:], Kind: DimensionScale, Min: min, Max: max, LowLabel: "low", HighLabel: "high"}
}

func cmpChoice(key string, options ...string) Dimension {
	return Dimension{Key: key, Label: key, Kind: DimensionChoice, Options: options}
}

func TestCompareLayout(t *testing.T) {
	tests := []struct {
		name string
		in   []CompareInput
		want []string
	}{
		{
			name: "same template: every field aligned by key",
			in: []CompareInput{
				cmpIn(ProfileUX, Values{"role": "Nurse"}, cmpSec("profile", "Profile", cmpText("role", "Role"))),
				cmpIn(ProfileUX, Values{"role": "Doctor"}, cmpSec("profile", "Profile", cmpText("role", "Role"))),
			},
			want: []string{`§ profile "Profile"`, `  role "Role" [role role] differs`},
		},
		{
			name: "fields aligned by key across sections and labels",
			in: []CompareInput{
				cmpIn(ProfileUX, Values{"goals": "x"}, cmpSec("jobs", "Jobs", cmpText("goals", "Goals"))),
				cmpIn(ProfileMarketing, Values{"goals": "x"}, cmpSec("profile", "Buyer", cmpText("goals", "Buying goals"))),
			},
			want: []string{
				`§ jobs "Jobs"`, `  goals "Goals" [goals goals]`,
				`§ profile "Buyer"`,
			},
		},
		{
			name: "fields aligned by label, case-insensitively, when keys differ",
			in: []CompareInput{
				cmpIn(ProfileUX, nil, cmpSec("s", "S", cmpText("goals", "Goals"), cmpText("tools", "Tools"))),
				cmpIn(ProfileAgent, nil, cmpSec("s", "S", cmpText("objectives", "  GOALS "), cmpText("integrations", "Tools  "))),
			},
			want: []string{`§ s "S"`, `  goals "Goals" [goals objectives]`, `  tools "Tools" [tools integrations]`},
		},
		{
			name: "a key match wins over an earlier label match",
			in: []CompareInput{
				cmpIn(ProfileUX, nil, cmpSec("s", "S", cmpText("goals", "Goals"))),
				cmpIn(ProfileUX, nil, cmpSec("s", "S", cmpText("aims", "Goals"), cmpText("goals", "Objectives"))),
			},
			want: []string{`§ s "S"`, `  goals "Goals" [goals goals]`, `  aims "Goals" [- aims]`},
		},
		{
			name: "a label-matched key is matched by later personas too",
			in: []CompareInput{
				cmpIn(ProfileUX, nil, cmpSec("s", "S", cmpText("goals", "Goals"))),
				cmpIn(ProfileUX, nil, cmpSec("s", "S", cmpText("aims", "Goals"))),
				cmpIn(ProfileUX, nil, cmpSec("s", "S", cmpText("aims", "Aims"))),
			},
			want: []string{`§ s "S"`, `  goals "Goals" [goals aims aims]`},
		},
		{
			name: "unmatched fields and sections are still listed, in order of first appearance",
			in: []CompareInput{
				cmpIn(ProfileUX, nil, cmpSec("profile", "Profile", cmpText("role", "Role"), cmpText("age", "Age"))),
				cmpIn(ProfileAgent, nil,
					cmpSec("profile", "Profile", cmpText("purpose", "Purpose"), cmpText("role", "Role")),
					cmpSec("guardrails", "Guardrails", cmpText("never", "Never"))),
				cmpIn(ProfileArchetype, nil, cmpSec("people", "People", cmpText("age", "Age"))),
			},
			want: []string{
				`§ profile "Profile"`,
				`  role "Role" [role role -]`,
				`  age "Age" [age - age]`,
				`  purpose "Purpose" [- purpose -]`,
				`§ guardrails "Guardrails"`,
				`  never "Never" [- never -]`,
				`§ people "People"`,
			},
		},
		{
			name: "sections aligned by label; the heading is the first persona's label for its type",
			in: []CompareInput{
				cmpIn(ProfileMarketing, nil, Section{Key: "goals", Label: "Goals", Labels: map[ProfileType]string{ProfileMarketing: "Buying goals"},
					Fields: []Field{cmpText("a", "A")}}),
				cmpIn(ProfileUX, nil, cmpSec("aims", "goals", cmpText("b", "B"))),
				cmpIn(ProfileAgent, nil, cmpSec("objectives", "Buying Goals", cmpText("c", "C"))),
			},
			want: []string{`§ goals "Buying goals"`, `  a "A" [a - -]`, `  b "B" [- b -]`, `  c "C" [- - c]`},
		},
		{
			name: "one persona's two sections never merge into one heading",
			in: []CompareInput{
				cmpIn(ProfileUX, nil, cmpSec("a", "Notes", cmpText("x", "X"))),
				cmpIn(ProfileUX, nil, cmpSec("a", "First", cmpText("y", "Y")), cmpSec("b", "Notes", cmpText("z", "Z"))),
			},
			want: []string{`§ a "Notes"`, `  x "X" [x -]`, `  y "Y" [- y]`, `§ b "Notes"`, `  z "Z" [- z]`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Compare(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, cmpLayout(got)); diff != "" {
				t.Errorf("layout (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCompareDiffers(t *testing.T) {
	tags := Field{Key: "f", Label: "F", Kind: KindTags}
	list := Field{Key: "f", Label: "F", Kind: KindList}
	num := Field{Key: "f", Label: "F", Kind: KindNumber}
	tests := []struct {
		name   string
		fields []Field
		values []any // one per persona; a nil field means the template lacks it
		want   bool
	}{
		{"equal text", []Field{cmpText("f", "F"), cmpText("f", "F")}, []any{"Nurse", "Nurse"}, false},
		{"text ignores surrounding space", []Field{cmpText("f", "F"), cmpText("f", "F")}, []any{"Nurse ", " Nurse"}, false},
		{"different text", []Field{cmpText("f", "F"), cmpText("f", "F")}, []any{"Nurse", "nurse"}, true},
		{"both empty", []Field{cmpText("f", "F"), cmpText("f", "F")}, []any{nil, ""}, false},
		{"empty vs filled does not count", []Field{cmpText("f", "F"), cmpText("f", "F")}, []any{"", "x"}, false},
		{"filled values differ beside an empty one", []Field{cmpText("f", "F"), cmpText("f", "F"), cmpText("f", "F")}, []any{"x", nil, "y"}, true},
		{"int equals float", []Field{num, num}, []any{3, 3.0}, false},
		{"numbers differ", []Field{num, num}, []any{3, 4.0}, true},
		{"[]any equals []string", []Field{list, list}, []any{[]any{"a", "b"}, []string{"a", "b"}}, false},
		{"list order matters", []Field{list, list}, []any{[]string{"a", "b"}, []string{"b", "a"}}, true},
		{"tags are a set", []Field{tags, tags}, []any{[]string{"a", "b"}, []string{"b", "a"}}, false},
		{"tags differ", []Field{tags, tags}, []any{[]string{"a"}, []string{"a", "b"}}, true},
		{"only one has the field", []Field{cmpText("f", "F"), {}}, []any{"x", nil}, false},
		{"personas without the field are left out", []Field{cmpText("f", "F"), {}, cmpText("f", "F")}, []any{"x", nil, "x"}, false},
		{"any pair differing is enough", []Field{cmpText("f", "F"), cmpText("f", "F"), cmpText("f", "F")}, []any{"x", "x", "y"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ins []CompareInput
			for i, f := range tt.fields {
				var secs []Section
				if f.Key != "" {
					secs = []Section{cmpSec("s", "S", f)}
				}
				ins = append(ins, cmpIn(ProfileUX, Values{"f": tt.values[i]}, secs...))
			}
			got, err := Compare(ins)
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Sections) != 1 || len(got.Sections[0].Rows) != 1 {
				t.Fatalf("want one row, got %v", cmpLayout(got))
			}
			if d := got.Sections[0].Rows[0].Differs; d != tt.want {
				t.Errorf("Differs = %v, want %v", d, tt.want)
			}
		})
	}
}

func TestCompareDimensions(t *testing.T) {
	comfort := cmpScale("comfort", 1, 5)
	risk := cmpScale("risk", 1, 5)
	role := cmpChoice("role", "buyer", "user")
	tests := []struct {
		name string
		in   []CompareInput
		want []string
	}{
		{
			name: "only dimensions at least two personas have, in order of first appearance",
			in: []CompareInput{
				cmpWithDims(cmpIn(ProfileUX, nil), Values{"comfort": 2.0, "risk": 4.0}, comfort, risk),
				cmpWithDims(cmpIn(ProfileMarketing, nil), Values{"role": "buyer", "risk": 4.0}, role, risk),
				cmpWithDims(cmpIn(ProfileAgent, nil), Values{"comfort": 5.0, "role": "user"}, comfort, role),
			},
			want: []string{
				"dim comfort scale [2 - 5] differs",
				"dim risk scale [4 4 -]",
				"dim role choice [- buyer user] differs",
			},
		},
		{
			name: "a dimension only one persona has is left out",
			in: []CompareInput{
				cmpWithDims(cmpIn(ProfileUX, nil), Values{"comfort": 2.0}, comfort),
				cmpWithDims(cmpIn(ProfileAgent, nil), Values{"risk": 1.0}, risk),
			},
			want: nil,
		},
		{
			name: "same key with another kind does not count as shared",
			in: []CompareInput{
				cmpWithDims(cmpIn(ProfileUX, nil), Values{"comfort": 2.0}, comfort),
				cmpWithDims(cmpIn(ProfileAgent, nil), Values{"comfort": "high"}, cmpChoice("comfort", "low", "high")),
				cmpWithDims(cmpIn(ProfileUX, nil), Values{}, comfort),
			},
			want: []string{"dim comfort scale [2 - unset]"},
		},
		{
			name: "scales compare by position on their own bounds",
			in: []CompareInput{
				cmpWithDims(cmpIn(ProfileUX, nil), Values{"comfort": 3}, comfort),
				cmpWithDims(cmpIn(ProfileUX, nil), Values{"comfort": 5.0}, cmpScale("comfort", 0, 10)),
			},
			want: []string{"dim comfort scale [3 5]"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Compare(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, cmpLayout(got)); diff != "" {
				t.Errorf("dimensions (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCompareDimensionDetails(t *testing.T) {
	got, err := Compare([]CompareInput{
		cmpWithDims(cmpIn(ProfileUX, nil), Values{"comfort": 4.0}, cmpScale("comfort", 1, 5)),
		cmpWithDims(cmpIn(ProfileUX, nil), Values{"comfort": 12.0}, cmpScale("comfort", 0, 10)),
	})
	if err != nil {
		t.Fatal(err)
	}
	d := got.Dimensions[0]
	if d.Label != "Comfort" || d.Min != 1 || d.Max != 5 || d.LowLabel != "low" || d.HighLabel != "high" {
		t.Errorf("dimension takes the first persona's definition: %+v", d)
	}
	if d.Cells[1].Dimension.Max != 10 {
		t.Errorf("cell keeps its own bounds: %+v", d.Cells[1].Dimension)
	}
	if p, ok := d.Cells[0].Position(); !ok || p != 0.75 {
		t.Errorf("position of 4 on 1..5 = %v, %v; want 0.75", p, ok)
	}
	if p, ok := d.Cells[1].Position(); !ok || p != 1 {
		t.Errorf("position of 12 on 0..10 = %v, %v; want clamped to 1", p, ok)
	}
	if _, ok := (DimensionCell{Has: true, Dimension: cmpScale("x", 1, 5)}).Position(); ok {
		t.Error("an unset value has no position")
	}
	if _, ok := (DimensionCell{Has: true, Dimension: cmpChoice("x", "a"), Value: "a"}).Position(); ok {
		t.Error("a choice has no position")
	}
}

func TestCompareCellsCarryValuesAndFields(t *testing.T) {
	scale := Field{Key: "comfort", Label: "Comfort", Kind: KindScale}
	got, err := Compare([]CompareInput{
		cmpIn(ProfileUX, Values{"comfort": 2.0}, cmpSec("s", "S", scale)),
		cmpIn(ProfileAgent, Values{}, cmpSec("t", "T", cmpText("other", "Other"))),
	})
	if err != nil {
		t.Fatal(err)
	}
	c := got.Sections[0].Rows[0].Cells
	if !c[0].Has || c[0].Value != 2.0 || c[0].Field.Kind != KindScale || c[1].Has {
		t.Errorf("cells = %+v", c)
	}
}

func TestCompareNeedsTwoToEight(t *testing.T) {
	one := cmpIn(ProfileUX, nil, cmpSec("s", "S", cmpText("f", "F")))
	for _, n := range []int{0, 1, 9} {
		ins := make([]CompareInput, n)
		for i := range ins {
			ins[i] = one
		}
		_, err := Compare(ins)
		if ErrorCode(err) != CodeInvalid {
			t.Errorf("%d personas: err = %v, want invalid", n, err)
		}
	}
	for _, n := range []int{2, 8} {
		ins := make([]CompareInput, n)
		for i := range ins {
			ins[i] = one
		}
		got, err := Compare(ins)
		if err != nil || len(got.Sections[0].Rows[0].Cells) != n {
			t.Errorf("%d personas: %v, %v", n, cmpLayout(got), err)
		}
	}
}

func TestCompareIsDeterministic(t *testing.T) {
	mk := func() []CompareInput {
		return []CompareInput{
			cmpWithDims(cmpIn(ProfileUX, Values{"a": "1"}, cmpSec("s", "S", cmpText("a", "A"), cmpText("b", "B")), cmpSec("t", "T", cmpText("c", "C"))),
				Values{"x": 1.0, "y": 2.0, "z": 3.0}, cmpScale("x", 1, 5), cmpScale("y", 1, 5), cmpScale("z", 1, 5)),
			cmpWithDims(cmpIn(ProfileAgent, Values{"a": "2"}, cmpSec("t", "T", cmpText("c", "C")), cmpSec("u", "U", cmpText("d", "B"), cmpText("a", "A"))),
				Values{"z": 3.0, "y": 2.0, "x": 1.0}, cmpScale("z", 1, 5), cmpScale("y", 1, 5), cmpScale("x", 1, 5)),
		}
	}
	first := cmpLayout(mustCompare(Compare(mk())))
	for range 20 {
		if diff := cmp.Diff(first, cmpLayout(mustCompare(Compare(mk())))); diff != "" {
			t.Fatalf("not deterministic:\n%s", diff)
		}
	}
	want := []string{
		`§ s "S"`, `  a "A" [a a] differs`, `  b "B" [b d]`,
		`§ t "T"`, `  c "C" [c c]`,
		`§ u "U"`,
		"dim x scale [1 1]", "dim y scale [2 2]", "dim z scale [3 3]",
	}
	if diff := cmp.Diff(want, first); diff != "" {
		t.Errorf("layout (-want +got):\n%s", diff)
	}
}

func mustCompare(c Comparison, err error) Comparison {
	if err != nil {
		panic(err)
	}
	return c
}
