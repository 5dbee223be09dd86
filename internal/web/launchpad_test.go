package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// element returns the HTML of the element with the id, from its opening
// tag to the matching closing tag of the same name (good enough for the
// non-nested li, article and tr elements the tests look at).
func element(t *testing.T, body, id string) string {
	t.Helper()
	i := strings.Index(body, `id="`+id+`"`)
	if i < 0 {
		t.Fatalf("no element #%s in the page", id)
	}
	start := strings.LastIndex(body[:i], "<")
	name := body[start+1:]
	name = name[:strings.IndexAny(name, " >")]
	open, closing := "<"+name, "</"+name+">"
	depth := 0
	for j := start; j < len(body); {
		switch {
		case strings.HasPrefix(body[j:], closing):
			depth--
			j += len(closing)
			if depth == 0 {
				return body[start:j]
			}
		case strings.HasPrefix(body[j:], open) && len(body) > j+len(open) && strings.ContainsRune(" >", rune(body[j+len(open)])):
			depth++
			j += len(open)
		default:
			j++
		}
	}
	t.Fatalf("element #%s is not closed", id)
	return ""
}

var checkedBox = regexp.MustCompile(`<input type="checkbox" id="[^"]+" name="(variant|role)" value="([^"]+)" checked>`)

// checkedRoles is what a browser sends for the ticked role checkboxes.
func checkedRoles(body string) url.Values {
	v := url.Values{}
	for _, m := range checkedBox.FindAllStringSubmatch(body, -1) {
		v.Add(m[1], m[2])
	}
	return v
}

var hiddenInput = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)

// formFields returns the hidden fields of the form with the id.
func formFields(t *testing.T, body, id string) url.Values {
	t.Helper()
	form := element(t, body, id)
	v := url.Values{}
	for _, m := range hiddenInput.FindAllStringSubmatch(form, -1) {
		v.Add(m[1], m[2])
	}
	return v
}

// setDimension changes a persona's dimension through the application
// layer, as an edit in another tab would.
func (e *webEnv) setDimension(p persona.Persona, key string, value float64) {
	e.t.Helper()
	dims := persona.Values{}
	for k, v := range p.Dimensions {
		dims[k] = v
	}
	dims[key] = value
	_, err := e.svc.UpdatePersona(context.Background(), e.actor(e.owner), e.org, p.ID, p.Revision, app.PersonaInput{
		Name: p.Name, Summary: p.Summary, GroupID: p.GroupID, Status: p.Status, OwnerID: p.OwnerID, Values: p.Values,
		Dimensions: dims, LastReviewedOn: p.LastReviewedOn, ReviewIntervalDays: p.ReviewIntervalDays, Message: "bolder"})
	if err != nil {
		e.t.Fatal(err)
	}
}

