package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/personapal/personapal/internal/persona"
)

// Group commit (SQLite).
//
// SQLite has one writer at a time, and each commit appends every page it
// changed to the write-ahead log: a create changes a dozen pages (the
// persona row, its search entry, its revision, its audit entry and their
// indexes), most of them the same index and table-tail pages as the next
// create's. So writes that queue while a transaction runs are committed
// together: the first writer to find no batch running becomes the batch's
// leader; it takes the write lock, takes every write queued by then (at most
// maxBatch) and runs them in one transaction, each member's function inside
// a SAVEPOINT of its own, and commits once. Writers that queue meanwhile
// form the next batch, led by the first of them. Nobody waits on purpose
// for more members: a lone writer is a batch of one and runs exactly as a
// plain transaction.
//
// Why each write stays atomic and separate:
//   - A member's function runs after the members before it, in queue order,
//     and sees their writes, as it would had they committed first: the
//     outcome is that of running the members one after the other.
//   - A member whose function fails (or panics) is rolled back to its
//     savepoint, so it leaves nothing behind, and gets its own error; the
//     others are not touched and still commit.
//   - Every member's writes, its audit entry included, are in the one
//     transaction, so a member is stored whole or not at all: when the
//     COMMIT fails, every member gets the commit's error and none is
//     stored; when it succeeds every member that got nil is stored.
//   - If SQLite rolls the whole transaction back on its own (it may after
//     a full disk, an I/O error or an interrupted statement), the members
//     that had succeeded in it get that error as a failed COMMIT would give
//     them, and the members after it run in a new transaction.
//   - A member whose context is done before its turn is skipped: it gets
//     the context's error and writes nothing, as a writer whose context
//     ends while it waits for the write lock.
//
// PostgreSQL has no single writer and runs every transaction on its own.

// maxBatch bounds a batch: a batch's members wait for its one commit, so
// the last of a very long batch would wait for all the others.
const maxBatch = 32

// Request states.
const (
	reqQueued    int32 = iota // waiting in the queue
	reqHeir                   // chosen to lead the next batch
	reqRunning                // taken into a batch
	reqAbandoned              // its context ended while queued
)

type txRequest struct {
	ctx   context.Context
	fn    func(*sql.Tx) error
	state atomic.Int32
	// done receives the leadership of the next batch (lead) and then, or
	// only, the request's outcome. It holds one of them at a time.
	done chan txOutcome
}

type txOutcome struct {
	err      error
	panicked bool
	panicVal any
	lead     bool
}

// committer is the queue of writes waiting for the next batch.
type committer struct {
	mu      sync.Mutex
	queue   []*txRequest
	leading bool // a batch's leader is at work (or chosen)
	// off runs every write as a batch of one (benchmarks compare).
	off bool
	// batches and members count what ran (tests and benchmarks read them).
	batches, members atomic.Int64
}

