package persona

import (
	"fmt"
	"testing"
)

// Micro-benchmarks for the hot domain paths (run with
// go test ./internal/persona -run '^$' -bench . -benchmem).

// benchPersona fills every field of a starter template with a valid value.
func benchPersona(st StarterTemplate, i int) Persona {
	c := Content{Name: fmt.Sprintf("Persona %d", i), Summary: "A persona for the benchmark with a summary of some length.",
		Status: StatusPublished, TemplateVersion: 1, Values: Values{}, Dimensions: Values{}}
	for _, s := range st.Definition.Sections {
		for _, f := range s.Fields {
			switch f.Kind {
			case KindText, KindMarkdown:
				c.Values[f.Key] = "Some text for " + f.Key
			case KindList, KindTags:
				c.Values[f.Key] = []any{"first item", "second item", "third item"}
			case KindNumber, KindScale:
				if f.Min != nil {
					c.Values[f.Key] = *f.Min
				} else {
					c.Values[f.Key] = 3.0
				}
			case KindChoice:
				c.Values[f.Key] = f.Options[0]
			case KindMultiChoice:
				c.Values[f.Key] = []any{f.Options[0]}
			case KindURL:
				c.Values[f.Key] = "https://example.com/x"
			case KindDate:
				c.Values[f.Key] = "2026-01-15"
			case KindPersona:
				c.Values[f.Key] = ExampleID
			}
		}
	}
	for _, d := range st.Definition.Dimensions {
		if d.Kind == DimensionScale {
			c.Dimensions[d.Key] = float64(d.Min)
		} else {
			c.Dimensions[d.Key] = d.Options[0]
		}
	}
	return Persona{ID: fmt.Sprintf("p%d", i), ProfileType: st.ProfileType, Content: c}
}

func BenchmarkValidateContent(b *testing.B) {
	st := StarterTemplates()[0]
	p := benchPersona(st, 1)
	if err := ValidateContent(st.Definition, &p.Content); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		c := p.Content
		c.Values = cloneValues(p.Values)
		c.Dimensions = cloneValues(p.Dimensions)
		if err := ValidateContent(st.Definition, &c); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEffectiveVariant(b *testing.B) {
	p := benchPersona(StarterTemplates()[0], 1)
	v := VariantContent{CustomerLabel: "Big Bank", Values: Values{"decision_authority": "Recommends", "tools": []any{"mainframe"}},
		Dimensions: Values{"risk_tolerance": 1.0}}
	RecordBase(p.Content, &v, VariantContent{}, nil)
	for b.Loop() {
		_ = Effective(p.Content, v)
		_ = BaseChanged(p.Content, v)
	}
}

func BenchmarkCompareFive(b *testing.B) {
	sts := StarterTemplates()
	var in []CompareInput
	for i := range 5 {
		st := sts[i%len(sts)]
		in = append(in, CompareInput{Persona: benchPersona(st, i), Definition: st.Definition})
	}
	for b.Loop() {
		if _, err := Compare(in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSearchQueryBuilding(b *testing.B) {
	for b.Loop() {
		_ = SearchTerms(`Reconciliation "audit trail" export — month-end, 4 days → 2 (SOC 2)`)
	}
}

func BenchmarkSearchText(b *testing.B) {
	p := benchPersona(StarterTemplates()[0], 1)
	for b.Loop() {
		_ = SearchText(p.Content)
	}
}
