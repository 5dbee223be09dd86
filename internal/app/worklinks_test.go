package app_test

import (
	"testing"
	"time"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/store/storetest"
)

// TestWorkLinks, on both engines: editors attach and remove work links,
// the kind is guessed from the address and the title defaults to it,
// viewers list them (a persona's and the organisation's, filtered), a
// viewer cannot change them (403), an outsider reaches nothing (404), a
// bad address is invalid on "url", and a link is only removed through its
// own persona.
func TestWorkLinks(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := t.Context()
			now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
			r := newReviewOrg(ctx, t, eng, now)
			p := r.persona(ctx, t, r.owner, "Nora Nurse", "2026-11-01", 90)
			q := r.persona(ctx, t, r.owner, "Dan Doctor", "2026-11-01", 90)

			in := app.WorkLinkInput{URL: "https://linear.app/acme/issue/ENG-12/"}
			_, err := r.svc.AddWorkLink(ctx, r.outsider, r.slug, p.ID, in)
			mustCode(t, err, persona.CodeNotFound, "an outsider adds one")
			_, err = r.svc.AddWorkLink(ctx, r.viewer, r.slug, p.ID, in)
			mustCode(t, err, persona.CodeForbidden, "a viewer adds one")
			_, err = r.svc.AddWorkLink(ctx, r.editor, r.slug, "no-such-persona", in)
			mustCode(t, err, persona.CodeNotFound, "a missing persona")
			_, err = r.svc.AddWorkLink(ctx, r.editor, r.slug, p.ID, app.WorkLinkInput{URL: "javascript:alert(1)"})
			mustCode(t, err, persona.CodeInvalid, "a script address")
			if e, _ := persona.AsError(err); len(e.Fields) != 1 || e.Fields[0].Field != "url" {
				t.Errorf("a script address: fields %+v", e.Fields)
			}

			a, err := r.svc.AddWorkLink(ctx, r.editor, r.slug, p.ID, in)
			if err != nil {
				t.Fatal(err)
			}
			if a.Kind != persona.WorkLinear || a.Title != "linear.app/acme/issue/ENG-12" {
				t.Errorf("guessed %+v", a)
			}
			b, err := r.svc.AddWorkLink(ctx, r.editor, r.slug, p.ID, app.WorkLinkInput{URL: "https://example.com/brief", Title: "Brief", Kind: persona.WorkDocument})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := r.svc.AddWorkLink(ctx, r.editor, r.slug, q.ID, app.WorkLinkInput{URL: "https://github.com/acme/app/issues/1"}); err != nil {
				t.Fatal(err)
			}

			ls, err := r.svc.ListWorkLinks(ctx, r.viewer, r.slug, p.ID)
			if err != nil || len(ls) != 2 || ls[0].ID != a.ID || ls[1].ID != b.ID {
				t.Fatalf("the persona's links: %+v %v", ls, err)
			}
			_, err = r.svc.ListWorkLinks(ctx, r.outsider, r.slug, p.ID)
			mustCode(t, err, persona.CodeNotFound, "an outsider lists them")
			all, err := r.svc.ListOrgWorkLinks(ctx, r.viewer, r.slug, persona.WorkLinkFilter{})
			if err != nil || len(all) != 3 {
				t.Fatalf("the organisation's links: %d %v", len(all), err)
			}
			docs, _ := r.svc.ListOrgWorkLinks(ctx, r.viewer, r.slug, persona.WorkLinkFilter{Kind: persona.WorkDocument})
			if len(docs) != 1 || docs[0].ID != b.ID {
				t.Errorf("documents: %+v", docs)
			}
			mine, _ := r.svc.ListOrgWorkLinks(ctx, r.viewer, r.slug, persona.WorkLinkFilter{PersonaID: q.ID})
			if len(mine) != 1 || mine[0].PersonaID != q.ID {
				t.Errorf("q's links: %+v", mine)
			}
			_, err = r.svc.ListOrgWorkLinks(ctx, r.viewer, r.slug, persona.WorkLinkFilter{Kind: "trello"})
			mustCode(t, err, persona.CodeInvalid, "an unknown kind")

			mustCode(t, r.svc.RemoveWorkLink(ctx, r.viewer, r.slug, p.ID, a.ID), persona.CodeForbidden, "a viewer removes one")
			mustCode(t, r.svc.RemoveWorkLink(ctx, r.editor, r.slug, q.ID, a.ID), persona.CodeNotFound, "through another persona")
			if err := r.svc.RemoveWorkLink(ctx, r.editor, r.slug, p.ID, a.ID); err != nil {
				t.Fatal(err)
			}
			mustCode(t, r.svc.RemoveWorkLink(ctx, r.editor, r.slug, p.ID, a.ID), persona.CodeNotFound, "removing twice")
			ls, _ = r.svc.ListWorkLinks(ctx, r.viewer, r.slug, p.ID)
			if len(ls) != 1 {
				t.Errorf("after the removal: %+v", ls)
			}
		})
	}
}
