package store

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

// readyReserve is the space a write must find for the database to be
// ready: the readiness probe reserves this much and the SQLite file system
// must have it free.
const readyReserve = 1 << 20

// fullHold is how long a full disk seen by a write keeps PostgreSQL from
// being ready (its probe cannot reserve space: the server allocates it).
const fullHold = 30 * time.Second

// SetLogger sets where the store logs the database's unavailability and
// full storage (at most once a minute each). The default is slog.Default.
func (s *DB) SetLogger(log *slog.Logger) {
	s.health.mu.Lock()
	s.health.log = log
	s.health.mu.Unlock()
}

// Ready reports whether the database takes writes now, for a readiness
// check: it answers, a write transaction can begin, take the write lock and
// insert readyReserve bytes (rolled back, so nothing stays), and on SQLite
// the file system holding the database has readyReserve bytes free. On
// PostgreSQL a write that found the disk full in the last 30 seconds also
// makes it not ready. The error is CodeUnavailable or CodeStorageFull.
//
// On SQLite the insert runs into max_page_count and a full file system as
// a real write does; a read-only file refuses it.
func (s *DB) Ready(ctx context.Context) error {
	if err := s.Ping(ctx); err != nil {
		return s.notReady(err)
	}
	if s.d.name == DialectSQLite && s.path != "" {
		if free, ok := freeBytes(filepath.Dir(s.path)); ok && free < readyReserve {
			err := persona.Errorf(persona.CodeStorageFull, "%s: %d bytes free", msgFull, free)
			s.health.report(persona.CodeStorageFull, err)
			return &persona.Error{Code: persona.CodeStorageFull, Message: msgFull, Err: err}
		}
	}
	if s.d.name == DialectPostgres && s.health.fullWithin(fullHold) {
		return &persona.Error{Code: persona.CodeStorageFull, Message: msgFull}
	}
	unlock, err := s.writeLock(ctx)
	if err != nil {
		return s.notReady(err)
	}
	defer unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.notReady(err)
	}
	defer func() { _ = tx.Rollback() }()
	payload, arg := `zeroblob($1)`, any(readyReserve)
	if s.d.name == DialectPostgres {
		payload, arg = `$1`, []byte("ready") // the server allocates its own space
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO health_probe (id, payload) VALUES (1, `+payload+`)`, arg); err != nil {
		return s.notReady(err)
	}
	return nil
}

// notReady makes sure the answer is unavailable or storage full.
func (s *DB) notReady(err error) error {
	if code := persona.ErrorCode(err); code == persona.CodeUnavailable || code == persona.CodeStorageFull {
		return err
	}
	return &persona.Error{Code: persona.CodeUnavailable, Message: msgUnavailable, Err: err}
}

// sqlitePath is the file of a SQLite DSN (a path or a file: URI).
func sqlitePath(dsn string) string {
	path, _, _ := strings.Cut(dsn, "?")
	return strings.TrimPrefix(path, "file:")
}
