package store

import (
	"testing"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

func testAlignment(t *testing.T, db *DB) {
	ctx := t.Context()
	f := mustOrg(t, db, "alignment")
	buyer := mustPersona(t, db, f, "", named("Head of Nursing (buyer)"))
	user := mustPersona(t, db, f, "", named("Night nurse"))
	agent := mustPersona(t, db, f, "", asAgent(f), named("Triage bot"))

	link := persona.AlignmentLink{ID: newID(), OrgID: f.Org.ID, BuyerID: buyer.ID, TargetID: user.ID, CreatedAt: t0, CreatedBy: f.Owner.ID}
	wantNoErr(t, db.CreateAlignmentLink(ctx, link), "CreateAlignmentLink")
	link2 := persona.AlignmentLink{ID: newID(), OrgID: f.Org.ID, BuyerID: buyer.ID, TargetID: agent.ID, CreatedAt: t0.Add(time.Second)}
	wantNoErr(t, db.CreateAlignmentLink(ctx, link2), "CreateAlignmentLink agent")
	dup := link
	dup.ID = newID()
	wantCode(t, db.CreateAlignmentLink(ctx, dup), persona.CodeConflict, "duplicate link")

	got, err := db.GetAlignmentLink(ctx, f.Org.ID, link.ID)
	wantNoErr(t, err, "GetAlignmentLink")
	link.CreatedAt = want(t0)
	wantEqual(t, got, link, "link round trip")
	ls, _ := db.ListAlignmentLinks(ctx, f.Org.ID, user.ID)
	wantEqual(t, len(ls), 1, "links of the user (either end)")
	ls, _ = db.ListAlignmentLinks(ctx, f.Org.ID, buyer.ID)
	wantEqual(t, len(ls), 2, "links of the buyer")
	ls, _ = db.ListAlignmentLinks(ctx, f.Org.ID, "")
	wantEqual(t, len(ls), 2, "all links")

	m := persona.ClaimMapping{ID: newID(), OrgID: f.Org.ID, BuyerID: buyer.ID, ClaimField: "messaging", Claim: "Charting takes a minute",
		UserID: user.ID, UserField: "frustrations", UserItem: "Logging in three times per shift", Verdict: persona.VerdictContradicted,
		Note: "Three logins per shift", CreatedAt: t0, CreatedBy: f.Owner.ID}
	wantNoErr(t, db.CreateClaimMapping(ctx, m), "CreateClaimMapping")
	gm, err := db.GetClaimMapping(ctx, f.Org.ID, m.ID)
	wantNoErr(t, err, "GetClaimMapping")
	m.CreatedAt = want(t0)
	wantEqual(t, gm, m, "mapping round trip")
	ms, _ := db.ListClaimMappings(ctx, f.Org.ID, buyer.ID)
	wantEqual(t, len(ms), 1, "mappings of the buyer")

	// The trash hides links and mappings of a trashed end.
	wantNoErr(t, db.TrashPersona(ctx, f.Org.ID, user.ID, "", t0), "TrashPersona")
	ls, _ = db.ListAlignmentLinks(ctx, f.Org.ID, buyer.ID)
	wantEqual(t, len(ls), 1, "links while the user is trashed")
	ms, _ = db.ListClaimMappings(ctx, f.Org.ID, "")
	wantEqual(t, len(ms), 0, "mappings while the user is trashed")
	wantNoErr(t, db.RestorePersona(ctx, f.Org.ID, user.ID), "RestorePersona")
	ms, _ = db.ListClaimMappings(ctx, f.Org.ID, buyer.ID)
	wantEqual(t, len(ms), 1, "mappings after restore")

	// Other organisations: nothing visible, no links to foreign personas.
	o := mustOrg(t, db, "alignment-other")
	_, err = db.GetAlignmentLink(ctx, o.Org.ID, link.ID)
	wantCode(t, err, persona.CodeNotFound, "GetAlignmentLink across organisations")
	wantCode(t, db.DeleteClaimMapping(ctx, o.Org.ID, m.ID), persona.CodeNotFound, "DeleteClaimMapping across organisations")
	foreign := persona.AlignmentLink{ID: newID(), OrgID: o.Org.ID, BuyerID: buyer.ID, TargetID: user.ID, CreatedAt: t0}
	wantCode(t, db.CreateAlignmentLink(ctx, foreign), persona.CodeNotFound, "link between another organisation's personas")

	// Threshold setting.
	p, err := db.DivergencePoints(ctx, f.Org.ID)
	wantNoErr(t, err, "DivergencePoints")
	wantEqual(t, p, 2.0, "default threshold")
	wantNoErr(t, db.SetDivergencePoints(ctx, f.Org.ID, 1.5), "SetDivergencePoints")
	p, _ = db.DivergencePoints(ctx, f.Org.ID)
	wantEqual(t, p, 1.5, "threshold after set")

	// Deletes, and purging removes what hangs on a persona.
	wantNoErr(t, db.DeleteAlignmentLink(ctx, f.Org.ID, link2.ID), "DeleteAlignmentLink")
	wantNoErr(t, db.TrashPersona(ctx, f.Org.ID, buyer.ID, "", t0), "TrashPersona buyer")
	wantNoErr(t, db.PurgePersona(ctx, f.Org.ID, buyer.ID), "PurgePersona buyer")
	var n int
	wantNoErr(t, db.db.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM alignment_links WHERE org_id = $1) + (SELECT COUNT(*) FROM claim_mappings WHERE org_id = $1)`, f.Org.ID).Scan(&n), "count")
	wantEqual(t, n, 0, "links and mappings after purging the buyer")
}
