package app_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/store/storetest"
)

// TestAnOrganisationNeverLosesItsLastOwner: two owners, on two instances
// of the server over one database, demote or remove each other at the same
// moment, 50 times for each pairing. Once the check and the change run in
// one transaction that serialises on the organisation, one of the pair
// always wins and the other is refused: never zero owners.
func TestAnOrganisationNeverLosesItsLastOwner(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := t.Context()
			dsn := eng.DSN(t)
			quiet := app.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
			one := app.New(storetest.OpenDSN(t, dsn), quiet, app.WithPasswordHasher(cheap))
			two := app.New(storetest.OpenDSN(t, dsn), quiet, app.WithPasswordHasher(cheap))

			a, err := one.CreateUser(ctx, "ada@example.com", "Ada", "ada-password-1")
			if err != nil {
				t.Fatal(err)
			}
			b, err := one.CreateUser(ctx, "bo@example.com", "Bo", "bo-password-12")
			if err != nil {
				t.Fatal(err)
			}
			org, err := one.CreateOrg(ctx, app.Actor{UserID: a.ID, Email: a.Email}, "Two Owners", "two-owners")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := one.AddMember(ctx, app.System, org.Slug, b.Email, persona.RoleOwner); err != nil {
				t.Fatal(err)
			}
			actorA, actorB := app.Actor{UserID: a.ID, Email: a.Email}, app.Actor{UserID: b.ID, Email: b.Email}
			type move func(svc *app.Service, by app.Actor, target string) error
			demote := func(svc *app.Service, by app.Actor, target string) error {
				_, err := svc.SetMemberRole(ctx, by, org.Slug, target, persona.RoleAdmin)
				return err
			}
			remove := func(svc *app.Service, by app.Actor, target string) error {
				return svc.RemoveMember(ctx, by, org.Slug, target)
			}
			pairs := []struct {
				name   string
				ab, ba move
			}{{"demote/demote", demote, demote}, {"remove/remove", remove, remove}, {"demote/remove", demote, remove}}
			for _, pair := range pairs {
				for round := range 50 {
					var wg sync.WaitGroup
					errs := make([]error, 2)
					wg.Go(func() { errs[0] = pair.ab(one, actorA, b.ID) })
					wg.Go(func() { errs[1] = pair.ba(two, actorB, a.ID) })
					wg.Wait()
					owners := ownersOf(ctx, t, one, org.Slug)
					if owners == 0 {
						t.Fatalf("%s round %d: no owner left (errors %v)", pair.name, round, errs)
					}
					if errs[0] == nil && errs[1] == nil {
						t.Fatalf("%s round %d: both changes succeeded", pair.name, round)
					}
					for _, err := range errs {
						if err != nil && persona.ErrorCode(err) == "" {
							t.Fatalf("%s round %d: internal error %v", pair.name, round, err)
						}
					}
					// Two owners again for the next round.
					for _, u := range []persona.User{a, b} {
						if _, err := one.SetMemberRole(ctx, app.System, org.Slug, u.ID, persona.RoleOwner); persona.ErrorCode(err) == persona.CodeNotFound {
							_, err = one.AddMember(ctx, app.System, org.Slug, u.Email, persona.RoleOwner)
							if err != nil {
								t.Fatal(err)
							}
						} else if err != nil {
							t.Fatal(err)
						}
					}
				}
			}
		})
	}
}

func ownersOf(ctx context.Context, t *testing.T, svc *app.Service, slug string) int {
	t.Helper()
	members, err := svc.ListMembers(ctx, app.System, slug)
	if err != nil {
		t.Fatal(fmt.Errorf("list members: %w", err))
	}
	n := 0
	for _, m := range members {
		if m.Role == persona.RoleOwner {
			n++
		}
	}
	return n
}
