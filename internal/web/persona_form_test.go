package web_test

import (
	"context"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/persona"
)

// uxTemplate is the demo's UX template (the starter one).
func (e *webEnv) uxTemplate() persona.Template {
	e.t.Helper()
	ts, err := e.svc.ListTemplates(context.Background(), e.actor(e.owner), e.org)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, t := range ts {
		if t.ProfileType == persona.ProfileUX && t.LatestVersion > 0 {
			return t
		}
	}
	e.t.Fatal("no UX template in the demo")
	return persona.Template{}
}

// tagWith finds the start tag of the element with id in body.
func tagWith(t *testing.T, body, id string) string {
	t.Helper()
	m := regexp.MustCompile(`<[a-z]+\b[^>]*\bid="` + regexp.QuoteMeta(id) + `"[^>]*>`).FindString(body)
	if m == "" {
		t.Fatalf("no element #%s in the page", id)
	}
	return m
}

// Issue 16 point 3: the form marks what is required (Group too), names the
// field of each error next to it and in a summary at the top that links to
// it, focuses the first, and keeps everything typed.
func TestPersonaFormMarksRequiredFieldsAndNamesErrors(t *testing.T) {
	e := newWebEnv(t)
	b := e.signedIn(e.owner)
	org := "/o/" + e.org
	tpl := e.uxTemplate()
	form := b.get(org+"/personas/new?template="+tpl.ID).must(t, http.StatusOK)
	for _, id := range []string{"name", "group_id", "v-role_title"} {
		tag := tagWith(t, form.Body, id)
		if !strings.Contains(tag, " required") || !strings.Contains(tag, `aria-required="true"`) {
			t.Errorf("#%s is not marked required: %s", id, tag)
		}
	}
	for _, want := range []string{
		`<label class="ff-label" for="name">Name <abbr class="req"`,
		`<label class="ff-label" for="group_id">Group <abbr class="req"`,
		`<label class="ff-label" for="v-role_title">Role / job title <abbr class="req"`,
		`id="save-bar"`, `id="save-persona"`,
		`<nav class="form-nav" aria-label="Form sections">`, `href="#section-profile"`, `href="#section-dimensions"`,
	} {
		if !strings.Contains(form.Body, want) {
			t.Errorf("the new-persona form lacks %s", want)
		}
	}
	ver, err := e.svc.GetVersion(context.Background(), e.actor(e.owner), e.org, tpl.ID, tpl.LatestVersion)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range ver.Definition.Sections {
		if !strings.Contains(form.Body, `<a href="#section-`+s.Key+`">`) || !strings.Contains(form.Body, `id="section-`+s.Key+`"`) {
			t.Errorf("the section list does not lead to section %s", s.Key)
		}
	}
	// Kinds get widths of their own: long text the full width.
	if !strings.Contains(form.Body, `class="ff ff-markdown ff-wide"`) || !strings.Contains(form.Body, `class="ff ff-text" id="field-v-role_title"`) {
		t.Errorf("the fields do not carry their kind's layout class")
	}

	// A first save with the group and the role left out.
	f := submitForm(t, form.Body, "persona-form")
	f.Set("name", "Una Unfinished")
	f.Set("summary", "Typed before the failed save")
	f.Set("v.goals", "Close the month on time\r\nSleep")
	f.Set("d.autonomy", "4")
	r := b.post(org+"/personas", f)
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("an incomplete persona: %d", r.Status)
	}
	summary := between(r.Body, `id="form-errors"`, "</div>")
	for _, want := range []string{`<a href="#group_id" data-focus="group_id">Group is required</a>`, `<a href="#v-role_title" data-focus="v-role_title">Role / job title is required</a>`, "2 fields need your attention"} {
		if !strings.Contains(summary, want) {
			t.Errorf("the error summary lacks %s:\n%s", want, summary)
		}
	}
	if strings.Index(summary, "#group_id") > strings.Index(summary, "#v-role_title") {
		t.Errorf("the summary does not list the errors in the form's order")
	}
	group := tagWith(t, r.Body, "group_id")
	for _, want := range []string{`aria-invalid="true"`, `aria-describedby="group_id-error"`, "autofocus"} {
		if !strings.Contains(group, want) {
			t.Errorf("the group select lacks %s: %s", want, group)
		}
	}
	if !strings.Contains(r.Body, `<small class="field-error" id="group_id-error">Group is required</small>`) ||
		!strings.Contains(r.Body, `<small class="field-error" id="v-role_title-error">Role / job title is required</small>`) {
		t.Errorf("the errors do not sit by their fields, naming them")
	}
	role := tagWith(t, r.Body, "v-role_title")
	if !strings.Contains(role, `aria-invalid="true"`) || !strings.Contains(role, "v-role_title-error") || strings.Contains(role, "autofocus") {
		t.Errorf("the role input: %s", role)
	}
	back := submitForm(t, r.Body, "persona-form")
	if back.Get("name") != "Una Unfinished" || back.Get("summary") != "Typed before the failed save" ||
		back.Get("v.goals") != "Close the month on time\r\nSleep" || back.Get("d.autonomy") != "4" {
		t.Fatalf("the form dropped what was typed: %v", back)
	}

	// Fixed, it saves.
	back.Set("group_id", e.demoGroups()[0])
	back.Set("v.role_title", "Controller")
	created := b.post(org+"/personas", back).must(t, http.StatusOK)
	if !strings.Contains(created.Body, "Persona created.") {
		t.Fatalf("after fixing: %s\n%.2000s", created.URL, created.Body)
	}
}

