package persona

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// testDef is a small definition exercising every field kind.
func testDef() Definition {
	return Definition{
		Sections: []Section{
			{Key: "profile", Label: "Profile", Fields: []Field{
				{Key: "role", Label: "Role", Kind: KindText, Required: true, MaxLength: 20},
				{Key: "bio", Label: "Bio", Kind: KindMarkdown},
				{Key: "site", Label: "Site", Kind: KindURL},
				{Key: "since", Label: "Since", Kind: KindDate},
				{Key: "seniority", Label: "Seniority", Kind: KindChoice, Options: []string{"junior", "senior"}},
			}},
			{Key: "more", Label: "More", Fields: []Field{
				{Key: "goals", Label: "Goals", Kind: KindList, MaxLength: 10},
				{Key: "tools", Label: "Tools", Kind: KindTags},
				{Key: "channels", Label: "Channels", Kind: KindMultiChoice, Options: []string{"email", "chat", "phone"}},
				{Key: "team", Label: "Team", Kind: KindNumber, Min: fp(0), Max: fp(1000)},
				{Key: "budget", Label: "Budget", Kind: KindNumber},
				{Key: "confidence", Label: "Confidence", Kind: KindScale, Min: fp(1), Max: fp(5)},
			}},
		},
		Dimensions: []Dimension{
			{Key: "technical_comfort", Label: "Technical comfort", Kind: DimensionScale, Min: 1, Max: 5},
			{Key: "buying_role", Label: "Buying role", Kind: DimensionChoice, Options: []string{"user", "buyer"}},
		},
	}
}

func fieldPaths(t *testing.T, err error, message string) []FieldError {
	t.Helper()
	if err == nil {
		return nil
	}
	e, ok := AsError(err)
	if !ok {
		t.Fatalf("error %v is not an *Error", err)
	}
	if e.Code != CodeInvalid || e.Message != message {
		t.Fatalf("error code %q message %q", e.Code, e.Message)
	}
	return e.Fields
}

