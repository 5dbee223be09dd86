package server_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

type launchpadDoc struct {
	ID            string                  `json:"id"`
	Name          string                  `json:"name"`
	ArchetypeID   string                  `json:"archetype_id"`
	ArchetypeName string                  `json:"archetype_name"`
	VariantIDs    []string                `json:"variant_ids"`
	RoleIDs       []string                `json:"role_ids"`
	Revision      int                     `json:"revision"`
	Decisions     map[string]string       `json:"decisions"`
	Added         []string                `json:"added"`
	View          persona.LaunchpadView   `json:"view"`
	Recommended   *persona.Recommendation `json:"recommendation"`
}

func (d launchpadDoc) module(key string) (persona.ModulePick, bool) {
	for _, m := range d.View.Recommendation.Modules {
		if m.Key == key {
			return m, true
		}
	}
	return persona.ModulePick{}, false
}

type generatedDoc struct {
	ArchetypeID    string                 `json:"archetype_id"`
	VariantIDs     []string               `json:"variant_ids"`
	RoleIDs        []string               `json:"role_ids"`
	Recommendation persona.Recommendation `json:"recommendation"`
	Plan           persona.Plan           `json:"plan"`
}

func dashboardFor(rec persona.Recommendation, roleLabel string) (persona.DashboardPick, bool) {
	for _, d := range rec.Dashboards {
		if d.Role.Label() == roleLabel {
			return d, true
		}
	}
	return persona.DashboardPick{}, false
}

