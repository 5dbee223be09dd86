package web_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// refPersonas makes a template with a "Supervised by" field (one UX
// persona) and a "Works with" field (many, any type), an agent on it, and
// returns the agent and the demo's System Lead (a UX persona).
func (e *webEnv) refPersonas() (persona.Persona, persona.Persona) {
	e.t.Helper()
	ctx := context.Background()
	owner := e.actor(e.owner)
	def := persona.Definition{Sections: []persona.Section{{Key: "oversight", Label: "Oversight", Fields: []persona.Field{
		{Key: "role_title", Label: "Role", Kind: persona.KindText},
		{Key: "supervised_by", Label: "Supervised by", Kind: persona.KindPersona, ProfileTypes: []persona.ProfileType{persona.ProfileUX}},
		{Key: "works_with", Label: "Works with", Kind: persona.KindPersona, Multiple: true},
	}}}}
	tm, err := e.svc.CreateTemplate(ctx, owner, e.org, app.TemplateInput{Name: "Agents with refs", ProfileType: persona.ProfileAgent, Definition: &def})
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.svc.Publish(ctx, owner, e.org, tm.ID); err != nil {
		e.t.Fatal(err)
	}
	p, err := e.svc.CreatePersona(ctx, owner, e.org, app.PersonaInput{Name: "Rex Router", TemplateID: tm.ID, GroupID: e.demoGroups()[0],
		Status: persona.StatusDraft, Values: persona.Values{"role_title": "Router"}})
	if err != nil {
		e.t.Fatal(err)
	}
	return p, e.demoPersona("System Lead")
}

