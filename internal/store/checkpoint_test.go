package store

import (
	"context"
	"strings"
	"testing"
)

// TestCheckpointFinishesLongLogsBetweenWrites: connections no longer
// checkpoint on commit. A checkpoint running beside writers that never
// pause could never let the log restart at its start, and the log would
// grow without end; so once the log is past walRestartFrames the
// checkpointer finishes its round holding the writer lock, and the next
// write starts the log afresh.
func TestCheckpointFinishesLongLogsBetweenWrites(t *testing.T) {
	ctx := t.Context()
	db := openSQLite(t)
	close(db.stop) // this test drives the checkpointer itself
	<-db.stopped
	db.stop, db.stopped = make(chan struct{}), nil

	frames := func() int {
		t.Helper()
		var busy, log, done int
		if err := db.db.DB.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &log, &done); err != nil {
			t.Fatal(err)
		}
		return log
	}
	locks := 0
	countingLock := func(ctx context.Context) (func(), error) {
		locks++
		return db.writeLock(ctx)
	}
	write := func(n int) {
		t.Helper()
		body := strings.Repeat("x", 3000)
		for range n {
			if _, err := db.exec(ctx, db.db, `INSERT INTO filler (body) VALUES ($1)`, body); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := db.exec(ctx, db.db, `CREATE TABLE filler (id INTEGER PRIMARY KEY, body TEXT)`); err != nil {
		t.Fatal(err)
	}

	// A short log: the round does not hold up writers.
	write(100)
	db.checkpointTick(ctx, countingLock)
	if locks != 0 {
		t.Fatalf("a round over a short log took the writer lock %d times", locks)
	}
	// A long log: the round finishes holding the writer lock, and the next
	// write restarts the log.
	write(walRestartFrames + 500)
	db.checkpointTick(ctx, countingLock)
	if locks != 1 {
		t.Fatalf("a round over a log past walRestartFrames took the writer lock %d times, want once", locks)
	}
	write(1)
	if n := frames(); n >= 100 {
		t.Errorf("after the round and one write the log holds %d frames; want it started afresh", n)
	}
}
