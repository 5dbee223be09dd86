package app_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/store/storetest"
)

// clock is a settable test clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

const (
	ownerEmail    = "owner@example.com"
	ownerPassword = "correct horse battery"
)

// signInService is a service over db with a counting hasher and the given
// options, and a user to guess at.
func signInService(t *testing.T, db app.Store, h *countingHasher, opts ...app.Option) *app.Service {
	t.Helper()
	svc := app.New(db, append([]app.Option{app.WithLogger(quietLog()), app.WithPasswordHasher(h)}, opts...)...)
	if _, err := svc.CreateUser(t.Context(), ownerEmail, "Owner", ownerPassword); err != nil {
		t.Fatal(err)
	}
	h.reset()
	return svc
}

// tooMany returns the wait of a too-many refusal, failing on anything else.
func tooMany(t *testing.T, err error, what string) time.Duration {
	t.Helper()
	e, ok := persona.AsError(err)
	if !ok || e.Code != persona.CodeTooMany {
		t.Fatalf("%s: %v, want too many sign-ins", what, err)
	}
	if e.RetryAfter <= 0 {
		t.Fatalf("%s: refused without a wait: %+v", what, e)
	}
	return e.RetryAfter
}

// Parallel guesses once all reached the password check (25 verified with
// a limit of 5): now each attempt is counted in the database before its
// password is verified, so at most the limit is verified, on both engines.
func TestParallelWrongGuessesVerifyAtMostTheLimit(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := t.Context()
			h := &countingHasher{PasswordHasher: cheap}
			clk := newClock()
			svc := signInService(t, eng.Open(t), h, app.WithClock(clk.Now), app.WithPasswordConcurrency(50, time.Minute))
			policy := persona.DefaultSignInPolicy

			// 50 wrong guesses at one account from one address, all at once.
			var wg sync.WaitGroup
			var wrong, refused, other atomic.Int32
			for i := range 50 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, _, err := svc.SignIn(ctx, ownerEmail, fmt.Sprintf("guess number %d!", i), "203.0.113.7")
					switch e, _ := persona.AsError(err); {
					case e != nil && e.Code == persona.CodeUnauthenticated:
						wrong.Add(1)
					case e != nil && e.Code == persona.CodeTooMany && e.RetryAfter > 0:
						refused.Add(1)
					default:
						other.Add(1)
						t.Errorf("guess %d: %v", i, err)
					}
				}()
			}
			wg.Wait()
			if n := h.verifies.Load(); n > int64(policy.PerAccountAddress) {
				t.Errorf("%d passwords verified for 50 parallel guesses; the limit is %d", n, policy.PerAccountAddress)
			}
			if wrong.Load() != int32(policy.PerAccountAddress) || refused.Load() != 50-int32(policy.PerAccountAddress) {
				t.Errorf("%d wrong, %d refused, %d other; want %d wrong and the rest refused", wrong.Load(), refused.Load(), other.Load(), policy.PerAccountAddress)
			}
			// That address now waits for the window, even with the right
			// password, and verifies nothing meanwhile.
			h.reset()
			_, _, err := svc.SignIn(ctx, ownerEmail, ownerPassword, "203.0.113.7")
			if wait := tooMany(t, err, "the right password from the guessing address"); wait > policy.Window {
				t.Errorf("waits %s, more than the window", wait)
			}
			if n := h.verifies.Load(); n != 0 {
				t.Errorf("a refused attempt verified %d passwords", n)
			}
			// The owner, from an address of their own, is not locked out.
			if _, _, err := svc.SignIn(ctx, ownerEmail, ownerPassword, "198.51.100.20"); err != nil {
				t.Fatalf("the owner from another address: %v", err)
			}
			// The same holds per address: 50 guesses at 50 accounts from one
			// address verify at most PerAddress passwords.
			h.reset()
			for i := range 50 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, _, err := svc.SignIn(ctx, fmt.Sprintf("user%d@example.com", i), "spray password 1", "192.0.2.99")
					if c := persona.ErrorCode(err); c != persona.CodeUnauthenticated && c != persona.CodeTooMany {
						t.Errorf("spray %d: %v", i, err)
					}
				}()
			}
			wg.Wait()
			if n := h.verifies.Load(); n > int64(policy.PerAddress) {
				t.Errorf("%d passwords verified for a 50-account spray from one address; the limit is %d", n, policy.PerAddress)
			}
			// An IPv6 client counts per /64: other addresses of its network
			// share its count.
			h.reset()
			for i := range 50 {
				_, _, _ = svc.SignIn(ctx, ownerEmail, "v6 guess 12345", fmt.Sprintf("2001:db8:1:2::%x", i+1))
			}
			if n := h.verifies.Load(); n > int64(policy.PerAccountAddress) {
				t.Errorf("%d passwords verified from 50 addresses of one /64", n)
			}
			// After the window the guessing address may try again.
			clk.Advance(policy.Window)
			if _, _, err := svc.SignIn(ctx, ownerEmail, ownerPassword, "203.0.113.7"); err != nil {
				t.Fatalf("after the window: %v", err)
			}
		})
	}
}

