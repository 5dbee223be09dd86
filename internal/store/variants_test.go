package store

import (
	"sync"
	"testing"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

func mustVariant(t *testing.T, db *DB, f orgFixture, personaID string, c persona.VariantContent) persona.Variant {
	t.Helper()
	v := persona.Variant{ID: newID(), OrgID: f.Org.ID, PersonaID: personaID, VariantContent: c, Revision: 1,
		CreatedAt: t0, CreatedBy: f.Owner.ID, UpdatedAt: t0, UpdatedBy: f.Owner.ID}
	rev := persona.VariantRevision{VariantID: v.ID, OrgID: v.OrgID, Number: 1, AuthorID: f.Owner.ID, CreatedAt: t0, Message: "Created", Content: c}
	wantNoErr(t, db.CreateVariant(t.Context(), v, rev, persona.SearchEntry{}), "CreateVariant")
	v.CreatedAt, v.UpdatedAt = want(t0), want(t0)
	return v
}

func bigBankContent(customerID string) persona.VariantContent {
	return persona.VariantContent{
		CustomerID: customerID, Note: "Everything goes through the change board.",
		Values:         persona.Values{"goals": []string{"Pass the audit"}, "role": "Platform owner"},
		Dimensions:     persona.Values{"technical_comfort": 4.0},
		FieldNotes:     map[string]string{"values.goals": "Audit first at big banks"},
		BaseAtOverride: persona.Values{"values.goals": []string{"Finish handover notes before 7am"}},
	}
}

func testVariants(t *testing.T, db *DB) {
	ctx := t.Context()
	f := mustOrg(t, db, "variants")
	base := mustPersona(t, db, f, "")
	bank := mustPersona(t, db, f, "", named("Big Bank"))
	v := mustVariant(t, db, f, base.ID, bigBankContent(bank.ID))
	label := mustVariant(t, db, f, base.ID, persona.VariantContent{CustomerLabel: "Credit Union", Values: persona.Values{"age": 30.0}})

	got, err := db.GetVariant(ctx, f.Org.ID, v.ID)
	wantNoErr(t, err, "GetVariant")
	wantEqual(t, got, v, "variant round trip")

	list, err := db.ListVariants(ctx, f.Org.ID, base.ID)
	wantNoErr(t, err, "ListVariants")
	wantEqual(t, len(list), 2, "variants of the base")
	forBank, err := db.ListVariantsForCustomer(ctx, f.Org.ID, bank.ID)
	wantNoErr(t, err, "ListVariantsForCustomer")
	wantEqual(t, len(forBank), 1, "variants for the bank")
	forLabel, err := db.ListVariantsForLabel(ctx, f.Org.ID, "credit union")
	wantNoErr(t, err, "ListVariantsForLabel")
	if len(forLabel) != 1 || forLabel[0].ID != label.ID {
		t.Errorf("variants for label: %+v", forLabel)
	}
	// No dimension overrides read back as an empty map, not nil.
	if got, _ := db.GetVariant(ctx, f.Org.ID, label.ID); got.Dimensions == nil || len(got.Dimensions) != 0 || got.Values == nil {
		t.Errorf("a variant without dimension overrides reads back as %#v / %#v", got.Values, got.Dimensions)
	}
	if revs, _ := db.ListVariantRevisions(ctx, f.Org.ID, label.ID); len(revs) != 1 || revs[0].Content.Dimensions == nil {
		t.Errorf("revision of a variant without dimension overrides: %+v", revs)
	}

	// Update with optimistic concurrency, then a stale update.
	next := v
	next.Revision, next.Note, next.UpdatedAt = 2, "Change board and CISO.", t0.Add(time.Hour)
	rev := persona.VariantRevision{AuthorID: f.Owner.ID, CreatedAt: next.UpdatedAt, Message: "note", Content: next.VariantContent}
	wantNoErr(t, db.UpdateVariant(ctx, next, rev, persona.SearchEntry{}), "UpdateVariant")
	stale := v
	stale.Revision, stale.Note = 2, "lost"
	err = db.UpdateVariant(ctx, stale, rev, persona.SearchEntry{})
	wantCode(t, err, persona.CodePreconditionFailed, "stale UpdateVariant")
	if e, _ := persona.AsError(err); e == nil || e.Current != 2 {
		t.Errorf("stale update should name revision 2: %v", err)
	}
	revs, err := db.ListVariantRevisions(ctx, f.Org.ID, v.ID)
	wantNoErr(t, err, "ListVariantRevisions")
	if len(revs) != 2 || revs[0].Number != 2 || revs[0].Content.Note != "Change board and CISO." || revs[1].Content.Note != v.Note {
		t.Errorf("revisions: %+v", revs)
	}
	r1, err := db.GetVariantRevision(ctx, f.Org.ID, v.ID, 1)
	wantNoErr(t, err, "GetVariantRevision")
	wantEqual(t, r1.Content, v.VariantContent, "revision 1 content")

	// Concurrent updates from the same revision: exactly one wins.
	var wg sync.WaitGroup
	results := make([]error, 4)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := next
			c.Revision = 3
			results[i] = db.UpdateVariant(ctx, c, rev, persona.SearchEntry{})
		}()
	}
	wg.Wait()
	wins := 0
	for _, err := range results {
		if err == nil {
			wins++
		} else {
			wantCode(t, err, persona.CodePreconditionFailed, "losing concurrent update")
		}
	}
	wantEqual(t, wins, 1, "concurrent winners")

	// Trash, restore, purge.
	wantCode(t, db.PurgeVariant(ctx, f.Org.ID, v.ID), persona.CodeNotFound, "PurgeVariant of a live variant")
	wantNoErr(t, db.TrashVariant(ctx, f.Org.ID, v.ID, f.Owner.ID, t0.Add(2*time.Hour)), "TrashVariant")
	_, err = db.GetVariant(ctx, f.Org.ID, v.ID)
	wantCode(t, err, persona.CodeNotFound, "GetVariant trashed")
	trashed, _ := db.ListTrashedVariants(ctx, f.Org.ID)
	if len(trashed) != 1 || trashed[0].ID != v.ID || trashed[0].DeletedBy != f.Owner.ID {
		t.Errorf("trashed variants: %+v", trashed)
	}
	wantNoErr(t, db.RestoreVariant(ctx, f.Org.ID, v.ID), "RestoreVariant")
	wantNoErr(t, db.TrashVariant(ctx, f.Org.ID, v.ID, f.Owner.ID, t0), "TrashVariant again")
	wantNoErr(t, db.PurgeVariant(ctx, f.Org.ID, v.ID), "PurgeVariant")
	_, err = db.GetVariantRevision(ctx, f.Org.ID, v.ID, 1)
	wantCode(t, err, persona.CodeNotFound, "revision of a purged variant")

	// Another organisation sees nothing and cannot attach a variant to this persona.
	g := mustOrg(t, db, "variants-other")
	_, err = db.GetVariant(ctx, g.Org.ID, label.ID)
	wantCode(t, err, persona.CodeNotFound, "GetVariant across organisations")
	other, _ := db.ListVariants(ctx, g.Org.ID, base.ID)
	wantEqual(t, len(other), 0, "ListVariants across organisations")
	cross := persona.Variant{ID: newID(), OrgID: g.Org.ID, PersonaID: base.ID, VariantContent: persona.VariantContent{CustomerLabel: "x"}, Revision: 1, CreatedAt: t0, UpdatedAt: t0}
	wantCode(t, db.CreateVariant(ctx, cross, persona.VariantRevision{CreatedAt: t0}, persona.SearchEntry{}), persona.CodeNotFound, "CreateVariant on another organisation's persona")
	foreign := label
	foreign.OrgID, foreign.Revision = g.Org.ID, 2
	wantCode(t, db.UpdateVariant(ctx, foreign, persona.VariantRevision{CreatedAt: t0}, persona.SearchEntry{}), persona.CodeNotFound, "UpdateVariant across organisations")
	wantCode(t, db.TrashVariant(ctx, g.Org.ID, label.ID, "", t0), persona.CodeNotFound, "TrashVariant across organisations")
}

