package persona

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// lpArchetypeDef is a trimmed customer archetype template.
func lpArchetypeDef() Definition {
	return Definition{
		Sections: []Section{{Key: "profile", Label: "Profile", Fields: []Field{
			{Key: "industry", Label: "Industry", Kind: KindChoice, Options: []string{"Banking", "Payments"}},
			{Key: "regulated", Label: "Regulated", Kind: KindChoice, Options: []string{"Yes", "Partly", "No"}},
			{Key: "systems", Label: "Core systems", Kind: KindTags},
			{Key: "approval_chain", Label: "Approval chain", Kind: KindList},
			{Key: "deployment_notes", Label: "Deployment notes", Kind: KindMarkdown},
			{Key: "procurement_weeks", Label: "Procurement time (weeks)", Kind: KindNumber},
			{Key: "data_residency", Label: "Data residency", Kind: KindChoice, Options: []string{"Country only", "EU only"}},
		}}},
		Dimensions: []Dimension{
			{Key: "risk_tolerance", Label: "Risk tolerance", Kind: DimensionScale, Min: 1, Max: 5},
			{Key: "ai_adoption", Label: "AI adoption", Kind: DimensionScale, Min: 1, Max: 5},
			{Key: "deployment_preference", Label: "Deployment preference", Kind: DimensionChoice, Options: []string{"saas", "private cloud"}},
		},
	}
}

func lpRoleDef() Definition {
	return Definition{
		Sections: []Section{{Key: "profile", Label: "Profile", Fields: []Field{
			{Key: "role_title", Label: "Role / job title", Kind: KindText},
			{Key: "tools", Label: "Tools", Kind: KindTags},
		}}},
		Dimensions: []Dimension{
			{Key: "technical_comfort", Label: "Technical comfort", Kind: DimensionScale, Min: 1, Max: 5},
			{Key: "risk_tolerance", Label: "Risk tolerance", Kind: DimensionScale, Min: 1, Max: 5},
		},
	}
}

func bigBank() Subject {
	return Subject{
		Ref: RoleRef{PersonaID: "arch-1", Name: "Big Bank", ProfileType: ProfileArchetype},
		Values: Values{
			"industry": "Banking", "regulated": "Yes", "systems": []string{"mainframe", "sap", "swift"},
			"approval_chain":    []string{"Head of Operations", "Architecture board"},
			"deployment_notes":  "Quarterly release windows only.",
			"procurement_weeks": 40.0,
		},
		Dimensions: Values{"risk_tolerance": 1.0, "ai_adoption": 2.0, "deployment_preference": "private cloud"},
		Definition: lpArchetypeDef(),
	}
}

func cond(field string, op Op, value any) Condition {
	return Condition{Field: field, Op: op, Value: value}
}

func TestConditionOperators(t *testing.T) {
	bb := bigBank()
	tests := []struct {
		name  string
		c     Condition
		holds bool
		text  string
	}{
		{"lte holds", cond("dimensions.risk_tolerance", OpLTE, 2.0), true, "Big Bank’s risk tolerance is 1 — at most 2"},
		{"lte boundary", cond("dimensions.risk_tolerance", OpLTE, 1.0), true, "Big Bank’s risk tolerance is 1 — at most 1"},
		{"lte fails", cond("dimensions.risk_tolerance", OpLTE, 0.5), false, "Big Bank’s risk tolerance is 1, more than 0.5"},
		{"gte holds", cond("values.procurement_weeks", OpGTE, 26.0), true, "Big Bank’s procurement time (weeks) is 40 — at least 26"},
		{"gte fails", cond("dimensions.ai_adoption", OpGTE, 4.0), false, "Big Bank’s AI adoption is 2, less than 4"},
		{"gte on text", cond("values.regulated", OpGTE, 1.0), false, "Big Bank’s regulated is Yes, not a number"},
		{"equals text ignores case", cond("values.regulated", OpEquals, "yes"), true, "Big Bank’s regulated is Yes"},
		{"equals text fails", cond("values.regulated", OpEquals, "No"), false, "Big Bank’s regulated is Yes, not No"},
		{"equals number", cond("dimensions.risk_tolerance", OpEquals, 1.0), true, "Big Bank’s risk tolerance is 1"},
		{"equals number as text", cond("dimensions.risk_tolerance", OpEquals, "1"), true, "Big Bank’s risk tolerance is 1"},
		{"equals on a list of several", cond("values.systems", OpEquals, "sap"), false, "Big Bank’s core systems are mainframe, sap, swift, not sap"},
		{"one_of scalar", cond("dimensions.deployment_preference", OpOneOf, []string{"SaaS", "Private cloud"}), true, "Big Bank’s deployment preference is Private cloud"},
		{"one_of fails", cond("values.industry", OpOneOf, []string{"Payments", "Insurance"}), false, "Big Bank’s industry is Banking, not Payments or Insurance"},
		{"one_of on a list", cond("values.systems", OpOneOf, []string{"salesforce", "SAP"}), true, "Big Bank’s core systems include SAP"},
		{"one_of on a list fails", cond("values.systems", OpOneOf, []string{"salesforce"}), false, "Big Bank’s core systems include none of salesforce"},
		{"one_of numbers", cond("dimensions.risk_tolerance", OpOneOf, []string{"1", "2"}), true, "Big Bank’s risk tolerance is 1"},
		{"contains list item", cond("values.systems", OpContains, "Mainframe"), true, "Big Bank’s core systems include Mainframe"},
		{"contains list fails", cond("values.systems", OpContains, "salesforce"), false, "Big Bank’s core systems do not include salesforce"},
		{"contains text", cond("values.deployment_notes", OpContains, "release windows"), true, "Big Bank’s deployment notes mentions “release windows”"},
		{"contains text fails", cond("values.deployment_notes", OpContains, "kubernetes"), false, "Big Bank’s deployment notes does not mention “kubernetes”"},
		{"present list", cond("values.approval_chain", OpPresent, nil), true, "Big Bank’s approval chain are set"},
		{"present scalar", cond("values.regulated", OpPresent, nil), true, "Big Bank’s regulated is set"},
		{"absent holds", cond("values.data_residency", OpAbsent, nil), true, "Big Bank’s data residency is not set"},
		{"absent fails", cond("values.regulated", OpAbsent, nil), false, "Big Bank’s regulated is set"},
		// Missing values: every operator but absent fails, saying so.
		{"missing lte", cond("dimensions.price_sensitivity", OpLTE, 2.0), false, "Big Bank’s price sensitivity is not set"},
		{"missing equals", cond("values.data_residency", OpEquals, "EU only"), false, "Big Bank’s data residency is not set"},
		{"missing one_of", cond("values.data_residency", OpOneOf, []string{"EU only"}), false, "Big Bank’s data residency is not set"},
		{"missing contains", cond("values.integrations", OpContains, "SWIFT"), false, "Big Bank’s integrations is not set"},
		{"missing present", cond("values.data_residency", OpPresent, nil), false, "Big Bank’s data residency is not set"},
		{"bad path", cond("risk_tolerance", OpLTE, 2.0), false, `"risk_tolerance" is not a field`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			holds, text := EvaluateCondition(tc.c, bb)
			if holds != tc.holds || text != tc.text {
				t.Errorf("got (%v, %q), want (%v, %q)", holds, text, tc.holds, tc.text)
			}
		})
	}
}

