package queue_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/queue"
	"github.com/personapal/personapal/internal/store"
	"github.com/personapal/personapal/internal/store/storetest"
	"github.com/personapal/personapal/internal/webhook"
)

// received is one request a receiver got, its signature checked.
type received struct {
	ID, Type, PersonaID string
	Body                []byte
	SignatureOK         bool
	Status              int // what the receiver answered
}

// receiver is a real HTTP webhook receiver. It verifies the Standard
// Webhooks signature on its own (HMAC-SHA256 of "id.timestamp.body" keyed
// with the base64 bytes after "whsec_"; internal/webhook is not used) and
// answers with the status answer returns (200 by default).
type receiver struct {
	srv    *httptest.Server
	mu     sync.Mutex
	secret string
	got    []received
	answer func(n int, r received) int
}

func newReceiver(t *testing.T) *receiver {
	t.Helper()
	rc := &receiver{}
	rc.srv = httptest.NewServer(http.HandlerFunc(rc.serve))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	secret := rc.secret
	rc.mu.Unlock()
	got := received{ID: r.Header.Get("webhook-id"), Body: body,
		SignatureOK: verifySignature(secret, r.Header, body, time.Now())}
	var ev struct {
		Type string `json:"type"`
		Data struct {
			PersonaID string `json:"persona_id"`
		} `json:"data"`
	}
	_ = json.Unmarshal(body, &ev)
	got.Type, got.PersonaID = ev.Type, ev.Data.PersonaID
	rc.mu.Lock()
	got.Status = http.StatusOK
	if rc.answer != nil {
		got.Status = rc.answer(len(rc.got), got)
	}
	status := got.Status
	rc.got = append(rc.got, got)
	rc.mu.Unlock()
	w.WriteHeader(status)
	fmt.Fprintf(w, "receiver says %d", status)
}

func (rc *receiver) all() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

// verifySignature checks headers per the Standard Webhooks specification:
// the timestamp within five minutes of now and one of the space-separated
// "v1,<base64>" signatures equal to the expected HMAC.
func verifySignature(secret string, h http.Header, body []byte, now time.Time) bool {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil || len(key) == 0 {
		return false
	}
	id, ts := h.Get("webhook-id"), h.Get("webhook-timestamp")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || id == "" {
		return false
	}
	if d := now.Sub(time.Unix(sec, 0)); d > 5*time.Minute || d < -5*time.Minute {
		return false
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + ts + "."))
	mac.Write(body)
	want := mac.Sum(nil)
	for _, sig := range strings.Fields(h.Get("webhook-signature")) {
		v, b64, ok := strings.Cut(sig, ",")
		if !ok || v != "v1" {
			continue
		}
		if got, err := base64.StdEncoding.DecodeString(b64); err == nil && hmac.Equal(got, want) {
			return true
		}
	}
	return false
}

// hookOrg is an organisation with an owner, a template and an endpoint
// pointing at a receiver.
type hookOrg struct {
	svc      *app.Service
	owner    app.Actor
	slug     string
	template string
	group    string
	endpoint persona.WebhookEndpoint
}