// An editor chooses the supervisor in the edit form (a select of UX
// personas only; "Works with" offers every type as checkboxes): the agent's
// page links the target, the target's page lists the agent under
// "Referenced by", the relation map draws and lists it; a trashed target
// reads "(in trash)" on the agent's page and stays chosen in the form; a
// persona of another type posted anyway is refused naming the field, with
// what was typed kept.
func TestPersonaReferencePages(t *testing.T) {
	e := newWebEnv(t)
	ctx := context.Background()
	agent, lead := e.refPersonas()
	bank := e.demoPersona("Big Bank")
	owner := e.signedIn(e.owner)
	base := "/o/" + e.org + "/personas/" + agent.ID

	edit := owner.get(base+"/edit").must(t, http.StatusOK)
	sel := between(edit.Body, `<select id="v-supervised_by"`, `</select>`)
	if !strings.Contains(sel, `value="`+lead.ID+`"`) || strings.Contains(sel, bank.ID) || strings.Contains(sel, agent.ID) {
		t.Fatalf("the supervisor select offers the wrong personas:\n%s", sel)
	}
	if !strings.Contains(edit.Body, `name="v.works_with" value="`+bank.ID+`"`) {
		t.Fatal("the works-with checkboxes do not offer the archetype")
	}

	// A persona of the wrong type is refused, the typed values kept.
	vals := e.editForm(agent)
	vals.Set("v.supervised_by", bank.ID)
	vals.Set("v.role_title", "Typed router")
	bad := owner.post(base, vals).must(t, http.StatusUnprocessableEntity)
	if !strings.Contains(bad.Body, "this field takes a UX persona") || !strings.Contains(bad.Body, `value="Typed router"`) {
		t.Fatalf("the refusal does not name the field or lost the typed value:\n%s", between(bad.Body, `id="field-v-supervised_by"`, `</div>`))
	}

	vals = e.editForm(agent)
	vals.Set("v.supervised_by", lead.ID)
	vals["v.works_with"] = []string{bank.ID, lead.ID}
	owner.post(base, vals).must(t, http.StatusOK)
	got, _ := e.svc.GetPersona(ctx, e.actor(e.owner), e.org, agent.ID)
	if got.Values["supervised_by"] != lead.ID {
		t.Fatalf("stored %v", got.Values)
	}
	page := owner.get(base).must(t, http.StatusOK)
	if !strings.Contains(page.Body, `<a href="/o/`+e.org+`/personas/`+lead.ID+`">System Lead</a>`) {
		t.Fatal("the agent's page does not link its supervisor")
	}
	if hist := owner.get(base+"/history").must(t, http.StatusOK); !strings.Contains(hist.Body, "System Lead") || strings.Contains(hist.Body, lead.ID) {
		t.Error("the history does not name the referenced persona, or shows its ID")
	}
	target := owner.get("/o/"+e.org+"/personas/"+lead.ID).must(t, http.StatusOK)
	refBy := between(target.Body, `id="referenced-by"`, `</section>`)
	if !strings.Contains(refBy, `href="/o/`+e.org+`/personas/`+agent.ID+`">Rex Router</a>`) || !strings.Contains(refBy, "Supervised by") {
		t.Fatalf("the target's page has no backlink:\n%s", refBy)
	}
	rel := owner.get("/o/"+e.org+"/relations").must(t, http.StatusOK)
	if !strings.Contains(rel.Body, `<svg class="relation-map" role="img"`) || !strings.Contains(rel.Body, "Supervised by: <a href=\"/o/"+e.org+"/personas/"+lead.ID+"\">System Lead</a>") {
		t.Fatalf("the relation map lacks the reference:\n%s", between(rel.Body, `<main`, `</main>`))
	}
	cmp := owner.get("/o/"+e.org+"/compare?ids="+agent.ID+"&ids="+lead.ID).must(t, http.StatusOK)
	if !strings.Contains(cmp.Body, `<a href="/o/`+e.org+`/personas/`+bank.ID+`">Big Bank</a>`) {
		t.Error("the comparison does not name the referenced personas")
	}

	// The target in the trash: the name stays, marked.
	if err := e.svc.TrashPersona(ctx, e.actor(e.owner), e.org, bank.ID); err != nil {
		t.Fatal(err)
	}
	if page := owner.get(base).must(t, http.StatusOK); !strings.Contains(page.Body, `Big Bank <span class="muted">(in trash)</span>`) {
		t.Error("a trashed target does not read (in trash)")
	}
	edit = owner.get(base+"/edit").must(t, http.StatusOK)
	if opt := between(edit.Body, `value="`+bank.ID+`"`, `</label>`); !strings.Contains(opt, " checked") || !strings.Contains(opt, "Big Bank (in trash)") {
		t.Error("the form drops the trashed target")
	}
	got, _ = e.svc.GetPersona(ctx, e.actor(e.owner), e.org, agent.ID)
	vals = e.editForm(got)
	vals["v.works_with"] = []string{bank.ID, lead.ID}
	vals.Set("revision", strconv.Itoa(got.Revision))
	owner.post(base, vals).must(t, http.StatusOK)

	// Outsiders reach nothing.
	outsider := e.signedIn(e.outsider)
	outsider.get("/o/"+e.org+"/relations").must(t, http.StatusNotFound)
}

// A variant that overrides a persona reference shows the override as
// ticked personas in its form, so saving the form keeps it.
func TestVariantFormKeepsAReferenceOverride(t *testing.T) {
	e := newWebEnv(t)
	ctx := context.Background()
	lead, fintech, bank := e.demoPersona("System Lead"), e.demoPersona("FinTech"), e.demoPersona("Big Bank")
	v, err := e.svc.CreateVariant(ctx, e.actor(e.owner), e.org, lead.ID, app.VariantInput{CustomerLabel: "Neobanks",
		Values: persona.Values{"works_for": []string{fintech.ID}}})
	if err != nil {
		t.Fatal(err)
	}
	form := e.signedIn(e.owner).get("/o/"+e.org+"/variants/"+v.ID+"/edit").must(t, http.StatusOK)
	if opt := between(form.Body, `name="v.works_for" value="`+fintech.ID+`"`, `</label>`); !strings.Contains(opt, " checked") || !strings.Contains(opt, "FinTech") {
		t.Fatalf("the override is not ticked: %q", opt)
	}
	if opt := between(form.Body, `name="v.works_for" value="`+bank.ID+`"`, `</label>`); opt == "" || strings.Contains(opt, " checked") {
		t.Errorf("Big Bank is missing or ticked: %q", opt)
	}
}
