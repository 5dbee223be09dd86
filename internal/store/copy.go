package store

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

// Moving a SQLite database to PostgreSQL (personapal copy): every table is
// read in one SQLite read snapshot and written in one PostgreSQL
// transaction, so the target gets all of it or nothing.
//
// The column lists are read from both schemas at run time, so a column a
// later migration adds is copied without touching this file; a table is
// copied only when it is named below, and a table neither copied nor
// skipped makes the copy refuse, so a new table cannot be lost silently.

// copyTables are the tables copied, parents before children (foreign keys).
var copyTables = []string{
	"users",
	"api_tokens",
	"security_events",
	"orgs",
	"org_slugs",
	"memberships",
	"invitations",
	"links",
	"persona_groups",
	"templates",
	"template_versions",
	"personas",
	"persona_revisions",
	"persona_external_ids",
	"persona_photos",
	"variants",
	"variant_revisions",
	"notes",
	"evidence",
	"evidence_tags",
	"evidence_files",
	"evidence_links",
	"search_entries",
	"alignment_links",
	"claim_mappings",
	"catalogues",
	"catalogue_items",
	"launchpads",
	"launchpad_revisions",
	"reviews",
	"review_digest_optouts",
	"review_digest_runs",
	"proposals",
	"comments", // after proposals: a comment may be on one
	"org_proposal_settings",
	"persona_views",
	"notifications",
	"notification_prefs",
	"notification_digest_runs",
	"review_due_notices",
	"webhook_endpoints",
	"share_links",
	"work_links",
	"audit_log",
	"sso_identities",
	"org_sso",
	"org_sso_domains",
	"org_sso_joins",
	"sso_tokens",
}

// CopySkipped names the tables the copy leaves behind, with the reason.
// Browser sessions and sign-in throttling counts are short-lived: people
// sign in again on the new database (API tokens keep working).
var CopySkipped = map[string]string{
	"sessions":           "browser sessions: everyone signs in again",
	"login_attempts":     "sign-in throttling counts",
	"goose_db_version":   "migration bookkeeping: each database keeps its own",
	"store_tasks":        "pending migration work: each database keeps its own",
	"health_probe":       "the readiness probe's scratch table: always empty",
	"sso_flows":          "single sign-on flows in progress: they expire within minutes",
	"setup_codes":        "first-run setup codes: only a database without accounts has any, and a restart prints a new one",
	"presence":           "who is viewing or editing a persona: rows live for seconds",
	"outbox_messages":    "the mail outbox: what the old server sent or logged; stop it once its queue is empty",
	"webhook_deliveries": "webhook deliveries: like the outbox, what the old server sent; stop it once its queue is empty",
	"webhook_attempts":   "the attempts of those deliveries",
	// The job queue's tables (river's), with its own migrations.
	"river_client":       "job queue bookkeeping: each database keeps its own",
	"river_client_queue": "job queue bookkeeping: each database keeps its own",
	"river_job":          "the job queue: jobs belong to the server that queued them",
	"river_leader":       "job queue bookkeeping: each database keeps its own",
	"river_migration":    "job queue migrations: each database keeps its own",
	"river_notification": "job queue bookkeeping: each database keeps its own",
	"river_queue":        "job queue bookkeeping: each database keeps its own",
}

// postgresOnlyColumns are PostgreSQL's search vectors (migration 00014):
// the copy computes them from the copied rows, as the store writes them.
var postgresOnlyColumns = map[string]bool{
	"personas.search":       true,
	"search_entries.search": true,
}

// sqliteOnlyColumns are SQLite rowid aliases that key its full-text tables;
// PostgreSQL indexes generated columns instead and has no such column.
var sqliteOnlyColumns = map[string]bool{
	"personas.seq":       true,
	"search_entries.seq": true,
}

// CopyTable is one table's result.
type CopyTable struct {
	Table string
	Rows  int64
}

