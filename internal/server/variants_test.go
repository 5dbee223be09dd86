package server_test

import (
	"net/http"
	"slices"
	"testing"
)

type variantJSON struct {
	ID            string            `json:"id"`
	PersonaID     string            `json:"persona_id"`
	CustomerID    string            `json:"customer_id"`
	CustomerLabel string            `json:"customer_label"`
	CustomerName  string            `json:"customer_name"`
	Note          string            `json:"note"`
	Values        map[string]any    `json:"values"`
	Dimensions    map[string]any    `json:"dimensions"`
	FieldNotes    map[string]string `json:"field_notes"`
	Revision      int               `json:"revision"`
	BaseChanged   []string          `json:"base_changed"`
	Effective     struct {
		Values     map[string]any `json:"values"`
		Dimensions map[string]any `json:"dimensions"`
	} `json:"effective"`
}

// demoByName finds a demo persona by name through the API.
func (e *env) demoByName(name string) personaJSON {
	e.t.Helper()
	var list listJSON[personaJSON]
	e.must(200, "GET", e.api("/personas?limit=200"), e.owner, nil).json(e.t, &list)
	for _, p := range list.Items {
		if p.Name == name {
			return p
		}
	}
	e.t.Fatalf("no demo persona %q", name)
	return personaJSON{}
}

func TestBigBankVariantOfTheSystemLead(t *testing.T) {
	e := newEnv(t)
	lead := e.demoByName("System Lead")
	bank := e.demoByName("Big Bank")
	base := "/personas/" + lead.ID
	var before, bankBefore listJSON[variantJSON]
	e.must(200, "GET", e.api(base+"/variants"), e.owner, nil).json(t, &before)
	e.must(200, "GET", e.api("/variants?customer="+bank.ID), e.owner, nil).json(t, &bankBefore)
	if len(before.Items) != 2 || len(bankBefore.Items) != 1 {
		t.Fatalf("demo variants of the System Lead: %d, for Big Bank: %d", len(before.Items), len(bankBefore.Items))
	}

	// Overrides of a field and a dimension, with notes.
	var v variantJSON
	r := e.must(201, "POST", e.api(base+"/variants"), e.owner, map[string]any{
		"customer_id": bank.ID, "note": "At a big bank every change goes through the change advisory board.",
		"values":      map[string]any{"decision_authority": "Recommends"},
		"dimensions":  map[string]any{"risk_tolerance": 1},
		"field_notes": map[string]string{"values.decision_authority": "Production changes need CAB approval"},
	})
	r.json(t, &v)
	if r.Header.Get("ETag") != `"1"` || v.CustomerName != "Big Bank" || v.Revision != 1 {
		t.Fatalf("created: %+v etag %s", v, r.Header.Get("ETag"))
	}
	// The effective view: overrides applied, everything else from the base.
	if v.Effective.Values["decision_authority"] != "Recommends" || v.Effective.Dimensions["risk_tolerance"] != 1.0 ||
		v.Effective.Values["role_title"] != lead.Values["role_title"] || len(v.BaseChanged) != 0 {
		t.Fatalf("effective: %+v", v.Effective)
	}
	if len(v.Values) != 1 || len(v.Dimensions) != 1 {
		t.Fatalf("a variant stores only its overrides: %+v %+v", v.Values, v.Dimensions)
	}

	// The base changes the overridden field and a followed one.
	lead.Values["decision_authority"] = "Decides alone"
	lead.Values["role_title"] = "Head of Reconciliation"
	e.must(200, "PUT", e.api(base), e.owner, lead, "If-Match", `"2"`)
	e.must(200, "GET", e.api("/variants/"+v.ID), e.owner, nil).json(t, &v)
	if !slices.Equal(v.BaseChanged, []string{"values.decision_authority"}) || v.Effective.Values["role_title"] != "Head of Reconciliation" {
		t.Fatalf("after base edit: changed %v, role %v", v.BaseChanged, v.Effective.Values["role_title"])
	}
	// Saving without confirming keeps the flag; confirming clears it.
	body := map[string]any{"customer_id": bank.ID, "note": v.Note, "values": v.Values, "dimensions": v.Dimensions, "field_notes": v.FieldNotes}
	e.must(200, "PUT", e.api("/variants/"+v.ID), e.owner, body, "If-Match", `"1"`).json(t, &v)
	if len(v.BaseChanged) != 1 || v.Revision != 2 {
		t.Fatalf("unconfirmed save: %+v", v)
	}
	// A stale If-Match is refused and names the current revision.
	res := e.must(412, "PUT", e.api("/variants/"+v.ID), e.owner, body, "If-Match", `"1"`)
	if p := res.problem(t); p.CurrentRevision != 2 {
		t.Fatalf("412 names revision %d", p.CurrentRevision)
	}
	e.must(428, "PUT", e.api("/variants/"+v.ID), e.owner, body)
	body["confirm"] = []string{"values.decision_authority"}
	e.must(200, "PUT", e.api("/variants/"+v.ID), e.owner, body, "If-Match", `"2"`).json(t, &v)
	if len(v.BaseChanged) != 0 {
		t.Fatalf("confirmed override still flagged: %v", v.BaseChanged)
	}

	// A second variant, by label; the customer page lists the bank's variant.
	e.must(201, "POST", e.api(base+"/variants"), e.owner, map[string]any{
		"customer_label": "FinTech start-up", "values": map[string]any{"team_size": 2}})
	var list listJSON[variantJSON]
	e.must(200, "GET", e.api(base+"/variants"), e.viewer, nil).json(t, &list)
	if len(list.Items) != len(before.Items)+2 {
		t.Fatalf("variants of the lead: %d", len(list.Items))
	}
	e.must(200, "GET", e.api("/variants?customer="+bank.ID), e.viewer, nil).json(t, &list)
	if len(list.Items) != 2 || list.Items[1].ID != v.ID {
		t.Fatalf("big bank variants: %+v", list.Items)
	}
	var revs listJSON[struct {
		Revision int `json:"revision"`
	}]
	e.must(200, "GET", e.api("/variants/"+v.ID+"/revisions"), e.viewer, nil).json(t, &revs)
	if len(revs.Items) != 3 {
		t.Fatalf("revisions: %d", len(revs.Items))
	}

	// Trashing the persona takes its variants along; restoring brings them back.
	e.must(204, "DELETE", e.api(base), e.owner, nil)
	e.must(404, "GET", e.api("/variants/"+v.ID), e.owner, nil)
	e.must(200, "GET", e.api("/variants?customer="+bank.ID), e.owner, nil).json(t, &list)
	if len(list.Items) != 0 {
		t.Fatal("a trashed persona's variants are still listed for the customer")
	}
	e.must(200, "POST", e.api(base+"/restore"), e.owner, nil)
	e.must(200, "GET", e.api("/variants/"+v.ID), e.owner, nil)

	// A variant's own trash.
	e.must(204, "DELETE", e.api("/variants/"+v.ID), e.owner, nil)
	e.must(404, "GET", e.api("/variants/"+v.ID), e.owner, nil)
	e.must(403, "DELETE", e.api("/trash/variants/"+v.ID), e.viewer, nil)
	e.must(200, "POST", e.api("/variants/"+v.ID+"/restore"), e.owner, nil)
}