func TestRulesCombineAndWeigh(t *testing.T) {
	bb := bigBank()
	low := cond("dimensions.risk_tolerance", OpLTE, 2.0)
	reg := cond("values.regulated", OpEquals, "Yes")
	crm := cond("values.systems", OpContains, "salesforce")
	tests := []struct {
		name     string
		rules    []Rule
		min      float64
		applies  bool
		score    float64
		reasons  []string
		baseline bool
	}{
		{"no rules: every setup", nil, 0, true, 0, []string{"part of every setup"}, true},
		{"all holds", []Rule{{Match: MatchAll, Conditions: []Condition{low, reg}, Weight: 2}}, 0, true, 2,
			[]string{"Big Bank’s risk tolerance is 1 — at most 2 and its regulated is Yes"}, false},
		{"all fails on one", []Rule{{Match: MatchAll, Conditions: []Condition{low, crm}}}, 0, false, 0, nil, false},
		{"any holds on one", []Rule{{Match: MatchAny, Conditions: []Condition{crm, low}}}, 0, true, 1,
			[]string{"Big Bank’s risk tolerance is 1 — at most 2"}, false},
		{"default match is all", []Rule{{Conditions: []Condition{low, crm}}}, 0, false, 0, nil, false},
		{"weights add up", []Rule{{Conditions: []Condition{low}, Weight: 1}, {Conditions: []Condition{reg}, Weight: 2.5}}, 0, true, 3.5,
			[]string{"Big Bank’s risk tolerance is 1 — at most 2", "Big Bank’s regulated is Yes"}, false},
		{"negative weight holds back", []Rule{{Conditions: []Condition{low}, Weight: 1}, {Conditions: []Condition{reg}, Weight: -3}}, 0, false, -2,
			[]string{"Big Bank’s risk tolerance is 1 — at most 2"}, false},
		{"min score not reached", []Rule{{Conditions: []Condition{low}, Weight: 1}}, 2, false, 1, []string{"Big Bank’s risk tolerance is 1 — at most 2"}, false},
		{"min score reached", []Rule{{Conditions: []Condition{low}, Weight: 1}, {Conditions: []Condition{reg}}}, 2, true, 2,
			[]string{"Big Bank’s risk tolerance is 1 — at most 2", "Big Bank’s regulated is Yes"}, false},
		{"note shown", []Rule{{Conditions: []Condition{low}, Note: "four-eyes principle"}}, 0, true, 1,
			[]string{"Big Bank’s risk tolerance is 1 — at most 2 (four-eyes principle)"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev := EvaluateRules(tc.rules, tc.min, bb)
			if ev.Applies != tc.applies || ev.Score != tc.score || ev.Baseline != tc.baseline {
				t.Errorf("applies %v score %v baseline %v; want %v %v %v", ev.Applies, ev.Score, ev.Baseline, tc.applies, tc.score, tc.baseline)
			}
			if !slices.Equal(ev.Reasons, tc.reasons) {
				t.Errorf("reasons %q, want %q", ev.Reasons, tc.reasons)
			}
		})
	}
	// A failing rule explains itself in Against.
	ev := EvaluateRules([]Rule{{Conditions: []Condition{crm}}}, 0, bb)
	if !slices.Equal(ev.Against, []string{"not met: Big Bank’s core systems do not include salesforce"}) {
		t.Errorf("against = %q", ev.Against)
	}
}

func fieldsOfErr(t *testing.T, err error) map[string]string {
	t.Helper()
	out := map[string]string{}
	if err == nil {
		return out
	}
	e, ok := AsError(err)
	if !ok || e.Code != CodeInvalid {
		t.Fatalf("want an invalid error, got %v", err)
	}
	for _, f := range e.Fields {
		out[f.Field] = f.Message
	}
	return out
}