// copyBatchRows and copyBatchBytes bound one INSERT: PostgreSQL takes at
// most 65535 parameters, and evidence files can be large.
const (
	copyBatchRows  = 500
	copyBatchBytes = 8 << 20
	pgMaxParams    = 65535
)

// CheckCopySource checks, before anything is migrated, that src is a
// Persona Pal SQLite database this binary understands: it has Persona Pal's
// tables and no migration newer than the binary's. (Migrating an older one
// is what every other command does.)
func CheckCopySource(ctx context.Context, src *DB) error {
	if src.d.name != DialectSQLite {
		return persona.Errorf(persona.CodeInvalid, "the source must be a SQLite database")
	}
	var n int
	err := src.db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master
		WHERE type = 'table' AND name IN ('goose_db_version', 'orgs', 'users')`).Scan(&n)
	if err != nil {
		return persona.Errorf(persona.CodeInvalid, "the source is not a readable SQLite database: %v", err)
	}
	if n != 3 {
		return persona.Errorf(persona.CodeInvalid, "the source is not a Persona Pal database (no Persona Pal tables)")
	}
	return checkNotNewer(ctx, src, "source")
}

// CheckCopyTarget checks, before anything is migrated, that dst is a
// PostgreSQL schema Persona Pal may fill: either a Persona Pal schema no
// newer than the binary, or one holding no tables at all (so that a DSN
// pointing at another application's database is refused untouched).
func CheckCopyTarget(ctx context.Context, dst *DB) error {
	if dst.d.name != DialectPostgres {
		return persona.Errorf(persona.CodeInvalid, "the target must be a PostgreSQL database")
	}
	var goose bool
	if err := dst.db.QueryRowContext(ctx, `SELECT to_regclass('goose_db_version') IS NOT NULL`).Scan(&goose); err != nil {
		return err
	}
	if goose {
		return checkNotNewer(ctx, dst, "target")
	}
	var tables []string
	rows, err := dst.db.QueryContext(ctx, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() ORDER BY table_name LIMIT 5`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return err
		}
		tables = append(tables, t)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(tables) > 0 {
		return persona.Errorf(persona.CodeConflict, "the target schema holds tables that are not Persona Pal's (%s); use an empty database or schema",
			strings.Join(tables, ", "))
	}
	return nil
}

// checkNotNewer refuses a database with migrations this binary lacks.
func checkNotNewer(ctx context.Context, db *DB, which string) error {
	applied, err := db.appliedMigrations(ctx)
	if err != nil {
		return fmt.Errorf("%s: read its migration versions: %w", which, err)
	}
	known, err := db.knownMigrations()
	if err != nil {
		return err
	}
	for _, v := range applied {
		if !slices.Contains(known, v) {
			return persona.Errorf(persona.CodeInvalid, "the %s database has migration %d, which this personapal does not know; use the personapal version that wrote it", which, v)
		}
	}
	return nil
}

// knownMigrations lists the versions of the embedded migrations.
func (s *DB) knownMigrations() ([]int64, error) {
	entries, err := fs.ReadDir(migrationFS, "migrations/"+s.d.name)
	if err != nil {
		return nil, err
	}
	var vs []int64
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		if !ok || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		v, err := strconv.ParseInt(num, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("migration file %s: %w", e.Name(), err)
		}
		vs = append(vs, v)
	}
	slices.Sort(vs)
	return vs, nil
}

