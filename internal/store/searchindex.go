package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base32"
	"fmt"
	"strings"

	"github.com/personapal/personapal/internal/persona"
)

// SQLite's full-text tables hold every word prefixed with its
// organisation's key (migration 00010), so that a search reads only its own
// organisation's entries. The key is derived from the organisation ID: 48
// bits of its SHA-256 in lower-case base32, after a letter. Two
// organisations sharing a key would only share index entries; every search
// still filters rows by organisation ID, so correctness never rests on it.
func ftsKey(orgID string) string {
	sum := sha256.Sum256([]byte(orgID))
	return "k" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:6]))
}

// ftsWords turns text into the organisation-qualified words the index
// holds, split by the same rule as search terms.
func ftsWords(key, text string) string {
	words := persona.SearchWords(text)
	var b strings.Builder
	b.Grow(len(text) + len(words)*(len(key)+1))
	for i, w := range words {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(key)
		b.WriteString(w)
	}
	return b.String()
}

// ftsMatch is the FTS5 query for terms in one organisation: every term a
// quoted prefix of a qualified word, all required. Terms hold only letters,
// digits and marks, so no input can form FTS5 syntax.
func ftsMatch(orgID string, terms []string) string { return ftsJoin(orgID, terms, " AND ", "*") }

// ftsMatchAny matches rows holding any of the terms as whole words (a
// prefix query walks every longer word too: it costs several times more).
func ftsMatchAny(orgID string, terms []string) string { return ftsJoin(orgID, terms, " OR ", "") }

func ftsJoin(orgID string, terms []string, op, suffix string) string {
	key := ftsKey(orgID)
	parts := make([]string, len(terms))
	for i, t := range terms {
		parts[i] = `"` + key + strings.ReplaceAll(t, `"`, `""`) + `"` + suffix
	}
	return strings.Join(parts, op)
}

// pgWords is text as PostgreSQL's search vectors hold it: the folded words
// (persona.SearchWords), so that both engines index the same words.
func pgWords(text string) string { return strings.Join(persona.SearchWords(text), " ") }

// The search vectors PostgreSQL stores, from folded words ($3… in order):
// a persona's name (weight A), summary (B) and other text (C); an entry's
// title (A) and body (C).
var pgPersonaVector = pgPersonaVectorAt(3)

const pgEntryVector = `setweight(to_tsvector('simple', $4), 'A') || setweight(to_tsvector('simple', $5), 'C')`

// pgPersonaVectorAt is pgPersonaVector from parameters n, n+1 and n+2.
func pgPersonaVectorAt(n int) string {
	return fmt.Sprintf(`setweight(to_tsvector('simple', $%d), 'A') || setweight(to_tsvector('simple', $%d), 'B') || setweight(to_tsvector('simple', $%d), 'C')`,
		n, n+1, n+2)
}

// vectorSQL is what a persona's INSERT or UPDATE adds to set its search
// vector on PostgreSQL (nothing on SQLite, whose full-text rows are a table
// of their own): a column, its value or its assignment, and the arguments.
type vectorSQL struct {
	col, value, set string
	args            []any
}

// personaVector sets a persona's search vector (migration 00014) from the
// folded words of its name, summary and other text, as parameters n, n+1
// and n+2 of the statement that writes the row — in that statement, not a
// second one: an UPDATE right after the INSERT (or the UPDATE) wrote every
// created or edited persona's row twice, a non-HOT update each time (the
// vector is indexed), with a new entry in every index of personas.
func (s *DB) personaVector(n int, name, summary, searchText string) vectorSQL {
	if s.d.name == DialectSQLite {
		return vectorSQL{}
	}
	v := pgPersonaVectorAt(n)
	return vectorSQL{col: ", search", value: ", " + v, set: ", search = " + v,
		args: []any{pgWords(name), pgWords(summary), pgWords(searchText)}}
}

// indexPersona (re)writes a persona's full-text row inside the caller's
// transaction on SQLite, from the folded words of its text; on PostgreSQL
// the statement that wrote the row set its search vector (personaVector).
func (s *DB) indexPersona(ctx context.Context, q querier, orgID, id, name, summary, searchText string) error {
	if s.d.name != DialectSQLite {
		return nil
	}
	key := ftsKey(orgID)
	_, err := s.exec(ctx, q, `INSERT OR REPLACE INTO personas_fts (rowid, name, summary, search_text)
		SELECT seq, $3, $4, $5 FROM personas WHERE org_id = $1 AND id = $2`,
		orgID, id, ftsWords(key, name), ftsWords(key, summary), ftsWords(key, searchText))
	return err
}

// indexEntry (re)writes a search entry's full-text row (SQLite) or search
// vector (PostgreSQL).
func (s *DB) indexEntry(ctx context.Context, q querier, e persona.SearchEntry) error {
	if s.d.name != DialectSQLite {
		_, err := s.exec(ctx, q, `UPDATE search_entries SET search = `+pgEntryVector+` WHERE org_id = $1 AND kind = $2 AND ref_id = $3`,
			e.OrgID, string(e.Kind), e.RefID, pgWords(e.Title), pgWords(e.Body))
		return err
	}
	key := ftsKey(e.OrgID)
	_, err := s.exec(ctx, q, `INSERT OR REPLACE INTO search_entries_fts (rowid, title, body)
		SELECT seq, $4, $5 FROM search_entries WHERE org_id = $1 AND kind = $2 AND ref_id = $3`,
		e.OrgID, string(e.Kind), e.RefID, ftsWords(key, e.Title), ftsWords(key, e.Body))
	return err
}