func TestLaunchpadSolutionDesignerForBigBank(t *testing.T) {
	e := newWebEnv(t)
	b := e.signedIn(e.owner)
	org := "/o/" + e.org
	bank := e.demoPersona("Big Bank")
	lead := e.demoPersona("System Lead")

	list := b.get(org+"/launchpads").must(t, http.StatusOK)
	if !strings.Contains(list.Body, "Big Bank — tier-1 rollout") || !strings.Contains(list.Body, `id="open-designer"`) {
		t.Fatal("Launchpads page lacks the demo Launchpad or the designer link")
	}
	start := b.get(org+"/launchpads/new").must(t, http.StatusOK)
	if !strings.Contains(start.Body, `<option value="`+bank.ID+`">Big Bank</option>`) {
		t.Fatal("the designer does not offer Big Bank")
	}

	// Choose Big Bank: the System Lead's Big Bank variant is a default role.
	chosen := b.get(org+"/launchpads/new?archetype="+bank.ID).must(t, http.StatusOK)
	form := checkedRoles(chosen.Body)
	if len(form["variant"]) != 1 || len(form["role"]) < 2 || !strings.Contains(element(t, chosen.Body, "roles"), "System Lead <small class=\"muted\">Big Bank variant</small>") {
		t.Fatalf("default roles: %v", form)
	}
	if strings.Contains(chosen.Body, `id="recommendation"`) {
		t.Fatal("generated before the button was pressed")
	}
	// Each role is offered once: the System Lead as it works at Big Bank
	// (its variant), not a second time as the base persona.
	if n := strings.Count(element(t, chosen.Body, "roles"), "> System Lead <"); n != 1 {
		t.Fatalf("System Lead offered %d times as a role:\n%s", n, element(t, chosen.Body, "roles"))
	}
	if strings.Contains(chosen.Body, `id="role-`+lead.ID+`"`) {
		t.Fatal("the System Lead's base persona is offered beside its Big Bank variant")
	}

	// Generate.
	form.Set("archetype", bank.ID)
	form.Set("generate", "1")
	gen := b.get(org+"/launchpads/new?"+form.Encode()).must(t, http.StatusOK)
	approval := element(t, gen.Body, "module-approval-workflows")
	if !strings.Contains(approval, "Big Bank’s risk tolerance is 1 — at most 2 calls for approval workflows (four-eyes principle for manual matches and write-offs)") {
		t.Fatalf("approval workflows without its reason:\n%s", approval)
	}
	cockpit := element(t, gen.Body, "dashboard-controls-cockpit-"+lead.ID)
	if !strings.Contains(cockpit, `data-role="System Lead (Big Bank variant)"`) || !strings.Contains(cockpit, "System Lead’s risk tolerance is 1 — at most 2 calls for controls cockpit") {
		t.Fatalf("System Lead's dashboard:\n%s", cockpit)
	}
	for _, ph := range []string{"foundation", "pilot", "scale"} {
		if !strings.Contains(gen.Body, `id="phase-`+ph+`"`) {
			t.Fatalf("plan lacks the %s phase", ph)
		}
	}
	if !strings.Contains(element(t, gen.Body, "phase-foundation"), "Core matching engine") || !strings.Contains(element(t, gen.Body, "phase-pilot"), "Approval workflows") {
		t.Fatal("modules not in their phases")
	}
	if !strings.Contains(element(t, gen.Body, "skipped-crm-connector"), "Big Bank’s core systems do not include Salesforce") {
		t.Fatal("a skipped module does not say why")
	}

	// Save.
	save := formFields(t, gen.Body, "save-form")
	save.Set("name", "Big Bank web pilot")
	saved := b.post(org+"/launchpads", save).must(t, http.StatusOK)
	if !strings.Contains(saved.Body, "Launchpad saved.") || !strings.Contains(saved.Body, `<h1 id="launchpad-title">Big Bank web pilot</h1>`) {
		t.Fatalf("after saving: %s\n%s", saved.URL, saved.Body)
	}
	path := saved.URL
	if !strings.Contains(element(t, saved.Body, "module-approval-workflows"), "Big Bank’s risk tolerance is 1 — at most 2 calls for approval workflows") {
		t.Fatal("the saved Launchpad lost the reason")
	}

	// Reject a module, add one by hand.
	if !strings.Contains(element(t, saved.Body, "module-mainframe-adapter"), `id="reject-module-mainframe-adapter"`) {
		t.Fatal("no reject button")
	}
	rev := func(body string) string {
		m := regexp.MustCompile(`<span id="launchpad-revision">(\d+)</span>`).FindStringSubmatch(body)
		if m == nil {
			t.Fatal("no revision on the page")
		}
		return m[1]
	}
	p := b.post(path+"/decide", url.Values{"ref": {"module:mainframe-adapter"}, "decision": {"rejected"}, "revision": {rev(saved.Body)}}).must(t, http.StatusOK)
	if !strings.Contains(p.Body, "Rejected Mainframe feed adapter.") || !strings.Contains(element(t, p.Body, "module-mainframe-adapter"), `data-decision="rejected"`) {
		t.Fatal("reject not shown")
	}
	if !strings.Contains(element(t, p.Body, "unscheduled"), "Mainframe feed adapter") {
		t.Fatal("a rejected module is still planned")
	}
	// A stale form is refused politely.
	stale := b.post(path+"/decide", url.Values{"ref": {"module:audit-trail"}, "decision": {"accepted"}, "revision": {"1"}}).must(t, http.StatusOK)
	if !strings.Contains(stale.Body, "Someone changed this Launchpad meanwhile") {
		t.Fatal("stale decision not explained")
	}
	p = b.post(path+"/items", url.Values{"ref": {"module:crm-connector"}, "revision": {rev(p.Body)}}).must(t, http.StatusOK)
	if !strings.Contains(element(t, p.Body, "module-crm-connector"), "added by hand") {
		t.Fatal("added module not shown")
	}

	// Edit the plan: a move before a dependency is refused in place.
	plan := url.Values{"revision": {rev(p.Body)}, "phase_of.audit-trail": {"scale"}}
	bad := b.post(path+"/plan", plan).must(t, http.StatusUnprocessableEntity)
	if !strings.Contains(element(t, bad.Body, "phase-of-approval-workflows-err"), "depends on Audit trail and evidence export") {
		t.Fatalf("plan error not in place:\n%s", bad.Body)
	}
	plan = url.Values{"revision": {rev(p.Body)}, "phase_of.ai-assistant": {"scale"}, "exit.pilot": {"Frankfurt signs off\nNo open P1 issues"}}
	p = b.post(path+"/plan", plan).must(t, http.StatusOK)
	if !strings.Contains(p.Body, "Plan saved.") || !strings.Contains(element(t, p.Body, "phase-pilot"), "Frankfurt signs off") {
		t.Fatal("plan edit not shown")
	}

	// The bank grows bolder; regenerating shows the diff.
	e.setDimension(bank, "risk_tolerance", 4)
	preview := b.get(path+"/regenerate").must(t, http.StatusOK)
	row := element(t, preview.Body, "change-module-approval-workflows")
	if !strings.Contains(row, `data-change="removed"`) || !strings.Contains(row, "Big Bank’s risk tolerance is 1 — at most 2 calls for approval workflows") {
		t.Fatalf("diff row:\n%s", row)
	}
	if !strings.Contains(element(t, preview.Body, "change-dashboard-controls-cockpit-"+lead.ID), `data-change="removed"`) {
		t.Fatal("the System Lead's dashboard change is not in the diff")
	}
	apply := formFields(t, preview.Body, "apply-regeneration")
	after := b.post(path+"/regenerate", apply).must(t, http.StatusOK)
	if !strings.Contains(after.Body, "Regenerated: ") || strings.Contains(after.Body, `id="module-approval-workflows"`) {
		t.Fatal("regeneration not applied")
	}
	if !strings.Contains(after.Body, `id="module-crm-connector"`) || !strings.Contains(element(t, after.Body, "module-mainframe-adapter"), `data-decision="rejected"`) {
		t.Fatal("regeneration lost the hand-made changes")
	}
	if !strings.Contains(b.get(path+"/regenerate").Body, `id="no-changes"`) {
		t.Fatal("a second preview still shows changes")
	}

	// Export and print.
	md := b.get(path+"/export.md").must(t, http.StatusOK)
	if !strings.HasPrefix(md.Header.Get("Content-Type"), "text/markdown") || !strings.Contains(md.Body, "# Big Bank web pilot") || !strings.Contains(md.Body, "- [ ] Frankfurt signs off") {
		t.Fatalf("markdown:\n%s", md.Body)
	}
	pr := b.get(path+"/print").must(t, http.StatusOK)
	if !strings.Contains(pr.Body, `id="printable"`) || strings.Contains(pr.Body, `id="plan-form"`) {
		t.Fatal("printable page")
	}

	// A viewer reads but cannot change; an outsider sees nothing.
	v := e.signedIn(e.viewer)
	vp := v.get(path).must(t, http.StatusOK)
	if strings.Contains(vp.Body, `id="plan-form"`) || strings.Contains(vp.Body, `id="reject-module-`) {
		t.Fatal("a viewer is offered edits")
	}
	if !strings.Contains(v.get(org+"/launchpads/new?archetype="+bank.ID).Body, `id="generate-needs-editor"`) {
		t.Fatal("the designer offers a viewer to generate")
	}
	v.post(path+"/decide", url.Values{"ref": {"module:core-matching"}, "decision": {"rejected"}, "revision": {"9"}}).must(t, http.StatusForbidden)
	e.signedIn(e.outsider).get(path).must(t, http.StatusNotFound)

	// Delete.
	gone := b.post(path+"/delete", url.Values{}).must(t, http.StatusOK)
	if !strings.Contains(gone.Body, "Launchpad deleted.") || strings.Contains(gone.Body, "Big Bank web pilot") {
		t.Fatal("delete")
	}
}

