package web_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// sseEvent is one presence event read off a stream.
type sseEvent struct {
	Text   string `json:"text"`
	People []struct {
		Name, Initials, Mode string
	} `json:"people"`
}

// stream is an open presence stream, its events on a channel.
type stream struct {
	res    *http.Response
	events chan sseEvent
	cancel context.CancelFunc
	done   chan struct{}
}

// notAStream is openStream's status for a 200 answer that is a page.
const notAStream = -1

// openStream opens the presence stream as b (its cookies), asking for gzip
// to prove the stream is not compressed (and so not buffered).
func (b *browser) openStream(t *testing.T, path string) (*stream, int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.e.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Accept-Encoding", "gzip")
	res, err := b.client.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK {
		res.Body.Close()
		cancel()
		return nil, res.StatusCode
	}
	if ct := res.Header.Get("Content-Type"); ct != "text/event-stream" {
		res.Body.Close() // a page (the sign-in form after a redirect)
		cancel()
		return nil, notAStream
	}
	if ce := res.Header.Get("Content-Encoding"); ce != "" {
		t.Fatalf("the stream is compressed (%s): its events would wait in the compressor", ce)
	}
	s := &stream{res: res, events: make(chan sseEvent, 16), cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		defer close(s.events)
		sc := bufio.NewScanner(res.Body)
		var event, data string
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if event == "presence" {
					var ev sseEvent
					if json.Unmarshal([]byte(data), &ev) == nil {
						s.events <- ev
					}
				}
				event, data = "", ""
			case strings.HasPrefix(line, "event: "):
				event = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				data += strings.TrimPrefix(line, "data: ")
			}
		}
	}()
	t.Cleanup(s.close)
	return s, http.StatusOK
}

func (s *stream) close() {
	s.cancel()
	s.res.Body.Close()
	<-s.done
}

// next waits for an event that satisfies ok, failing after a while with
// what was seen.
func (s *stream) next(t *testing.T, what string, ok func(sseEvent) bool) sseEvent {
	t.Helper()
	deadline := time.After(10 * time.Second)
	var seen []sseEvent
	for {
		select {
		case ev, open := <-s.events:
			if !open {
				t.Fatalf("%s: the stream ended; saw %+v", what, seen)
			}
			if ok(ev) {
				return ev
			}
			seen = append(seen, ev)
		case <-deadline:
			t.Fatalf("%s: no such event within 10 s; saw %+v", what, seen)
		}
	}
}

// presenceEnv is webEnv on a server with a short write timeout (a stream
// must outlive it) whose handler's streams stop at shutdown.
func presenceEnv(t *testing.T, writeTimeout time.Duration) (*webEnv, *httptest.Server) {
	t.Helper()
	ctx := context.Background()
	svc, _, h, creds := seeded(t)
	srv := httptest.NewUnstartedServer(h)
	srv.Config.WriteTimeout = writeTimeout
	srv.Config.RegisterOnShutdown(h.(interface{ StopStreams() }).StopStreams)
	srv.Start()
	t.Cleanup(srv.Close)
	e := &webEnv{t: t, srv: srv, svc: svc, org: creds.OrgSlug, owner: account{creds.Email, creds.Password}}
	e.viewer = account{"viewer@example.com", "viewer-password-1"}
	if _, err := svc.CreateUser(ctx, e.viewer.Email, "Vera Viewer", e.viewer.Password); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AddMember(ctx, app.System, e.org, e.viewer.Email, persona.RoleViewer); err != nil {
		t.Fatal(err)
	}
	e.outsider = account{"outsider@example.com", "outsider-password-1"}
	out, err := svc.CreateUser(ctx, e.outsider.Email, "Otto Outsider", e.outsider.Password)
	if err != nil {
		t.Fatal(err)
	}
	other, err := svc.CreateOrg(ctx, app.Actor{UserID: out.ID}, "Other Corp", "other-corp")
	if err != nil {
		t.Fatal(err)
	}
	e.otherOrg = other.Slug
	return e, srv
}

