package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/app"
)

func TestVariantFromTheFormAndItsBaseChangedFlag(t *testing.T) {
	e := newWebEnv(t)
	b := e.signedIn(e.owner)
	lead := e.demoPersona("System Lead")
	bank := e.demoPersona("Big Bank")
	org := "/o/" + e.org

	form := b.get(org+"/personas/"+lead.ID+"/variants/new?customer="+bank.ID+"&add=decision_authority&add=dimensions.risk_tolerance").must(t, http.StatusOK)
	for _, want := range []string{`id="variant-form"`, `name="o.values.decision_authority"`, `name="o.dimensions.risk_tolerance"`, `value="` + bank.ID + `" selected`} {
		if !strings.Contains(form.Body, want) {
			t.Fatalf("variant form lacks %s", want)
		}
	}
	created := b.post(org+"/personas/"+lead.ID+"/variants", url.Values{
		"customer_id": {bank.ID}, "note": {"Every change goes through the **change board**. <script>alert(1)</script>"},
		"o.values.decision_authority": {"1"}, "v.decision_authority": {"Recommends"}, "n.values.decision_authority": {"CAB approval"},
		"o.dimensions.risk_tolerance": {"1"}, "d.risk_tolerance": {"1"},
		// A changed value without its box ticked is an override too
		// (issue 14 item 13; it used to be dropped).
		"v.role_title": {"Changed without a tick"},
	}).must(t, http.StatusOK)
	if !strings.Contains(created.URL, org+"/variants/") {
		t.Fatalf("after create at %s", created.URL)
	}
	for _, want := range []string{"System Lead", "Big Bank", "<strong>change board</strong>", "overridden", "Base: Decides within limits", "CAB approval"} {
		if !strings.Contains(created.Body, want) {
			t.Errorf("variant page lacks %q", want)
		}
	}
	if strings.Contains(created.Body, "<script>alert(1)</script>") {
		t.Fatal("raw script from the note reached the page")
	}
	vid := created.URL[strings.LastIndex(created.URL, "/")+1:]
	d, err := e.svc.GetVariant(context.Background(), e.actor(e.owner), e.org, vid)
	if err != nil || len(d.Variant.Values) != 2 || d.Variant.Values["role_title"] != "Changed without a tick" || d.Variant.Dimensions["risk_tolerance"] != 1.0 {
		t.Fatalf("stored variant %+v %v", d.Variant, err)
	}

	// The base changes the overridden field: the variant flags it.
	in := app.PersonaInput{Name: lead.Name, Summary: lead.Summary, GroupID: lead.GroupID, Status: lead.Status,
		Values: lead.Values, Dimensions: lead.Dimensions, LastReviewedOn: lead.LastReviewedOn, ReviewIntervalDays: lead.ReviewIntervalDays}
	in.Values["decision_authority"] = "Decides alone"
	if _, err := e.svc.UpdatePersona(context.Background(), e.actor(e.owner), e.org, lead.ID, lead.Revision, in); err != nil {
		t.Fatal(err)
	}
	page := b.get(org+"/variants/"+vid).must(t, http.StatusOK)
	if !strings.Contains(page.Body, `id="base-changed"`) || !strings.Contains(page.Body, `data-stale="values.decision_authority"`) {
		t.Fatal("base change not flagged on the variant page")
	}
	personaPage := b.get(org+"/personas/"+lead.ID).must(t, http.StatusOK)
	if !strings.Contains(personaPage.Body, "base changed since override") || !strings.Contains(personaPage.Body, "/variants/"+vid) {
		t.Fatal("persona page does not list the flagged variant")
	}
	// Keep the override: the flag goes, the override stays.
	b.post(org+"/variants/"+vid, url.Values{"action": {"confirm"}, "path": {"values.decision_authority"}, "revision": {"1"}}).must(t, http.StatusOK)
	d, _ = e.svc.GetVariant(context.Background(), e.actor(e.owner), e.org, vid)
	if len(d.BaseChanged) != 0 || d.Variant.Values["decision_authority"] != "Recommends" || d.Variant.Revision != 2 {
		t.Fatalf("after keeping: %+v %v", d.Variant, d.BaseChanged)
	}
	// Comparing base and variants; everyone at Big Bank.
	cmp := b.get(org+"/personas/"+lead.ID+"/variants/compare").must(t, http.StatusOK)
	if !strings.Contains(cmp.Body, `id="variant-compare"`) || !strings.Contains(cmp.Body, `class="overridden"`) || !strings.Contains(cmp.Body, "Recommends") {
		t.Fatal("base/variant comparison lacks the override")
	}
	cust := b.get(org+"/customers/"+bank.ID).must(t, http.StatusOK)
	if !strings.Contains(cust.Body, "Everyone at Big Bank") || !strings.Contains(cust.Body, "/variants/"+vid) {
		t.Fatal("customer page lacks the variant")
	}
	// Drop it: the variant follows the base again.
	b.post(org+"/variants/"+vid, url.Values{"action": {"drop"}, "path": {"dimensions.risk_tolerance"}, "revision": {strconv.Itoa(d.Variant.Revision)}}).must(t, http.StatusOK)
	d, _ = e.svc.GetVariant(context.Background(), e.actor(e.owner), e.org, vid)
	if _, still := d.Variant.Dimensions["risk_tolerance"]; still {
		t.Fatal("dropped override still there")
	}
}

