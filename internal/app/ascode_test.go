package app_test

import (
	"encoding/json"
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

// copyFile deep-copies a persona file through JSON, as a file on disk is.
func copyFile(t *testing.T, f app.PersonaFile) app.PersonaFile {
	t.Helper()
	raw, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	var out app.PersonaFile
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func fieldErrors(t *testing.T, err error) string {
	t.Helper()
	e, ok := persona.AsError(err)
	if !ok || e.Code != persona.CodeInvalid {
		t.Fatalf("want an invalid error, got %v", err)
	}
	var b strings.Builder
	for _, f := range e.Fields {
		b.WriteString(f.Field + ": " + f.Message + "\n")
	}
	return b.String()
}

// TestApplyTreeVariantsNotesRevisionsAndRefusals applies persona files at
// the service, on SQLite and PostgreSQL: variant and note edits land with
// new revisions, the returned file carries them (so it applies again after
// another edit), a stale copy is refused per part, removing a variant or a
// note from a file is refused while a variant added in the app since is
// left alone, an editor cannot change someone else's note, and a dry run
// writes nothing.
func TestApplyTreeVariantsNotesRevisionsAndRefusals(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := t.Context()
			svc := app.New(eng.Open(t), app.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))), app.WithPasswordHasher(cheap))
			creds, err := seed.Demo(ctx, svc, demo.Data())
			if err != nil {
				t.Fatal(err)
			}
			u, _ := svc.UserByEmail(ctx, creds.Email)
			owner, _ := svc.ActorFor(ctx, u.ID)
			org := creds.OrgSlug
			var leadID string
			page, _ := svc.ListPersonas(ctx, owner, org, persona.PersonaFilter{Limit: 100}, "")
			for _, p := range page.Items {
				if p.Name == "System Lead" {
					leadID = p.ID
				}
			}
			if _, err := svc.AddNote(ctx, owner, org, persona.NoteOnPersona, leadID, "Owner's note"); err != nil {
				t.Fatal(err)
			}
			tree, err := svc.ExportTree(ctx, owner, org)
			if err != nil {
				t.Fatal(err)
			}
			var orig app.PersonaFile
			for _, f := range tree.Personas {
				if f.ID == leadID {
					orig = f
				}
			}
			if len(orig.Variants) != 2 || orig.Variants[0].Revision != 1 || len(orig.Notes) != 1 || orig.AsOf.IsZero() {
				t.Fatalf("the file lacks variants with revisions, the note or as_of: %+v", orig)
			}
			const name = "personas/system-lead.yaml"
			apply := func(f app.PersonaFile, dry bool) (app.TreeResult, error) {
				return svc.ApplyTree(ctx, owner, org, app.TreeFiles{Personas: map[string]app.PersonaFile{name: f}}, dry)
			}

			// Edit a variant's value and the note; add a variant and a note.
			f := copyFile(t, orig)
			f.Variants[1].Values["team_size"] = 3.0
			f.Notes[0].Body = "Owner's note, edited"
			f.Notes = append(f.Notes, persona.ExportNote{Body: "A second note"})
			f.Variants = append(f.Variants, app.VariantFile{ExportVariant: persona.ExportVariant{CustomerLabel: "Credit union", Values: persona.Values{"team_size": 1.0}}})
			before, _ := svc.ExportOrg(ctx, owner, org)
			if _, err := apply(f, true); err != nil {
				t.Fatal(err)
			}
			if after, _ := svc.ExportOrg(ctx, owner, org); !sameExport(before, after) {
				t.Fatal("a dry run wrote")
			}
			res, err := apply(f, false)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Changes) != 1 || res.Changes[0].Action != "update" || len(res.Changes[0].Parts) != 4 || len(res.Untracked) != 14 {
				t.Fatalf("result %+v", res)
			}
			w := res.Changes[0].Written
			if w == nil || w.Revision != orig.Revision || len(w.Variants) != 3 || w.Variants[1].Revision != 2 || w.Variants[2].ID == "" ||
				w.Variants[2].Revision != 1 || len(w.Notes) != 2 || w.Notes[0].Body != "Owner's note, edited" || !w.AsOf.After(orig.AsOf) {
				t.Fatalf("written back: %+v", w)
			}
			v, err := svc.GetVariant(ctx, owner, org, orig.Variants[1].ID)
			if err != nil || v.Variant.Values["team_size"] != 3.0 || v.Variant.Revision != 2 {
				t.Fatalf("variant %+v %v", v.Variant, err)
			}

			// The written-back file takes a second edit.
			g := copyFile(t, *w)
			g.Values["role_title"] = "Head of Reconciliation Platform"
			g.Variants[2].Note = "Tiny team"
			g.Notes[1].Body = "A second note, edited"
			if _, err := apply(g, false); err != nil {
				t.Fatalf("second edit of the written-back file: %v", err)
			}

			// The original copy is stale everywhere it was edited since.
			s := copyFile(t, orig)
			s.Variants[1].Note = "Edited in an old copy"
			s.Notes[0].Body = "Also old"
			msgs := fieldErrors(t, func() error { _, err := apply(s, false); return err }())
			for _, want := range []string{name + ": revision: the file was written at revision", name + ": variants[1].revision", name + ": notes[0].updated_at"} {
				if !strings.Contains(msgs, want) {
					t.Errorf("stale copy: no %q in\n%s", want, msgs)
				}
			}

			// Removing a variant or a note is refused; a variant added in the
			// app after the export is not in the file and is left alone.
			tree, _ = svc.ExportTree(ctx, owner, org)
			for _, f := range tree.Personas {
				if f.ID == leadID {
					orig = f
				}
			}
			if _, err := svc.CreateVariant(ctx, owner, org, leadID, app.VariantInput{CustomerLabel: "Added in the app", Values: persona.Values{"team_size": 9.0}}); err != nil {
				t.Fatal(err)
			}
			if res, err := apply(copyFile(t, orig), false); err != nil || res.Changes[0].Action != "unchanged" {
				t.Fatalf("a variant added since the export: %+v %v", res, err)
			}
			r := copyFile(t, orig)
			r.Variants, r.Notes = r.Variants[1:], r.Notes[1:]
			msgs = fieldErrors(t, func() error { _, err := apply(r, false); return err }())
			if !strings.Contains(msgs, name+": variants: the ") || !strings.Contains(msgs, "missing from the file") || !strings.Contains(msgs, name+": notes: note ") {
				t.Fatalf("removals: %s", msgs)
			}

			// An editor may not change the owner's note (an admin may).
			if _, err := svc.CreateUser(ctx, "ed@example.com", "Ed", "a long and unusual passphrase"); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.AddMember(ctx, app.System, org, "ed@example.com", persona.RoleEditor); err != nil {
				t.Fatal(err)
			}
			eu, _ := svc.UserByEmail(ctx, "ed@example.com")
			editor, _ := svc.ActorFor(ctx, eu.ID)
			e := copyFile(t, orig)
			e.Notes[0].Body = "Ed rewrites the owner's note"
			_, err = svc.ApplyTree(ctx, editor, org, app.TreeFiles{Personas: map[string]app.PersonaFile{name: e}}, false)
			if msgs := fieldErrors(t, err); !strings.Contains(msgs, "notes[0].body: only the note's author or an admin") {
				t.Fatalf("editor: %s", msgs)
			}
		})
	}
}

