package store

import (
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/personapal/personapal/internal/persona"
)

// dialect holds the little that differs between the engines at run time.
// Everything else is one SQL text with $N placeholders.
type dialect struct {
	name string
	// errKind classifies a driver error: errUnique, errForeignKey, errCheck
	// or errOther.
	errKind func(err error) errKind
	// matchQuery turns an organisation's search terms into the engine's
	// full-text query text.
	matchQuery func(orgID string, terms []string) string
	// matchAnyQuery matches rows holding any of the terms, as whole words.
	matchAnyQuery func(orgID string, terms []string) string
	// searchSQL returns the search statement. $1 is the organisation, $2 the
	// full-text query; filters holds extra "AND ..." conditions on alias p
	// using $3...; limit is the placeholder for the row limit. Columns: id,
	// name, profile_type, group_id, status, summary, search_text, rank
	// (higher is better). Snippets are cut in Go from the returned rows'
	// text (persona.Snippet), the same on both engines: the engines' own
	// (FTS5 snippet, ts_headline) re-read every matching row's text.
	searchSQL func(filters, limit string) string
	// entrySearchSQL is searchSQL for search_entries: $1 organisation, $2
	// query, $3 limit. Columns: kind, ref_id, persona_id, title, body, rank. Entries tied to a trashed persona or variant are left out.
	entrySearchSQL string
}

type errKind int

const (
	errOther errKind = iota
	errUnique
	errForeignKey
	errCheck
)

var sqliteDialect = dialect{
	name: DialectSQLite,
	errKind: func(err error) errKind {
		var e *sqlite.Error
		if !errors.As(err, &e) {
			return errOther
		}
		switch e.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return errUnique
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return errForeignKey
		case sqlite3.SQLITE_CONSTRAINT_CHECK, sqlite3.SQLITE_CONSTRAINT_NOTNULL:
			return errCheck
		}
		return errOther
	},
	// Organisation-qualified prefix words in contentless FTS5 tables
	// (searchindex.go, migration 00010).
	matchQuery:    ftsMatch,
	matchAnyQuery: ftsMatchAny,
	// bm25 is lower for better matches, so the rank is its negation; a
	// match in the name weighs 10, in the summary 4, elsewhere 1.
	searchSQL: func(filters, limit string) string {
		// The inner query ranks and keeps the top rows without carrying
		// their long texts through the sort; the outer one reads the texts
		// of those rows only. The inner query reads each match's
		// organisation, filters and ID from the covering partial index of
		// live personas (migration 00011), not from its row: a persona row
		// longer than a page spills onto overflow pages with deleted_at at
		// its end (docs/BENCHMARKS.md, issue 20: no measurable change for
		// rows that fit in a page).
		return `SELECT p.id, p.name, p.profile_type, COALESCE(p.group_id, ''), p.status, p.summary, p.search_text, top.rank
FROM (SELECT p.seq AS seq, p.id AS id, -bm25(personas_fts, 10.0, 4.0, 1.0) AS rank
	FROM personas_fts JOIN personas p INDEXED BY personas_live_search ON p.seq = personas_fts.rowid
	WHERE personas_fts MATCH $2 AND p.org_id = $1 AND p.deleted_at IS NULL` + filters + `
	ORDER BY rank DESC, p.id
	LIMIT ` + limit + `) AS top
JOIN personas p ON p.seq = top.seq
ORDER BY top.rank DESC, top.id`
	},
	// An entry is left out when its persona or variant is trashed: one
	// look each into the partial indexes of trashed rows (migration
	// 00042), not into the persona's and the variant's rows.
	entrySearchSQL: `SELECT e.kind, e.ref_id, COALESCE(e.persona_id, ''), e.title, e.body,
	-bm25(search_entries_fts, 5.0, 1.0) AS rank
FROM search_entries_fts JOIN search_entries e ON e.seq = search_entries_fts.rowid
WHERE search_entries_fts MATCH $2 AND e.org_id = $1
	AND NOT EXISTS (SELECT 1 FROM personas p INDEXED BY personas_trashed
		WHERE p.org_id = e.org_id AND p.id = e.persona_id AND p.deleted_at IS NOT NULL)
	AND NOT EXISTS (SELECT 1 FROM variants v INDEXED BY variants_trashed
		WHERE v.org_id = e.org_id AND v.id = e.variant_id AND v.deleted_at IS NOT NULL)
ORDER BY rank DESC, e.kind, e.ref_id
LIMIT $3`,
}

