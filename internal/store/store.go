// Package store is Persona Pal's persistence: one SQL implementation of
// app.Store on database/sql, shared by SQLite (modernc.org/sqlite, the
// embedded default) and PostgreSQL (pgx stdlib).
//
// Every query uses $N placeholders; modernc binds "$N" by number (repeats and
// out-of-order numbers included, see TestPlaceholderBinding), so one query
// text serves both engines. What must differ lives in the dialect struct and
// in the per-dialect goose migrations (same version numbers): DDL, full-text
// search and error mapping.
//
// Conventions shared by both engines:
//   - Tables key on (org_id, id) and every reference inside an organisation
//     includes org_id, so a cross-organisation reference cannot be written.
//   - Timestamps are stored and returned in UTC, truncated to microseconds
//     (PostgreSQL's precision). On SQLite they are TIMESTAMP columns written as
//     "2006-01-02 15:04:05.999999-07:00" text (_time_format=sqlite), which the
//     driver parses back into time.Time.
//   - JSON (definitions, values) is TEXT on SQLite and jsonb on PostgreSQL.
//   - Optional references and dates ("" in the domain) are NULL in the database.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver

	"github.com/personapal/personapal/internal/app"
)

var _ app.Store = (*DB)(nil)

// Dialect names returned by (*DB).Dialect.
const (
	DialectSQLite   = "sqlite"
	DialectPostgres = "postgres"
)

// DB is a Persona Pal database. It implements app.Store.
type DB struct {
	db *pool
	d  dialect
	// writer serialises this process's writes on SQLite (see writeLock).
	writer chan struct{}
	// stop ends the background checkpointer (SQLite), which closes
	// stopped when it has returned.
	stop, stopped chan struct{}
	closeOnce     sync.Once
	// tx is set on the view InTx hands its function: every method of that
	// view reads and writes inside the one transaction.
	tx *sql.Tx
	// health classifies, logs (rate-limited) and remembers the database's
	// unavailability and full storage (faults.go); path is the SQLite
	// file, for the free-space check of Ready.
	health *health
	path   string
	// jobs inserts the job queue's jobs (jobs.go), shared with the views.
	jobs *jobs
	// group commits queued writes together (SQLite; groupcommit.go).
	group *committer
	// revs keeps the newest revision of recently written personas
	// (revcache.go), shared with the views.
	revs *revisionCache
	// commit collects what a view made by InTx runs once its transaction
	// has committed (afterCommit); nil elsewhere.
	commit *[]func()
}

// InTx runs fn with a view of the database bound to one transaction,
// committing when fn returns nil and rolling back otherwise: everything fn
// does through the view is stored together or not at all. A store method
// called on the view joins that transaction rather than opening its own,
// and so does a nested InTx. The application layer runs every use case
// that changes data this way, with its audit entry (app.Service.inTx).
func (s *DB) InTx(ctx context.Context, fn func(tx app.Store) error) error {
	return s.write(ctx, func(v *DB) error { return fn(v) })
}

// write runs fn on a view bound to one transaction, as InTx does: s itself
// when s is a view already, else a view of a new transaction, and then, if
// that transaction committed, what fn left for after the commit.
func (s *DB) write(ctx context.Context, fn func(v *DB) error) error {
	if s.tx != nil {
		return fn(s)
	}
	var done []func()
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var hooks []func()
		v := s.view(tx)
		v.commit = &hooks
		if err := fn(v); err != nil {
			return err
		}
		done = hooks
		return nil
	})
	if err != nil {
		return err
	}
	for _, f := range done {
		f()
	}
	return nil
}

// view is s bound to tx (s itself when it already is).
func (s *DB) view(tx *sql.Tx) *DB {
	if s.tx != nil {
		return s
	}
	return &DB{db: s.db, d: s.d, tx: tx, health: s.health, path: s.path, jobs: s.jobs, revs: s.revs}
}

// afterCommit leaves f to run once the transaction of s, a view made by
// InTx, has committed (never when it rolls back); without such a view, f
// is dropped.
func (s *DB) afterCommit(f func()) {
	if s.commit != nil {
		*s.commit = append(*s.commit, f)
	}
}

