package app_test

import (
	"io"
	"log/slog"
	"testing"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/demo"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/seed"
	"github.com/personapal/personapal/internal/store/storetest"
)

// TestAddEvidenceAndLinkIsOneChange: a quote written for a field is either
// in the library and attached to that field, or not stored at all — a link
// that is refused takes the new item with it, on both engines.
func TestAddEvidenceAndLinkIsOneChange(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := t.Context()
			svc := app.New(eng.Open(t), app.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))), app.WithPasswordHasher(cheap))
			creds, err := seed.Demo(ctx, svc, demo.Data())
			if err != nil {
				t.Fatal(err)
			}
			u, err := svc.UserByEmail(ctx, creds.Email)
			if err != nil {
				t.Fatal(err)
			}
			owner, err := svc.ActorFor(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			org := creds.OrgSlug
			ps, err := svc.ListPersonas(ctx, owner, org, persona.PersonaFilter{}, "")
			if err != nil || len(ps.Items) == 0 {
				t.Fatalf("personas: %v", err)
			}
			p := ps.Items[0]
			count := func() int {
				t.Helper()
				n, cursor := 0, ""
				for {
					page, err := svc.ListEvidence(ctx, owner, org, persona.EvidenceFilter{}, cursor)
					if err != nil {
						t.Fatal(err)
					}
					n += len(page.Items)
					if cursor = page.NextCursor; cursor == "" {
						return n
					}
				}
			}
			before := count()
			quote := app.EvidenceInput{Kind: persona.EvidenceQuote, Title: "“We reconcile by hand”", Quote: "We reconcile by hand every Friday.", Speaker: "Ops lead"}

			_, _, err = svc.AddEvidenceAndLink(ctx, owner, org, quote, app.EvidenceLinkInput{PersonaID: p.ID, Field: "values.no_such_field", Stance: persona.StanceSupports})
			if err == nil {
				t.Fatal("a link to a field the persona does not have was accepted")
			}
			if got := count(); got != before {
				t.Fatalf("the refused link left %d new item(s) in the library", got-before)
			}

			var field string
			for k := range p.Values {
				field = "values." + k
				break
			}
			e, l, err := svc.AddEvidenceAndLink(ctx, owner, org, quote, app.EvidenceLinkInput{PersonaID: p.ID, Field: field, Stance: persona.StanceSupports})
			if err != nil {
				t.Fatal(err)
			}
			if l.EvidenceID != e.ID || l.PersonaID != p.ID || l.Field != field {
				t.Fatalf("link %+v for item %s", l, e.ID)
			}
			if got := count(); got != before+1 {
				t.Fatalf("library grew by %d, want 1", got-before)
			}
			pe, err := svc.PersonaEvidence(ctx, owner, org, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, x := range pe.Links {
				found = found || (x.EvidenceID == e.ID && x.Field == field)
			}
			if !found {
				t.Fatalf("the persona's evidence does not list the new quote on %s", field)
			}
		})
	}
}
