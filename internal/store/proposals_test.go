package store

import (
	"os"
	"testing"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

// The proposals suite runs on both engines like the conformance suite
// (its own test functions, so the shared suite list stays untouched).
func TestProposalsSQLite(t *testing.T) { testProposals(t, openSQLite(t)) }

func TestProposalsPostgres(t *testing.T) {
	if os.Getenv("PERSONAPAL_TEST_POSTGRES") == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("PERSONAPAL_TEST_POSTGRES is not set; CI must run the store suite on PostgreSQL")
		}
		t.Skip("PERSONAPAL_TEST_POSTGRES is not set")
	}
	testProposals(t, openPostgres(t))
}

func testProposals(t *testing.T, db *DB) {
	ctx := t.Context()
	f := mustOrg(t, db, "proposals")
	other := mustOrg(t, db, "proposals-other")
	g := mustGroup(t, db, f.Org.ID, "Clinicians")
	p := mustPersona(t, db, f, g.ID)
	q := mustPersona(t, db, f, g.ID, named("Quentin"))

	proposed := p.Content
	proposed.Values = persona.Values{"role": "Charge nurse", "goals": []string{"Fewer log-ins"}}
	older := persona.Proposal{ID: newID(), OrgID: f.Org.ID, PersonaID: p.ID, BaseRevision: 1, Message: "Promoted",
		Content: proposed, Status: persona.ProposalOpen, AuthorID: f.Owner.ID, CreatedAt: t0}
	wantNoErr(t, db.CreateProposal(ctx, older), "CreateProposal")
	newer := older
	newer.ID, newer.CreatedAt, newer.Message = newID(), t0.Add(time.Minute), "Second"
	wantNoErr(t, db.CreateProposal(ctx, newer), "CreateProposal 2")
	onQ := older
	onQ.ID, onQ.PersonaID = newID(), q.ID
	wantNoErr(t, db.CreateProposal(ctx, onQ), "CreateProposal on q")

	// A proposal on another organisation's persona is refused as not found.
	cross := older
	cross.ID, cross.OrgID = newID(), other.Org.ID
	wantCode(t, db.CreateProposal(ctx, cross), persona.CodeNotFound, "proposal on another org's persona")

	got, err := db.GetProposal(ctx, f.Org.ID, older.ID)
	wantNoErr(t, err, "GetProposal")
	wantEqual(t, got.Content.Values["role"], any("Charge nurse"), "proposed value")
	wantEqual(t, got.Content.Values["goals"], any([]string{"Fewer log-ins"}), "proposed list")
	wantEqual(t, got.AuthorName, f.Owner.Name, "author name")
	wantEqual(t, got.PersonaName, p.Name, "persona name")
	wantEqual(t, got.CreatedAt, want(t0), "created at")
	wantEqual(t, got.Status, persona.ProposalOpen, "status")
	_, err = db.GetProposal(ctx, other.Org.ID, older.ID)
	wantCode(t, err, persona.CodeNotFound, "proposal read from another org")

	n, err := db.CountOpenProposals(ctx, f.Org.ID, p.ID)
	wantNoErr(t, err, "CountOpenProposals")
	wantEqual(t, n, 2, "open proposals on p")

	// Decide: once only.
	at := t0.Add(time.Hour)
	dec := got
	dec.Status, dec.DecidedBy, dec.DecidedAt, dec.Reason = persona.ProposalDeclined, f.Owner.ID, &at, "Not yet"
	wantNoErr(t, db.DecideProposal(ctx, dec), "DecideProposal")
	wantCode(t, db.DecideProposal(ctx, dec), persona.CodeConflict, "deciding twice")
	dec.OrgID = other.Org.ID
	wantCode(t, db.DecideProposal(ctx, dec), persona.CodeNotFound, "deciding from another org")
	got, _ = db.GetProposal(ctx, f.Org.ID, older.ID)
	wantEqual(t, got.Status, persona.ProposalDeclined, "declined")
	wantEqual(t, got.Reason, "Not yet", "reason")
	wantEqual(t, got.DeciderName, f.Owner.Name, "decider")

	// Listing: open first, then newest first; per persona or the whole org.
	list, err := db.ListProposals(ctx, f.Org.ID, p.ID)
	wantNoErr(t, err, "ListProposals")
	if len(list) != 2 || list[0].ID != newer.ID || list[1].ID != older.ID {
		t.Errorf("persona proposals, open first: %+v", list)
	}
	all, _ := db.ListProposals(ctx, f.Org.ID, "")
	wantEqual(t, len(all), 3, "org proposals")
	none, _ := db.ListProposals(ctx, other.Org.ID, "")
	wantEqual(t, len(none), 0, "other org's proposals")

	// The trash hides a persona's proposals.
	wantNoErr(t, db.TrashPersona(ctx, f.Org.ID, q.ID, f.Owner.ID, t0), "TrashPersona")
	_, err = db.GetProposal(ctx, f.Org.ID, onQ.ID)
	wantCode(t, err, persona.CodeNotFound, "proposal of a trashed persona")

	// A variant proposal keeps its variant and proposed overrides (00029).
	vp := older
	vp.ID, vp.VariantID, vp.BaseRevision = newID(), "variant-1", 3
	vp.Variant = &persona.VariantContent{CustomerLabel: "Night shift", Note: "More staff", Values: persona.Values{"role": "Night nurse"}, Dimensions: persona.Values{}}
	wantNoErr(t, db.CreateProposal(ctx, vp), "CreateProposal (variant)")
	gotV, err := db.GetProposal(ctx, f.Org.ID, vp.ID)
	wantNoErr(t, err, "GetProposal (variant)")
	wantEqual(t, gotV.VariantID, "variant-1", "variant id")
	if gotV.Variant == nil || gotV.Variant.Note != "More staff" || gotV.Variant.Values["role"] != "Night nurse" {
		t.Errorf("variant content %+v", gotV.Variant)
	}
	if plain, _ := db.GetProposal(ctx, f.Org.ID, newer.ID); plain.VariantID != "" || plain.Variant != nil {
		t.Errorf("a persona proposal reads as a variant one: %+v", plain)
	}

	// The sign-off setting.
	on, err := db.OrgRequiresProposals(ctx, f.Org.ID)
	wantNoErr(t, err, "OrgRequiresProposals")
	wantEqual(t, on, false, "off by default")
	wantNoErr(t, db.SetOrgRequiresProposals(ctx, f.Org.ID, true), "Set on")
	on, _ = db.OrgRequiresProposals(ctx, f.Org.ID)
	wantEqual(t, on, true, "on")
	on, _ = db.OrgRequiresProposals(ctx, other.Org.ID)
	wantEqual(t, on, false, "other org unaffected")
	wantNoErr(t, db.SetOrgRequiresProposals(ctx, f.Org.ID, false), "Set off")
	on, _ = db.OrgRequiresProposals(ctx, f.Org.ID)
	wantEqual(t, on, false, "off again")
}
