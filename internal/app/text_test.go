package app_test

import (
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/demo"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/seed"
	"github.com/personapal/personapal/internal/store/storetest"
)

// TestControlCharactersAreRefusedWhereverTextEnters walks every use case
// that takes user text: NUL, ESC, BEL, a C1 control and (in single-line
// text) tab, line breaks and U+2028 are refused with a field error naming
// the field, and nothing is written. Multi-line text keeps its tabs and
// line breaks (CRLF becomes LF). On both engines: PostgreSQL cannot store
// a NUL, so before validation refused it a NUL was a server error there.
func TestControlCharactersAreRefusedWhereverTextEnters(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) { controlCharacters(t, eng) })
	}
}

func controlCharacters(t *testing.T, eng storetest.Engine) {
	ctx := t.Context()
	svc := quietService(eng.Open(t))
	creds, err := seed.Demo(ctx, svc, demo.Data())
	if err != nil {
		t.Fatal(err)
	}
	u, _ := svc.UserByEmail(ctx, creds.Email)
	a, _ := svc.ActorFor(ctx, u.ID)
	org := creds.OrgSlug
	groups, _ := svc.ListGroups(ctx, a, org)
	group := groups[0]
	page, _ := svc.ListPersonas(ctx, a, org, persona.PersonaFilter{ProfileType: persona.ProfileUX, Limit: 1}, "")
	p := page.Items[0]
	ts, _ := svc.ListTemplates(ctx, a, org)
	tmpl := ts[0]
	vs, _ := svc.ListVariants(ctx, a, org, p.ID)
	evs, _ := svc.ListEvidence(ctx, a, org, persona.EvidenceFilter{Limit: 1}, "")
	ev := evs.Items[0]
	ls, _ := svc.ListLaunchpads(ctx, a, org, "")
	textField := ""
	ver, _ := svc.PersonaDefinition(ctx, a, org, p)
	for _, s := range ver.Definition.Sections {
		for _, f := range s.Fields {
			if f.Kind == persona.KindText && textField == "" {
				textField = f.Key
			}
		}
	}
	values := func(k string, v any) persona.Values {
		out := persona.CloneValues(p.Values)
		out[k] = v
		return out
	}
	personaIn := func(edit func(in *app.PersonaInput)) app.PersonaInput {
		in := app.PersonaInput{Name: p.Name, Summary: p.Summary, GroupID: p.GroupID, Values: p.Values, Dimensions: p.Dimensions, Status: p.Status}
		edit(&in)
		return in
	}
	single := []string{"nul\x00", "esc\x1b[2J", "bell\a", "c1\u009b", "tab\there", "line\nbreak", "cr\rhere", "sep\u2028x"}
	multi := []string{"nul\x00", "esc\x1b[2J", "bell\a", "c1\u0085x", "del\x7fx", "vt\vx"}
	type entry struct {
		name  string
		field string
		texts []string
		call  func(s string) error
	}
	entries := []entry{
		{"create organisation", "name", single, func(s string) error { _, err := svc.CreateOrg(ctx, a, s, "ctl-org"); return err }},
		{"rename organisation", "name", single, func(s string) error { _, err := svc.RenameOrg(ctx, a, org, s); return err }},
		{"create group", "name", single, func(s string) error { _, err := svc.CreateGroup(ctx, a, org, app.GroupInput{Name: s}); return err }},
		{"group description", "description", multi, func(s string) error {
			_, err := svc.UpdateGroup(ctx, a, org, group.ID, app.GroupInput{Name: group.Name, Description: s})
			return err
		}},
		{"create template", "name", single, func(s string) error {
			_, err := svc.CreateTemplate(ctx, a, org, app.TemplateInput{Name: s, ProfileType: persona.ProfileUX})
			return err
		}},
		{"template description", "description", multi, func(s string) error {
			_, err := svc.UpdateTemplate(ctx, a, org, tmpl.ID, app.TemplateInput{Name: tmpl.Name, Description: s})
			return err
		}},
		{"field label", "sections[0].fields[0].label", single, func(s string) error {
			d := tmpl.Draft
			d.Sections = append([]persona.Section(nil), d.Sections...)
			d.Sections[0].Fields = append([]persona.Field(nil), d.Sections[0].Fields...)
			d.Sections[0].Fields[0].Label = s
			_, err := svc.SaveDraft(ctx, a, org, tmpl.ID, d)
			return err
		}},
		{"persona name", "name", single, func(s string) error {
			_, err := svc.UpdatePersona(ctx, a, org, p.ID, p.Revision, personaIn(func(in *app.PersonaInput) { in.Name = s }))
			return err
		}},
		{"persona summary", "summary", multi, func(s string) error {
			_, err := svc.UpdatePersona(ctx, a, org, p.ID, p.Revision, personaIn(func(in *app.PersonaInput) { in.Summary = s }))
			return err
		}},
		{"text field", "values." + textField, single, func(s string) error {
			_, err := svc.UpdatePersona(ctx, a, org, p.ID, p.Revision, personaIn(func(in *app.PersonaInput) { in.Values = values(textField, s) }))
			return err
		}},
		{"revision message", "message", multi, func(s string) error {
			_, err := svc.UpdatePersona(ctx, a, org, p.ID, p.Revision, personaIn(func(in *app.PersonaInput) { in.Message = s }))
			return err
		}},
		{"variant customer label", "customer_label", single, func(s string) error {
			_, err := svc.CreateVariant(ctx, a, org, p.ID, app.VariantInput{CustomerLabel: s, Note: "n"})
			return err
		}},
		{"variant note", "note", multi, func(s string) error {
			_, err := svc.CreateVariant(ctx, a, org, p.ID, app.VariantInput{CustomerLabel: "Label", Note: s})
			return err
		}},
		{"variant message", "message", multi, func(s string) error {
			_, err := svc.UpdateVariant(ctx, a, org, vs[0].Variant.ID, vs[0].Variant.Revision, app.VariantInput{CustomerID: vs[0].Variant.CustomerID,
				CustomerLabel: vs[0].Variant.CustomerLabel, Note: vs[0].Variant.Note, Values: vs[0].Variant.Values, Message: s})
			return err
		}},
		{"note", "body", multi, func(s string) error { _, err := svc.AddNote(ctx, a, org, persona.NoteOnOrg, "", s); return err }},
		{"evidence title", "title", single, func(s string) error {
			_, err := svc.AddEvidence(ctx, a, org, app.EvidenceInput{Kind: persona.EvidenceQuote, Title: s, Quote: "q"})
			return err
		}},
		{"evidence quote", "quote", multi, func(s string) error {
			_, err := svc.AddEvidence(ctx, a, org, app.EvidenceInput{Kind: persona.EvidenceQuote, Title: "t", Quote: s})
			return err
		}},
		{"evidence excerpt", "excerpt", multi, func(s string) error {
			_, err := svc.LinkEvidence(ctx, a, org, ev.ID, app.EvidenceLinkInput{PersonaID: p.ID, Stance: persona.StanceSupports, Excerpt: s})
			return err
		}},
		{"catalogue module name", "modules[0].name", single, func(s string) error {
			_, err := svc.ReplaceCatalogue(ctx, a, org, -1, persona.Catalogue{Modules: []persona.Module{{Key: "m", Name: s}}})
			return err
		}},
		{"Launchpad name", "name", single, func(s string) error {
			d, err := svc.GetLaunchpad(ctx, a, org, ls[0].ID)
			if err != nil {
				return err
			}
			_, err = svc.UpdateLaunchpad(ctx, a, org, ls[0].ID, d.Launchpad.Revision, app.LaunchpadUpdate{Name: s})
			return err
		}},
		{"Launchpad notes", "notes", multi, func(s string) error {
			d, err := svc.GetLaunchpad(ctx, a, org, ls[0].ID)
			if err != nil {
				return err
			}
			_, err = svc.UpdateLaunchpad(ctx, a, org, ls[0].ID, d.Launchpad.Revision, app.LaunchpadUpdate{Name: d.Launchpad.Name, Notes: s})
			return err
		}},
		{"token name", "name", single, func(s string) error { _, _, err := svc.CreateToken(ctx, a, s); return err }},
		{"user name", "name", single, func(s string) error {
			_, err := svc.CreateUser(ctx, "ctl-"+strings.ToLower(strings.Map(func(r rune) rune {
				if r >= 'a' && r <= 'z' {
					return r
				}
				return -1
			}, s))+"@example.com", s, "a long enough password 1")
			return err
		}},
		{"import under a new name", "name", single, func(s string) error {
			doc, err := svc.ExportOrg(ctx, a, org)
			if err != nil {
				return err
			}
			_, err = svc.ImportOrg(ctx, a, "ctl-import", s, doc, true)
			return err
		}},
	}
	for _, e := range entries {
		for _, s := range e.texts {
			err := e.call(s)
			pe, ok := persona.AsError(err)
			if !ok || pe.Code != persona.CodeInvalid {
				t.Errorf("%s %q: want a field error, got %v", e.name, s, err)
				continue
			}
			found := false
			for _, f := range pe.Fields {
				found = found || (f.Field == e.field && strings.Contains(f.Message, "control character"))
			}
			if !found {
				t.Errorf("%s %q: no control-character error at %s: %+v", e.name, s, e.field, pe.Fields)
			}
		}
	}
	// Nothing was written: no new organisation, group, variant, note …
	if _, _, err := svc.GetOrg(ctx, a, "ctl-org"); persona.ErrorCode(err) != persona.CodeNotFound {
		t.Errorf("a refused organisation exists: %v", err)
	}
	if after, _ := svc.ListGroups(ctx, a, org); len(after) != len(groups) {
		t.Errorf("groups: %d → %d", len(groups), len(after))
	}
	if again, _ := svc.GetPersona(ctx, a, org, p.ID); again.Revision != p.Revision {
		t.Errorf("the persona was saved: revision %d → %d", p.Revision, again.Revision)
	}
	// Multi-line text keeps tabs and line breaks; CRLF becomes LF.
	g, err := svc.UpdateGroup(ctx, a, org, group.ID, app.GroupInput{Name: group.Name, Description: "first\r\n\tsecond\rthird\u2028fourth"})
	if err != nil || g.Description != "first\n\tsecond\nthird\u2028fourth" {
		t.Errorf("multi-line description: %q %v", g.Description, err)
	}
	n, err := svc.AddNote(ctx, a, org, persona.NoteOnOrg, "", "- one\r\n- two\n\n\tcode")
	if err != nil || n.Body != "- one\n- two\n\n\tcode" {
		t.Errorf("note: %q %v", n.Body, err)
	}
	// And every script stays as it was typed.
	for _, name := range []string{"王芳", "Ольга Смирнова", "Nguyễn Thị Minh", "שרה לוי", "محمد", "Łódź 👩🏽‍💻"} {
		if g, err := svc.CreateGroup(ctx, a, org, app.GroupInput{Name: name}); err != nil || g.Name != name {
			t.Errorf("group %q: %q %v", name, g.Name, err)
		}
	}
}
