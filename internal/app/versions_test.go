package app

import (
	"context"
	"reflect"
	"testing"

	"github.com/personapal/personapal/internal/persona"
)

// countingStore answers GetVersion from memory and counts the calls.
type countingStore struct {
	Store
	calls int
	v     persona.TemplateVersion
}

func (c *countingStore) GetVersion(_ context.Context, orgID, templateID string, version int) (persona.TemplateVersion, error) {
	c.calls++
	if orgID != c.v.OrgID || templateID != c.v.TemplateID || version != c.v.Version {
		return persona.TemplateVersion{}, persona.ErrNotFound("template version")
	}
	return c.v, nil
}

func sampleVersion() persona.TemplateVersion {
	lo, hi := 1.0, 5.0
	return persona.TemplateVersion{OrgID: "org-a", TemplateID: "t1", Version: 2, PersonaCount: 7,
		Definition: persona.Definition{
			Sections: []persona.Section{{Key: "s", Label: "S", Labels: map[persona.ProfileType]string{persona.ProfileUX: "UX"},
				Fields: []persona.Field{{Key: "f", Label: "F", Kind: "choice", Options: []string{"a", "b"}, Min: &lo, Max: &hi}}}},
			Dimensions: []persona.Dimension{{Key: "d", Label: "D", Kind: persona.DimensionChoice, Options: []string{"x"}}},
		}}
}

func TestVersionCacheReadsOnceAndHandsOutCopies(t *testing.T) {
	st := &countingStore{v: sampleVersion()}
	s := New(st)
	ctx := t.Context()
	first, err := s.version(ctx, "org-a", "t1", 2)
	if err != nil {
		t.Fatal(err)
	}
	// Scribble over every reference the caller got.
	first.Definition.Sections[0].Label = "changed"
	first.Definition.Sections[0].Labels[persona.ProfileUX] = "changed"
	first.Definition.Sections[0].Fields[0].Options[0] = "changed"
	*first.Definition.Sections[0].Fields[0].Min = 99
	first.Definition.Dimensions[0].Options[0] = "changed"

	second, err := s.version(ctx, "org-a", "t1", 2)
	if err != nil {
		t.Fatal(err)
	}
	want := sampleVersion()
	want.PersonaCount = 0 // changes with every persona; not cached
	if !reflect.DeepEqual(second, want) {
		t.Errorf("cached version changed by a caller's edit:\n got %+v\nwant %+v", second, want)
	}
	if st.calls != 1 {
		t.Errorf("store read %d times, want 1", st.calls)
	}
	// Another organisation with the same template ID and version is not
	// answered from the cache.
	if _, err := s.version(ctx, "org-b", "t1", 2); persona.ErrorCode(err) != persona.CodeNotFound {
		t.Errorf("other organisation: err = %v, want not found", err)
	}
	if st.calls != 2 {
		t.Errorf("store read %d times after another organisation's read, want 2", st.calls)
	}
}

// TestCloneDefinitionCoversEveryReference fails when a field holding a
// slice, map or pointer is added to the definition types without teaching
// cloneDefinition to copy it.
func TestCloneDefinitionCoversEveryReference(t *testing.T) {
	known := map[string]bool{
		"Definition.Sections": true, "Definition.Dimensions": true,
		"Section.Labels": true, "Section.Fields": true,
		"Field.Options": true, "Field.Min": true, "Field.Max": true, "Field.ProfileTypes": true,
		"Dimension.Options": true,
	}
	for _, typ := range []reflect.Type{reflect.TypeFor[persona.Definition](), reflect.TypeFor[persona.Section](),
		reflect.TypeFor[persona.Field](), reflect.TypeFor[persona.Dimension]()} {
		for f := range typ.Fields() {
			switch f.Type.Kind() {
			case reflect.Slice, reflect.Map, reflect.Pointer, reflect.Interface:
				if name := typ.Name() + "." + f.Name; !known[name] {
					t.Errorf("%s holds a reference that cloneDefinition does not copy", name)
				}
			}
		}
	}
}
