package persona

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzTemplateDefinition decodes a template definition from JSON (as the
// API and imports do) and validates it. Validation never panics and
// refuses with an invalid error naming readable paths. A definition it
// accepts survives a JSON round trip unchanged and still valid; a persona
// with empty content fails only for the required fields; and a persona
// holding a simple valid value in every field validates, so a template
// that passes validation can always be filled in.
func FuzzTemplateDefinition(f *testing.F) {
	for _, st := range StarterTemplates() {
		b, err := json.Marshal(st.Definition)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		`{"sections":[{"key":"a","label":"A","fields":[{"key":"f","label":"F","kind":"text","required":true}]}],"dimensions":[]}`,
		`{"sections":[{"key":"a","label":"A","fields":[{"key":"n","label":"N","kind":"number","min":5,"max":1}]}]}`,
		`{"sections":[{"key":"a","label":"A","fields":[{"key":"s","label":"S","kind":"scale","min":1.5,"max":1e308}]}]}`,
		`{"sections":[{"key":"a","label":"A","fields":[{"key":"n","label":"N","kind":"number","min":1e309}]}]}`,
		`{"sections":[{"key":"a","label":"A","fields":[{"key":"n","label":"N","kind":"number","min":-0,"max":0}]}]}`,
		// Found by this target: options longer than max_length were accepted.
		`{"sections":[{"key":"a","label":"A","fields":[{"key":"c","label":"C","kind":"choice","options":["long option"],"max_length":3}]}]}`,
		`{"sections":[{"key":"a","label":"A","fields":[{"key":"u","label":"U","kind":"url","max_length":4,"required":true}]}]}`,
		`{"sections":[{"key":"a","label":"A","labels":{"ux":"","robot":"R","\u0002":"x"},"fields":[]}]}`,
		`{"sections":[{"key":"a","label":"A","fields":[{"key":"a","label":"\u0000","kind":"multi_choice","options":["x","x"," y"]}]}],"dimensions":[{"key":"a","label":"D","kind":"scale","min":9223372036854775807,"max":-9223372036854775808}]}`,
		`{"sections":[{"key":"'; DROP TABLE templates; --","label":"<script>alert(1)</script>","fields":[]}],"dimensions":[{"key":"d","label":"D","kind":"choice","options":[]}]}`,
		`{"sections":[{"key":"a","label":"` + strings.Repeat("x", 1<<20) + `","fields":[]}]}`,
		"{\"sections\":[{\"key\":\"a\",\"label\":\"\xff\xfe\",\"fields\":[]}]}",
		strings.Repeat(`{"sections":[`, 500) + strings.Repeat(`]}`, 500),
		`{"sections":null,"dimensions":null}`,
		`[]`, `null`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if tooBigToFuzz(len(data), 2048) {
			return
		}
		var def Definition
		if json.Unmarshal(data, &def) != nil {
			return
		}
		err := def.Validate()
		if again := def.Validate(); errText(again) != errText(err) {
			t.Fatalf("validation is not deterministic: %v, then %v", err, again)
		}
		if err != nil {
			checkInvalid(t, err)
			return
		}

		enc, err := json.Marshal(def)
		if err != nil {
			t.Fatalf("a valid definition does not encode: %v", err)
		}
		var back Definition
		if err := json.Unmarshal(enc, &back); err != nil {
			t.Fatalf("an encoded definition does not decode: %v\n%s", err, enc)
		}
		if err := back.Validate(); err != nil {
			t.Fatalf("valid definition invalid after a JSON round trip: %v", err)
		}
		if enc2, _ := json.Marshal(back); !bytes.Equal(enc, enc2) {
			t.Fatalf("round trip changed the definition:\n%s\n%s", enc, enc2)
		}

		// Empty content fails only for required fields.
		c := Content{Name: "Fuzz"}
		if err := ValidateContent(def, &c); err != nil {
			e := checkInvalid(t, err)
			for _, fe := range e.Fields {
				f, ok := def.Field(strings.TrimPrefix(fe.Field, "values."))
				if !ok || !f.Required || fe.Message != "is required" {
					t.Fatalf("empty persona refused for %s: %s", fe.Field, fe.Message)
				}
			}
		}
		if d := Diff(def, c, c); len(d) != 0 {
			t.Fatalf("content differs from itself: %+v", d)
		}

		// A simple valid value in every field and dimension. A max_length
		// too short for any URL or date is the author's to notice (the
		// field refuses every value); such fields are left empty.
		full := Content{Name: "Fuzz", Values: Values{}, Dimensions: Values{}}
		for _, s := range def.Sections {
			for _, fd := range s.Fields {
				v := fillValue(fd)
				if s, ok := v.(string); ok && (fd.Kind == KindURL || fd.Kind == KindDate) && fd.MaxLength > 0 && len(s) > fd.MaxLength {
					if fd.Required {
						return
					}
					continue
				}
				full.Values[fd.Key] = v
			}
		}
		for _, d := range def.Dimensions {
			if d.Kind == DimensionScale {
				full.Dimensions[d.Key] = float64(d.Min)
			} else {
				full.Dimensions[d.Key] = d.Options[0]
			}
		}
		if err := ValidateContent(def, &full); err != nil {
			t.Fatalf("a valid template refuses a filled-in persona: %v\n%s", err, enc)
		}
		_ = SearchText(full)
		_ = Upgrade(full, def, 2)
		p := Persona{ProfileType: ProfileUX, Content: full}
		_ = PersonaMarkdown(MarkdownPersona{Persona: p, Definition: def})
		if _, err := Compare([]CompareInput{{Persona: p, Definition: def}, {Persona: Persona{Content: c}, Definition: def}}); err != nil {
			t.Fatalf("compare: %v", err)
		}
	})
}

// fillValue is a short valid value for a field of a valid definition.
func fillValue(f Field) any {
	switch f.Kind {
	case KindList, KindTags:
		return []any{"x"}
	case KindChoice:
		return f.Options[0]
	case KindMultiChoice:
		return []any{f.Options[0]}
	case KindNumber:
		switch {
		case f.Min != nil:
			return *f.Min
		case f.Max != nil:
			return *f.Max
		}
		return 0.0
	case KindScale:
		return *f.Min
	case KindURL:
		return "http://a.b"
	case KindDate:
		return "2026-01-15"
	case KindPersona:
		return ExampleID
	}
	return "x"
}

// checkInvalid fails unless err is an invalid-input *Error listing at
// least one problem, each with a readable path and a message.
func checkInvalid(t *testing.T, err error) *Error {
	t.Helper()
	e, ok := AsError(err)
	if !ok || e.Code != CodeInvalid {
		t.Fatalf("want an invalid *Error, got %T %v", err, err)
	}
	if len(e.Fields) == 0 {
		t.Fatalf("invalid error without fields: %v", err)
	}
	for _, fe := range e.Fields {
		if fe.Field == "" || fe.Message == "" || !utf8.ValidString(fe.Field) || HasControl(fe.Field) {
			t.Fatalf("bad field error %q: %q", fe.Field, fe.Message)
		}
	}
	return e
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