func TestVariantFormErrorsAndRoles(t *testing.T) {
	e := newWebEnv(t)
	lead := e.demoPersona("System Lead")
	analyst := e.demoPersona("Compliance Analyst")
	org := "/o/" + e.org
	b := e.signedIn(e.owner)
	before, _ := e.svc.ListVariants(context.Background(), e.actor(e.owner), e.org, lead.ID)
	r := b.post(org+"/personas/"+lead.ID+"/variants", url.Values{"customer_id": {analyst.ID}, "o.dimensions.risk_tolerance": {"1"}, "d.risk_tolerance": {"9"}})
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "must be a customer archetype persona") || !strings.Contains(r.Body, `id="form-errors"`) {
		t.Fatalf("invalid variant: %d", r.Status)
	}
	if ds, _ := e.svc.ListVariants(context.Background(), e.actor(e.owner), e.org, lead.ID); len(ds) != len(before) {
		t.Fatal("invalid variant stored")
	}
	viewer := e.signedIn(e.viewer)
	viewer.get(org+"/personas/"+lead.ID+"/variants/new").must(t, http.StatusForbidden)
	viewer.post(org+"/personas/"+lead.ID+"/variants", url.Values{"customer_label": {"x"}}).must(t, http.StatusForbidden)
	outsider := e.signedIn(e.outsider)
	outsider.get(org+"/personas/"+lead.ID+"/variants/compare").must(t, http.StatusNotFound)
}

// TestVariantComparisonMarksOverridesAndRendersValues: each override is
// marked as such, a value taken from the base reads "same as base" instead
// of repeating it, lists are lists (not comma-joined) and Markdown is
// rendered, as on the persona page.
func TestVariantComparisonMarksOverridesAndRendersValues(t *testing.T) {
	e := newWebEnv(t)
	lead := e.demoPersona("System Lead")
	p := e.signedIn(e.viewer).get("/o/"+e.org+"/personas/"+lead.ID+"/variants/compare").must(t, http.StatusOK)
	table := between(p.Body, `<table class="vcompare" id="variant-compare">`, "</table>")
	tools := between(table, `data-path="values.tools"`, "</tr>")
	if strings.Count(tools, `<td class="overridden"><span class="override-mark">Override</span>`) != 2 {
		t.Errorf("both variants' tools are not marked as overrides:\n%s", tools)
	}
	if !strings.Contains(tools, "<li>servicenow</li>") || strings.Contains(tools, "servicenow, archer") {
		t.Errorf("the tools list is not rendered as a list:\n%s", tools)
	}
	team := between(table, `data-path="values.team_size"`, "</tr>")
	if strings.Count(team, `<td class="inherited"><span class="same-as-base">same as base</span></td>`) != 1 ||
		strings.Count(team, `class="overridden"`) != 1 {
		t.Errorf("team size: want one override (FinTech) and one value from the base (Big Bank):\n%s", team)
	}
	risk := between(table, `data-path="dimensions.risk_tolerance"`, "</tr>")
	if !strings.Contains(risk, `class="scale"`) {
		t.Errorf("a dimension is not drawn as a scale:\n%s", risk)
	}
	var md int
	for _, row := range strings.Split(table, "<tr ")[1:] {
		if strings.Contains(row, `<div class="md">`) {
			md++
		}
		if strings.Contains(row, "**") {
			t.Errorf("raw Markdown in the comparison:\n%s", row)
		}
	}
	if md == 0 {
		t.Error("no Markdown value is rendered as Markdown")
	}
}
