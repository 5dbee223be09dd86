package store

import (
	"os"
	"testing"

	"github.com/personapal/personapal/internal/persona"
)

// The home page's batch reads, on both engines: variant counts per
// persona and per customer, the links on personas themselves, and the
// current revision of chosen personas — each of live objects only, and
// only of the organisation asked for.
func TestHomeReadsSQLite(t *testing.T) { testHomeReads(t, openSQLite(t)) }

func TestHomeReadsPostgres(t *testing.T) {
	if os.Getenv("PERSONAPAL_TEST_POSTGRES") == "" {
		t.Skip("PERSONAPAL_TEST_POSTGRES is not set")
	}
	testHomeReads(t, openPostgres(t))
}

func testHomeReads(t *testing.T, db *DB) {
	ctx := t.Context()
	f := mustOrg(t, db, "home")
	other := mustOrg(t, db, "home-other")
	nurse := mustPersona(t, db, f, "")
	bank := mustPersona(t, db, f, "", named("Big Bank"))
	clinic := mustPersona(t, db, f, "", named("Clinic"))
	gone := mustPersona(t, db, f, "", named("Gone"))
	stranger := mustPersona(t, db, other, "", named("Stranger"))

	v1 := mustVariant(t, db, f, nurse.ID, persona.VariantContent{CustomerID: bank.ID, Values: persona.Values{"age": 40.0}})
	mustVariant(t, db, f, nurse.ID, persona.VariantContent{CustomerLabel: "Credit Union", Values: persona.Values{"age": 30.0}})
	trashed := mustVariant(t, db, f, clinic.ID, persona.VariantContent{CustomerID: bank.ID, Values: persona.Values{"age": 50.0}})
	mustVariant(t, db, f, gone.ID, persona.VariantContent{CustomerID: bank.ID, Values: persona.Values{"age": 20.0}})
	mustVariant(t, db, other, stranger.ID, persona.VariantContent{CustomerLabel: "Elsewhere", Values: persona.Values{"age": 20.0}})
	wantNoErr(t, db.TrashVariant(ctx, f.Org.ID, trashed.ID, f.Owner.ID, t0), "TrashVariant")
	wantNoErr(t, db.TrashPersona(ctx, f.Org.ID, gone.ID, f.Owner.ID, t0), "TrashPersona")

	own, forCustomer, err := db.VariantCounts(ctx, f.Org.ID)
	wantNoErr(t, err, "VariantCounts")
	wantEqual(t, own, map[string]int{nurse.ID: 2}, "variants per persona (live only)")
	wantEqual(t, forCustomer, map[string]int{bank.ID: 1}, "variants per customer (live only)")

	quote := mustEvidence(t, db, f, persona.Evidence{Kind: persona.EvidenceQuote, Title: "Handover", Quote: "I finish handover at 7."}, nil)
	onField := mustLink(t, db, f, persona.EvidenceLink{EvidenceID: quote.ID, PersonaID: nurse.ID, Field: "values.goals", Stance: persona.StanceSupports})
	whole := mustLink(t, db, f, persona.EvidenceLink{EvidenceID: quote.ID, PersonaID: clinic.ID, Stance: persona.StanceContradicts})
	mustLink(t, db, f, persona.EvidenceLink{EvidenceID: quote.ID, PersonaID: nurse.ID, VariantID: v1.ID, Field: "values.age", Stance: persona.StanceSupports})
	otherQuote := mustEvidence(t, db, other, persona.Evidence{Kind: persona.EvidenceQuote, Title: "Else", Quote: "Elsewhere."}, nil)
	mustLink(t, db, other, persona.EvidenceLink{EvidenceID: otherQuote.ID, PersonaID: stranger.ID, Field: "values.goals", Stance: persona.StanceSupports})
	links, err := db.PersonaEvidenceLinks(ctx, f.Org.ID)
	wantNoErr(t, err, "PersonaEvidenceLinks")
	var ids []string
	for _, l := range links {
		ids = append(ids, l.ID)
	}
	wantEqual(t, ids, []string{onField.ID, whole.ID}, "links on personas themselves")

	p2, rev := updated(nurse, "Now leads the night team.")
	rev.Message = "Night lead now"
	wantNoErr(t, db.UpdatePersona(ctx, p2, rev, ""), "UpdatePersona")
	revs, err := db.LatestRevisions(ctx, f.Org.ID, []string{nurse.ID, bank.ID, gone.ID, stranger.ID, newID()})
	wantNoErr(t, err, "LatestRevisions")
	wantEqual(t, len(revs), 2, "current revisions of live personas of the organisation")
	wantEqual(t, revs[nurse.ID].Number, 2, "the nurse's current revision")
	wantEqual(t, revs[nurse.ID].Message, "Night lead now", "its message")
	wantEqual(t, revs[nurse.ID].AuthorID, rev.AuthorID, "its author")
	wantEqual(t, revs[bank.ID].Number, 1, "the bank's current revision")
	none, err := db.LatestRevisions(ctx, f.Org.ID, nil)
	wantNoErr(t, err, "LatestRevisions of none")
	wantEqual(t, len(none), 0, "LatestRevisions of none")
}