func TestLaunchpadCatalogueEditor(t *testing.T) {
	e := newWebEnv(t)
	org := "/o/" + e.org
	editor := account{"editor@example.com", "editor-password-1"}
	if _, err := e.svc.CreateUser(context.Background(), editor.Email, "Eddie Editor", editor.Password); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.AddMember(context.Background(), app.System, e.org, editor.Email, persona.RoleEditor); err != nil {
		t.Fatal(err)
	}

	// Everyone reads it; only admins get edit links.
	v := e.signedIn(e.viewer).get(org+"/catalogue").must(t, http.StatusOK)
	item := element(t, v.Body, "modules-approval-workflows")
	if !strings.Contains(item, "When the customer’s risk tolerance is at most 2 (counts 2×) — four-eyes principle") || strings.Contains(item, "edit-modules-approval-workflows") {
		t.Fatalf("catalogue item for a viewer:\n%s", item)
	}
	ed := e.signedIn(editor)
	ed.post(org+"/catalogue/modules/new", url.Values{"key": {"x"}, "name": {"X"}, "action": {"save"}}).must(t, http.StatusForbidden)

	b := e.signedIn(e.owner)
	cat := b.get(org+"/catalogue").must(t, http.StatusOK)
	if !strings.Contains(cat.Body, `id="edit-modules-approval-workflows"`) || !strings.Contains(cat.Body, `id="import-form"`) {
		t.Fatal("an admin gets no edit links")
	}
	form := b.get(org+"/catalogue/modules/approval-workflows").must(t, http.StatusOK)
	if !strings.Contains(form.Body, `name="rule.0.cond.0.field" value="dimensions.risk_tolerance"`) || !strings.Contains(form.Body, `<option value="lte" selected>`) {
		t.Fatal("the module form does not show its rule")
	}
	if !strings.Contains(form.Body, `<option value="dimensions.risk_tolerance">`) {
		t.Fatal("the form does not suggest condition fields")
	}

	// A new module with broken rules: errors next to the fields, input kept.
	rev := regexp.MustCompile(`name="revision" value="(\d+)"`).FindStringSubmatch(cat.Body)[1]
	newMod := url.Values{"revision": {rev}, "action": {"save"}, "key": {"fx-matching"}, "name": {"FX matching"}, "effort_days": {"4"},
		"rule.0.match": {"all"}, "rule.0.weight": {""}, "rule.0.note": {""},
		"rule.0.cond.0.field": {"dimensions.risk_tolerence"}, "rule.0.cond.0.op": {"lte"}, "rule.0.cond.0.value": {"2"},
		"rule.0.cond.1.field": {"values.regions"}, "rule.0.cond.1.op": {"gte"}, "rule.0.cond.1.value": {"many"},
		"rule.0.cond.2.field": {""}, "rule.0.cond.2.op": {"equals"}, "rule.0.cond.2.value": {""},
		"rule.1.match": {"any"}, "rule.1.weight": {""}, "rule.1.note": {""},
		"rule.1.cond.0.field": {""}, "rule.1.cond.0.op": {"equals"}, "rule.1.cond.0.value": {""},
		"rule.2.match": {"all"}, "rule.2.weight": {"1"}, "rule.2.note": {""},
		"rule.2.cond.0.field": {"values.regions"}, "rule.2.cond.0.op": {"contains"}, "rule.2.cond.0.value": {"APAC"},
	}
	p := b.post(org+"/catalogue/modules/new", newMod).must(t, http.StatusUnprocessableEntity)
	if !strings.Contains(element(t, p.Body, "rule-0-cond-0-field-err"), "dimensions.risk_tolerence is not a field or dimension of the customer archetype templates") {
		t.Fatalf("field error not in place:\n%s", p.Body)
	}
	if !strings.Contains(element(t, p.Body, "rule-0-cond-1-value-err"), "must be a number") {
		t.Fatal("value error not in place")
	}
	if !strings.Contains(p.Body, `value="dimensions.risk_tolerence"`) || !strings.Contains(p.Body, `value="FX matching"`) {
		t.Fatal("the form lost what was typed")
	}
	if strings.Contains(p.Body, `id="rule-2-cond-0-field-err"`) {
		t.Fatal("a valid rule after a blank one got an error")
	}
	// A weight that is not a number is caught by the form itself.
	w := url.Values{}
	for k, vs := range newMod {
		w[k] = vs
	}
	w.Set("rule.2.weight", "heavy")
	if !strings.Contains(element(t, b.post(org+"/catalogue/modules/new", w).must(t, http.StatusUnprocessableEntity).Body, "rule-2-weight-err"), "must be a number") {
		t.Fatal("weight error not in place")
	}
	// "Add a condition" re-renders without saving.
	w.Set("rule.2.weight", "1")
	w.Set("action", "add-cond.2")
	more := b.post(org+"/catalogue/modules/new", w).must(t, http.StatusOK)
	if !strings.Contains(more.Body, `name="rule.2.cond.2.field"`) || strings.Contains(more.Body, "Saved FX matching") {
		t.Fatal("add condition")
	}

	// Fixed: saved, and it shows in the catalogue.
	newMod.Set("rule.0.cond.0.field", "dimensions.risk_tolerance")
	newMod.Set("rule.0.cond.1.op", "contains")
	newMod.Set("rule.0.cond.1.value", "APAC")
	newMod.Set("modules", "core-matching")
	ok := b.post(org+"/catalogue/modules/new", newMod).must(t, http.StatusOK)
	if !strings.Contains(ok.Body, "Saved FX matching.") || !strings.Contains(element(t, ok.Body, "modules-fx-matching"), "depends on Core matching engine") {
		t.Fatalf("saved module:\n%s", ok.Body)
	}
	c, err := e.svc.Catalogue(context.Background(), e.actor(e.owner), e.org)
	if err != nil {
		t.Fatal(err)
	}
	m, found := c.Module("fx-matching")
	if !found || len(m.Rules) != 2 || m.Rules[0].Conditions[0].Value != 2.0 || m.Rules[1].Conditions[0].Value != "APAC" {
		t.Fatalf("stored module %+v", m)
	}

	// A dashboard with no widgets; a module others need cannot go.
	d := b.post(org+"/catalogue/dashboards/new", url.Values{"revision": {strconv.Itoa(c.Revision)}, "action": {"save"}, "key": {"fx-desk"}, "name": {"FX desk"}, "roles": {"ux"}}).must(t, http.StatusUnprocessableEntity)
	if !strings.Contains(element(t, d.Body, "item-widgets-err"), "at least one widget") {
		t.Fatal("widgets error not in place")
	}
	del := b.post(org+"/catalogue/modules/core-matching/delete", url.Values{"revision": {strconv.Itoa(c.Revision)}}).must(t, http.StatusOK)
	if !strings.Contains(del.Body, "needed by") {
		t.Fatal("deleting a needed module is not explained")
	}
	// A stale edit is refused and says so.
	stale := b.post(org+"/catalogue/modules/fx-matching", url.Values{"revision": {"1"}, "action": {"save"}, "key": {"fx-matching"}, "name": {"FX"}}).must(t, http.StatusConflict)
	if !strings.Contains(stale.Body, "changed meanwhile") {
		t.Fatal("stale edit not explained")
	}

	// Export, and a broken import that replaces nothing.
	y := b.get(org+"/catalogue/export.yaml").must(t, http.StatusOK)
	if !strings.HasPrefix(y.Header.Get("Content-Type"), "application/yaml") || !strings.Contains(y.Body, "key: fx-matching") {
		t.Fatal("yaml export")
	}
	imp := b.post(org+"/catalogue/import", url.Values{"revision": {strconv.Itoa(c.Revision)}, "document": {"modules:\n  - key: a\n    name: A\n    depends_on: [b]\n"}}).must(t, http.StatusUnprocessableEntity)
	if !strings.Contains(element(t, imp.Body, "import-error"), `no module \"b\" in the catalogue`) && !strings.Contains(element(t, imp.Body, "import-error"), "no module &#34;b&#34; in the catalogue") {
		t.Fatalf("import error:\n%s", element(t, imp.Body, "import-error"))
	}
	// Importing the export back works.
	back := b.post(org+"/catalogue/import", url.Values{"revision": {strconv.Itoa(c.Revision)}, "document": {y.Body}}).must(t, http.StatusOK)
	if !strings.Contains(back.Body, "Catalogue imported.") || !strings.Contains(back.Body, `id="modules-fx-matching"`) {
		t.Fatal("import of the export")
	}
}

