package persona

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// v2Def drops "bio", "team" and the buying_role dimension from testDef, turns
// "confidence" into a 1-3 scale and adds a required "shift" field.
func v2Def() Definition {
	d := testDef()
	s0 := d.Sections[0].Fields
	d.Sections[0].Fields = []Field{s0[0], s0[2], s0[3], s0[4], {Key: "shift", Label: "Shift", Kind: KindChoice, Options: []string{"day", "night"}}}
	s1 := d.Sections[1].Fields
	conf := s1[5]
	conf.Max = fp(3)
	d.Sections[1].Fields = []Field{s1[0], s1[1], s1[2], s1[4], conf}
	d.Dimensions = d.Dimensions[:1]
	return d
}

func TestUpgrade(t *testing.T) {
	if err := v2Def().Validate(); err != nil {
		t.Fatal(err)
	}
	c := Content{
		Name: "Nurse", Status: StatusPublished, TemplateVersion: 1,
		Values:     Values{"role": "Nurse", "bio": "Long story", "team": 4.0, "goals": []any{"a"}, "confidence": 2.0},
		Dimensions: Values{"technical_comfort": 3.0, "buying_role": "user"},
	}
	orig, _ := json.Marshal(c)
	res := Upgrade(c, v2Def(), 2)
	after, _ := json.Marshal(c)
	if string(orig) != string(after) {
		t.Errorf("Upgrade modified its input:\n%s\n%s", orig, after)
	}
	want := UpgradeResult{
		Content: Content{
			Name: "Nurse", Status: StatusPublished, TemplateVersion: 2,
			Values:     Values{"role": "Nurse", "goals": []string{"a"}, "confidence": 2.0},
			Dimensions: Values{"technical_comfort": 3.0},
			Retired:    Values{"bio": "Long story", "team": 4.0, "dimension:buying_role": "user"},
		},
		Retired:  []string{"bio", "dimension:buying_role", "team"},
		Revived:  []string{},
		Problems: []FieldError{},
	}
	if diff := cmp.Diff(want, res); diff != "" {
		t.Errorf("upgrade (-want +got):\n%s", diff)
	}

	// And back: the retired values come back, nothing is lost.
	back := Upgrade(res.Content, testDef(), 1)
	wantBack := UpgradeResult{
		Content: Content{
			Name: "Nurse", Status: StatusPublished, TemplateVersion: 1,
			Values:     Values{"role": "Nurse", "bio": "Long story", "team": 4.0, "goals": []string{"a"}, "confidence": 2.0},
			Dimensions: Values{"technical_comfort": 3.0, "buying_role": "user"},
		},
		Retired:  []string{},
		Revived:  []string{"bio", "dimension:buying_role", "team"},
		Problems: []FieldError{},
	}
	if diff := cmp.Diff(wantBack, back); diff != "" {
		t.Errorf("downgrade (-want +got):\n%s", diff)
	}
}

func TestUpgradeProblems(t *testing.T) {
	def := v2Def()
	def.Sections[0].Fields[4].Required = true // shift
	c := Content{
		Name: "Nurse", TemplateVersion: 1,
		Values:  Values{"role": "Nurse", "confidence": 5.0, "goals": []any{"a "}},
		Retired: Values{"old": "x"},
	}
	res := Upgrade(c, def, 7)
	wantProblems := []FieldError{
		{"values.shift", "is required"},
		{"values.confidence", "must be between 1 and 3"},
	}
	if diff := cmp.Diff(wantProblems, res.Problems); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	if res.Content.TemplateVersion != 7 {
		t.Errorf("version %d", res.Content.TemplateVersion)
	}
	// The refused value stays in place; the rest is normalised.
	if diff := cmp.Diff(Values{"role": "Nurse", "confidence": 5.0, "goals": []string{"a"}}, res.Content.Values); diff != "" {
		t.Errorf("values (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(Values{"old": "x"}, res.Content.Retired); diff != "" {
		t.Errorf("retired (-want +got):\n%s", diff)
	}
}

func TestUpgradeCurrentValueWinsOverRetired(t *testing.T) {
	c := Content{Name: "N", Values: Values{"role": "Now"}, Retired: Values{"role": "Then", "bio": "Old bio"}}
	res := Upgrade(c, testDef(), 3)
	if len(res.Problems) != 0 {
		t.Fatal(res.Problems)
	}
	if diff := cmp.Diff(Values{"role": "Now", "bio": "Old bio"}, res.Content.Values); diff != "" {
		t.Errorf("values (-want +got):\n%s", diff)
	}
	if res.Content.Retired != nil {
		t.Errorf("retired %v, want nil", res.Content.Retired)
	}
	if diff := cmp.Diff([]string{"bio"}, res.Revived); diff != "" {
		t.Errorf("revived (-want +got):\n%s", diff)
	}
}

func TestUpgradeRetiredOverwritesOlderRetired(t *testing.T) {
	c := Content{Name: "N", Values: Values{"role": "R", "bio": "new bio"}, Retired: Values{"something": 1.0}}
	res := Upgrade(c, v2Def(), 2)
	if diff := cmp.Diff(Values{"bio": "new bio", "something": 1.0}, res.Content.Retired); diff != "" {
		t.Errorf("retired (-want +got):\n%s", diff)
	}
}

func TestUpgradeJSONListsAreArrays(t *testing.T) {
	b, err := json.Marshal(Upgrade(Content{Name: "N", Values: Values{"role": "r"}}, testDef(), 1))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	for _, k := range []string{"retired", "revived", "problems"} {
		if _, ok := m[k].([]any); !ok {
			t.Errorf("%s encodes as %v, want an array", k, m[k])
		}
	}
}