var postgresDialect = dialect{
	name: DialectPostgres,
	errKind: func(err error) errKind {
		var e *pgconn.PgError
		if !errors.As(err, &e) {
			return errOther
		}
		switch e.Code {
		case "23505":
			return errUnique
		case "23503":
			return errForeignKey
		case "23514", "23502":
			return errCheck
		}
		return errOther
	},
	// 't1':* & 't2':* — quoted prefix lexemes; terms hold only letters and
	// digits, so nothing can form tsquery syntax.
	matchQuery:    func(_ string, terms []string) string { return pgTSQuery(terms, " & ", ":*") },
	matchAnyQuery: func(_ string, terms []string) string { return pgTSQuery(terms, " | ", "") },
	// personas.search is a stored generated tsvector ('simple' config):
	// name weight A, summary B, search_text C. ts_rank's default weights
	// rank name matches above summary matches above the rest.
	//
	// The organisation's rows are read first (a materialised CTE over the
	// org_id index) and only then matched: left to itself, the planner's
	// generic plan for a prepared search sometimes started from the GIN
	// index, i.e. from a common word's matches in every organisation
	// (searches went from ~600 to ~100 a second).
	searchSQL: func(filters, limit string) string {
		return `WITH p AS MATERIALIZED (
	SELECT p.id, p.name, p.profile_type, p.group_id, p.status, p.summary, p.search_text, p.search
	FROM personas p WHERE p.org_id = $1 AND p.deleted_at IS NULL` + filters + `
)
SELECT p.id, p.name, p.profile_type, COALESCE(p.group_id, ''), p.status, p.summary, p.search_text,
	ts_rank(p.search, q) AS rank
FROM p, to_tsquery('simple', $2) AS q
WHERE p.search @@ q
ORDER BY rank DESC, p.id
LIMIT ` + limit
	},
	entrySearchSQL: `WITH e AS MATERIALIZED (
	SELECT e.kind, e.ref_id, e.org_id, e.persona_id, e.variant_id, e.title, e.body, e.search
	FROM search_entries e WHERE e.org_id = $1
)
SELECT e.kind, e.ref_id, COALESCE(e.persona_id, ''), e.title, e.body,
	ts_rank(e.search, q) AS rank
FROM e CROSS JOIN to_tsquery('simple', $2) AS q
LEFT JOIN personas p ON p.org_id = e.org_id AND p.id = e.persona_id
LEFT JOIN variants v ON v.org_id = e.org_id AND v.id = e.variant_id
WHERE e.search @@ q
	AND (e.persona_id IS NULL OR p.deleted_at IS NULL) AND (e.variant_id IS NULL OR v.deleted_at IS NULL)
ORDER BY rank DESC, e.kind, e.ref_id
LIMIT $3`,
}

// mapErr turns constraint violations into *persona.Error; other errors pass
// through unchanged (they are internal).
func (d dialect) mapErr(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := persona.AsError(err); ok {
		return err
	}
	switch d.errKind(err) {
	case errUnique:
		return &persona.Error{Code: persona.CodeConflict, Message: "it already exists"}
	case errForeignKey:
		return &persona.Error{Code: persona.CodeInvalid, Message: "it refers to something that does not exist in this organisation"}
	case errCheck:
		return &persona.Error{Code: persona.CodeInvalid, Message: "a value is out of range"}
	}
	return err
}

// withMessage replaces the message of err when it is a *persona.Error with
// the given code.
func withMessage(err error, code persona.Code, message string) error {
	if e, ok := persona.AsError(err); ok && e.Code == code {
		return &persona.Error{Code: code, Message: message, Fields: e.Fields, Current: e.Current}
	}
	return err
}

func notFound(what string) error { return persona.ErrNotFound(what) }

// noRows maps sql.ErrNoRows to not-found.
func noRows(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return notFound(what)
	}
	return err
}

// pgTSQuery joins quoted lexemes (prefixes with suffix ":*") with a
// tsquery operator.
func pgTSQuery(terms []string, op, suffix string) string {
	parts := make([]string, len(terms))
	for i, t := range terms {
		parts[i] = "'" + strings.ReplaceAll(t, "'", "''") + "'" + suffix
	}
	return strings.Join(parts, op)
}

// searchTerms splits q into lower-cased runs of letters and digits, the
// same terms the snippet highlighter marks.
func searchTerms(q string) []string { return persona.SearchTerms(q) }

// ph returns the placeholder for argument n.
func ph(n int) string { return "$" + strconv.Itoa(n) }
