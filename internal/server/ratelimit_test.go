package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/store"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// limitEnv is a real server over a temporary SQLite file with two users,
// each with an API token and a password.
type limitEnv struct {
	t              *testing.T
	h              http.Handler
	clock          *fakeClock
	log            *syncBuffer
	tokenA, tokenB string
}

const (
	userA = "ada@example.com"
	userB = "bo@example.com"
	pass  = "correct-horse-battery-9"
)

func newLimitEnv(t *testing.T, opts Options) *limitEnv {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "limits.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	logBuf := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logBuf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	svc := app.New(db, app.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))),
		app.WithPasswordHasher(app.PasswordHasher{Time: 1, Memory: 64, Threads: 1}))
	e := &limitEnv{t: t, clock: newFakeClock(), log: logBuf}
	for i, email := range []string{userA, userB} {
		u, err := svc.CreateUser(ctx, email, "User "+email, pass)
		if err != nil {
			t.Fatal(err)
		}
		tok, _, err := svc.CreateToken(ctx, app.Actor{UserID: u.ID}, "test")
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			e.tokenA = tok
		} else {
			e.tokenB = tok
		}
	}
	opts.Clock = e.clock.Now
	e.h, err = NewWithOptions(svc, db, log, opts)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// syncBuffer lets the test read the log the handler writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type req struct {
	method, target string
	peer           string // RemoteAddr
	token          string
	cookie         *http.Cookie
	header         map[string]string
	form           url.Values
}

func (e *limitEnv) do(r req) *http.Response {
	e.t.Helper()
	method := r.method
	if method == "" {
		method = "GET"
	}
	var body io.Reader
	if r.form != nil {
		body = strings.NewReader(r.form.Encode())
	}
	hr := httptest.NewRequest(method, r.target, body)
	if r.form != nil {
		hr.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if r.peer != "" {
		hr.RemoteAddr = r.peer
	}
	if r.token != "" {
		hr.Header.Set("Authorization", "Bearer "+r.token)
	}
	if r.cookie != nil {
		hr.AddCookie(r.cookie)
	}
	for k, v := range r.header {
		hr.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, hr)
	return rec.Result()
}

// expect sends r and fails unless the status is want.
func (e *limitEnv) expect(want int, r req) *http.Response {
	e.t.Helper()
	res := e.do(r)
	if res.StatusCode != want {
		b, _ := io.ReadAll(res.Body)
		e.t.Fatalf("%s %s from %s: status %d, want %d\n%s", r.method, r.target, r.peer, res.StatusCode, want, b)
	}
	return res
}

// throttled checks a 429 and returns its Retry-After.
func throttled(t *testing.T, res *http.Response, api bool) string {
	t.Helper()
	if res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("status %d, want 429", res.StatusCode)
	}
	ra := res.Header.Get("Retry-After")
	if ra == "" || ra == "0" || strings.ContainsAny(ra, ".-") {
		t.Fatalf("Retry-After %q: want whole seconds ≥ 1", ra)
	}
	body, _ := io.ReadAll(res.Body)
	if api {
		if ct := res.Header.Get("Content-Type"); ct != "application/problem+json" {
			t.Fatalf("429 Content-Type %q", ct)
		}
		var p struct {
			Title  string `json:"title"`
			Status int    `json:"status"`
			Detail string `json:"detail"`
		}
		if err := json.Unmarshal(body, &p); err != nil || p.Status != 429 || p.Title == "" || p.Detail == "" {
			t.Fatalf("429 problem %s (%v)", body, err)
		}
	} else if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") || !bytes.Contains(body, []byte("Too many requests")) {
		t.Fatalf("429 page %q: %s", ct, body)
	}
	return ra
}

func TestRateLimitPerTokenWithRetryAfter(t *testing.T) {
	e := newLimitEnv(t, Options{Limits: Limits{Token: Rate{PerSecond: 0.5, Burst: 3}}})
	orgs := "/api/v1/orgs"
	for range 3 {
		e.expect(200, req{target: orgs, token: e.tokenA})
	}
	if ra := throttled(t, e.do(req{target: orgs, token: e.tokenA}), true); ra != "2" {
		t.Fatalf("Retry-After %q, want 2 (one token at 0.5/s)", ra)
	}
	// Another token from the same address is not held back.
	for range 3 {
		e.expect(200, req{target: orgs, token: e.tokenB})
	}
	// Unknown tokens get buckets too: guessing is limited like any use.
	for range 3 {
		e.expect(401, req{target: orgs, token: "pp_guess"})
	}
	throttled(t, e.do(req{target: orgs, token: "pp_guess"}), true)

	// Not a moment before Retry-After, then one request's worth.
	e.clock.Advance(1900 * time.Millisecond)
	throttled(t, e.do(req{target: orgs, token: e.tokenA}), true)
	e.clock.Advance(100 * time.Millisecond)
	e.expect(200, req{target: orgs, token: e.tokenA})
	throttled(t, e.do(req{target: orgs, token: e.tokenA}), true)

	// The health check and static files are never limited.
	for range 10 {
		e.expect(200, req{target: "/healthz", token: e.tokenA})
	}
}