func TestDefinitionValidateOK(t *testing.T) {
	if err := testDef().Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestDefinitionValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Definition)
		want   []FieldError
	}{
		{"no sections", func(d *Definition) { d.Sections = nil }, []FieldError{{"sections", "needs at least one section"}}},
		{"bad section key", func(d *Definition) { d.Sections[0].Key = "Profile" }, []FieldError{{"sections[0].key", "must start with a lower-case letter and contain only lower-case letters, digits and underscores (at most 63)"}}},
		{"empty section key", func(d *Definition) { d.Sections[0].Key = "" }, []FieldError{{"sections[0].key", "is required"}}},
		{"key too long", func(d *Definition) { d.Sections[0].Key = "a" + strings.Repeat("b", 63) }, []FieldError{{"sections[0].key", "must start with a lower-case letter and contain only lower-case letters, digits and underscores (at most 63)"}}},
		{"duplicate section key", func(d *Definition) { d.Sections[1].Key = "profile" }, []FieldError{{"sections[1].key", "duplicate key profile"}}},
		{"duplicate field key across sections", func(d *Definition) { d.Sections[1].Fields[0].Key = "role" }, []FieldError{{"sections[1].fields[0].key", "duplicate key role"}}},
		{"missing labels", func(d *Definition) {
			d.Sections[0].Label = " "
			d.Sections[1].Fields[2].Label = ""
			d.Dimensions[0].Label = ""
		}, []FieldError{{"sections[0].label", "is required"}, {"sections[1].fields[2].label", "is required"}, {"dimensions[0].label", "is required"}}},
		{"label too long", func(d *Definition) { d.Sections[0].Fields[0].Label = strings.Repeat("x", 201) }, []FieldError{{"sections[0].fields[0].label", "must be at most 200 characters"}}},
		{"section labels for unknown type", func(d *Definition) {
			d.Sections[0].Labels = map[ProfileType]string{ProfileUX: "Who", "robot": "Beep"}
		}, []FieldError{{"sections[0].labels.robot", "unknown profile type"}}},
		{"bad kind", func(d *Definition) { d.Sections[0].Fields[1].Kind = "blob" }, []FieldError{{"sections[0].fields[1].kind", "must be one of: text, markdown, list, number, scale, choice, multi_choice, tags, url, date, image, persona"}}},
		{"choice without options", func(d *Definition) { d.Sections[0].Fields[4].Options = nil }, []FieldError{{"sections[0].fields[4].options", "needs at least one option"}}},
		{"duplicate option", func(d *Definition) { d.Sections[1].Fields[2].Options = []string{"email", "email"} }, []FieldError{{"sections[1].fields[2].options", "duplicate option email"}}},
		{"empty option", func(d *Definition) { d.Sections[1].Fields[2].Options = []string{"email", ""} }, []FieldError{{"sections[1].fields[2].options", "options must not be empty"}}},
		{"number min > max", func(d *Definition) { d.Sections[1].Fields[3].Min = fp(5); d.Sections[1].Fields[3].Max = fp(1) }, []FieldError{{"sections[1].fields[3].max", "must not be less than min"}}},
		{"number NaN", func(d *Definition) { d.Sections[1].Fields[3].Min = fp(math.NaN()) }, []FieldError{{"sections[1].fields[3].min", "must be a finite number"}}},
		{"scale without bounds", func(d *Definition) { d.Sections[1].Fields[5].Min = nil; d.Sections[1].Fields[5].Max = nil }, []FieldError{{"sections[1].fields[5].min", "is required for a scale"}, {"sections[1].fields[5].max", "is required for a scale"}}},
		{"scale fractional", func(d *Definition) { d.Sections[1].Fields[5].Max = fp(4.5) }, []FieldError{{"sections[1].fields[5].max", "must be a whole number"}}},
		{"scale min == max", func(d *Definition) { d.Sections[1].Fields[5].Max = fp(1) }, []FieldError{{"sections[1].fields[5].max", "must be greater than min"}}},
		{"scale span", func(d *Definition) { d.Sections[1].Fields[5].Max = fp(200) }, []FieldError{{"sections[1].fields[5].max", "must be at most 100 above min"}}},
		{"negative max length", func(d *Definition) { d.Sections[0].Fields[0].MaxLength = -1 }, []FieldError{{"sections[0].fields[0].max_length", "must not be negative"}}},
		{"duplicate dimension", func(d *Definition) { d.Dimensions[1].Key = "technical_comfort" }, []FieldError{{"dimensions[1].key", "duplicate key technical_comfort"}}},
		{"dimension scale min >= max", func(d *Definition) { d.Dimensions[0].Max = 1 }, []FieldError{{"dimensions[0].max", "must be greater than min"}}},
		{"dimension scale span", func(d *Definition) { d.Dimensions[0].Max = 102 }, []FieldError{{"dimensions[0].max", "must be at most 100 above min"}}},
		{"dimension choice without options", func(d *Definition) { d.Dimensions[1].Options = nil }, []FieldError{{"dimensions[1].options", "needs at least one option"}}},
		{"dimension bad kind", func(d *Definition) { d.Dimensions[1].Kind = "ranking" }, []FieldError{{"dimensions[1].kind", "must be one of: scale, choice"}}},
		{"control characters in help", func(d *Definition) { d.Sections[0].Help = "a\x02b" }, []FieldError{{"sections[0].help", "contains a control character (U+0002): only tabs and line breaks are allowed"}}},
		{"every problem at once", func(d *Definition) {
			d.Sections[0].Key = "1x"
			d.Sections[1].Fields[5].Min = nil
			d.Dimensions[0].Key = ""
		}, []FieldError{{"sections[0].key", "must start with a lower-case letter and contain only lower-case letters, digits and underscores (at most 63)"}, {"sections[1].fields[5].min", "is required for a scale"}, {"dimensions[0].key", "is required"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := testDef()
			tt.mutate(&d)
			got := fieldPaths(t, d.Validate(), "invalid template definition")
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDefinitionLookups(t *testing.T) {
	d := testDef()
	if f, ok := d.Field("tools"); !ok || f.Kind != KindTags {
		t.Errorf("Field(tools) = %+v, %v", f, ok)
	}
	if _, ok := d.Field("nope"); ok {
		t.Error("Field(nope) found")
	}
	if dim, ok := d.Dimension("buying_role"); !ok || dim.Kind != DimensionChoice {
		t.Errorf("Dimension(buying_role) = %+v, %v", dim, ok)
	}
	if _, ok := d.Dimension("nope"); ok {
		t.Error("Dimension(nope) found")
	}
	want := []string{"role", "bio", "site", "since", "seniority", "goals", "tools", "channels", "team", "budget", "confidence"}
	if diff := cmp.Diff(want, d.FieldKeys()); diff != "" {
		t.Errorf("FieldKeys (-want +got):\n%s", diff)
	}
}

func TestValidateContentNormalises(t *testing.T) {
	c := Content{
		Name:    "  Night Nurse ",
		Summary: " Works nights. ",
		Values: Values{
			"role":       "  Nurse  ",
			"bio":        "\n\n# Bio\n  indented\n\n",
			"site":       " https://example.com/x ",
			"since":      "2024-02-29",
			"seniority":  "senior",
			"goals":      []any{" one ", "", "two", "one"},
			"tools":      []any{"Excel", "excel", " SAP ", ""},
			"channels":   []string{"chat", "email", "chat"},
			"team":       3,
			"budget":     "12.5",
			"confidence": 4.0,
		},
		Dimensions: Values{"technical_comfort": int64(2), "buying_role": " user "},
	}
	if err := ValidateContent(testDef(), &c); err != nil {
		t.Fatal(err)
	}
	want := Content{
		Name:    "Night Nurse",
		Summary: "Works nights.",
		Status:  StatusDraft,
		Values: Values{
			"role":       "Nurse",
			"bio":        "# Bio\n  indented",
			"site":       "https://example.com/x",
			"since":      "2024-02-29",
			"seniority":  "senior",
			"goals":      []string{"one", "two", "one"},
			"tools":      []string{"excel", "sap"},
			"channels":   []string{"chat", "email"},
			"team":       3.0,
			"budget":     12.5,
			"confidence": 4.0,
		},
		Dimensions: Values{"technical_comfort": 2.0, "buying_role": "user"},
	}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("normalised content (-want +got):\n%s", diff)
	}
}

func TestValidateContentRemovesEmptyValues(t *testing.T) {
	c := Content{
		Name:       "X",
		Values:     Values{"role": "r", "bio": "  ", "goals": []any{}, "tools": []any{" ", ""}, "site": nil, "team": "", "seniority": ""},
		Dimensions: Values{"buying_role": "", "technical_comfort": nil},
		Retired:    Values{},
	}
	if err := ValidateContent(testDef(), &c); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Values{"role": "r"}, c.Values); diff != "" {
		t.Errorf("values (-want +got):\n%s", diff)
	}
	if len(c.Dimensions) != 0 || c.Dimensions == nil {
		t.Errorf("dimensions = %#v, want empty non-nil map", c.Dimensions)
	}
	if c.Retired != nil {
		t.Errorf("retired = %#v, want nil", c.Retired)
	}
}

func TestValidateContentNilMapsAndRetiredKept(t *testing.T) {
	c := Content{Name: "X", Values: nil, Dimensions: nil, Retired: Values{"old": []any{"x", 1.0}}}
	err := ValidateContent(testDef(), &c)
	if got := fieldPaths(t, err, "invalid persona"); !cmp.Equal(got, []FieldError{{"values.role", "is required"}}) {
		t.Errorf("fields = %v", got)
	}
	if c.Values == nil || c.Dimensions == nil {
		t.Error("maps not made non-nil")
	}
	if !cmp.Equal(c.Retired, Values{"old": []any{"x", 1.0}}) {
		t.Errorf("retired changed: %#v", c.Retired)
	}
}

func TestValidateContentErrors(t *testing.T) {
	valid := func() Content {
		return Content{Name: "Valid", Status: StatusPublished, Values: Values{"role": "Nurse"}, Dimensions: Values{}}
	}
	long := strings.Repeat("x", 201)
	tests := []struct {
		name   string
		mutate func(*Content)
		want   []FieldError
	}{
		{"name required", func(c *Content) { c.Name = "   " }, []FieldError{{"name", "is required"}}},
		{"name too long", func(c *Content) { c.Name = long }, []FieldError{{"name", "must be at most 200 characters"}}},
		{"name control chars", func(c *Content) { c.Name = "a\x02b" }, []FieldError{{"name", "contains a control character (U+0002): single-line text may not hold tabs, line breaks or other control characters"}}},
		{"summary too long", func(c *Content) { c.Summary = strings.Repeat("é", 2001) }, []FieldError{{"summary", "must be at most 2000 characters"}}},
		{"summary invalid utf8", func(c *Content) { c.Summary = "a\xffb" }, []FieldError{{"summary", "is not valid UTF-8"}}},
		{"bad status", func(c *Content) { c.Status = "live" }, []FieldError{{"status", "must be one of: draft, published, archived"}}},
		{"bad review date", func(c *Content) { c.LastReviewedOn = "2025-02-30" }, []FieldError{{"last_reviewed_on", "must be a date (YYYY-MM-DD)"}}},
		{"review date not padded", func(c *Content) { c.LastReviewedOn = "2025-2-3" }, []FieldError{{"last_reviewed_on", "must be a date (YYYY-MM-DD)"}}},
		{"review interval negative", func(c *Content) { c.ReviewIntervalDays = -1 }, []FieldError{{"review_interval_days", "must be between 0 and 3650"}}},
		{"review interval too big", func(c *Content) { c.ReviewIntervalDays = 3651 }, []FieldError{{"review_interval_days", "must be between 0 and 3650"}}},
		{"missing required field", func(c *Content) { delete(c.Values, "role") }, []FieldError{{"values.role", "is required"}}},
		{"required field blank", func(c *Content) { c.Values["role"] = "  " }, []FieldError{{"values.role", "is required"}}},
		{"text too long for MaxLength", func(c *Content) { c.Values["role"] = strings.Repeat("r", 21) }, []FieldError{{"values.role", "must be at most 20 characters"}}},
		{"text global cap", func(c *Content) { c.Values["bio"] = strings.Repeat("b", 20001) }, []FieldError{{"values.bio", "must be at most 20000 characters"}}},
		{"text wrong type", func(c *Content) { c.Values["role"] = 5.0 }, []FieldError{{"values.role", "must be a string"}}},
		{"text control characters", func(c *Content) { c.Values["bio"] = "match \x03 marker" }, []FieldError{{"values.bio", "contains a control character (U+0003): only tabs and line breaks are allowed"}}},
		{"text null byte", func(c *Content) { c.Values["bio"] = "a\x00" }, []FieldError{{"values.bio", "contains a control character (NUL): only tabs and line breaks are allowed"}}},
		{"text tabs and newlines ok", func(c *Content) { c.Values["bio"] = "a\tb\r\nc" }, nil},
		{"url relative", func(c *Content) { c.Values["site"] = "/path" }, []FieldError{{"values.site", "must be an absolute http(s) URL"}}},
		{"url javascript", func(c *Content) { c.Values["site"] = "javascript:alert(1)" }, []FieldError{{"values.site", "must be an absolute http(s) URL"}}},
		{"url no host", func(c *Content) { c.Values["site"] = "https:///x" }, []FieldError{{"values.site", "must be an absolute http(s) URL"}}},
		{"url ftp", func(c *Content) { c.Values["site"] = "ftp://example.com" }, []FieldError{{"values.site", "must be an absolute http(s) URL"}}},
		{"url with space", func(c *Content) { c.Values["site"] = "https://exa mple.com" }, []FieldError{{"values.site", "must be an absolute http(s) URL"}}},
		{"date bad", func(c *Content) { c.Values["since"] = "31/12/2024" }, []FieldError{{"values.since", "must be a date (YYYY-MM-DD)"}}},
		{"date not real", func(c *Content) { c.Values["since"] = "2023-02-29" }, []FieldError{{"values.since", "must be a date (YYYY-MM-DD)"}}},
		{"choice not an option", func(c *Content) { c.Values["seniority"] = "mid" }, []FieldError{{"values.seniority", "must be one of: junior, senior"}}},
		{"choice wrong type", func(c *Content) { c.Values["seniority"] = []any{"junior"} }, []FieldError{{"values.seniority", "must be a string"}}},
		{"list wrong type", func(c *Content) { c.Values["goals"] = 5.0 }, []FieldError{{"values.goals", "must be a list of strings"}}},
		{"list as string", func(c *Content) { c.Values["goals"] = "one" }, []FieldError{{"values.goals", "must be a list of strings"}}},
		{"list with number item", func(c *Content) { c.Values["goals"] = []any{"one", 2.0} }, []FieldError{{"values.goals", "must be a list of strings"}}},
		{"list object", func(c *Content) { c.Values["goals"] = map[string]any{"a": "b"} }, []FieldError{{"values.goals", "must be a list of strings"}}},
		{"list item too long", func(c *Content) { c.Values["goals"] = []any{"short", "much too long"} }, []FieldError{{"values.goals", "items must be at most 10 characters"}}},
		{"list item control chars", func(c *Content) { c.Values["tools"] = []any{"a\x02"} }, []FieldError{{"values.tools", "contains a control character (U+0002): single-line text may not hold tabs, line breaks or other control characters"}}},
		{"list too many items", func(c *Content) {
			items := make([]string, 201)
			for i := range items {
				items[i] = "t" + strconv.Itoa(i)
			}
			c.Values["tools"] = items
		}, []FieldError{{"values.tools", "must have at most 200 items"}}},
		{"multi choice not in options", func(c *Content) { c.Values["channels"] = []any{"email", "fax"} }, []FieldError{{"values.channels", "must be one of: email, chat, phone"}}},
		{"number wrong type", func(c *Content) { c.Values["team"] = true }, []FieldError{{"values.team", "must be a number"}}},
		{"number not numeric string", func(c *Content) { c.Values["team"] = "many" }, []FieldError{{"values.team", "must be a number"}}},
		{"number NaN", func(c *Content) { c.Values["budget"] = math.NaN() }, []FieldError{{"values.budget", "must be a number"}}},
		{"number out of range", func(c *Content) { c.Values["team"] = 1001.0 }, []FieldError{{"values.team", "must be between 0 and 1000"}}},
		{"number negative", func(c *Content) { c.Values["team"] = -1 }, []FieldError{{"values.team", "must be between 0 and 1000"}}},
		{"scale out of range", func(c *Content) { c.Values["confidence"] = 6.0 }, []FieldError{{"values.confidence", "must be between 1 and 5"}}},
		{"scale zero", func(c *Content) { c.Values["confidence"] = 0 }, []FieldError{{"values.confidence", "must be between 1 and 5"}}},
		{"scale not integer", func(c *Content) { c.Values["confidence"] = 2.5 }, []FieldError{{"values.confidence", "must be a whole number"}}},
		{"scale wrong type", func(c *Content) { c.Values["confidence"] = []any{3.0} }, []FieldError{{"values.confidence", "must be a number"}}},
		{"unknown field", func(c *Content) { c.Values["favourite_colour"] = "blue" }, []FieldError{{"values.favourite_colour", "unknown field"}}},
		{"dimension out of range", func(c *Content) { c.Dimensions["technical_comfort"] = 15.0 }, []FieldError{{"dimensions.technical_comfort", "must be between 1 and 5"}}},
		{"dimension not integer", func(c *Content) { c.Dimensions["technical_comfort"] = 1.5 }, []FieldError{{"dimensions.technical_comfort", "must be a whole number"}}},
		{"dimension wrong type", func(c *Content) { c.Dimensions["technical_comfort"] = "high" }, []FieldError{{"dimensions.technical_comfort", "must be a number"}}},
		{"dimension choice not an option", func(c *Content) { c.Dimensions["buying_role"] = "ceo" }, []FieldError{{"dimensions.buying_role", "must be one of: user, buyer"}}},
		{"dimension choice wrong type", func(c *Content) { c.Dimensions["buying_role"] = 1.0 }, []FieldError{{"dimensions.buying_role", "must be a string"}}},
		{"unknown dimension", func(c *Content) { c.Dimensions["charisma"] = 3.0 }, []FieldError{{"dimensions.charisma", "unknown dimension"}}},
		{"every problem in a stable order", func(c *Content) {
			c.Name = ""
			c.Status = "nope"
			c.ReviewIntervalDays = 9999
			c.Values = Values{"zzz": "x", "aaa": "y", "confidence": 9.0, "site": "nope"}
			c.Dimensions = Values{"charisma": 1.0, "technical_comfort": 0.0}
		}, []FieldError{
			{"name", "is required"},
			{"status", "must be one of: draft, published, archived"},
			{"review_interval_days", "must be between 0 and 3650"},
			{"values.role", "is required"},
			{"values.site", "must be an absolute http(s) URL"},
			{"values.confidence", "must be between 1 and 5"},
			{"dimensions.technical_comfort", "must be between 1 and 5"},
			{"values.aaa", "unknown field"},
			{"values.zzz", "unknown field"},
			{"dimensions.charisma", "unknown dimension"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := valid()
			tt.mutate(&c)
			got := fieldPaths(t, ValidateContent(testDef(), &c), "invalid persona")
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
}

func TestValidateContentKeepsInvalidValues(t *testing.T) {
	c := Content{Name: "X", Values: Values{"role": "Nurse ", "confidence": 9.0, "goals": []any{"a "}}}
	if err := ValidateContent(testDef(), &c); err == nil {
		t.Fatal("no error")
	}
	want := Values{"role": "Nurse", "confidence": 9.0, "goals": []string{"a"}}
	if diff := cmp.Diff(want, c.Values); diff != "" {
		t.Errorf("values (-want +got):\n%s", diff)
	}
}

func TestValidateContentIdempotent(t *testing.T) {
	for _, st := range StarterTemplates() {
		c := Content{Name: "P", Values: Values{}, Dimensions: Values{}}
		for _, s := range st.Definition.Sections {
			for _, f := range s.Fields {
				c.Values[f.Key] = sampleValue(f)
			}
		}
		for _, d := range st.Definition.Dimensions {
			if d.Kind == DimensionChoice {
				c.Dimensions[d.Key] = d.Options[len(d.Options)-1]
			} else {
				c.Dimensions[d.Key] = float64(d.Max)
			}
		}
		if err := ValidateContent(st.Definition, &c); err != nil {
			t.Fatalf("%s: %v", st.Name, err)
		}
		again := c
		if err := ValidateContent(st.Definition, &again); err != nil {
			t.Fatalf("%s again: %v", st.Name, err)
		}
		if diff := cmp.Diff(c, again); diff != "" {
			t.Errorf("%s: second validation changed content:\n%s", st.Name, diff)
		}
	}
}

func sampleValue(f Field) any {
	switch f.Kind {
	case KindList, KindTags:
		return []any{"First " + f.Key, "second"}
	case KindMultiChoice:
		return []any{f.Options[0]}
	case KindChoice:
		return f.Options[0]
	case KindNumber, KindScale:
		if f.Min != nil {
			return *f.Min
		}
		return 1.0
	case KindURL:
		return "https://example.com/" + f.Key
	case KindDate:
		return "2026-01-15"
	case KindPersona:
		return ExampleID
	}
	return "Some " + f.Key
}

func TestValidateEmail(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{" Ada@Example.COM ", "ada@example.com", ""},
		{"a.b+c@sub.example.org", "a.b+c@sub.example.org", ""},
		{"", "", "is required"},
		{"ada", "", "must be a valid email address"},
		{"ada@", "", "must be a valid email address"},
		{"@example.com", "", "must be a valid email address"},
		{"ada@localhost", "", "must be a valid email address"},
		{"ada@@example.com", "", "must be a valid email address"},
		{"a da@example.com", "", "must be a valid email address"},
		{"ada@example..com", "", "must be a valid email address"},
		{"ada@-example.com", "", "must be a valid email address"},
		{"ada\x00@example.com", "", "must be a valid email address"},
		{strings.Repeat("a", 65) + "@example.com", "", "must be a valid email address"},
	}
	for _, tt := range tests {
		got, err := ValidateEmail(tt.in)
		if got != tt.want || errString(err) != tt.err {
			t.Errorf("ValidateEmail(%q) = %q, %v; want %q, %q", tt.in, got, err, tt.want, tt.err)
		}
		if err != nil && ErrorCode(err) != CodeInvalid {
			t.Errorf("ValidateEmail(%q) code %q", tt.in, ErrorCode(err))
		}
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestValidatePassword(t *testing.T) {
	tests := []struct {
		in, err string
	}{
		{"123456789", "must be at least 10 characters"},
		{"", "must be at least 10 characters"},
		{"äöüßéäöüßé!", ""}, // 11 runes, 21 bytes
		{"correct horse battery staple", ""},
		{strings.Repeat("pass word ", 19) + "0123456789", ""}, // 200
		{strings.Repeat("p", 201), "must be at most 200 characters"},
		{strings.Repeat(" ", 10), "must not be only spaces"},
		{"\t\n \u00a0\u2003\t\n   ", "must not be only spaces"},
		{"ääääääääää", "must use at least 5 different characters"},
		{strings.Repeat("p", 200), "must use at least 5 different characters"},
		{"abababababab", "must use at least 5 different characters"},
		{"AaAaBbBbCcCcDd", "must use at least 5 different characters"}, // case does not add variety
		{"abcdeabcde", "must not be one short pattern repeated"},
		{"Passw0rd!Passw0rd!", "must not be one short pattern repeated"},
		{"qwertzqwertzqwertz", "must not be one short pattern repeated"},
		{"abcdefghijk", "must not be a plain run of characters such as abcdefghij"},
		{"9876543210", "must not be a plain run of characters such as abcdefghij"},
		{"abcdeabcdf", ""}, // not quite a repetition
		{"abcdefghiz", ""}, // not quite a run
	}
	for _, tt := range tests {
		if err := ValidatePassword(tt.in); errString(err) != tt.err {
			t.Errorf("ValidatePassword(%q) = %v, want %q", tt.in, err, tt.err)
		}
	}
}

func TestValidateNames(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{"  Banking customers ", "Banking customers", ""},
		{"   ", "", "is required"},
		{strings.Repeat("g", 201), "", "must be at most 200 characters"},
		{"tab\x1bescape", "", "contains a control character (ESC): single-line text may not hold tabs, line breaks or other control characters"},
	}
	for _, tt := range tests {
		got, err := ValidateGroupName(tt.in)
		if got != tt.want || errString(err) != tt.err {
			t.Errorf("ValidateGroupName(%q) = %q, %v; want %q, %q", tt.in, got, err, tt.want, tt.err)
		}
	}
	if got, err := ValidateDescription("  hello\nworld  "); got != "hello\nworld" || err != nil {
		t.Errorf("ValidateDescription = %q, %v", got, err)
	}
	if _, err := ValidateDescription(strings.Repeat("d", 2001)); errString(err) != "must be at most 2000 characters" {
		t.Errorf("ValidateDescription long = %v", err)
	}
}

func TestValidKey(t *testing.T) {
	for k, want := range map[string]bool{"a": true, "goals_2": true, "A": false, "2a": false, "_a": false, "a-b": false, "": false, "a" + strings.Repeat("b", 62): true, "a" + strings.Repeat("b", 63): false} {
		if ValidKey(k) != want {
			t.Errorf("ValidKey(%q) = %v", k, !want)
		}
	}
}

// FuzzValidateContent feeds JSON-decoded values and dimensions to
// ValidateContent against every starter template. It must never panic, a
// valid result must survive a second validation unchanged, and only
// canonical types may remain.
func FuzzValidateContent(f *testing.F) {
	seeds := []struct{ name, values, dims string }{
		{"Nurse", `{"role_title":"Nurse","goals":["a","b"],"team_size":3,"tools":["Excel","excel"]}`, `{"technical_comfort":3,"usage_frequency":"daily"}`},
		{"", `{"goals":5,"frustration":2.5,"research_link":"javascript:x","research_date":"2024-02-30"}`, `{"autonomy":9,"nope":1}`},
		{"X", `{"role_title":"\u0002","devices":["Phone","Fax"],"context":null,"quote":{"a":1}}`, `{"technical_comfort":"3"}`},
		{"Y", `{"purpose":"Help","permissions":[null,true,1],"industry":"Banking"}`, `[]`},
		{"Z", `{"deal_size":1e308,"sales_cycle_weeks":-0,"team_size":"12"}`, `{"buying_role":"user"}`},
	}
	for _, s := range seeds {
		f.Add(s.name, s.values, s.dims)
	}
	defs := StarterTemplates()
	f.Fuzz(func(t *testing.T, name, values, dims string) {
		for _, st := range defs {
			c := Content{Name: name}
			_ = json.Unmarshal([]byte(values), &c.Values)
			_ = json.Unmarshal([]byte(dims), &c.Dimensions)
			err := ValidateContent(st.Definition, &c)
			if c.Values == nil || c.Dimensions == nil {
				t.Fatal("nil maps after validation")
			}
			if err != nil {
				if ErrorCode(err) != CodeInvalid {
					t.Fatalf("error %v has code %q", err, ErrorCode(err))
				}
				continue
			}
			for k, v := range c.Values {
				switch v.(type) {
				case string, []string, float64:
				default:
					t.Fatalf("value %s has type %T", k, v)
				}
			}
			before, _ := json.Marshal(c)
			if err := ValidateContent(st.Definition, &c); err != nil {
				t.Fatalf("valid content invalid on second pass: %v", err)
			}
			if after, _ := json.Marshal(c); string(before) != string(after) {
				t.Fatalf("second pass changed content:\n%s\n%s", before, after)
			}
			_ = Diff(st.Definition, Content{}, c)
			_ = SearchText(c)
			_ = Upgrade(c, defs[len(name)%len(defs)].Definition, 2)
		}
	})
}
