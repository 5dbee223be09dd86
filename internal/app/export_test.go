package app_test

import (
	"bytes"
	"encoding/json"
	"image"
	"image/jpeg"
	"io"
	"log/slog"
	"path"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/demo"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/seed"
	"github.com/personapal/personapal/internal/store/storetest"
)

var cheap = app.PasswordHasher{Time: 1, Memory: 64, Threads: 1}

func TestOrganisationExportImportRoundTrip(t *testing.T) {
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
			if _, err := svc.AddNote(ctx, owner, creds.OrgSlug, persona.NoteOnOrg, "", "Org-wide **context**"); err != nil {
				t.Fatal(err)
			}
			// A photo goes along, byte for byte.
			all, _ := svc.ListPersonas(ctx, owner, creds.OrgSlug, persona.PersonaFilter{Limit: 1}, "")
			if err := svc.SetPersonaPhoto(ctx, owner, creds.OrgSlug, all.Items[0].ID, testJPEG(t)); err != nil {
				t.Fatal(err)
			}
			// Work links go along, who added them and when.
			for _, in := range []app.WorkLinkInput{{URL: "https://acme.atlassian.net/browse/PP-1", Title: "Checkout research"},
				{URL: "https://www.figma.com/file/abc/Checkout"}} {
				if _, err := svc.AddWorkLink(ctx, owner, creds.OrgSlug, all.Items[0].ID, in); err != nil {
					t.Fatal(err)
				}
			}
			first, err := svc.ExportOrg(ctx, owner, creds.OrgSlug)
			if err != nil {
				t.Fatal(err)
			}
			works := 0
			for _, p := range first.Personas {
				works += len(p.WorkLinks)
			}
			if works != 2 {
				t.Fatalf("export carries %d work links, want 2", works)
			}
			docs := 0
			for _, ev := range first.Evidence {
				if ev.File != nil && len(ev.File.Data) > 0 {
					docs++
				}
			}
			if first.Catalogue == nil || len(first.Catalogue.Modules) == 0 || len(first.Launchpads) == 0 {
				t.Fatalf("export lacks the catalogue or Launchpads")
			}
			if len(first.Evidence) == 0 || docs == 0 {
				t.Fatalf("export lacks evidence: %d items, %d with files", len(first.Evidence), docs)
			}
			if len(first.Personas) < 15 || len(first.Alignment.Claims) == 0 || len(first.Templates) != 4 || len(first.Notes) != 1 {
				t.Fatalf("export lacks data: %d personas, %d claims, %d templates, %d notes", len(first.Personas), len(first.Alignment.Claims), len(first.Templates), len(first.Notes))
			}
			// Through JSON, as a file would carry it.
			raw, err := json.Marshal(first)
			if err != nil {
				t.Fatal(err)
			}
			var doc persona.OrgExport
			if err := json.Unmarshal(raw, &doc); err != nil {
				t.Fatal(err)
			}
			dry, err := svc.ImportOrg(ctx, owner, "ledgerline-copy", "", doc, true)
			if err != nil || !dry.DryRun || dry.Personas != len(first.Personas) {
				t.Fatalf("dry run: %+v %v", dry, err)
			}
			if _, _, err := svc.GetOrg(ctx, owner, "ledgerline-copy"); persona.ErrorCode(err) != persona.CodeNotFound {
				t.Fatalf("a dry run created the organisation: %v", err)
			}
			rep, err := svc.ImportOrg(ctx, owner, "ledgerline-copy", "", doc, false)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Personas != len(first.Personas) || rep.Variants != 2 || rep.Photos != 1 || len(rep.Warnings) != 0 {
				t.Fatalf("import report %+v", rep)
			}
			second, err := svc.ExportOrg(ctx, owner, "ledgerline-copy")
			if err != nil {
				t.Fatal(err)
			}
			// Documented differences: when it was exported, and the slug given.
			second.ExportedAt, second.Org.Slug = first.ExportedAt, first.Org.Slug
			a, _ := json.Marshal(first)
			b, _ := json.Marshal(second)
			if string(a) != string(b) {
				t.Fatalf("round trip is not lossless:\n%s", cmp.Diff(first, second))
			}
			// The copy works like the original: search finds its variants.
			hits, err := svc.SearchEntries(ctx, owner, "ledgerline-copy", "advisory board", 10)
			if err != nil || len(hits) == 0 {
				t.Fatalf("search in the copy: %v %v", hits, err)
			}
		})
	}
}