func TestRateLimitPerAddress(t *testing.T) {
	e := newLimitEnv(t, Options{Limits: Limits{IP: Rate{PerSecond: 1, Burst: 4}}})
	const peer = "192.0.2.1:5555"
	for range 4 {
		e.expect(200, req{target: "/login", peer: peer})
	}
	if ra := throttled(t, e.do(req{target: "/login", peer: peer}), false); ra != "1" {
		t.Fatalf("Retry-After %q", ra)
	}
	// Every request from the address counts, whatever token it carries.
	throttled(t, e.do(req{target: "/api/v1/orgs", peer: peer, token: e.tokenB}), true)
	// Another address is unaffected; IPv6 clients count per /64.
	e.expect(200, req{target: "/login", peer: "192.0.2.2:5555"})
	for i := range 4 {
		e.expect(200, req{target: "/login", peer: fmt.Sprintf("[2001:db8:1:2::%x]:443", i+1)})
	}
	throttled(t, e.do(req{target: "/login", peer: "[2001:db8:1:2:ffff::9]:443"}), false)
	e.expect(200, req{target: "/login", peer: "[2001:db8:1:3::1]:443"})
	// Static assets are exempt.
	e.expect(http.StatusMovedPermanently, req{target: "/favicon.ico", peer: peer})
}

func TestRateLimitRefusedRequestCostsNothingElsewhere(t *testing.T) {
	e := newLimitEnv(t, Options{Limits: Limits{Token: Rate{PerSecond: 1, Burst: 1}, IP: Rate{PerSecond: 1, Burst: 3}}})
	e.expect(200, req{target: "/api/v1/orgs", token: e.tokenA})
	// Token A is spent; its refusals must not drain the address's bucket.
	for range 5 {
		throttled(t, e.do(req{target: "/api/v1/orgs", token: e.tokenA}), true)
	}
	e.expect(200, req{target: "/api/v1/orgs", token: e.tokenB})
	e.expect(200, req{target: "/login"})
	throttled(t, e.do(req{target: "/login"}), false)
}

func TestRateLimitPerSession(t *testing.T) {
	e := newLimitEnv(t, Options{Limits: Limits{Session: Rate{PerSecond: 1, Burst: 2}}})
	a, b := e.signIn(userA, req{}), e.signIn(userB, req{})
	e.expect(200, req{target: "/", cookie: a})
	e.expect(200, req{target: "/", cookie: a})
	throttled(t, e.do(req{target: "/", cookie: a}), false)
	e.expect(200, req{target: "/", cookie: b})
	e.clock.Advance(time.Second)
	e.expect(200, req{target: "/", cookie: a})
}

// signIn posts the sign-in form (with r's peer and headers) and returns
// the session cookie.
func (e *limitEnv) signIn(email string, r req) *http.Cookie {
	e.t.Helper()
	r.method, r.target = "POST", "/login"
	r.form = url.Values{"email": {email}, "password": {pass}}
	res := e.expect(http.StatusSeeOther, r)
	for _, ck := range res.Cookies() {
		if ck.Name == sessionCookie && ck.Value != "" {
			return ck
		}
	}
	e.t.Fatalf("sign-in set no %s cookie: %v", sessionCookie, res.Header.Values("Set-Cookie"))
	return nil
}

func TestForwardedForIgnoredFromUntrustedPeers(t *testing.T) {
	e := newLimitEnv(t, Options{Limits: Limits{IP: Rate{PerSecond: 1, Burst: 3}},
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}})
	const attacker = "203.0.113.9:1234"
	for i := range 3 {
		e.expect(200, req{target: "/login", peer: attacker, header: map[string]string{"X-Forwarded-For": fmt.Sprintf("198.51.100.%d", i)}})
	}
	// A new forged address each time does not escape the limit.
	throttled(t, e.do(req{target: "/login", peer: attacker, header: map[string]string{"X-Forwarded-For": "198.51.100.99"}}), false)
	if !strings.Contains(e.log.String(), "client=203.0.113.9") || strings.Contains(e.log.String(), "client=198.51.100.") {
		t.Fatalf("the log should name the peer, not the forged address:\n%s", e.log)
	}
}