func sameExport(a, b persona.OrgExport) bool {
	a.ExportedAt = b.ExportedAt
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// TestApplyTreeIsAllOrNothing: when one file's write fails after another's
// succeeded, nothing of the directory is stored (SQLite and PostgreSQL).
// The failure is made by refusing the audit entries of variant changes,
// so the persona edit of the first file goes through and the variant edit
// of the second fails.
func TestApplyTreeIsAllOrNothing(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := t.Context()
			db := eng.Open(t)
			svc := app.New(db, app.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))), app.WithPasswordHasher(cheap))
			creds, err := seed.Demo(ctx, svc, demo.Data())
			if err != nil {
				t.Fatal(err)
			}
			u, _ := svc.UserByEmail(ctx, creds.Email)
			owner, _ := svc.ActorFor(ctx, u.ID)
			org := creds.OrgSlug
			tree, err := svc.ExportTree(ctx, owner, org)
			if err != nil {
				t.Fatal(err)
			}
			var plain, withVariant *app.PersonaFile
			for _, f := range tree.Personas {
				switch {
				case len(f.Variants) > 0 && withVariant == nil:
					withVariant = &f
				case len(f.Variants) == 0 && plain == nil:
					plain = &f
				}
			}
			if plain == nil || withVariant == nil {
				t.Fatal("the demo needs a persona with and one without variants")
			}
			a, b := copyFile(t, *plain), copyFile(t, *withVariant)
			a.Summary = "Changed by the first file"
			b.Variants[0].Note = "Changed by the second file"
			files := app.TreeFiles{Personas: map[string]app.PersonaFile{"personas/a.yaml": a, "personas/b.yaml": b}}

			refuse, allow := `CREATE TRIGGER refuse_variant_audit BEFORE INSERT ON audit_log WHEN NEW.object_kind = 'variant' BEGIN SELECT RAISE(ABORT, 'audit refused'); END`,
				`DROP TRIGGER refuse_variant_audit`
			if eng.Name == "postgres" {
				refuse = `CREATE FUNCTION refuse_variant_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.object_kind = 'variant' THEN RAISE EXCEPTION 'audit refused'; END IF; RETURN NEW; END $$;
					CREATE TRIGGER refuse_variant_audit BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse_variant_audit()`
				allow = `DROP TRIGGER refuse_variant_audit ON audit_log; DROP FUNCTION refuse_variant_audit()`
			}
			before, _ := svc.ExportOrg(ctx, owner, org)
			if _, err := db.SQL().ExecContext(ctx, refuse); err != nil {
				t.Fatal(err)
			}
			res, err := svc.ApplyTree(ctx, owner, org, files, false)
			if err == nil || !strings.Contains(err.Error(), "audit refused") || len(res.Changes) != 0 {
				t.Fatalf("apply with a failing second file: %+v, %v", res, err)
			}
			if after, _ := svc.ExportOrg(ctx, owner, org); !sameExport(before, after) {
				t.Fatal("the first file's edit was stored although the second failed")
			}
			if _, err := db.SQL().ExecContext(ctx, allow); err != nil {
				t.Fatal(err)
			}
			if res, err = svc.ApplyTree(ctx, owner, org, files, false); err != nil || len(res.Changes) != 2 {
				t.Fatalf("apply: %+v, %v", res, err)
			}
			if p, _ := svc.GetPersona(ctx, owner, org, a.ID); p.Summary != a.Summary {
				t.Fatalf("summary %q", p.Summary)
			}
		})
	}
}