func testVariantsFollowTheirPersona(t *testing.T, db *DB) {
	ctx := t.Context()
	f := mustOrg(t, db, "variants-follow")
	base := mustPersona(t, db, f, "")
	v := mustVariant(t, db, f, base.ID, persona.VariantContent{CustomerLabel: "FinTech", Values: persona.Values{"age": 29.0}})

	wantNoErr(t, db.TrashPersona(ctx, f.Org.ID, base.ID, f.Owner.ID, t0), "TrashPersona")
	_, err := db.GetVariant(ctx, f.Org.ID, v.ID)
	wantCode(t, err, persona.CodeNotFound, "variant of a trashed persona")
	vs, _ := db.ListVariantsForLabel(ctx, f.Org.ID, "FinTech")
	wantEqual(t, len(vs), 0, "variants for label while the persona is trashed")
	cv := v
	cv.Revision = 2
	wantCode(t, db.UpdateVariant(ctx, cv, persona.VariantRevision{CreatedAt: t0}, persona.SearchEntry{}), persona.CodeNotFound, "UpdateVariant of a trashed persona")
	wantCode(t, db.CreateVariant(ctx, persona.Variant{ID: newID(), OrgID: f.Org.ID, PersonaID: base.ID, Revision: 1, CreatedAt: t0, UpdatedAt: t0}, persona.VariantRevision{CreatedAt: t0}, persona.SearchEntry{}),
		persona.CodeNotFound, "CreateVariant on a trashed persona")

	wantNoErr(t, db.RestorePersona(ctx, f.Org.ID, base.ID), "RestorePersona")
	got, err := db.GetVariant(ctx, f.Org.ID, v.ID)
	wantNoErr(t, err, "variant after restoring its persona")
	wantEqual(t, got.Values, v.Values, "restored variant values")

	wantNoErr(t, db.TrashPersona(ctx, f.Org.ID, base.ID, f.Owner.ID, t0), "TrashPersona again")
	wantNoErr(t, db.PurgePersona(ctx, f.Org.ID, base.ID), "PurgePersona")
	var n int
	wantNoErr(t, db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM variants WHERE org_id = $1`, f.Org.ID).Scan(&n), "count")
	wantEqual(t, n, 0, "variants left after purging their persona")
}