// groupTx runs fn as a member of the next batch and returns its outcome.
func (s *DB) groupTx(ctx context.Context, fn func(*sql.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	g := s.group
	r := &txRequest{ctx: ctx, fn: fn, done: make(chan txOutcome, 1)}
	g.mu.Lock()
	g.queue = append(g.queue, r)
	lead := !g.leading
	g.leading = true
	g.mu.Unlock()
	for {
		if lead {
			s.leadBatch()
			lead = false
		}
		var o txOutcome
		select {
		case o = <-r.done:
		case <-ctx.Done():
			if r.state.CompareAndSwap(reqQueued, reqAbandoned) {
				return ctx.Err()
			}
			// Already taken (or chosen to lead): its outcome follows.
			o = <-r.done
		}
		if o.lead {
			lead = true
			continue
		}
		if o.panicked {
			panic(o.panicVal)
		}
		return o.err
	}
}

// leadBatch runs one batch: it takes the write lock, then the queued
// requests, runs them, and hands the leadership on to the first request
// still queued (or ends it when none is).
func (s *DB) leadBatch() {
	g := s.group
	unlock, _ := s.writeLock(context.Background()) // never fails without a deadline
	var batch []*txRequest
	defer func() {
		unlock()
		g.mu.Lock()
		defer g.mu.Unlock()
		for len(g.queue) > 0 {
			r := g.queue[0]
			if r.state.CompareAndSwap(reqQueued, reqHeir) {
				r.done <- txOutcome{lead: true}
				return
			}
			g.queue = g.queue[1:] // abandoned
		}
		g.queue = nil
		g.leading = false
	}()
	n := maxBatch
	if g.off {
		n = 1
	}
	g.mu.Lock()
	i := 0
	for ; i < len(g.queue) && len(batch) < n; i++ {
		r := g.queue[i]
		if r.state.CompareAndSwap(reqQueued, reqRunning) || r.state.CompareAndSwap(reqHeir, reqRunning) {
			batch = append(batch, r)
		}
	}
	g.queue = g.queue[i:]
	g.mu.Unlock()
	if len(batch) == 0 {
		return // every request left the queue
	}
	g.batches.Add(1)
	g.members.Add(int64(len(batch)))
	s.runBatch(batch)
}

// runBatch runs the batch's members in one transaction and sends each its
// outcome.
func (s *DB) runBatch(batch []*txRequest) {
	out := make([]txOutcome, len(batch))
	sent := false
	var open *sql.Tx // the batch's transaction while it runs
	defer func() {
		if sent {
			return
		}
		// Only a fault of the batch's own code, or a member's function
		// calling runtime.Goexit, gets here (members' panics are
		// recovered): end the transaction and fail every member rather
		// than wedge them.
		if open != nil {
			_ = open.Rollback()
		}
		p := recover()
		for i, r := range batch {
			if out[i].err == nil && !out[i].panicked {
				out[i].err = fmt.Errorf("group commit: the batch ended before its commit (%v)", p)
			}
			r.done <- out[i]
		}
		if p != nil {
			panic(p)
		}
	}()
	if len(batch) == 1 {
		out[0] = s.runAlone(batch[0], &open)
	} else if len(batch) > 1 {
		s.runTogether(batch, out, &open)
	}
	sent = true
	for i, r := range batch {
		r.done <- out[i]
	}
}

// runAlone runs a batch of one as a plain transaction.
// open is set to the transaction while it is open.
func (s *DB) runAlone(r *txRequest, open **sql.Tx) txOutcome {
	if err := r.ctx.Err(); err != nil {
		return txOutcome{err: err}
	}
	tx, err := s.db.BeginTx(context.WithoutCancel(r.ctx), nil)
	if err != nil {
		return txOutcome{err: s.d.mapErr(err)}
	}
	*open = tx // for runBatch's clean-up should fn never return
	o := callMember(r.fn, tx)
	if o.err != nil || o.panicked {
		_ = tx.Rollback()
		return o
	}
	if err := tx.Commit(); err != nil {
		return txOutcome{err: s.d.mapErr(err)}
	}
	return txOutcome{}
}

// runTogether runs two or more members in one transaction, each in a
// savepoint, and commits once. open is set to the transaction while one
// is open.
func (s *DB) runTogether(batch []*txRequest, out []txOutcome, open **sql.Tx) {
	bg := context.Background()
	var (
		tx *sql.Tx
		q  txQuerier
		ok []int // members that succeeded in tx, waiting for its commit
	)
	// lost ends tx after SQLite rolled it back by itself: the members that
	// had succeeded in it are not stored.
	lost := func(cause error) {
		_ = tx.Rollback()
		err := lostTxErr(cause)
		for _, i := range ok {
			out[i].err = err
		}
		tx, ok, *open = nil, nil, nil
	}
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			out[i].err = err
			continue
		}
		if tx == nil {
			var err error
			if tx, err = s.db.BeginTx(bg, nil); err != nil {
				tx = nil
				out[i].err = s.d.mapErr(err)
				continue
			}
			q = txQuerier{tx: tx, p: s.db}
			*open = tx
		}
		if _, err := q.ExecContext(bg, `SAVEPOINT member`); err != nil {
			out[i].err = s.d.mapErr(err)
			lost(out[i].err)
			continue
		}
		o := callMember(r.fn, tx)
		if o.err != nil || o.panicked {
			out[i] = o
			_, err := q.ExecContext(bg, `ROLLBACK TO member`)
			if err == nil {
				_, err = q.ExecContext(bg, `RELEASE member`)
			}
			if err != nil {
				cause := o.err
				if _, isDB := persona.AsError(cause); !isDB {
					cause = s.d.mapErr(err)
				}
				lost(cause)
			}
			continue
		}
		if _, err := q.ExecContext(bg, `RELEASE member`); err != nil {
			out[i].err = s.d.mapErr(err)
			lost(out[i].err)
			continue
		}
		ok = append(ok, i)
	}
	if tx == nil {
		return
	}
	if len(ok) == 0 {
		_ = tx.Rollback()
		return
	}
	if err := tx.Commit(); err != nil {
		err = s.d.mapErr(err)
		for _, i := range ok {
			out[i].err = err
		}
	}
}

// lostTxErr is what the members of a transaction SQLite rolled back get:
// the database's own error when it is one (full storage, unavailable),
// otherwise "unavailable, try again".
func lostTxErr(cause error) error {
	if e, ok := persona.AsError(cause); ok && (e.Code == persona.CodeStorageFull || e.Code == persona.CodeUnavailable) {
		return e
	}
	return &persona.Error{Code: persona.CodeUnavailable, Message: msgUnavailable, Err: fmt.Errorf("the batch's transaction was rolled back: %w", cause)}
}

// callMember runs a member's function, turning a panic into an outcome
// that its own goroutine raises again.
func callMember(fn func(*sql.Tx) error, tx *sql.Tx) (o txOutcome) {
	defer func() {
		if p := recover(); p != nil {
			o = txOutcome{panicked: true, panicVal: p}
		}
	}()
	return txOutcome{err: fn(tx)}
}
