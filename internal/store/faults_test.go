package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/personapal/personapal/internal/persona"
)

// logBuffer collects a slog text log for tests.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) count(s string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Count(b.buf.String(), s)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// limitedSQLite makes a migrated SQLite file and opens it again with
// max_page_count set to leave room pages free, and extra PRAGMAs.
func limitedSQLite(t *testing.T, room int, pragmas ...string) (*DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "small.db")
	db, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	var pages int
	if err := db.db.QueryRowContext(t.Context(), `PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	db.Close()
	q := []string{fmt.Sprintf("_pragma=max_page_count(%d)", pages+room)}
	for _, p := range pragmas {
		q = append(q, "_pragma="+p)
	}
	db, err = Open(t.Context(), path+"?"+strings.Join(q, "&"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
	return db, path
}

// A full SQLite database gives writes CodeStorageFull with a message that
// names storage, not an internal error; Ready says so too; reads go on;
// the store logs it once a minute however many writes fail, counting the
// others; and freeing space makes writes and Ready work again.
func TestStorageFullIsStorageFull(t *testing.T) {
	ctx := context.Background()
	db, path := limitedSQLite(t, 400) // 1.6 MB: room for the probe's 1 MB
	var logs logBuffer
	db.SetLogger(slog.New(slog.NewTextHandler(&logs, nil)))
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	var clock sync.Mutex
	db.health.now = func() time.Time { clock.Lock(); defer clock.Unlock(); return now }
	advance := func(d time.Duration) { clock.Lock(); now = now.Add(d); clock.Unlock() }

	if err := db.Ready(ctx); err != nil {
		t.Fatalf("ready with room to spare: %v", err)
	}
	org := persona.Org{ID: "org-1", Slug: "acme", Name: "Acme", CreatedAt: time.Now()}
	owner := persona.User{ID: "user-1", Email: "ada@example.com", Name: "Ada", PasswordHash: "x", CreatedAt: time.Now()}
	if err := db.CreateUser(ctx, owner); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateOrg(ctx, org, persona.Member{OrgID: org.ID, UserID: owner.ID, Role: persona.RoleOwner, CreatedAt: time.Now()}, nil, nil); err != nil {
		t.Fatal(err)
	}
	description := strings.Repeat("a long description ", 500) // ~10 KB a group
	var full error
	for i := 0; i < 1000 && full == nil; i++ {
		err := db.CreateGroup(ctx, persona.Group{OrgID: org.ID, ID: fmt.Sprintf("g%04d", i), Name: fmt.Sprintf("Group %d", i),
			Description: description, CreatedAt: time.Now(), UpdatedAt: time.Now()})
		if err != nil {
			full = err
		}
	}
	if persona.ErrorCode(full) != persona.CodeStorageFull || !strings.Contains(full.Error(), "storage is full") {
		t.Fatalf("a write into a full database: %v (code %q), want storage full", full, persona.ErrorCode(full))
	}
	for range 5 {
		if err := db.CreateGroup(ctx, persona.Group{OrgID: org.ID, ID: "more", Name: "More", Description: description,
			CreatedAt: time.Now(), UpdatedAt: time.Now()}); persona.ErrorCode(err) != persona.CodeStorageFull {
			t.Fatalf("another write: %v", err)
		}
	}
	if err := db.Ready(ctx); persona.ErrorCode(err) != persona.CodeStorageFull {
		t.Fatalf("ready while full: %v", err)
	}
	if gs, err := db.ListGroups(ctx, org.ID); err != nil || len(gs) == 0 {
		t.Fatalf("reads while full: %d groups, %v", len(gs), err)
	}
	const line = "database storage is full"
	if n := logs.count(line); n != 1 {
		t.Fatalf("%d log lines for 7 failures within a minute, want 1:\n%s", n, logs.String())
	}
	advance(61 * time.Second)
	_ = db.Ready(ctx)
	if n := logs.count(line); n != 2 || !strings.Contains(logs.String(), "more_in_the_last_minute=6") {
		t.Fatalf("a minute later: %d lines, want 2 and a count of 6:\n%s", n, logs.String())
	}

	// Free space from another connection, as an operator deleting data
	// would: the same store writes again, without a restart.
	other, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.ExecContext(ctx, `DELETE FROM persona_groups WHERE id < 'g0300'`); err != nil {
		t.Fatal(err)
	}
	if err := db.Ready(ctx); err != nil {
		t.Fatalf("ready after space was freed: %v", err)
	}
	if err := db.CreateGroup(ctx, persona.Group{OrgID: org.ID, ID: "after", Name: "After", Description: description,
		CreatedAt: time.Now(), UpdatedAt: time.Now()}); err != nil {
		t.Fatalf("a write after space was freed: %v", err)
	}
}

// A SQLite database another process keeps locked beyond busy_timeout, and
// one that refuses writes, answer unavailable (and are not ready); neither
// is an internal error.
func TestBusyAndReadOnlySQLiteAreUnavailable(t *testing.T) {
	ctx := context.Background()
	busy, path := limitedSQLite(t, 10000, "busy_timeout(50)")
	locker, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer locker.Close()
	conn, err := locker.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
		t.Fatal(err)
	}
	u := persona.User{ID: "u1", Email: "a@example.com", Name: "A", PasswordHash: "x", CreatedAt: time.Now()}
	if err := busy.CreateUser(ctx, u); persona.ErrorCode(err) != persona.CodeUnavailable || !strings.Contains(err.Error(), "busy") {
		t.Fatalf("a write while another process holds the lock: %v", err)
	}
	if err := busy.Ready(ctx); persona.ErrorCode(err) != persona.CodeUnavailable {
		t.Fatalf("ready while locked: %v", err)
	}
	if _, err := conn.ExecContext(ctx, `ROLLBACK`); err != nil {
		t.Fatal(err)
	}
	if err := busy.Ready(ctx); err != nil {
		t.Fatalf("ready once the lock is gone: %v", err)
	}

	ro, _ := limitedSQLite(t, 10000, "query_only(1)")
	if err := ro.CreateUser(ctx, u); persona.ErrorCode(err) != persona.CodeUnavailable || !strings.Contains(err.Error(), "read-only") {
		t.Fatalf("a write into a read-only database: %v", err)
	}
	if err := ro.Ready(ctx); persona.ErrorCode(err) != persona.CodeUnavailable {
		t.Fatalf("ready while read-only: %v", err)
	}
	if _, err := ro.CountOrgs(ctx); err != nil {
		t.Fatalf("a read from a read-only database: %v", err)
	}
}

func postgresForFaults(t *testing.T) string {
	t.Helper()
	if os.Getenv("PERSONAPAL_TEST_POSTGRES") == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("PERSONAPAL_TEST_POSTGRES is not set; CI must test on PostgreSQL too")
		}
		t.Skip("PERSONAPAL_TEST_POSTGRES is not set")
	}
	return postgresSchemaDSN(t)
}

// killConnection makes pool's only connection current (a second use, so
// that pgx's own liveness ping, done at most once a second, is behind it),
// has the server terminate it and waits until it is gone. It reports false
// when that took so long that pgx would ping again (the caller retries).
func killConnection(t *testing.T, pool *sql.DB, admin *sql.DB) bool {
	t.Helper()
	ctx := context.Background()
	var pid int
	for range 2 {
		if err := pool.QueryRowContext(ctx, `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	if _, err := admin.ExecContext(ctx, `SELECT pg_terminate_backend($1)`, pid); err != nil {
		t.Fatal(err)
	}
	for {
		var n int
		if err := admin.QueryRowContext(ctx, `SELECT count(*) FROM pg_stat_activity WHERE pid = $1`, pid).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		time.Sleep(2 * time.Millisecond)
	}
	return time.Since(start) < 700*time.Millisecond
}