// Guessing from many addresses slows the account down progressively
// instead of locking it: each further attempt waits twice as long (429 with
// Retry-After), and the owner, from an address that has not failed on the
// account, still gets in after a short wait however many guesses there
// were.
func TestAccountSlowsDownButIsNeverLockedOut(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := t.Context()
			h := &countingHasher{PasswordHasher: cheap}
			clk := newClock()
			svc := signInService(t, eng.Open(t), h, app.WithClock(clk.Now))
			p := persona.DefaultSignInPolicy
			guess := func(addr string) error {
				_, _, err := svc.SignIn(ctx, ownerEmail, "wrong password 123", addr)
				return err
			}
			// The free failures: two addresses, five each.
			for i := range p.AccountFree {
				if err := guess(fmt.Sprintf("203.0.113.%d", i/p.PerAccountAddress+1)); persona.ErrorCode(err) != persona.CodeUnauthenticated {
					t.Fatalf("free failure %d: %v", i+1, err)
				}
			}
			// From a third address that has now failed once, the account's
			// attempts are spaced ever further apart: 2 s, then 4 s.
			const attacker = "198.51.100.66"
			if err := guess(attacker); persona.ErrorCode(err) != persona.CodeUnauthenticated {
				t.Fatalf("first guess from a new address: %v", err)
			}
			for i, wantWait := range []time.Duration{0, 2 * time.Second, 4 * time.Second} {
				if i > 0 {
					if wait := tooMany(t, guess(attacker), "an early guess"); wait != wantWait {
						t.Errorf("guess %d waits %s, want %s", i, wait, wantWait)
					}
					clk.Advance(wantWait)
				}
				if err := guess(attacker); persona.ErrorCode(err) != persona.CodeUnauthenticated {
					t.Fatalf("guess %d after its wait: %v", i, err)
				}
			}
			// Many more guesses, each from a fresh address (a botnet), two
			// seconds apart for 20 minutes: the account's delay grows, but an
			// address with no failure on it never waits more than a short
			// delay — half a minute — and few guesses get through.
			const short = 30 * time.Second
			const guesses, every = 600, 2 * time.Second
			verified := h.verifies.Load()
			for i := range guesses {
				err := guess(fmt.Sprintf("10.%d.%d.1", i/250, i%250))
				if persona.ErrorCode(err) == persona.CodeTooMany {
					if wait := tooMany(t, err, "a botnet guess"); wait > short {
						t.Fatalf("a fresh address waits %s, more than %s", wait, short)
					}
				}
				clk.Advance(every)
			}
			got := h.verifies.Load() - verified
			if most := int64(guesses*every/short) + 10; got > most {
				t.Errorf("%d of %d botnet guesses %s apart were verified, want at most %d", got, guesses, every, most)
			}
			t.Logf("%d of %d botnet guesses verified", got, guesses)
			// The owner, from their own address, waits at most that short
			// delay and then gets in with the right password.
			_, _, err := svc.SignIn(ctx, ownerEmail, ownerPassword, "192.0.2.10")
			if persona.ErrorCode(err) == persona.CodeTooMany {
				wait := tooMany(t, err, "the owner")
				if wait > short {
					t.Fatalf("the owner must wait %s", wait)
				}
				clk.Advance(wait)
				_, _, err = svc.SignIn(ctx, ownerEmail, ownerPassword, "192.0.2.10")
			}
			if err != nil {
				t.Fatalf("the owner after a short wait: %v", err)
			}
			// Their success resets the account's slow-down.
			if err := guess("192.0.2.200"); persona.ErrorCode(err) != persona.CodeUnauthenticated {
				t.Fatalf("a guess after the owner signed in: %v", err)
			}
		})
	}
}

