package api

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

// TestEmptyCollectionsLeavesNoNull: every nil slice and map in an answer —
// in structs, embedded structs, pointers, slices of structs and values held
// in interfaces — encodes as [] or {}, nil pointers stay absent, and the
// value the handler built is not modified.
func TestEmptyCollectionsLeavesNoNull(t *testing.T) {
	type inner struct {
		Tags  []string       `json:"tags"`
		Extra map[string]int `json:"extra"`
	}
	type body struct {
		persona.Persona
		Items    []inner          `json:"items"`
		Ptr      *inner           `json:"ptr"`
		Optional *string          `json:"optional,omitempty"`
		When     time.Time        `json:"when"`
		Any      any              `json:"any"`
		Values   persona.Values   `json:"values_copy"`
		Raw      json.RawMessage  `json:"raw,omitempty"`
		Hidden   []string         `json:"-"`
		Nested   [][]string       `json:"nested"`
		ByKey    map[string][]int `json:"by_key"`
	}
	in := body{
		Persona: persona.Persona{ID: "p1"},
		Items:   []inner{{Tags: []string{"a"}}, {}},
		Ptr:     &inner{},
		Any:     []string(nil),
		Values:  persona.Values{"goals": []string(nil), "n": 1.0},
		Nested:  [][]string{nil, {"x"}},
		ByKey:   map[string][]int{"k": nil},
	}
	out, err := emptyCollections(nil, "200", &in)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "null") {
		t.Fatalf("null left in %s", b)
	}
	for _, want := range []string{`"values":{}`, `"dimensions":{}`, `"items":[{"tags":["a"],"extra":{}},{"tags":[],"extra":{}}]`,
		`"ptr":{"tags":[],"extra":{}}`, `"any":[]`, `"values_copy":{"goals":[],"n":1}`, `"nested":[[],["x"]]`, `"by_key":{"k":[]}`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("%s lacks %s", b, want)
		}
	}
	if strings.Contains(string(b), "optional") || strings.Contains(string(b), "retired") {
		t.Errorf("an optional value appeared: %s", b)
	}
	// The handler's value is untouched (it may be shared).
	if in.Items[1].Tags != nil || in.Ptr.Tags != nil || in.Any.([]string) != nil || in.Values["goals"].([]string) != nil ||
		in.Nested[0] != nil || in.ByKey["k"] != nil || in.Persona.Values != nil {
		t.Fatalf("the original was modified: %+v", in)
	}
	// Nothing to fill: the very same value comes back.
	full := &inner{Tags: []string{}, Extra: map[string]int{}}
	if got, _ := emptyCollections(nil, "200", full); got != any(full) {
		t.Fatal("a value without nil collections was copied")
	}
	if got, _ := emptyCollections(nil, "200", nil); got != nil {
		t.Fatal("nil body changed")
	}
}
