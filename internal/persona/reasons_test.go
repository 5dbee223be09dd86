package persona

import (
	"slices"
	"testing"
)

// The reasons of a named item read as sentences about the customer, with
// labels and the options' spelling, ending with what they call for.
func TestItemReasonsAreSentences(t *testing.T) {
	bb := bigBank()
	tests := []struct {
		name  string
		kind  ItemKind
		item  string
		rules []Rule
		want  []string
	}{
		{"threshold calls for the item", ItemModule, "Approval workflows",
			[]Rule{{Conditions: []Condition{cond("dimensions.risk_tolerance", OpLTE, 2.0)}}},
			[]string{"Big Bank’s risk tolerance is 1 — at most 2 calls for approval workflows"}},
		{"a match the module supports, spelled as the rule spells it", ItemModule, "ERP connector (SAP, Oracle)",
			[]Rule{{Conditions: []Condition{cond("values.systems", OpOneOf, []string{"SAP", "oracle", "microsoft dynamics"})}}},
			[]string{"Big Bank’s core systems include SAP, which this module supports"}},
		{"the subject is named once", ItemPack, "Regulator pack",
			[]Rule{{Conditions: []Condition{cond("values.regulated", OpEquals, "yes"), cond("dimensions.ai_adoption", OpGTE, 2.0)}, Note: "DORA"}},
			[]string{"Big Bank’s regulated is Yes and its AI adoption is 2 — at least 2 calls for regulator pack (DORA)"}},
		{"a scalar one of", ItemModule, "Private-cloud kit",
			[]Rule{{Conditions: []Condition{cond("dimensions.deployment_preference", OpOneOf, []string{"Private cloud", "On-premises"})}}},
			[]string{"Big Bank’s deployment preference is Private cloud, which this module supports"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev := EvaluateItemRules(tc.rules, 0, bb, tc.kind, tc.item)
			if !ev.Applies || !slices.Equal(ev.Reasons, tc.want) {
				t.Errorf("applies %v, reasons %q; want %q", ev.Applies, ev.Reasons, tc.want)
			}
		})
	}
	// Not met: the options read as a list, never as keys joined by commas.
	ev := EvaluateItemRules([]Rule{{Conditions: []Condition{cond("values.industry", OpOneOf, []string{"Payments", "Lending", "Insurance"})}}}, 0, bb, ItemModule, "FinTech pack")
	if ev.Applies || !slices.Equal(ev.Against, []string{"not met: Big Bank’s industry is Banking, not Payments, Lending or Insurance"}) {
		t.Errorf("against %q", ev.Against)
	}
}

func TestRuleSentence(t *testing.T) {
	labels := map[string]struct {
		label string
		list  bool
	}{
		"dimensions.risk_tolerance": {"Risk tolerance", false},
		"values.systems":            {"Core systems", true},
		"values.industry":           {"Industry", false},
		"values.security_review":    {"Security review asks", true},
		"values.notes":              {"Deployment notes", false},
	}
	facts := func(path string) (string, bool, bool) {
		l, ok := labels[path]
		return l.label, l.list, ok
	}
	tests := []struct {
		name  string
		r     Rule
		whose string
		want  string
	}{
		{"threshold with a note", Rule{Conditions: []Condition{cond("dimensions.risk_tolerance", OpLTE, 2.0)}, Note: "four-eyes principle"},
			"the customer", "When the customer’s risk tolerance is at most 2 — four-eyes principle"},
		{"a list field includes one of", Rule{Conditions: []Condition{cond("values.systems", OpOneOf, []string{"SAP", "Oracle", "Microsoft Dynamics"})}},
			"the customer", "When the customer’s core systems include SAP, Oracle or Microsoft Dynamics"},
		{"any, weighted", Rule{Match: MatchAny, Weight: 2, Conditions: []Condition{cond("values.industry", OpEquals, "Banking"), cond("values.security_review", OpPresent, nil)}},
			"the customer", "When the customer’s industry is Banking or the customer’s security review asks is filled in (counts 2×)"},
		{"negative weight", Rule{Weight: -1, Conditions: []Condition{cond("values.notes", OpContains, "air-gapped")}},
			"the customer", "Holds it back when the customer’s deployment notes mentions “air-gapped”"},
		{"a role's field and the archetype's", Rule{Conditions: []Condition{cond("dimensions.risk_tolerance", OpGTE, 4.0), cond("archetype.values.industry", OpEquals, "Banking")}},
			"the role", "When the role’s risk tolerance is at least 4 and the customer’s industry is Banking"},
		{"an unknown field reads its key in words", Rule{Conditions: []Condition{cond("values.team_size", OpGTE, 10.0)}},
			"the customer", "When the customer’s team size is at least 10"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := RuleSentence(tc.r, tc.whose, facts); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}
