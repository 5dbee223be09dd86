package store

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

func testSecurityEvents(t *testing.T, db *DB) {
	ctx := context.Background()
	u, other := mustUser(t, db, "log@example.com"), mustUser(t, db, "someone-else@example.com")
	for i, kind := range []string{persona.SecuritySignIn, persona.SecurityTokenCreated, persona.SecuritySignInFailed} {
		e := persona.SecurityEvent{UserID: u.ID, At: t0.Add(time.Duration(i) * time.Minute), Kind: kind, Summary: "event " + kind,
			Client: "203.0.113.7", UserAgent: "Mozilla/5.0 (test)"}
		wantNoErr(t, db.AppendSecurityEvent(ctx, e), "AppendSecurityEvent")
	}
	wantNoErr(t, db.AppendSecurityEvent(ctx, persona.SecurityEvent{UserID: other.ID, At: t0, Kind: persona.SecuritySignIn, Summary: "not yours"}), "other's event")
	if err := db.AppendSecurityEvent(ctx, persona.SecurityEvent{UserID: "no-such-user", At: t0, Kind: persona.SecuritySignIn}); err == nil {
		t.Error("an event of a user who does not exist was stored")
	}

	all, err := db.ListSecurityEvents(ctx, u.ID, 0, 10)
	wantNoErr(t, err, "ListSecurityEvents")
	var kinds []string
	for _, e := range all {
		kinds = append(kinds, e.Kind)
		if e.UserID != u.ID || e.Client != "203.0.113.7" || e.UserAgent != "Mozilla/5.0 (test)" || e.At.Location() != time.UTC {
			t.Errorf("event %+v", e)
		}
	}
	if !slices.Equal(kinds, []string{persona.SecuritySignInFailed, persona.SecurityTokenCreated, persona.SecuritySignIn}) {
		t.Fatalf("events %v, want newest first and only the user's", kinds)
	}
	if !all[2].At.Equal(want(t0)) || all[0].Seq <= all[1].Seq {
		t.Errorf("times or order: %+v", all)
	}
	page, err := db.ListSecurityEvents(ctx, u.ID, all[0].Seq, 1)
	if err != nil || len(page) != 1 || page[0].Seq != all[1].Seq {
		t.Fatalf("page below %d: %+v %v", all[0].Seq, page, err)
	}
	if rest, _ := db.ListSecurityEvents(ctx, u.ID, all[2].Seq, 10); len(rest) != 0 {
		t.Fatalf("below the oldest: %+v", rest)
	}

	// ResetAccess: password, sessions, tokens and the event, together.
	sess := persona.Session{TokenHash: "reset-session", UserID: u.ID, Data: []byte("{}"), ExpiresAt: t0.Add(24 * time.Hour)}
	wantNoErr(t, db.CreateSession(ctx, sess), "CreateSession")
	for i, name := range []string{"ci", "laptop"} {
		tok := persona.Token{ID: newID(), UserID: u.ID, Name: name, Hash: "reset-hash-" + name, Prefix: "pp_x", CreatedAt: t0.Add(time.Duration(i) * time.Second)}
		wantNoErr(t, db.CreateToken(ctx, tok), "CreateToken")
	}
	otherTok := persona.Token{ID: newID(), UserID: other.ID, Name: "theirs", Hash: "reset-hash-theirs", Prefix: "pp_y", CreatedAt: t0}
	wantNoErr(t, db.CreateToken(ctx, otherTok), "CreateToken other")
	event := func(userID string) persona.SecurityEvent {
		return persona.SecurityEvent{UserID: userID, At: t0, Kind: persona.SecurityPasswordChanged, Summary: "Password changed"}
	}

	// An event that cannot be written takes the whole change with it.
	_, err = db.ResetAccess(ctx, app.AccessReset{UserID: u.ID, PasswordHash: "half-written", RevokeTokens: true, At: t0, Event: event("no-such-user")})
	if err == nil {
		t.Fatal("a reset whose event failed was committed")
	}
	if got, _ := db.UserByID(ctx, u.ID); got.PasswordHash != u.PasswordHash {
		t.Fatal("a failed reset changed the password")
	}
	if _, err := db.SessionByHash(ctx, "reset-session", t0); err != nil {
		t.Fatalf("a failed reset ended the session: %v", err)
	}
	_, err = db.ResetAccess(ctx, app.AccessReset{UserID: "no-such-user", At: t0, Event: event(u.ID)})
	wantCode(t, err, persona.CodeNotFound, "ResetAccess of an unknown user")

	// Sign out everywhere, tokens kept.
	n, err := db.ResetAccess(ctx, app.AccessReset{UserID: u.ID, At: t0, Event: event(u.ID)})
	if err != nil || n != 0 {
		t.Fatalf("sign-out: %d %v", n, err)
	}
	if _, err := db.SessionByHash(ctx, "reset-session", t0); persona.ErrorCode(err) != persona.CodeNotFound {
		t.Fatalf("the session survived: %v", err)
	}
	if _, err := db.TokenByHash(ctx, "reset-hash-ci"); err != nil {
		t.Fatalf("a token was revoked without being asked: %v", err)
	}
	if got, _ := db.UserByID(ctx, u.ID); got.PasswordHash != u.PasswordHash {
		t.Fatal("a sign-out changed the password")
	}
	// New password, tokens revoked: only this user's, only active ones.
	wantNoErr(t, db.CreateSession(ctx, sess), "CreateSession again")
	n, err = db.ResetAccess(ctx, app.AccessReset{UserID: u.ID, PasswordHash: "new-hash", RevokeTokens: true, At: t0.Add(time.Hour), Event: event(u.ID)})
	if err != nil || n != 2 {
		t.Fatalf("reset: %d tokens revoked (%v), want 2", n, err)
	}
	if got, _ := db.UserByID(ctx, u.ID); got.PasswordHash != "new-hash" {
		t.Fatal("the password was not set")
	}
	for _, h := range []string{"reset-hash-ci", "reset-hash-laptop"} {
		if _, err := db.TokenByHash(ctx, h); persona.ErrorCode(err) != persona.CodeNotFound {
			t.Errorf("token %s still works: %v", h, err)
		}
	}
	if _, err := db.TokenByHash(ctx, "reset-hash-theirs"); err != nil {
		t.Fatalf("another user's token was revoked: %v", err)
	}
	if _, err := db.SessionByHash(ctx, "reset-session", t0); persona.ErrorCode(err) != persona.CodeNotFound {
		t.Fatalf("the session survived the reset: %v", err)
	}
	if n, err := db.ResetAccess(ctx, app.AccessReset{UserID: u.ID, RevokeTokens: true, At: t0, Event: event(u.ID)}); err != nil || n != 0 {
		t.Fatalf("revoking again: %d %v, want 0", n, err)
	}
	logged, _ := db.ListSecurityEvents(ctx, u.ID, 0, 100)
	if len(logged) != 6 || logged[0].Kind != persona.SecurityPasswordChanged {
		t.Fatalf("after three resets the log holds %d events: %+v", len(logged), logged)
	}
}

