package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
)

// Migrations per dialect; both directories use the same version numbers.
//
//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFS embed.FS

// Migrate brings the schema up to date, goose's migrations and then the
// job queue's (river's own migrator). Running it again is a no-op. On
// PostgreSQL it holds a session-level advisory lock (keyed on the current
// schema) while migrating, so instances starting at once migrate once.
func (s *DB) Migrate(ctx context.Context) error {
	var gd goose.Dialect
	switch s.d.name {
	case DialectPostgres:
		gd = goose.DialectPostgres
	default:
		gd = goose.DialectSQLite3
	}
	fsys, err := fs.Sub(migrationFS, "migrations/"+s.d.name)
	if err != nil {
		return err
	}
	// Out-of-order: features developed side by side may land a lower
	// migration number after a higher one; each migration stands alone.
	p, err := goose.NewProvider(gd, s.db.DB, fsys, goose.WithDisableGlobalRegistry(true), goose.WithAllowOutofOrder(true))
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if s.d.name == DialectPostgres {
		conn, err := s.db.Conn(ctx)
		if err != nil {
			return err
		}
		defer conn.Close()
		const key = `hashtextextended('personapal.migrate.' || current_schema(), 0)`
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(`+key+`)`); err != nil {
			return fmt.Errorf("migration lock: %w", err)
		}
		defer func() {
			// A fresh context: the lock must be released even when ctx is done.
			_, _ = conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(`+key+`)`)
		}()
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if err := s.migrateJobs(ctx); err != nil {
		return err
	}
	return s.runStoreTasks(ctx)
}
