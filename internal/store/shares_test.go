package store

import (
	"os"
	"testing"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

// Share links on both engines: the token's hash finds its link (and
// nothing else does), the lens and the embedding sites come back as
// stored, views count, a revocation holds once, and another
// organisation's ID reaches nothing.
func TestShareLinksSQLite(t *testing.T) { testShareLinks(t, openSQLite(t)) }

func TestShareLinksPostgres(t *testing.T) {
	if os.Getenv("PERSONAPAL_TEST_POSTGRES") == "" {
		t.Skip("PERSONAPAL_TEST_POSTGRES is not set")
	}
	testShareLinks(t, openPostgres(t))
}

func testShareLinks(t *testing.T, db *DB) {
	ctx := t.Context()
	f := mustOrg(t, db, "shares")
	other := mustOrg(t, db, "shares-other")
	p := mustPersona(t, db, f, "")
	exp := t0.Add(48 * time.Hour)
	l := persona.ShareLink{ID: newID(), OrgID: f.Org.ID, Kind: persona.ShareOfPersona, SubjectIDs: []string{p.ID}, Title: "For Big Bank",
		Lens:         persona.ShareLens{HiddenSections: []string{"workflows"}, HiddenFields: []string{"goals"}, HideMembers: true},
		PasswordHash: "$argon2id$x", ExpiresAt: &exp, FrameAncestors: []string{"https://intranet.example.com"},
		CreatedBy: f.Owner.ID, CreatedAt: t0}
	wantNoErr(t, db.CreateShareLink(ctx, l, "hash-1"), "CreateShareLink")
	got, err := db.ShareLinkByTokenHash(ctx, "hash-1")
	wantNoErr(t, err, "ShareLinkByTokenHash")
	wantEqual(t, got.OrgID, f.Org.ID, "org")
	wantEqual(t, got.Title, "For Big Bank", "title")
	wantEqual(t, len(got.Lens.HiddenFields), 1, "hidden fields")
	wantEqual(t, got.Lens.HideMembers, true, "hide members")
	wantEqual(t, got.FrameAncestors[0], "https://intranet.example.com", "frame ancestors")
	wantEqual(t, got.ExpiresAt.Equal(exp.Truncate(time.Microsecond)), true, "expiry")
	wantEqual(t, got.CreatedByName, f.Owner.Name, "maker's name")
	if _, err := db.ShareLinkByTokenHash(ctx, "hash-2"); persona.ErrorCode(err) != persona.CodeNotFound {
		t.Fatalf("an unknown hash: %v", err)
	}
	if _, err := db.GetShareLink(ctx, other.Org.ID, l.ID); persona.ErrorCode(err) != persona.CodeNotFound {
		t.Fatalf("another organisation reads the link: %v", err)
	}
	wantNoErr(t, db.RecordShareView(ctx, f.Org.ID, l.ID, t0.Add(time.Hour)), "RecordShareView")
	wantNoErr(t, db.RecordShareView(ctx, other.Org.ID, l.ID, t0.Add(2*time.Hour)), "RecordShareView (other org)")
	got, _ = db.GetShareLink(ctx, f.Org.ID, l.ID)
	wantEqual(t, got.Views, int64(1), "views")
	wantEqual(t, got.LastOpenedAt.Equal(t0.Add(time.Hour).Truncate(time.Microsecond)), true, "last opened")
	if err := db.RevokeShareLink(ctx, other.Org.ID, l.ID, other.Owner.ID, t0); persona.ErrorCode(err) != persona.CodeNotFound {
		t.Fatalf("another organisation revokes the link: %v", err)
	}
	wantNoErr(t, db.RevokeShareLink(ctx, f.Org.ID, l.ID, f.Owner.ID, t0.Add(3*time.Hour)), "RevokeShareLink")
	if err := db.RevokeShareLink(ctx, f.Org.ID, l.ID, f.Owner.ID, t0.Add(4*time.Hour)); persona.ErrorCode(err) != persona.CodeNotFound {
		t.Fatalf("revoking twice: %v", err)
	}
	ls, err := db.ListShareLinks(ctx, f.Org.ID)
	wantNoErr(t, err, "ListShareLinks")
	wantEqual(t, len(ls), 1, "links")
	wantEqual(t, ls[0].RevokedAt != nil, true, "revoked")
	ls, _ = db.ListShareLinks(ctx, other.Org.ID)
	wantEqual(t, len(ls), 0, "the other organisation's links")
}
