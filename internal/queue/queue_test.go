package queue_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/mail"
	"github.com/personapal/personapal/internal/mailtest"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/queue"
	"github.com/personapal/personapal/internal/store"
	"github.com/personapal/personapal/internal/store/storetest"
)

const wait = 60 * time.Second

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func service(t *testing.T, db *store.DB, base string) *app.Service {
	t.Helper()
	u, err := mail.ParseBaseURL(base)
	if err != nil {
		t.Fatal(err)
	}
	return app.New(db, app.WithLogger(quiet()), app.WithBaseURL(u))
}

func smtpSender(t *testing.T, srv *mailtest.Server) *mail.SMTP {
	t.Helper()
	return smtpSenderTimeout(t, srv, 0)
}

func smtpSenderTimeout(t *testing.T, srv *mailtest.Server, timeout time.Duration) *mail.SMTP {
	t.Helper()
	cfg, err := mail.ParseSMTPURL(srv.URL())
	cfg.Timeout = timeout
	if err != nil {
		t.Fatal(err)
	}
	if srv.CAFile != "" {
		if cfg.RootCAs, err = mail.LoadRootCAs(srv.CAFile); err != nil {
			t.Fatal(err)
		}
	}
	cfg.From = "Persona Pal <pp@example.test>"
	s, err := mail.NewSMTP(cfg, quiet())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func startQueue(t *testing.T, db *store.DB, svc *app.Service, cfg queue.Config) *queue.Queue {
	t.Helper()
	if cfg.Log == nil {
		cfg.Log = quiet()
	}
	if cfg.PollInterval == 0 {
		cfg.PollInterval = 100 * time.Millisecond
	}
	q, err := queue.New(db, svc, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, scancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer scancel()
		if err := q.Stop(sctx); err != nil {
			t.Errorf("stop: %v", err)
		}
		cancel()
	})
	return q
}

// waitStatus waits until the outbox message has the status.
func waitStatus(t *testing.T, svc *app.Service, id string, want persona.MessageStatus, cond func(persona.OutboxMessage) bool) persona.OutboxMessage {
	t.Helper()
	deadline := time.Now().Add(wait)
	var m persona.OutboxMessage
	for time.Now().Before(deadline) {
		var err error
		m, err = svc.OutboxMessage(context.Background(), app.System, id)
		if err != nil {
			t.Fatal(err)
		}
		if m.Status == want && (cond == nil || cond(m)) {
			return m
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("message %s: status %s, attempts %d, last error %q; waited for %s", id, m.Status, m.Attempts, m.LastError, want)
	return m
}

// Mail goes out through a real SMTP server over STARTTLS with AUTH
// PLAIN: HTML and plain text, the Message-ID of the outbox, every link on
// the base URL; once accepted, the outbox marks it sent and drops its
// bodies (the links in it are secrets).
func TestMailIsDeliveredOverSMTPWithSTARTTLSAndAuth(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			db := e.Open(t)
			svc := service(t, db, "https://pp.example.test/team")
			srv := mailtest.Start(t, mailtest.Options{STARTTLS: true, Username: "pp", Password: "s3cret pass"})
			startQueue(t, db, svc, queue.Config{Sender: smtpSender(t, srv)})

			id, err := svc.QueueTestMessage(t.Context(), app.System, "Ops@Example.com")
			if err != nil {
				t.Fatal(err)
			}
			got := srv.WaitFor(t, "ops@example.com", wait)
			if !got.TLS || !got.Auth {
				t.Errorf("TLS %v, auth %v: want both", got.TLS, got.Auth)
			}
			if got.From != "pp@example.test" || got.Subject != "Test message from Persona Pal" {
				t.Errorf("from %q, subject %q", got.From, got.Subject)
			}
			if link := mailtest.FirstLink(got); link != "https://pp.example.test/team/" {
				t.Errorf("link %q, want the base URL", link)
			}
			if !strings.Contains(got.HTML, `href="https://pp.example.test/team/"`) || !strings.Contains(got.HTML, "e-mail works") {
				t.Errorf("HTML part:\n%s", got.HTML)
			}
			if !strings.Contains(got.Text, "e-mail works") || strings.Contains(got.Text, "<p") {
				t.Errorf("text part:\n%s", got.Text)
			}
			m := waitStatus(t, svc, id, persona.MessageSent, nil)
			if got.MessageID != m.MessageID || !strings.HasSuffix(m.MessageID, "@pp.example.test>") {
				t.Errorf("Message-ID %q, outbox %q", got.MessageID, m.MessageID)
			}
			if m.Text != "" || m.HTML != "" || len(m.Links) != 0 || m.Attempts != 1 || m.SentAt == nil {
				t.Errorf("after sending the outbox keeps %+v", m)
			}
			if n := len(srv.Messages()); n != 1 {
				t.Errorf("%d messages delivered, want 1", n)
			}
		})
	}
}