// At most the configured number of password verifications run at once;
// the others wait their turn (or, past the wait, are refused as too many),
// so a flood of parallel sign-ins cannot take the memory of all of them
// at once (50 parallel argon2id runs once took 2 GB).
func TestPasswordVerificationsAreBounded(t *testing.T) {
	ctx := t.Context()
	const slots, memKiB = 3, 8 * 1024 // 8 MiB per verification
	h := &countingHasher{PasswordHasher: app.PasswordHasher{Time: 1, Memory: memKiB, Threads: 1}}
	svc := signInService(t, storetest.OpenSQLite(t), h, app.WithPasswordConcurrency(slots, time.Minute))

	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	h.heapBase, h.heapMost, h.sampleHeap = m.HeapAlloc, m.HeapAlloc, true
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// 50 accounts from 50 addresses: no throttling limit applies.
			_, _, err := svc.SignIn(ctx, fmt.Sprintf("someone%d@example.com", i), "a wrong password", fmt.Sprintf("192.0.2.%d", i+1))
			if persona.ErrorCode(err) != persona.CodeUnauthenticated {
				t.Errorf("sign-in %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	h.sampleHeap = false
	if n := h.verifies.Load(); n != 50 {
		t.Fatalf("%d verifications, want 50", n)
	}
	if most := h.mostAtOnce.Load(); most > slots {
		t.Errorf("%d verifications ran at once; the limit is %d", most, slots)
	}
	// Each verification holds memKiB; unbounded, 50 of them would hold
	// 400 MiB at once. Bounded, the heap stays within a few slots' worth
	// (the garbage collector may let it reach about twice what is live).
	growth := int64(h.heapMost) - int64(h.heapBase)
	if limit := int64(3*(slots+1)) * memKiB << 10; growth > limit {
		t.Errorf("the heap grew by %d MiB during 50 parallel sign-ins; bound %d MiB", growth>>20, limit>>20)
	}
	t.Logf("at most %d at once, heap growth %d MiB", h.mostAtOnce.Load(), growth>>20)
}

// A sign-in that finds every slot busy past the wait is refused as too
// many, with a Retry-After, and verifies nothing.
func TestBusyPasswordSlotsAnswerTooMany(t *testing.T) {
	ctx := t.Context()
	h := &countingHasher{PasswordHasher: cheap}
	svc := signInService(t, storetest.OpenSQLite(t), h, app.WithPasswordConcurrency(1, 20*time.Millisecond))
	hold, held := make(chan struct{}), make(chan struct{})
	var once, release sync.Once
	h.onVerify = func() { once.Do(func() { close(held); <-hold }) }
	t.Cleanup(func() { release.Do(func() { close(hold) }) }) // before the database closes, even on failure
	first := make(chan error, 1)
	go func() {
		_, _, err := svc.SignIn(ctx, ownerEmail, ownerPassword, "192.0.2.1")
		first <- err
	}()
	<-held // the only slot is taken until hold is closed
	_, _, err := svc.SignIn(context.Background(), ownerEmail, ownerPassword, "192.0.2.2")
	if wait := tooMany(t, err, "a sign-in while the slot is busy"); wait != app.PasswordBusyRetry {
		t.Errorf("Retry-After %s, want %s", wait, app.PasswordBusyRetry)
	}
	if n := h.verifies.Load(); n != 1 {
		t.Errorf("%d verifications, want only the one holding the slot", n)
	}
	release.Do(func() { close(hold) })
	if err := <-first; err != nil {
		t.Fatalf("the sign-in holding the slot: %v", err)
	}
	// The slot is free again.
	if _, _, err := svc.SignIn(ctx, ownerEmail, ownerPassword, "192.0.2.2"); err != nil {
		t.Fatalf("after the slot was freed: %v", err)
	}
}
