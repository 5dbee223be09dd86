package server

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"html"
	"math"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/personapal/personapal/internal/fault"
	"github.com/personapal/personapal/internal/persona"
)

// Rate is a token bucket: PerSecond requests on average, up to Burst at
// once. A zero PerSecond means unlimited.
type Rate struct {
	PerSecond float64
	Burst     int
}

func (r Rate) on() bool { return r.PerSecond > 0 }

// Limits are the request rate limits. Each applies per key: per API token
// (whether or not the token exists, so guessing is limited too), per
// browser session, and per client address (every request counts here,
// signed in or not). The zero value limits nothing.
//
// The buckets live in each instance's memory, so with N instances behind a
// load balancer a client may get up to N times these rates. That is fine
// for what they are for (keeping one client from swamping the server); the
// limit that must hold across instances, sign-in attempts, is counted in the
// database by the application layer.
type Limits struct {
	Token, Session, IP Rate
	// MaxKeys caps the buckets kept per kind (token, session, address), so
	// that a flood of distinct keys cannot exhaust memory; zero means
	// DefaultMaxKeys.
	MaxKeys int
}

// DefaultMaxKeys is the default cap on buckets per kind: about 5 MB each
// when full.
const DefaultMaxKeys = 50_000

func (l Limits) on() bool { return l.Token.on() || l.Session.on() || l.IP.on() }

// sessionCookie is the web application's session cookie (internal/web).
const sessionCookie = "pp_session"

// rateLimiter holds the three kinds of buckets.
type rateLimiter struct {
	token, session, ip *buckets
	now                func() time.Time
}

func newRateLimiter(l Limits, now func() time.Time) *rateLimiter {
	maxKeys := l.MaxKeys
	if maxKeys <= 0 {
		maxKeys = DefaultMaxKeys
	}
	rl := &rateLimiter{now: now}
	mk := func(r Rate) *buckets {
		if !r.on() {
			return nil
		}
		return newBuckets(r, maxKeys)
	}
	rl.token, rl.session, rl.ip = mk(l.Token), mk(l.Session), mk(l.IP)
	return rl
}

// exempt lists what is never limited: the health check (load balancers
// poll it) and static assets (a page pulls several; they cost nothing).
func exempt(path string) bool {
	return path == "/healthz" || strings.HasPrefix(path, "/healthz/") || path == "/favicon.ico" || strings.HasPrefix(path, "/static/")
}

