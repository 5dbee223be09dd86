package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"reflect"
	"strings"

	"github.com/jackc/pgx/v5/stdlib"
	"modernc.org/sqlite"

	"github.com/personapal/personapal/internal/persona"
)

// The driver wrapper: every connection the pool opens is wrapped, so that
// every error a driver returns — connecting, preparing, beginning,
// executing, querying, reading rows, committing — passes through classify
// in one place, whichever store method ran it.
//
// It also retries reads on a connection that died. After a PostgreSQL
// restart every pooled connection is dead, and database/sql retries an
// operation on another connection only when the driver says
// driver.ErrBadConn, which pgx does only when it knows nothing was sent: a
// query written to a connection the server has closed fails instead with
// the server's FATAL 57P01 or an unexpected EOF (TestPostgresReadRetriedOn
// AFreshConnection shows both). So when a connection that has served
// before is lost during an idempotent operation outside a transaction (a
// read, a prepare, a BEGIN, a ping), the wrapper answers
// driver.ErrBadConn and database/sql runs it again on another connection,
// the last time on a new one. A write, anything inside a transaction, and
// anything on a connection that was just opened are not retried: they
// answer CodeUnavailable (503).

// faultConnector wraps a driver's connector.
type faultConnector struct {
	base driver.Connector
	h    *health
	// sqlite: statements inside a transaction run to their end even when
	// their context ends (faultConn.stmtCtx).
	sqlite bool
}

func (c *faultConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.base.Connect(ctx)
	if err != nil {
		return nil, c.h.fault(err)
	}
	return &faultConn{Conn: conn, h: c.h, sqlite: c.sqlite}, nil
}

func (c *faultConnector) Driver() driver.Driver { return c.base.Driver() }

// faultConn wraps one connection. database/sql never uses a connection
// from two goroutines at once, so its fields need no lock.
type faultConn struct {
	driver.Conn
	h *health
	// used: an operation has succeeded on it (it is not brand new).
	used bool
	// inTx: a transaction is open on it.
	inTx bool
	// broken: it lost its connection; the pool must drop it.
	broken bool
	sqlite bool
}