func newHookOrg(t *testing.T, db *store.DB, rc *receiver, types ...string) hookOrg {
	t.Helper()
	ctx := t.Context()
	svc := app.New(db, app.WithLogger(quiet()), app.WithWebhooksAllowPrivate(true),
		app.WithPasswordHasher(app.PasswordHasher{Time: 1, Memory: 64, Threads: 1}))
	u, err := svc.CreateUser(ctx, "hooks@example.com", "Hooks", "a-long-password-for-hooks")
	if err != nil {
		t.Fatal(err)
	}
	h := hookOrg{svc: svc, owner: app.Actor{UserID: u.ID, Email: u.Email, Name: u.Name}, slug: "hooks"}
	if _, err := svc.CreateOrg(ctx, h.owner, "Hooks", h.slug); err != nil {
		t.Fatal(err)
	}
	ts, err := svc.ListTemplates(ctx, h.owner, h.slug)
	if err != nil || len(ts) == 0 {
		t.Fatalf("templates: %v", err)
	}
	for _, tm := range ts {
		if tm.ProfileType == persona.ProfileUX {
			h.template = tm.ID
		}
	}
	g, err := svc.CreateGroup(ctx, h.owner, h.slug, app.GroupInput{Name: "Nurses"})
	if err != nil {
		t.Fatal(err)
	}
	h.group = g.ID
	if len(types) == 0 {
		types = app.WebhookEventTypes()
	}
	h.endpoint, err = svc.CreateWebhook(ctx, h.owner, h.slug, app.WebhookInput{URL: rc.srv.URL + "/hooks", EventTypes: types, Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	rc.mu.Lock()
	rc.secret = h.endpoint.Secret
	rc.mu.Unlock()
	return h
}

func (h hookOrg) persona(t *testing.T, name string) persona.Persona {
	t.Helper()
	in := h.input(name)
	in.TemplateID = h.template
	p, err := h.svc.CreatePersona(t.Context(), h.owner, h.slug, in)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (h hookOrg) input(name string) app.PersonaInput {
	return app.PersonaInput{Name: name, GroupID: h.group, Status: persona.StatusDraft, Values: persona.Values{"role_title": "Nurse"}}
}

func (h hookOrg) update(t *testing.T, p persona.Persona, name string) {
	t.Helper()
	if _, err := h.svc.UpdatePersona(t.Context(), h.owner, h.slug, p.ID, p.Revision, h.input(name)); err != nil {
		t.Fatal(err)
	}
}

// waitFor polls cond until it holds or the wait is over.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", wait, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Every change on a persona, a comment on it and a review reach a real
// receiver, signed, once each and in the order they were made per persona
// (the receiver fails the first request of each persona's first event, so
// the later ones must wait for its retry).
func TestWebhooksReachAReceiverSignedAndInOrderPerPersona(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := t.Context()
			db := e.Open(t)
			rc := newReceiver(t)
			h := newHookOrg(t, db, rc)
			var failedOnce sync.Map
			rc.answer = func(_ int, r received) int {
				if _, seen := failedOnce.LoadOrStore(r.PersonaID, true); !seen {
					return http.StatusInternalServerError
				}
				return http.StatusOK
			}
			want := map[string][]string{}
			for _, name := range []string{"Nadia", "Omar"} {
				p := h.persona(t, name)
				h.update(t, p, name+" R.")
				if _, err := h.svc.AddComment(ctx, h.owner, h.slug, app.CommentInput{Subject: persona.CommentOnPersona, SubjectID: p.ID, Body: "Is this still true?"}); err != nil {
					t.Fatal(err)
				}
				if _, err := h.svc.MarkReviewed(ctx, h.owner, h.slug, p.ID, "checked with support"); err != nil {
					t.Fatal(err)
				}
				if err := h.svc.TrashPersona(ctx, h.owner, h.slug, p.ID); err != nil {
					t.Fatal(err)
				}
				want[p.ID] = []string{"persona.created", "persona.updated", "comment.created", "persona.reviewed", "persona.deleted"}
			}
			startQueue(t, db, h.svc, queue.Config{WebhooksAllowPrivate: true, WebhookRetryDelays: []time.Duration{200 * time.Millisecond}})

			waitFor(t, "ten deliveries", func() bool {
				ds, err := h.svc.ListWebhookDeliveries(ctx, h.owner, h.slug, h.endpoint.ID, 100)
				if err != nil {
					t.Fatal(err)
				}
				n := 0
				for _, d := range ds {
					if d.Status == persona.DeliveryDelivered {
						n++
					}
				}
				return n == 10
			})
			got := map[string][]string{}
			ok := map[string]int{}
			for _, r := range rc.all() {
				if !r.SignatureOK {
					t.Errorf("delivery %s (%s): the signature does not verify", r.ID, r.Type)
				}
				if r.Status == http.StatusOK {
					ok[r.ID]++
					got[r.PersonaID] = append(got[r.PersonaID], r.Type)
				}
			}
			for pid, w := range want {
				if strings.Join(got[pid], " ") != strings.Join(w, " ") {
					t.Errorf("persona %s: the receiver accepted %v, want %v in this order", pid, got[pid], w)
				}
			}
			for id, n := range ok {
				if n != 1 {
					t.Errorf("delivery %s was accepted %d times", id, n)
				}
			}
		})
	}
}

// A receiver that answers 500 and then 200: the delivery is delivered on
// the second attempt, both attempts logged with their status code,
// response excerpt and time, and the same webhook-id on both.
func TestWebhookIsRetriedWithBackOffAndEveryAttemptLogged(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := t.Context()
			db := e.Open(t)
			rc := newReceiver(t)
			rc.answer = func(n int, _ received) int {
				if n == 0 {
					return http.StatusInternalServerError
				}
				return http.StatusOK
			}
			h := newHookOrg(t, db, rc, "persona.created")
			start := time.Now()
			h.persona(t, "Rita")
			startQueue(t, db, h.svc, queue.Config{WebhooksAllowPrivate: true, WebhookRetryDelays: []time.Duration{700 * time.Millisecond}})
			var d app.WebhookDeliveryView
			waitFor(t, "the delivery", func() bool {
				ds, err := h.svc.ListWebhookDeliveries(ctx, h.owner, h.slug, h.endpoint.ID, 10)
				if err != nil {
					t.Fatal(err)
				}
				if len(ds) == 1 && ds[0].Status == persona.DeliveryDelivered {
					d = ds[0]
					return true
				}
				return false
			})
			if d.Attempts != 2 || len(d.AttemptLog) != 2 {
				t.Fatalf("attempts %d, log %+v; want 2", d.Attempts, d.AttemptLog)
			}
			a1, a2 := d.AttemptLog[0], d.AttemptLog[1]
			if a1.StatusCode != 500 || a1.Response != "receiver says 500" || a1.Error == "" {
				t.Errorf("first attempt %+v, want 500 with the response excerpt", a1)
			}
			if a2.StatusCode != 200 || a2.Response != "receiver says 200" || a2.Error != "" {
				t.Errorf("second attempt %+v, want 200", a2)
			}
			if a1.At.Before(start.Add(-time.Second)) || a2.At.Sub(a1.At) < 600*time.Millisecond {
				t.Errorf("attempts at %s and %s: the second should come after the back-off", a1.At, a2.At)
			}
			got := rc.all()
			if len(got) != 2 || got[0].ID != d.ID || got[1].ID != d.ID || !got[0].SignatureOK || !got[1].SignatureOK {
				t.Errorf("receiver got %+v, want two signed requests with webhook-id %s", got, d.ID)
			}
		})
	}
}

