package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// demoPersona finds a demo persona by name.
func (e *webEnv) demoPersona(name string) persona.Persona {
	e.t.Helper()
	page, err := e.svc.ListPersonas(context.Background(), e.actor(e.owner), e.org, persona.PersonaFilter{Limit: 200}, "")
	if err != nil {
		e.t.Fatal(err)
	}
	for _, p := range page.Items {
		if p.Name == name {
			return p
		}
	}
	e.t.Fatalf("no demo persona %q", name)
	return persona.Persona{}
}

// editForm is what a browser submits from the persona's edit form when
// nothing is changed: one input per field, shaped by the field's kind.
func (e *webEnv) editForm(p persona.Persona) url.Values {
	e.t.Helper()
	ver, err := e.svc.PersonaDefinition(context.Background(), e.actor(e.owner), e.org, p)
	if err != nil {
		e.t.Fatal(err)
	}
	f := url.Values{
		"name": {p.Name}, "summary": {p.Summary}, "group_id": {p.GroupID}, "status": {string(p.Status)},
		"owner_id": {p.OwnerID}, "revision": {strconv.Itoa(p.Revision)}, "last_reviewed_on": {p.LastReviewedOn},
		"review_interval_days": {strconv.Itoa(p.ReviewIntervalDays)},
	}
	for _, s := range ver.Definition.Sections {
		for _, fd := range s.Fields {
			items := listOf(p.Values[fd.Key])
			switch fd.Kind {
			case persona.KindList:
				f.Set("v."+fd.Key, strings.Join(items, "\n"))
			case persona.KindTags:
				f.Set("v."+fd.Key, strings.Join(items, ", "))
			case persona.KindMultiChoice:
				f["v."+fd.Key] = items
			default:
				if len(items) == 1 {
					f.Set("v."+fd.Key, items[0])
				} else if fd.Kind == persona.KindScale {
					f.Set("v."+fd.Key+".unset", "1")
				}
			}
		}
	}
	for _, d := range ver.Definition.Dimensions {
		if v := listOf(p.Dimensions[d.Key]); len(v) == 1 {
			f.Set("d."+d.Key, v[0])
		} else {
			f.Set("d."+d.Key+".unset", "1")
		}
	}
	return f
}

// listOf renders a stored value as the strings a form would hold.
func listOf(v any) []string {
	switch x := v.(type) {
	case nil:
		return nil
	case []string:
		return x
	case []any:
		var out []string
		for _, it := range x {
			out = append(out, listOf(it)...)
		}
		return out
	case float64:
		return []string{strconv.FormatFloat(x, 'f', -1, 64)}
	case string:
		return []string{x}
	}
	return nil
}

func TestPersonaEditSavesARevisionShownInHistory(t *testing.T) {
	e := newWebEnv(t)
	b := e.signedIn(e.owner)
	p := e.demoPersona("System Lead")
	base := "/o/" + e.org + "/personas/" + p.ID

	form := b.get(base+"/edit").must(t, http.StatusOK)
	for _, want := range []string{`id="persona-form"`, `name="v.goals"`, `name="revision" value="` + strconv.Itoa(p.Revision) + `"`} {
		if !strings.Contains(form.Body, want) {
			t.Fatalf("edit form lacks %s", want)
		}
	}
	f := e.editForm(p)
	f.Set("summary", "Keeps the ledger platform running at night")
	f.Set("message", "Night shift focus")
	saved := b.post(base, f).must(t, http.StatusOK)
	if saved.URL != base || !strings.Contains(saved.Body, "Keeps the ledger platform running at night") {
		t.Fatalf("after save at %s", saved.URL)
	}
	got, err := e.svc.GetPersona(context.Background(), e.actor(e.owner), e.org, p.ID)
	if err != nil || got.Revision != p.Revision+1 || got.Summary != "Keeps the ledger platform running at night" {
		t.Fatalf("stored %+v %v", got.Content, err)
	}
	// Unchanged inputs round-trip: only the summary changed.
	d, err := e.svc.DiffRevisions(context.Background(), e.actor(e.owner), e.org, p.ID, p.Revision, got.Revision)
	if err != nil || len(d.Changes) != 1 || d.Changes[0].Path != "summary" {
		t.Fatalf("form round trip changed more than the summary: %+v %v", d.Changes, err)
	}

	h := b.get(base+"/history").must(t, http.StatusOK)
	for _, want := range []string{`id="revisions"`, "Night shift focus", `id="diff"`, "Keeps the ledger platform running at night", html.EscapeString(p.Summary)} {
		if !strings.Contains(h.Body, want) {
			t.Errorf("history lacks %q", want)
		}
	}
}

