package app_test

import (
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/demo"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/seed"
	"github.com/personapal/personapal/internal/store/storetest"
)

// TestPersonaAuditEntriesCommitWithTheChange: a persona change and its audit
// entry are one transaction. While the database refuses audit entries, no
// persona change is stored either (create, update, trash, restore and
// purge); once it accepts them, each change has exactly one entry.
func TestPersonaAuditEntriesCommitWithTheChange(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := t.Context()
			db := eng.Open(t)
			svc := app.New(db, app.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))), app.WithPasswordHasher(cheap))
			creds, err := seed.Demo(ctx, svc, demo.Data())
			if err != nil {
				t.Fatal(err)
			}
			slug := creds.OrgSlug
			refuse, allow := `CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'audit refused'); END`,
				`DROP TRIGGER refuse_audit`
			if eng.Name == "postgres" {
				refuse = `CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit refused'; END $$;
					CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse_audit()`
				allow = `DROP TRIGGER refuse_audit ON audit_log; DROP FUNCTION refuse_audit()`
			}
			sqlExec := func(q string) {
				t.Helper()
				if _, err := db.SQL().ExecContext(ctx, q); err != nil {
					t.Fatal(err)
				}
			}
			entries := func(action, id string) int {
				t.Helper()
				evs, err := svc.ListAudit(ctx, app.System, slug, app.AuditQuery{Action: action, ObjectKind: "persona"}, 0, 1000)
				if err != nil {
					t.Fatal(err)
				}
				n := 0
				for _, e := range evs {
					if e.ObjectID == id {
						n++
					}
				}
				return n
			}
			page, err := svc.ListPersonas(ctx, app.System, slug, persona.PersonaFilter{Limit: 1}, "")
			if err != nil || len(page.Items) == 0 {
				t.Fatal("no demo persona", err)
			}
			p := page.Items[0]
			in := app.PersonaInput{TemplateID: p.TemplateID, GroupID: p.GroupID, Name: "Audited", Status: persona.StatusDraft,
				Values: p.Values, Dimensions: p.Dimensions}
			// refused: the write failed because its entry was refused.
			refused := func(what string, err error) {
				t.Helper()
				if err == nil || !strings.Contains(err.Error(), "audit refused") {
					t.Errorf("%s while its audit entry was refused: err = %v, want the refusal", what, err)
				}
			}

			updatesBefore := entries("update", p.ID)
			sqlExec(refuse)
			_, err = svc.CreatePersona(ctx, app.System, slug, in)
			refused("create", err)
			edit := app.PersonaInput{TemplateID: p.TemplateID, GroupID: p.GroupID, Name: p.Name, Summary: "Changed without an entry",
				Status: p.Status, Values: p.Values, Dimensions: p.Dimensions}
			_, err = svc.UpdatePersona(ctx, app.System, slug, p.ID, p.Revision, edit)
			refused("update", err)
			refused("trash", svc.TrashPersona(ctx, app.System, slug, p.ID))
			after, err := svc.GetPersona(ctx, app.System, slug, p.ID)
			if err != nil || after.Revision != p.Revision || after.Summary != p.Summary {
				t.Fatalf("the persona changed without its entry: %+v %v", after, err)
			}
			sqlExec(allow)

			created, err := svc.CreatePersona(ctx, app.System, slug, in)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.UpdatePersona(ctx, app.System, slug, p.ID, p.Revision, edit); err != nil {
				t.Fatal(err)
			}
			if err := svc.TrashPersona(ctx, app.System, slug, created.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.RestorePersona(ctx, app.System, slug, created.ID); err != nil {
				t.Fatal(err)
			}
			if err := svc.TrashPersona(ctx, app.System, slug, created.ID); err != nil {
				t.Fatal(err)
			}
			sqlExec(refuse)
			refused("purge", svc.PurgePersona(ctx, app.System, slug, created.ID))
			if trash, err := svc.ListTrash(ctx, app.System, slug); err != nil || len(trash) != 1 || trash[0].ID != created.ID {
				t.Errorf("the trashed persona is gone without its purge entry: %v %v", trash, err)
			}
			sqlExec(allow)
			if err := svc.PurgePersona(ctx, app.System, slug, created.ID); err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				action, id string
				want       int
			}{{"create", created.ID, 1}, {"update", p.ID, updatesBefore + 1}, {"trash", p.ID, 0}, {"trash", created.ID, 2}, {"restore", created.ID, 1}, {"purge", created.ID, 1}} {
				if got := entries(c.action, c.id); got != c.want {
					t.Errorf("%s entries for %s: %d, want %d", c.action, c.id, got, c.want)
				}
			}
			// A trash of a persona that is not there changes nothing and
			// records nothing.
			if err := svc.TrashPersona(ctx, app.System, slug, created.ID); persona.ErrorCode(err) != persona.CodeNotFound {
				t.Errorf("trash of a purged persona: %v", err)
			}
			if got := entries("trash", created.ID); got != 2 {
				t.Errorf("trash entries after a refused trash: %d, want 2", got)
			}
		})
	}
}