// LockOrg serialises the transaction it is called in with every other
// transaction that locks the same organisation, until commit: PostgreSQL
// locks the organisation's row; SQLite transactions already take the
// database's single write lock when they begin (BEGIN IMMEDIATE). Checks
// that must hold across concurrent changes (an organisation keeps an
// owner) read after the lock.
func (s *DB) LockOrg(ctx context.Context, orgID string) error {
	if s.tx == nil {
		return errors.New("LockOrg outside a transaction")
	}
	if s.d.name != DialectPostgres {
		return nil
	}
	var id string
	err := s.tx.QueryRowContext(ctx, `SELECT id FROM orgs WHERE id = $1 FOR UPDATE`, orgID).Scan(&id)
	return noRows(err, "organisation")
}

// q is what a method queries with: the transaction of a view made by
// InTx, otherwise the pool.
func (s *DB) q() querier {
	if s.tx != nil {
		return txQuerier{tx: s.tx, p: s.db}
	}
	return s.db
}

// txQuerier runs queries in a transaction with the pool's prepared
// statements.
type txQuerier struct {
	tx *sql.Tx
	p  *pool
}

func (t txQuerier) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := t.p.txStmt(ctx, t.tx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return t.tx.ExecContext(ctx, query, args...)
}

func (t txQuerier) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := t.p.txStmt(ctx, t.tx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return t.tx.QueryContext(ctx, query, args...)
}

func (t txQuerier) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := t.p.txStmt(ctx, t.tx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, query, args...)
}

// Open connects to the database named by dsn. A dsn starting with
// "postgres://" or "postgresql://" selects PostgreSQL (any pgx connection
// parameter may be added, e.g. "?sslmode=disable&search_path=x"); anything
// else is a SQLite file path, optionally a "file:" URI with query
// parameters of its own. For SQLite, Open adds the PRAGMAs every pooled
// connection needs (WAL, foreign keys, busy timeout, synchronous=NORMAL),
// BEGIN IMMEDIATE for transactions and the time format; parameters already
// present in the dsn are kept. Open does not migrate; call Migrate.
func Open(ctx context.Context, dsn string) (*DB, error) {
	var (
		db  *sql.DB
		d   dialect
		err error
	)
	h := newHealth()
	if isPostgres(dsn) {
		d = postgresDialect
		db, err = openPool(DialectPostgres, dsn, h)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		db.SetMaxOpenConns(20)
		db.SetMaxIdleConns(10)
		db.SetConnMaxIdleTime(5 * time.Minute)
		db.SetConnMaxLifetime(time.Hour)
	} else {
		d = sqliteDialect
		sdsn, err := sqliteDSN(dsn)
		if err != nil {
			return nil, err
		}
		db, err = openPool(DialectSQLite, sdsn, h)
		if err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		// WAL lets readers run beside the single writer; writers queue on
		// the write lock (BEGIN IMMEDIATE + busy_timeout). A small pool is
		// plenty and keeps the per-connection page caches bounded.
		db.SetMaxOpenConns(8)
		db.SetMaxIdleConns(8)
		db.SetConnMaxIdleTime(0)
		db.SetConnMaxLifetime(0)
	}
	s := &DB{db: newPool(db, d.name == DialectSQLite), d: d, writer: make(chan struct{}, 1), stop: make(chan struct{}), health: h, jobs: &jobs{},
		revs: newRevisionCache()}
	if d.name == DialectSQLite {
		s.path = sqlitePath(dsn)
		s.group = &committer{}
	}
	if err := s.Ping(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to %s database: %w", d.name, err)
	}
	if d.name == DialectSQLite {
		s.stopped = make(chan struct{})
		go s.checkpoint()
	}
	return s, nil
}

// checkpointEvery is how often the WAL is copied back into the database
// file (SQLite).
const checkpointEvery = 250 * time.Millisecond

// walRestartFrames is the log length (in pages) past which the
// checkpointer finishes its work between two writes.
const walRestartFrames = 4096

