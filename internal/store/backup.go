package store

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/personapal/personapal/internal/persona"
)

// Backup writes a consistent copy of a SQLite database to path while it
// stays online (VACUUM INTO reads one snapshot; writers carry on in WAL
// mode). PostgreSQL is backed up with pg_dump (see docs/DEPLOYMENT.md).
func (s *DB) Backup(ctx context.Context, path string) error {
	if s.d.name != DialectSQLite {
		return persona.Errorf(persona.CodeInvalid, "backup copies SQLite databases; back up PostgreSQL with pg_dump")
	}
	if _, err := os.Stat(path); err == nil {
		return persona.Errorf(persona.CodeConflict, "%s exists already; choose a new file", path)
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if _, err := s.db.ExecContext(ctx, `VACUUM INTO $1`, path); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}

// IntegrityCheck runs SQLite's integrity check and reports any problem as
// an error (PostgreSQL: a connectivity check).
func (s *DB) IntegrityCheck(ctx context.Context) error {
	if s.d.name != DialectSQLite {
		return s.db.PingContext(ctx)
	}
	rows, err := s.q().QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return err
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(problems) > 0 {
		return fmt.Errorf("integrity check failed: %v", problems)
	}
	return nil
}
