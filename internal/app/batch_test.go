package app_test

import (
	"errors"
	"io"
	"iter"
	"log/slog"
	"testing"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/demo"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/seed"
	"github.com/personapal/personapal/internal/store/storetest"
)

func TestCreatePersonasIsAllOrNothing(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := t.Context()
			svc := app.New(eng.Open(t), app.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))), app.WithPasswordHasher(cheap))
			creds, err := seed.Demo(ctx, svc, demo.Data())
			if err != nil {
				t.Fatal(err)
			}
			tmpls, _ := svc.ListTemplates(ctx, app.System, creds.OrgSlug)
			groups, _ := svc.ListGroups(ctx, app.System, creds.OrgSlug)
			var agent persona.Template
			for _, tm := range tmpls {
				if tm.ProfileType == persona.ProfileAgent {
					agent = tm
				}
			}
			count := func() int {
				page, err := svc.ListPersonas(ctx, app.System, creds.OrgSlug, persona.PersonaFilter{Limit: 200}, "")
				if err != nil {
					t.Fatal(err)
				}
				return len(page.Items)
			}
			input := func(i int) app.PersonaInput {
				return app.PersonaInput{Name: "Bot " + string(rune('A'+i)), TemplateID: agent.ID, GroupID: groups[0].ID,
					Values: persona.Values{"purpose": "Answers questions"}}
			}
			seq := func(n int, failAt int, bad bool) iter.Seq2[app.PersonaInput, error] {
				return func(yield func(app.PersonaInput, error) bool) {
					for i := range n {
						in := input(i)
						var err error
						if i == failAt {
							if bad {
								in.Dimensions = persona.Values{"autonomy": 99}
							} else {
								err = errors.New("the file changed while importing")
							}
						}
						if !yield(in, err) {
							return
						}
					}
				}
			}
			before := count()
			if _, err := svc.CreatePersonas(ctx, app.System, creds.OrgSlug, seq(5, 3, true)); err == nil {
				t.Fatal("an invalid fourth persona was accepted")
			}
			if _, err := svc.CreatePersonas(ctx, app.System, creds.OrgSlug, seq(5, 2, false)); err == nil {
				t.Fatal("a failing sequence was accepted")
			}
			if got := count(); got != before {
				t.Fatalf("failed batches wrote %d personas", got-before)
			}
			n, err := svc.CreatePersonas(ctx, app.System, creds.OrgSlug, seq(5, -1, false))
			if err != nil || n != 5 || count() != before+5 {
				t.Fatalf("good batch: %d %v", n, err)
			}
		})
	}
}
