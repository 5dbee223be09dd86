// Package server assembles Persona Pal's HTTP handler: the JSON API, health
// check and the middleware every request passes through.
package server

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/netip"
	"runtime/debug"
	"sync"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/personapal/personapal/internal/api"
	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/fault"
	"github.com/personapal/personapal/internal/mcpserver"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/web"
)

// Pinger reports whether the database answers. A Pinger that also has
// Ready(ctx) error (store.DB) is asked that for /healthz/ready.
type Pinger interface {
	Ping(ctx context.Context) error
}

type readier interface {
	Ready(ctx context.Context) error
}

// registerHealth adds the health checks. /healthz and /healthz/live say
// the process is alive and serving (they touch nothing else: a load
// balancer or supervisor restarting an instance whose database is down
// would not help). /healthz/ready says the database is reachable and
// takes writes now (store.DB.Ready: a rolled-back write that must find
// room); it answers 503 with Retry-After and the reason otherwise, so a
// load balancer sends no traffic to an instance whose writes would fail.
//
// The health checks are not rate limited, so the readiness answer is kept
// for a second: however many ask, the database sees at most one probe (a
// write transaction) a second.
func registerHealth(mux *http.ServeMux, db Pinger, log *slog.Logger, now func() time.Time) {
	alive := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_ = json.NewEncoder(w).Encode(map[string]string{"status": "ok"})
	}
	mux.HandleFunc("GET /healthz", alive)
	mux.HandleFunc("GET /healthz/live", alive)
	check := db.Ping
	if rd, ok := db.(readier); ok {
		check = rd.Ready
	}
	ready := &readiness{now: now, check: check}
	mux.HandleFunc("GET /healthz/ready", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		err := ready.get(r.Context())
		if err == nil {
			_ = json.NewEncoder(w).Encode(map[string]string{"status": "ok"})
			return
		}
		k, msg := fault.Of(err)
		if k.Code != persona.CodeUnavailable && k.Code != persona.CodeStorageFull {
			// Ready answers in those two; anything else (a Pinger's own
			// error) is logged here and called unavailable.
			log.ErrorContext(r.Context(), "readiness check failed", "err", err)
			k = fault.For(persona.CodeUnavailable)
			msg = k.Message
		}
		w.Header().Set("Retry-After", k.RetryAfterHeader())
		w.WriteHeader(http.StatusServiceUnavailable)
		_ = json.NewEncoder(w).Encode(map[string]string{"status": string(k.Code), "detail": msg})
	})
}

// readiness runs the readiness check at most once a second.
type readiness struct {
	mu    sync.Mutex
	now   func() time.Time
	check func(context.Context) error
	at    time.Time
	err   error
}

func (c *readiness) get(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.at.IsZero() && c.now().Sub(c.at) < time.Second {
		return c.err
	}
	// Not the caller's context: its answer is everyone's for a second.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	c.err, c.at = c.check(ctx), c.now()
	return c.err
}

// Handler is the assembled server.
type Handler struct {
	http.Handler
	API huma.API
	web *web.Handler
}

// StopStreams ends the web application's open event streams (presence):
// register it with http.Server.RegisterOnShutdown, so that a graceful
// stop does not wait for them.
func (h *Handler) StopStreams() { h.web.StopStreams() }

// Options are the deployment settings of the handler. The zero value
// limits no rates and trusts no proxy.
type Options struct {
	// Limits are the per-token, per-session and per-address request rates.
	Limits Limits
	// TrustedProxies are the peers whose X-Forwarded-For and
	// X-Forwarded-Proto headers are believed (see ParseTrustedProxy).
	TrustedProxies []netip.Prefix
	// Clock is the rate limiter's and the readiness check's time source;
	// nil means time.Now.
	Clock func() time.Time
	// Web configures the web application (web.WithSSO).
	Web []web.Option
}

// New builds the HTTP handler over svc: the JSON API under /api, MCP for AI
// assistants at /mcp, the web application everywhere else. db is pinged by /healthz. It limits no rates
// and trusts no proxy (NewWithOptions does).
//
// extra registers more routes behind the same middleware (the load
// harness's baseline handler).
func New(svc *app.Service, db Pinger, log *slog.Logger, extra ...func(*http.ServeMux)) (*Handler, error) {
	return NewWithOptions(svc, db, log, Options{}, extra...)
}

// NewWithOptions is New with rate limits and trusted proxies.
func NewWithOptions(svc *app.Service, db Pinger, log *slog.Logger, opts Options, extra ...func(*http.ServeMux)) (*Handler, error) {
	mux := http.NewServeMux()
	for _, register := range extra {
		register(mux)
	}
	humaAPI := api.Register(mux, svc, log)
	webApp, err := web.New(svc, log, opts.Web...)
	if err != nil {
		return nil, err
	}
	webApp.Register(mux)
	// AI assistants: MCP over streamable HTTP, with the API's tokens.
	mux.Handle(mcpserver.Path, mcpserver.New(svc, log).Handler())
	now := opts.Clock
	if now == nil {
		now = time.Now
	}
	registerHealth(mux, db, log, now)
	var h http.Handler = mux
	if opts.Limits.on() {
		h = newRateLimiter(opts.Limits, now).middleware(h)
	}
	h = compress(notModified(h)) // notmodified.go
	h = withClient(proxies(opts.TrustedProxies), recoverer(log, logRequests(log, securityHeaders(withClientInfo(h)))))
	return &Handler{Handler: h, API: humaAPI, web: webApp}, nil
}

// withClientInfo hands the application the client's address (as resolved
// through trusted proxies) and User-Agent, for the security log.
func withClientInfo(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := app.ClientInfo{UserAgent: r.UserAgent()}
		if ip := clientOf(r).ip; ip.IsValid() {
			c.Address = ip.String()
		}
		next.ServeHTTP(w, r.WithContext(app.WithClientInfo(r.Context(), c)))
	})
}

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		if overHTTPS(r) {
			// A year, this host only: sibling subdomains are not ours to pin.
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += n
	return n, err
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// logRequests logs each request with its server time, at debug level for
// successes and info for client and server errors.
func logRequests(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		level := slog.LevelDebug
		if rec.status >= 400 {
			level = slog.LevelInfo
		}
		if !log.Enabled(r.Context(), level) {
			return
		}
		attrs := []any{"method", r.Method, "path", r.URL.Path, "status", rec.status,
			"bytes", rec.bytes, "duration_ms", float64(time.Since(start).Microseconds()) / 1000}
		if c := clientOf(r); c.ip.IsValid() {
			attrs = append(attrs, "client", c.ip.String())
			if c.viaProxy {
				attrs = append(attrs, "peer", r.RemoteAddr)
			}
		}
		log.Log(r.Context(), level, "request", attrs...)
	})
}

// recoverer turns a panic into a logged 500 problem instead of a dropped
// connection.
func recoverer(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if err, ok := v.(error); ok && errors.Is(err, http.ErrAbortHandler) {
					panic(v)
				}
				log.ErrorContext(r.Context(), "panic", "value", v, "stack", string(debug.Stack()))
				k := fault.For(persona.CodeInternal)
				w.Header().Set("Content-Type", "application/problem+json")
				w.WriteHeader(k.Status)
				_ = json.NewEncoder(w).Encode(map[string]any{"type": k.Type, "title": k.Title, "status": k.Status, "detail": k.Message})
			}
		}()
		next.ServeHTTP(w, r)
	})
}