// Without SMTP a message goes to the log — one line with the recipient,
// the subject and the link — and stays whole on the outbox.
func TestWithoutSMTPMessagesAreLoggedAndKept(t *testing.T) {
	db := storetest.OpenSQLite(t)
	svc := service(t, db, "https://pp.example.test")
	var (
		mu   sync.Mutex
		logs bytes.Buffer
	)
	log := slog.New(slog.NewTextHandler(lockedWriter{&mu, &logs}, nil))
	startQueue(t, db, svc, queue.Config{Log: log})
	id, err := svc.QueueTestMessage(t.Context(), app.System, "self-hoster@example.com")
	if err != nil {
		t.Fatal(err)
	}
	m := waitStatus(t, svc, id, persona.MessageLogged, nil)
	if !strings.Contains(m.Text, "https://pp.example.test/") || m.HTML == "" || len(m.Links) != 1 {
		t.Errorf("the logged message lost its text: %+v", m)
	}
	mu.Lock()
	defer mu.Unlock()
	var line string
	for l := range strings.SplitSeq(logs.String(), "\n") {
		if strings.Contains(l, "no SMTP server") {
			line = l
		}
	}
	for _, want := range []string{"to=self-hoster@example.com", `subject="Test message from Persona Pal"`, "links=https://pp.example.test/"} {
		if !strings.Contains(line, want) {
			t.Errorf("log line %q lacks %q", line, want)
		}
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// A server that says "try later" gets the message again after a back-off
// (river's default policy: the job is scheduled later than it ran), and
// the outbox shows the attempt and its error meanwhile; one that refuses
// the recipient for good fails the message at once; one that is down is
// retried with the connection error shown.
func TestFailingSMTPIsRetriedWithBackoff(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			db := e.Open(t)
			svc := service(t, db, "https://pp.example.test")
			srv := mailtest.Start(t, mailtest.Options{})
			startQueue(t, db, svc, queue.Config{Sender: smtpSender(t, srv)})
			ctx := t.Context()

			srv.RejectRecipients(1, 451)
			id, err := svc.QueueTestMessage(ctx, app.System, "later@example.com")
			if err != nil {
				t.Fatal(err)
			}
			m := waitStatus(t, svc, id, persona.MessageRetrying, nil)
			if m.Attempts != 1 || !strings.Contains(m.LastError, "451") {
				t.Errorf("after a refusal: attempts %d, error %q", m.Attempts, m.LastError)
			}
			// River records the failure just after the outbox does: wait
			// for the job to be scheduled again, then compare the times.
			var (
				attempted, scheduled time.Time
				state                string
			)
			for deadline := time.Now().Add(wait); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
				row := db.SQL().QueryRowContext(ctx, `SELECT state, attempted_at, scheduled_at FROM river_job WHERE kind = 'send_message'`)
				if err := row.Scan(&state, timeScan{&attempted}, timeScan{&scheduled}); err != nil {
					t.Fatal(err)
				}
				if state != "running" {
					break
				}
			}
			if state != "retryable" && state != "available" {
				t.Fatalf("after a refusal the job is %s, want retryable", state)
			}
			if !scheduled.After(attempted.Add(500 * time.Millisecond)) {
				t.Errorf("job scheduled at %v after an attempt at %v: no back-off", scheduled, attempted)
			}
			m = waitStatus(t, svc, id, persona.MessageSent, nil)
			if m.Attempts != 2 || len(srv.Messages()) != 1 {
				t.Errorf("sent after %d attempts, %d delivered; want 2 and 1", m.Attempts, len(srv.Messages()))
			}

			srv.RejectRecipients(1, 550)
			id, err = svc.QueueTestMessage(ctx, app.System, "nobody@example.com")
			if err != nil {
				t.Fatal(err)
			}
			m = waitStatus(t, svc, id, persona.MessageFailed, nil)
			if m.Attempts != 1 || !strings.Contains(m.LastError, "550") {
				t.Errorf("refused for good: attempts %d, error %q", m.Attempts, m.LastError)
			}

			srv.Close()
			id, err = svc.QueueTestMessage(ctx, app.System, "down@example.com")
			if err != nil {
				t.Fatal(err)
			}
			m = waitStatus(t, svc, id, persona.MessageRetrying, nil)
			if !strings.Contains(m.LastError, "connect to 127.0.0.1") {
				t.Errorf("server down: error %q", m.LastError)
			}
			out, err := svc.ListOutbox(ctx, app.System, persona.OutboxFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if out.Counts[persona.MessageSent] != 1 || out.Counts[persona.MessageFailed] != 1 || out.Counts[persona.MessageRetrying] != 1 {
				t.Errorf("outbox counts %v", out.Counts)
			}
		})
	}
}