func TestForwardedForHonouredFromTrustedProxies(t *testing.T) {
	e := newLimitEnv(t, Options{Limits: Limits{IP: Rate{PerSecond: 1, Burst: 3}},
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8")}})
	const proxy = "10.1.2.3:40000"
	xff := func(v string) map[string]string { return map[string]string{"X-Forwarded-For": v} }
	// Clients behind the proxy each get their own bucket.
	for i := range 10 {
		e.expect(200, req{target: "/login", peer: proxy, header: xff(fmt.Sprintf("198.51.100.%d", i))})
	}
	// The client is the rightmost address that is not a trusted proxy;
	// what the client wrote to its left cannot get it a new bucket.
	for i := range 3 {
		e.expect(200, req{target: "/login", peer: proxy, header: xff(fmt.Sprintf("6.6.6.%d, 192.0.2.7, 10.9.9.9", i))})
	}
	res := e.do(req{target: "/login", peer: proxy, header: xff("7.7.7.7, 192.0.2.7")})
	throttled(t, res, false)
	// An IPv6 client (with a port) through an IPv6 proxy, counted per /64.
	for range 3 {
		e.expect(200, req{target: "/login", peer: "[fd00::1]:8080", header: xff("[2001:db8:9::1]:5000")})
	}
	throttled(t, e.do(req{target: "/login", peer: "[fd00::2]:8080", header: xff("2001:db8:9::abcd")}), false)
	if !strings.Contains(e.log.String(), "client=192.0.2.7") || !strings.Contains(e.log.String(), "peer=10.1.2.3:40000") {
		t.Fatalf("the log should name the forwarded client and the proxy:\n%s", e.log)
	}
}

func TestResolveClient(t *testing.T) {
	ps := proxies{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	cases := []struct {
		peer  string
		xff   []string
		proto string
		ip    string
		https bool
	}{
		{"192.0.2.1:1", []string{"198.51.100.1"}, "https", "192.0.2.1", false},
		{"10.0.0.1:1", nil, "", "10.0.0.1", false},
		{"10.0.0.1:1", []string{"198.51.100.1"}, "https", "198.51.100.1", true},
		{"10.0.0.1:1", []string{"198.51.100.1"}, "http", "198.51.100.1", false},
		{"10.0.0.1:1", []string{"1.1.1.1, 198.51.100.1", "10.0.0.2"}, "", "198.51.100.1", false},
		{"10.0.0.1:1", []string{"10.0.0.3, 10.0.0.2"}, "", "10.0.0.3", false},
		{"10.0.0.1:1", []string{"1.1.1.1, garbage, 10.0.0.2"}, "", "10.0.0.2", false},
		{"10.0.0.1:1", []string{"unknown"}, "", "10.0.0.1", false},
		{"10.0.0.1:1", []string{"198.51.100.1:8443"}, "HTTPS", "198.51.100.1", true},
		{"10.0.0.1:1", nil, "http, https", "10.0.0.1", true},
		{"[::1]:1", []string{"[2001:db8::5]:80"}, "", "2001:db8::5", false},
		{"[::ffff:10.0.0.1]:1", []string{"::ffff:198.51.100.2"}, "", "198.51.100.2", false},
	}
	for _, c := range cases {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.peer
		for _, v := range c.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		if c.proto != "" {
			r.Header.Set("X-Forwarded-Proto", c.proto)
		}
		got := ps.resolve(r)
		if got.ip.String() != c.ip || got.https != c.https {
			t.Errorf("peer %s XFF %q proto %q: client %s https %v, want %s %v", c.peer, c.xff, c.proto, got.ip, got.https, c.ip, c.https)
		}
	}
}

func TestParseTrustedProxy(t *testing.T) {
	for in, want := range map[string]string{
		"10.0.0.0/8": "10.0.0.0/8", "10.1.2.3/8": "10.0.0.0/8", "127.0.0.1": "127.0.0.1/32", "::1": "::1/128",
		"fd00::/8": "fd00::/8", " 192.168.0.0/16 ": "192.168.0.0/16", "::ffff:10.0.0.0/104": "10.0.0.0/8",
	} {
		p, err := ParseTrustedProxy(in)
		if err != nil || p.String() != want {
			t.Errorf("ParseTrustedProxy(%q) = %v, %v; want %s", in, p, err, want)
		}
	}
	for _, in := range []string{"", "localhost", "10.0.0.0/33", "10.0.0/8", "::ffff:0.0.0.0/90"} {
		if p, err := ParseTrustedProxy(in); err == nil {
			t.Errorf("ParseTrustedProxy(%q) = %v, want an error", in, p)
		}
	}
}

func TestRateLimitMemoryIsBounded(t *testing.T) {
	clock := newFakeClock()
	const maxKeys = 10_000
	rl := newRateLimiter(Limits{IP: Rate{PerSecond: 1, Burst: 5}, MaxKeys: maxKeys}, clock.Now)
	h := withClient(nil, rl.middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})))
	peer := func(i int) string { return fmt.Sprintf("[2001:db8:%x:%x::1]:1", i>>16, i&0xffff) }

	// A known client has spent its burst.
	const victim = "198.51.100.1:1"
	serve := func(remote string) int {
		r := httptest.NewRequest("GET", "/login", nil)
		r.RemoteAddr = remote
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	for range 5 {
		serve(victim)
	}
	if serve(victim) != 429 {
		t.Fatal("the victim's burst is not spent")
	}
	// 100,000 distinct addresses (distinct /64s) in no time at all.
	for i := range 100_000 {
		if code := serve(peer(i)); code != 200 {
			t.Fatalf("address %d refused (%d)", i, code)
		}
		if n := rl.ip.len(); n > maxKeys {
			t.Fatalf("%d buckets after %d addresses; the cap is %d", n, i+1, maxKeys)
		}
	}
	// Quiet again: once buckets have refilled, the next sweep drops them all.
	clock.Advance(sweepEvery)
	serve("192.0.2.200:1")
	if n := rl.ip.len(); n != 1 {
		t.Fatalf("%d buckets after the idle sweep, want 1", n)
	}
}

func TestBucketRefillAndSweepKeepsDrainedBuckets(t *testing.T) {
	clock := newFakeClock()
	bs := newBuckets(Rate{PerSecond: 2, Burst: 2}, 100)
	now := clock.Now()
	for range 2 {
		if _, ok := bs.take("a", now); !ok {
			t.Fatal("burst refused")
		}
	}
	wait, ok := bs.take("a", now)
	if ok || wait != 500*time.Millisecond {
		t.Fatalf("third take: ok %v wait %v", ok, wait)
	}
	// A sweep must keep a drained bucket: dropping it would hand out a new burst.
	bs.sweep(now.Add(100 * time.Millisecond))
	if _, ok := bs.take("a", now.Add(100*time.Millisecond)); ok {
		t.Fatal("the sweep forgot a drained bucket")
	}
	if _, ok := bs.take("a", now.Add(500*time.Millisecond)); !ok {
		t.Fatal("no refill after 0.5 s at 2/s")
	}
	// A clock step backwards refills nothing.
	if _, ok := bs.take("a", now.Add(-time.Hour)); ok {
		t.Fatal("a backwards clock refilled the bucket")
	}
}

func TestSecureCookiesFollowTheTrustedScheme(t *testing.T) {
	e := newLimitEnv(t, Options{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}})
	https := map[string]string{"X-Forwarded-Proto": "https"}
	cases := []struct {
		name   string
		r      req
		secure bool
	}{
		{"plain HTTP", req{peer: "192.0.2.1:1"}, false},
		{"forged X-Forwarded-Proto from an untrusted peer", req{peer: "192.0.2.1:1", header: https}, false},
		{"X-Forwarded-Proto: https from a trusted proxy", req{peer: "10.0.0.5:1", header: https}, true},
		{"X-Forwarded-Proto: http from a trusted proxy", req{peer: "10.0.0.5:1", header: map[string]string{"X-Forwarded-Proto": "http"}}, false},
	}
	for _, c := range cases {
		ck := e.signIn(userA, c.r)
		if ck.Secure != c.secure || !ck.HttpOnly {
			t.Errorf("%s: session cookie Secure=%v HttpOnly=%v, want Secure=%v", c.name, ck.Secure, ck.HttpOnly, c.secure)
		}
		res := e.do(req{target: "/login", peer: c.r.peer, header: c.r.header})
		if hsts := res.Header.Get("Strict-Transport-Security"); (hsts != "") != c.secure {
			t.Errorf("%s: Strict-Transport-Security %q", c.name, hsts)
		}
	}
}
