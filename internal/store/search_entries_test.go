package store

import (
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/persona"
)

func testSearchEntries(t *testing.T, db *DB) {
	ctx := t.Context()
	f := mustOrg(t, db, "entries")
	g := mustGroup(t, db, f.Org.ID, "Wards")
	p := mustPersona(t, db, f, g.ID)
	c := persona.VariantContent{CustomerLabel: "Rural clinic", Note: "Paper charts and a single shared tablet", Values: persona.Values{"age": 50.0}}
	v := persona.Variant{ID: newID(), OrgID: f.Org.ID, PersonaID: p.ID, VariantContent: c, Revision: 1, CreatedAt: t0, UpdatedAt: t0}
	entry := persona.SearchEntry{OrgID: f.Org.ID, Kind: persona.EntryVariant, RefID: v.ID, PersonaID: p.ID, VariantID: v.ID,
		Title: "Nadia at Rural clinic", Body: c.Note}
	wantNoErr(t, db.CreateVariant(ctx, v, persona.VariantRevision{CreatedAt: t0, Content: c}, entry), "CreateVariant")
	pn := persona.Note{ID: newID(), OrgID: f.Org.ID, Target: persona.NoteOnPersona, TargetID: p.ID, PersonaID: p.ID,
		Body: "Nurses distrust the tablet battery", CreatedAt: t0, UpdatedAt: t0}
	wantNoErr(t, db.CreateNote(ctx, pn, persona.SearchEntry{OrgID: f.Org.ID, Kind: persona.EntryNote, RefID: pn.ID, PersonaID: p.ID,
		Title: "Note on a persona", Body: pn.Body}), "CreateNote")
	gn := persona.Note{ID: newID(), OrgID: f.Org.ID, Target: persona.NoteOnGroup, TargetID: g.ID, GroupID: g.ID,
		Body: "Tablet rollout planned for spring", CreatedAt: t0, UpdatedAt: t0}
	wantNoErr(t, db.CreateNote(ctx, gn, persona.SearchEntry{OrgID: f.Org.ID, Kind: persona.EntryNote, RefID: gn.ID,
		Title: "Note on a group", Body: gn.Body}), "CreateNote group")

	kinds := func(hits []persona.EntryHit) string {
		var ks []string
		for _, h := range hits {
			ks = append(ks, string(h.Kind)+":"+h.ID)
		}
		return strings.Join(ks, ",")
	}
	hits, err := db.SearchEntries(ctx, f.Org.ID, "tablet", 10)
	wantNoErr(t, err, "SearchEntries")
	if len(hits) != 3 {
		t.Fatalf("tablet hits: %s", kinds(hits))
	}
	for _, h := range hits {
		if !strings.Contains(strings.ToLower(h.Snippet), persona.SnippetOpen+"tablet") {
			t.Errorf("snippet without a marked match: %q", h.Snippet)
		}
	}
	hits, _ = db.SearchEntries(ctx, f.Org.ID, "rural", 10)
	if len(hits) != 1 || hits[0].Kind != persona.EntryVariant || hits[0].PersonaID != p.ID {
		t.Fatalf("variant by its title: %s", kinds(hits))
	}
	// Updating the note re-indexes it; deleting removes it.
	pn.Body = "Nurses prefer paper"
	wantNoErr(t, db.UpdateNote(ctx, pn, persona.SearchEntry{OrgID: f.Org.ID, Kind: persona.EntryNote, RefID: pn.ID, PersonaID: p.ID, Title: "Note on a persona", Body: pn.Body}), "UpdateNote")
	hits, _ = db.SearchEntries(ctx, f.Org.ID, "tablet", 10)
	wantEqual(t, len(hits), 2, "tablet hits after editing the note")
	wantNoErr(t, db.DeleteNote(ctx, f.Org.ID, gn.ID), "DeleteNote")
	hits, _ = db.SearchEntries(ctx, f.Org.ID, "tablet", 10)
	wantEqual(t, len(hits), 1, "tablet hits after deleting the group note")

	// The trash hides a persona's entries; another organisation sees none.
	wantNoErr(t, db.TrashPersona(ctx, f.Org.ID, p.ID, "", t0), "TrashPersona")
	hits, _ = db.SearchEntries(ctx, f.Org.ID, "paper", 10)
	wantEqual(t, len(hits), 0, "hits of a trashed persona")
	wantNoErr(t, db.RestorePersona(ctx, f.Org.ID, p.ID), "RestorePersona")
	hits, _ = db.SearchEntries(ctx, f.Org.ID, "paper", 10)
	wantEqual(t, len(hits), 2, "hits after restoring")
	o := mustOrg(t, db, "entries-other")
	hits, _ = db.SearchEntries(ctx, o.Org.ID, "paper", 10)
	wantEqual(t, len(hits), 0, "hits in another organisation")
	hits, err = db.SearchEntries(ctx, f.Org.ID, `"*) OR 1=1 --`, 10)
	wantNoErr(t, err, "hostile query")
	wantEqual(t, len(hits), 0, "hostile query hits")
	// Purging the persona removes its entries for good.
	wantNoErr(t, db.TrashPersona(ctx, f.Org.ID, p.ID, "", t0), "TrashPersona again")
	wantNoErr(t, db.PurgePersona(ctx, f.Org.ID, p.ID), "PurgePersona")
	var n int
	wantNoErr(t, db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM search_entries WHERE org_id = $1`, f.Org.ID).Scan(&n), "count")
	wantEqual(t, n, 0, "entries after purge")
}