// Settle brings a freshly bulk-loaded database to the state a running one
// is in: on SQLite it copies the whole write-ahead log into the database
// file and empties it; on PostgreSQL it gathers the planner's statistics
// (ANALYZE), which autovacuum would otherwise do at some moment during the
// next minutes, changing plans midway. The load harness calls it after
// generating its dataset, so every run measures a settled database.
func (s *DB) Settle(ctx context.Context) error {
	if s.d.name != DialectSQLite {
		// Only this store's own tables: a bare ANALYZE walks every schema of
		// the database, and fails when another schema's table is dropped
		// meanwhile (tests share one database, a schema each).
		rows, err := s.db.DB.QueryContext(ctx, `SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = current_schema()`)
		if err != nil {
			return err
		}
		tables, err := collect(rows, func(r interface{ Scan(...any) error }) (string, error) {
			var t string
			return t, r.Scan(&t)
		})
		if err != nil || len(tables) == 0 {
			return err
		}
		_, err = s.db.DB.ExecContext(ctx, `ANALYZE `+strings.Join(tables, ", "))
		return err
	}
	unlock, err := s.writeLock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	_, err = s.db.DB.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	return err
}

// walBusyWait is how long a checkpoint that holds the write lock waits for
// the readers of older snapshots to finish before it gives up until the
// next round (writers wait for it meanwhile).
const walBusyWait = 100 * time.Millisecond

// walSizeLimit is journal_size_limit: when the log restarts at its start,
// the next write truncates the file to this size, giving back what a burst
// of writes made it grow to.
const walSizeLimit = 16 << 20

// checkpointTick is one round of the background checkpointer; lock is
// writeLock (tests count its use).
func (s *DB) checkpointTick(ctx context.Context, lock func(context.Context) (func(), error)) {
	if frames, _ := s.checkpointOnce(ctx); frames > walRestartFrames {
		// Writers never pausing would keep the log from restarting at its
		// start, and readers holding snapshots keep a PASSIVE checkpoint
		// from copying the frames after theirs: the log would grow without
		// end (reads slow down as it grows). So finish the checkpoint
		// between two writes, waiting briefly for the readers of older
		// snapshots (RESTART), so that the next write starts the log
		// afresh and truncates the file to walSizeLimit.
		if unlock, err := lock(ctx); err == nil {
			_, _ = s.checkpointRestart(ctx)
			unlock()
		}
	}
}

// checkpointRestart runs a RESTART checkpoint on a connection whose busy
// timeout is walBusyWait for the while, and returns whether it finished
// (false: a reader held its snapshot longer; what could be copied is).
func (s *DB) checkpointRestart(ctx context.Context) (bool, error) {
	c, err := s.db.DB.Conn(ctx)
	if err != nil {
		return false, err
	}
	defer c.Close()
	var prev int
	if err := c.QueryRowContext(ctx, `PRAGMA busy_timeout`).Scan(&prev); err != nil {
		return false, err
	}
	if _, err := c.ExecContext(ctx, fmt.Sprintf(`PRAGMA busy_timeout = %d`, walBusyWait.Milliseconds())); err != nil {
		return false, err
	}
	var busy, frames, done int
	err = c.QueryRowContext(ctx, `PRAGMA wal_checkpoint(RESTART)`).Scan(&busy, &frames, &done)
	if _, rerr := c.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf(`PRAGMA busy_timeout = %d`, prev)); rerr != nil {
		// Do not hand the pool a connection with the short timeout.
		_ = c.Raw(func(any) error { return driver.ErrBadConn })
	}
	return err == nil && busy == 0, err
}

// checkpointOnce runs a PASSIVE checkpoint and returns how many frames the
// log holds.
func (s *DB) checkpointOnce(ctx context.Context) (int, error) {
	var busy, frames, done int
	err := s.db.DB.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &frames, &done)
	return frames, err
}

// checkpoint copies the write-ahead log into the database file in the
// background until Close. Connections do not checkpoint on commit
// (wal_autocheckpoint=0): at a thousand writes a second the automatic
// checkpoint ran every few dozen commits inside the committing request,
// copying and syncing thousands of pages while every other writer waited.
// PASSIVE never blocks readers or writers; what it cannot copy now it
// copies on a later tick.
func (s *DB) checkpoint() {
	defer close(s.stopped)
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			s.checkpointTick(ctx, s.writeLock)
			cancel()
		}
	}
}

func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// sqlitePragmas are applied by the driver to every new connection.
var sqlitePragmas = []string{
	"busy_timeout(10000)",
	"journal_mode(WAL)",
	"foreign_keys(1)",
	"synchronous(NORMAL)",
	"wal_autocheckpoint(0)",        // the store checkpoints in the background
	"journal_size_limit(16777216)", // walSizeLimit: the log shrinks back after a restart
	"cache_size(-8000)",            // 8 MB of pages per connection (the default is 2 MB)
}

