package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

func testSessions(t *testing.T, db *DB) {
	ctx := context.Background()
	u := mustUser(t, db, "session@example.com")
	now := time.Now().UTC()
	sess := persona.Session{TokenHash: "hash-1", UserID: u.ID, Data: []byte(`{"org":"a"}`), ExpiresAt: now.Add(time.Hour)}
	if err := db.CreateSession(ctx, sess); err != nil {
		t.Fatal(err)
	}
	got, err := db.SessionByHash(ctx, "hash-1", now)
	if err != nil || got.UserID != u.ID || string(got.Data) != `{"org":"a"}` || !got.ExpiresAt.Equal(want(sess.ExpiresAt)) {
		t.Fatalf("got %+v, %v", got, err)
	}
	if _, err := db.SessionByHash(ctx, "hash-1", now.Add(2*time.Hour)); persona.ErrorCode(err) != persona.CodeNotFound {
		t.Fatalf("expired session: %v", err)
	}
	got.Data = []byte(`{}`)
	got.ExpiresAt = now.Add(3 * time.Hour)
	if err := db.UpdateSession(ctx, got); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.SessionByHash(ctx, "hash-1", now.Add(2*time.Hour)); string(got.Data) != `{}` {
		t.Fatalf("update not stored: %+v", got)
	}
	if n, err := db.DeleteExpiredSessions(ctx, now.Add(4*time.Hour)); err != nil || n != 1 {
		t.Fatalf("expired sweep: %d %v", n, err)
	}
	for i, h := range []string{"a", "b"} {
		if err := db.CreateSession(ctx, persona.Session{TokenHash: h, UserID: u.ID, Data: []byte{}, ExpiresAt: now.Add(time.Duration(i+1) * time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.DeleteSession(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SessionByHash(ctx, "a", now); persona.ErrorCode(err) != persona.CodeNotFound {
		t.Fatalf("deleted session still there: %v", err)
	}
	if err := db.DeleteUserSessions(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SessionByHash(ctx, "b", now); persona.ErrorCode(err) != persona.CodeNotFound {
		t.Fatalf("user sign-out left a session: %v", err)
	}
}

func testLoginThrottle(t *testing.T, db *DB) {
	ctx := context.Background()
	now := time.Now().UTC()
	read := func(at time.Time, keys ...string) []persona.LoginCounter {
		t.Helper()
		var got []persona.LoginCounter
		err := db.UpdateLoginCounters(ctx, at, keys, func(cs []persona.LoginCounter) ([]persona.LoginCounter, error) {
			got = slices.Clone(cs)
			return cs, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	// A key never seen reads as an empty window starting now, and reading
	// it stores nothing.
	if got := read(now, "x"); len(got) != 1 || got[0].Key != "x" || got[0].Count != 0 || !got[0].WindowStart.Equal(want(now)) || !got[0].NotBefore.IsZero() {
		t.Fatalf("fresh key: %+v", got)
	}
	var rows int
	if err := db.db.QueryRowContext(ctx, `SELECT count(*) FROM login_attempts`).Scan(&rows); err != nil || rows != 0 {
		t.Fatalf("reading stored %d rows (%v)", rows, err)
	}

	// Check-and-count under contention: 50 attempts at once, a limit of 5,
	// keys shared in both orders. Exactly 5 are admitted and counted on
	// both keys; nothing is lost, nothing deadlocks.
	const attempts, limit = 50, 5
	var (
		wg       sync.WaitGroup
		admitted atomic.Int32
	)
	for i := range attempts {
		keys := []string{"acct:a", "addr:b"}
		if i%2 == 1 {
			keys = []string{"addr:b", "acct:a"}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := db.UpdateLoginCounters(ctx, now, keys, func(cs []persona.LoginCounter) ([]persona.LoginCounter, error) {
				if cs[0].Count != cs[1].Count {
					return nil, fmt.Errorf("the two counters disagree: %+v", cs)
				}
				if cs[0].Count >= limit {
					return cs, nil
				}
				admitted.Add(1)
				for j := range cs {
					cs[j].Count++
				}
				return cs, nil
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := admitted.Load(); n != limit {
		t.Fatalf("%d of %d concurrent attempts admitted under a limit of %d", n, attempts, limit)
	}
	if got := read(now, "acct:a", "addr:b"); got[0].Count != limit || got[1].Count != limit {
		t.Fatalf("stored counts %+v, want %d each", got, limit)
	}
	// Counting only: 40 concurrent increments of one key all land.
	for range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := db.UpdateLoginCounters(ctx, now, []string{"count"}, func(cs []persona.LoginCounter) ([]persona.LoginCounter, error) {
				cs[0].Count++
				return cs, nil
			}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if got := read(now, "count"); got[0].Count != 40 {
		t.Fatalf("40 concurrent increments stored %d", got[0].Count)
	}

	// What decide returns is stored, next slot included; an error writes
	// nothing; an emptied counter is deleted.
	slot := now.Add(90 * time.Second)
	start := now.Add(-time.Minute)
	err := db.UpdateLoginCounters(ctx, now, []string{"acct:a"}, func(cs []persona.LoginCounter) ([]persona.LoginCounter, error) {
		return []persona.LoginCounter{{Key: "acct:a", Count: 7, WindowStart: start, NotBefore: slot}}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := read(now, "acct:a")[0]; got.Count != 7 || !got.WindowStart.Equal(want(start)) || !got.NotBefore.Equal(want(slot)) {
		t.Fatalf("stored %+v", got)
	}
	boom := errors.New("boom")
	err = db.UpdateLoginCounters(ctx, now, []string{"acct:a", "new"}, func(cs []persona.LoginCounter) ([]persona.LoginCounter, error) {
		return nil, boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("decide's error: %v", err)
	}
	if got := read(now, "acct:a")[0]; got.Count != 7 {
		t.Fatalf("a refused decision changed the counter: %+v", got)
	}
	if err := db.UpdateLoginCounters(ctx, now, []string{"acct:a"}, func(cs []persona.LoginCounter) ([]persona.LoginCounter, error) {
		return []persona.LoginCounter{{Key: "acct:a"}}, nil
	}); err != nil {
		t.Fatal(err)
	}
	later := now.Add(time.Hour)
	if got := read(later, "acct:a")[0]; got.Count != 0 || !got.WindowStart.Equal(want(later)) {
		t.Fatalf("an emptied counter was kept: %+v", got)
	}
	if err := db.UpdateLoginCounters(ctx, now, []string{"acct:a"}, func(cs []persona.LoginCounter) ([]persona.LoginCounter, error) {
		return []persona.LoginCounter{{Key: "wrong"}}, nil
	}); err == nil {
		t.Fatal("a counter returned under another key was stored")
	}

	// The sweep drops counters whose window is old and whose slot passed.
	if err := db.UpdateLoginCounters(ctx, now, []string{"old", "slow"}, func(cs []persona.LoginCounter) ([]persona.LoginCounter, error) {
		return []persona.LoginCounter{{Key: "old", Count: 3, WindowStart: now.Add(-48 * time.Hour)},
			{Key: "slow", Count: 3, WindowStart: now.Add(-48 * time.Hour), NotBefore: now.Add(time.Minute)}}, nil
	}); err != nil {
		t.Fatal(err)
	}
	n, err := db.DeleteStaleLoginCounters(ctx, now.Add(-24*time.Hour), now)
	if err != nil || n != 1 {
		t.Fatalf("swept %d (%v), want the one old counter", n, err)
	}
	if got := read(now, "old", "slow"); got[0].Count != 0 || got[1].Count != 3 {
		t.Fatalf("after the sweep: %+v", got)
	}
}
