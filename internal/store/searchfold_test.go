package store

import (
	"slices"
	"testing"

	"github.com/personapal/personapal/internal/persona"
)

// testSearchFolding (conformance, both engines): names and text in every
// script are found by their folded forms the same way on SQLite and
// PostgreSQL — "lodz" finds "Łódź", "nguyen" finds "Nguyễn", "ольга" finds
// "Ольга", "αθηνα" finds "Αθήνα" — and different names in one script are
// not confused (王芳 is not 李娜).
func testSearchFolding(t *testing.T, db *DB) {
	ctx := t.Context()
	f := mustOrg(t, db, "folding")
	names := []string{"Łódź Kowalska", "Nguyễn Thị Minh", "Ольга Смирнова", "Мария Иванова", "王芳", "李娜",
		"山田太郎", "Μαρία Παπαδοπούλου", "محمد عبد الله", "דוד כהן", "Zoë Straße"}
	ids := map[string]string{}
	for _, n := range names {
		ids[n] = mustPersona(t, db, f, "", named(n), func(p *persona.Persona) { p.Summary = "Lives in Αθήνα" }).ID
	}
	note := persona.Note{ID: newID(), OrgID: f.Org.ID, Target: persona.NoteOnPersona, TargetID: ids["李娜"], PersonaID: ids["李娜"],
		Body: "Żółć and Đorđe", CreatedAt: t0, UpdatedAt: t0}
	wantNoErr(t, db.CreateNote(ctx, note, persona.SearchEntry{OrgID: f.Org.ID, Kind: persona.EntryNote, RefID: note.ID,
		PersonaID: note.PersonaID, Title: "Notiz für Łukasz", Body: note.Body}), "CreateNote")

	for q, want := range map[string][]string{
		"lodz":           {"Łódź Kowalska"},
		"ŁÓDŹ":           {"Łódź Kowalska"},
		"Łódź":           {"Łódź Kowalska"},
		"nguyen":         {"Nguyễn Thị Minh"},
		"Nguyễn thi":     {"Nguyễn Thị Minh"},
		"ольга":          {"Ольга Смирнова"},
		"Ольга":          {"Ольга Смирнова"},
		"СМИРНОВА":       {"Ольга Смирнова"},
		"мария":          {"Мария Иванова"},
		"王芳":             {"王芳"},
		"李娜":             {"李娜"},
		"山田":             {"山田太郎"},
		"μαρια":          {"Μαρία Παπαδοπούλου"},
		"ΠΑΠΑΔΟΠΟΥΛΟΥ":   {"Μαρία Παπαδοπούλου"},
		"محمد":           {"محمد عبد الله"},
		"דוד":            {"דוד כהן"},
		"zoe strasse":    {"Zoë Straße"},
		"zoë straße":     {"Zoë Straße"},
		"αθηνα kowalska": {"Łódź Kowalska"},
	} {
		hits, err := db.SearchPersonas(ctx, f.Org.ID, persona.SearchQuery{Text: q, Limit: 50})
		wantNoErr(t, err, "SearchPersonas "+q)
		var got []string
		for _, h := range hits {
			got = append(got, h.Name)
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("search %q found %q, want %q", q, got, want)
		}
	}
	// Every persona's summary says Αθήνα: the accent-less query finds all.
	if hits, _ := db.SearchPersonas(ctx, f.Org.ID, persona.SearchQuery{Text: "athina αθηνα", Limit: 50}); len(hits) != 0 {
		t.Errorf("a transliteration is not a search term: %d hits", len(hits))
	}
	if hits, _ := db.SearchPersonas(ctx, f.Org.ID, persona.SearchQuery{Text: "ΑΘΗΝΑ", Limit: 50}); len(hits) != len(names) {
		t.Errorf("ΑΘΗΝΑ found %d of %d", len(hits), len(names))
	}
	for _, q := range []string{"zolc", "dorde", "lukasz", "ŻÓŁĆ"} {
		entries, err := db.SearchEntries(ctx, f.Org.ID, q, 10)
		wantNoErr(t, err, "SearchEntries "+q)
		if len(entries) != 1 || entries[0].ID != note.ID {
			t.Errorf("entries for %q: %+v", q, entries)
		}
	}
}

// TestSearchIndexRebuiltFoldedOnMigrate (both engines): a database whose
// index predates folding — emptied, with the rebuild task pending, as
// right after migration 00014 — finds folded text once migrated, and the
// task runs once.
func TestSearchIndexRebuiltFoldedOnMigrate(t *testing.T) {
	opens := map[string]func(*testing.T) *DB{"sqlite": openSQLite, "postgres": openPostgres}
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			ctx := t.Context()
			db := opens[name](t)
			f := mustOrg(t, db, "refold")
			mustPersona(t, db, f, "", named("Łódź Nguyễn"))
			empty := []string{`UPDATE personas SET search = ''::tsvector`, `UPDATE search_entries SET search = ''::tsvector`}
			if name == "sqlite" {
				empty = []string{`INSERT INTO personas_fts (personas_fts) VALUES ('delete-all')`,
					`INSERT INTO search_entries_fts (search_entries_fts) VALUES ('delete-all')`}
			}
			for _, q := range append(empty, `INSERT INTO store_tasks (name) VALUES ('reindex_search')`) {
				if _, err := db.db.ExecContext(ctx, q); err != nil {
					t.Fatal(q, err)
				}
			}
			if hits, _ := db.SearchPersonas(ctx, f.Org.ID, persona.SearchQuery{Text: "lodz"}); len(hits) != 0 {
				t.Fatalf("the emptied index finds %d", len(hits))
			}
			wantNoErr(t, db.Migrate(ctx), "Migrate")
			for _, q := range []string{"lodz", "nguyen", "Łódź"} {
				if hits, err := db.SearchPersonas(ctx, f.Org.ID, persona.SearchQuery{Text: q}); err != nil || len(hits) != 1 {
					t.Errorf("after the rebuild %q finds %d (%v)", q, len(hits), err)
				}
			}
			var pending int
			if err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM store_tasks`).Scan(&pending); err != nil || pending != 0 {
				t.Errorf("store_tasks left: %d (%v)", pending, err)
			}
		})
	}
}
