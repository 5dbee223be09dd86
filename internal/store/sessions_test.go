package store

import (
	"context"
	"sync"
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
	window := 15 * time.Minute
	if n, err := db.LoginFailures(ctx, "email:x", now.Add(-window)); err != nil || n != 0 {
		t.Fatalf("fresh key: %d %v", n, err)
	}
	var wg sync.WaitGroup
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := db.RecordLoginFailure(ctx, "email:x", now, now.Add(-window)); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n, err := db.LoginFailures(ctx, "email:x", now.Add(-window)); err != nil || n != 6 {
		t.Fatalf("after 6 concurrent failures: %d %v", n, err)
	}
	// Outside the window the count starts again.
	later := now.Add(window + time.Minute)
	if n, err := db.LoginFailures(ctx, "email:x", later.Add(-window)); err != nil || n != 0 {
		t.Fatalf("old window still counted: %d %v", n, err)
	}
	if n, err := db.RecordLoginFailure(ctx, "email:x", later, later.Add(-window)); err != nil || n != 1 {
		t.Fatalf("new window: %d %v", n, err)
	}
	if err := db.ClearLoginFailures(ctx, "email:x"); err != nil {
		t.Fatal(err)
	}
	if n, _ := db.LoginFailures(ctx, "email:x", later.Add(-window)); n != 0 {
		t.Fatalf("cleared key counts %d", n)
	}
}
