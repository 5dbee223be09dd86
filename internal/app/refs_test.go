package app_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/store/storetest"
)

// withRefFields adds to the UX template a "Employers" field (many, customer
// archetypes only) and a "Buddy" field (one persona of any type).
func withRefFields(ctx context.Context, t *testing.T, r reviewOrg) {
	t.Helper()
	tm, err := r.svc.GetTemplate(ctx, r.owner, r.slug, r.template)
	if err != nil {
		t.Fatal(err)
	}
	def := tm.Draft
	def.Sections[0].Fields = append(def.Sections[0].Fields,
		persona.Field{Key: "employers", Label: "Employers", Kind: persona.KindPersona, Multiple: true, ProfileTypes: []persona.ProfileType{persona.ProfileArchetype}},
		persona.Field{Key: "buddy", Label: "Buddy", Kind: persona.KindPersona})
	if _, err := r.svc.SaveDraft(ctx, r.owner, r.slug, r.template, def); err != nil {
		t.Fatal(err)
	}
	if _, err := r.svc.Publish(ctx, r.owner, r.slug, r.template); err != nil {
		t.Fatal(err)
	}
}

func archetype(ctx context.Context, t *testing.T, svc *app.Service, by app.Actor, slug, name string) persona.Persona {
	t.Helper()
	var tmpl string
	ts, _ := svc.ListTemplates(ctx, by, slug)
	for _, tm := range ts {
		if tm.ProfileType == persona.ProfileArchetype {
			tmpl = tm.ID
		}
	}
	gs, err := svc.ListGroups(ctx, by, slug)
	if err != nil || len(gs) == 0 {
		g, err := svc.CreateGroup(ctx, by, slug, app.GroupInput{Name: "Customers"})
		if err != nil {
			t.Fatal(err)
		}
		gs = append(gs, g)
	}
	p, err := svc.CreatePersona(ctx, by, slug, app.PersonaInput{Name: name, TemplateID: tmpl, GroupID: gs[0].ID,
		Values: persona.Values{"industry": "Banking"}})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func fieldMessage(t *testing.T, err error, field string) string {
	t.Helper()
	e, ok := persona.AsError(err)
	if !ok {
		t.Fatalf("got %v, want a field error on %s", err, field)
	}
	for _, fe := range e.Fields {
		if fe.Field == field {
			return fe.Message
		}
	}
	t.Fatalf("got %v, want a field error on %s", err, field)
	return ""
}

// TestPersonaReferences, on both engines: a UX persona's "Employers" names
// a customer archetype, which lists it as a backlink; the persona itself, a
// persona of a type the field does not take, and a persona of another
// organisation (read exactly like a missing one) are refused; a target in
// the trash stays stored and reads "(in trash)", saving the referencing
// persona still works, and after restore it is a plain name again; a
// target deleted for good reads "deleted persona" and does not block a
// save either. The relation map lists the references.
func TestPersonaReferences(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := t.Context()
			r := newReviewOrg(ctx, t, eng, time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC))
			withRefFields(ctx, t, r)
			bank := archetype(ctx, t, r.svc, r.owner, r.slug, "Regional Bank")
			ux := r.persona(ctx, t, r.owner, "Nia Nurse", "", 0)
			other := r.persona(ctx, t, r.owner, "Oli Other", "", 0)

			// The other organisation's archetype.
			if _, err := r.svc.CreateOrg(ctx, r.owner, "Elsewhere", "elsewhere"); err != nil {
				t.Fatal(err)
			}
			foreign := archetype(ctx, t, r.svc, r.owner, "elsewhere", "Foreign Bank")

			input := func(p persona.Persona, values persona.Values) app.PersonaInput {
				v := persona.CloneValues(p.Values)
				for k, x := range values {
					v[k] = x
				}
				return app.PersonaInput{Name: p.Name, GroupID: p.GroupID, Status: p.Status, Values: v, Dimensions: p.Dimensions}
			}
			update := func(p persona.Persona, values persona.Values) (persona.Persona, error) {
				return r.svc.UpdatePersona(ctx, r.editor, r.slug, p.ID, p.Revision, input(p, values))
			}

			_, err := update(ux, persona.Values{"employers": []string{ux.ID}})
			if m := fieldMessage(t, err, "values.employers"); !strings.Contains(m, "itself") {
				t.Errorf("self reference: %q", m)
			}
			_, err = update(ux, persona.Values{"employers": []string{other.ID}})
			if m := fieldMessage(t, err, "values.employers"); m != "Oli Other is a UX persona; this field takes a customer archetype" {
				t.Errorf("wrong type: %q", m)
			}
			_, err = update(ux, persona.Values{"employers": []string{foreign.ID}})
			foreignMsg := fieldMessage(t, err, "values.employers")
			missing := "0197f3c2-5b1e-7a3d-9c4e-2f6a8b1d0e37"
			_, err = update(ux, persona.Values{"employers": []string{missing}})
			missingMsg := fieldMessage(t, err, "values.employers")
			if strings.ReplaceAll(foreignMsg, foreign.ID, "ID") != strings.ReplaceAll(missingMsg, missing, "ID") || strings.Contains(foreignMsg, "Foreign") {
				t.Errorf("a foreign persona reads %q, a missing one %q", foreignMsg, missingMsg)
			}
			_, err = r.svc.CreatePersona(ctx, r.editor, r.slug, app.PersonaInput{Name: "New", TemplateID: r.template, GroupID: r.group,
				Values: persona.Values{"role_title": "T", "buddy": foreign.ID}})
			fieldMessage(t, err, "values.buddy")

			ux, err = update(ux, persona.Values{"employers": []any{bank.ID}, "buddy": other.ID})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(ux.Values["employers"], []string{bank.ID}) || ux.Values["buddy"] != other.ID {
				t.Fatalf("stored %v", ux.Values)
			}
			bl, err := r.svc.Backlinks(ctx, r.viewer, r.slug, bank.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(bl) != 1 || bl[0] != (app.Backlink{PersonaID: ux.ID, Name: "Nia Nurse", ProfileType: persona.ProfileUX, Field: "employers", FieldLabel: "Employers"}) {
				t.Errorf("backlinks %+v", bl)
			}
			_, err = r.svc.Backlinks(ctx, r.outsider, r.slug, bank.ID)
			mustCode(t, err, persona.CodeNotFound, "an outsider reads backlinks")
			_, err = r.svc.Backlinks(ctx, r.owner, r.slug, foreign.ID)
			mustCode(t, err, persona.CodeNotFound, "backlinks of another organisation's persona")

			def, err := r.svc.PersonaDefinition(ctx, r.viewer, r.slug, ux)
			if err != nil {
				t.Fatal(err)
			}
			names := func() map[string]persona.RefName {
				t.Helper()
				n, err := r.svc.RefNames(ctx, r.viewer, r.slug, def.Definition, ux)
				if err != nil {
					t.Fatal(err)
				}
				return n
			}
			if n := names(); n[bank.ID] != (persona.RefName{Name: "Regional Bank"}) {
				t.Errorf("names %v", n)
			}

			// Trash and restore.
			if err := r.svc.TrashPersona(ctx, r.editor, r.slug, bank.ID); err != nil {
				t.Fatal(err)
			}
			if n := names(); n[bank.ID].Text() != "Regional Bank (in trash)" {
				t.Errorf("trashed target reads %q", n[bank.ID].Text())
			}
			if bl, err := r.svc.Backlinks(ctx, r.viewer, r.slug, bank.ID); err != nil || len(bl) != 1 {
				t.Errorf("a trashed persona's backlinks: %v %v", bl, err)
			}
			if ux, err = update(ux, persona.Values{"role_title": "Charge nurse"}); err != nil {
				t.Fatalf("a kept reference to a trashed persona blocks a save: %v", err)
			}
			_, err = update(other, persona.Values{"buddy": bank.ID})
			fieldMessage(t, err, "values.buddy") // a new reference to a trashed persona
			if _, err := r.svc.RestorePersona(ctx, r.editor, r.slug, bank.ID); err != nil {
				t.Fatal(err)
			}
			if n := names(); n[bank.ID] != (persona.RefName{Name: "Regional Bank"}) {
				t.Errorf("restored target reads %v", n[bank.ID])
			}
			_, rels, err := r.svc.Relations(ctx, r.viewer, r.slug)
			if err != nil {
				t.Fatal(err)
			}
			if len(rels) != 2 || rels[0].TargetID != bank.ID && rels[1].TargetID != bank.ID {
				t.Errorf("relations %+v", rels)
			}

			// Deleted for good.
			if err := r.svc.TrashPersona(ctx, r.editor, r.slug, bank.ID); err != nil {
				t.Fatal(err)
			}
			if err := r.svc.PurgePersona(ctx, r.owner, r.slug, bank.ID); err != nil {
				t.Fatal(err)
			}
			if n := names(); n[bank.ID].Text() != "deleted persona" {
				t.Errorf("purged target reads %q", n[bank.ID].Text())
			}
			if _, err = update(ux, persona.Values{"role_title": "Ward nurse"}); err != nil {
				t.Fatalf("a reference to a deleted persona blocks a save: %v", err)
			}
		})
	}
}