// middleware refuses requests over a limit with 429 and Retry-After. A
// request takes one token from each bucket that applies; if any is empty,
// none is charged.
func (rl *rateLimiter) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if exempt(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		now := rl.now()
		type charge struct {
			b   *buckets
			key string
		}
		var charges [3]charge
		n := 0
		if rl.ip != nil {
			if c := clientOf(r); c.ip.IsValid() {
				charges[n] = charge{rl.ip, ipKey(c.ip)}
				n++
			}
		}
		if rl.token != nil {
			if tok, ok := bearerToken(r); ok {
				charges[n] = charge{rl.token, hashKey(tok)}
				n++
			}
		}
		if rl.session != nil {
			if ck, err := r.Cookie(sessionCookie); err == nil && ck.Value != "" {
				charges[n] = charge{rl.session, hashKey(ck.Value)}
				n++
			}
		}
		for i := range n {
			if wait, ok := charges[i].b.take(charges[i].key, now); !ok {
				for j := range i {
					charges[j].b.refund(charges[j].key, now)
				}
				tooManyRequests(w, r, wait)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// bearerToken is the token of an "Authorization: Bearer" header. It is not
// looked up: an unknown token gets a bucket like any other.
func bearerToken(r *http.Request) (string, bool) {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	tok = strings.TrimSpace(tok)
	return tok, ok && strings.EqualFold(scheme, "Bearer") && tok != ""
}

// hashKey keeps secrets out of the map and every key 32 bytes long,
// however long the header or cookie.
func hashKey(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return string(sum[:])
}

// ipKey is the bucket key for a client address. An IPv6 client is keyed by
// its /64: one subscriber usually holds a whole /64 and could otherwise
// step around the limit address by address.
func ipKey(a netip.Addr) string {
	if a.Is6() {
		p, _ := a.Prefix(64)
		a = p.Addr()
	}
	b, _ := a.MarshalBinary()
	return string(b)
}

func tooManyRequests(w http.ResponseWriter, r *http.Request, wait time.Duration) {
	secs := max(int64(math.Ceil(wait.Seconds())), 1)
	w.Header().Set("Retry-After", strconv.FormatInt(secs, 10))
	w.Header().Set("Cache-Control", "no-store")
	detail := fmt.Sprintf("too many requests; try again in %d second%s", secs, plural(secs))
	if strings.HasPrefix(r.URL.Path, "/api/") {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusTooManyRequests)
		k := fault.For(persona.CodeTooMany)
		_ = json.NewEncoder(w).Encode(map[string]any{"type": k.Type, "title": k.Title, "status": k.Status, "detail": detail})
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	w.WriteHeader(http.StatusTooManyRequests)
	_, _ = fmt.Fprintf(w, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Too many requests · Persona Pal</title>"+
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"></head>\n"+
		"<body style=\"font-family: system-ui, sans-serif; max-width: 36rem; margin: 4rem auto; padding: 0 1rem\">"+
		"<h1>Too many requests</h1><p>%s</p><p><a href=\"\">Reload</a></p></body></html>\n",
		html.EscapeString("Persona Pal received too many requests from you in a short time. Please wait "+
			strconv.FormatInt(secs, 10)+" second"+plural(secs)+" and try again."))
}

func plural(n int64) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// buckets is one kind of token bucket, by key, with bounded memory.
//
// A bucket that has refilled completely is indistinguishable from a new one,
// so it can be dropped without changing any decision; such idle buckets are
// swept once a minute. If the map still reaches its cap (a flood of new keys
// faster than buckets refill), the sweep also drops arbitrary buckets down
// to three quarters of the cap. Dropping a bucket only ever gives its key a
// fresh burst, so under such a flood the limit loosens for a few keys; it
// never refuses anyone wrongly, and memory stays bounded. Sweeps are O(n)
// but happen at most once per quarter-cap of new keys.
type buckets struct {
	rate      Rate
	max       int
	mu        sync.Mutex
	m         map[string]bucket
	lastSweep time.Time
}

type bucket struct {
	tokens float64
	at     time.Time // when tokens was last brought up to date
}

// sweepEvery is how often idle buckets are dropped in quiet times.
const sweepEvery = time.Minute

func newBuckets(r Rate, maxKeys int) *buckets {
	if r.Burst < 1 {
		r.Burst = max(1, int(math.Ceil(r.PerSecond)))
	}
	return &buckets{rate: r, max: max(1, maxKeys), m: make(map[string]bucket)}
}

// level is b's token count at now.
func (bs *buckets) level(b bucket, now time.Time) float64 {
	elapsed := now.Sub(b.at).Seconds()
	if elapsed < 0 {
		elapsed = 0 // a clock step backwards refills nothing
	}
	return min(float64(bs.rate.Burst), b.tokens+elapsed*bs.rate.PerSecond)
}

// take spends one token of key's bucket, or reports how long until one is
// there.
func (bs *buckets) take(key string, now time.Time) (time.Duration, bool) {
	bs.mu.Lock()
	defer bs.mu.Unlock()
	b, ok := bs.m[key]
	if !ok {
		if len(bs.m) >= bs.max || now.Sub(bs.lastSweep) >= sweepEvery {
			bs.sweep(now)
		}
		b = bucket{tokens: float64(bs.rate.Burst), at: now}
	}
	tokens := bs.level(b, now)
	if tokens < 1 {
		return time.Duration((1 - tokens) / bs.rate.PerSecond * float64(time.Second)), false
	}
	bs.m[key] = bucket{tokens: tokens - 1, at: now}
	return 0, true
}

// refund gives back a token taken for a request that another bucket then
// refused.
func (bs *buckets) refund(key string, now time.Time) {
	bs.mu.Lock()
	defer bs.mu.Unlock()
	if b, ok := bs.m[key]; ok {
		bs.m[key] = bucket{tokens: min(float64(bs.rate.Burst), bs.level(b, now)+1), at: now}
	}
}

// sweep drops full buckets, then arbitrary ones while the map is over three
// quarters of its cap. The caller holds mu.
func (bs *buckets) sweep(now time.Time) {
	bs.lastSweep = now
	full := float64(bs.rate.Burst)
	for k, b := range bs.m {
		if bs.level(b, now) >= full {
			delete(bs.m, k)
		}
	}
	target := min(bs.max-bs.max/4, bs.max-1) // room for the key being added
	for k := range bs.m {
		if len(bs.m) <= target {
			break
		}
		delete(bs.m, k)
	}
}

func (bs *buckets) len() int {
	bs.mu.Lock()
	defer bs.mu.Unlock()
	return len(bs.m)
}
