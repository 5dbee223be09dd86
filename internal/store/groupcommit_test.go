package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

// queueBatch holds the write lock while n writers run write(i) through
// inTx, until all n have queued, so that they form batches (the first of
// them leads and waits for the lock; the others queue behind it), then
// lets them run (after queued, if not nil) and returns each one's result.
func queueBatch(t *testing.T, db *DB, n int, write func(i int) error, queued ...func()) []error {
	t.Helper()
	db.writer <- struct{}{} // hold the write lock
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = write(i) })
		// One at a time, so that the queue's order is i's order.
		waitQueued(t, db, i+1)
	}
	for _, f := range queued {
		f()
	}
	<-db.writer
	wg.Wait()
	return errs
}

// waitQueued waits until n writes are queued.
func waitQueued(t *testing.T, db *DB, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		db.group.mu.Lock()
		q := len(db.group.queue)
		db.group.mu.Unlock()
		if q >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d writes queued after 10 s, want %d", q, n)
		}
		time.Sleep(time.Millisecond)
	}
}

// queueState is the state of the i-th queued request.
func (g *committer) queueState(i int) int32 {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.queue[i].state.Load()
}

func createRows(t *testing.T, db *DB) {
	t.Helper()
	if _, err := db.exec(t.Context(), db.db, `CREATE TABLE gc (id INTEGER PRIMARY KEY, seen INTEGER NOT NULL, body TEXT)`); err != nil {
		t.Fatal(err)
	}
}

func rowIDs(t *testing.T, db *DB) []int {
	t.Helper()
	rows, err := db.db.QueryContext(t.Context(), `SELECT id FROM gc ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []int
	for rows.Next() {
		var id int
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

// TestGroupCommitMembersSucceedOrFailAlone: writers queued together are
// committed in one transaction, but each is stored whole or not at all on
// its own: a member whose function fails after writing (or panics) leaves
// nothing and gets its own error, and the others are stored. Each member
// sees the writes of the members before it, as when they run one after the
// other.
func TestGroupCommitMembersSucceedOrFailAlone(t *testing.T) {
	db := openSQLite(t)
	createRows(t, db)
	ctx := t.Context()
	const n = 3 * maxBatch / 2 // two batches
	errBoom := errors.New("boom")
	b0, m0 := db.group.batches.Load(), db.group.members.Load()
	var panics sync.Map
	errs := queueBatch(t, db, n, func(i int) (err error) {
		defer func() {
			if p := recover(); p != nil {
				panics.Store(i, p)
				err = fmt.Errorf("panicked: %v", p)
			}
		}()
		return db.inTx(ctx, func(tx *sql.Tx) error {
			// seen: how many rows this member sees, members before it
			// included.
			if _, err := db.exec(ctx, tx, `INSERT INTO gc (id, seen) VALUES ($1, (SELECT count(*) FROM gc))`, i); err != nil {
				return err
			}
			if _, err := db.exec(ctx, tx, `INSERT INTO gc (id, seen) VALUES ($1, 0)`, 1000+i); err != nil {
				return err
			}
			switch i % 5 {
			case 1:
				return errBoom
			case 3:
				panic(fmt.Sprintf("member %d", i))
			}
			return nil
		})
	})
	if b, m := db.group.batches.Load()-b0, db.group.members.Load()-m0; b != 2 || m != n {
		t.Errorf("%d writes ran in %d batches, want %d in 2", m, b, n)
	}
	var want []int
	for i, err := range errs {
		switch i % 5 {
		case 1:
			if !errors.Is(err, errBoom) {
				t.Errorf("member %d: %v, want its own error", i, err)
			}
		case 3:
			if p, ok := panics.Load(i); !ok || p != fmt.Sprintf("member %d", i) {
				t.Errorf("member %d: the panic did not reach its own goroutine (%v, %v)", i, p, err)
			}
		default:
			if err != nil {
				t.Errorf("member %d: %v", i, err)
			}
			want = append(want, i)
		}
	}
	for _, i := range slices.Clone(want) {
		want = append(want, 1000+i)
	}
	slices.Sort(want)
	if got := rowIDs(t, db); !slices.Equal(got, want) {
		t.Fatalf("stored rows %v, want exactly the succeeding members' %v", got, want)
	}
	// Serial outcome: member k of the successful ones saw 2k rows.
	rows, err := db.db.QueryContext(ctx, `SELECT seen FROM gc WHERE id < 1000 ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for k := 0; rows.Next(); k++ {
		var seen int
		if err := rows.Scan(&seen); err != nil {
			t.Fatal(err)
		}
		if seen != 2*k {
			t.Errorf("successful member %d saw %d rows, want %d (the members before it)", k, seen, 2*k)
		}
	}
	// The queue is not wedged: a lone write still goes through.
	if err := db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := db.exec(ctx, tx, `INSERT INTO gc (id, seen) VALUES (5000, 0)`)
		return err
	}); err != nil {
		t.Fatalf("a write after the batches: %v", err)
	}
	if db.group.leading || len(db.group.queue) != 0 {
		t.Fatalf("after the writes: leading %v, %d queued", db.group.leading, len(db.group.queue))
	}
}