// References are persona IDs in the organisation export; the import keeps
// the IDs, so the copy's references point at the copy's personas and a
// second export is identical.
func TestPersonaReferencesGoThroughExportAndImport(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := t.Context()
			r := newReviewOrg(ctx, t, eng, time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC))
			withRefFields(ctx, t, r)
			bank := archetype(ctx, t, r.svc, r.owner, r.slug, "Regional Bank")
			ux := r.persona(ctx, t, r.owner, "Nia Nurse", "", 0)
			v := persona.CloneValues(ux.Values)
			v["employers"] = []string{bank.ID}
			if _, err := r.svc.UpdatePersona(ctx, r.owner, r.slug, ux.ID, ux.Revision, app.PersonaInput{Name: ux.Name, GroupID: ux.GroupID, Values: v}); err != nil {
				t.Fatal(err)
			}
			first, err := r.svc.ExportOrg(ctx, r.owner, r.slug)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := r.svc.ImportOrg(ctx, r.owner, "copy", "", first, false); err != nil {
				t.Fatal(err)
			}
			second, err := r.svc.ExportOrg(ctx, r.owner, "copy")
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(valuesOf(first), valuesOf(second)) {
				t.Errorf("values differ after the round trip:\n%v\n%v", valuesOf(first), valuesOf(second))
			}
			bl, err := r.svc.Backlinks(ctx, r.owner, "copy", bank.ID)
			if err != nil || len(bl) != 1 || bl[0].PersonaID != ux.ID {
				t.Errorf("the copy's backlinks: %v %v", bl, err)
			}
		})
	}
}