func TestMigrationMovesUserEventsOutOfAuditLogsSQLite(t *testing.T) {
	db, err := Open(t.Context(), filepath.Join(t.TempDir(), "old.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	testMigrationMovesUserEvents(t, db)
}

func TestMigrationMovesUserEventsOutOfAuditLogsPostgres(t *testing.T) {
	if os.Getenv("PERSONAPAL_TEST_POSTGRES") == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("PERSONAPAL_TEST_POSTGRES is not set; CI must run the store suite on PostgreSQL")
		}
		t.Skip("PERSONAPAL_TEST_POSTGRES is not set")
	}
	db, err := Open(t.Context(), postgresSchemaDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	testMigrationMovesUserEvents(t, db)
}

// migrateTo brings db's schema up to version, no further.
func migrateTo(t *testing.T, db *DB, version int64) {
	t.Helper()
	gd := goose.DialectSQLite3
	if db.d.name == DialectPostgres {
		gd = goose.DialectPostgres
	}
	fsys, err := fs.Sub(migrationFS, "migrations/"+db.d.name)
	if err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(gd, db.db.DB, fsys, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(t.Context(), version); err != nil {
		t.Fatal(err)
	}
}

// A database from before the security log holds its users' token and
// sign-out events in every organisation's audit log, once per organisation.
// Migrating moves them to each user's security log, once, and leaves the
// organisations' logs with their own data changes only.
func testMigrationMovesUserEvents(t *testing.T, db *DB) {
	ctx := t.Context()
	migrateTo(t, db, 11)
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.db.DB.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	at := func(m int) time.Time { return want(t0.Add(time.Duration(m) * time.Minute)) }
	exec(`INSERT INTO users (id, email, name, password_hash, created_at) VALUES ('u1', 'member@example.com', 'Member', '', $1), ('u2', 'admin@example.com', 'Admin', '', $1)`, at(0))
	exec(`INSERT INTO api_tokens (id, user_id, name, hash, prefix, created_at, revoked_at) VALUES ('t1', 'u1', 'Secret project sync', 'h1', 'pp_a', $1, $2)`, at(1), at(2))
	exec(`INSERT INTO orgs (id, slug, name, created_at) VALUES ('o1', 'home', 'Home', $1), ('o2', 'nosy', 'Nosy Corp', $1)`, at(0))
	insertAudit := func(org, actor string, m int, action, kind, id, summary string) {
		exec(`INSERT INTO audit_log (org_id, at, actor_id, actor_email, action, object_kind, object_id, summary) VALUES ($1, $2, $3, 'x@example.com', $4, $5, $6, $7)`,
			org, at(m), actor, action, kind, id, summary)
	}
	for _, org := range []string{"o1", "o2"} { // the same events, once per organisation
		insertAudit(org, "u1", 1, "create", "token", "t1", "Secret project sync")
		insertAudit(org, "u1", 2, "revoke", "token", "t1", "")
		insertAudit(org, "u1", 3, "sign out everywhere", "user", "u1", "")
	}
	insertAudit("o1", "u2", 4, "create", "group", "g1", "Research")
	insertAudit("o2", "u2", 5, "add", "member", "u1", "member@example.com as viewer")
	insertAudit("o2", "gone", 6, "create", "token", "t9", "A deleted user's token")

	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	events, err := db.ListSecurityEvents(ctx, "u1", 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range events {
		got = append(got, e.At.Format("15:04")+" "+e.Kind+" "+e.Summary)
	}
	wantEvents := []string{"08:29 sign_out_everywhere Signed out everywhere", "08:28 token_revoked API token “Secret project sync” revoked",
		"08:27 token_created API token “Secret project sync” created"}
	if !slices.Equal(got, wantEvents) {
		t.Errorf("the member's security log:\n%q\nwant\n%q", got, wantEvents)
	}
	for _, org := range []string{"o1", "o2"} {
		rest, err := db.ListAudit(ctx, org, persona.AuditFilter{}, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range rest {
			if e.ObjectKind == "token" || e.ObjectKind == "user" {
				t.Errorf("%s's audit log still holds %+v", org, e)
			}
		}
		if len(rest) != 1 {
			t.Errorf("%s's audit log holds %d entries, want its one data change: %+v", org, len(rest), rest)
		}
	}
	var n int
	if err := db.db.QueryRowContext(ctx, `SELECT count(*) FROM security_events`).Scan(&n); err != nil || n != 3 {
		t.Errorf("%d security events in all (%v), want the member's 3", n, err)
	}
}