func TestLaunchpadGenerateForBigBank(t *testing.T) {
	e := newEnv(t)
	bank := e.demoByName("Big Bank")
	lead := e.demoByName("System Lead")

	var g generatedDoc
	e.must(200, "POST", e.api("/launchpads/generate"), e.owner, map[string]any{"archetype_id": bank.ID}).json(t, &g)
	rec := g.Recommendation
	var approval *persona.ModulePick
	for i, m := range rec.Modules {
		if m.Key == "approval-workflows" {
			approval = &rec.Modules[i]
		}
	}
	if approval == nil {
		t.Fatalf("no approval workflows for Big Bank: %+v", rec.Modules)
	}
	if !slices.Contains(approval.Reasons, "Big Bank’s risk tolerance is 1 — at most 2 calls for approval workflows (four-eyes principle for manual matches and write-offs)") {
		t.Errorf("approval reasons %q", approval.Reasons)
	}
	// Dependency order: the audit trail before the approvals, core first.
	keys := []string{}
	for _, m := range rec.Modules {
		keys = append(keys, m.Key)
	}
	if keys[0] != "core-matching" || slices.Index(keys, "audit-trail") > slices.Index(keys, "approval-workflows") {
		t.Errorf("module order %v", keys)
	}
	if !slices.Contains(keys, "mainframe-adapter") || slices.Contains(keys, "crm-connector") || slices.Contains(keys, "sandbox-api") {
		t.Errorf("modules for Big Bank %v", keys)
	}
	// Default roles: the System Lead's Big Bank variant, the personas the
	// archetype names, and the agents serving them.
	if len(g.VariantIDs) != 1 || !slices.Contains(g.RoleIDs, e.demoByName("Compliance Analyst").ID) || !slices.Contains(g.RoleIDs, e.demoByName("Reconciliation Assistant").ID) {
		t.Errorf("default roles: variants %v, roles %v", g.VariantIDs, g.RoleIDs)
	}
	d, ok := dashboardFor(rec, "System Lead (Big Bank variant)")
	if !ok || d.Key != "controls-cockpit" || d.Role.PersonaID != lead.ID {
		t.Fatalf("System Lead's dashboard: %+v (all %+v)", d, rec.Dashboards)
	}
	if !slices.Contains(d.Reasons, "System Lead’s risk tolerance is 1 — at most 2 calls for controls cockpit") || !slices.Contains(d.Reasons, "intended for System Lead") {
		t.Errorf("dashboard reasons %q", d.Reasons)
	}
	// The phased plan.
	if len(g.Plan.Phases) != 3 || g.Plan.Phases[0].Phase != persona.PhaseFoundation || g.Plan.EffortDays <= 0 {
		t.Fatalf("plan %+v", g.Plan)
	}
	var sum float64
	for _, ph := range g.Plan.Phases {
		var s float64
		for _, m := range ph.Modules {
			s += m.EffortDays
		}
		if s != ph.EffortDays {
			t.Errorf("%s effort %v, modules sum to %v", ph.Phase, ph.EffortDays, s)
		}
		sum += s
	}
	if sum != g.Plan.EffortDays {
		t.Errorf("total effort %v, phases sum to %v", g.Plan.EffortDays, sum)
	}

	// FinTech gets another setup: no approvals, connectors for its stack,
	// and the automation console for the System Lead's FinTech variant.
	fintech := e.demoByName("FinTech")
	var fv listJSON[struct {
		ID string `json:"id"`
	}]
	e.must(200, "GET", e.api("/variants?customer="+fintech.ID), e.owner, nil).json(t, &fv)
	e.must(200, "POST", e.api("/launchpads/generate"), e.owner, map[string]any{
		"archetype_id": fintech.ID, "variant_ids": []string{fv.Items[0].ID}, "role_ids": []string{}}).json(t, &g)
	keys = keys[:0]
	for _, m := range g.Recommendation.Modules {
		keys = append(keys, m.Key)
	}
	if slices.Contains(keys, "approval-workflows") || !slices.Contains(keys, "payment-connectors") || !slices.Contains(keys, "sandbox-api") {
		t.Errorf("FinTech modules %v", keys)
	}
	if d, ok := dashboardFor(g.Recommendation, "System Lead (FinTech variant)"); !ok || d.Key != "automation-console" {
		t.Errorf("FinTech System Lead dashboard %+v", g.Recommendation.Dashboards)
	}
	if len(g.Recommendation.Roles) != 1 {
		t.Errorf("explicit roles ignored: %+v", g.Recommendation.Roles)
	}

	// Determinism: the same request gives the same bytes.
	body := map[string]any{"archetype_id": bank.ID}
	first := e.must(200, "POST", e.api("/launchpads/generate"), e.owner, body).Body
	for range 3 {
		if again := e.must(200, "POST", e.api("/launchpads/generate"), e.owner, body).Body; string(again) != string(first) {
			t.Fatal("generating twice gave different results")
		}
	}

	// Bad requests name the field; viewers and outsiders cannot generate.
	p := e.must(422, "POST", e.api("/launchpads/generate"), e.owner, map[string]any{"archetype_id": lead.ID}).problem(t)
	if !slices.Contains(p.locations(), "body.archetype_id") {
		t.Errorf("problem %+v", p)
	}
	p = e.must(422, "POST", e.api("/launchpads/generate"), e.owner, map[string]any{"archetype_id": bank.ID, "role_ids": []string{e.demoByName("Head of Operations (buyer)").ID}}).problem(t)
	if !slices.Contains(p.locations(), "body.role_ids[0]") {
		t.Errorf("problem %+v", p)
	}
	e.must(403, "POST", e.api("/launchpads/generate"), e.viewer, body)
	e.must(404, "POST", e.api("/launchpads/generate"), e.other, body)
}

// setDimension changes a demo persona's dimension through the API.
func (e *env) setDimension(id, key string, value float64) {
	e.t.Helper()
	var p personaJSON
	e.must(200, "GET", e.api("/personas/"+id), e.owner, nil).json(e.t, &p)
	p.Dimensions[key] = value
	e.must(200, "PUT", e.api("/personas/"+id), e.owner, p, "If-Match", strconv.Quote(strconv.Itoa(p.Revision)))
}

