package persona

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// FuzzPersonaValues puts one fuzzed value, in several shapes (the raw
// string, as a one-item list, JSON-decoded as the API decodes it and with
// json.Number), into one field, then one dimension, of each starter
// template (pick chooses which), the other values valid. Validation never panics;
// it either refuses with an invalid error naming exactly that field or
// dimension, or accepts canonical values that survive a JSON round trip,
// validate again unchanged and differ from nothing. Fuzzed variant
// overrides (and the value as an override) never make the variant
// functions panic, and a valid variant of valid content has valid
// effective content.
func FuzzPersonaValues(f *testing.F) {
	seeds := []struct {
		value     string
		pick      uint16
		overrides string
	}{
		{"Nurse", 0, `{"customer_label":"Bank","values":{"quote":"Hi"},"field_notes":{"values.quote":"why"}}`},
		{`["a","b","a"]`, 7, `{"values":{"goals":["x"]},"dimensions":{"technical_comfort":3}}`},
		{`3`, 2, `{"customer_id":"x","customer_label":"y"}`},
		{`1e309`, 2, `{"values":{"team_size":1e309}}`},
		{`-0`, 3, `{"values":{"team_size":-0}}`},
		{`99999999999999999999999999999`, 2, `{"dimensions":{"technical_comfort":99999999999999999999}}`},
		{`NaN`, 2, `{"values":{"team_size":"NaN"},"dimensions":{"technical_comfort":"Inf"}}`},
		{`"-Infinity"`, 12, `{"values":{"frustration":"+Inf"}}`},
		{`{"nested":{"deeper":[1,{"x":null}]}}`, 5, `{"values":{"goals":{"a":1}}}`},
		{strings.Repeat("[", 10000) + strings.Repeat("]", 10000), 1, `[]`},
		{"\xff\xfe\xfd", 0, "{\"customer_label\":\"\xff\"}"},
		{"\u0002marker\u0003", 4, `{"field_notes":{"values.nope":"x"}}`},
		{`'; DROP TABLE personas; --`, 9, `{"values":{"'; DROP TABLE":1}}`},
		{`javascript:alert(1)`, 20, `{"values":{"research_link":"javascript:alert(1)"}}`},
		{`2024-02-30`, 21, ``},
		{strings.Repeat("x", 1<<20), 0, `{"note":"` + strings.Repeat("y", 1<<20) + `"}`},
		{`[` + strings.Repeat(`"item",`, 1000) + `"last"]`, 6, `null`},
		{`true`, 11, `{"values":null,"dimensions":null}`},
	}
	for _, s := range seeds {
		f.Add(s.value, s.pick, s.overrides)
	}
	starters := StarterTemplates()
	f.Fuzz(func(t *testing.T, value string, pick uint16, overrides string) {
		if tooBigToFuzz(len(value)+len(overrides), 512) {
			return
		}
		shapes := []any{value, []any{value}}
		var decoded any
		if json.Unmarshal([]byte(value), &decoded) == nil {
			shapes = append(shapes, decoded)
		}
		dec := json.NewDecoder(strings.NewReader(value))
		dec.UseNumber()
		if dec.Decode(&decoded) == nil {
			shapes = append(shapes, decoded)
		}
		for _, st := range starters {
			def := st.Definition
			keys := def.FieldKeys()
			fd, _ := def.Field(keys[int(pick)%len(keys)])
			dim := def.Dimensions[int(pick)%len(def.Dimensions)]
			for _, v := range shapes {
				c := filledContent(def)
				c.Values[fd.Key] = v
				checkValues(t, def, c, fd.Key, "", overrides)
				c = filledContent(def)
				c.Dimensions[dim.Key] = v
				checkValues(t, def, c, "", dim.Key, overrides)
			}
		}
	})
}

// filledContent is valid content for def: a name and every required field.
func filledContent(def Definition) Content {
	c := Content{Name: "Fuzz", Values: Values{}, Dimensions: Values{}}
	for _, s := range def.Sections {
		for _, fd := range s.Fields {
			if fd.Required {
				c.Values[fd.Key] = fillValue(fd)
			}
		}
	}
	return c
}

func checkValues(t *testing.T, def Definition, c Content, field, dim, overrides string) {
	t.Helper()
	if err := ValidateContent(def, &c); err != nil {
		for _, fe := range checkInvalid(t, err).Fields {
			if fe.Field != "values."+field && fe.Field != "dimensions."+dim {
				t.Fatalf("refused %s (%s); only values.%s and dimensions.%s were fuzzed", fe.Field, fe.Message, field, dim)
			}
		}
		return
	}
	for k, v := range c.Values {
		switch v.(type) {
		case string, []string, float64:
		default:
			t.Fatalf("value %s has type %T after validation", k, v)
		}
	}
	for k, v := range c.Dimensions {
		switch v.(type) {
		case string, float64:
		default:
			t.Fatalf("dimension %s has type %T after validation", k, v)
		}
	}
	if d := Diff(def, c, c); len(d) != 0 {
		t.Fatalf("content differs from itself: %+v", d)
	}
	enc, err := json.Marshal(c)
	if err != nil {
		t.Fatalf("valid content does not encode: %v", err)
	}
	var back Content
	if err := json.Unmarshal(enc, &back); err != nil {
		t.Fatalf("encoded content does not decode: %v", err)
	}
	if err := ValidateContent(def, &back); err != nil {
		t.Fatalf("valid content invalid after a JSON round trip: %v\n%s", err, enc)
	}
	if enc2, _ := json.Marshal(back); !bytes.Equal(enc, enc2) {
		t.Fatalf("round trip changed the content:\n%s\n%s", enc, enc2)
	}
	if d := Diff(def, c, back); len(d) != 0 {
		t.Fatalf("round trip differs: %+v", d)
	}

	// Variants: fuzzed overrides, plus the fuzzed value as one.
	var v VariantContent
	_ = json.Unmarshal([]byte(overrides), &v)
	if x, ok := c.Values[field]; ok {
		if v.Values == nil {
			v.Values = Values{}
		}
		v.Values[field] = x
	}
	_ = Effective(c, v)
	_ = BaseChanged(c, v)
	_ = v.OverridePaths()
	if v.CustomerID == "" && v.CustomerLabel == "" {
		v.CustomerLabel = "Fuzz customer"
	}
	if err := ValidateVariant(def, &v); err != nil {
		checkInvalid(t, err)
		return
	}
	eff := Effective(c, v)
	if err := ValidateContent(def, &eff); err != nil {
		t.Fatalf("a valid variant of valid content is invalid: %v", err)
	}
	next := v
	RecordBase(c, &next, VariantContent{}, nil)
	if changed := BaseChanged(c, next); len(changed) != 0 {
		t.Fatalf("base recorded just now counts as changed: %v", changed)
	}
}