// What pgx and database/sql do alone when a pooled connection died (the
// server restarted, or an administrator ended it): the next read on it
// fails — pgx reports the server's FATAL 57P01 or an unexpected EOF, not
// driver.ErrBadConn, so database/sql does not try another connection.
// Through the store the same read is run again on a fresh connection and
// succeeds; a write on a dead connection is not repeated but answers
// unavailable; and the store serves normally afterwards.
func TestPostgresReadRetriedOnAFreshConnection(t *testing.T) {
	dsn := postgresForFaults(t)
	ctx := context.Background()
	admin, err := sql.Open("pgx", os.Getenv("PERSONAPAL_TEST_POSTGRES"))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()

	plain, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	plain.SetMaxOpenConns(1)
	var plainErr error
	for attempt := 0; ; attempt++ {
		if killConnection(t, plain, admin) {
			var one int
			plainErr = plain.QueryRowContext(ctx, `SELECT 1`).Scan(&one)
			break
		}
		if attempt == 5 {
			t.Skip("the machine is too slow to kill a connection within pgx's ping interval")
		}
	}
	if plainErr == nil {
		t.Fatal("pgx and database/sql alone retried the read; the store's retry would not be needed")
	}
	if code, _, lost := classify(plainErr); code != persona.CodeUnavailable || !lost {
		t.Fatalf("pgx's error on a dead connection %v: classified %q, lost %v", plainErr, code, lost)
	}
	t.Logf("pgx alone, on a dead connection: %v", plainErr)

	db, err := Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var logs logBuffer
	db.SetLogger(slog.New(slog.NewTextHandler(&logs, nil)))
	db.db.DB.SetMaxOpenConns(1)
	for attempt := 0; ; attempt++ {
		if killConnection(t, db.db.DB, admin) {
			if _, err := db.CountOrgs(ctx); err != nil {
				t.Fatalf("a read on a dead connection: %v", err)
			}
			break
		}
		if attempt == 5 {
			t.Skip("the machine is too slow to kill a connection within pgx's ping interval")
		}
	}
	for attempt := 0; ; attempt++ {
		if killConnection(t, db.db.DB, admin) {
			u := persona.User{ID: "u1", Email: "a@example.com", Name: "A", PasswordHash: "x", CreatedAt: time.Now()}
			err := db.CreateUser(ctx, u)
			if persona.ErrorCode(err) != persona.CodeUnavailable {
				t.Fatalf("a write on a dead connection: %v, want unavailable", err)
			}
			var e *persona.Error
			if !errors.As(err, &e) || e.Err == nil {
				t.Fatalf("the cause is kept for the log: %#v", err)
			}
			break
		}
		if attempt == 5 {
			t.Skip("the machine is too slow to kill a connection within pgx's ping interval")
		}
	}
	if n, err := db.CountOrgs(ctx); err != nil || n != 0 {
		t.Fatalf("afterwards: %d, %v", n, err)
	}
	if err := db.Ready(ctx); err != nil {
		t.Fatalf("ready afterwards: %v", err)
	}
	if !strings.Contains(logs.String(), "database unavailable") {
		t.Errorf("the lost write was not logged:\n%s", logs.String())
	}
}

// PostgreSQL's readiness probe cannot reserve space (the server allocates
// it), so a write that found the disk full keeps the database from being
// ready for 30 seconds after the last such write.
func TestPostgresNotReadyShortlyAfterAFullDisk(t *testing.T) {
	dsn := postgresForFaults(t)
	ctx := context.Background()
	db, err := Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	db.SetLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	db.health.now = func() time.Time { return now }
	if err := db.Ready(ctx); err != nil {
		t.Fatalf("ready: %v", err)
	}
	// What pgx reports when the server cannot extend a file.
	full := db.health.fault(&pgconn.PgError{Severity: "ERROR", Code: "53100", Message: "could not extend file: No space left on device"})
	if persona.ErrorCode(full) != persona.CodeStorageFull {
		t.Fatalf("53100: %v", full)
	}
	now = now.Add(29 * time.Second)
	if err := db.Ready(ctx); persona.ErrorCode(err) != persona.CodeStorageFull {
		t.Fatalf("ready 29 s after a full disk: %v", err)
	}
	now = now.Add(2 * time.Second)
	if err := db.Ready(ctx); err != nil {
		t.Fatalf("ready 31 s after: %v", err)
	}
}
