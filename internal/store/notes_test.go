package store

import (
	"testing"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

func testNotes(t *testing.T, db *DB) {
	ctx := t.Context()
	f := mustOrg(t, db, "notes")
	g := mustGroup(t, db, f.Org.ID, "Clinicians")
	p := mustPersona(t, db, f, g.ID)
	v := mustVariant(t, db, f, p.ID, persona.VariantContent{CustomerLabel: "Private clinic", Values: persona.Values{"age": 35.0}})
	note := func(target persona.NoteTarget, targetID string, at time.Time, set func(*persona.Note)) persona.Note {
		n := persona.Note{ID: newID(), OrgID: f.Org.ID, Target: target, TargetID: targetID, Body: "About " + string(target),
			AuthorID: f.Owner.ID, CreatedAt: at, UpdatedAt: at}
		if set != nil {
			set(&n)
		}
		wantNoErr(t, db.CreateNote(ctx, n, persona.SearchEntry{}), "CreateNote "+string(target))
		n.CreatedAt, n.UpdatedAt, n.AuthorName = want(at), want(at), f.Owner.Name
		return n
	}
	orgNote := note(persona.NoteOnOrg, "", t0, nil)
	older := note(persona.NoteOnPersona, p.ID, t0, func(n *persona.Note) { n.PersonaID = p.ID })
	newer := note(persona.NoteOnPersona, p.ID, t0.Add(time.Minute), func(n *persona.Note) { n.PersonaID = p.ID })
	vnote := note(persona.NoteOnVariant, v.ID, t0, func(n *persona.Note) { n.PersonaID, n.VariantID = p.ID, v.ID })
	gnote := note(persona.NoteOnGroup, g.ID, t0, func(n *persona.Note) { n.GroupID = g.ID })

	got, err := db.GetNote(ctx, f.Org.ID, orgNote.ID)
	wantNoErr(t, err, "GetNote")
	wantEqual(t, got, orgNote, "org note")
	list, err := db.ListNotes(ctx, f.Org.ID, persona.NoteOnPersona, p.ID)
	wantNoErr(t, err, "ListNotes")
	if len(list) != 2 || list[0].ID != newer.ID || list[1].ID != older.ID {
		t.Errorf("persona notes newest first: %+v", list)
	}
	// Edit and delete.
	older.Body, older.UpdatedAt = "Edited", t0.Add(time.Hour)
	wantNoErr(t, db.UpdateNote(ctx, older, persona.SearchEntry{}), "UpdateNote")
	got, _ = db.GetNote(ctx, f.Org.ID, older.ID)
	wantEqual(t, got.Body, "Edited", "edited body")
	wantNoErr(t, db.DeleteNote(ctx, f.Org.ID, newer.ID), "DeleteNote")
	_, err = db.GetNote(ctx, f.Org.ID, newer.ID)
	wantCode(t, err, persona.CodeNotFound, "deleted note")

	// The trash takes persona and variant notes along.
	wantNoErr(t, db.TrashPersona(ctx, f.Org.ID, p.ID, f.Owner.ID, t0), "TrashPersona")
	for _, id := range []string{older.ID, vnote.ID} {
		_, err := db.GetNote(ctx, f.Org.ID, id)
		wantCode(t, err, persona.CodeNotFound, "note of a trashed persona")
	}
	wantCode(t, db.UpdateNote(ctx, older, persona.SearchEntry{}), persona.CodeNotFound, "UpdateNote of a trashed persona's note")
	wantNoErr(t, db.RestorePersona(ctx, f.Org.ID, p.ID), "RestorePersona")
	wantNoErr(t, db.TrashVariant(ctx, f.Org.ID, v.ID, f.Owner.ID, t0), "TrashVariant")
	vl, _ := db.ListNotes(ctx, f.Org.ID, persona.NoteOnVariant, v.ID)
	wantEqual(t, len(vl), 0, "notes of a trashed variant")
	pl, _ := db.ListNotes(ctx, f.Org.ID, persona.NoteOnPersona, p.ID)
	wantEqual(t, len(pl), 1, "persona notes after restore")
	wantNoErr(t, db.RestoreVariant(ctx, f.Org.ID, v.ID), "RestoreVariant")
	vl, _ = db.ListNotes(ctx, f.Org.ID, persona.NoteOnVariant, v.ID)
	wantEqual(t, len(vl), 1, "notes of a restored variant")

	// Purging the persona deletes its notes and its variants' notes.
	wantNoErr(t, db.TrashPersona(ctx, f.Org.ID, p.ID, f.Owner.ID, t0), "TrashPersona again")
	wantNoErr(t, db.PurgePersona(ctx, f.Org.ID, p.ID), "PurgePersona")
	var n int
	wantNoErr(t, db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM notes WHERE org_id = $1 AND persona_id IS NOT NULL`, f.Org.ID).Scan(&n), "count")
	wantEqual(t, n, 0, "notes left after purge")

	// Other organisations: nothing visible, no notes on foreign targets.
	o := mustOrg(t, db, "notes-other")
	_, err = db.GetNote(ctx, o.Org.ID, gnote.ID)
	wantCode(t, err, persona.CodeNotFound, "GetNote across organisations")
	wantCode(t, db.DeleteNote(ctx, o.Org.ID, orgNote.ID), persona.CodeNotFound, "DeleteNote across organisations")
	foreign := persona.Note{ID: newID(), OrgID: o.Org.ID, Target: persona.NoteOnGroup, TargetID: g.ID, GroupID: g.ID, Body: "x", CreatedAt: t0, UpdatedAt: t0}
	wantCode(t, db.CreateNote(ctx, foreign, persona.SearchEntry{}), persona.CodeNotFound, "note on another organisation's group")
}

// testNotesPages pages through a target's notes newest first: every note
// once, ties on the creation time broken by ID, nothing of other targets
// or organisations, and a count of the visible notes.
func testNotesPages(t *testing.T, db *DB) {
	ctx := t.Context()
	f := mustOrg(t, db, "notepages")
	g := mustGroup(t, db, f.Org.ID, "Clinicians")
	p := mustPersona(t, db, f, g.ID)
	for i := range 45 {
		at := t0.Add(time.Duration(i/3) * time.Minute) // three notes share each minute
		n := persona.Note{ID: newID(), OrgID: f.Org.ID, Target: persona.NoteOnPersona, TargetID: p.ID, PersonaID: p.ID,
			Body: "note", AuthorID: f.Owner.ID, CreatedAt: at, UpdatedAt: at}
		wantNoErr(t, db.CreateNote(ctx, n, persona.SearchEntry{}), "CreateNote")
	}
	other := mustOrg(t, db, "notepages-other")
	wantNoErr(t, db.CreateNote(ctx, persona.Note{ID: newID(), OrgID: f.Org.ID, Target: persona.NoteOnOrg, Body: "org",
		AuthorID: f.Owner.ID, CreatedAt: t0.Add(time.Hour), UpdatedAt: t0.Add(time.Hour)}, persona.SearchEntry{}), "org note")

	all, err := db.ListNotes(ctx, f.Org.ID, persona.NoteOnPersona, p.ID)
	wantNoErr(t, err, "ListNotes")
	var got []string
	var after persona.NoteCursor
	for pages := 0; ; pages++ {
		page, err := db.ListNotesPage(ctx, f.Org.ID, persona.NoteOnPersona, p.ID, after, 20)
		wantNoErr(t, err, "ListNotesPage")
		for _, n := range page {
			got = append(got, n.ID)
		}
		if len(page) < 20 {
			wantEqual(t, pages, 2, "pages before the last")
			wantEqual(t, len(page), 5, "notes on the last page")
			break
		}
		last := page[len(page)-1]
		after = persona.NoteCursor{CreatedAt: last.CreatedAt, ID: last.ID}
	}
	ids := make([]string, len(all))
	for i, n := range all {
		ids[i] = n.ID
	}
	wantEqual(t, got, ids, "paged notes in ListNotes' order")
	for i := 1; i < len(all); i++ {
		a, b := all[i-1], all[i]
		if a.CreatedAt.Before(b.CreatedAt) || a.CreatedAt.Equal(b.CreatedAt) && a.ID < b.ID {
			t.Fatalf("not newest first at %d: %v %s before %v %s", i, a.CreatedAt, a.ID, b.CreatedAt, b.ID)
		}
	}
	n, err := db.CountNotes(ctx, f.Org.ID, persona.NoteOnPersona, p.ID)
	wantNoErr(t, err, "CountNotes")
	wantEqual(t, n, 45, "notes counted")
	n, _ = db.CountNotes(ctx, f.Org.ID, persona.NoteOnOrg, "")
	wantEqual(t, n, 1, "organisation notes counted")
	n, _ = db.CountNotes(ctx, other.Org.ID, persona.NoteOnPersona, p.ID)
	wantEqual(t, n, 0, "another organisation's count")
	page, _ := db.ListNotesPage(ctx, other.Org.ID, persona.NoteOnPersona, p.ID, persona.NoteCursor{}, 20)
	wantEqual(t, len(page), 0, "another organisation's page")

	// The trash hides them from pages and counts alike.
	wantNoErr(t, db.TrashPersona(ctx, f.Org.ID, p.ID, f.Owner.ID, t0), "TrashPersona")
	n, _ = db.CountNotes(ctx, f.Org.ID, persona.NoteOnPersona, p.ID)
	wantEqual(t, n, 0, "notes of a trashed persona counted")
	page, _ = db.ListNotesPage(ctx, f.Org.ID, persona.NoteOnPersona, p.ID, persona.NoteCursor{}, 20)
	wantEqual(t, len(page), 0, "notes of a trashed persona listed")
}
