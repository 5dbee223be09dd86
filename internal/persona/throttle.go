package persona

import "time"

// Sign-in throttling. Every attempt is counted before its password is
// verified, in counters kept in the database (so every instance agrees and
// parallel guesses cannot slip through between a check and a count), and
// no counter locks an account: a stranger can slow an account down but
// never keep its owner out for long.
//
//   - Per (account, client address): at most SignInPolicy.PerAccountAddress
//     attempts in Window; then that address waits for the window to end.
//     A successful sign-in clears it, so only failures accumulate.
//   - Per client address: at most PerAddress failed attempts in Window,
//     whatever the accounts (spraying one password over many accounts).
//   - Per account, across every address: the first AccountFree failures in
//     AccountWindow cost nothing; after that each attempt must wait a delay
//     that doubles with every further failure (from AccountBaseDelay). An
//     address that has already failed on this account waits up to
//     AccountMaxDelay; an address with no failure on it (the owner's own
//     browser, usually) has a lane of its own whose delay stops at
//     FreshMaxDelay, so the owner gets in after a short wait however hard
//     others guess. A waiting attempt is refused with its Retry-After and
//     verifies nothing.

// LoginCounter is one sign-in throttling counter as stored.
type LoginCounter struct {
	Key         string
	Count       int       // attempts counted in the window
	WindowStart time.Time // when the window began
	NotBefore   time.Time // no attempt is admitted before it (zero: none)
}

// IsZero reports whether the counter holds nothing worth storing.
func (c LoginCounter) IsZero() bool { return c.Count == 0 && c.NotBefore.IsZero() }

// SignInCounters are the counters one attempt reads and updates.
type SignInCounters struct {
	Address        LoginCounter // the client address
	AccountAddress LoginCounter // the account from that address
	Account        LoginCounter // the account: failures, and the slow lane's next slot
	Fresh          LoginCounter // the account's lane for addresses with no failure on it
}

// SignInPolicy holds the throttling limits.
type SignInPolicy struct {
	Window            time.Duration
	PerAccountAddress int
	PerAddress        int
	AccountWindow     time.Duration
	AccountFree       int
	AccountBaseDelay  time.Duration
	AccountMaxDelay   time.Duration
	FreshMaxDelay     time.Duration
}

// DefaultSignInPolicy: 5 attempts per account and address and 30 per
// address in 15 minutes; per account, 10 failures a day for free, then
// 1 s, 2 s, 4 s … up to 15 minutes between attempts (30 s at most from an
// address that has not failed on the account).
var DefaultSignInPolicy = SignInPolicy{
	Window:            15 * time.Minute,
	PerAccountAddress: 5,
	PerAddress:        30,
	AccountWindow:     24 * time.Hour,
	AccountFree:       10,
	AccountBaseDelay:  time.Second,
	AccountMaxDelay:   15 * time.Minute,
	FreshMaxDelay:     30 * time.Second,
}

// SignInRefusal says why an attempt was refused and how long to wait.
type SignInRefusal struct {
	Wait time.Duration
	// Account is set when the account's slow-down refused it (rather than
	// a limit of the client's address).
	Account bool
}

// Admit decides an attempt at now. Refused, it returns the counters as
// they were (each window restarted if it had ended) and why; admitted, it
// returns them with the attempt counted and the account's next slot set.
func (p SignInPolicy) Admit(now time.Time, c SignInCounters) (SignInCounters, *SignInRefusal) {
	c.Address = restart(c.Address, now, p.Window)
	c.AccountAddress = restart(c.AccountAddress, now, p.Window)
	c.Account = restart(c.Account, now, p.AccountWindow)
	c.Fresh = restart(c.Fresh, now, p.AccountWindow)
	fresh := c.AccountAddress.Count == 0
	lane := &c.Account
	if fresh {
		lane = &c.Fresh
	}

	var refusal *SignInRefusal
	refuse := func(until time.Time, account bool) {
		if w := until.Sub(now); refusal == nil || w > refusal.Wait {
			refusal = &SignInRefusal{Wait: w, Account: account}
		}
	}
	if c.Address.Count >= p.PerAddress {
		refuse(c.Address.WindowStart.Add(p.Window), false)
	}
	if c.AccountAddress.Count >= p.PerAccountAddress {
		refuse(c.AccountAddress.WindowStart.Add(p.Window), false)
	}
	if now.Before(lane.NotBefore) {
		refuse(lane.NotBefore, true)
	}
	if refusal != nil {
		return c, refusal
	}

	c.Address.Count++
	c.AccountAddress.Count++
	c.Account.Count++
	if over := c.Account.Count - p.AccountFree; over > 0 {
		ceiling := p.AccountMaxDelay
		if fresh {
			ceiling = p.FreshMaxDelay
		}
		lane.NotBefore = now.Add(doubled(p.AccountBaseDelay, over-1, ceiling))
	}
	return c, nil
}

// Succeeded returns the counters after a successful sign-in: the account's
// counters and this address's count for it are cleared (the owner is in),
// and the attempt no longer counts against the address.
func (p SignInPolicy) Succeeded(c SignInCounters) SignInCounters {
	if c.Address.Count > 0 {
		c.Address.Count--
	}
	c.AccountAddress = LoginCounter{Key: c.AccountAddress.Key}
	c.Account = LoginCounter{Key: c.Account.Key}
	c.Fresh = LoginCounter{Key: c.Fresh.Key}
	return c
}

// restart begins a new, empty window when the counter's has ended (or it
// has none). The next slot survives: it is never far off.
func restart(c LoginCounter, now time.Time, window time.Duration) LoginCounter {
	if c.WindowStart.IsZero() || !now.Before(c.WindowStart.Add(window)) {
		c.Count, c.WindowStart = 0, now
	}
	if !c.NotBefore.IsZero() && !now.Before(c.NotBefore) && c.Count == 0 {
		c.NotBefore = time.Time{}
	}
	return c
}

// doubled is base·2ⁿ, at most ceiling.
func doubled(base time.Duration, n int, ceiling time.Duration) time.Duration {
	d := base
	for range n {
		if d >= ceiling {
			return ceiling
		}
		d *= 2
	}
	return min(d, ceiling)
}