// TestGroupCommitCancelledMemberWritesNothing: a member whose context ends
// while it is queued, or after it was taken into a batch but before its
// turn, gets the context's error and writes nothing; the others commit.
func TestGroupCommitCancelledMemberWritesNothing(t *testing.T) {
	db := openSQLite(t)
	createRows(t, db)
	ctx := t.Context()
	ctxs := make([]context.Context, 4)
	cancels := make([]context.CancelFunc, 4)
	for i := range ctxs {
		ctxs[i], cancels[i] = context.WithCancel(ctx)
	}
	defer func() {
		for _, c := range cancels {
			c()
		}
	}()
	ran := make([]bool, 4)
	errs := queueBatch(t, db, 4, func(i int) error {
		return db.inTx(ctxs[i], func(tx *sql.Tx) error {
			ran[i] = true
			if i == 0 {
				cancels[1]() // member 1 is in the batch, its turn not come
			}
			_, err := db.exec(ctxs[i], tx, `INSERT INTO gc (id, seen) VALUES ($1, 0)`, i)
			return err
		})
	}, func() {
		// Member 3 leaves the queue before the batch starts.
		cancels[3]()
		deadline := time.Now().Add(10 * time.Second)
		for db.group.queueState(3) != reqAbandoned && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
	})
	if !errors.Is(errs[1], context.Canceled) || ran[1] {
		t.Errorf("member cancelled before its turn: %v (ran %v), want context.Canceled, not run", errs[1], ran[1])
	}
	if !errors.Is(errs[3], context.Canceled) || ran[3] {
		t.Errorf("member cancelled while queued: %v (ran %v), want context.Canceled, not run", errs[3], ran[3])
	}
	if errs[0] != nil || errs[2] != nil {
		t.Errorf("the other members: %v, %v", errs[0], errs[2])
	}
	if got := rowIDs(t, db); !slices.Equal(got, []int{0, 2}) {
		t.Fatalf("stored rows %v, want [0 2]", got)
	}
}

// TestGroupCommitMemberThatNeverReturns: a member's function that ends
// its goroutine (runtime.Goexit, as t.FailNow does) ends the batch: its
// transaction is rolled back, nothing of it is stored, the members still
// waiting get an error, and later writes go through.
func TestGroupCommitMemberThatNeverReturns(t *testing.T) {
	db := openSQLite(t)
	createRows(t, db)
	ctx := t.Context()
	errs := queueBatch(t, db, 3, func(i int) error {
		return db.inTx(ctx, func(tx *sql.Tx) error {
			if _, err := db.exec(ctx, tx, `INSERT INTO gc (id, seen) VALUES ($1, 0)`, i); err != nil {
				return err
			}
			if i == 1 {
				runtime.Goexit()
			}
			return nil
		})
	})
	// Member 0 led the batch, so its goroutine ended with member 1's
	// function; members 1 and 2 got an error.
	for _, i := range []int{1, 2} {
		if errs[i] == nil {
			t.Errorf("member %d: nil, want an error", i)
		}
	}
	if got := rowIDs(t, db); len(got) != 0 {
		t.Fatalf("stored rows %v, want none", got)
	}
	if err := db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := db.exec(ctx, tx, `INSERT INTO gc (id, seen) VALUES (7, 0)`)
		return err
	}); err != nil {
		t.Fatalf("a write after the batch: %v", err)
	}
	if got := rowIDs(t, db); !slices.Equal(got, []int{7}) {
		t.Fatalf("stored rows %v, want [7]", got)
	}
}

// TestGroupCommitStorageFull: members of batches that fill the database
// each get nil or "storage full", and exactly the members that got nil are
// stored, whether SQLite undid only the failing statement or the whole
// transaction.
func TestGroupCommitStorageFull(t *testing.T) {
	db, _ := limitedSQLite(t, 400)
	createRows(t, db)
	ctx := t.Context()
	body := strings.Repeat("x", 20_000)
	var stored []int
	full := 0
	for round := 0; round < 20 && full < 10; round++ {
		errs := queueBatch(t, db, 8, func(i int) error {
			return db.inTx(ctx, func(tx *sql.Tx) error {
				_, err := db.exec(ctx, tx, `INSERT INTO gc (id, seen, body) VALUES ($1, 0, $2)`, round*8+i, body)
				return err
			})
		})
		for i, err := range errs {
			switch {
			case err == nil:
				stored = append(stored, round*8+i)
			case persona.ErrorCode(err) == persona.CodeStorageFull:
				full++
			default:
				t.Fatalf("round %d member %d: %v (code %q), want nil or storage full", round, i, err, persona.ErrorCode(err))
			}
		}
	}
	if full == 0 {
		t.Fatal("the database never filled up")
	}
	if got := rowIDs(t, db); !slices.Equal(got, stored) {
		t.Fatalf("stored rows %v, want exactly the members that succeeded %v", got, stored)
	}
}

