package store

import (
	"testing"

	"github.com/personapal/personapal/internal/persona"
)

// TestSearchIndexRebuiltOnMigrate: a database whose full-text index is
// empty with the rebuild task pending (as right after migration 00010 on
// an existing database) finds every persona and entry again once migrated,
// and the task runs once.
func TestSearchIndexRebuiltOnMigrate(t *testing.T) {
	ctx := t.Context()
	db := openSQLite(t)
	f := mustOrg(t, db, "reindex")
	p := mustPersona(t, db, f, "", named("Cardiology lead"))
	n := persona.Note{ID: newID(), OrgID: f.Org.ID, Target: persona.NoteOnPersona, TargetID: p.ID, PersonaID: p.ID,
		Body: "Pager fatigue on night shifts", CreatedAt: t0, UpdatedAt: t0}
	wantNoErr(t, db.CreateNote(ctx, n, persona.SearchEntry{OrgID: f.Org.ID, Kind: persona.EntryNote, RefID: n.ID, PersonaID: p.ID,
		Title: "Note", Body: n.Body}), "CreateNote")
	other := mustOrg(t, db, "reindex-other")
	mustPersona(t, db, other, "", named("Cardiology spy"))

	count := func() (int, int) {
		t.Helper()
		hits, err := db.SearchPersonas(ctx, f.Org.ID, persona.SearchQuery{Text: "cardio"})
		wantNoErr(t, err, "SearchPersonas")
		entries, err := db.SearchEntries(ctx, f.Org.ID, "pager", 10)
		wantNoErr(t, err, "SearchEntries")
		return len(hits), len(entries)
	}
	if h, e := count(); h != 1 || e != 1 {
		t.Fatalf("before: %d persona hits, %d entry hits; want 1, 1", h, e)
	}
	for _, q := range []string{
		`INSERT INTO personas_fts (personas_fts) VALUES ('delete-all')`,
		`INSERT INTO search_entries_fts (search_entries_fts) VALUES ('delete-all')`,
		`INSERT INTO store_tasks (name) VALUES ('reindex_search')`,
	} {
		if _, err := db.db.ExecContext(ctx, q); err != nil {
			t.Fatal(q, err)
		}
	}
	if h, e := count(); h != 0 || e != 0 {
		t.Fatalf("emptied index still finds %d personas, %d entries", h, e)
	}
	wantNoErr(t, db.Migrate(ctx), "Migrate")
	if h, e := count(); h != 1 || e != 1 {
		t.Errorf("after the rebuild: %d persona hits, %d entry hits; want 1, 1", h, e)
	}
	var pending int
	if err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM store_tasks`).Scan(&pending); err != nil || pending != 0 {
		t.Errorf("store_tasks left: %d (%v)", pending, err)
	}
	// The other organisation's persona is indexed under its own key: it is
	// found there and not here.
	hits, err := db.SearchPersonas(ctx, other.Org.ID, persona.SearchQuery{Text: "spy"})
	wantNoErr(t, err, "SearchPersonas other")
	wantEqual(t, len(hits), 1, "other organisation's hits after the rebuild")
}

func TestFTSKeysDifferPerOrganisation(t *testing.T) {
	a, b := ftsKey("0190a1b2-0000-7000-8000-000000000001"), ftsKey("0190a1b2-0000-7000-8000-000000000002")
	if a == b || len(a) != 11 {
		t.Errorf("keys %q and %q: want distinct, 11 characters", a, b)
	}
	if got := ftsWords(a, "Month-end close"); got != a+"month "+a+"end "+a+"close" {
		t.Errorf("ftsWords = %q", got)
	}
	if got := ftsMatch("x", []string{"audit", `tr"ail`}); got != `"`+ftsKey("x")+`audit"* AND "`+ftsKey("x")+`tr""ail"*` {
		t.Errorf("ftsMatch = %q", got)
	}
}
