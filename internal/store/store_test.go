package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestConformanceSQLite(t *testing.T) {
	runConformance(t, openSQLite)
}

func TestConformancePostgres(t *testing.T) {
	if os.Getenv("PERSONAPAL_TEST_POSTGRES") == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("PERSONAPAL_TEST_POSTGRES is not set; CI must run the store suite on PostgreSQL")
		}
		t.Skip("PERSONAPAL_TEST_POSTGRES is not set")
	}
	runConformance(t, openPostgres)
}

// openSQLite opens and migrates a fresh database file.
func openSQLite(t *testing.T) *DB {
	t.Helper()
	db, err := Open(t.Context(), filepath.Join(t.TempDir(), "personapal.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	return db
}

// openPostgres creates a schema of its own for the test, connects with
// search_path set to it, migrates, and drops the schema at cleanup.
func openPostgres(t *testing.T) *DB {
	t.Helper()
	dsn := postgresSchemaDSN(t)
	db, err := Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	return db
}

// postgresSchemaDSN creates a fresh schema and returns a DSN that uses it.
func postgresSchemaDSN(t *testing.T) string {
	t.Helper()
	base := os.Getenv("PERSONAPAL_TEST_POSTGRES")
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	schema := "test_" + hex.EncodeToString(b[:])
	if _, err := admin.ExecContext(t.Context(), "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		if _, err := admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + schema
}

// TestPlaceholderBinding checks the assumption the whole package rests on:
// modernc binds $N by number, also when a number repeats or the numbers
// appear out of order (ncruces/go-sqlite3 would bind by position).
func TestPlaceholderBinding(t *testing.T) {
	db := openSQLite(t)
	var a, b, c, d string
	err := db.db.QueryRowContext(t.Context(), `SELECT $2, $1, $2, $3`, "one", "two", "three").Scan(&a, &b, &c, &d)
	if err != nil {
		t.Fatal(err)
	}
	if a != "two" || b != "one" || c != "two" || d != "three" {
		t.Fatalf("SELECT $2, $1, $2, $3 with (one, two, three) = %q %q %q %q", a, b, c, d)
	}
	var n int
	err = db.db.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM (SELECT 1 AS x) WHERE $3 = 'c' AND $1 = 'a' AND $3 = 'c'`, "a", "b", "c").Scan(&n)
	if err != nil || n != 1 {
		t.Fatalf("repeated out-of-order placeholders: n=%d err=%v", n, err)
	}
}

func TestSQLiteDSN(t *testing.T) {
	got, err := sqliteDSN("/var/lib/personapal/data.db")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"_pragma=journal_mode%28WAL%29", "_pragma=foreign_keys%281%29", "_pragma=busy_timeout%2810000%29",
		"_pragma=synchronous%28NORMAL%29", "_txlock=immediate", "_time_format=sqlite"} {
		if !strings.Contains(got, want) {
			t.Errorf("sqliteDSN = %q, missing %q", got, want)
		}
	}
	got, err = sqliteDSN("file:data.db?_pragma=busy_timeout(500)&cache=shared")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(got, "busy_timeout") != 1 || !strings.Contains(got, "busy_timeout%28500%29") || !strings.HasPrefix(got, "file:data.db?") {
		t.Errorf("sqliteDSN kept the caller's busy_timeout badly: %q", got)
	}
	for _, bad := range []string{"", ":memory:", "file::memory:?cache=shared", "file:x?mode=memory"} {
		if _, err := sqliteDSN(bad); err == nil {
			t.Errorf("sqliteDSN(%q) accepted", bad)
		}
	}
}

// TestSQLitePragmas checks that every pooled connection got the PRAGMAs.
func TestSQLitePragmas(t *testing.T) {
	db := openSQLite(t)
	ctx := t.Context()
	conns := make([]*sql.Conn, 3)
	for i := range conns {
		c, err := db.db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns[i] = c
	}
	for i, c := range conns {
		var mode string
		var fk, busy, sync int
		if err := c.QueryRowContext(ctx, `SELECT * FROM pragma_journal_mode, pragma_foreign_keys, pragma_busy_timeout, pragma_synchronous`).
			Scan(&mode, &fk, &busy, &sync); err != nil {
			t.Fatal(err)
		}
		if mode != "wal" || fk != 1 || busy != 10000 || sync != 1 {
			t.Errorf("connection %d: journal_mode=%s foreign_keys=%d busy_timeout=%d synchronous=%d", i, mode, fk, busy, sync)
		}
		c.Close()
	}
}

func TestSearchTerms(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{`"*AND(`, []string{"and"}},
		{"Night-shift NURSE's 2nd job", []string{"night", "shift", "nurse", "s", "2nd", "job"}},
		{"'; DROP TABLE personas;--", []string{"drop", "table", "personas"}},
		{"Zoë café", []string{"zoe", "cafe"}}, // folded, as the index holds them
	} {
		got := searchTerms(tc.in)
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("searchTerms(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestOpenFileURI checks that a file: URI with parameters of its own still
// gets the PRAGMAs.
func TestOpenFileURI(t *testing.T) {
	db, err := Open(t.Context(), "file:"+filepath.Join(t.TempDir(), "uri.db")+"?cache=private")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	var mode string
	var fk int
	if err := db.db.QueryRowContext(t.Context(), `SELECT * FROM pragma_journal_mode, pragma_foreign_keys`).Scan(&mode, &fk); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" || fk != 1 {
		t.Errorf("journal_mode=%s foreign_keys=%d", mode, fk)
	}
	if db.Dialect() != DialectSQLite {
		t.Errorf("Dialect() = %q", db.Dialect())
	}
}