func valuesOf(e persona.OrgExport) map[string]persona.Values {
	m := map[string]persona.Values{}
	for _, p := range e.Personas {
		m[p.ID] = p.Values
	}
	return m
}

// Persona-as-code files name reference targets by slug; a push resolves
// them back (an edit to another slug changes the reference), and an unknown
// slug is refused naming the file and the field.
func TestPersonaReferencesAsCode(t *testing.T) {
	ctx := t.Context()
	eng := storetest.Engines(t)[0]
	r := newReviewOrg(ctx, t, eng, time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC))
	withRefFields(ctx, t, r)
	bank := archetype(ctx, t, r.svc, r.owner, r.slug, "Regional Bank")
	union := archetype(ctx, t, r.svc, r.owner, r.slug, "Credit Union")
	ux := r.persona(ctx, t, r.owner, "Nia Nurse", "", 0)
	v := persona.CloneValues(ux.Values)
	v["employers"] = []string{bank.ID}
	if _, err := r.svc.UpdatePersona(ctx, r.owner, r.slug, ux.ID, ux.Revision, app.PersonaInput{Name: ux.Name, GroupID: ux.GroupID, Values: v}); err != nil {
		t.Fatal(err)
	}
	tree, err := r.svc.ExportTree(ctx, r.owner, r.slug)
	if err != nil {
		t.Fatal(err)
	}
	var f app.PersonaFile
	for _, p := range tree.Personas {
		if p.ID == ux.ID {
			f = p
		}
	}
	if !reflect.DeepEqual(f.Values["employers"], []string{"regional-bank"}) {
		t.Fatalf("the file holds %#v, want the slug", f.Values["employers"])
	}
	apply := func(values any) (app.TreeResult, error) {
		g := f
		g.Values = persona.CloneValues(f.Values)
		g.Values["employers"] = values
		return r.svc.ApplyTree(ctx, r.owner, r.slug, app.TreeFiles{Personas: map[string]app.PersonaFile{"personas/nia-nurse.yaml": g}}, false)
	}
	res, err := apply([]any{"regional-bank"})
	if err != nil || len(res.Changes) != 1 || res.Changes[0].Action != "unchanged" {
		t.Fatalf("the file as exported: %+v %v", res, err)
	}
	res, err = apply([]any{"regional-bank", "credit-union"})
	if err != nil || res.Changes[0].Action != "update" {
		t.Fatalf("adding a slug: %+v %v", res, err)
	}
	if w := res.Changes[0].Written; w == nil || !reflect.DeepEqual(w.Values["employers"], []string{"regional-bank", "credit-union"}) {
		t.Errorf("the file written back: %+v", w)
	}
	got, _ := r.svc.GetPersona(ctx, r.owner, r.slug, ux.ID)
	if !reflect.DeepEqual(got.Values["employers"], []string{bank.ID, union.ID}) {
		t.Errorf("stored %v", got.Values["employers"])
	}
	f.Revision = got.Revision
	_, err = apply([]any{"no-such-bank"})
	if m := fieldMessage(t, err, "personas/nia-nurse.yaml: values.employers"); !strings.Contains(m, "no-such-bank") {
		t.Errorf("unknown slug: %q", m)
	}
}
