package persona

import (
	"slices"
	"testing"
)

func variantDef() Definition {
	min, max := 1.0, 5.0
	return Definition{
		Sections: []Section{{Key: "work", Label: "Work", Fields: []Field{
			{Key: "decision_authority", Label: "Decision authority", Kind: KindText, Required: true},
			{Key: "tools", Label: "Tools", Kind: KindList},
			{Key: "effort", Label: "Effort", Kind: KindScale, Min: &min, Max: &max},
		}}},
		Dimensions: []Dimension{{Key: "risk_tolerance", Label: "Risk", Kind: DimensionScale, Min: 1, Max: 5}},
	}
}

func TestEffectiveAppliesOverridesWithoutTouchingTheBase(t *testing.T) {
	base := Content{Name: "System Lead", Values: Values{"decision_authority": "Decides within limits", "tools": []any{"excel", "sql"}},
		Dimensions: Values{"risk_tolerance": 3.0}}
	v := VariantContent{Values: Values{"tools": []any{"mainframe"}}, Dimensions: Values{"risk_tolerance": 1.0}}
	eff := Effective(base, v)
	if !sameJSON(eff.Values["tools"], []any{"mainframe"}) {
		t.Errorf("list override must replace the list, got %v", eff.Values["tools"])
	}
	if eff.Values["decision_authority"] != "Decides within limits" || eff.Dimensions["risk_tolerance"] != 1.0 || eff.Name != "System Lead" {
		t.Errorf("effective: %+v", eff)
	}
	if !sameJSON(base.Values["tools"], []any{"excel", "sql"}) || base.Dimensions["risk_tolerance"] != 3.0 {
		t.Errorf("base modified: %+v", base)
	}
}

func TestBaseChangedSinceOverride(t *testing.T) {
	base := Content{Values: Values{"decision_authority": "Decides within limits"}, Dimensions: Values{"risk_tolerance": 3.0}}
	v := VariantContent{CustomerLabel: "Big Bank", Values: Values{"decision_authority": "Needs the CAB"}, Dimensions: Values{"risk_tolerance": 1.0}}
	RecordBase(base, &v, VariantContent{}, nil)
	if got := BaseChanged(base, v); len(got) != 0 {
		t.Fatalf("fresh overrides flagged: %v", got)
	}
	// The base changes one overridden field and one field the variant follows.
	base2 := Effective(base, VariantContent{Values: Values{"decision_authority": "Decides alone", "tools": []any{"excel"}}})
	if got := BaseChanged(base2, v); !slices.Equal(got, []string{"values.decision_authority"}) {
		t.Fatalf("want decision authority flagged, got %v", got)
	}
	// Saving the variant unchanged keeps the flag...
	next := v
	RecordBase(base2, &next, v, nil)
	if got := BaseChanged(base2, next); len(got) != 1 {
		t.Fatalf("unchanged save cleared the flag: %v", got)
	}
	// ...confirming clears it...
	confirmed := next
	RecordBase(base2, &confirmed, next, []string{"values.decision_authority"})
	if got := BaseChanged(base2, confirmed); len(got) != 0 {
		t.Fatalf("confirm did not clear: %v", got)
	}
	// ...and so does changing the override.
	changed := next
	changed.Values = Values{"decision_authority": "Needs the CAB and the CISO"}
	changed.Dimensions = Values{"risk_tolerance": 1.0}
	RecordBase(base2, &changed, next, nil)
	if got := BaseChanged(base2, changed); len(got) != 0 {
		t.Fatalf("new override still flagged: %v", got)
	}
	// A base field that was empty when overridden and is filled later is flagged.
	empty := Content{Values: Values{}}
	w := VariantContent{Values: Values{"tools": []any{"mainframe"}}}
	RecordBase(empty, &w, VariantContent{}, nil)
	w2 := w
	RecordBase(empty, &w2, w, nil)
	if got := BaseChanged(Content{Values: Values{"tools": []any{"sql"}}}, w2); !slices.Equal(got, []string{"values.tools"}) {
		t.Fatalf("filled base not flagged: %v", got)
	}
}

func TestValidateVariant(t *testing.T) {
	tests := []struct {
		name   string
		in     VariantContent
		fields []string
	}{
		{"valid label", VariantContent{CustomerLabel: " Big Bank ", Values: Values{"tools": []any{"mainframe"}}}, nil},
		{"valid archetype", VariantContent{CustomerID: "p1", Dimensions: Values{"risk_tolerance": 2}}, nil},
		{"no customer", VariantContent{}, []string{"customer"}},
		{"both customers", VariantContent{CustomerID: "p1", CustomerLabel: "x"}, []string{"customer"}},
		{"unknown field", VariantContent{CustomerLabel: "x", Values: Values{"nope": "x"}}, []string{"values.nope"}},
		{"out of range", VariantContent{CustomerLabel: "x", Dimensions: Values{"risk_tolerance": 9}, Values: Values{"effort": 0}}, []string{"values.effort", "dimensions.risk_tolerance"}},
		{"wrong type", VariantContent{CustomerLabel: "x", Values: Values{"tools": 5}}, []string{"values.tools"}},
		{"note for a field not overridden", VariantContent{CustomerLabel: "x", FieldNotes: map[string]string{"values.tools": "why"}}, []string{"field_notes.values.tools"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := tc.in
			err := ValidateVariant(variantDef(), &v)
			var got []string
			if e, ok := AsError(err); ok {
				for _, f := range e.Fields {
					got = append(got, f.Field)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.fields) {
				t.Fatalf("fields %v, want %v", got, tc.fields)
			}
		})
	}
	v := VariantContent{CustomerLabel: " Big Bank ", Values: Values{"tools": []any{" a ", ""}, "decision_authority": "  "}, FieldNotes: map[string]string{"values.tools": "  only the mainframe  "}}
	if err := ValidateVariant(variantDef(), &v); err != nil {
		t.Fatal(err)
	}
	if v.CustomerLabel != "Big Bank" || v.FieldNotes["values.tools"] != "only the mainframe" {
		t.Fatalf("not normalised: %+v", v)
	}
	if _, ok := v.Values["decision_authority"]; ok {
		t.Fatal("an empty override must be dropped")
	}
}
