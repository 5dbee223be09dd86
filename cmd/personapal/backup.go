package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/store"
)

func backupCmd(g *globals) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "backup",
		Short: "Copy a SQLite database consistently while the server keeps running",
		Long: "Write a consistent copy of the SQLite database --db to --out (a new file) while it is in use,\n" +
			"then check the copy's integrity. For PostgreSQL use pg_dump (see docs/DEPLOYMENT.md).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required("out", out); err != nil {
				return err
			}
			db, err := store.Open(cmd.Context(), g.db)
			if err != nil {
				return err
			}
			defer db.Close()
			if err := db.Backup(cmd.Context(), out); err != nil {
				return err
			}
			if err := checkCopy(cmd, out); err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "backup written to %s (integrity ok)\n", out)
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "file to write; must not exist (required)")
	return cmd
}

func restoreCmd(g *globals) *cobra.Command {
	var from string
	var force bool
	cmd := &cobra.Command{
		Use:   "restore",
		Short: "Restore a SQLite database from a backup (stop the server first)",
		Long: "Check the backup --from and copy it to --db. An existing --db is replaced only with --force;\n" +
			"stop every server using it first.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required("from", from); err != nil {
				return err
			}
			if err := checkCopy(cmd, from); err != nil {
				return err
			}
			if _, err := os.Stat(g.db); err == nil && !force {
				return persona.Errorf(persona.CodeConflict, "%s exists; add --force to replace it (stop the server first)", g.db)
			} else if err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
			src, err := store.Open(cmd.Context(), from)
			if err != nil {
				return err
			}
			defer src.Close()
			tmp := filepath.Join(filepath.Dir(g.db), "."+filepath.Base(g.db)+".restoring")
			os.Remove(tmp)
			if err := src.Backup(cmd.Context(), tmp); err != nil {
				return err
			}
			for _, suffix := range []string{"-wal", "-shm"} {
				os.Remove(g.db + suffix)
			}
			if err := os.Rename(tmp, g.db); err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "restored %s from %s\n", g.db, from)
			return nil
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "backup file to restore (required)")
	cmd.Flags().BoolVar(&force, "force", false, "replace an existing database")
	return cmd
}

// checkCopy opens a database file and runs its integrity check.
func checkCopy(cmd *cobra.Command, path string) error {
	if _, err := os.Stat(path); err != nil {
		return err
	}
	db, err := store.Open(cmd.Context(), path)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.IntegrityCheck(cmd.Context()); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