// appliedMigrations lists the migration versions goose records as applied
// (the last record of a version decides; version 0 is goose's own).
func (s *DB) appliedMigrations(ctx context.Context) ([]int64, error) {
	rows, err := s.q().QueryContext(ctx, `SELECT version_id, is_applied FROM goose_db_version ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	state := map[int64]bool{}
	for rows.Next() {
		var (
			v  int64
			ok bool
		)
		if err := rows.Scan(&v, &ok); err != nil {
			return nil, err
		}
		state[v] = ok
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var vs []int64
	for v, ok := range state {
		if ok && v > 0 {
			vs = append(vs, v)
		}
	}
	slices.Sort(vs)
	return vs, nil
}

// copyColumn is a column both engines hold; pgType is PostgreSQL's
// information_schema data_type, which decides how a SQLite value converts.
type copyColumn struct {
	name   string
	pgType string
}

type copyPlan struct {
	table    string
	cols     []copyColumn
	identity []string // PostgreSQL identity or serial columns
	override bool     // an identity column is GENERATED ALWAYS
}

// Copy copies a migrated SQLite database into a migrated, empty PostgreSQL
// database: every table in copyTables, with IDs, password and token hashes,
// timestamps, revisions, trash state, evidence files and the audit log's
// sequence numbers; PostgreSQL's search vectors are computed from the
// copied rows, in the same transaction. It refuses, writing nothing, when the two are not at this
// binary's migration version, when either schema holds a table it does not
// know, or when the target already holds data. progress, if not nil, is
// called after each table (inside the transaction: nothing is visible until
// Copy returns nil).
func Copy(ctx context.Context, src, dst *DB, progress func(CopyTable)) ([]CopyTable, error) {
	if src.d.name != DialectSQLite {
		return nil, persona.Errorf(persona.CodeInvalid, "the source must be a SQLite database")
	}
	if dst.d.name != DialectPostgres {
		return nil, persona.Errorf(persona.CodeInvalid, "the target must be a PostgreSQL database")
	}
	for _, db := range []struct {
		which string
		db    *DB
	}{{"source", src}, {"target", dst}} {
		applied, err := db.db.appliedMigrations(ctx)
		if err != nil {
			return nil, fmt.Errorf("%s: read its migration versions: %w", db.which, err)
		}
		known, err := db.db.knownMigrations()
		if err != nil {
			return nil, err
		}
		if !slices.Equal(applied, known) {
			return nil, persona.Errorf(persona.CodeInvalid, "the %s database is at migrations %v, this personapal at %v; migrate it first",
				db.which, applied, known)
		}
	}

	// One read snapshot of the source: a deferred (read-only) transaction
	// does not block the source's writers, and sees none of their changes.
	stx, err := src.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer stx.Rollback()

	plans, err := copyPlans(ctx, stx, dst)
	if err != nil {
		return nil, err
	}

	var done []CopyTable
	err = dst.inTx(ctx, func(tx *sql.Tx) error {
		// Keep sign-ups and new organisations out until the copy commits.
		if _, err := tx.ExecContext(ctx, `LOCK TABLE users, orgs IN EXCLUSIVE MODE`); err != nil {
			return fmt.Errorf("lock the target: %w", err)
		}
		if err := checkEmpty(ctx, tx); err != nil {
			return err
		}
		for _, p := range plans {
			n, err := copyOne(ctx, stx, tx, p)
			if err != nil {
				return fmt.Errorf("copy %s: %w", p.table, err)
			}
			for _, col := range p.identity {
				// The next generated value follows the copied ones.
				_, err := tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence($1, $2),
					COALESCE((SELECT max(`+quoteIdent(col)+`) FROM `+quoteIdent(p.table)+`), 0) + 1, false)`,
					quoteIdent(p.table), col)
				if err != nil {
					return fmt.Errorf("copy %s: set the sequence of %s: %w", p.table, col, err)
				}
			}
			t := CopyTable{Table: p.table, Rows: n}
			done = append(done, t)
			if progress != nil {
				progress(t)
			}
		}
		if err := reindexPostgres(ctx, tx); err != nil {
			return fmt.Errorf("compute the search vectors: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return done, nil
}

// copyPlans reads both schemas and pairs up every copied table's columns.
func copyPlans(ctx context.Context, stx *sql.Tx, dst *DB) ([]copyPlan, error) {
	srcTables, err := stringList(ctx, stx, `SELECT name FROM pragma_table_list
		WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\'`)
	if err != nil {
		return nil, fmt.Errorf("source: list tables: %w", err)
	}
	dstTables, err := stringList(ctx, dst.db, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`)
	if err != nil {
		return nil, fmt.Errorf("target: list tables: %w", err)
	}
	for _, side := range []struct {
		which  string
		tables []string
	}{{"source", srcTables}, {"target", dstTables}} {
		for _, t := range side.tables {
			if _, skip := CopySkipped[t]; !skip && !slices.Contains(copyTables, t) {
				return nil, fmt.Errorf("the %s database has a table %q this copy does not know; nothing was copied", side.which, t)
			}
		}
		for _, t := range copyTables {
			if !slices.Contains(side.tables, t) {
				return nil, fmt.Errorf("the %s database lacks the table %q; nothing was copied", side.which, t)
			}
		}
	}

	plans := make([]copyPlan, 0, len(copyTables))
	for _, table := range copyTables {
		// hidden: 0 ordinary, 2 and 3 generated (SQLite's org_key).
		srcCols, err := stringList(ctx, stx, `SELECT name FROM pragma_table_xinfo($1) WHERE hidden = 0`, table)
		if err != nil {
			return nil, fmt.Errorf("source: columns of %s: %w", table, err)
		}
		rows, err := dst.db.QueryContext(ctx, `SELECT column_name, data_type, is_generated, is_identity,
			COALESCE(identity_generation, ''), COALESCE(column_default, '')
			FROM information_schema.columns
			WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`, table)
		if err != nil {
			return nil, fmt.Errorf("target: columns of %s: %w", table, err)
		}
		p := copyPlan{table: table}
		dstCols := map[string]string{}
		for rows.Next() {
			var name, typ, generated, identity, generation, def string
			if err := rows.Scan(&name, &typ, &generated, &identity, &generation, &def); err != nil {
				rows.Close()
				return nil, err
			}
			if generated != "NEVER" || postgresOnlyColumns[table+"."+name] {
				continue // computed, not copied (the search vectors)
			}
			dstCols[name] = typ
			if identity == "YES" || strings.HasPrefix(def, "nextval(") {
				p.identity = append(p.identity, name)
				p.override = p.override || generation == "ALWAYS"
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		for _, c := range srcCols {
			typ, ok := dstCols[c]
			switch {
			case ok:
				p.cols = append(p.cols, copyColumn{name: c, pgType: typ})
				delete(dstCols, c)
			case !sqliteOnlyColumns[table+"."+c]:
				return nil, fmt.Errorf("the source column %s.%s has no place in the target; nothing was copied", table, c)
			}
		}
		if len(dstCols) > 0 {
			return nil, fmt.Errorf("the target columns %s.{%s} have no source; nothing was copied",
				table, strings.Join(slices.Sorted(maps.Keys(dstCols)), ", "))
		}
		plans = append(plans, p)
	}
	return plans, nil
}

// checkEmpty refuses a target that holds rows in any copied table.
func checkEmpty(ctx context.Context, tx *sql.Tx) error {
	var full []string
	for _, t := range copyTables {
		var held bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM `+quoteIdent(t)+`)`).Scan(&held); err != nil {
			return err
		}
		if held {
			full = append(full, t)
		}
	}
	if len(full) > 3 {
		full = append(full[:3], fmt.Sprintf("%d more tables", len(full)-3))
	}
	if len(full) > 0 {
		return persona.Errorf(persona.CodeConflict, "the target database already holds data (%s); copy only into an empty database",
			strings.Join(full, ", "))
	}
	return nil
}

