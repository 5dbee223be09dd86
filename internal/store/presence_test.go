package store

import (
	"os"
	"testing"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

// Presence on both engines: join, list the others only (one entry per
// person, editing wins), refresh, leave, expiry and pruning, and nothing
// of another persona or organisation.
func TestPresenceSQLite(t *testing.T) { testPresence(t, openSQLite(t)) }

func TestPresencePostgres(t *testing.T) {
	if os.Getenv("PERSONAPAL_TEST_POSTGRES") == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("PERSONAPAL_TEST_POSTGRES is not set")
		}
		t.Skip("PERSONAPAL_TEST_POSTGRES is not set")
	}
	testPresence(t, openPostgres(t))
}

func testPresence(t *testing.T, db *DB) {
	ctx := t.Context()
	f := mustOrg(t, db, "presence")
	other := mustOrg(t, db, "presence-other")
	nurse := mustPersona(t, db, f, "")
	bank := mustPersona(t, db, f, "", named("Big Bank"))
	stranger := mustPersona(t, db, other, "")
	ana := mustUser(t, db, "ana@presence.example")
	ben := mustUser(t, db, "ben@presence.example")
	now := t0
	until := now.Add(40 * time.Second)
	join := func(orgID, conn, personaID, userID string, mode persona.PresenceMode, exp time.Time) {
		t.Helper()
		wantNoErr(t, db.JoinPresence(ctx, persona.Presence{OrgID: orgID, ConnID: conn, PersonaID: personaID, UserID: userID, Mode: mode, ExpiresAt: exp}), "JoinPresence "+conn)
	}
	list := func(orgID, personaID, except string, at time.Time) []persona.Present {
		t.Helper()
		ps, err := db.ListPresence(ctx, orgID, personaID, except, at)
		wantNoErr(t, err, "ListPresence")
		return ps
	}

	join(f.Org.ID, "c-owner", nurse.ID, f.Owner.ID, persona.PresenceViewing, until)
	join(f.Org.ID, "c-ana-1", nurse.ID, ana.ID, persona.PresenceViewing, until)
	join(f.Org.ID, "c-ana-2", nurse.ID, ana.ID, persona.PresenceEditing, until)
	join(f.Org.ID, "c-ben", bank.ID, ben.ID, persona.PresenceEditing, until)
	// Another organisation's row on its own persona, by the same person.
	join(other.Org.ID, "c-ana-1", stranger.ID, ana.ID, persona.PresenceEditing, until)

	wantEqual(t, list(f.Org.ID, nurse.ID, f.Owner.ID, now), []persona.Present{{UserID: ana.ID, Name: "ana", Mode: persona.PresenceEditing}}, "others on the nurse, as the owner")
	wantEqual(t, list(f.Org.ID, nurse.ID, ana.ID, now), []persona.Present{{UserID: f.Owner.ID, Name: f.Owner.Name, Mode: persona.PresenceViewing}}, "others on the nurse, as Ana")
	wantEqual(t, list(f.Org.ID, bank.ID, f.Owner.ID, now), []persona.Present{{UserID: ben.ID, Name: "ben", Mode: persona.PresenceEditing}}, "others on the bank")
	wantEqual(t, list(other.Org.ID, stranger.ID, f.Owner.ID, now), []persona.Present{{UserID: ana.ID, Name: "ana", Mode: persona.PresenceEditing}}, "the other organisation's persona")
	// A persona ID asked for under the wrong organisation lists nobody.
	wantEqual(t, list(other.Org.ID, nurse.ID, "", now), nil, "the nurse under the other organisation")
	wantEqual(t, list(f.Org.ID, stranger.ID, "", now), nil, "the stranger under the first organisation")

	// Ana's editing page closes: she is still viewing.
	wantNoErr(t, db.LeavePresence(ctx, f.Org.ID, "c-ana-2"), "LeavePresence")
	wantEqual(t, list(f.Org.ID, nurse.ID, f.Owner.ID, now), []persona.Present{{UserID: ana.ID, Name: "ana", Mode: persona.PresenceViewing}}, "after Ana's form closed")
	// Leaving under the wrong organisation removes nothing.
	wantNoErr(t, db.LeavePresence(ctx, other.Org.ID, "c-owner"), "LeavePresence elsewhere")
	wantEqual(t, len(list(f.Org.ID, nurse.ID, ana.ID, now)), 1, "the owner is still there")

	// Expiry: past until, nobody is listed unless refreshed.
	later := until.Add(time.Second)
	wantEqual(t, list(f.Org.ID, nurse.ID, "", later), nil, "after the expiry")
	wantNoErr(t, db.RefreshPresence(ctx, f.Org.ID, "c-owner", later.Add(40*time.Second)), "RefreshPresence")
	wantEqual(t, list(f.Org.ID, nurse.ID, ana.ID, later), []persona.Present{{UserID: f.Owner.ID, Name: f.Owner.Name, Mode: persona.PresenceViewing}}, "the refreshed owner")
	wantCode(t, db.RefreshPresence(ctx, f.Org.ID, "c-gone", later), persona.CodeNotFound, "refreshing a missing row")
	wantCode(t, db.RefreshPresence(ctx, other.Org.ID, "c-owner", later), persona.CodeNotFound, "refreshing under the wrong organisation")

	// Pruning removes the expired rows only (both organisations').
	n, err := db.PrunePresence(ctx, later)
	wantNoErr(t, err, "PrunePresence")
	wantEqual(t, n, 3, "pruned rows (Ana's view, Ben's edit, the other organisation's)")
	var left int
	wantNoErr(t, db.db.QueryRowContext(ctx, `SELECT count(*) FROM presence`).Scan(&left), "count")
	wantEqual(t, left, 1, "rows left")

	// Joining again with the same connection updates its row.
	wantNoErr(t, db.JoinPresence(ctx, persona.Presence{OrgID: f.Org.ID, ConnID: "c-owner", PersonaID: nurse.ID, UserID: f.Owner.ID, Mode: persona.PresenceEditing, ExpiresAt: later.Add(time.Minute)}), "join again (upsert)")
	wantEqual(t, list(f.Org.ID, nurse.ID, ana.ID, later), []persona.Present{{UserID: f.Owner.ID, Name: f.Owner.Name, Mode: persona.PresenceEditing}}, "the upserted row")
}
