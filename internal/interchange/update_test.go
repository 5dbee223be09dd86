package interchange

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/demo"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/seed"
	"github.com/personapal/personapal/internal/store/storetest"
)

const updateMap = `
template: UX persona
group: Product users
mode: update
external_id: ID
name: Name
fields:
  role_title: Role
  goals: {column: Goals, split: ";"}
`

// TestUpdateModeWritesRevisionsNotDuplicates imports a file with external
// IDs, then the changed file again in update mode: matched personas get a
// new revision (audit entry per update), unmatched rows are created, an
// unchanged row gets no revision, fields the mapping does not give keep
// their values, and a renamed row is still found by its external ID. On
// both engines.
func TestUpdateModeWritesRevisionsNotDuplicates(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := context.Background()
			svc := app.New(eng.Open(t), app.WithPasswordHasher(app.PasswordHasher{Time: 1, Memory: 64, Threads: 1}))
			if _, err := seed.Demo(ctx, svc, demo.Data()); err != nil {
				t.Fatal(err)
			}
			before := len(all(t, svc))
			m := mapping(t, updateMap)
			first := "ID,Name,Role,Goals,Age\nx1,Ada Update,Analyst,One;Two,40\nx2,Bo Update,Dev,Ship,30\n"
			rep, err := run(t, svc, m, FormatCSV, textOpen(first), false)
			if err != nil || rep.Created != 2 || rep.Updated != 0 {
				t.Fatalf("first import: %+v %v", rep, err)
			}
			if !slices.Equal(rep.Warnings, []string{`column "Age" is not mapped: its values are not imported`}) {
				t.Fatalf("warnings %q", rep.Warnings)
			}
			ada := all(t, svc)["Ada Update"]
			// Someone fills a field the import does not map.
			in := app.PersonaInput{Name: ada.Name, Status: ada.Status, Values: persona.Values{}, Dimensions: ada.Dimensions}
			for k, v := range ada.Values {
				in.Values[k] = v
			}
			in.Values["quote"] = "Kept by hand"
			if _, err := svc.UpdatePersona(ctx, app.System, org, ada.ID, ada.Revision, in); err != nil {
				t.Fatal(err)
			}

			second := "ID,Name,Role,Goals,Age\nx1,Ada Renamed,Lead analyst,One;Two;Three,41\nx2,Bo Update,Dev,Ship,30\nx3,Cy New,QA,Test,22\n"
			dry, err := run(t, svc, m, FormatCSV, textOpen(second), true)
			if err != nil || dry.ToUpdate != 2 || dry.ToCreate != 1 || len(dry.Rows) != 3 || dry.Rows[0].Action != "update" || dry.Rows[2].Action != "create" {
				t.Fatalf("dry run: %+v %v", dry, err)
			}
			rep, err = run(t, svc, m, FormatCSV, textOpen(second), false)
			if err != nil || rep.Created != 1 || rep.Updated != 1 || rep.Unchanged != 1 {
				t.Fatalf("update import: %+v %v", rep, err)
			}
			ps := all(t, svc)
			if len(ps) != before+3 {
				t.Fatalf("%d personas, want %d (no duplicates)", len(ps), before+3)
			}
			got := ps["Ada Renamed"]
			if got.ID != ada.ID || got.Revision != 3 || got.Values["role_title"] != "Lead analyst" || got.Values["quote"] != "Kept by hand" {
				t.Fatalf("Ada after update: rev %d %+v", got.Revision, got.Values)
			}
			if g, _ := got.Values["goals"].([]string); !slices.Equal(g, []string{"One", "Two", "Three"}) {
				t.Fatalf("goals %#v", got.Values["goals"])
			}
			revs, err := svc.ListRevisions(ctx, app.System, org, ada.ID)
			if err != nil || len(revs) != 3 {
				t.Fatalf("revisions %d %v", len(revs), err)
			}
			if ps["Bo Update"].Revision != 1 {
				t.Fatalf("unchanged row got revision %d", ps["Bo Update"].Revision)
			}
			ev, err := svc.ListAudit(ctx, app.System, org, app.AuditQuery{Action: "update", ObjectKind: "persona"}, 0, 50)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, e := range ev {
				found = found || e.ObjectID == ada.ID && strings.Contains(e.Summary, "(import)")
			}
			if !found {
				t.Fatal("no audit entry for the imported update")
			}

			// Create mode refuses a known external ID, writing nothing.
			cm := mapping(t, strings.Replace(updateMap, "mode: update", "mode: create", 1))
			_, err = run(t, svc, cm, FormatCSV, textOpen("ID,Name,Role,Goals\nx3,Someone Else,QA,Test\n"), false)
			if err == nil || !strings.Contains(err.Error(), `row 2, column "ID": external_id: a persona with external ID "x3" already exists`) {
				t.Fatalf("create mode with a known external ID: %v", err)
			}
			// Update mode by name (no external ID) matches by name.
			nm := mapping(t, strings.Replace(updateMap, "external_id: ID\n", "", 1))
			rep, err = run(t, svc, nm, FormatCSV, textOpen("Name,Role,Goals\nCy New,Senior QA,Test\n"), false)
			if err != nil || rep.Updated != 1 || rep.Created != 0 || all(t, svc)["Cy New"].Values["role_title"] != "Senior QA" {
				t.Fatalf("update by name: %+v %v", rep, err)
			}
			// The organisation export carries the external IDs, and an
			// import of it records them again.
			doc, err := svc.ExportOrg(ctx, app.System, org)
			if err != nil {
				t.Fatal(err)
			}
			u, err := svc.CreateUser(ctx, "owner@example.com", "Owner", "a long and unusual passphrase")
			if err != nil {
				t.Fatal(err)
			}
			owner, err := svc.ActorFor(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.ImportOrg(ctx, owner, "ledgerline-copy", "", doc, false); err != nil {
				t.Fatal(err)
			}
			ids, err := svc.PersonaExternalIDs(ctx, owner, "ledgerline-copy")
			if err != nil || len(ids) != 3 || ids["x1"] != ada.ID {
				t.Fatalf("external IDs after the organisation import: %v %v", ids, err)
			}
			// A bad row fails the whole update import: nothing written.
			_, err = run(t, svc, m, FormatCSV, textOpen("ID,Name,Role,Goals\nx1,Ada Renamed,Changed,One\nx4,,QA,Test\n"), false)
			if err == nil || all(t, svc)["Ada Renamed"].Values["role_title"] != "Lead analyst" {
				t.Fatalf("all or nothing: %v", err)
			}
		})
	}
}