func TestValidateCatalogueMalformedRules(t *testing.T) {
	known := KnownFields{Archetype: KnownFieldsOf(lpArchetypeDef()), Roles: KnownFieldsOf(lpRoleDef())}
	mod := func(rules ...Rule) Catalogue {
		return Catalogue{Modules: []Module{{Key: "m", Name: "M", Rules: rules}}}
	}
	tests := []struct {
		name  string
		cat   Catalogue
		path  string
		wants string
	}{
		{"no conditions", mod(Rule{}), "modules[0].rules[0].conditions", "at least one condition"},
		{"bad match", mod(Rule{Match: "most", Conditions: []Condition{cond("values.regulated", OpPresent, nil)}}), "modules[0].rules[0].match", "all or any"},
		{"weight too big", mod(Rule{Weight: 1000, Conditions: []Condition{cond("values.regulated", OpPresent, nil)}}), "modules[0].rules[0].weight", "between"},
		{"missing field", mod(Rule{Conditions: []Condition{cond("", OpPresent, nil)}}), "modules[0].rules[0].conditions[0].field", "required"},
		{"bad path", mod(Rule{Conditions: []Condition{cond("risk_tolerance", OpLTE, 2)}}), "modules[0].rules[0].conditions[0].field", "values.<key> or dimensions.<key>"},
		{"unknown field", mod(Rule{Conditions: []Condition{cond("dimensions.risk_tolerence", OpLTE, 2)}}), "modules[0].rules[0].conditions[0].field", "not a field or dimension of the customer archetype templates"},
		{"unknown op", mod(Rule{Conditions: []Condition{cond("values.regulated", "like", "Y%")}}), "modules[0].rules[0].conditions[0].op", "must be one of"},
		{"missing op", mod(Rule{Conditions: []Condition{cond("values.regulated", "", "Yes")}}), "modules[0].rules[0].conditions[0].op", "required"},
		{"lte needs a number", mod(Rule{Conditions: []Condition{cond("dimensions.risk_tolerance", OpLTE, "low")}}), "modules[0].rules[0].conditions[0].value", "must be a number"},
		{"lte needs a value", mod(Rule{Conditions: []Condition{cond("dimensions.risk_tolerance", OpGTE, nil)}}), "modules[0].rules[0].conditions[0].value", "give a number"},
		{"lte on a text field", mod(Rule{Conditions: []Condition{cond("values.regulated", OpLTE, 2)}}), "modules[0].rules[0].conditions[0].op", "does not hold a number"},
		{"equals needs a value", mod(Rule{Conditions: []Condition{cond("values.regulated", OpEquals, "  ")}}), "modules[0].rules[0].conditions[0].value", "give a value"},
		{"equals with a list", mod(Rule{Conditions: []Condition{cond("values.regulated", OpEquals, []any{"a", "b"})}}), "modules[0].rules[0].conditions[0].value", "single text or number"},
		{"one_of empty", mod(Rule{Conditions: []Condition{cond("values.industry", OpOneOf, []any{})}}), "modules[0].rules[0].conditions[0].value", "at least one value"},
		{"one_of with objects", mod(Rule{Conditions: []Condition{cond("values.industry", OpOneOf, []any{map[string]any{}})}}), "modules[0].rules[0].conditions[0].value", "list of texts or numbers"},
		{"present takes no value", mod(Rule{Conditions: []Condition{cond("values.regulated", OpPresent, "Yes")}}), "modules[0].rules[0].conditions[0].value", "takes no value"},
		{"dashboard field of roles", Catalogue{Dashboards: []DashboardTemplate{{Key: "d", Name: "D", Widgets: []string{"w"},
			Rules: []Rule{{Conditions: []Condition{cond("values.regulated", OpEquals, "Yes")}}}}}},
			"dashboards[0].rules[0].conditions[0].field", "UX persona and AI agent templates"},
		{"dashboard reads the archetype", Catalogue{Dashboards: []DashboardTemplate{{Key: "d", Name: "D", Widgets: []string{"w"},
			Rules: []Rule{{Conditions: []Condition{cond("archetype.values.tools", OpPresent, nil)}}}}}},
			"dashboards[0].rules[0].conditions[0].field", "customer archetype templates"},
		{"dashboard needs widgets", Catalogue{Dashboards: []DashboardTemplate{{Key: "d", Name: "D"}}}, "dashboards[0].widgets", "at least one widget"},
		{"negative min score", Catalogue{Packs: []ContentPack{{Key: "p", Name: "P", MinScore: -1}}}, "packs[0].min_score", "positive"},
		{"missing key", Catalogue{Modules: []Module{{Name: "M"}}}, "modules[0].key", "required"},
		{"bad key", Catalogue{Modules: []Module{{Key: "Approval Workflows", Name: "M"}}}, "modules[0].key", "lower-case"},
		{"missing name", Catalogue{Modules: []Module{{Key: "m"}}}, "modules[0].name", "required"},
		{"duplicate key across kinds", Catalogue{Modules: []Module{{Key: "audit", Name: "Audit"}}, Packs: []ContentPack{{Key: "audit", Name: "Audit pack"}}},
			"packs[0].key", "already used by modules[0]"},
		{"negative effort", Catalogue{Modules: []Module{{Key: "m", Name: "M", EffortDays: -1}}}, "modules[0].effort_days", "between 0"},
		{"bad phase", Catalogue{Modules: []Module{{Key: "m", Name: "M", Phase: "later"}}}, "modules[0].phase", "foundation, pilot or scale"},
		{"unknown dependency", Catalogue{Modules: []Module{{Key: "m", Name: "M", DependsOn: []string{"ghost"}}}}, "modules[0].depends_on[0]", `no module "ghost"`},
		{"self dependency", Catalogue{Modules: []Module{{Key: "m", Name: "M", DependsOn: []string{"m"}}}}, "modules[0].depends_on", "itself"},
		{"pack needs unknown module", Catalogue{Packs: []ContentPack{{Key: "p", Name: "P", Modules: []string{"ghost"}}}}, "packs[0].modules[0]", `no module "ghost"`},
		{"cycle", Catalogue{Modules: []Module{
			{Key: "a", Name: "A", DependsOn: []string{"b"}},
			{Key: "b", Name: "B", DependsOn: []string{"c"}},
			{Key: "c", Name: "C", DependsOn: []string{"a"}},
		}}, "modules", "cycle: a → b → c → a"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cat := tc.cat
			fields := fieldsOfErr(t, ValidateCatalogue(&cat, known))
			msg, ok := fields[tc.path]
			if !ok || !strings.Contains(msg, tc.wants) {
				t.Errorf("want %s: …%s…, got %v", tc.path, tc.wants, fields)
			}
		})
	}
}