func TestLaunchpadSaveEditRegenerate(t *testing.T) {
	e := newEnv(t)
	bank := e.demoByName("Big Bank")

	// The demo ships one saved Launchpad.
	var list listJSON[struct {
		ID, Name, Archetype string
	}]
	e.must(200, "GET", e.api("/launchpads"), e.viewer, nil).json(t, &list)
	if len(list.Items) != 1 || list.Items[0].Archetype != "Big Bank" {
		t.Fatalf("demo Launchpads: %+v", list.Items)
	}

	r := e.must(201, "POST", e.api("/launchpads"), e.owner, map[string]any{"archetype_id": bank.ID, "name": "Big Bank pilot"})
	var l launchpadDoc
	r.json(t, &l)
	if r.Header.Get("ETag") != `"1"` || !strings.HasSuffix(r.Header.Get("Location"), "/launchpads/"+l.ID) || l.ArchetypeName != "Big Bank" {
		t.Fatalf("created %+v, headers %v", l, r.Header)
	}
	path := e.api("/launchpads/" + l.ID)
	if _, ok := l.module("approval-workflows"); !ok {
		t.Fatal("saved Launchpad lacks approval workflows")
	}

	// Edit: reject a module, move one, write the pilot's exit criteria.
	edit := map[string]any{
		"name": "Big Bank pilot", "decisions": map[string]string{"module:mainframe-adapter": "rejected", "module:approval-workflows": "accepted"},
		"plan_edits": map[string]any{
			"phase_of": map[string]string{"rules-studio": "scale"},
			"phases":   map[string]any{"pilot": map[string]any{"exit_criteria": []string{"Frankfurt team signs off"}}},
		},
		"message": "First review",
	}
	e.must(428, "PUT", path, e.owner, edit)
	e.must(200, "PUT", path, e.owner, edit, "If-Match", `"1"`).json(t, &l)
	if l.Revision != 2 || l.Decisions["module:mainframe-adapter"] != "rejected" {
		t.Fatalf("after edit: %+v", l)
	}
	if m, _ := l.module("mainframe-adapter"); m.Decision != persona.DecisionRejected || !slices.Contains(l.View.Plan.Unscheduled, m.Name) {
		t.Errorf("rejected module still planned: %+v", l.View.Plan)
	}
	if got := l.View.Plan.Phases[1].ExitCriteria; !slices.Equal(got, []string{"Frankfurt team signs off"}) {
		t.Errorf("pilot exit criteria %q", got)
	}
	if p := e.must(412, "PUT", path, e.owner, edit, "If-Match", `"1"`).problem(t); p.CurrentRevision != 2 {
		t.Errorf("412 names revision %d", p.CurrentRevision)
	}
	// A GET body can be sent back as it is.
	var raw map[string]any
	e.must(200, "GET", path, e.viewer, nil).json(t, &raw)
	e.must(200, "PUT", path, e.owner, raw, "If-Match", `"2"`)
	// The plan cannot put a module before what it depends on.
	bad := map[string]any{"name": "x", "plan_edits": map[string]any{"phase_of": map[string]string{"audit-trail": "scale"}}}
	p := e.must(422, "PUT", path, e.owner, bad, "If-Match", `"3"`).problem(t)
	if !slices.Contains(p.locations(), "body.plan_edits.phase_of.approval-workflows") {
		t.Errorf("problem %+v", p)
	}
	e.must(422, "PUT", path, e.owner, map[string]any{"name": "x", "decisions": map[string]string{"module:ghost": "accepted"}}, "If-Match", `"3"`)

	// Add an item by hand.
	e.must(200, "POST", path+"/items", e.owner, map[string]string{"ref": "module:crm-connector"}, "If-Match", `"3"`).json(t, &l)
	if m, ok := l.module("crm-connector"); !ok || m.Origin != persona.OriginManual || !slices.Contains(l.Added, "module:crm-connector") {
		t.Fatalf("added module %+v, added %v", m, l.Added)
	}
	e.must(409, "POST", path+"/items", e.owner, map[string]string{"ref": "module:crm-connector"}, "If-Match", `"4"`)
	e.must(422, "POST", path+"/items", e.owner, map[string]string{"ref": "module:ghost"}, "If-Match", `"4"`)

	// Nothing changed yet: the preview says so.
	var regen struct {
		Diff     persona.LaunchpadDiff `json:"diff"`
		Revision int                   `json:"revision"`
	}
	e.must(200, "GET", path+"/regenerate", e.viewer, nil).json(t, &regen)
	if len(regen.Diff.Changes) != 0 || regen.Revision != 4 {
		t.Fatalf("diff before any change: %+v", regen)
	}

	// The bank grows bolder: the approval workflows drop out.
	e.setDimension(bank.ID, "risk_tolerance", 4)
	e.must(200, "GET", path+"/regenerate", e.viewer, nil).json(t, &regen)
	var removed *persona.ItemChange
	for i, c := range regen.Diff.Changes {
		if c.Ref == "module:approval-workflows" {
			removed = &regen.Diff.Changes[i]
		}
	}
	if removed == nil || removed.Change != "removed" || !slices.Contains(removed.Details, "was there: Big Bank’s risk tolerance is 1 — at most 2 calls for approval workflows (four-eyes principle for manual matches and write-offs)") {
		t.Fatalf("diff after the change: %+v", regen.Diff.Changes)
	}
	e.must(403, "POST", path+"/regenerate", e.viewer, nil, "If-Match", `"4"`)
	e.must(428, "POST", path+"/regenerate", e.owner, nil)
	var applied struct {
		Diff     persona.LaunchpadDiff `json:"diff"`
		Revision int                   `json:"revision"`
	}
	res := e.must(200, "POST", path+"/regenerate", e.owner, nil, "If-Match", `"4"`)
	res.json(t, &applied)
	if applied.Revision != 5 || res.Header.Get("ETag") != `"5"` || len(applied.Diff.Changes) != len(regen.Diff.Changes) {
		t.Fatalf("regenerated: %+v", applied)
	}
	l = launchpadDoc{} // decoding into a used map would merge
	e.must(200, "GET", path, e.viewer, nil).json(t, &l)
	if _, ok := l.module("approval-workflows"); ok {
		t.Error("approval workflows survived regeneration")
	}
	if _, ok := l.module("crm-connector"); !ok || l.Decisions["module:mainframe-adapter"] != "rejected" || l.Decisions["module:approval-workflows"] != "" {
		t.Errorf("regeneration must keep additions and decisions that still apply: %+v %v", l.Added, l.Decisions)
	}

	// Revisions and Markdown.
	var revs listJSON[persona.LaunchpadRevision]
	e.must(200, "GET", path+"/revisions", e.viewer, nil).json(t, &revs)
	if len(revs.Items) != 5 || !strings.HasPrefix(revs.Items[0].Message, "Regenerated: ") || revs.Items[4].Message != "Generated" {
		t.Fatalf("revisions %+v", revs.Items)
	}
	var r1 persona.LaunchpadRevision
	e.must(200, "GET", path+"/revisions/1", e.viewer, nil).json(t, &r1)
	if !slices.ContainsFunc(r1.Content.Recommendation.Modules, func(m persona.ModulePick) bool { return m.Key == "approval-workflows" }) {
		t.Error("revision 1 lost its approval workflows")
	}
	md := e.must(200, "GET", path+"/markdown", e.viewer, nil)
	if !strings.HasPrefix(md.Header.Get("Content-Type"), "text/markdown") || !strings.Contains(string(md.Body), "# Big Bank pilot") ||
		!strings.Contains(string(md.Body), "## Rollout plan") || !strings.Contains(string(md.Body), "- [ ] Frankfurt team signs off") {
		t.Fatalf("markdown: %s", md.Body)
	}

	// Outsiders see nothing; editors delete.
	e.must(404, "GET", "/api/v1/orgs/"+e.otherOr+"/launchpads/"+l.ID, e.other, nil)
	e.must(403, "DELETE", path, e.viewer, nil)
	e.must(204, "DELETE", path, e.owner, nil)
	e.must(404, "GET", path, e.owner, nil)
}

