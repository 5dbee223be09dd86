package store

import (
	"os"
	"testing"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// TestUsage runs the usage conformance suite on both engines: a member's
// views count once a day, windows count member-days, a persona nobody
// opened is listed with zeros, references are counted, and nothing crosses
// organisations.
func TestUsage(t *testing.T) {
	for _, e := range []struct {
		name string
		open func(*testing.T) *DB
	}{{"sqlite", openSQLite}, {"postgres", openPostgresOrSkip}} {
		t.Run(e.name, func(t *testing.T) { testUsage(t, e.open(t)) })
	}
}

func openPostgresOrSkip(t *testing.T) *DB {
	if os.Getenv("PERSONAPAL_TEST_POSTGRES") == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("PERSONAPAL_TEST_POSTGRES is not set")
		}
		t.Skip("PERSONAPAL_TEST_POSTGRES is not set")
	}
	return openPostgres(t)
}

func testUsage(t *testing.T, db *DB) {
	ctx := t.Context()
	f := mustOrg(t, db, "usage-org")
	other := mustOrg(t, db, "usage-other")
	g := mustGroup(t, db, f.Org.ID, "Ward")
	used := mustPersona(t, db, f, g.ID)
	idle := mustPersona(t, db, f, g.ID)
	og := mustGroup(t, db, other.Org.ID, "Theirs")
	theirs := mustPersona(t, db, other, og.ID)

	ann, ben := "user-ann", "user-ben"
	views := []app.View{
		{PersonaID: used.ID, UserID: ann, Day: "2026-11-01"},
		{PersonaID: used.ID, UserID: ann, Day: "2026-11-01"}, // same day: ignored
		{PersonaID: used.ID, UserID: ann, Day: "2026-11-20"},
		{PersonaID: used.ID, UserID: ben, Day: "2026-11-20"},
		{PersonaID: used.ID, UserID: ben, Day: "2026-11-20", Kind: app.ViewCompare},
		{PersonaID: idle.ID, UserID: ben, Day: "2026-11-20", Kind: app.ViewCompare},
	}
	wantNoErr(t, db.RecordViews(ctx, f.Org.ID, views), "RecordViews")
	wantNoErr(t, db.RecordViews(ctx, f.Org.ID, views[:1]), "RecordViews again")
	// Another organisation's view of its own persona, and a view recorded
	// under it for this organisation's persona ID, stay theirs.
	wantNoErr(t, db.RecordViews(ctx, other.Org.ID, []app.View{{PersonaID: theirs.ID, UserID: ann, Day: "2026-11-20"},
		{PersonaID: used.ID, UserID: "user-cy", Day: "2026-11-20"}}), "RecordViews other")

	for _, c := range []struct {
		since string
		want  int
	}{{"2026-11-01", 2}, {"2026-11-15", 2}, {"2026-11-21", 0}} {
		n, err := db.PersonaViewers(ctx, f.Org.ID, used.ID, c.since)
		wantNoErr(t, err, "PersonaViewers")
		if n != c.want {
			t.Errorf("viewers since %s = %d, want %d", c.since, n, c.want)
		}
	}
	if n, _ := db.PersonaViewers(ctx, f.Org.ID, idle.ID, "2026-11-01"); n != 0 {
		t.Errorf("a comparison counted as a view: %d", n)
	}

	wantNoErr(t, db.CreateAlignmentLink(ctx, persona.AlignmentLink{ID: newID(), OrgID: f.Org.ID, BuyerID: used.ID, TargetID: idle.ID, CreatedAt: t0}), "alignment")
	mustLaunchpad(t, db, f, used.ID, "Ward setup")

	rep, err := db.UsageReport(ctx, f.Org.ID, "2026-11-15")
	wantNoErr(t, err, "UsageReport")
	if len(rep) != 2 {
		t.Fatalf("report has %d personas, want 2 (this organisation's): %+v", len(rep), rep)
	}
	by := map[string]app.PersonaUsage{}
	for _, u := range rep {
		by[u.PersonaID] = u
	}
	u, i := by[used.ID], by[idle.ID]
	if u.Viewers != 2 || u.Views != 2 || u.LastViewed != "2026-11-20" || u.GroupID != g.ID {
		t.Errorf("used: %+v, want 2 viewers, 2 views in the window, last viewed 2026-11-20", u)
	}
	if u.References[app.RefCompare] != 1 || u.References[app.RefAlignment] != 1 || u.References[app.RefLaunchpad] != 1 || u.References[app.RefEvidence] != 0 {
		t.Errorf("used references: %v", u.References)
	}
	if i.Viewers != 0 || i.Views != 0 || i.LastViewed != "" {
		t.Errorf("never opened: %+v", i)
	}
	if i.References[app.RefCompare] != 1 || i.References[app.RefAlignment] != 1 || i.References[app.RefLaunchpad] != 0 {
		t.Errorf("idle references: %v", i.References)
	}
	rep, err = db.UsageReport(ctx, f.Org.ID, "2026-10-01")
	wantNoErr(t, err, "UsageReport 90")
	for _, u := range rep {
		if u.PersonaID == used.ID && (u.Views != 3 || u.Viewers != 2) {
			t.Errorf("wider window: %+v, want 3 views by 2", u)
		}
	}
}
