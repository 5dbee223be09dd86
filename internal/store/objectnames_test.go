package store

import (
	"testing"

	"github.com/personapal/personapal/internal/persona"
)

func testObjectNames(t *testing.T, db *DB) {
	ctx := t.Context()
	f := mustOrg(t, db, "objnames")
	other := mustOrg(t, db, "objnames-other")
	g := mustGroup(t, db, f.Org.ID, "Hospitals")
	nurse := mustPersona(t, db, f, g.ID, named("Night Nurse"))
	gone := mustPersona(t, db, f, g.ID, named("Trashed Tom"))
	wantNoErr(t, db.TrashPersona(ctx, f.Org.ID, gone.ID, f.Owner.ID, t0), "TrashPersona")
	theirs := mustPersona(t, db, other, "", named("Not ours"))
	labelled := mustVariant(t, db, f, nurse.ID, persona.VariantContent{CustomerLabel: "St Mary's"})

	names, err := db.ObjectNames(ctx, f.Org.ID, "persona", []string{nurse.ID, gone.ID, theirs.ID, "no-such-id"})
	wantNoErr(t, err, "ObjectNames persona")
	wantEqual(t, names, map[string]persona.ObjectName{nurse.ID: {Name: "Night Nurse"}, gone.ID: {Name: "Trashed Tom", Trashed: true}},
		"persona names (not another organisation's)")
	vs, err := db.ObjectNames(ctx, f.Org.ID, "variant", []string{labelled.ID})
	wantNoErr(t, err, "ObjectNames variant")
	wantEqual(t, vs[labelled.ID].Label(), "Night Nurse at St Mary's", "a variant reads as its persona at its customer")
	gs, err := db.ObjectNames(ctx, other.Org.ID, "group", []string{g.ID})
	wantNoErr(t, err, "ObjectNames group of another organisation")
	wantEqual(t, len(gs), 0, "another organisation's group")
	ms, err := db.ObjectNames(ctx, f.Org.ID, "member", []string{f.Owner.ID, other.Owner.ID})
	wantNoErr(t, err, "ObjectNames member")
	wantEqual(t, ms, map[string]persona.ObjectName{f.Owner.ID: {Name: f.Owner.Email}}, "members by e-mail, only this organisation's")
	none, err := db.ObjectNames(ctx, f.Org.ID, "note", []string{"x"})
	wantNoErr(t, err, "ObjectNames of a kind without names")
	wantEqual(t, len(none), 0, "a kind without names")
}
