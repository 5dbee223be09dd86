package server_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/demo"
	"github.com/personapal/personapal/internal/seed"
	"github.com/personapal/personapal/internal/server"
	"github.com/personapal/personapal/internal/store"
)

// syncLog is a log sink safe for concurrent writers.
type syncLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *syncLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *syncLog) count(s string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Count(l.buf.String(), s)
}

func (l *syncLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// served is a real HTTP server over db with the demo organisation.
type served struct {
	url, org, token, session string
	log                      *syncLog
	// later moves the server's clock past the readiness check's memory.
	later func()
}

func serveDemo(t *testing.T, db *store.DB) served {
	t.Helper()
	ctx := context.Background()
	logs := &syncLog{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	db.SetLogger(log)
	svc := app.New(db, app.WithLogger(log), app.WithPasswordHasher(cheapHasher))
	creds, err := seed.Demo(ctx, svc, demo.Data())
	if err != nil {
		t.Fatal(err)
	}
	session, _, err := svc.SignIn(ctx, creds.Email, creds.Password, "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	var clock sync.Mutex
	now := time.Now()
	h, err := server.NewWithOptions(svc, db, log, server.Options{Clock: func() time.Time { clock.Lock(); defer clock.Unlock(); return now }})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	later := func() { clock.Lock(); now = now.Add(2 * time.Second); clock.Unlock() }
	return served{url: srv.URL, org: creds.OrgSlug, token: creds.Token, session: session, log: logs, later: later}
}

// call sends one request as the demo owner (token for /api, session
// cookie otherwise).
func (s served) call(method, path string, body any) (int, http.Header, []byte, error) {
	var r io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case url.Values:
		r, ct = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	default:
		j, _ := json.Marshal(b)
		r, ct = bytes.NewReader(j), "application/json"
	}
	req, err := http.NewRequest(method, s.url+path, r)
	if err != nil {
		return 0, nil, nil, err
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if strings.HasPrefix(path, "/api/") {
		req.Header.Set("Authorization", "Bearer "+s.token)
	} else {
		req.AddCookie(&http.Cookie{Name: "pp_session", Value: s.session})
	}
	client := &http.Client{Timeout: time.Minute, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, b, err
}

// privatePostgres runs a PostgreSQL cluster of the test's own (initdb and
// pg_ctl from Debian's PostgreSQL 15, as the postgres user when the test
// runs as root) on a free port, so that it can be restarted without
// disturbing the shared server other tests use. It returns a DSN and a
// function that runs pg_ctl with more arguments.
func privatePostgres(t *testing.T) (string, func(args ...string)) {
	t.Helper()
	bin := "/usr/lib/postgresql/15/bin"
	if _, err := os.Stat(filepath.Join(bin, "pg_ctl")); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL's initdb and pg_ctl are needed (apt-get install postgresql-15): %v", err)
		}
		t.Skipf("no PostgreSQL binaries: %v", err)
	}
	dir, err := os.MkdirTemp("", "personapal-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	command := func(name string, args ...string) *exec.Cmd {
		if os.Geteuid() == 0 {
			return exec.Command("runuser", append([]string{"-u", "postgres", "--", filepath.Join(bin, name)}, args...)...)
		}
		return exec.Command(filepath.Join(bin, name), args...)
	}
	if os.Geteuid() == 0 {
		pg, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("running as root needs the postgres user: %v", err)
		}
		uid, _ := strconv.Atoi(pg.Uid)
		gid, _ := strconv.Atoi(pg.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	run := func(name string, args ...string) {
		t.Helper()
		if out, err := command(name, args...).CombinedOutput(); err != nil {
			t.Fatalf("%s %v: %v\n%s", name, args, err, out)
		}
	}
	data := filepath.Join(dir, "data")
	run("initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60", port, dir)
	pgctl := func(args ...string) {
		t.Helper()
		run("pg_ctl", append([]string{"-D", data, "-l", filepath.Join(dir, "log"), "-w", "-o", opts}, args...)...)
	}
	pgctl("start")
	t.Cleanup(func() { _ = command("pg_ctl", "-D", data, "-m", "immediate", "stop").Run() })
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port), pgctl
}

// PostgreSQL restarted under load: readers and writers on the API and the
// web app keep going while the database restarts (pg_ctl restart -m fast).
// No answer is a 500: every one is a success or a 503 with Retry-After,
// and the server serves again afterwards (readiness included) without a
// restart of its own.
func TestPostgresRestartUnderLoadNeverAnswers500(t *testing.T) {
	dsn, pgctl := privatePostgres(t)
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	s := serveDemo(t, db)

	var (
		ok, unavailable, afterRestart atomic.Int64
		restarted                     atomic.Bool
		mu                            sync.Mutex
		bad                           []string
		stop                          = make(chan struct{})
		wg                            sync.WaitGroup
	)
	record := func(what string, status int, h http.Header, body []byte, err error) {
		switch {
		case err == nil && status >= 200 && status < 400:
			ok.Add(1)
			if restarted.Load() {
				afterRestart.Add(1)
			}
		case err == nil && status == http.StatusServiceUnavailable && h.Get("Retry-After") != "":
			unavailable.Add(1)
		default:
			mu.Lock()
			if len(bad) < 20 {
				bad = append(bad, fmt.Sprintf("%s: %d %v %.300s", what, status, err, body))
			}
			mu.Unlock()
		}
	}
	org := s.org
	work := []func(i int){
		func(int) {
			st, h, b, err := s.call("GET", "/api/v1/orgs/"+org+"/personas?limit=5", nil)
			record("API read", st, h, b, err)
		},
		func(int) {
			st, h, b, err := s.call("GET", "/api/v1/orgs/"+org+"/search?q=bank", nil)
			record("API search", st, h, b, err)
		},
		func(int) {
			st, h, b, err := s.call("GET", "/o/"+org, nil)
			record("web page", st, h, b, err)
		},
		func(i int) {
			st, h, b, err := s.call("POST", "/api/v1/orgs/"+org+"/notes", map[string]string{"body": fmt.Sprintf("API note %d", i)})
			record("API write", st, h, b, err)
		},
		func(i int) {
			st, h, b, err := s.call("POST", "/o/"+org+"/notes", url.Values{"target": {"org"}, "body": {fmt.Sprintf("web note %d", i)}, "back": {"/o/" + org}})
			record("web write", st, h, b, err)
		},
	}
	for _, w := range append(work, work...) {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				w(i)
			}
		})
	}
	waitFor := func(what string, done func() bool) {
		t.Helper()
		deadline := time.Now().Add(2 * time.Minute)
		for !done() {
			if time.Now().After(deadline) {
				close(stop)
				wg.Wait()
				t.Fatalf("%s: %d answered, %d unavailable, after the restart %d; wrong answers: %v", what, ok.Load(), unavailable.Load(), afterRestart.Load(), bad)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	waitFor("load before the restart", func() bool { return ok.Load() >= 200 })
	pgctl("restart", "-m", "fast")
	restarted.Store(true)
	waitFor("serving again after the restart", func() bool { return afterRestart.Load() >= 300 })
	close(stop)
	wg.Wait()
	if len(bad) > 0 {
		t.Fatalf("answers other than success or 503 with Retry-After:\n%s\nlog:\n%s", strings.Join(bad, "\n"), s.log.String())
	}
	s.later()
	st, _, b, err := s.call("GET", "/healthz/ready", nil)
	if err != nil || st != http.StatusOK {
		t.Fatalf("ready after the restart: %d %v %s", st, err, b)
	}
	t.Logf("%d answered (%d after the restart), %d unavailable (503) while PostgreSQL restarted", ok.Load(), afterRestart.Load(), unavailable.Load())
	if n := s.log.count("database unavailable"); n > 2 {
		t.Errorf("the unavailable database was logged %d times, want at most once a minute", n)
	}
}

// A full SQLite database (max_page_count on every connection, as a full
// disk): writes through the API and the web app answer 507 with a message
// that names storage, /healthz/ready fails while /healthz and
// /healthz/live stay up, reads still work, and the store logs it once
// however many writes fail. Once space is freed (by an operator deleting
// data through another connection), writes succeed and ready passes
// again, without a restart.
func TestSQLiteFullDiskAnswers507AndRecovers(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "full.db")
	setup, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := setup.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	// Ballast the operator will delete to free space.
	if _, err := setup.SQL().ExecContext(ctx, `CREATE TABLE ballast (b BLOB)`); err != nil {
		t.Fatal(err)
	}
	for range 64 {
		if _, err := setup.SQL().ExecContext(ctx, `INSERT INTO ballast VALUES (zeroblob(65536))`); err != nil {
			t.Fatal(err)
		}
	}
	var pages int
	if err := setup.SQL().QueryRowContext(ctx, `PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	setup.Close()
	// Room for the demo data and a little more (the demo is about 1.5 MB).
	db, err := store.Open(ctx, fmt.Sprintf("%s?_pragma=max_page_count(%d)", path, pages+1200))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s := serveDemo(t, db)
	api := "/api/v1/orgs/" + s.org

	expect := func(want int, method, path string, body any) []byte {
		t.Helper()
		st, _, b, err := s.call(method, path, body)
		if err != nil || st != want {
			t.Fatalf("%s %s: %d %v, want %d: %.500s", method, path, st, err, want, b)
		}
		return b
	}
	expect(200, "GET", "/healthz/ready", nil)
	note := strings.Repeat("Notes fill the database. ", 800) // 20 KB
	writes := 0
	for {
		st, h, b, err := s.call("POST", api+"/notes", map[string]string{"body": note})
		if err != nil {
			t.Fatal(err)
		}
		if st == http.StatusCreated {
			if writes++; writes > 500 {
				t.Fatal("500 notes and the database is not full")
			}
			continue
		}
		if st != http.StatusInsufficientStorage || h.Get("Retry-After") == "" {
			t.Fatalf("a write into a full database: %d (Retry-After %q): %s\nlog:\n%s", st, h.Get("Retry-After"), b, s.log.String())
		}
		var p struct{ Type, Detail string }
		if err := json.Unmarshal(b, &p); err != nil || p.Type != "/problems/storage-full" || !strings.Contains(p.Detail, "storage is full") {
			t.Fatalf("the problem does not name storage: %s", b)
		}
		break
	}
	if writes == 0 {
		t.Fatal("no room for even one note")
	}
	// More writes as large, API and web, fail the same way.
	for range 3 {
		expect(507, "POST", api+"/notes", map[string]string{"body": note})
	}
	page := expect(507, "POST", "/o/"+s.org+"/notes", url.Values{"target": {"org"}, "body": {note}, "back": {"/o/" + s.org}})
	if !strings.Contains(string(page), "storage is full") {
		t.Fatalf("the web page does not name storage: %.2000s", page)
	}
	// Ready fails, alive stays up, reads work.
	s.later()
	b := expect(503, "GET", "/healthz/ready", nil)
	if !strings.Contains(string(b), `"storage_full"`) {
		t.Fatalf("ready's reason: %s", b)
	}
	expect(200, "GET", "/healthz", nil)
	expect(200, "GET", "/healthz/live", nil)
	expect(200, "GET", api+"/notes", nil)
	expect(200, "GET", "/o/"+s.org, nil)
	if n := s.log.count("database storage is full"); n != 1 {
		t.Fatalf("%d log lines for the full database (5 failed writes and a readiness check within a minute), want 1:\n%s", n, s.log.String())
	}
	if n := s.log.count("internal error"); n != 0 {
		t.Fatalf("internal errors were logged:\n%s", s.log.String())
	}

	// The operator frees space.
	operator, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer operator.Close()
	if _, err := operator.ExecContext(ctx, `DELETE FROM ballast`); err != nil {
		t.Fatal(err)
	}
	s.later()
	expect(200, "GET", "/healthz/ready", nil)
	expect(201, "POST", api+"/notes", map[string]string{"body": note})
	expect(303, "POST", "/o/"+s.org+"/notes", url.Values{"target": {"org"}, "body": {"Space again."}, "back": {"/o/" + s.org}})
}
