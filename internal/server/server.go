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
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/personapal/personapal/internal/api"
	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/web"
)

// Pinger reports whether the database answers.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Handler is the assembled server.
type Handler struct {
	http.Handler
	API huma.API
}

// Options are the deployment settings of the handler. The zero value
// limits no rates and trusts no proxy.
type Options struct {
	// Limits are the per-token, per-session and per-address request rates.
	Limits Limits
	// TrustedProxies are the peers whose X-Forwarded-For and
	// X-Forwarded-Proto headers are believed (see ParseTrustedProxy).
	TrustedProxies []netip.Prefix
	// Clock is the rate limiter's time source; nil means time.Now.
	Clock func() time.Time
}

// New builds the HTTP handler over svc: the JSON API under /api, the web
// application everywhere else. db is pinged by /healthz. It limits no rates
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
	webApp, err := web.New(svc, log)
	if err != nil {
		return nil, err
	}
	webApp.Register(mux)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		if err := db.Ping(ctx); err != nil {
			log.ErrorContext(ctx, "health check failed", "err", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			_ = json.NewEncoder(w).Encode(map[string]string{"status": "unavailable"})
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]string{"status": "ok"})
	})
	var h http.Handler = mux
	if opts.Limits.on() {
		now := opts.Clock
		if now == nil {
			now = time.Now
		}
		h = newRateLimiter(opts.Limits, now).middleware(h)
	}
	h = withClient(proxies(opts.TrustedProxies), recoverer(log, logRequests(log, securityHeaders(withClientInfo(h)))))
	return &Handler{Handler: h, API: humaAPI}, nil
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
				w.Header().Set("Content-Type", "application/problem+json")
				w.WriteHeader(http.StatusInternalServerError)
				_, _ = w.Write([]byte(`{"title":"Internal Server Error","status":500,"detail":"internal error; it has been logged"}`))
			}
		}()
		next.ServeHTTP(w, r)
	})
}