func TestPersonaFormShowsEveryErrorAndWritesNothing(t *testing.T) {
	e := newWebEnv(t)
	b := e.signedIn(e.owner)
	p := e.demoPersona("System Lead")
	f := e.editForm(p)
	f.Set("name", "")
	f.Set("d.technical_comfort", "9")
	r := b.post("/o/"+e.org+"/personas/"+p.ID, f)
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("want 422, got %d", r.Status)
	}
	for _, want := range []string{`id="form-errors"`, `id="name-error"`, "is required", `aria-invalid="true"`} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("error form lacks %q", want)
		}
	}
	got, _ := e.svc.GetPersona(context.Background(), e.actor(e.owner), e.org, p.ID)
	if got.Revision != p.Revision {
		t.Fatalf("invalid form wrote revision %d", got.Revision)
	}
}

func TestPersonaEditConflictKeepsWhatWasTyped(t *testing.T) {
	e := newWebEnv(t)
	b := e.signedIn(e.owner)
	p := e.demoPersona("Compliance Analyst")
	// Someone else saves first.
	in := app.PersonaInput{Name: p.Name, Summary: "Changed by a colleague", GroupID: p.GroupID, Status: p.Status,
		Values: p.Values, Dimensions: p.Dimensions, LastReviewedOn: p.LastReviewedOn, ReviewIntervalDays: p.ReviewIntervalDays}
	if _, err := e.svc.UpdatePersona(context.Background(), e.actor(e.owner), e.org, p.ID, p.Revision, in); err != nil {
		t.Fatal(err)
	}
	f := e.editForm(p) // still based on the old revision
	f.Set("summary", "My careful rewrite")
	r := b.post("/o/"+e.org+"/personas/"+p.ID, f)
	if r.Status != http.StatusConflict {
		t.Fatalf("want 409 page, got %d", r.Status)
	}
	for _, want := range []string{`id="conflict"`, "My careful rewrite", "Changed by a colleague", `name="revision" value="` + strconv.Itoa(p.Revision+1) + `"`} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("conflict page lacks %q", want)
		}
	}
	got, _ := e.svc.GetPersona(context.Background(), e.actor(e.owner), e.org, p.ID)
	if got.Summary != "Changed by a colleague" {
		t.Fatalf("stale form overwrote: %q", got.Summary)
	}
	// Saving again from the conflict page is a deliberate overwrite.
	f.Set("revision", strconv.Itoa(p.Revision+1))
	b.post("/o/"+e.org+"/personas/"+p.ID, f).must(t, http.StatusOK)
	got, _ = e.svc.GetPersona(context.Background(), e.actor(e.owner), e.org, p.ID)
	if got.Summary != "My careful rewrite" {
		t.Fatalf("second save: %q", got.Summary)
	}
}

