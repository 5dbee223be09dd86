// Package storetest opens real, migrated, throw-away databases for tests of
// the layers above the store: a temporary SQLite file always, and a fresh
// PostgreSQL schema when PERSONAPAL_TEST_POSTGRES holds a DSN (required
// when CI=true).
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/personapal/personapal/internal/store"
)

// Engine opens a fresh database of one kind.
type Engine struct {
	Name string
	Open func(t *testing.T) *store.DB
	// DSN names a fresh, empty database for tests that open it more than
	// once (several instances); open each with OpenDSN.
	DSN func(t *testing.T) string
}

// Engines lists SQLite and, when configured, PostgreSQL. Under CI a missing
// PostgreSQL DSN fails the test instead of quietly testing less.
func Engines(t *testing.T) []Engine {
	t.Helper()
	es := []Engine{{Name: "sqlite", Open: OpenSQLite, DSN: sqliteDSN}}
	if os.Getenv("PERSONAPAL_TEST_POSTGRES") != "" {
		es = append(es, Engine{Name: "postgres", Open: OpenPostgres, DSN: PostgresDSN})
	} else if os.Getenv("CI") == "true" {
		t.Fatal("PERSONAPAL_TEST_POSTGRES is not set; CI must test on PostgreSQL too")
	}
	return es
}

// OpenSQLite opens and migrates a new SQLite file in the test's temp dir.
func OpenSQLite(t *testing.T) *store.DB {
	t.Helper()
	return openAndMigrate(t, filepath.Join(t.TempDir(), "personapal.db"))
}

func sqliteDSN(t *testing.T) string { return filepath.Join(t.TempDir(), "personapal.db") }

// OpenDSN opens the database dsn names and migrates it (again: migrating
// is idempotent); it is closed at cleanup.
func OpenDSN(t *testing.T, dsn string) *store.DB {
	t.Helper()
	return openAndMigrate(t, dsn)
}

// OpenPostgres creates a schema of its own, opens it (search_path) and
// migrates it; the schema is dropped at cleanup.
func OpenPostgres(t *testing.T) *store.DB {
	t.Helper()
	return openAndMigrate(t, PostgresDSN(t))
}

// PostgresDSN creates a fresh, empty schema and returns a DSN that uses it
// (for tests that open it more than once, like several instances); the
// schema is dropped at cleanup. Without PERSONAPAL_TEST_POSTGRES the test
// is skipped, or fails under CI.
func PostgresDSN(t *testing.T) string {
	t.Helper()
	base := os.Getenv("PERSONAPAL_TEST_POSTGRES")
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("PERSONAPAL_TEST_POSTGRES is not set; CI must test on PostgreSQL too")
		}
		t.Skip("PERSONAPAL_TEST_POSTGRES is not set")
	}
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
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func openAndMigrate(t *testing.T, dsn string) *store.DB {
	t.Helper()
	db, err := store.Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	return db
}