func TestValidateCatalogueNormalises(t *testing.T) {
	cat := Catalogue{
		Modules: []Module{{Key: " core ", Name: " Core matching ", DependsOn: []string{" ", "x", "x"}},
			{Key: "x", Name: "X", Rules: []Rule{{Conditions: []Condition{
				cond("dimensions.risk_tolerance", OpLTE, "2"),
				cond("values.industry", OpOneOf, []any{"Banking", " banking ", 3.0}),
				cond("values.procurement_weeks", OpEquals, 40),
			}}}}},
		Dashboards: []DashboardTemplate{{Key: "d", Name: "D", Widgets: []string{" Queue ", "", "queue"}, Roles: []string{"System Lead"}}},
	}
	if err := ValidateCatalogue(&cat, KnownFields{}); err != nil {
		t.Fatal(err)
	}
	m := cat.Modules[0]
	if m.Key != "core" || m.Name != "Core matching" || !slices.Equal(m.DependsOn, []string{"x"}) {
		t.Errorf("module not normalised: %+v", m)
	}
	r := cat.Modules[1].Rules[0]
	if r.Match != MatchAll || r.Weight != 1 {
		t.Errorf("rule defaults: %+v", r)
	}
	if r.Conditions[0].Value != 2.0 {
		t.Errorf("lte value %T %v, want float64 2", r.Conditions[0].Value, r.Conditions[0].Value)
	}
	if d := cmp.Diff([]string{"Banking", "3"}, r.Conditions[1].Value); d != "" {
		t.Errorf("one_of value (-want +got):\n%s", d)
	}
	if r.Conditions[2].Value != 40.0 {
		t.Errorf("equals number %T %v", r.Conditions[2].Value, r.Conditions[2].Value)
	}
	if !slices.Equal(cat.Dashboards[0].Widgets, []string{"Queue"}) {
		t.Errorf("widgets %q", cat.Dashboards[0].Widgets)
	}
	// A catalogue survives a JSON round trip and validates the same.
	b, _ := json.Marshal(cat)
	var back Catalogue
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if err := ValidateCatalogue(&back, KnownFields{}); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(cat, back); d != "" {
		t.Errorf("round trip (-want +got):\n%s", d)
	}
}

// testCatalogue is a small reconciliation product.
func testCatalogue() Catalogue {
	low := Rule{Conditions: []Condition{cond("dimensions.risk_tolerance", OpLTE, 2.0)}, Weight: 2}
	return Catalogue{
		Revision: 3,
		Modules: []Module{
			{Key: "core-matching", Name: "Core matching", EffortDays: 10, Owner: "System Lead", DoneWhen: "nightly runs are green for two weeks"},
			{Key: "approval-workflows", Name: "Approval workflows", DependsOn: []string{"audit-trail"}, EffortDays: 8, Owner: "Compliance Analyst",
				Rules: []Rule{low}},
			{Key: "audit-trail", Name: "Audit trail", DependsOn: []string{"core-matching"}, EffortDays: 4, Phase: PhaseFoundation,
				Rules: []Rule{{Conditions: []Condition{cond("values.regulated", OpOneOf, []string{"Yes", "Partly"})}}}},
			{Key: "crm-connector", Name: "CRM connector", DependsOn: []string{"core-matching"}, EffortDays: 5,
				Rules: []Rule{{Conditions: []Condition{cond("values.systems", OpContains, "salesforce")}}}},
			{Key: "mainframe-feed", Name: "Mainframe feed adapter", DependsOn: []string{"core-matching"}, EffortDays: 15, Phase: PhaseFoundation,
				Rules: []Rule{{Conditions: []Condition{cond("values.systems", OpContains, "mainframe")}}}},
			{Key: "ai-assistant", Name: "AI assistant", DependsOn: []string{"evidence-store"}, EffortDays: 6, Phase: PhaseScale,
				Rules: []Rule{{Conditions: []Condition{cond("dimensions.ai_adoption", OpGTE, 3.0)}}}},
			{Key: "evidence-store", Name: "Evidence store", EffortDays: 3, Rules: []Rule{{Conditions: []Condition{cond("values.regulated", OpEquals, "No")}}}},
		},
		Packs: []ContentPack{
			{Key: "audit-pack", Name: "Audit pack", Modules: []string{"audit-trail", "evidence-store"}, Serves: []string{"Compliance Analyst"},
				Rules: []Rule{{Conditions: []Condition{cond("values.regulated", OpEquals, "Yes")}}}},
			{Key: "fintech-pack", Name: "Fintech starter rules", Rules: []Rule{{Conditions: []Condition{cond("values.industry", OpEquals, "Payments")}}}},
		},
		Dashboards: []DashboardTemplate{
			{Key: "controls-cockpit", Name: "Controls cockpit", Widgets: []string{"Approvals waiting", "Overrides this week"}, Roles: []string{"System Lead"},
				Modules: []string{"approval-workflows"}, Rules: []Rule{{Conditions: []Condition{cond("dimensions.risk_tolerance", OpLTE, 2.0)}}}},
			{Key: "automation-console", Name: "Automation console", Widgets: []string{"Auto-match rate"}, Roles: []string{"System Lead"},
				Rules: []Rule{{Conditions: []Condition{cond("dimensions.technical_comfort", OpGTE, 4.0)}}}},
			{Key: "ops-overview", Name: "Operations overview", Widgets: []string{"Open breaks"}, Roles: []string{"ux"}},
			{Key: "agent-monitor", Name: "Agent monitor", Widgets: []string{"Suggestions accepted"}, Roles: []string{"agent"}},
		},
	}
}

func lpRoles() []Subject {
	return []Subject{
		{Ref: RoleRef{PersonaID: "p-agent", Name: "Reconciliation Assistant", ProfileType: ProfileAgent}, Definition: lpRoleDef()},
		{Ref: RoleRef{PersonaID: "p-lead", VariantID: "v-bb", Name: "System Lead", ProfileType: ProfileUX, Customer: "Big Bank", RoleTitle: "Reconciliation System Lead"},
			Values: Values{"role_title": "Reconciliation System Lead"}, Dimensions: Values{"technical_comfort": 5.0, "risk_tolerance": 1.0}, Definition: lpRoleDef()},
		{Ref: RoleRef{PersonaID: "p-analyst", Name: "Compliance Analyst", ProfileType: ProfileUX}, Dimensions: Values{"technical_comfort": 3.0}, Definition: lpRoleDef()},
	}
}

func keysOf(ms []ModulePick) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Key)
	}
	return out
}

