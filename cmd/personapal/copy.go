package main

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/store"
)

func copyCmd(g *globals) *cobra.Command {
	var from, to string
	cmd := &cobra.Command{
		Use:   "copy",
		Short: "Move everything from a SQLite database into an empty PostgreSQL database",
		Long: "Copy every organisation, user (with password hash), API token, template version and draft,\n" +
			"persona with its revisions and trash, variant, note, evidence item with its file, alignment,\n" +
			"Launchpad and audit entry from the SQLite file --from into the PostgreSQL database --to, in\n" +
			"one transaction: the target gets everything or nothing. The target must be empty (a new\n" +
			"database or schema, or one only migrated); its search index is built from the copied rows.\n" +
			"Browser sessions are not copied, so everyone signs in again; API tokens keep working.\n\n" +
			"Both databases are first migrated to this version (the source as every command does); a\n" +
			"source written by a newer personapal is refused. The source is read in one snapshot: stop\n" +
			"the server first, or changes made during the copy stay behind. --db is not used.",
		Example: "  personapal copy --from /var/lib/personapal/personapal.db \\\n" +
			"    --to 'postgres://personapal:…@db.internal:5432/personapal?sslmode=require'",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if err := required("from", from); err != nil {
				return err
			}
			if err := required("to", to); err != nil {
				return err
			}
			if isPostgresDSN(from) {
				return usageError{"--from must be a SQLite file; copy moves SQLite to PostgreSQL"}
			}
			if !isPostgresDSN(to) {
				return usageError{"--to must be a postgres:// URL"}
			}
			// Opening a missing file would create an empty database.
			if _, err := os.Stat(from); errors.Is(err, os.ErrNotExist) {
				return persona.Errorf(persona.CodeNotFound, "%s does not exist", from)
			} else if err != nil {
				return err
			}

			src, err := store.Open(ctx, from)
			if err != nil {
				return persona.Errorf(persona.CodeInvalid, "cannot open %s as a SQLite database: %v", from, err)
			}
			defer src.Close()
			if err := store.CheckCopySource(ctx, src); err != nil {
				return fmt.Errorf("%s: %w", from, err)
			}
			dst, err := store.Open(ctx, to)
			if err != nil {
				return fmt.Errorf("open the target: %w", err)
			}
			defer dst.Close()
			if err := store.CheckCopyTarget(ctx, dst); err != nil {
				return err
			}
			if err := src.Migrate(ctx); err != nil {
				return fmt.Errorf("migrate the source: %w", err)
			}
			if err := dst.Migrate(ctx); err != nil {
				return fmt.Errorf("migrate the target: %w", err)
			}

			target := redactDSN(to)
			fmt.Fprintf(g.stdout, "copying %s to %s\n  %-20s %9s\n", from, target, "table", "rows")
			tables, err := store.Copy(ctx, src, dst, func(t store.CopyTable) {
				fmt.Fprintf(g.stdout, "  %-20s %9d\n", t.Table, t.Rows)
			})
			if err != nil {
				return fmt.Errorf("nothing was copied: %w", err)
			}
			var rows int64
			for _, t := range tables {
				rows += t.Rows
			}
			fmt.Fprintf(g.stdout, "copied %d rows in %d tables to %s\n", rows, len(tables), target)
			fmt.Fprintln(g.stdout, "not copied: browser sessions and sign-in throttling counts (everyone signs in again; API tokens keep working)")
			fmt.Fprintln(g.stdout, "next: stop using the SQLite file and start personapal with --db set to the PostgreSQL URL")
			return nil
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "SQLite database file to copy from (required)")
	cmd.Flags().StringVar(&to, "to", "", "postgres:// URL of the empty target database (required)")
	return cmd
}

func isPostgresDSN(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// redactDSN hides a URL's password for printing.
func redactDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "the PostgreSQL database"
	}
	return u.Redacted()
}
