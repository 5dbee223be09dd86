package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/personapal/personapal/internal/persona"
)

// The database's own state — unreachable, shutting down, busy, read-only,
// full — is not a bug of the request, and the edges answer it with 503
// (CodeUnavailable, Retry-After) or 507 (CodeStorageFull) rather than a
// bare 500. Every driver error passes through classify (faultdriver.go
// wraps the drivers), which turns those into *persona.Error with a message
// safe to show; everything else stays internal.
//
// Decisions:
//   - SQLite busy beyond busy_timeout (10 s) is unavailable: another process
//     holds the write lock (a backup, a second instance by mistake); trying
//     again later may work.
//   - A read-only SQLite file or a PostgreSQL standby (25006) is unavailable:
//     the data is there, writes are refused until an operator acts.
//   - I/O errors and a file that cannot be opened are unavailable.
//   - Corruption (SQLITE_CORRUPT, SQLITE_NOTADB) stays internal.
//   - A cancelled or timed-out request is never the database's fault.

const (
	msgUnavailable = "the database is unavailable; try again in a few seconds"
	msgBusy        = "the database is busy; try again in a few seconds"
	msgReadOnly    = "the database refuses writes (it is read-only); nothing was saved"
	msgIO          = "the database's storage cannot be read or written; try again later"
	msgFull        = "the database's storage is full, so nothing was saved; an administrator must free space"
	msgShutdown    = "the database is restarting; try again in a few seconds"
)

// classify tells what err says about the database: code is
// CodeUnavailable or CodeStorageFull ("" for anything else), msg a message
// safe to show, and lost reports that the connection is gone (the
// operation may or may not have run).
func classify(err error) (code persona.Code, msg string, lost bool) {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return "", "", false
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_FULL:
			return persona.CodeStorageFull, msgFull, false
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return persona.CodeUnavailable, msgBusy, false
		case sqlite3.SQLITE_READONLY:
			return persona.CodeUnavailable, msgReadOnly, false
		case sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN:
			return persona.CodeUnavailable, msgIO, false
		}
		return "", "", false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case pe.Code == "53100": // disk_full
			return persona.CodeStorageFull, msgFull, false
		case pe.Code == "57P01", pe.Code == "57P02", pe.Code == "57P05": // admin/crash shutdown, idle session timeout
			return persona.CodeUnavailable, msgShutdown, true
		case pe.Code == "57P03": // cannot_connect_now: starting up or shutting down
			return persona.CodeUnavailable, msgShutdown, false
		case strings.HasPrefix(pe.Code, "08"): // connection exceptions
			return persona.CodeUnavailable, msgUnavailable, true
		case pe.Code == "53200", pe.Code == "53300", pe.Code == "53400": // out of memory, too many connections
			return persona.CodeUnavailable, msgBusy, false
		case pe.Code == "25006": // read_only_sql_transaction: a standby
			return persona.CodeUnavailable, msgReadOnly, false
		}
		return "", "", false
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	switch {
	case errors.As(err, &ce):
		return persona.CodeUnavailable, msgUnavailable, true
	case errors.Is(err, driver.ErrBadConn), errors.Is(err, pgconn.ErrConnClosed), errors.Is(err, net.ErrClosed),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNABORTED),
		errors.Is(err, syscall.EPIPE), errors.As(err, &ne):
		return persona.CodeUnavailable, msgUnavailable, true
	}
	return "", "", false
}

// health keeps what the store has seen of the database's state: it logs
// those errors at most once a minute per kind (with the count of the ones
// it did not log) and remembers when storage was last full.
type health struct {
	mu   sync.Mutex
	now  func() time.Time
	log  *slog.Logger
	last map[persona.Code]time.Time
	// quiet counts the errors of each kind not logged since the last line.
	quiet  map[persona.Code]int
	fullAt time.Time
}

// logEvery is the least time between two log lines of one kind.
const logEvery = time.Minute

func newHealth() *health {
	return &health{now: time.Now, log: slog.Default(), last: map[persona.Code]time.Time{}, quiet: map[persona.Code]int{}}
}

// report notes one error of the kind and logs it unless one was logged in
// the last minute.
func (h *health) report(code persona.Code, err error) {
	h.mu.Lock()
	now := h.now()
	if code == persona.CodeStorageFull {
		h.fullAt = now
	}
	if last, ok := h.last[code]; ok && now.Sub(last) < logEvery {
		h.quiet[code]++
		h.mu.Unlock()
		return
	}
	h.last[code] = now
	quiet := h.quiet[code]
	h.quiet[code] = 0
	log := h.log
	h.mu.Unlock()
	msg := "database unavailable: requests answer 503 until it is back"
	if code == persona.CodeStorageFull {
		msg = "database storage is full: writes answer 507 until space is freed"
	}
	log.Error(msg, "err", err, "more_in_the_last_minute", quiet)
}

// fullWithin reports whether storage was full within the last d.
func (h *health) fullWithin(d time.Duration) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return !h.fullAt.IsZero() && h.now().Sub(h.fullAt) < d
}

// fault maps err to a *persona.Error when it is about the database's state
// (and reports it); anything else is returned as it is.
func (h *health) fault(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := persona.AsError(err); ok {
		return err
	}
	code, msg, _ := classify(err)
	if code == "" {
		return err
	}
	h.report(code, err)
	return &persona.Error{Code: code, Message: msg, Err: err}
}