func TestGenerateForBigBank(t *testing.T) {
	cat := testCatalogue()
	if err := ValidateCatalogue(&cat, KnownFields{}); err != nil {
		t.Fatal(err)
	}
	rec, err := Generate(GenerateInput{Archetype: bigBank(), Roles: lpRoles(), Catalogue: cat})
	if err != nil {
		t.Fatal(err)
	}
	// Modules: dependencies pulled in (evidence store by the audit pack),
	// in dependency order, catalogue order breaking ties.
	want := []string{"core-matching", "audit-trail", "approval-workflows", "mainframe-feed", "evidence-store"}
	if got := keysOf(rec.Modules); !slices.Equal(got, want) {
		t.Fatalf("modules %v, want %v", got, want)
	}
	byKey := map[string]ModulePick{}
	for _, m := range rec.Modules {
		byKey[m.Key] = m
	}
	aw := byKey["approval-workflows"]
	if aw.Origin != OriginRule || !slices.Contains(aw.Reasons, "Big Bank’s risk tolerance is 1 — at most 2 calls for approval workflows") || aw.Score != 2 {
		t.Errorf("approval workflows: %+v", aw)
	}
	if aw.Owner != "Compliance Analyst" {
		t.Errorf("owner %q", aw.Owner)
	}
	// The approval module is in the pilot although its dependency is in the
	// foundation; the audit trail explains that it is required.
	if aw.Phase != PhasePilot || byKey["audit-trail"].Phase != PhaseFoundation {
		t.Errorf("phases %s %s", aw.Phase, byKey["audit-trail"].Phase)
	}
	if !slices.Contains(byKey["audit-trail"].Reasons, "required by Approval workflows, content pack Audit pack") {
		t.Errorf("audit trail reasons %q", byKey["audit-trail"].Reasons)
	}
	cm := byKey["core-matching"]
	if cm.Origin != OriginBaseline || cm.Reasons[0] != "part of every setup" || cm.Owner != "System Lead (Big Bank variant)" {
		t.Errorf("core matching %+v", cm)
	}
	if es := byKey["evidence-store"]; es.Origin != OriginDependency || !slices.Equal(es.Reasons, []string{"required by content pack Audit pack"}) {
		t.Errorf("evidence store %+v", es)
	}
	// Skipped items say why.
	var skipped []string
	for _, s := range rec.Skipped {
		skipped = append(skipped, s.Key+": "+strings.Join(s.Why, "; "))
	}
	if !slices.Contains(skipped, "crm-connector: not met: Big Bank’s core systems do not include salesforce") {
		t.Errorf("skipped %q", skipped)
	}
	// Packs.
	if len(rec.Packs) != 1 || rec.Packs[0].Key != "audit-pack" || !slices.Equal(rec.Packs[0].Serves, []string{"Compliance Analyst"}) {
		t.Fatalf("packs %+v", rec.Packs)
	}
	// One dashboard per role, in role order (UX by name, then agents).
	var dash []string
	for _, d := range rec.Dashboards {
		dash = append(dash, d.Role.Label()+" → "+d.Name)
	}
	wantDash := []string{"Compliance Analyst → Operations overview", "System Lead (Big Bank variant) → Controls cockpit", "Reconciliation Assistant → Agent monitor"}
	if !slices.Equal(dash, wantDash) {
		t.Fatalf("dashboards %q, want %q", dash, wantDash)
	}
	cc := rec.Dashboards[1]
	wantReasons := []string{"intended for System Lead", "System Lead’s risk tolerance is 1 — at most 2 calls for controls cockpit", "uses Approval workflows"}
	if !slices.Equal(cc.Reasons, wantReasons) {
		t.Errorf("cockpit reasons %q, want %q", cc.Reasons, wantReasons)
	}
	if cc.Ref() != "dashboard:controls-cockpit:p-lead" {
		t.Errorf("ref %s", cc.Ref())
	}

	// The plan: phases in order, effort summed, owners and exit criteria.
	view := LaunchpadContent{Recommendation: rec}.View()
	p := view.Plan
	if len(p.Phases) != 3 || p.Phases[0].Phase != PhaseFoundation || p.Phases[2].Phase != PhaseScale {
		t.Fatalf("phases %+v", p.Phases)
	}
	var found []string
	for _, m := range p.Phases[0].Modules {
		found = append(found, m.Key)
	}
	if !slices.Equal(found, []string{"core-matching", "audit-trail", "mainframe-feed"}) {
		t.Errorf("foundation modules %v", found)
	}
	if p.Phases[0].EffortDays != 29 || p.Phases[1].EffortDays != 11 || p.EffortDays != 40 {
		t.Errorf("effort %v %v %v", p.Phases[0].EffortDays, p.Phases[1].EffortDays, p.EffortDays)
	}
	if !slices.Equal(p.Phases[0].Owners, []string{"System Lead (Big Bank variant)"}) || !slices.Equal(p.Phases[1].Owners, []string{"Compliance Analyst"}) {
		t.Errorf("owners %q %q", p.Phases[0].Owners, p.Phases[1].Owners)
	}
	if !slices.Contains(p.Phases[0].ExitCriteria, "Core matching: nightly runs are green for two weeks") {
		t.Errorf("exit criteria %q", p.Phases[0].ExitCriteria)
	}
	if !strings.Contains(strings.Join(p.Phases[2].ExitCriteria, "\n"), "System Lead (Big Bank variant)") {
		t.Errorf("scale exit criteria %q", p.Phases[2].ExitCriteria)
	}
}