func TestCreatePersonaFromTemplateAndTrashRestore(t *testing.T) {
	e := newWebEnv(t)
	b := e.signedIn(e.owner)
	templates, err := e.svc.ListTemplates(context.Background(), e.actor(e.owner), e.org)
	if err != nil {
		t.Fatal(err)
	}
	var ux persona.Template
	for _, tm := range templates {
		if tm.ProfileType == persona.ProfileUX {
			ux = tm
		}
	}
	chooser := b.get("/o/"+e.org+"/personas/new").must(t, http.StatusOK)
	if !strings.Contains(chooser.Body, "?template="+ux.ID) {
		t.Fatal("template chooser lacks the UX template")
	}
	form := b.get("/o/"+e.org+"/personas/new?template="+ux.ID).must(t, http.StatusOK)
	if !strings.Contains(form.Body, `name="template_id" value="`+ux.ID+`"`) {
		t.Fatal("new form lacks its template")
	}
	groups, _ := e.svc.ListGroups(context.Background(), e.actor(e.owner), e.org)
	f := url.Values{"template_id": {ux.ID}, "name": {"Night Auditor"}, "v.role_title": {"Night auditor"}, "group_id": {groups[0].ID}, "status": {"draft"},
		"v.goals": {"Close the books\nSleep"}, "d.technical_comfort": {"4"}, "d.autonomy.unset": {"1"}, "d.autonomy": {"1"}}
	created := b.post("/o/"+e.org+"/personas", f)
	if created.Status != http.StatusOK {
		i := strings.Index(created.Body, `id="form-errors"`)
		t.Fatalf("create: %d %s", created.Status, created.Body[max(i, 0):min(len(created.Body), max(i, 0)+3000)])
	}
	if !strings.Contains(created.Body, "Night Auditor") || !strings.Contains(created.Body, "Close the books") {
		t.Fatalf("created persona page at %s", created.URL)
	}
	id := created.URL[strings.LastIndex(created.URL, "/")+1:]
	p, err := e.svc.GetPersona(context.Background(), e.actor(e.owner), e.org, id)
	if err != nil || p.Dimensions["technical_comfort"] != 4.0 || p.Dimensions["autonomy"] != nil {
		t.Fatalf("created %+v %v", p.Dimensions, err)
	}

	b.post("/o/"+e.org+"/personas/"+id+"/trash", nil).must(t, http.StatusOK)
	b.get("/o/"+e.org+"/personas/"+id).must(t, http.StatusNotFound)
	trash := b.get("/o/"+e.org+"/trash").must(t, http.StatusOK)
	if !strings.Contains(trash.Body, "Night Auditor") {
		t.Fatal("trash lacks the persona")
	}
	b.post("/o/"+e.org+"/trash/"+id+"/restore", nil).must(t, http.StatusOK)
	b.get("/o/"+e.org+"/personas/"+id).must(t, http.StatusOK)
}

func TestViewerCannotEditAndOutsiderSeesNothing(t *testing.T) {
	e := newWebEnv(t)
	p := e.demoPersona("System Lead")
	viewer := e.signedIn(e.viewer)
	page := viewer.get("/o/"+e.org+"/personas/"+p.ID).must(t, http.StatusOK)
	if strings.Contains(page.Body, `id="edit-persona"`) {
		t.Error("viewer is offered the edit button")
	}
	viewer.get("/o/"+e.org+"/personas/"+p.ID+"/edit").must(t, http.StatusForbidden)
	viewer.post("/o/"+e.org+"/personas/"+p.ID, e.editForm(p)).must(t, http.StatusForbidden)
	viewer.post("/o/"+e.org+"/personas/"+p.ID+"/trash", nil).must(t, http.StatusForbidden)

	outsider := e.signedIn(e.outsider)
	for _, path := range []string{"", "/personas/" + p.ID, "/personas/" + p.ID + "/edit", "/personas/" + p.ID + "/history", "/trash"} {
		outsider.get("/o/"+e.org+path).must(t, http.StatusNotFound)
	}
	outsider.post("/o/"+e.org+"/personas/"+p.ID+"/trash", nil).must(t, http.StatusNotFound)
	if got, _ := e.svc.GetPersona(context.Background(), e.actor(e.owner), e.org, p.ID); got.Revision != p.Revision {
		t.Fatal("forbidden posts changed the persona")
	}
}
