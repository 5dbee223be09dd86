package persona

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDiff(t *testing.T) {
	def := testDef()
	base := func() Content {
		return Content{
			Name: "Nurse", Summary: "Works nights", GroupID: "g1", Status: StatusDraft, OwnerID: "u1",
			TemplateVersion: 1,
			Values:          Values{"role": "Nurse", "goals": []string{"a", "b"}, "team": 3.0},
			Dimensions:      Values{"technical_comfort": 2.0},
		}
	}
	tests := []struct {
		name   string
		mutate func(*Content)
		want   []Change
	}{
		{"identical", func(*Content) {}, []Change{}},
		{"int equals float, []any equals []string", func(c *Content) {
			c.Values = Values{"role": "Nurse", "goals": []any{"a", "b"}, "team": 3}
			c.Dimensions = Values{"technical_comfort": 2}
		}, []Change{}},
		{"top-level props", func(c *Content) {
			c.Name = "Night Nurse"
			c.Summary = ""
			c.Status = StatusPublished
			c.GroupID = "g2"
			c.OwnerID = "u2"
			c.TemplateVersion = 2
			c.LastReviewedOn = "2026-01-01"
			c.ReviewIntervalDays = 90
		}, []Change{
			{Path: "name", Label: "Name", Kind: "changed", Before: "Nurse", After: "Night Nurse"},
			{Path: "summary", Label: "Summary", Kind: "removed", Before: "Works nights"},
			{Path: "status", Label: "Status", Kind: "changed", Before: "draft", After: "published"},
			{Path: "group_id", Label: "Group", Kind: "changed", Before: "g1", After: "g2"},
			{Path: "owner_id", Label: "Owner", Kind: "changed", Before: "u1", After: "u2"},
			{Path: "template_version", Label: "Template version", Kind: "changed", Before: 1, After: 2},
			{Path: "last_reviewed_on", Label: "Last reviewed", Kind: "added", After: "2026-01-01"},
			{Path: "review_interval_days", Label: "Review interval (days)", Kind: "added", After: 90},
		}},
		{"values added, removed, changed, in template order then unknown", func(c *Content) {
			c.Values = Values{
				"zeta":      "unknown key",
				"goals":     []any{"b", "c", "d"},
				"seniority": "senior",
				"role":      "Charge Nurse",
				"alpha":     1.0,
			}
		}, []Change{
			{Path: "values.role", Label: "Role", Kind: "changed", Before: "Nurse", After: "Charge Nurse"},
			{Path: "values.seniority", Label: "Seniority", Kind: "added", After: "senior"},
			{Path: "values.goals", Label: "Goals", Kind: "changed", Before: []string{"a", "b"}, After: []any{"b", "c", "d"}, AddedItems: []string{"c", "d"}, RemovedItems: []string{"a"}},
			{Path: "values.team", Label: "Team", Kind: "removed", Before: 3.0},
			{Path: "values.alpha", Label: "alpha", Kind: "added", After: 1.0},
			{Path: "values.zeta", Label: "zeta", Kind: "added", After: "unknown key"},
		}},
		{"list removed entirely lists removed items", func(c *Content) { delete(c.Values, "goals") }, []Change{
			{Path: "values.goals", Label: "Goals", Kind: "removed", Before: []string{"a", "b"}, RemovedItems: []string{"a", "b"}},
		}},
		{"list reordered is a change without item changes", func(c *Content) { c.Values["goals"] = []string{"b", "a"} }, []Change{
			{Path: "values.goals", Label: "Goals", Kind: "changed", Before: []string{"a", "b"}, After: []string{"b", "a"}},
		}},
		{"dimensions and retired", func(c *Content) {
			c.Dimensions = Values{"technical_comfort": 4.0, "buying_role": "user"}
			c.Retired = Values{"old_notes": "kept", "dimension:charisma": 3.0}
		}, []Change{
			{Path: "dimensions.technical_comfort", Label: "Technical comfort", Kind: "changed", Before: 2.0, After: 4.0},
			{Path: "dimensions.buying_role", Label: "Buying role", Kind: "added", After: "user"},
			{Path: "retired.dimension:charisma", Label: "dimension:charisma", Kind: "added", After: 3.0},
			{Path: "retired.old_notes", Label: "old_notes", Kind: "added", After: "kept"},
		}},
		{"empty string equals absent", func(c *Content) { c.Values["bio"] = ""; c.Values["tools"] = []string{} }, []Change{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := base(), base()
			tt.mutate(&b)
			got := Diff(def, a, b)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Diff (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDiffReverseSwapsKinds(t *testing.T) {
	a := Content{Name: "A", Values: Values{"goals": []string{"x"}}}
	b := Content{Name: "A", Values: Values{"goals": []string{"x", "y"}, "role": "R"}}
	fwd, back := Diff(testDef(), a, b), Diff(testDef(), b, a)
	if len(fwd) != 2 || len(back) != 2 {
		t.Fatalf("fwd %v back %v", fwd, back)
	}
	if fwd[0].Kind != "added" || back[0].Kind != "removed" || fwd[0].Path != "values.role" {
		t.Errorf("role: fwd %+v back %+v", fwd[0], back[0])
	}
	if !cmp.Equal(fwd[1].AddedItems, back[1].RemovedItems) || fwd[1].AddedItems[0] != "y" {
		t.Errorf("goals: fwd %+v back %+v", fwd[1], back[1])
	}
}

func TestDiffJSON(t *testing.T) {
	changes := Diff(Definition{}, Content{Name: "A"}, Content{Name: "B"})
	b, err := json.Marshal(changes)
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"path":"name","label":"Name","kind":"changed","before":"A","after":"B"}]`
	if string(b) != want {
		t.Errorf("json %s, want %s", b, want)
	}
	b, _ = json.Marshal(Diff(Definition{}, Content{}, Content{}))
	if string(b) != "[]" {
		t.Errorf("no changes encode as %s, want []", b)
	}
}