// runStoreTasks finishes migration work that needs Go: each task runs in
// one transaction that also removes it, so it runs exactly once even when
// two processes migrate the same database (PostgreSQL: the row is locked,
// a second instance waits and then finds it gone).
func (s *DB) runStoreTasks(ctx context.Context) error {
	lock := ""
	if s.d.name == DialectPostgres {
		lock = " FOR UPDATE"
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var name string
		err := tx.QueryRowContext(ctx, `SELECT name FROM store_tasks WHERE name = 'reindex_search'`+lock).Scan(&name)
		if err == sql.ErrNoRows {
			return nil
		} else if err != nil {
			return err
		}
		if err := s.reindexSearch(ctx, tx); err != nil {
			return fmt.Errorf("rebuild the search index: %w", err)
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM store_tasks WHERE name = 'reindex_search'`)
		return err
	})
}

// reindexSearch rebuilds the search index from the stored rows, in
// batches so that memory stays flat: SQLite's two full-text tables, or
// PostgreSQL's search vectors.
func (s *DB) reindexSearch(ctx context.Context, tx *sql.Tx) error {
	if s.d.name == DialectPostgres {
		return reindexPostgres(ctx, tx)
	}
	for _, stmt := range []string{
		`INSERT INTO personas_fts (personas_fts) VALUES ('delete-all')`,
		`INSERT INTO search_entries_fts (search_entries_fts) VALUES ('delete-all')`,
	} {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	type row struct {
		seq          int64
		org, a, b, c string
	}
	// read returns the next batch of rows after seq.
	read := func(query string, after int64) ([]row, error) {
		rows, err := tx.QueryContext(ctx, query, after)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var rs []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.seq, &r.org, &r.a, &r.b, &r.c); err != nil {
				return nil, err
			}
			rs = append(rs, r)
		}
		return rs, rows.Err()
	}
	for _, t := range []struct {
		query string
		write func(r row, key string) error
	}{
		{`SELECT seq, org_id, name, summary, search_text FROM personas WHERE seq > $1 ORDER BY seq LIMIT 1000`,
			func(r row, key string) error {
				_, err := tx.ExecContext(ctx, `INSERT INTO personas_fts (rowid, name, summary, search_text) VALUES ($1, $2, $3, $4)`,
					r.seq, ftsWords(key, r.a), ftsWords(key, r.b), ftsWords(key, r.c))
				return err
			}},
		{`SELECT seq, org_id, title, body, '' FROM search_entries WHERE seq > $1 ORDER BY seq LIMIT 1000`,
			func(r row, key string) error {
				_, err := tx.ExecContext(ctx, `INSERT INTO search_entries_fts (rowid, title, body) VALUES ($1, $2, $3)`,
					r.seq, ftsWords(key, r.a), ftsWords(key, r.b))
				return err
			}},
	} {
		for after := int64(0); ; {
			rs, err := read(t.query, after)
			if err != nil {
				return err
			}
			if len(rs) == 0 {
				break
			}
			for _, r := range rs {
				if err := t.write(r, ftsKey(r.org)); err != nil {
					return err
				}
				after = r.seq
			}
		}
	}
	return nil
}

// reindexPostgres rewrites every search vector from the folded words of its
// row, 500 rows at a time in key order.
func reindexPostgres(ctx context.Context, tx *sql.Tx) error {
	type key struct{ org, kind, id string }
	batches := []struct {
		read   string
		update string
		keys   int
	}{
		{`SELECT org_id, '', id, name, summary, search_text FROM personas WHERE (org_id, id) > ($1, $2) ORDER BY org_id, id LIMIT 500`,
			`UPDATE personas SET search = ` + pgPersonaVector + ` WHERE org_id = $1 AND id = $2`, 2},
		{`SELECT org_id, kind, ref_id, title, body, '' FROM search_entries WHERE (org_id, kind, ref_id) > ($1, $2, $3) ORDER BY org_id, kind, ref_id LIMIT 500`,
			`UPDATE search_entries SET search = ` + pgEntryVector + ` WHERE org_id = $1 AND kind = $2 AND ref_id = $3`, 3},
	}
	for _, b := range batches {
		update, err := tx.PrepareContext(ctx, b.update)
		if err != nil {
			return err
		}
		defer update.Close()
		after := key{}
		for {
			args := []any{after.org, after.id}
			if b.keys == 3 {
				args = []any{after.org, after.kind, after.id}
			}
			rows, err := tx.QueryContext(ctx, b.read, args...)
			if err != nil {
				return err
			}
			type row struct {
				k       key
				a, b, c string
			}
			var rs []row
			for rows.Next() {
				var r row
				if err := rows.Scan(&r.k.org, &r.k.kind, &r.k.id, &r.a, &r.b, &r.c); err != nil {
					rows.Close()
					return err
				}
				rs = append(rs, r)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			if len(rs) == 0 {
				break
			}
			for _, r := range rs {
				if b.keys == 2 {
					_, err = update.ExecContext(ctx, r.k.org, r.k.id, pgWords(r.a), pgWords(r.b), pgWords(r.c))
				} else {
					_, err = update.ExecContext(ctx, r.k.org, r.k.kind, r.k.id, pgWords(r.a), pgWords(r.b))
				}
				if err != nil {
					return err
				}
			}
			after = rs[len(rs)-1].k
		}
	}
	return nil
}