// A persona file never sets a photo: one that carries a photo is refused
// by name, not applied without it.
func TestApplyTreeRefusesAPhoto(t *testing.T) {
	ctx := t.Context()
	svc := app.New(storetest.OpenSQLite(t), app.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))), app.WithPasswordHasher(cheap))
	creds, err := seed.Demo(ctx, svc, demo.Data())
	if err != nil {
		t.Fatal(err)
	}
	u, _ := svc.UserByEmail(ctx, creds.Email)
	owner, _ := svc.ActorFor(ctx, u.ID)
	tree, err := svc.ExportTree(ctx, owner, creds.OrgSlug)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range tree.Personas {
		if len(f.Photo) > 0 {
			t.Fatal("a persona file carries a photo")
		}
		g := copyFile(t, f)
		g.Photo, g.Summary = testJPEG(t), "Changed"
		_, err := svc.ApplyTree(ctx, owner, creds.OrgSlug, app.TreeFiles{Personas: map[string]app.PersonaFile{"personas/x.yaml": g}}, false)
		pe, ok := persona.AsError(err)
		if !ok || pe.Code != persona.CodeInvalid || len(pe.Fields) != 1 || pe.Fields[0].Field != "personas/x.yaml: photo" {
			t.Fatalf("a file with a photo: %v", err)
		}
		break
	}
}
