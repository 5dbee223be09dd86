package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/server"
)

// probeCounter is a database whose readiness the test decides, counting
// the probes.
type probeCounter struct {
	probes atomic.Int64
	mu     sync.Mutex
	err    error
}

func (p *probeCounter) Ping(context.Context) error { return nil }

func (p *probeCounter) Ready(context.Context) error {
	p.probes.Add(1)
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

// /healthz and /healthz/live never ask the database; /healthz/ready does,
// at most once a second however many ask (the health checks are not rate
// limited, and the probe is a write transaction), and answers 503 with
// Retry-After and the reason while the database is not ready.
func TestReadinessProbesTheDatabaseAtMostOnceASecond(t *testing.T) {
	svc, _, _ := demoServer(t)
	db := &probeCounter{}
	var clock sync.Mutex
	now := time.Now()
	h, err := server.NewWithOptions(svc, db, slog.New(slog.NewTextHandler(io.Discard, nil)),
		server.Options{Clock: func() time.Time { clock.Lock(); defer clock.Unlock(); return now }})
	if err != nil {
		t.Fatal(err)
	}
	later := func(d time.Duration) { clock.Lock(); now = now.Add(d); clock.Unlock() }
	get := func(path string) (int, http.Header, map[string]string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		var body map[string]string
		_ = json.Unmarshal(rec.Body.Bytes(), &body)
		return rec.Code, rec.Header(), body
	}
	for range 50 {
		if st, _, _ := get("/healthz"); st != 200 {
			t.Fatalf("/healthz: %d", st)
		}
		if st, _, _ := get("/healthz/live"); st != 200 {
			t.Fatalf("/healthz/live: %d", st)
		}
	}
	if n := db.probes.Load(); n != 0 {
		t.Fatalf("liveness probed the database %d times", n)
	}
	var wg sync.WaitGroup
	for range 100 {
		wg.Go(func() {
			if st, _, _ := get("/healthz/ready"); st != 200 {
				t.Errorf("ready: %d", st)
			}
		})
	}
	wg.Wait()
	if n := db.probes.Load(); n != 1 {
		t.Fatalf("100 readiness checks within a second probed %d times, want 1", n)
	}
	db.mu.Lock()
	db.err = &persona.Error{Code: persona.CodeStorageFull, Message: "the database's storage is full"}
	db.mu.Unlock()
	if st, _, _ := get("/healthz/ready"); st != 200 {
		t.Fatalf("within the second the answer is kept: %d", st)
	}
	later(time.Second)
	st, hdr, body := get("/healthz/ready")
	if st != 503 || hdr.Get("Retry-After") == "" || body["status"] != "storage_full" || body["detail"] == "" {
		t.Fatalf("not ready: %d %v %v", st, hdr, body)
	}
	if n := db.probes.Load(); n != 2 {
		t.Fatalf("%d probes, want 2", n)
	}
	db.mu.Lock()
	db.err = errors.New("some driver's own failure")
	db.mu.Unlock()
	later(time.Second)
	if st, _, body := get("/healthz/ready"); st != 503 || body["status"] != "unavailable" || body["detail"] == "some driver's own failure" {
		t.Fatalf("an unclassified failure: %d %v", st, body)
	}
}