func TestCatalogueAPI(t *testing.T) {
	e := newEnv(t)
	editorUser, err := e.svc.CreateUser(context.Background(), "editor@example.com", "Eddie Editor", "editor-password-1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.AddMember(context.Background(), app.System, e.org, editorUser.Email, persona.RoleEditor); err != nil {
		t.Fatal(err)
	}
	editor := e.tokenFor(editorUser)

	var c persona.Catalogue
	r := e.must(200, "GET", e.api("/catalogue"), e.viewer, nil)
	r.json(t, &c)
	if c.Revision != 1 || r.Header.Get("ETag") != `"1"` || len(c.Modules) < 10 || len(c.Packs) < 3 || len(c.Dashboards) < 5 {
		t.Fatalf("demo catalogue: rev %d, %d modules, %d packs, %d dashboards", c.Revision, len(c.Modules), len(c.Packs), len(c.Dashboards))
	}
	var fields app.CatalogueFields
	e.must(200, "GET", e.api("/catalogue/fields"), e.viewer, nil).json(t, &fields)
	if !slices.ContainsFunc(fields.Archetype, func(f app.FieldOption) bool { return f.Path == "dimensions.risk_tolerance" && f.Numeric }) ||
		!slices.ContainsFunc(fields.Roles, func(f app.FieldOption) bool { return f.Path == "dimensions.oversight_intensity" }) {
		t.Errorf("fields %+v", fields)
	}

	// Export as YAML and JSON; import the YAML back unchanged.
	y := e.must(200, "GET", e.api("/catalogue/export"), e.viewer, nil)
	if !strings.HasPrefix(y.Header.Get("Content-Type"), "application/yaml") || !strings.Contains(string(y.Body), "format: personapal.catalogue/v1") ||
		!strings.Contains(string(y.Body), "- key: approval-workflows") || strings.Contains(string(y.Body), "revision") {
		t.Fatalf("yaml export:\n%s", y.Body)
	}
	j := e.must(200, "GET", e.api("/catalogue/export?format=json"), e.viewer, nil)
	if !strings.HasPrefix(j.Header.Get("Content-Type"), "application/json") || !strings.Contains(string(j.Body), `"key": "approval-workflows"`) {
		t.Fatalf("json export: %s", j.Body)
	}
	e.must(428, "POST", e.api("/catalogue/import"), e.owner, string(y.Body))
	e.must(412, "POST", e.api("/catalogue/import"), e.owner, string(y.Body), "If-Match", `"0"`)
	e.must(403, "POST", e.api("/catalogue/import"), editor, string(y.Body), "If-Match", `"1"`)
	var back persona.Catalogue
	e.must(200, "POST", e.api("/catalogue/import"), e.owner, string(y.Body), "If-Match", `"1"`, "Content-Type", "application/yaml").json(t, &back)
	if back.Revision != 2 {
		t.Fatalf("revision after import %d", back.Revision)
	}
	back.Revision, back.UpdatedAt, back.UpdatedBy = c.Revision, c.UpdatedAt, c.UpdatedBy
	if fmt.Sprint(back) != fmt.Sprint(c) {
		t.Errorf("YAML round trip changed the catalogue:\n%+v\n%+v", back, c)
	}
	e.must(200, "POST", e.api("/catalogue/import?format=json"), e.owner, string(j.Body), "If-Match", "*")

	// Bad documents and bad rules are refused with their place.
	for _, tc := range []struct {
		doc, where, wants string
	}{
		{"modules: [unclosed", "body.document", "not valid YAML"},
		{"modules:\n  - key: x\n    name: X\n    dependson: [y]\n", "body.document", "unknown property"},
		{"modules:\n  - key: x\n    name: X\n    rules:\n      - conditions:\n          - {field: dimensions.risk_tolerance, op: below, value: 2}\n",
			"body.modules[0].rules[0].conditions[0].op", "must be one of"},
		{"modules:\n  - key: x\n    name: X\n    rules:\n      - conditions:\n          - {field: dimensions.risk_tolerence, op: lte, value: 2}\n",
			"body.modules[0].rules[0].conditions[0].field", "not a field or dimension"},
		{"modules:\n  - {key: a, name: A, depends_on: [b]}\n  - {key: b, name: B, depends_on: [a]}\n", "body.modules", "cycle: a → b → a"},
	} {
		p := e.must(422, "POST", e.api("/catalogue/import"), e.owner, tc.doc, "If-Match", "*").problem(t)
		found := false
		for _, er := range p.Errors {
			if er.Location == tc.where && strings.Contains(er.Message, tc.wants) {
				found = true
			}
		}
		if !found {
			t.Errorf("import %q: want %s …%s…, got %+v", tc.doc, tc.where, tc.wants, p.Errors)
		}
	}

	// Item by item.
	mod := map[string]any{"key": "crm-sync", "name": "CRM sync", "effort_days": 2, "depends_on": []string{"crm-connector"},
		"rules": []any{map[string]any{"conditions": []any{map[string]any{"field": "values.systems", "op": "contains", "value": "hubspot"}}}}}
	e.must(403, "POST", e.api("/catalogue/modules"), editor, mod)
	e.must(201, "POST", e.api("/catalogue/modules"), e.owner, mod).json(t, &c)
	if _, ok := c.Module("crm-sync"); !ok {
		t.Fatal("module not added")
	}
	p := e.must(422, "POST", e.api("/catalogue/modules"), e.owner, mod).problem(t)
	if !slices.Contains(p.locations(), "body.key") {
		t.Errorf("duplicate key: %+v", p)
	}
	// Renaming a module renames its references.
	ren := map[string]any{"key": "crm-link", "name": "CRM connector", "effort_days": 5, "depends_on": []string{"core-matching"}}
	e.must(200, "PUT", e.api("/catalogue/modules/crm-connector"), e.owner, ren).json(t, &c)
	if m, _ := c.Module("crm-sync"); !slices.Equal(m.DependsOn, []string{"crm-link"}) {
		t.Errorf("reference not renamed: %+v", m)
	}
	e.must(412, "PUT", e.api("/catalogue/modules/crm-link"), e.owner, ren, "If-Match", `"1"`)
	e.must(409, "DELETE", e.api("/catalogue/modules/crm-link"), e.owner, nil)
	e.must(200, "DELETE", e.api("/catalogue/modules/crm-sync"), e.owner, nil)
	e.must(404, "DELETE", e.api("/catalogue/modules/crm-sync"), e.owner, nil)
	pack := map[string]any{"key": "fx-pack", "name": "FX rules", "modules": []string{"nope"}}
	p = e.must(422, "POST", e.api("/catalogue/packs"), e.owner, pack).problem(t)
	if !slices.Contains(p.locations(), "body.packs[4].modules[0]") {
		t.Errorf("pack problem %+v", p)
	}
	dash := map[string]any{"key": "fx-desk", "name": "FX desk", "widgets": []string{"Open FX breaks"}, "roles": []string{"Payments Operations Specialist"}}
	e.must(201, "POST", e.api("/catalogue/dashboards"), e.owner, dash).json(t, &c)
	dash["widgets"] = []string{}
	e.must(422, "PUT", e.api("/catalogue/dashboards/fx-desk"), e.owner, dash)
	e.must(200, "DELETE", e.api("/catalogue/dashboards/fx-desk"), e.owner, nil)

	// Whole-catalogue replace needs If-Match; the other organisation's
	// catalogue is its own.
	e.must(428, "PUT", e.api("/catalogue"), e.owner, c)
	var other persona.Catalogue
	e.must(200, "GET", "/api/v1/orgs/"+e.otherOr+"/catalogue", e.other, nil).json(t, &other)
	if other.Revision != 0 || !other.Empty() {
		t.Errorf("the other organisation sees a catalogue: %+v", other)
	}
	e.must(200, "PUT", "/api/v1/orgs/"+e.otherOr+"/catalogue", e.other, map[string]any{"modules": []any{map[string]any{"key": "x", "name": "X"}}}, "If-Match", `"0"`)
	e.must(404, "GET", e.api("/catalogue"), e.other, nil)
}