// From the Launchpads list, one link generates the recommendation for an
// archetype's default roles, with reasons as sentences and no role twice.
func TestLaunchpadGenerateShortcut(t *testing.T) {
	e := newWebEnv(t)
	b := e.signedIn(e.owner)
	org := "/o/" + e.org
	bank := e.demoPersona("Big Bank")

	list := b.get(org+"/launchpads").must(t, http.StatusOK)
	quick := element(t, list.Body, "generate-for")
	href := `href="` + org + `/launchpads/new?archetype=` + bank.ID + `&amp;generate=1&amp;defaults=1#recommendation"`
	if !strings.Contains(quick, href) || !strings.Contains(quick, `data-archetype="Big Bank"`) {
		t.Fatalf("no shortcut for Big Bank:\n%s", quick)
	}
	gen := b.get(org+"/launchpads/new?archetype="+bank.ID+"&generate=1&defaults=1").must(t, http.StatusOK)
	if !strings.Contains(gen.Body, `id="recommendation"`) {
		t.Fatal("the shortcut did not generate")
	}
	erp := element(t, gen.Body, "module-erp-connector")
	if !strings.Contains(erp, "Big Bank’s core systems include SAP, which this module supports") || strings.Contains(erp, "one of") {
		t.Fatalf("ERP connector's reason is not a sentence:\n%s", erp)
	}
	// The save form carries the default roles, each once.
	form := formFields(t, gen.Body, "save-form")
	if len(form["variant"]) != 1 || len(form["role"]) < 2 {
		t.Fatalf("default roles in the save form: %v", form)
	}
	seen := map[string]bool{}
	for _, m := range regexp.MustCompile(`data-role="([^"]+)"`).FindAllStringSubmatch(element(t, gen.Body, "dashboards"), -1) {
		name := strings.TrimSuffix(m[1], " (Big Bank variant)")
		if seen[name] {
			t.Fatalf("role %q has two dashboards", name)
		}
		seen[name] = true
	}
	if !seen["System Lead"] {
		t.Fatalf("no dashboard for the System Lead: %v", seen)
	}
	// Viewers get no shortcut: generating needs the editor role.
	if v := e.signedIn(e.viewer).get(org+"/launchpads").must(t, http.StatusOK); strings.Contains(v.Body, `id="generate-for"`) {
		t.Fatal("a viewer is offered to generate")
	}
}
