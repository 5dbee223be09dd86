package persona

import (
	"reflect"
	"strings"
	"testing"
)

func refDef(multiple bool, types ...ProfileType) Definition {
	return Definition{Sections: []Section{{Key: "s", Label: "S", Fields: []Field{
		{Key: "by", Label: "Supervised by", Kind: KindPersona, Multiple: multiple, ProfileTypes: types},
	}}}}
}

const (
	idA = "0197f3c2-5b1e-7a3d-9c4e-2f6a8b1d0e37"
	idB = "0197f3c2-5b1e-7a3d-9c4e-2f6a8b1d0e38"
)

func TestPersonaReferenceTemplateValidation(t *testing.T) {
	if err := refDef(true, ProfileUX, ProfileArchetype).Validate(); err != nil {
		t.Fatalf("valid reference field refused: %v", err)
	}
	for name, c := range map[string]struct {
		def  Definition
		path string
	}{
		"unknown type":   {refDef(false, "robot"), "sections[0].fields[0].profile_types"},
		"duplicate type": {refDef(false, ProfileUX, ProfileUX), "sections[0].fields[0].profile_types"},
		"multiple on text": {Definition{Sections: []Section{{Key: "s", Label: "S", Fields: []Field{
			{Key: "t", Label: "T", Kind: KindText, Multiple: true}}}}}, "sections[0].fields[0].multiple"},
		"types on text": {Definition{Sections: []Section{{Key: "s", Label: "S", Fields: []Field{
			{Key: "t", Label: "T", Kind: KindText, ProfileTypes: []ProfileType{ProfileUX}}}}}}, "sections[0].fields[0].profile_types"},
	} {
		err := c.def.Validate()
		e, ok := AsError(err)
		if !ok || len(e.Fields) != 1 || e.Fields[0].Field != c.path {
			t.Errorf("%s: got %v, want one problem at %s", name, err, c.path)
		}
	}
}

func TestPersonaReferenceValues(t *testing.T) {
	for _, c := range []struct {
		name     string
		multiple bool
		in       any
		want     any
		msg      string
	}{
		{"one ID", false, " " + idA + " ", idA, ""},
		{"list of one for a single field", false, []any{idA}, idA, ""},
		{"empty", false, "", nil, ""},
		{"two for a single field", false, []string{idA, idB}, nil, "holds one persona only"},
		{"not an ID", false, "System Lead", nil, "must name personas by their ID"},
		{"a number", false, 3.0, nil, "must be a persona ID"},
		{"many, deduplicated", true, []any{idA, idB, idA, " "}, []string{idA, idB}, ""},
		{"many from one string", true, idB, []string{idB}, ""},
		{"many, a bad one", true, []string{idA, "../x"}, nil, "must name personas by their ID"},
	} {
		def := refDef(c.multiple)
		content := Content{Name: "N", Values: Values{"by": c.in}}
		err := ValidateContent(def, &content)
		if c.msg != "" {
			e, ok := AsError(err)
			if !ok || len(e.Fields) != 1 || e.Fields[0].Field != "values.by" || !strings.Contains(e.Fields[0].Message, c.msg) {
				t.Errorf("%s: got %v, want values.by %q", c.name, err, c.msg)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if got := content.Values["by"]; !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: stored %#v, want %#v", c.name, got, c.want)
		}
	}
}

func TestRefsOfAndTexts(t *testing.T) {
	def := refDef(true)
	refs := RefsOf(def, Values{"by": []string{idA, idB}})
	if len(refs) != 2 || refs[0] != (Ref{FieldKey: "by", FieldLabel: "Supervised by", TargetID: idA}) || refs[1].TargetID != idB {
		t.Fatalf("RefsOf = %#v", refs)
	}
	names := map[string]RefName{idA: {Name: "Ada"}}
	if got := RefText(def.Sections[0].Fields[0], []string{idA, idB}, names); got != "Ada, deleted persona" {
		t.Errorf("RefText = %q", got)
	}
	names[idB] = RefName{Name: "Bo", Trashed: true}
	if got := RefText(def.Sections[0].Fields[0], []string{idA, idB}, names); got != "Ada, Bo (in trash)" {
		t.Errorf("RefText = %q", got)
	}
	f := Field{Kind: KindPersona, ProfileTypes: []ProfileType{ProfileUX, ProfileArchetype, ProfileAgent}}
	if got := f.AllowedTypesText(); got != "a UX persona, a customer archetype or an AI agent" {
		t.Errorf("AllowedTypesText = %q", got)
	}
	if !f.AllowsType(ProfileAgent) || f.AllowsType(ProfileMarketing) || !(Field{Kind: KindPersona}).AllowsType(ProfileMarketing) {
		t.Error("AllowsType")
	}
	if s := SearchText(Content{Values: Values{"by": idA, "t": "words"}}); s != "words" {
		t.Errorf("search text holds the ID: %q", s)
	}
	md := PersonaMarkdown(MarkdownPersona{Persona: Persona{Content: Content{Name: "N", Values: Values{"by": []string{idA}}}},
		Definition: def, RefNames: names})
	if !strings.Contains(md, "Ada") || strings.Contains(md, idA) {
		t.Errorf("Markdown does not name the referenced persona:\n%s", md)
	}
}
