package store

import (
	"context"
	"database/sql"
	"sync"
)

// pool is the connection pool with a cache of prepared statements.
//
// The SQLite driver parses a statement's text on every call that is not
// prepared; at the load harness's rates parsing was an eighth of the
// server's CPU. A *sql.Stmt prepares lazily once per pooled connection and
// is reused from then on. PostgreSQL's driver (pgx) keeps its own
// per-connection statement cache, so the cache is only used on SQLite.
//
// Queries are keyed by their text. Texts built with a variable number of
// placeholders (IN lists, search) would grow the cache without end, so it
// stops adding at maxCachedStatements and later texts run unprepared.
type pool struct {
	*sql.DB
	cache bool
	mu    sync.RWMutex
	stmts map[string]*sql.Stmt
}

const maxCachedStatements = 512

func newPool(db *sql.DB, cache bool) *pool {
	return &pool{DB: db, cache: cache, stmts: map[string]*sql.Stmt{}}
}

// stmt returns the cached prepared statement for query, preparing it on
// first use; nil when the cache is off or full, or preparing failed (the
// caller then runs the text itself and reports the error).
func (p *pool) stmt(ctx context.Context, query string) *sql.Stmt {
	if !p.cache {
		return nil
	}
	p.mu.RLock()
	st, ok := p.stmts[query]
	p.mu.RUnlock()
	if ok {
		return st
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if st, ok := p.stmts[query]; ok {
		return st
	}
	if len(p.stmts) >= maxCachedStatements {
		return nil
	}
	st, err := p.DB.PrepareContext(context.WithoutCancel(ctx), query)
	if err != nil {
		return nil
	}
	p.stmts[query] = st
	return st
}

func (p *pool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := p.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return p.DB.QueryContext(ctx, query, args...)
}

func (p *pool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := p.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return p.DB.QueryRowContext(ctx, query, args...)
}

func (p *pool) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := p.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return p.DB.ExecContext(ctx, query, args...)
}

// txStmt returns the cached statement for query bound to tx, or nil
// (database/sql reuses the statement already prepared on the transaction's
// connection).
func (p *pool) txStmt(ctx context.Context, tx *sql.Tx, query string) *sql.Stmt {
	if st := p.stmt(ctx, query); st != nil {
		return tx.StmtContext(ctx, st)
	}
	return nil
}

// Close closes the cached statements and the pool.
func (p *pool) Close() error {
	p.mu.Lock()
	for _, st := range p.stmts {
		_ = st.Close()
	}
	p.stmts = map[string]*sql.Stmt{}
	p.mu.Unlock()
	return p.DB.Close()
}