// stmtCtx is the context a statement runs with. On SQLite a statement
// interrupted inside a transaction (the driver interrupts it when its
// context ends: a client that went away) rolls the whole transaction back,
// and a transaction there may carry other requests' writes too (group
// commit, groupcommit.go): so inside a transaction a statement runs to its
// end, and the request's end is seen between statements (the write lock,
// the batch's skip of a cancelled member) instead.
func (c *faultConn) stmtCtx(ctx context.Context) context.Context {
	if c.sqlite && c.inTx {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

// Unwrap returns the driver's connection (modernc's sqlite.Limit looks
// through wrappers this way).
func (c *faultConn) Unwrap() driver.Conn { return c.Conn }

// fail maps the error of an operation. idempotent: the operation may run
// again on another connection without harm.
func (c *faultConn) fail(err error, idempotent bool) error {
	if err == nil {
		c.used = true
		return nil
	}
	if _, ok := persona.AsError(err); ok {
		return err
	}
	code, msg, lost := classify(err)
	if lost {
		c.broken = true
	}
	// The driver's own ErrBadConn means nothing was sent; a lost
	// connection during an idempotent operation means running it again is
	// harmless. Either way database/sql may try another connection — unless
	// this one was brand new (the database itself is failing) or holds a
	// transaction (which died with it).
	if c.used && !c.inTx && (errors.Is(err, driver.ErrBadConn) || lost && idempotent) {
		return driver.ErrBadConn
	}
	if code == "" {
		return err
	}
	c.h.report(code, err)
	return &persona.Error{Code: code, Message: msg, Err: err}
}

func (c *faultConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *faultConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	var (
		st  driver.Stmt
		err error
	)
	if p, ok := c.Conn.(driver.ConnPrepareContext); ok {
		st, err = p.PrepareContext(ctx, query)
	} else {
		st, err = c.Conn.Prepare(query)
	}
	if err != nil {
		return nil, c.fail(err, true)
	}
	c.used = true
	return &faultStmt{Stmt: st, c: c, read: isRead(query)}, nil
}

func (c *faultConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *faultConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	var (
		tx  driver.Tx
		err error
	)
	if b, ok := c.Conn.(driver.ConnBeginTx); ok {
		tx, err = b.BeginTx(ctx, opts)
	} else if opts == (driver.TxOptions{}) {
		tx, err = c.Conn.Begin() //nolint:staticcheck // the driver has nothing else
	} else {
		return nil, errors.New("store: the driver cannot begin a transaction with options")
	}
	if err != nil {
		return nil, c.fail(err, true)
	}
	c.used, c.inTx = true, true
	return &faultTx{Tx: tx, c: c}, nil
}

func (c *faultConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	e, ok := c.Conn.(driver.ExecerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	res, err := e.ExecContext(c.stmtCtx(ctx), query, args)
	if errors.Is(err, driver.ErrSkip) {
		return nil, err
	}
	return res, c.fail(err, false)
}

func (c *faultConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	q, ok := c.Conn.(driver.QueryerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	rows, err := q.QueryContext(c.stmtCtx(ctx), query, args)
	if errors.Is(err, driver.ErrSkip) {
		return nil, err
	}
	if err := c.fail(err, isRead(query)); err != nil {
		return nil, err
	}
	return wrapRows(rows, c), nil
}

func (c *faultConn) Ping(ctx context.Context) error {
	if p, ok := c.Conn.(driver.Pinger); ok {
		return c.fail(p.Ping(ctx), true)
	}
	return nil
}

func (c *faultConn) ResetSession(ctx context.Context) error {
	if c.broken {
		return driver.ErrBadConn
	}
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *faultConn) IsValid() bool {
	if c.broken {
		return false
	}
	if v, ok := c.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

func (c *faultConn) CheckNamedValue(nv *driver.NamedValue) error {
	if ch, ok := c.Conn.(driver.NamedValueChecker); ok {
		return ch.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}

// isRead reports whether a statement only reads, so that running it again
// is harmless.
func isRead(query string) bool {
	q := strings.ToUpper(strings.TrimSpace(query))
	switch {
	case strings.HasPrefix(q, "SELECT"):
		return !strings.Contains(q, "FOR UPDATE")
	case strings.HasPrefix(q, "WITH"):
		for _, w := range []string{"INSERT ", "UPDATE ", "DELETE ", "FOR UPDATE"} {
			if strings.Contains(q, w) {
				return false
			}
		}
		return true
	}
	return false
}

type faultTx struct {
	driver.Tx
	c *faultConn
}

func (t *faultTx) Commit() error {
	t.c.inTx = false
	return t.c.fail(t.Tx.Commit(), false)
}

func (t *faultTx) Rollback() error {
	t.c.inTx = false
	return t.c.fail(t.Tx.Rollback(), false)
}

type faultStmt struct {
	driver.Stmt
	c    *faultConn
	read bool
}

func (s *faultStmt) Exec(args []driver.Value) (driver.Result, error) { //nolint:staticcheck // driver.Stmt
	res, err := s.Stmt.Exec(args) //nolint:staticcheck // driver.Stmt
	return res, s.c.fail(err, false)
}

func (s *faultStmt) Query(args []driver.Value) (driver.Rows, error) { //nolint:staticcheck // driver.Stmt
	rows, err := s.Stmt.Query(args) //nolint:staticcheck // driver.Stmt
	if err := s.c.fail(err, s.read); err != nil {
		return nil, err
	}
	return wrapRows(rows, s.c), nil
}

func (s *faultStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	if e, ok := s.Stmt.(driver.StmtExecContext); ok {
		res, err := e.ExecContext(s.c.stmtCtx(ctx), args)
		return res, s.c.fail(err, false)
	}
	values, err := ordinalValues(args)
	if err != nil {
		return nil, err
	}
	return s.Exec(values)
}

func (s *faultStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	if q, ok := s.Stmt.(driver.StmtQueryContext); ok {
		rows, err := q.QueryContext(s.c.stmtCtx(ctx), args)
		if err := s.c.fail(err, s.read); err != nil {
			return nil, err
		}
		return wrapRows(rows, s.c), nil
	}
	values, err := ordinalValues(args)
	if err != nil {
		return nil, err
	}
	return s.Query(values)
}

func (s *faultStmt) CheckNamedValue(nv *driver.NamedValue) error {
	if ch, ok := s.Stmt.(driver.NamedValueChecker); ok {
		return ch.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}

// ordinalValues is database/sql's conversion for statements without
// context methods.
func ordinalValues(named []driver.NamedValue) ([]driver.Value, error) {
	values := make([]driver.Value, len(named))
	for i, nv := range named {
		if nv.Name != "" {
			return nil, errors.New("store: the driver does not support named arguments")
		}
		values[i] = nv.Value
	}
	return values, nil
}

// faultRows maps the errors of reading rows (a connection lost mid-way).
// It passes on the column information database/sql asks for.
type faultRows struct {
	driver.Rows
	c *faultConn
}

func wrapRows(rows driver.Rows, c *faultConn) driver.Rows {
	return &faultRows{Rows: rows, c: c}
}

func (r *faultRows) Next(dest []driver.Value) error {
	err := r.Rows.Next(dest)
	if err == nil || err == io.EOF {
		return err
	}
	return r.c.fail(err, false)
}

func (r *faultRows) HasNextResultSet() bool {
	if n, ok := r.Rows.(driver.RowsNextResultSet); ok {
		return n.HasNextResultSet()
	}
	return false
}

func (r *faultRows) NextResultSet() error {
	if n, ok := r.Rows.(driver.RowsNextResultSet); ok {
		return n.NextResultSet()
	}
	return io.EOF
}

func (r *faultRows) ColumnTypeScanType(i int) reflect.Type {
	if t, ok := r.Rows.(driver.RowsColumnTypeScanType); ok {
		return t.ColumnTypeScanType(i)
	}
	return reflect.TypeFor[any]()
}

func (r *faultRows) ColumnTypeDatabaseTypeName(i int) string {
	if t, ok := r.Rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return t.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

func (r *faultRows) ColumnTypeLength(i int) (int64, bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypeLength); ok {
		return t.ColumnTypeLength(i)
	}
	return 0, false
}

func (r *faultRows) ColumnTypeNullable(i int) (bool, bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypeNullable); ok {
		return t.ColumnTypeNullable(i)
	}
	return false, false
}

func (r *faultRows) ColumnTypePrecisionScale(i int) (int64, int64, bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypePrecisionScale); ok {
		return t.ColumnTypePrecisionScale(i)
	}
	return 0, 0, false
}

// openPool opens a connection pool whose connections are wrapped.
func openPool(dialectName, dsn string, h *health) (*sql.DB, error) {
	var (
		base driver.Connector
		err  error
	)
	if dialectName == DialectPostgres {
		base, err = stdlib.GetDefaultDriver().(driver.DriverContext).OpenConnector(dsn)
	} else {
		base, err = sqlite.NewConnector(dsn)
	}
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(&faultConnector{base: base, h: h, sqlite: dialectName != DialectPostgres}), nil
}