func TestGenerateFintechAndRoleVariants(t *testing.T) {
	cat := testCatalogue()
	fintech := bigBank()
	fintech.Ref = RoleRef{PersonaID: "arch-2", Name: "FinTech", ProfileType: ProfileArchetype}
	fintech.Values = Values{"industry": "Payments", "regulated": "No", "systems": []string{"stripe", "Salesforce"}}
	fintech.Dimensions = Values{"risk_tolerance": 4.0, "ai_adoption": 5.0}
	roles := lpRoles()
	roles[1].Ref.Customer, roles[1].Ref.VariantID = "FinTech", "v-ft"
	roles[1].Dimensions = Values{"technical_comfort": 5.0, "risk_tolerance": 4.0}
	rec, err := Generate(GenerateInput{Archetype: fintech, Roles: roles, Catalogue: cat})
	if err != nil {
		t.Fatal(err)
	}
	// evidence-store is picked by its own rule; ai-assistant goes to scale.
	want := []string{"core-matching", "crm-connector", "ai-assistant", "evidence-store"}
	got := keysOf(rec.Modules)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("modules %v, want %v", keysOf(rec.Modules), want)
	}
	if i, j := slices.Index(keysOf(rec.Modules), "evidence-store"), slices.Index(keysOf(rec.Modules), "ai-assistant"); i > j {
		t.Errorf("evidence store must come before the assistant: %v", keysOf(rec.Modules))
	}
	for _, d := range rec.Dashboards {
		if d.Role.PersonaID == "p-lead" && d.Key != "automation-console" {
			t.Errorf("System Lead at a fintech gets %s", d.Key)
		}
	}
	if len(rec.Packs) != 1 || rec.Packs[0].Key != "fintech-pack" {
		t.Errorf("packs %+v", rec.Packs)
	}
}

