package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"sync"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/personapal/personapal/internal/app"
)

// The job queue is riverqueue/river on the same database: its tables
// (river_job, river_leader, …) are migrated by river's own migrator after
// goose (Migrate), on SQLite through riversqlite and on PostgreSQL through
// riverdatabasesql over the same pgx pool. The store inserts jobs — inside
// the transaction of the change that causes them, so a job exists exactly
// when its change committed (a transactional outbox) — and internal/queue
// runs them.

// jobs holds the insert-only river client, made on first use.
type jobs struct {
	once   sync.Once
	client *river.Client[*sql.Tx]
	err    error
}

// JobDriver returns river's driver for this database (internal/queue runs
// its workers with it).
func (s *DB) JobDriver() riverdriver.Driver[*sql.Tx] {
	if s.d.name == DialectPostgres {
		return riverdatabasesql.New(s.db.DB)
	}
	return riversqlite.New(s.db.DB)
}

func (s *DB) jobClient() (*river.Client[*sql.Tx], error) {
	s.jobs.once.Do(func() {
		s.jobs.client, s.jobs.err = river.NewClient(s.JobDriver(), &river.Config{Logger: s.health.logger()})
	})
	return s.jobs.client, s.jobs.err
}

// Enqueue inserts a job for the queue's workers. On a view made by InTx
// the job joins the view's transaction: it is queued if and only if the
// transaction commits.
func (s *DB) Enqueue(ctx context.Context, job app.Job) error {
	c, err := s.jobClient()
	if err != nil {
		return err
	}
	var opts *river.InsertOpts
	if o, ok := job.(interface{ MaxAttempts() int }); ok {
		opts = &river.InsertOpts{MaxAttempts: o.MaxAttempts()}
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := c.InsertTx(ctx, tx, job, opts); err != nil {
			return s.d.mapErr(fmt.Errorf("queue a %s job: %w", job.Kind(), err))
		}
		return nil
	})
}

// migrateJobs brings river's tables up to date.
func (s *DB) migrateJobs(ctx context.Context) error {
	m, err := rivermigrate.New(s.JobDriver(), &rivermigrate.Config{Logger: quieter(s.health.logger())})
	if err != nil {
		return fmt.Errorf("job queue migrations: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("job queue migrate: %w", err)
	}
	return nil
}

func (h *health) logger() *slog.Logger {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.log
}

// quieter passes on warnings and errors only (river's migrator reports
// every migration it applies at info level).
func quieter(l *slog.Logger) *slog.Logger { return slog.New(minLevel{l.Handler(), slog.LevelWarn}) }

type minLevel struct {
	slog.Handler
	min slog.Level
}

func (m minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= m.min && m.Handler.Enabled(ctx, l)
}

func (m minLevel) WithAttrs(as []slog.Attr) slog.Handler {
	return minLevel{m.Handler.WithAttrs(as), m.min}
}
func (m minLevel) WithGroup(g string) slog.Handler { return minLevel{m.Handler.WithGroup(g), m.min} }