// Two instances (two connection pools, two river clients) over one
// database send each of many messages exactly once.
func TestTwoInstancesSendEachMessageOnce(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			dsn := e.DSN(t)
			srv := mailtest.Start(t, mailtest.Options{})
			var svcs []*app.Service
			for range 2 {
				db := storetest.OpenDSN(t, dsn)
				svc := service(t, db, "https://pp.example.test")
				startQueue(t, db, svc, queue.Config{Sender: smtpSender(t, srv), Workers: 3})
				svcs = append(svcs, svc)
			}
			const n = 30
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					if _, err := svcs[i%2].QueueTestMessage(context.Background(), app.System, "many@example.com"); err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
			srv.WaitUntil(t, wait, "30 messages", func(s *mailtest.Server) bool { return len(s.Messages()) >= n })
			out, err := svcs[0].ListOutbox(t.Context(), app.System, persona.OutboxFilter{})
			if err != nil {
				t.Fatal(err)
			}
			for out.Counts[persona.MessageSent] < n {
				time.Sleep(50 * time.Millisecond)
				out, _ = svcs[0].ListOutbox(t.Context(), app.System, persona.OutboxFilter{})
			}
			seen := map[string]int{}
			for _, m := range srv.Messages() {
				seen[m.MessageID]++
			}
			if len(seen) != n || len(srv.Messages()) != n {
				t.Fatalf("%d messages delivered with %d Message-IDs, want %d each once", len(srv.Messages()), len(seen), n)
			}
		})
	}
}

// timeScan reads a timestamp the way either engine returns it.
type timeScan struct{ t *time.Time }

func (s timeScan) Scan(src any) error {
	switch v := src.(type) {
	case time.Time:
		*s.t = v
	case string:
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999"} {
			if t, err := time.Parse(layout, v); err == nil {
				*s.t = t
				return nil
			}
		}
	}
	return nil
}

// smtps:// speaks TLS from the first byte, with authentication.
func TestMailIsDeliveredOverImplicitTLS(t *testing.T) {
	db := storetest.OpenSQLite(t)
	svc := service(t, db, "https://pp.example.test")
	srv := mailtest.Start(t, mailtest.Options{ImplicitTLS: true, Username: "pp", Password: "tls-secret"})
	if !strings.HasPrefix(srv.URL(), "smtps://") {
		t.Fatalf("URL %s", srv.URL())
	}
	startQueue(t, db, svc, queue.Config{Sender: smtpSender(t, srv)})
	id, err := svc.QueueTestMessage(t.Context(), app.System, "tls@example.com")
	if err != nil {
		t.Fatal(err)
	}
	got := srv.WaitFor(t, "tls@example.com", wait)
	if !got.TLS || !got.Auth {
		t.Errorf("TLS %v, auth %v", got.TLS, got.Auth)
	}
	waitStatus(t, svc, id, persona.MessageSent, nil)
}

// An attempt ends with its job's time: a server that never answers has
// its connection closed, the attempt is recorded as failed and tried
// again — it cannot still be talking when the job is rescued. (The SMTP
// steps' own timeout is set far beyond the test's patience here, so only
// the job's time can end the attempt.)
func TestAnAttemptEndsWithItsJobTimeout(t *testing.T) {
	db := storetest.OpenSQLite(t)
	svc := service(t, db, "https://pp.example.test")
	srv := mailtest.Start(t, mailtest.Options{})
	srv.Hold()
	startQueue(t, db, svc, queue.Config{Sender: smtpSenderTimeout(t, srv, time.Hour), JobTimeout: time.Second, RescueAfter: 2 * time.Hour})
	id, err := svc.QueueTestMessage(t.Context(), app.System, "slow@example.com")
	if err != nil {
		t.Fatal(err)
	}
	m := waitStatus(t, svc, id, persona.MessageRetrying, nil)
	if m.Attempts != 1 || m.LastError == "" {
		t.Errorf("after the timeout: attempts %d, error %q", m.Attempts, m.LastError)
	}
	srv.Release()
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("%d messages delivered by an attempt that timed out", n)
	}
}

// Stop is graceful: a message being sent when the instance stops is
// finished (delivered and marked sent) before Stop returns.
func TestStopLetsARunningSendFinish(t *testing.T) {
	db := storetest.OpenSQLite(t)
	svc := service(t, db, "https://pp.example.test")
	srv := mailtest.Start(t, mailtest.Options{})
	srv.Hold()
	q, err := queue.New(db, svc, queue.Config{Sender: smtpSender(t, srv), PollInterval: 100 * time.Millisecond, Log: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	id, err := svc.QueueTestMessage(t.Context(), app.System, "stop@example.com")
	if err != nil {
		t.Fatal(err)
	}
	srv.WaitUntil(t, wait, "the send to be under way", func(s *mailtest.Server) bool { return s.Held() == 1 })
	stopped := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		stopped <- q.Stop(ctx)
	}()
	srv.Release()
	if err := <-stopped; err != nil {
		t.Fatalf("stop: %v", err)
	}
	m, err := svc.OutboxMessage(t.Context(), app.System, id)
	if err != nil {
		t.Fatal(err)
	}
	if m.Status != persona.MessageSent || len(srv.Messages()) != 1 {
		t.Errorf("after stopping: %s, %d delivered; want sent, 1", m.Status, len(srv.Messages()))
	}
}
