package app_test

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/store/storetest"
)

// TestUsage, on both engines: a view counts once per member, persona and
// day; reads by API token and reads with usage off are not counted; the
// 30-day window drops older views (the 90-day one keeps them) while the
// last day viewed stays; comparisons and comments are references; the
// report lists every live persona, the never-opened ones with zeros;
// outsiders and unknown personas are not found, a bad window is invalid.
func TestUsage(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := t.Context()
			var clock atomic.Int64
			clock.Store(time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC).Unix())
			now := func() time.Time { return time.Unix(clock.Load(), 0).UTC() }
			svc := app.New(eng.Open(t), quiet, app.WithPasswordHasher(cheap), app.WithClock(now))
			owner := person(ctx, t, svc, "owner@example.com")
			const slug = "usage"
			if _, err := svc.CreateOrg(ctx, owner, "Usage Org", slug); err != nil {
				t.Fatal(err)
			}
			editor, viewer, outsider := person(ctx, t, svc, "editor@example.com"), person(ctx, t, svc, "viewer@example.com"), person(ctx, t, svc, "outsider@example.com")
			join(ctx, t, svc, slug, editor, persona.RoleEditor)
			join(ctx, t, svc, slug, viewer, persona.RoleViewer)
			org, _, err := svc.GetOrg(ctx, owner, slug)
			if err != nil {
				t.Fatal(err)
			}
			var tmpl string
			ts, _ := svc.ListTemplates(ctx, owner, slug)
			for _, tm := range ts {
				if tm.ProfileType == persona.ProfileUX {
					tmpl = tm.ID
				}
			}
			g, err := svc.CreateGroup(ctx, owner, slug, app.GroupInput{Name: "Nurses"})
			if err != nil {
				t.Fatal(err)
			}
			mk := func(name string) persona.Persona {
				p, err := svc.CreatePersona(ctx, owner, slug, app.PersonaInput{Name: name, TemplateID: tmpl, GroupID: g.ID,
					Status: persona.StatusDraft, Values: persona.Values{"role_title": "Tester"}})
				if err != nil {
					t.Fatal(err)
				}
				return p
			}
			ada, bea, cy := mk("Ada"), mk("Bea"), mk("Cy")
			view := func(a app.Actor, p persona.Persona, kind app.ViewKind) { svc.RecordView(a, org.ID, p.ID, kind) }

			// Day 1: the viewer opens Ada three times, the editor once;
			// the viewer opens Bea; a token reads Ada; Bea is compared.
			for range 3 {
				view(viewer, ada, app.ViewPersona)
			}
			view(editor, ada, app.ViewPersona)
			view(viewer, bea, app.ViewPersona)
			view(app.Actor{UserID: owner.UserID, TokenID: "token-1"}, ada, app.ViewPersona)
			view(editor, bea, app.ViewCompare)
			// With usage off nothing is recorded.
			svc.SetUsageRecording(false)
			if svc.UsageRecording() {
				t.Fatal("usage still on")
			}
			view(owner, cy, app.ViewPersona)
			svc.SetUsageRecording(true)
			svc.FlushUsage(ctx)

			n, err := svc.PersonaViewers(ctx, viewer, slug, ada.ID)
			if err != nil || n != 2 {
				t.Fatalf("Ada's viewers = %d, %v; want 2 (viewer and editor, not the token)", n, err)
			}
			if n, _ := svc.PersonaViewers(ctx, viewer, slug, cy.ID); n != 0 {
				t.Errorf("Cy's viewers = %d with usage off, want 0", n)
			}
			_, err = svc.PersonaViewers(ctx, outsider, slug, ada.ID)
			mustCode(t, err, persona.CodeNotFound, "an outsider counts viewers")

			// Day 2: the viewer opens Ada again (a second member-day); a
			// comment on one of Ada's fields is a reference.
			clock.Add(24 * 3600)
			view(viewer, ada, app.ViewPersona)
			svc.FlushUsage(ctx)
			if _, err := svc.AddComment(ctx, viewer, slug, app.CommentInput{Subject: persona.CommentOnPersona, SubjectID: ada.ID,
				FieldKey: "role_title", Body: "Is this still right?"}); err != nil {
				t.Fatal(err)
			}

			rep, err := svc.Usage(ctx, viewer, slug, 30)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Days != 30 || rep.Since != "2026-09-03" || len(rep.Personas) != 3 {
				t.Fatalf("report %+v", rep)
			}
			byName := map[string]app.PersonaUsage{}
			for _, u := range rep.Personas {
				byName[u.Name] = u
			}
			if u := byName["Ada"]; u.Viewers != 2 || u.Views != 3 || u.LastViewed != "2026-10-02" || u.References[app.RefComment] != 1 {
				t.Errorf("Ada %+v", u)
			}
			if u := byName["Bea"]; u.Viewers != 1 || u.Views != 1 || u.References[app.RefCompare] != 1 || u.References[app.RefComment] != 0 {
				t.Errorf("Bea %+v", u)
			}
			if u := byName["Cy"]; u.Viewers != 0 || u.Views != 0 || u.LastViewed != "" || len(u.References) != len(app.ReferenceKinds) {
				t.Errorf("Cy (never opened) %+v", u)
			}

			// 40 days later: out of the 30-day window, still in the 90-day.
			clock.Add(40 * 24 * 3600)
			_, u, err := svc.PersonaUsage(ctx, viewer, slug, ada.ID, 30)
			if err != nil {
				t.Fatal(err)
			}
			if u.Viewers != 0 || u.Views != 0 || u.LastViewed != "2026-10-02" {
				t.Errorf("Ada after 40 days, 30-day window: %+v", u)
			}
			rep, u, _ = svc.PersonaUsage(ctx, viewer, slug, ada.ID, 90)
			if rep.Days != 90 || u.Viewers != 2 || u.Views != 3 {
				t.Errorf("Ada after 40 days, 90-day window: %+v", u)
			}
			_, u, _ = svc.PersonaUsage(ctx, viewer, slug, bea.ID, 30)
			if u.References[app.RefCompare] != 0 {
				t.Errorf("a comparison 40 days ago still counts in 30 days: %+v", u)
			}

			_, err = svc.Usage(ctx, outsider, slug, 30)
			mustCode(t, err, persona.CodeNotFound, "an outsider reads the report")
			_, _, err = svc.PersonaUsage(ctx, outsider, slug, ada.ID, 30)
			mustCode(t, err, persona.CodeNotFound, "an outsider reads a persona's usage")
			_, _, err = svc.PersonaUsage(ctx, viewer, slug, "no-such-persona", 30)
			mustCode(t, err, persona.CodeNotFound, "an unknown persona's usage")
			_, err = svc.Usage(ctx, viewer, slug, 7)
			mustCode(t, err, persona.CodeInvalid, "a 7-day window")

			// A persona in the trash leaves the report.
			if err := svc.TrashPersona(ctx, owner, slug, cy.ID); err != nil {
				t.Fatal(err)
			}
			rep, _ = svc.Usage(ctx, viewer, slug, 30)
			if len(rep.Personas) != 2 {
				t.Errorf("after trashing Cy: %d personas", len(rep.Personas))
			}
		})
	}
}
