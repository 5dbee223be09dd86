package persona

import (
	"encoding/json"
	"slices"
	"testing"
)

func TestStarterTemplatesValidate(t *testing.T) {
	sts := StarterTemplates()
	if len(sts) != 4 {
		t.Fatalf("%d starter templates", len(sts))
	}
	for i, st := range sts {
		if st.ProfileType != ProfileTypes[i] {
			t.Errorf("template %d is %s, want %s", i, st.ProfileType, ProfileTypes[i])
		}
		if st.Name == "" || st.Description == "" {
			t.Errorf("%s: name or description missing", st.ProfileType)
		}
		if err := st.Definition.Validate(); err != nil {
			t.Errorf("%s: %v", st.Name, err)
		}
		var hasRequired, hasOptionalList, hasScaleDim bool
		kinds := map[FieldKind]bool{}
		for _, s := range st.Definition.Sections {
			for _, f := range s.Fields {
				kinds[f.Kind] = true
				hasRequired = hasRequired || f.Required
				hasOptionalList = hasOptionalList || (f.Kind == KindList && !f.Required)
			}
		}
		for _, d := range st.Definition.Dimensions {
			if d.Kind == DimensionScale {
				hasScaleDim = true
				if d.Min != 1 || d.Max != 5 || d.LowLabel == "" || d.HighLabel == "" {
					t.Errorf("%s: dimension %s is not a labelled 1-5 scale", st.Name, d.Key)
				}
			}
		}
		if !hasRequired || !hasOptionalList || !hasScaleDim {
			t.Errorf("%s: needs a required field, an optional list and a scale dimension", st.Name)
		}
		if len(kinds) < 6 {
			t.Errorf("%s: only %d field kinds", st.Name, len(kinds))
		}
		if !slices.Contains(st.Definition.FieldKeys(), "goals") {
			t.Errorf("%s: no goals field", st.Name)
		}
	}
	ux := sts[0]
	uxKinds := map[FieldKind]bool{}
	for _, s := range ux.Definition.Sections {
		for _, f := range s.Fields {
			uxKinds[f.Kind] = true
		}
	}
	for _, k := range FieldKinds {
		if !uxKinds[k] && k != KindImage { // starter templates carry no picture field
			t.Errorf("UX template lacks a %s field", k)
		}
	}
}

func TestStarterTemplatesShareKeys(t *testing.T) {
	dims := map[string][]ProfileType{}
	fields := map[string][]ProfileType{}
	for _, st := range StarterTemplates() {
		for _, d := range st.Definition.Dimensions {
			dims[d.Key] = append(dims[d.Key], st.ProfileType)
		}
		for _, k := range st.Definition.FieldKeys() {
			fields[k] = append(fields[k], st.ProfileType)
		}
	}
	for _, k := range []string{"technical_comfort", "decision_authority", "risk_tolerance", "ai_adoption", "price_sensitivity"} {
		if len(dims[k]) < 2 {
			t.Errorf("dimension %s only in %v", k, dims[k])
		}
	}
	for _, want := range []struct {
		key   string
		types []ProfileType
	}{
		{"autonomy", []ProfileType{ProfileUX, ProfileAgent}},
		{"budget_authority", []ProfileType{ProfileMarketing}},
		{"regulatory_pressure", []ProfileType{ProfileArchetype}},
		{"risk_tolerance", []ProfileType{ProfileUX, ProfileMarketing, ProfileArchetype, ProfileAgent}},
	} {
		if !slices.Equal(dims[want.key], want.types) {
			t.Errorf("dimension %s in %v, want %v", want.key, dims[want.key], want.types)
		}
	}
	for _, want := range []struct {
		key   string
		types []ProfileType
	}{
		{"goals", ProfileTypes},
		{"context", ProfileTypes},
		{"role_title", []ProfileType{ProfileUX, ProfileMarketing}},
		{"challenges", []ProfileType{ProfileMarketing, ProfileArchetype}},
		{"tools", []ProfileType{ProfileUX, ProfileAgent}},
		{"permissions", []ProfileType{ProfileUX, ProfileAgent}},
		{"approval_required", []ProfileType{ProfileUX, ProfileAgent}},
	} {
		if !slices.Equal(fields[want.key], want.types) {
			t.Errorf("field %s in %v, want %v", want.key, fields[want.key], want.types)
		}
	}
	// A shared dimension means the same scale everywhere.
	type shape struct{ Min, Max int }
	shapes := map[string]shape{}
	for _, st := range StarterTemplates() {
		for _, d := range st.Definition.Dimensions {
			s := shape{d.Min, d.Max}
			if prev, ok := shapes[d.Key]; ok && prev != s {
				t.Errorf("dimension %s has different scales across types", d.Key)
			}
			shapes[d.Key] = s
		}
	}
}

func TestStarterTemplatesSpecificFields(t *testing.T) {
	want := map[ProfileType][]string{
		ProfileUX:        {"role_title", "goals", "jobs_to_be_done", "workflows", "decision_authority", "pain_points", "permissions", "tools", "ai_adoption", "context", "team_size"},
		ProfileMarketing: {"goals", "challenges", "journey_discover", "journey_evaluate", "journey_choose", "messaging", "language", "proof_points", "channels", "objections"},
		ProfileArchetype: {"goals", "challenges", "systems", "buying_process", "deployment_model", "risk_appetite", "approval_chain", "industry", "regulated", "company_size"},
		ProfileAgent:     {"purpose", "tasks", "autonomy_level", "supervisor_role", "guardrails", "permissions", "approval_required", "forbidden_actions", "tools", "integrations", "escalation_triggers"},
	}
	for _, st := range StarterTemplates() {
		keys := st.Definition.FieldKeys()
		for _, k := range want[st.ProfileType] {
			if !slices.Contains(keys, k) {
				t.Errorf("%s lacks field %s", st.Name, k)
			}
		}
	}
}

func TestStarterTemplatesAreFreshCopies(t *testing.T) {
	a := StarterTemplates()
	before, _ := json.Marshal(StarterTemplates())
	for i := range a {
		d := &a[i].Definition
		d.Sections[0].Label = "changed"
		d.Sections[0].Fields[0].Key = "changed"
		for si := range d.Sections {
			for fi := range d.Sections[si].Fields {
				f := &d.Sections[si].Fields[fi]
				if len(f.Options) > 0 {
					f.Options[0] = "changed"
				}
				if f.Min != nil {
					*f.Min = 99
				}
			}
			for t := range d.Sections[si].Labels {
				d.Sections[si].Labels[t] = "changed"
			}
		}
		for di := range d.Dimensions {
			if len(d.Dimensions[di].Options) > 0 {
				d.Dimensions[di].Options[0] = "changed"
			}
		}
		d.Sections = append(d.Sections[:1], Section{Key: "extra"})
	}
	after, _ := json.Marshal(StarterTemplates())
	if string(before) != string(after) {
		t.Error("modifying one result changed the next")
	}
}
