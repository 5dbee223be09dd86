package demo

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/persona"
)

func starterDefs() map[persona.ProfileType]persona.Definition {
	defs := map[persona.ProfileType]persona.Definition{}
	for _, st := range persona.StarterTemplates() {
		defs[st.ProfileType] = st.Definition
	}
	return defs
}

func TestEveryPersonaValidates(t *testing.T) {
	d := Data()
	defs := starterDefs()
	groups := map[string]bool{}
	for _, g := range d.Groups {
		if g.Key == "" || g.Name == "" || groups[g.Key] {
			t.Errorf("bad or duplicate group %+v", g)
		}
		if _, err := persona.ValidateGroupName(g.Name); err != nil {
			t.Errorf("group %q: %v", g.Name, err)
		}
		groups[g.Key] = true
	}
	keys := map[string]bool{}
	for _, p := range d.Personas {
		if keys[p.Key] {
			t.Errorf("duplicate persona key %s", p.Key)
		}
		keys[p.Key] = true
		if !groups[p.Group] {
			t.Errorf("%s: unknown group %q", p.Name, p.Group)
		}
		def, ok := defs[p.ProfileType]
		if !ok {
			t.Errorf("%s: no starter template for %q", p.Name, p.ProfileType)
			continue
		}
		c := persona.Content{
			Name: p.Name, Summary: p.Summary, Status: p.Status,
			Values: maps.Clone(p.Values), Dimensions: maps.Clone(p.Dimensions),
			LastReviewedOn: p.LastReviewedOn, ReviewIntervalDays: p.ReviewIntervalDays,
		}
		if err := persona.ValidateContent(def, &c); err != nil {
			t.Errorf("%s: %v", p.Name, err)
		}
		// The seed appends a sentence to the summary for a second revision.
		c.Summary += " Reviewed with the research team."
		if err := persona.ValidateContent(def, &c); err != nil {
			t.Errorf("%s (second revision): %v", p.Name, err)
		}
		if len(p.Dimensions) != len(def.Dimensions) {
			t.Errorf("%s: %d of %d dimensions set", p.Name, len(p.Dimensions), len(def.Dimensions))
		}
	}
	if _, err := persona.ValidateEmail(d.OwnerEmail); err != nil {
		t.Errorf("owner email: %v", err)
	}
	if !persona.ValidSlug(d.OrgSlug) || d.OrgName == "" || d.OwnerName == "" {
		t.Errorf("organisation: %q %q %q", d.OrgName, d.OrgSlug, d.OwnerName)
	}
}

func TestRequiredDemoContent(t *testing.T) {
	d := Data()
	if len(d.Groups) < 3 {
		t.Errorf("%d groups", len(d.Groups))
	}
	if len(d.Personas) < 12 {
		t.Errorf("%d personas", len(d.Personas))
	}
	byName := map[string]PersonaSpec{}
	count := map[persona.ProfileType]int{}
	statuses := map[persona.Status]bool{}
	overdue := 0
	for _, p := range d.Personas {
		byName[p.Name] = p
		count[p.ProfileType]++
		statuses[p.Status] = true
		pp := persona.Persona{Content: persona.Content{LastReviewedOn: p.LastReviewedOn, ReviewIntervalDays: p.ReviewIntervalDays}}
		if p.LastReviewedOn != "" && pp.ReviewDue().Year() < 2026 {
			overdue++
		}
	}
	for name, typ := range map[string]persona.ProfileType{
		"System Lead":                persona.ProfileUX,
		"Compliance Analyst":         persona.ProfileUX,
		"Branch Manager":             persona.ProfileUX,
		"Product Designer":           persona.ProfileUX,
		"Big Bank":                   persona.ProfileArchetype,
		"FinTech":                    persona.ProfileArchetype,
		"Head of Operations (buyer)": persona.ProfileMarketing,
	} {
		if p, ok := byName[name]; !ok || p.ProfileType != typ {
			t.Errorf("want a %s named %q", typ, name)
		}
	}
	if count[persona.ProfileMarketing] < 2 || count[persona.ProfileAgent] < 2 || count[persona.ProfileUX] < 4 || count[persona.ProfileArchetype] < 2 {
		t.Errorf("persona counts by type: %v", count)
	}
	if len(statuses) != 3 {
		t.Errorf("statuses used: %v", statuses)
	}
	if overdue < 2 {
		t.Errorf("only %d personas with a review long overdue", overdue)
	}
	text := strings.ToLower(persona.SearchText(persona.Content{Values: byName["System Lead"].Values}))
	for _, w := range []string{"reconciliation", "audit trail"} {
		if !strings.Contains(text, w) {
			t.Errorf("System Lead values lack %q", w)
		}
	}
	// Comparisons are interesting only if personas differ.
	seen := map[string]bool{}
	for _, p := range d.Personas {
		var b strings.Builder
		for _, k := range slices.Sorted(maps.Keys(p.Dimensions)) {
			fmt.Fprintf(&b, "%s=%v;", k, p.Dimensions[k])
		}
		if seen[b.String()] {
			t.Errorf("%s has the same dimension values as another persona", p.Name)
		}
		seen[b.String()] = true
	}
}

func TestDataIsFresh(t *testing.T) {
	a := Data()
	a.Personas[0].Values["role_title"] = "changed"
	a.Personas[0].Values["goals"].([]string)[0] = "changed"
	b := Data()
	if b.Personas[0].Values["role_title"] == "changed" || b.Personas[0].Values["goals"].([]string)[0] == "changed" {
		t.Error("Data shares values between calls")
	}
}
