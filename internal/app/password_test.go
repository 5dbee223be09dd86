package app_test

import (
	"io"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/store/storetest"
)

// countingHasher is a real argon2id hasher that counts its calls and the
// most of them it ever saw running at once, and samples the heap while it
// works.
type countingHasher struct {
	app.PasswordHasher
	hashes, verifies    atomic.Int64
	running, mostAtOnce atomic.Int64
	heapMu              sync.Mutex
	sampleHeap          bool
	heapBase, heapMost  uint64
	onVerify            func() // called inside Verify, while it counts as running
}

func (c *countingHasher) enter() {
	n := c.running.Add(1)
	for {
		most := c.mostAtOnce.Load()
		if n <= most || c.mostAtOnce.CompareAndSwap(most, n) {
			break
		}
	}
}

func (c *countingHasher) leave() {
	if c.sampleHeap {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		c.heapMu.Lock()
		c.heapMost = max(c.heapMost, m.HeapAlloc)
		c.heapMu.Unlock()
	}
	c.running.Add(-1)
}

func (c *countingHasher) Hash(password string) (string, error) {
	c.hashes.Add(1)
	c.enter()
	defer c.leave()
	return c.PasswordHasher.Hash(password)
}

func (c *countingHasher) Verify(hash, password string) (bool, error) {
	c.verifies.Add(1)
	c.enter()
	defer c.leave()
	if c.onVerify != nil {
		c.onVerify()
	}
	return c.PasswordHasher.Verify(hash, password)
}

func (c *countingHasher) reset() {
	c.hashes.Store(0)
	c.verifies.Store(0)
	c.mostAtOnce.Store(0)
}

func (c *countingHasher) counts() (hashes, verifies int64) { return c.hashes.Load(), c.verifies.Load() }

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// Checking a password costs one verification whether or not the email has
// an account: the dummy hash for unknown emails is made once, not per
// call (unknown emails took 113 ms, known ones 53 ms).
func TestCheckPasswordCostsOneVerificationEitherWay(t *testing.T) {
	ctx := t.Context()
	h := &countingHasher{PasswordHasher: cheap}
	svc := app.New(storetest.OpenSQLite(t), app.WithLogger(quietLog()), app.WithPasswordHasher(h))
	if _, err := svc.CreateUser(ctx, "known@example.com", "Known", "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	h.reset()
	// The first unknown email makes the dummy hash: one hash, once.
	if _, err := svc.CheckPassword(ctx, "nobody@example.com", "correct horse battery"); err == nil {
		t.Fatal("an unknown email signed in")
	}
	if hashes, verifies := h.counts(); hashes != 1 || verifies != 1 {
		t.Fatalf("first unknown email: %d hashes, %d verifications; want 1 and 1", hashes, verifies)
	}
	for i := range 3 {
		for _, c := range []struct{ what, email, password string }{
			{"unknown email", "nobody@example.com", "whatever it is"},
			{"another unknown email", "nobody-else@example.com", "correct horse battery"},
			{"malformed email", "not an email", "correct horse battery"},
			{"known email, wrong password", "known@example.com", "wrong horse battery"},
		} {
			h.reset()
			_, err := svc.CheckPassword(ctx, c.email, c.password)
			if err == nil {
				t.Fatalf("%s signed in", c.what)
			}
			if err.Error() != "wrong email or password" {
				t.Errorf("%s: %q, want the same message for every failure", c.what, err)
			}
			if hashes, verifies := h.counts(); hashes != 0 || verifies != 1 {
				t.Errorf("round %d, %s: %d hashes, %d verifications; want 0 and exactly 1", i, c.what, hashes, verifies)
			}
		}
	}
	h.reset()
	if _, err := svc.CheckPassword(ctx, "known@example.com", "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	if hashes, verifies := h.counts(); hashes != 0 || verifies != 1 {
		t.Errorf("right password: %d hashes, %d verifications; want 0 and 1", hashes, verifies)
	}
}