// sqliteDSN turns a path or file: URI into a modernc DSN with our PRAGMAs.
func sqliteDSN(dsn string) (string, error) {
	if dsn == "" {
		return "", errors.New("empty database path")
	}
	if strings.Contains(dsn, ":memory:") || strings.Contains(dsn, "mode=memory") {
		// Each pooled connection would get its own, empty database.
		return "", errors.New("in-memory SQLite databases are not supported; use a file")
	}
	path, rawQuery, _ := strings.Cut(dsn, "?")
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return "", fmt.Errorf("sqlite dsn: %w", err)
	}
	have := map[string]bool{}
	for _, p := range q["_pragma"] {
		name, _, _ := strings.Cut(p, "(")
		name, _, _ = strings.Cut(name, "=")
		have[strings.ToLower(strings.TrimSpace(name))] = true
	}
	for _, p := range sqlitePragmas {
		name, _, _ := strings.Cut(p, "(")
		if !have[name] {
			q.Add("_pragma", p)
		}
	}
	if q.Get("_txlock") == "" {
		q.Set("_txlock", "immediate")
	}
	if q.Get("_time_format") == "" {
		q.Set("_time_format", "sqlite")
	}
	return path + "?" + q.Encode(), nil
}

// Close closes the connection pool.
func (s *DB) Close() error {
	s.closeOnce.Do(func() {
		close(s.stop)
		if s.stopped != nil {
			<-s.stopped
		}
	})
	return s.db.Close()
}

// Dialect returns "sqlite" or "postgres".
func (s *DB) Dialect() string { return s.d.name }

// Ping checks that the database answers.
func (s *DB) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// SQL returns the underlying pool, for edges that keep their own tables
// (sessions, login throttling) in the same database.
func (s *DB) SQL() *sql.DB { return s.db.DB }

// querier is what *sql.DB and *sql.Tx have in common.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// inTx runs fn in a transaction, committing when fn returns nil. On SQLite
// the transaction begins IMMEDIATE (it takes the write lock up front), so
// call it for writes only, and writes queued meanwhile are committed
// together, each in a savepoint of its own (groupcommit.go). On a view made
// by InTx, fn runs in the view's transaction.
func (s *DB) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if s.tx != nil {
		return fn(s.tx)
	}
	if s.group != nil {
		return s.groupTx(ctx, fn)
	}
	unlock, err := s.writeLock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.d.mapErr(err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return s.d.mapErr(err)
	}
	return nil
}

// writeLock waits for this process's turn to write (SQLite; a no-op on
// PostgreSQL). SQLite has one writer at a time; left to itself, a waiting
// writer polls the lock with back-off sleeps of up to 100 ms, which under
// many concurrent writes made the slowest writes wait far longer than the
// queue ahead of them. Queueing in Go hands the lock on at once. Other
// processes on the same file still wait through busy_timeout.
func (s *DB) writeLock(ctx context.Context) (func(), error) {
	if s.d.name != DialectSQLite || s.tx != nil {
		return func() {}, nil
	}
	select {
	case s.writer <- struct{}{}:
		return func() { <-s.writer }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// exec runs one write statement and maps its error.
func (s *DB) exec(ctx context.Context, q querier, query string, args ...any) (sql.Result, error) {
	var (
		res sql.Result
		err error
	)
	if tx, ok := q.(*sql.Tx); ok {
		q = txQuerier{tx: tx, p: s.db}
	}
	switch q := q.(type) {
	case txQuerier:
		res, err = q.ExecContext(ctx, query, args...)
	default:
		if s.tx != nil {
			// A view's writes belong to its transaction.
			res, err = s.q().ExecContext(ctx, query, args...)
			break
		}
		unlock, lerr := s.writeLock(ctx)
		if lerr != nil {
			return nil, lerr
		}
		res, err = q.ExecContext(ctx, query, args...)
		unlock()
	}
	if err != nil {
		return nil, s.d.mapErr(err)
	}
	return res, nil
}

// execOne runs one write statement that must affect a row; otherwise it
// returns persona.ErrNotFound(what).
func (s *DB) execOne(ctx context.Context, q querier, what, query string, args ...any) error {
	res, err := s.exec(ctx, q, query, args...)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return notFound(what)
	}
	return nil
}