func TestGenerateGapsAndExtras(t *testing.T) {
	cat := testCatalogue()
	cat.Dashboards = cat.Dashboards[:2] // no generic dashboards
	rec, err := Generate(GenerateInput{Archetype: bigBank(), Roles: lpRoles(), Catalogue: cat,
		Extra: []string{"module:crm-connector", "dashboard:automation-console:p-lead", "dashboard:ghost:p-lead", "pack:fintech-pack"}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(rec.Gaps, "No dashboard template fits Compliance Analyst.") || !slices.Contains(rec.Gaps, "No dashboard template fits Reconciliation Assistant.") {
		t.Errorf("gaps %q", rec.Gaps)
	}
	var crm ModulePick
	for _, m := range rec.Modules {
		if m.Key == "crm-connector" {
			crm = m
		}
	}
	if crm.Origin != OriginManual || crm.Reasons[0] != "added by hand" {
		t.Errorf("crm connector %+v", crm)
	}
	refs := rec.Refs()
	for _, ref := range []string{"module:crm-connector", "pack:fintech-pack", "dashboard:automation-console:p-lead", "dashboard:controls-cockpit:p-lead"} {
		if !slices.Contains(refs, ref) {
			t.Errorf("missing %s in %v", ref, refs)
		}
	}
	if slices.ContainsFunc(refs, func(r string) bool { return strings.Contains(r, "ghost") }) {
		t.Errorf("unknown extra kept: %v", refs)
	}
}

func TestGenerateRefusesCycles(t *testing.T) {
	cat := Catalogue{Modules: []Module{
		{Key: "base", Name: "Base"},
		{Key: "a", Name: "A", DependsOn: []string{"base", "b"}},
		{Key: "b", Name: "B", DependsOn: []string{"a"}},
	}}
	_, err := Generate(GenerateInput{Archetype: bigBank(), Catalogue: cat})
	e, ok := AsError(err)
	if !ok || e.Code != CodeInvalid || !strings.Contains(e.Message, "cycle: a → b → a") {
		t.Fatalf("want a cycle error, got %v", err)
	}
	// Modules outside the cycle order fine when the cycle is not wanted.
	order, err := orderModules(cat.Modules, map[string]bool{"base": true})
	if err != nil || !slices.Equal(order, []string{"base"}) {
		t.Fatalf("order %v %v", order, err)
	}
}

func TestGenerateIsDeterministic(t *testing.T) {
	first, err := Generate(GenerateInput{Archetype: bigBank(), Roles: lpRoles(), Catalogue: testCatalogue()})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(first)
	for i := range 20 {
		roles := lpRoles()
		// Any role order, fresh maps every time.
		for j := range roles {
			k := (i + j*7) % len(roles)
			roles[j], roles[k] = roles[k], roles[j]
		}
		got, err := Generate(GenerateInput{Archetype: bigBank(), Roles: roles, Catalogue: testCatalogue()})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(got)
		if string(b) != string(want) {
			t.Fatalf("run %d differs:\n%s\nwant\n%s", i, b, want)
		}
		v1, v2 := LaunchpadContent{Recommendation: first}.View(), LaunchpadContent{Recommendation: got}.View()
		if d := cmp.Diff(v1, v2); d != "" {
			t.Fatalf("views differ (-first +run):\n%s", d)
		}
	}
}

func savedBigBank(t *testing.T) LaunchpadContent {
	t.Helper()
	rec, err := Generate(GenerateInput{Archetype: bigBank(), Roles: lpRoles(), Catalogue: testCatalogue()})
	if err != nil {
		t.Fatal(err)
	}
	c := LaunchpadContent{Name: "Big Bank setup", ArchetypeID: "arch-1", Recommendation: rec}
	if err := ValidateLaunchpad(&c); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestValidateLaunchpadEdits(t *testing.T) {
	c := savedBigBank(t)
	tests := []struct {
		name  string
		edit  func(c *LaunchpadContent)
		path  string
		wants string
	}{
		{"name required", func(c *LaunchpadContent) { c.Name = " " }, "name", "required"},
		{"unknown item", func(c *LaunchpadContent) { c.Decisions = map[string]Decision{"module:ghost": DecisionAccepted} }, "decisions.module:ghost", "not an item"},
		{"bad decision", func(c *LaunchpadContent) { c.Decisions = map[string]Decision{"module:audit-trail": "maybe"} }, "decisions.module:audit-trail", "accepted or rejected"},
		{"unknown module moved", func(c *LaunchpadContent) { c.Plan.PhaseOf = map[string]Phase{"ghost": PhaseScale} }, "plan_edits.phase_of.ghost", "not a module"},
		{"bad phase", func(c *LaunchpadContent) { c.Plan.PhaseOf = map[string]Phase{"audit-trail": "later"} }, "plan_edits.phase_of.audit-trail", "foundation, pilot or scale"},
		{"dependency after dependent", func(c *LaunchpadContent) { c.Plan.PhaseOf = map[string]Phase{"audit-trail": PhaseScale} },
			"plan_edits.phase_of.approval-workflows", "Approval workflows is planned for pilot but depends on Audit trail, planned for scale"},
		{"unknown phase edited", func(c *LaunchpadContent) { c.Plan.Phases = map[Phase]PhaseEdit{"later": {Notes: "x"}} }, "plan_edits.phases.later", "not a phase"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cc := savedBigBank(t)
			tc.edit(&cc)
			fields := fieldsOfErr(t, ValidateLaunchpad(&cc))
			if msg, ok := fields[tc.path]; !ok || !strings.Contains(msg, tc.wants) {
				t.Errorf("want %s: …%s…, got %v", tc.path, tc.wants, fields)
			}
		})
	}
	// Valid edits: reject a module, move one together with its dependent,
	// rewrite exit criteria; the plan follows.
	c.Decisions = map[string]Decision{"module:mainframe-feed": DecisionRejected, "pack:audit-pack": DecisionAccepted}
	c.Plan.PhaseOf = map[string]Phase{"approval-workflows": PhaseScale, "core-matching": PhaseFoundation}
	c.Plan.Phases = map[Phase]PhaseEdit{PhasePilot: {ExitCriteria: []string{" Pilot team signs off ", ""}, Notes: "Two branches"}}
	if err := ValidateLaunchpad(&c); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Plan.PhaseOf["core-matching"]; ok {
		t.Error("a move to the phase a module already has must be dropped")
	}
	v := c.View()
	if v.Plan.Phases[0].EffortDays != 14 || v.Plan.Phases[2].EffortDays != 8 || !v.Plan.Phases[2].Modules[0].Moved {
		t.Errorf("plan after edits: %+v", v.Plan.Phases)
	}
	if !slices.Equal(v.Plan.Phases[1].ExitCriteria, []string{"Pilot team signs off"}) || !v.Plan.Phases[1].Edited || v.Plan.Phases[1].Notes != "Two branches" {
		t.Errorf("pilot phase %+v", v.Plan.Phases[1])
	}
	if !slices.Equal(v.Plan.Unscheduled, []string{"Mainframe feed adapter"}) {
		t.Errorf("unscheduled %q", v.Plan.Unscheduled)
	}
	if v.Recommendation.Packs[0].Decision != DecisionAccepted {
		t.Errorf("decision not applied")
	}
	// Rejecting a dependency warns in the plan.
	c.Decisions["module:audit-trail"] = DecisionRejected
	if err := ValidateLaunchpad(&c); err != nil {
		t.Fatal(err)
	}
	if w := c.View().Plan.Warnings; !slices.Contains(w, "Approval workflows depends on Audit trail, which is rejected.") {
		t.Errorf("warnings %q", w)
	}
}

func TestRegenerateDiffAndKeepDecisions(t *testing.T) {
	saved := savedBigBank(t)
	saved.Decisions = map[string]Decision{"module:approval-workflows": DecisionAccepted, "module:mainframe-feed": DecisionRejected}
	saved.Plan.PhaseOf = map[string]Phase{"mainframe-feed": PhasePilot}
	saved.Plan.Phases = map[Phase]PhaseEdit{PhaseScale: {Notes: "After the audit"}}
	if err := ValidateLaunchpad(&saved); err != nil {
		t.Fatal(err)
	}
	// The bank grows bolder and adopts AI.
	bb := bigBank()
	bb.Dimensions["risk_tolerance"] = 4.0
	bb.Dimensions["ai_adoption"] = 4.0
	roles := lpRoles()
	roles[1].Dimensions["risk_tolerance"] = 4.0
	fresh, err := Generate(GenerateInput{Archetype: bb, Roles: roles, Catalogue: testCatalogue()})
	if err != nil {
		t.Fatal(err)
	}
	next := saved.Regenerated(fresh)
	diff := DiffLaunchpads(saved.View(), next.View())
	type line struct{ kind, ref, change string }
	var got []line
	for _, c := range diff.Changes {
		got = append(got, line{c.Kind, c.Ref, c.Change})
	}
	want := []line{
		{"module", "module:audit-trail", ChangeChanged}, // no longer required by the approval module
		{"module", "module:evidence-store", ChangeChanged},
		{"module", "module:ai-assistant", ChangeAdded},
		{"module", "module:approval-workflows", ChangeRemoved},
		{"dashboard", "dashboard:automation-console:p-lead", ChangeAdded},
		{"dashboard", "dashboard:controls-cockpit:p-lead", ChangeRemoved},
	}
	if d := cmp.Diff(want, got, cmp.AllowUnexported(line{})); d != "" {
		t.Fatalf("diff (-want +got):\n%s", d)
	}
	for _, c := range diff.Changes {
		if c.Ref == "module:approval-workflows" && !slices.Equal(c.Details, []string{"was there: Big Bank’s risk tolerance is 1 — at most 2 calls for approval workflows", "phase: pilot", "effort: 8 days"}) {
			t.Errorf("removed item must show why it was there: %q", c.Details)
		}
		if c.Ref == "module:audit-trail" && !slices.Equal(c.Details, []string{"no longer: required by Approval workflows, content pack Audit pack", "now: required by content pack Audit pack"}) {
			t.Errorf("changed item details %q", c.Details)
		}
	}
	if diff.Empty() {
		t.Error("diff reported empty")
	}
	if a, r, ch := diff.Count(); a != 2 || r != 2 || ch != 2 {
		t.Errorf("count %d added %d removed", a, r)
	}
	// Decisions and plan edits survive for items still there.
	if next.Decisions["module:mainframe-feed"] != DecisionRejected || len(next.Decisions) != 1 {
		t.Errorf("decisions %v", next.Decisions)
	}
	if next.Plan.PhaseOf["mainframe-feed"] != PhasePilot || next.Plan.Phases[PhaseScale].Notes != "After the audit" {
		t.Errorf("plan edits %+v", next.Plan)
	}
	// Regenerating with the same input changes nothing.
	same, _ := Generate(GenerateInput{Archetype: bigBank(), Roles: lpRoles(), Catalogue: testCatalogue()})
	if d := DiffLaunchpads(saved.View(), saved.Regenerated(same).View()); !d.Empty() {
		t.Errorf("regenerating unchanged input: %+v", d.Changes)
	}
	// A kept move that now breaks dependency order is dropped.
	saved.Plan.PhaseOf = map[string]Phase{"core-matching": PhasePilot, "audit-trail": PhasePilot, "mainframe-feed": PhasePilot}
	if err := ValidateLaunchpad(&saved); err != nil {
		t.Fatal(err)
	}
	cat := testCatalogue()
	cat.Modules[0].Phase = PhaseScale // core matching now declared late: everything moves with it
	fresh2, err := Generate(GenerateInput{Archetype: bigBank(), Roles: lpRoles(), Catalogue: cat})
	if err != nil {
		t.Fatal(err)
	}
	next2 := saved.Regenerated(fresh2)
	if err := ValidateLaunchpad(&next2); err != nil {
		t.Errorf("regenerated content must validate: %v", err)
	}
}

func TestLaunchpadMarkdown(t *testing.T) {
	c := savedBigBank(t)
	c.Name = "Big Bank *pilot* #1"
	c.Decisions = map[string]Decision{"module:mainframe-feed": DecisionRejected}
	md := LaunchpadMarkdown(c.Name, "Agreed with the **CIO**.", c.View())
	for _, want := range []string{
		`# Big Bank \*pilot\* \#1`,
		"Launchpad for the customer archetype **Big Bank**.",
		"- **Approval workflows** (8 days, pilot)",
		"  - Big Bank’s risk tolerance is 1 — at most 2 calls for approval workflows",
		"- **Mainframe feed adapter** (15 days, foundation) — *rejected*",
		"- **Controls cockpit** for System Lead (Big Bank variant)",
		"### Foundation — 14 person-days",
		"1. Core matching (10 days, owner System Lead (Big Bank variant))",
		"- [ ] Core matching: nightly runs are green for two weeks",
		"Agreed with the **CIO**.",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
}

func TestAddToRecommendation(t *testing.T) {
	cat := testCatalogue()
	rec, err := Generate(GenerateInput{Archetype: bigBank(), Roles: lpRoles(), Catalogue: cat})
	if err != nil {
		t.Fatal(err)
	}
	// The AI assistant brings nothing new (its dependency is there) but
	// goes after the evidence store, at scale.
	out, err := AddToRecommendation(rec, cat, "module:ai-assistant")
	if err != nil {
		t.Fatal(err)
	}
	keys := keysOf(out.Modules)
	if i, j := slices.Index(keys, "evidence-store"), slices.Index(keys, "ai-assistant"); i < 0 || j < i {
		t.Fatalf("order %v", keys)
	}
	for _, m := range out.Modules {
		switch m.Key {
		case "ai-assistant":
			if m.Origin != OriginManual || m.Phase != PhaseScale {
				t.Errorf("added module %+v", m)
			}
		case "evidence-store":
			if !slices.Contains(m.Reasons, "required by AI assistant, content pack Audit pack") {
				t.Errorf("dependency reasons not refreshed: %q", m.Reasons)
			}
		}
	}
	if len(rec.Modules) == len(out.Modules) {
		t.Error("the input recommendation was modified or nothing was added")
	}
	// A pack brings the modules it needs; a dashboard needs a role.
	cat.Packs = append(cat.Packs, ContentPack{Key: "crm-pack", Name: "CRM pack", Modules: []string{"crm-connector"}, Serves: []string{"ux"}})
	out, err = AddToRecommendation(rec, cat, "pack:crm-pack")
	if err != nil {
		t.Fatal(err)
	}
	var crm ModulePick
	for _, m := range out.Modules {
		if m.Key == "crm-connector" {
			crm = m
		}
	}
	if crm.Origin != OriginDependency || crm.Phase != PhasePilot || !slices.Equal(crm.Reasons, []string{"required by content pack CRM pack"}) {
		t.Errorf("module needed by the pack %+v", crm)
	}
	if p := out.Packs[len(out.Packs)-1]; !slices.Equal(p.Serves, []string{"Compliance Analyst", "System Lead (Big Bank variant)"}) {
		t.Errorf("serves %q", p.Serves)
	}
	if _, err := AddToRecommendation(rec, cat, "dashboard:automation-console:p-lead"); err != nil {
		t.Error(err)
	}
	for ref, code := range map[string]Code{
		"module:core-matching":              CodeConflict,
		"module:ghost":                      CodeInvalid,
		"dashboard:automation-console:nope": CodeInvalid,
		"dashboard:automation-console":      CodeInvalid,
		"widget:x":                          CodeInvalid,
	} {
		if _, err := AddToRecommendation(rec, cat, ref); ErrorCode(err) != code {
			t.Errorf("%s: %v, want %s", ref, err, code)
		}
	}
}

// FuzzCatalogue feeds arbitrary catalogue documents through validation and
// generation: validation never panics, and a catalogue it accepts always
// generates, the same way twice.
func FuzzCatalogue(f *testing.F) {
	seed, _ := json.Marshal(testCatalogue())
	f.Add(seed)
	f.Add([]byte(`{"modules":[{"key":"a","name":"A","depends_on":["b"]},{"key":"b","name":"B","depends_on":["a"]}]}`))
	f.Add([]byte(`{"modules":[{"key":"a","name":"A","rules":[{"match":"any","conditions":[{"field":"values.systems","op":"one_of","value":[1,"x",true]}]}]}]}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		var c Catalogue
		if json.Unmarshal(doc, &c) != nil {
			return
		}
		if ValidateCatalogue(&c, KnownFields{}) != nil {
			return
		}
		in := GenerateInput{Archetype: bigBank(), Roles: lpRoles(), Catalogue: c}
		a, err := Generate(in)
		if err != nil {
			t.Fatalf("a valid catalogue did not generate: %v", err)
		}
		b, _ := Generate(in)
		if d := cmp.Diff(a, b); d != "" {
			t.Fatalf("not deterministic:\n%s", d)
		}
	})
}
