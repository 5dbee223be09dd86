package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// Presence (app/presence.go): the persona page and its edit form open a
// Server-Sent Events stream (static/app-presence.js) that records the
// page as a presence row while it is open and pushes the list of the
// other people on the persona whenever it changes. The list is read from
// the database every presencePoll, so people served by different
// instances see each other; only the bounds below live in memory.

const (
	presencePoll = 2 * time.Second
	presencePing = 15 * time.Second
	// presenceWriteWait bounds one event's write (the server's
	// WriteTimeout would otherwise cut the stream after a minute).
	presenceWriteWait = 10 * time.Second
	// Streams an instance holds at once, in all and per person (a person
	// with many tabs open).
	presenceMaxStreams = 2000
	presenceMaxPerUser = 8
)

func (h *Handler) presenceRoutes() {
	// Not a page: an event stream (the page walk lists it in notPages).
	h.org("GET /o/{org}/personas/{id}/presence", h.presenceStream)
}

// presenceHub bounds an instance's streams and ends them at shutdown. The
// zero value is ready.
type presenceHub struct {
	mu      sync.Mutex
	total   int
	perUser map[string]int
	stop    chan struct{}
	stopped bool
}

func (p *presenceHub) done() <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stop == nil {
		p.stop = make(chan struct{})
	}
	return p.stop
}

func (p *presenceHub) acquire(userID string) (release func(), err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped {
		return nil, persona.Errorf(persona.CodeUnavailable, "The server is restarting.")
	}
	if p.total >= presenceMaxStreams || p.perUser[userID] >= presenceMaxPerUser {
		return nil, persona.Errorf(persona.CodeTooMany, "Too many pages are open at once.")
	}
	if p.perUser == nil {
		p.perUser = map[string]int{}
	}
	p.total++
	p.perUser[userID]++
	return func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.total--
		if p.perUser[userID]--; p.perUser[userID] == 0 {
			delete(p.perUser, userID)
		}
	}, nil
}

// StopStreams ends every open presence stream and refuses new ones; the
// server calls it when it shuts down (http.Server.RegisterOnShutdown), so
// a graceful stop does not wait for pages that never close. Browsers
// reconnect to another instance.
func (h *Handler) StopStreams() {
	p := &h.presence
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stop == nil {
		p.stop = make(chan struct{})
	}
	if !p.stopped {
		p.stopped = true
		close(p.stop)
	}
}

// presenceEvent is what a stream sends: the people and one sentence.
type presenceEvent struct {
	Text   string           `json:"text"`
	People []presencePerson `json:"people"`
}

type presencePerson struct {
	Name     string `json:"name"`
	Initials string `json:"initials"`
	Mode     string `json:"mode"`
}

func (h *Handler) presenceStream(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	mode := persona.PresenceMode(r.URL.Query().Get("mode"))
	if mode == "" {
		mode = persona.PresenceViewing
	}
	release, err := h.presence.acquire(c.Actor.UserID)
	if err != nil {
		return err
	}
	defer release()
	ctx := r.Context()
	// ?variant= names a customer variant of the persona (its page or form).
	conn, err := h.svc.JoinPresenceOn(ctx, c.Actor, c.Org.Slug, r.PathValue("id"), r.URL.Query().Get("variant"), mode)
	if err != nil {
		return err
	}
	defer func() {
		// The request's context is done by now; leaving must still happen.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		if err := conn.Leave(ctx); err != nil {
			h.log.WarnContext(ctx, "leaving presence", "err", err)
		}
	}()

	hd := w.Header()
	hd.Set("Content-Type", "text/event-stream")
	hd.Set("X-Accel-Buffering", "no") // nginx: pass each event on
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	send := func(b []byte) error {
		if err := rc.SetWriteDeadline(time.Now().Add(presenceWriteWait)); err != nil && err != http.ErrNotSupported {
			return err
		}
		if _, err := w.Write(b); err != nil {
			return err
		}
		return rc.Flush()
	}
	// The first bytes go out at once: the browser knows the stream is open.
	if err := send([]byte("retry: 3000\n\n")); err != nil {
		return nil
	}

	poll := time.NewTicker(presencePoll)
	defer poll.Stop()
	ping := time.NewTicker(presencePing)
	defer ping.Stop()
	refresh := time.NewTicker(app.PresenceRefresh)
	defer refresh.Stop()
	stop := h.presence.done()
	var last []byte
	push := func() error {
		others, err := conn.Others(ctx)
		if err != nil {
			return err
		}
		b, err := json.Marshal(presenceEventOf(others, conn.OnVariant()))
		if err != nil {
			return err
		}
		if last != nil && bytes.Equal(b, last) {
			return nil
		}
		last = b
		return send(fmt.Appendf(nil, "event: presence\ndata: %s\n\n", b))
	}
	if err := push(); err != nil {
		return h.streamEnd(ctx, err)
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-stop:
			return nil
		case <-poll.C:
			if err := push(); err != nil {
				return h.streamEnd(ctx, err)
			}
		case <-refresh.C:
			if err := conn.Refresh(ctx); err != nil {
				return h.streamEnd(ctx, err)
			}
		case <-ping.C:
			if err := send([]byte(": ping\n\n")); err != nil {
				return nil
			}
		}
	}
}

// streamEnd logs why a stream stopped unless the client went away; once
// the stream has started there is no error page to send.
func (h *Handler) streamEnd(ctx context.Context, err error) error {
	if ctx.Err() == nil {
		h.log.WarnContext(ctx, "presence stream ended", "err", err)
	}
	return nil
}

func presenceEventOf(others []persona.Present, variant bool) presenceEvent {
	ev := presenceEvent{People: []presencePerson{}}
	var editing, viewing []string
	for _, p := range others {
		ev.People = append(ev.People, presencePerson{Name: p.Name, Initials: initials(p.Name), Mode: string(p.Mode)})
		if p.Mode == persona.PresenceEditing {
			editing = append(editing, p.Name)
		} else {
			viewing = append(viewing, p.Name)
		}
	}
	what := "this persona"
	if variant {
		what = "this variant"
	}
	ev.Text = presenceText(editing, viewing, what)
	return ev
}

// presenceText says who is there in one sentence: "Ana Lopez is editing
// this persona", "Ana Lopez and 2 others are viewing this persona", or both
// ("…; Ben Ng is viewing it").
func presenceText(editing, viewing []string, subject string) string {
	var parts []string
	if len(editing) > 0 {
		parts = append(parts, people(editing)+" "+verb(len(editing), "editing")+" "+subject)
	}
	if len(viewing) > 0 {
		what := subject
		if len(parts) > 0 {
			what = "it"
		}
		parts = append(parts, people(viewing)+" "+verb(len(viewing), "viewing")+" "+what)
	}
	if len(parts) == 0 {
		return ""
	}
	return strings.Join(parts, "; ") + "."
}

func people(names []string) string {
	switch len(names) {
	case 1:
		return names[0]
	case 2:
		return names[0] + " and " + names[1]
	}
	return fmt.Sprintf("%s and %d others", names[0], len(names)-1)
}

func verb(n int, ing string) string {
	if n == 1 {
		return "is " + ing
	}
	return "are " + ing
}