// BenchmarkGroupCommit: parallel writers, each writing a row with an
// indexed column and an audit-like row in one transaction, with group
// commit on and off (every write a transaction of its own).
func BenchmarkGroupCommit(b *testing.B) {
	for _, mode := range []string{"on", "off"} {
		b.Run(mode, func(b *testing.B) {
			db, err := Open(b.Context(), b.TempDir()+"/bench.db")
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			db.group.off = mode == "off"
			ctx := b.Context()
			for _, q := range []string{
				`CREATE TABLE items (id INTEGER PRIMARY KEY, org TEXT NOT NULL, name TEXT NOT NULL, body TEXT NOT NULL)`,
				`CREATE INDEX items_name ON items (org, name)`,
				`CREATE TABLE log (id INTEGER PRIMARY KEY, org TEXT NOT NULL, what TEXT NOT NULL, at TEXT NOT NULL)`,
				`CREATE INDEX log_org ON log (org, at)`,
			} {
				if _, err := db.exec(ctx, db.db, q); err != nil {
					b.Fatal(err)
				}
			}
			body := strings.Repeat("persona text ", 150)
			b0, m0 := db.group.batches.Load(), db.group.members.Load()
			var seq sync.Mutex
			n := 0
			b.SetParallelism(8) // 8 × GOMAXPROCS writers
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					seq.Lock()
					n++
					i := n
					seq.Unlock()
					err := db.inTx(ctx, func(tx *sql.Tx) error {
						org := fmt.Sprintf("org-%03d", i%100)
						if _, err := db.exec(ctx, tx, `INSERT INTO items (org, name, body) VALUES ($1, $2, $3)`, org, fmt.Sprintf("name %d", i*7919%100000), body); err != nil {
							return err
						}
						_, err := db.exec(ctx, tx, `INSERT INTO log (org, what, at) VALUES ($1, 'create', $2)`, org, time.Now().UTC().Format(time.RFC3339Nano))
						return err
					})
					if err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			if batches := db.group.batches.Load() - b0; batches > 0 {
				b.ReportMetric(float64(db.group.members.Load()-m0)/float64(batches), "writes/batch")
			}
		})
	}
}

// A request that goes away while its statement runs inside a transaction
// does not interrupt that statement (SQLite would roll back the whole
// transaction, and with it the other members of a batch): the statement
// runs to its end, the next one is refused with the context's error, and
// the member alone is rolled back while the one beside it commits. Outside
// a transaction a cancelled read is still interrupted.
func TestCancelledStatementInABatchDoesNotRollBackTheOthers(t *testing.T) {
	db := openSQLite(t)
	createRows(t, db)
	long := `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000000) SELECT count(*) FROM c`

	ctx, cancel := context.WithCancel(t.Context())
	var n int
	errs := queueBatch(t, db, 2, func(i int) error {
		if i == 1 {
			return db.inTx(t.Context(), func(tx *sql.Tx) error {
				_, err := db.exec(t.Context(), tx, `INSERT INTO gc (id, seen) VALUES ($1, 0)`, 101)
				return err
			})
		}
		return db.inTx(ctx, func(tx *sql.Tx) error {
			if _, err := db.exec(ctx, tx, `INSERT INTO gc (id, seen) VALUES ($1, 0)`, 100); err != nil {
				return err
			}
			time.AfterFunc(200*time.Millisecond, cancel) // while the statement below runs (about 1 s on a quiet machine)
			if err := tx.QueryRowContext(ctx, long).Scan(&n); err != nil {
				return fmt.Errorf("the running statement: %w", err)
			}
			_, err := db.exec(ctx, tx, `INSERT INTO gc (id, seen) VALUES ($1, 0)`, 102)
			return err
		})
	})
	if n != 3000000 {
		t.Errorf("the running statement was cut short (count %d): %v", n, errs[0])
	}
	if !errors.Is(errs[0], context.Canceled) {
		t.Errorf("the cancelled member: %v, want the context's error at its next statement", errs[0])
	}
	if errs[1] != nil {
		t.Errorf("the member beside it: %v", errs[1])
	}
	if ids := rowIDs(t, db); !slices.Equal(ids, []int{101}) {
		t.Errorf("stored %v, want only the other member's row 101", ids)
	}

	rctx, rcancel := context.WithCancel(t.Context())
	time.AfterFunc(20*time.Millisecond, rcancel)
	if err := db.db.DB.QueryRowContext(rctx, long).Scan(&n); err == nil {
		t.Error("a cancelled read outside a transaction ran to its end")
	}
}