// copyOne streams one table from the snapshot into batched INSERTs.
func copyOne(ctx context.Context, stx, tx *sql.Tx, p copyPlan) (int64, error) {
	names := make([]string, len(p.cols))
	for i, c := range p.cols {
		names[i] = quoteIdent(c.name)
	}
	list := strings.Join(names, ", ")
	rows, err := stx.QueryContext(ctx, `SELECT `+list+` FROM `+quoteIdent(p.table))
	if err != nil {
		return 0, fmt.Errorf("read: %w", err)
	}
	defer rows.Close()

	head := `INSERT INTO ` + quoteIdent(p.table) + ` (` + list + `) `
	if p.override {
		head += `OVERRIDING SYSTEM VALUE `
	}
	head += `VALUES `
	maxRows := min(copyBatchRows, pgMaxParams/len(p.cols))
	var (
		args  []any
		nrows int
		size  int
		total int64
	)
	flush := func() error {
		if nrows == 0 {
			return nil
		}
		var b strings.Builder
		b.WriteString(head)
		for r := range nrows {
			if r > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('(')
			for c := range p.cols {
				if c > 0 {
					b.WriteString(", ")
				}
				b.WriteByte('$')
				b.WriteString(strconv.Itoa(r*len(p.cols) + c + 1))
			}
			b.WriteByte(')')
		}
		res, err := tx.ExecContext(ctx, b.String(), args...)
		if err != nil {
			return fmt.Errorf("write: %w", err)
		}
		if n, err := res.RowsAffected(); err == nil && n != int64(nrows) {
			return fmt.Errorf("write: %d of %d rows inserted", n, nrows)
		}
		total += int64(nrows)
		args, nrows, size = args[:0], 0, 0
		return nil
	}

	vals := make([]any, len(p.cols))
	ptrs := make([]any, len(p.cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return 0, fmt.Errorf("read: %w", err)
		}
		for i, c := range p.cols {
			v, err := pgValue(vals[i], c.pgType)
			if err != nil {
				return 0, fmt.Errorf("column %s: %w", c.name, err)
			}
			switch v := v.(type) {
			case string:
				size += len(v)
			case []byte:
				size += len(v)
			}
			args = append(args, v)
		}
		nrows++
		if nrows >= maxRows || size >= copyBatchBytes {
			if err := flush(); err != nil {
				return 0, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("read: %w", err)
	}
	if err := flush(); err != nil {
		return 0, err
	}
	return total, nil
}

// pgValue converts what the SQLite driver returned into what the
// PostgreSQL column takes. SQLite's TIMESTAMP columns come back as
// time.Time (text the driver did not recognise is parsed here); JSON is
// text for jsonb; BLOBs are bytes for bytea; integers 0 and 1 are booleans. Times keep the microsecond
// precision both engines store.
func pgValue(v any, pgType string) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch pgType {
	case "timestamp with time zone":
		switch t := v.(type) {
		case time.Time:
			return ts(t), nil
		case string:
			parsed, err := parseTimeText(t)
			return ts(parsed), err
		case []byte:
			parsed, err := parseTimeText(string(t))
			return ts(parsed), err
		}
		return nil, fmt.Errorf("a %T is not a timestamp", v)
	case "bytea":
		if s, ok := v.(string); ok {
			return []byte(s), nil
		}
	case "boolean":
		// SQLite keeps booleans as integers.
		switch b := v.(type) {
		case int64:
			return b != 0, nil
		case bool:
			return b, nil
		}
		return nil, fmt.Errorf("a %T is not a boolean", v)
	case "jsonb", "json", "text":
		switch t := v.(type) {
		case []byte:
			return string(t), nil
		case time.Time:
			return nil, fmt.Errorf("a timestamp in a %s column", pgType)
		}
	}
	// The rest (int64 into integer and bigint, float64 into double
	// precision, strings into text, bytes into bytea) pgx takes as it is;
	// database/sql already copied the bytes out of the driver's buffer.
	return v, nil
}

// stringList runs a query that returns one text column.
func stringList(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, query string, args ...any) ([]string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// quoteIdent quotes an SQL identifier (both engines use double quotes).
func quoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}
