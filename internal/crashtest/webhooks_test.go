package crashtest

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/store"
)

// A webhook delivery across a crash: the server's worker is sending an
// event while the receiver holds the request unanswered, the server is
// killed with SIGKILL, and after a restart the same event (same
// webhook-id, a valid signature checked here without internal/webhook)
// reaches the receiver and the delivery is marked delivered.
func TestWebhookSurvivesSIGKILLMidDelivery(t *testing.T) {
	bin := buildBinary(t)
	dbPath := filepath.Join(t.TempDir(), "hooks.db")

	var mu sync.Mutex
	var got []struct {
		id       string
		signedOK bool
	}
	hold := make(chan struct{})
	first := make(chan struct{}, 1)
	var secret string
	rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		key, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
		mac := hmac.New(sha256.New, key)
		mac.Write([]byte(r.Header.Get("webhook-id") + "." + r.Header.Get("webhook-timestamp") + "."))
		mac.Write(body)
		ok := r.Header.Get("webhook-signature") == "v1,"+base64.StdEncoding.EncodeToString(mac.Sum(nil))
		got = append(got, struct {
			id       string
			signedOK bool
		}{r.Header.Get("webhook-id"), ok})
		n := len(got)
		mu.Unlock()
		if n == 1 {
			first <- struct{}{}
			select { // the first attempt never gets an answer
			case <-hold:
			case <-r.Context().Done():
			}
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer rc.Close()
	defer close(hold)

	a := startHookServer(t, bin, dbPath)
	db, err := store.Open(t.Context(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc := app.New(db, app.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))), app.WithWebhooksAllowPrivate(true),
		app.WithPasswordHasher(app.PasswordHasher{Time: 1, Memory: 64, Threads: 1}))
	ctx := context.Background()
	u, err := svc.CreateUser(ctx, "crash@example.com", "Crash", "a-long-password-for-crash")
	if err != nil {
		t.Fatal(err)
	}
	owner := app.Actor{UserID: u.ID, Email: u.Email}
	if _, err := svc.CreateOrg(ctx, owner, "Crash", "crash"); err != nil {
		t.Fatal(err)
	}
	ep, err := svc.CreateWebhook(ctx, owner, "crash", app.WebhookInput{URL: rc.URL + "/in", EventTypes: []string{"persona.created"}, Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	secret = ep.Secret
	mu.Unlock()
	// The change: a new persona, whose persona.created delivery is queued
	// in the same transaction.
	g, err := svc.CreateGroup(ctx, owner, "crash", app.GroupInput{Name: "Nurses"})
	if err != nil {
		t.Fatal(err)
	}
	ts, err := svc.ListTemplates(ctx, owner, "crash")
	if err != nil {
		t.Fatal(err)
	}
	var tmpl string
	for _, tm := range ts {
		if tm.ProfileType == persona.ProfileUX {
			tmpl = tm.ID
		}
	}
	if _, err := svc.CreatePersona(ctx, owner, "crash", app.PersonaInput{Name: "Held", GroupID: g.ID, TemplateID: tmpl,
		Status: persona.StatusDraft, Values: persona.Values{"role_title": "Nurse"}}); err != nil {
		t.Fatal(err)
	}
	ds, err := svc.ListWebhookDeliveries(ctx, owner, "crash", ep.ID, 10)
	if err != nil || len(ds) != 1 {
		t.Fatalf("deliveries %v %v", ds, err)
	}
	id := ds[0].ID

	select {
	case <-first:
	case <-time.After(mailWait):
		t.Fatalf("the first attempt never reached the receiver; server log:\n%s", a.logs())
	}
	a.kill(t)

	b := startHookServer(t, bin, dbPath)
	deadline := time.Now().Add(mailWait)
	var d persona.WebhookDelivery
	for {
		if d, err = db.WebhookDelivery(ctx, mustOrg(t, db), id); err != nil {
			t.Fatal(err)
		}
		if d.Status == persona.DeliveryDelivered {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s the delivery is %s (%d attempts, %q); server log:\n%s", mailWait, d.Status, d.Attempts, d.LastError, b.logs())
		}
		time.Sleep(200 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) < 2 {
		t.Fatalf("the receiver got %d requests, want the held one and the one after restart", len(got))
	}
	for _, g := range got {
		if g.id != id || !g.signedOK {
			t.Errorf("request with webhook-id %q (want %q), signature ok %v", g.id, id, g.signedOK)
		}
	}
	if d.LastStatus != http.StatusNoContent {
		t.Errorf("delivered with status %d", d.LastStatus)
	}
}

func mustOrg(t *testing.T, db *store.DB) string {
	t.Helper()
	org, err := db.OrgBySlug(context.Background(), "crash")
	if err != nil {
		t.Fatal(err)
	}
	return org.ID
}

// startHookServer runs `personapal serve` with private webhook addresses
// allowed (the receiver is on 127.0.0.1) and a short rescue time.
func startHookServer(t *testing.T, bin, db string) *mailServer {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--db", db, "--addr", "127.0.0.1:0", "--webhooks-allow-private",
		"--base-url", "https://pp.example.test", "--queue-job-timeout", "3s", "--queue-rescue-after", "4s", "--queue-poll", "200ms")
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
