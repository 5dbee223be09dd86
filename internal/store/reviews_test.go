package store

import (
	"os"
	"testing"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

// Reviews on both engines: a review sets the persona's review date without
// touching its revision, lists newest first, stays inside its
// organisation, and goes with the persona when it is purged; the digest
// opt-out turns on and off.
func TestReviewsSQLite(t *testing.T) { testReviews(t, openSQLite(t)) }

func TestReviewsPostgres(t *testing.T) {
	if os.Getenv("PERSONAPAL_TEST_POSTGRES") == "" {
		t.Skip("PERSONAPAL_TEST_POSTGRES is not set")
	}
	testReviews(t, openPostgres(t))
}

func testReviews(t *testing.T, db *DB) {
	ctx := t.Context()
	f := mustOrg(t, db, "reviews")
	other := mustOrg(t, db, "reviews-other")
	p := mustPersona(t, db, f, "")
	q := mustPersona(t, db, f, "", named("Second"))
	stranger := mustPersona(t, db, other, "", named("Stranger"))

	r1 := persona.Review{ID: newID(), OrgID: f.Org.ID, PersonaID: p.ID, ReviewerID: f.Owner.ID, Note: "Still right",
		ReviewedOn: "2026-11-30", CreatedAt: t0}
	r2 := persona.Review{ID: newID(), OrgID: f.Org.ID, PersonaID: p.ID, ReviewerID: f.Owner.ID,
		ReviewedOn: "2026-12-02", CreatedAt: t0.Add(time.Hour)}
	wantNoErr(t, db.CreateReview(ctx, r1), "CreateReview 1")
	wantNoErr(t, db.CreateReview(ctx, r2), "CreateReview 2")
	got, err := db.GetPersona(ctx, f.Org.ID, p.ID)
	wantNoErr(t, err, "GetPersona")
	wantEqual(t, got.LastReviewedOn, "2026-12-02", "last reviewed on")
	wantEqual(t, got.Revision, p.Revision, "revision after a review")
	wantEqual(t, got.UpdatedAt, want(p.UpdatedAt), "updated_at after a review")

	list, err := db.ListReviews(ctx, f.Org.ID, p.ID)
	wantNoErr(t, err, "ListReviews")
	r1.CreatedAt, r2.CreatedAt = want(r1.CreatedAt), want(r2.CreatedAt)
	wantEqual(t, list, []persona.Review{r2, r1}, "reviews newest first")
	latest, err := db.LatestReviews(ctx, f.Org.ID)
	wantNoErr(t, err, "LatestReviews")
	wantEqual(t, latest, map[string]persona.Review{p.ID: r2}, "latest reviews")

	// Another organisation's persona cannot be reviewed through this one,
	// nor its reviews listed.
	cross := persona.Review{ID: newID(), OrgID: f.Org.ID, PersonaID: stranger.ID, ReviewerID: f.Owner.ID, ReviewedOn: "2026-12-02", CreatedAt: t0}
	wantCode(t, db.CreateReview(ctx, cross), persona.CodeNotFound, "review of another organisation's persona")
	none, err := db.ListReviews(ctx, other.Org.ID, p.ID)
	wantNoErr(t, err, "ListReviews elsewhere")
	wantEqual(t, len(none), 0, "reviews seen from another organisation")
	// A trashed persona takes no review; a purged one takes its reviews along.
	wantNoErr(t, db.TrashPersona(ctx, f.Org.ID, q.ID, f.Owner.ID, t0), "TrashPersona")
	wantCode(t, db.CreateReview(ctx, persona.Review{ID: newID(), OrgID: f.Org.ID, PersonaID: q.ID, ReviewerID: f.Owner.ID,
		ReviewedOn: "2026-12-02", CreatedAt: t0}), persona.CodeNotFound, "review of a trashed persona")
	wantNoErr(t, db.TrashPersona(ctx, f.Org.ID, p.ID, f.Owner.ID, t0), "TrashPersona p")
	latest, _ = db.LatestReviews(ctx, f.Org.ID)
	wantEqual(t, len(latest), 0, "latest reviews of trashed personas")
	wantNoErr(t, db.PurgePersona(ctx, f.Org.ID, p.ID), "PurgePersona")
	list, _ = db.ListReviews(ctx, f.Org.ID, p.ID)
	wantEqual(t, len(list), 0, "reviews of a purged persona")

	// The digest opt-out.
	off, err := db.ReviewDigestOff(ctx, f.Owner.ID)
	wantNoErr(t, err, "ReviewDigestOff")
	wantEqual(t, off, false, "digest off by default")
	wantNoErr(t, db.SetReviewDigest(ctx, f.Owner.ID, false, t0), "SetReviewDigest off")
	wantNoErr(t, db.SetReviewDigest(ctx, f.Owner.ID, false, t0), "SetReviewDigest off twice")
	off, _ = db.ReviewDigestOff(ctx, f.Owner.ID)
	wantEqual(t, off, true, "digest off")
	other2, _ := db.ReviewDigestOff(ctx, other.Owner.ID)
	wantEqual(t, other2, false, "another user's digest")
	wantNoErr(t, db.SetReviewDigest(ctx, f.Owner.ID, true, t0), "SetReviewDigest on")
	off, _ = db.ReviewDigestOff(ctx, f.Owner.ID)
	wantEqual(t, off, false, "digest back on")

	orgs, err := db.AllOrgs(ctx)
	wantNoErr(t, err, "AllOrgs")
	seen := map[string]bool{}
	for _, o := range orgs {
		seen[o.ID] = true
	}
	if !seen[f.Org.ID] || !seen[other.Org.ID] {
		t.Errorf("AllOrgs misses an organisation: %+v", orgs)
	}
}
