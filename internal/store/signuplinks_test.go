package store

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

// Migration 00021 moves the pending sign-up verifications into the links
// table: each keeps its digest, times and account, gains the account's
// address, and works once as a verify_email link; an expired one stays
// expired; the old table is gone.
func TestMigrationMovesPendingVerificationsToLinksSQLite(t *testing.T) {
	db, err := Open(t.Context(), filepath.Join(t.TempDir(), "old.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	testMigrationMovesVerifications(t, db)
}

func TestMigrationMovesPendingVerificationsToLinksPostgres(t *testing.T) {
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
	testMigrationMovesVerifications(t, db)
}

func testMigrationMovesVerifications(t *testing.T, db *DB) {
	ctx := t.Context()
	migrateTo(t, db, 20)
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.db.DB.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	at := want(t0)
	exec(`INSERT INTO users (id, email, name, password_hash, created_at) VALUES ('u1', 'new@example.com', 'New', 'h', $1), ('u2', 'late@example.com', 'Late', 'h', $1)`, at)
	exec(`INSERT INTO signup_verifications (token_hash, user_id, created_at, expires_at) VALUES ('hash-pending', 'u1', $1, $2), ('hash-expired', 'u2', $1, $3)`,
		at, at.Add(24*time.Hour), at.Add(time.Hour))
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	now := at.Add(2 * time.Hour)
	if _, err := db.ConsumeLink(ctx, persona.LinkVerifyEmail, "hash-expired", now); persona.ErrorCode(err) != persona.CodeNotFound {
		t.Fatalf("an expired verification works after the move: %v", err)
	}
	if _, err := db.ConsumeLink(ctx, persona.LinkPasswordReset, "hash-pending", now); persona.ErrorCode(err) != persona.CodeNotFound {
		t.Fatalf("a moved verification works for another purpose: %v", err)
	}
	l, err := db.ConsumeLink(ctx, persona.LinkVerifyEmail, "hash-pending", now)
	if err != nil || l.UserID != "u1" || l.Email != "new@example.com" || !l.CreatedAt.Equal(at) || !l.ExpiresAt.Equal(at.Add(24*time.Hour)) {
		t.Fatalf("the moved verification: %+v, %v", l, err)
	}
	if _, err := db.ConsumeLink(ctx, persona.LinkVerifyEmail, "hash-pending", now); persona.ErrorCode(err) != persona.CodeNotFound {
		t.Fatalf("a moved verification works twice: %v", err)
	}
	if _, err := db.db.DB.ExecContext(ctx, `SELECT 1 FROM signup_verifications`); err == nil {
		t.Fatal("the old table is still there")
	}
}