// Two people on one persona: the viewer's stream names the owner as
// editing when the owner opens the form, and empties when the owner's
// form closes — across a write timeout shorter than the wait. Outsiders
// and viewers who claim to edit get no stream.
func TestPresenceStreamNamesTheOthers(t *testing.T) {
	e, _ := presenceEnv(t, 2*time.Second)
	lead := e.demoPersona("System Lead")
	path := "/o/" + e.org + "/personas/" + lead.ID + "/presence"

	vera := e.signedIn(e.viewer)
	a, status := vera.openStream(t, path+"?mode=viewing")
	if status != http.StatusOK {
		t.Fatalf("the viewer's stream: %d", status)
	}
	a.next(t, "the first event (nobody else)", func(ev sseEvent) bool { return len(ev.People) == 0 && ev.Text == "" })

	// Past the write timeout: the stream is still open.
	time.Sleep(2500 * time.Millisecond)
	dana := e.signedIn(e.owner)
	b, status := dana.openStream(t, path+"?mode=editing")
	if status != http.StatusOK {
		t.Fatalf("the owner's stream: %d", status)
	}
	ev := a.next(t, "Dana editing", func(ev sseEvent) bool { return len(ev.People) == 1 })
	if ev.People[0].Name != "Dana Demo" || ev.People[0].Mode != "editing" || ev.People[0].Initials != "DD" || ev.Text != "Dana Demo is editing this persona." {
		t.Fatalf("the viewer saw %+v", ev)
	}
	// And Dana sees Vera viewing (nobody sees themselves).
	ev = b.next(t, "Vera viewing", func(ev sseEvent) bool { return len(ev.People) == 1 })
	if ev.People[0].Name != "Vera Viewer" || ev.Text != "Vera Viewer is viewing this persona." {
		t.Fatalf("the owner saw %+v", ev)
	}

	b.close()
	a.next(t, "the empty list after Dana left", func(ev sseEvent) bool { return len(ev.People) == 0 && ev.Text == "" })

	// Outsiders: 404 with the organisation's slug, and with their own.
	otto := e.signedIn(e.outsider)
	for _, p := range []string{path, "/o/" + e.otherOrg + "/personas/" + lead.ID + "/presence"} {
		if _, status := otto.openStream(t, p); status != http.StatusNotFound {
			t.Errorf("outsider on %s: %d, want 404", p, status)
		}
	}
	// A viewer has no edit form to announce; a made-up mode is refused.
	if _, status := vera.openStream(t, path+"?mode=editing"); status != http.StatusForbidden {
		t.Errorf("a viewer claiming to edit: %d, want 403", status)
	}
	if _, status := vera.openStream(t, path+"?mode=lurking"); status != http.StatusBadRequest && status != http.StatusUnprocessableEntity {
		t.Errorf("mode=lurking: %d, want 400/422", status)
	}
	// Signed out: no stream.
	if _, status := e.browser().openStream(t, path); status != notAStream {
		t.Errorf("signed out: %d, want the sign-in page", status)
	}
}

// A graceful shutdown ends the open streams instead of waiting for them.
func TestPresenceStreamsEndAtShutdown(t *testing.T) {
	e, srv := presenceEnv(t, time.Minute)
	lead := e.demoPersona("System Lead")
	path := "/o/" + e.org + "/personas/" + lead.ID + "/presence"
	var streams []*stream
	for _, a := range []account{e.owner, e.viewer} {
		s, status := e.signedIn(a).openStream(t, path)
		if status != http.StatusOK {
			t.Fatalf("stream: %d", status)
		}
		s.next(t, "the first event", func(sseEvent) bool { return true })
		streams = append(streams, s)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	if err := srv.Config.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown with open streams: %v after %s", err, time.Since(start))
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("shutdown took %s", d)
	}
	for _, s := range streams {
		select {
		case <-s.done:
		case <-time.After(5 * time.Second):
			t.Fatal("a stream stayed open after shutdown")
		}
	}
}