func TestInvalidVariantsAreRefusedWithEveryField(t *testing.T) {
	e := newEnv(t)
	lead := e.demoByName("System Lead")
	analyst := e.demoByName("Compliance Analyst")
	r := e.must(422, "POST", e.api("/personas/"+lead.ID+"/variants"), e.owner, map[string]any{
		"customer_id": analyst.ID,
		"values":      map[string]any{"no_such_field": "x", "team_size": "many"},
		"dimensions":  map[string]any{"risk_tolerance": 99},
		"field_notes": map[string]string{"values.role_title": "not overridden"},
	})
	locs := r.problem(t).locations()
	for _, want := range []string{"body.customer_id", "body.values.no_such_field", "body.values.team_size", "body.dimensions.risk_tolerance", "body.field_notes.values.role_title"} {
		if !slices.Contains(locs, want) {
			t.Errorf("errors lack %s: %v", want, locs)
		}
	}
	e.must(422, "POST", e.api("/personas/"+lead.ID+"/variants"), e.owner, map[string]any{"note": "no customer"})
	var list listJSON[variantJSON]
	e.must(200, "GET", e.api("/personas/"+lead.ID+"/variants"), e.owner, nil).json(t, &list)
	if len(list.Items) != 2 { // the demo's two
		t.Fatalf("refused variants were stored: %d", len(list.Items))
	}
	e.must(http.StatusNotFound, "POST", e.api("/personas/"+lead.ID+"/variants"), e.other, map[string]any{"customer_label": "x"})
}