// Without --webhooks-allow-private the client refuses to connect to
// loopback, whatever name the URL uses: "localhost" resolves to 127.0.0.1
// only when the connection is made, and the receiver gets nothing. The
// attempt is logged with the refusal.
func TestWebhookClientRefusesPrivateAddressesWhenConnecting(t *testing.T) {
	rc := newReceiver(t)
	_, port, _ := net.SplitHostPort(rc.srv.Listener.Addr().String())
	c := webhook.NewClient(false)
	for _, u := range []string{rc.srv.URL, "http://localhost:" + port + "/hooks", "http://[::1]:" + port + "/"} {
		_, _, err := c.Send(t.Context(), u, app.NewWebhookSecret(), "msg_1", time.Now(), []byte(`{}`))
		if !errors.Is(err, webhook.ErrRefused) {
			t.Errorf("%s: got %v, want refused", u, err)
		}
	}
	if n := len(rc.all()); n != 0 {
		t.Fatalf("the receiver got %d requests", n)
	}
	// With the flag the same client reaches it.
	if st, _, err := webhook.NewClient(true).Send(t.Context(), rc.srv.URL, app.NewWebhookSecret(), "msg_2", time.Now(), []byte(`{}`)); err != nil || st != 200 {
		t.Fatalf("allowed: %d %v", st, err)
	}

	// Through the queue: an endpoint registered while the flag was on is
	// refused by a worker without it, and the attempt says so.
	db := storetest.OpenSQLite(t)
	h := newHookOrg(t, db, rc, "persona.created")
	before := len(rc.all())
	h.persona(t, "Sam")
	startQueue(t, db, h.svc, queue.Config{WebhookRetryDelays: []time.Duration{time.Hour}})
	waitFor(t, "a refused attempt", func() bool {
		ds, err := h.svc.ListWebhookDeliveries(t.Context(), h.owner, h.slug, h.endpoint.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		return len(ds) == 1 && len(ds[0].AttemptLog) == 1 && strings.Contains(ds[0].AttemptLog[0].Error, "refused")
	})
	if n := len(rc.all()); n != before {
		t.Fatalf("the receiver got %d requests from a worker without the flag", n-before)
	}
}

// Two instances (two queues, two connection pools) on one PostgreSQL
// database deliver each of many events exactly once.
func TestWebhooksTwoInstancesOnPostgresDeliverEachEventOnce(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	db1 := storetest.OpenDSN(t, dsn)
	db2 := storetest.OpenDSN(t, dsn)
	rc := newReceiver(t)
	h := newHookOrg(t, db1, rc, "persona.created", "persona.updated")
	svc2 := app.New(db2, app.WithLogger(quiet()), app.WithWebhooksAllowPrivate(true))
	startQueue(t, db1, h.svc, queue.Config{ID: "one", WebhooksAllowPrivate: true, WebhookRetryDelays: []time.Duration{100 * time.Millisecond}})
	startQueue(t, db2, svc2, queue.Config{ID: "two", WebhooksAllowPrivate: true, WebhookRetryDelays: []time.Duration{100 * time.Millisecond}})
	const n = 20
	for i := range n {
		p := h.persona(t, fmt.Sprintf("P%02d", i))
		h.update(t, p, p.Name+"!")
	}
	waitFor(t, "every event", func() bool {
		ids := map[string]bool{}
		for _, r := range rc.all() {
			ids[r.ID] = true
		}
		return len(ids) == 2*n
	})
	time.Sleep(2 * time.Second) // time for a duplicate to show
	byID := map[string]int{}
	for _, r := range rc.all() {
		byID[r.ID]++
		if !r.SignatureOK {
			t.Errorf("%s: bad signature", r.ID)
		}
	}
	for id, k := range byID {
		if k != 1 {
			t.Errorf("event %s delivered %d times", id, k)
		}
	}
	if len(byID) != 2*n {
		t.Errorf("%d events delivered, want %d", len(byID), 2*n)
	}
}
