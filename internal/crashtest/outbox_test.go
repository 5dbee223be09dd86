package crashtest

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/personapal/personapal/internal/mailtest"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/store"
	"github.com/personapal/personapal/internal/store/storetest"
)

// The outbox across a crash: messages are queued (by the CLI, in their
// own transaction), a server's worker starts sending them over real SMTP
// (STARTTLS, AUTH) while the SMTP server holds the conversation before the
// message is transferred (RCPT TO unanswered), the server is
// killed with SIGKILL mid-send, and after a restart the queue rescues the
// job and every message arrives exactly once — on SQLite with one
// instance, and on PostgreSQL with two instances running side by side.

const mailWait = 3 * time.Minute

// mailServer runs `personapal serve` with SMTP and a short rescue time.
type mailServer struct {
	cmd    *exec.Cmd
	exited chan error
	mu     sync.Mutex
	log    strings.Builder
}

func startMailServer(t *testing.T, bin, db string, srv *mailtest.Server) *mailServer {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--db", db, "--addr", "127.0.0.1:0",
		"--smtp-url", srv.URL(), "--smtp-ca-file", srv.CAFile, "--mail-from", "Persona Pal <pp@example.test>",
		"--base-url", "https://pp.example.test",
		"--queue-job-timeout", "3s", "--queue-rescue-after", "4s", "--queue-poll", "200ms")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &mailServer{cmd: cmd, exited: make(chan error, 1)}
	cmd.Stderr = lockedBuilder{s}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.exited <- cmd.Wait() }()
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "url: ") {
			go func() { _, _ = io.Copy(io.Discard, out) }()
			return s
		}
	}
	t.Fatalf("the server printed no url; its log:\n%s", s.logs())
	return nil
}

type lockedBuilder struct{ s *mailServer }

func (l lockedBuilder) Write(p []byte) (int, error) {
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	return l.s.log.Write(p)
}

func (s *mailServer) logs() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.log.String()
}

func (s *mailServer) kill(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if err := <-s.exited; err == nil {
		t.Fatal("the server exited cleanly; it was to be killed")
	}
}

// queueTest runs `personapal outbox test` and returns the outbox ID.
func queueTest(t *testing.T, bin, db, to string) string {
	t.Helper()
	out, err := exec.Command(bin, "outbox", "test", "--db", db, "--to", to, "--base-url", "https://pp.example.test").CombinedOutput()
	if err != nil {
		t.Fatalf("outbox test: %v\n%s", err, out)
	}
	for l := range strings.SplitSeq(string(out), "\n") {
		if id, ok := strings.CutPrefix(l, "queued: "); ok {
			return strings.TrimSpace(id)
		}
	}
	t.Fatalf("outbox test printed no ID:\n%s", out)
	return ""
}

// waitSent waits until every outbox message is sent, and returns them.
func waitSent(t *testing.T, db *store.DB, ids []string, logs func() string) map[string]persona.OutboxMessage {
	t.Helper()
	out := map[string]persona.OutboxMessage{}
	deadline := time.Now().Add(mailWait)
	for len(out) < len(ids) {
		if time.Now().After(deadline) {
			t.Fatalf("after %s, %d of %d messages are sent; server log:\n%s", mailWait, len(out), len(ids), logs())
		}
		for _, id := range ids {
			m, err := db.OutboxMessage(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			if m.Status == persona.MessageSent {
				out[id] = m
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return out
}

// checkOnce checks that the SMTP server got each message exactly once.
func checkOnce(t *testing.T, srv *mailtest.Server, sent map[string]persona.OutboxMessage) {
	t.Helper()
	byID := map[string]int{}
	for _, m := range srv.Messages() {
		byID[m.MessageID]++
	}
	for id, m := range sent {
		if byID[m.MessageID] != 1 {
			t.Errorf("message %s (%s) delivered %d times, want exactly once", id, m.MessageID, byID[m.MessageID])
		}
	}
	if n := len(srv.Messages()); n != len(sent) {
		t.Errorf("the SMTP server received %d messages, want %d", n, len(sent))
	}
}

func TestOutboxSurvivesSIGKILLAndDeliversOnceSQLite(t *testing.T) {
	bin := buildBinary(t)
	dbPath := filepath.Join(t.TempDir(), "outbox.db")
	srv := mailtest.Start(t, mailtest.Options{STARTTLS: true, Username: "pp", Password: "relay secret"})
	srv.Hold()

	a := startMailServer(t, bin, dbPath, srv)
	id := queueTest(t, bin, dbPath, "crash@example.com")
	srv.WaitUntil(t, mailWait, "the worker to be sending (held at RCPT TO)", func(s *mailtest.Server) bool { return s.Held() == 1 })
	a.kill(t)
	srv.Release()
	srv.WaitUntil(t, mailWait, "the killed sender's session to end", func(s *mailtest.Server) bool { return s.Held() == 0 })
	if n := len(srv.Messages()); n != 0 {
		t.Fatalf("%d messages arrived from the killed server; its send was cut off", n)
	}

	b := startMailServer(t, bin, dbPath, srv)
	db, err := store.Open(t.Context(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sent := waitSent(t, db, []string{id}, b.logs)
	checkOnce(t, srv, sent)
	got := srv.Messages()[0]
	if !got.TLS || !got.Auth || mailtest.FirstLink(got) != "https://pp.example.test/" {
		t.Errorf("delivered with TLS %v, auth %v, link %q", got.TLS, got.Auth, mailtest.FirstLink(got))
	}
	if m := sent[id]; m.Attempts < 2 {
		t.Errorf("sent on attempt %d, want a later one than the killed one", m.Attempts)
	}
}

func TestOutboxSurvivesSIGKILLAndDeliversOnceTwoInstancesPostgres(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	bin := buildBinary(t)
	db := storetest.OpenDSN(t, dsn) // migrated before the instances start
	srv := mailtest.Start(t, mailtest.Options{STARTTLS: true, Username: "pp", Password: "relay secret"})
	srv.Hold()

	first := []*mailServer{startMailServer(t, bin, dsn, srv), startMailServer(t, bin, dsn, srv)}
	const n = 6
	var ids []string
	for i := range n {
		ids = append(ids, queueTest(t, bin, dsn, fmt.Sprintf("crash%d@example.com", i)))
	}
	srv.WaitUntil(t, mailWait, "workers to be sending (held at RCPT TO)", func(s *mailtest.Server) bool { return s.Held() >= 2 })
	for _, s := range first {
		s.kill(t)
	}
	srv.Release()
	srv.WaitUntil(t, mailWait, "the killed senders' sessions to end", func(s *mailtest.Server) bool { return s.Held() == 0 })
	if k := len(srv.Messages()); k != 0 {
		t.Fatalf("%d messages arrived from the killed servers", k)
	}

	second := []*mailServer{startMailServer(t, bin, dsn, srv), startMailServer(t, bin, dsn, srv)}
	sent := waitSent(t, db, ids, func() string { return second[0].logs() + "\n---\n" + second[1].logs() })
	checkOnce(t, srv, sent)
}