// A scale's "Not set" is its own choice beside the values: not set stays
// not set, a value is stored, and choosing "Not set" again removes it.
func TestPersonaFormScaleNotSetRoundTrips(t *testing.T) {
	e := newWebEnv(t)
	b := e.signedIn(e.owner)
	org := "/o/" + e.org
	p := e.demoPersona("Product Designer")
	edit := b.get(org+"/personas/"+p.ID+"/edit").must(t, http.StatusOK)
	// Each scale is a row of radio buttons plus "Not set"; no slider, no
	// "Not set" box.
	if strings.Contains(edit.Body, `name="d.autonomy.unset"`) || !strings.Contains(edit.Body, `<input type="radio" name="d.autonomy" value="" id="d-autonomy-unset"`) {
		t.Fatalf("the autonomy scale is not a row with Not set")
	}
	for _, v := range []string{"1", "2", "3", "4", "5"} {
		if !strings.Contains(edit.Body, `name="d.autonomy" value="`+v+`"`) {
			t.Fatalf("the autonomy scale lacks %s", v)
		}
	}
	save := func(autonomy string) persona.Persona {
		t.Helper()
		f := submitForm(t, b.get(org+"/personas/"+p.ID+"/edit").must(t, http.StatusOK).Body, "persona-form")
		f.Set("d.autonomy", autonomy)
		b.post(org+"/personas/"+p.ID, f).must(t, http.StatusOK)
		got, err := e.svc.GetPersona(context.Background(), e.actor(e.owner), e.org, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got := save(""); got.Dimensions["autonomy"] != nil {
		t.Fatalf("Not set stored %v", got.Dimensions["autonomy"])
	}
	f := submitForm(t, b.get(org+"/personas/"+p.ID+"/edit").must(t, http.StatusOK).Body, "persona-form")
	if f.Get("d.autonomy") != "" || !f.Has("d.autonomy") {
		t.Fatalf("a scale not set does not come back as Not set: %q", f["d.autonomy"])
	}
	if got := save("2"); got.Dimensions["autonomy"] != 2.0 {
		t.Fatalf("2 stored as %v", got.Dimensions["autonomy"])
	}
	if f := submitForm(t, b.get(org+"/personas/"+p.ID+"/edit").must(t, http.StatusOK).Body, "persona-form"); f.Get("d.autonomy") != "2" {
		t.Fatalf("2 comes back as %q", f.Get("d.autonomy"))
	}
	if got := save(""); got.Dimensions["autonomy"] != nil {
		t.Fatalf("Not set again stored %v", got.Dimensions["autonomy"])
	}
	// A post from an older form (the slider's "Not set" box) still reads.
	f = submitForm(t, b.get(org+"/personas/"+p.ID+"/edit").must(t, http.StatusOK).Body, "persona-form")
	f.Set("d.autonomy", "3")
	f.Set("d.autonomy.unset", "1")
	b.post(org+"/personas/"+p.ID, f).must(t, http.StatusOK)
	if got, _ := e.svc.GetPersona(context.Background(), e.actor(e.owner), e.org, p.ID); got.Dimensions["autonomy"] != nil {
		t.Fatalf("the old Not set box stored %v", got.Dimensions["autonomy"])
	}
}

// The variant form shows only the overrides (the demo's System Lead at
// Big Bank), each with its value, note and Remove, and offers the other
// fields under "+ Override a field".
func TestVariantFormShowsOnlyTheOverrides(t *testing.T) {
	e := newWebEnv(t)
	b := e.signedIn(e.owner)
	org := "/o/" + e.org
	lead := e.demoPersona("System Lead")
	ds, err := e.svc.ListVariants(context.Background(), e.actor(e.owner), e.org, lead.ID)
	if err != nil || len(ds) == 0 {
		t.Fatalf("no demo variants of System Lead: %v", err)
	}
	d := ds[0]
	paths := d.Variant.OverridePaths()
	edit := b.get(org+"/variants/"+d.Variant.ID+"/edit").must(t, http.StatusOK)
	rows := regexp.MustCompile(`<div class="override-row[^"]*" id="row-([^"]+)"`).FindAllStringSubmatch(edit.Body, -1)
	if len(rows) != len(paths) {
		t.Fatalf("the form shows %d rows for %d overrides %v", len(rows), len(paths), paths)
	}
	for _, m := range rows {
		path := m[1]
		if !slices.Contains(paths, path) {
			t.Errorf("row %s is not an override", path)
		}
		if !strings.Contains(edit.Body, `name="remove_override" value="`+path+`"`) || !strings.Contains(edit.Body, `name="n.`+path+`"`) {
			t.Errorf("row %s lacks its Remove or its note", path)
		}
		if strings.Contains(edit.Body, `<option value="`+path+`">`) {
			t.Errorf("%s is offered again under Override a field", path)
		}
	}
	if !strings.Contains(edit.Body, `<select id="add-field" name="add"`) || !strings.Contains(edit.Body, "Override a field") {
		t.Fatal("no Override a field")
	}
	if strings.Contains(edit.Body, `data-override`) || strings.Contains(edit.Body, `type="checkbox" name="o.`) {
		t.Error("the form still has Override boxes to tick")
	}
}
