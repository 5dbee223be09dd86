package persona

import (
	"slices"
	"testing"
)

func TestMerge3(t *testing.T) {
	def := testDef()
	base := Content{Name: "Ana", Summary: "S", Status: StatusPublished, TemplateVersion: 1,
		Values:     Values{"role": "Analyst", "goals": []string{"a"}, "team": 3.0},
		Dimensions: Values{"technical_comfort": 2.0}}
	clone := func(f func(*Content)) Content { c := cloneContent(base); f(&c); return c }
	cases := []struct {
		name              string
		current, proposed Content
		applied           []string
		conflicts         []string
		check             func(t *testing.T, m Content)
	}{
		{name: "nothing changed", current: base, proposed: base, applied: []string{}, conflicts: []string{}},
		{name: "only the proposal changed", current: base,
			proposed: clone(func(c *Content) { c.Values["role"] = "Lead"; c.Name = "Ana B"; delete(c.Values, "team") }),
			applied:  []string{"name", "values.role", "values.team"}, conflicts: []string{},
			check: func(t *testing.T, m Content) {
				if m.Values["role"] != "Lead" || m.Name != "Ana B" {
					t.Errorf("proposal not applied: %+v", m)
				}
				if _, ok := m.Values["team"]; ok {
					t.Errorf("a value the proposal cleared stayed: %+v", m.Values)
				}
			}},
		{name: "only the current changed stays",
			current:  clone(func(c *Content) { c.Summary = "New summary"; c.Dimensions["technical_comfort"] = 4.0 }),
			proposed: base, applied: []string{}, conflicts: []string{},
			check: func(t *testing.T, m Content) {
				if m.Summary != "New summary" || m.Dimensions["technical_comfort"] != 4.0 {
					t.Errorf("current change lost: %+v", m)
				}
			}},
		{name: "different fields both apply",
			current:  clone(func(c *Content) { c.Summary = "New summary" }),
			proposed: clone(func(c *Content) { c.Values["goals"] = []string{"a", "b"} }),
			applied:  []string{"values.goals"}, conflicts: []string{},
			check: func(t *testing.T, m Content) {
				if m.Summary != "New summary" || len(m.Values["goals"].([]string)) != 2 {
					t.Errorf("merge lost a side: %+v", m)
				}
			}},
		{name: "same change on both sides is no conflict",
			current:  clone(func(c *Content) { c.Values["role"] = "Lead" }),
			proposed: clone(func(c *Content) { c.Values["role"] = "Lead" }),
			applied:  []string{}, conflicts: []string{}},
		{name: "both changed the same field differently",
			current:  clone(func(c *Content) { c.Values["role"] = "Manager"; c.Status = StatusArchived }),
			proposed: clone(func(c *Content) { c.Values["role"] = "Lead"; c.Status = StatusDraft; c.Name = "Ana C" }),
			applied:  []string{"name"}, conflicts: []string{"status", "values.role"},
			check: func(t *testing.T, m Content) {
				if m.Values["role"] != "Manager" {
					t.Errorf("a conflict must keep the current value until resolved: %v", m.Values["role"])
				}
			}},
		{name: "the current cleared what the proposal changed",
			current:  clone(func(c *Content) { delete(c.Values, "team") }),
			proposed: clone(func(c *Content) { c.Values["team"] = 5.0 }),
			applied:  []string{}, conflicts: []string{"values.team"}},
		{name: "numbers compare by value", current: base,
			proposed: clone(func(c *Content) { c.Values["team"] = 3 }),
			applied:  []string{}, conflicts: []string{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := cloneContent(tc.current)
			r := Merge3(def, base, tc.current, tc.proposed)
			if !slices.Equal(r.Applied, tc.applied) {
				t.Errorf("applied = %v, want %v", r.Applied, tc.applied)
			}
			var got []string
			for _, c := range r.Conflicts {
				got = append(got, c.Path)
				if c.Label == "" || c.Label == c.Path && c.Path != "status" {
					t.Errorf("conflict %s has no label: %+v", c.Path, c)
				}
			}
			if !slices.Equal(append([]string{}, got...), tc.conflicts) {
				t.Errorf("conflicts = %v, want %v", got, tc.conflicts)
			}
			if tc.check != nil {
				tc.check(t, r.Merged)
			}
			if !sameJSON(before, tc.current) {
				t.Errorf("Merge3 modified its input")
			}
		})
	}
}

func TestMergeResolve(t *testing.T) {
	def := testDef()
	base := Content{Name: "Ana", Values: Values{"role": "Analyst", "bio": "x"}, Dimensions: Values{}}
	cur := Content{Name: "Ana", Values: Values{"role": "Manager", "bio": "y"}, Dimensions: Values{}}
	prop := Content{Name: "Ana", Values: Values{"role": "Lead", "bio": "z"}, Dimensions: Values{}}
	r := Merge3(def, base, cur, prop)
	if len(r.Conflicts) != 2 {
		t.Fatalf("conflicts: %+v", r.Conflicts)
	}
	if r.Conflicts[0].Label != "Role" || r.Conflicts[0].Base != "Analyst" || r.Conflicts[0].Current != "Manager" || r.Conflicts[0].Proposed != "Lead" {
		t.Errorf("conflict shows base/current/proposed: %+v", r.Conflicts[0])
	}
	if _, missing := r.Resolve(map[string]Resolution{"values.role": ResolveProposed}); !slices.Equal(missing, []string{"values.bio"}) {
		t.Errorf("unresolved = %v", missing)
	}
	out, missing := r.Resolve(map[string]Resolution{"values.role": ResolveProposed, "values.bio": ResolveCurrent})
	if len(missing) != 0 || out.Values["role"] != "Lead" || out.Values["bio"] != "y" {
		t.Errorf("resolved = %+v, missing %v", out.Values, missing)
	}
	if r.Merged.Values["role"] != "Manager" {
		t.Errorf("Resolve modified the merge result")
	}
}

func TestProposalChangesIgnoresVersionAndRetired(t *testing.T) {
	a := Content{Name: "A", TemplateVersion: 2, Retired: Values{"old": "x"}}
	p := Content{Name: "B", TemplateVersion: 1}
	ch := ProposalChanges(Definition{}, a, p)
	if len(ch) != 1 || ch[0].Path != "name" {
		t.Errorf("changes = %+v", ch)
	}
}