func TestImportRefusesBadDocumentsAndWritesNothing(t *testing.T) {
	ctx := t.Context()
	db := storetest.OpenSQLite(t)
	svc := app.New(db, app.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))), app.WithPasswordHasher(cheap))
	creds, err := seed.Demo(ctx, svc, demo.Data())
	if err != nil {
		t.Fatal(err)
	}
	u, _ := svc.UserByEmail(ctx, creds.Email)
	owner, _ := svc.ActorFor(ctx, u.ID)
	good, err := svc.ExportOrg(ctx, owner, creds.OrgSlug)
	if err != nil {
		t.Fatal(err)
	}
	clone := func() persona.OrgExport {
		raw, _ := json.Marshal(good)
		var e persona.OrgExport
		_ = json.Unmarshal(raw, &e)
		return e
	}
	cases := []struct {
		name  string
		edit  func(e *persona.OrgExport)
		where string
	}{
		{"wrong format", func(e *persona.OrgExport) { e.Format = "something/else" }, "format"},
		{"invalid value", func(e *persona.OrgExport) { e.Personas[0].Dimensions["risk_tolerance"] = 99.0 }, "personas[0].dimensions.risk_tolerance"},
		{"unknown template version", func(e *persona.OrgExport) { e.Personas[1].TemplateVersion = 7 }, "personas[1].template_version"},
		{"duplicate ID", func(e *persona.OrgExport) { e.Groups[1].ID = e.Groups[0].ID }, "groups[1].id"},
		{"dangling group", func(e *persona.OrgExport) { e.Personas[2].GroupID = "nope" }, "personas[2].group_id"},
		{"bad claim verdict", func(e *persona.OrgExport) { e.Alignment.Claims[0].Verdict = "maybe" }, "alignment.claims[0].verdict"},
		// IDs are canonical UUIDs, nothing else: no paths, no markup.
		{"dot-dot persona ID", func(e *persona.OrgExport) { e.Personas[0].ID = ".." }, "personas[0].id"},
		{"markup group ID", func(e *persona.OrgExport) { e.Groups[0].ID = "<script>alert(1)</script>" }, "groups[0].id"},
		{"path note ID", func(e *persona.OrgExport) {
			e.Notes = append(e.Notes, persona.ExportNote{ID: "../../etc/passwd", Body: "x"})
		}, "organisation.notes[?].id"},
		{"upper-case template ID", func(e *persona.OrgExport) { e.Templates[0].ID = strings.ToUpper(e.Templates[0].ID) }, "templates[0].id"},
		{"ID with a tail", func(e *persona.OrgExport) { e.Alignment.Links[0].ID += "/x" }, "alignment.links[0].id"},
		{"photo that is no picture", func(e *persona.OrgExport) { e.Personas[3].Photo = []byte("<svg onload=alert(1)>") }, "personas[3].photo"},
		{"evidence link to nowhere", func(e *persona.OrgExport) {
			for i := range e.Evidence {
				if len(e.Evidence[i].Links) > 0 {
					e.Evidence[i].Links[0].PersonaID = "ghost"
					return
				}
			}
		}, "evidence[?].links[0].persona_id"},
	}
	before, _ := db.CountOrgs(ctx)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := clone()
			tc.edit(&e)
			_, err := svc.ImportOrg(ctx, owner, "copy-"+strings.ReplaceAll(tc.name, " ", "-"), "", e, false)
			pe, ok := persona.AsError(err)
			if !ok || pe.Code != persona.CodeInvalid {
				t.Fatalf("want invalid, got %v", err)
			}
			found := false
			for _, f := range pe.Fields {
				if ok, _ := path.Match(strings.ReplaceAll(strings.ReplaceAll(tc.where, "[", "\\["), "]", "\\]"), f.Field); ok || f.Field == tc.where {
					found = true
				}
			}
			if !found {
				t.Fatalf("no error at %s: %+v", tc.where, pe.Fields)
			}
		})
	}
	// A slug that is taken: conflict, nothing written.
	if _, err := svc.ImportOrg(ctx, owner, creds.OrgSlug, "", clone(), false); persona.ErrorCode(err) != persona.CodeConflict {
		t.Fatalf("taken slug: %v", err)
	}
	if after, _ := db.CountOrgs(ctx); after != before {
		t.Fatalf("refused imports wrote organisations: %d → %d", before, after)
	}
}

// testJPEG is a small picture to upload as a photo.
func testJPEG(t *testing.T) []byte {
	t.Helper()
	var pic bytes.Buffer
	if err := jpeg.Encode(&pic, image.NewGray(image.Rect(0, 0, 300, 200)), nil); err != nil {
		t.Fatal(err)
	}
	return pic.Bytes()
}
