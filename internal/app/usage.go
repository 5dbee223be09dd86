package app

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

// Usage answers the shelfware question: which personas are opened, and
// which are referenced by other work. Views are counted per member, persona
// and day (at most one each), aggregated; who viewed what is never shown.

// ViewKind is what a recorded view was.
type ViewKind string

const (
	// ViewPersona: the persona page, one of its variants' pages, or the
	// persona read through the JSON API in a browser session.
	ViewPersona ViewKind = "view"
	// ViewCompare: the persona was in a comparison someone opened
	// (comparisons are not stored, so opening one is the reference).
	ViewCompare ViewKind = "compare"
)

// View is one member's view of a persona on a day ("2006-01-02", UTC).
type View struct {
	PersonaID, UserID, Day string
	Kind                   ViewKind
}

// Reference kinds in a usage report, in the order shown. Adding a kind is
// one entry here and one query in the store's usageReferences.
const (
	RefCompare   = "compare"
	RefLaunchpad = "launchpad"
	RefAlignment = "alignment"
	RefEvidence  = "evidence"
	RefComment   = "comment"
)

// ReferenceKinds lists the reference kinds with their labels.
var ReferenceKinds = []struct{ Key, Label string }{
	{RefCompare, "Comparisons"},
	{RefLaunchpad, "Launchpads"},
	{RefAlignment, "Alignment links"},
	{RefEvidence, "Evidence links"},
	{RefComment, "Comments"},
}

// PersonaUsage is one live persona's usage since a day.
type PersonaUsage struct {
	PersonaID   string              `json:"persona_id"`
	Name        string              `json:"name"`
	GroupID     string              `json:"group_id"`
	ProfileType persona.ProfileType `json:"profile_type"`
	// Viewers is how many members viewed it; Views counts member-days.
	Viewers int `json:"viewers"`
	Views   int `json:"views"`
	// LastViewed is the last day it was viewed ever ("" never).
	LastViewed string         `json:"last_viewed,omitempty"`
	References map[string]int `json:"references"`
}

// UsageReport is an organisation's usage over the last Days days.
type UsageReport struct {
	Days     int            `json:"days"`
	Since    string         `json:"since"`
	Personas []PersonaUsage `json:"personas"`
}

type usageStore interface {
	// RecordViews stores views of the organisation's personas; a view
	// already stored (same member, persona, day and kind) is ignored.
	RecordViews(ctx context.Context, orgID string, views []View) error
	// PersonaViewers counts the members who viewed the persona on or after
	// the day.
	PersonaViewers(ctx context.Context, orgID, personaID, since string) (int, error)
	// UsageReport returns every live persona of the organisation with its
	// views since the day and its references, by name.
	UsageReport(ctx context.Context, orgID, since string) ([]PersonaUsage, error)
}

// UsageWindows are the report's windows in days.
var UsageWindows = []int{30, 90}

func usageDay(t time.Time) string { return t.UTC().Format("2006-01-02") }

// sinceDay is the first day of a window of days ending today.
func (s *Service) sinceDay(days int) string {
	return usageDay(s.now().AddDate(0, 0, -(days - 1)))
}

// PersonaViewers counts the members who viewed a persona in the last 30
// days (for "Viewed by 12 people in the last 30 days").
func (s *Service) PersonaViewers(ctx context.Context, actor Actor, slug, personaID string) (int, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return 0, err
	}
	return s.usage.viewers(ctx, s, org.ID, personaID)
}

// Usage returns the organisation's usage report over the last days (30 or
// 90). Any member may read it: it holds only counts, and showing a viewer
// which personas nobody opens is the point.
func (s *Service) Usage(ctx context.Context, actor Actor, slug string, days int) (UsageReport, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return UsageReport{}, err
	}
	if days != 30 && days != 90 {
		return UsageReport{}, persona.Invalid("invalid window", []persona.FieldError{{Field: "days", Message: "must be 30 or 90"}})
	}
	rep := UsageReport{Days: days, Since: s.sinceDay(days)}
	rep.Personas, err = s.store.UsageReport(ctx, org.ID, rep.Since)
	return rep, err
}

// PersonaUsage returns one persona's usage over the last days (30 or 90);
// a persona that is not the organisation's (or in the trash) is not found.
// It reads the organisation's report: the references are counted per
// organisation in a few grouped queries, cheaper than one set per persona.
func (s *Service) PersonaUsage(ctx context.Context, actor Actor, slug, personaID string, days int) (UsageReport, PersonaUsage, error) {
	rep, err := s.Usage(ctx, actor, slug, days)
	if err != nil {
		return rep, PersonaUsage{}, err
	}
	for _, u := range rep.Personas {
		if u.PersonaID == personaID {
			rep.Personas = nil
			return rep, u, nil
		}
	}
	return rep, PersonaUsage{}, persona.Errorf(persona.CodeNotFound, "Persona not found.")
}

// RecordView notes that the actor viewed a persona of the organisation; call
// it only after the actor read the persona (the read did the authorisation
// and orgID comes from it). It never blocks on the database and never
// fails: the first view of the day per member and persona is queued and
// written by a background goroutine in batches; later ones stop at an
// in-memory set. API tokens are not counted (see docs/usage.md).
func (s *Service) RecordView(actor Actor, orgID, personaID string, kind ViewKind) {
	if actor.UserID == "" || actor.TokenID != "" || actor.System || orgID == "" || personaID == "" {
		return
	}
	s.usage.record(s, viewKey{orgID, View{PersonaID: personaID, UserID: actor.UserID, Day: usageDay(s.now()), Kind: kind}})
}

// SetUsageRecording turns usage on or off (on by default). Off, views are
// neither recorded nor counted on the persona page: the page as it was
// before usage existed, so the load harness measures the feature's whole
// cost by running the same pages both ways in one run.
func (s *Service) SetUsageRecording(on bool) { s.usage.off.Store(!on) }

// UsageRecording reports whether usage is on (SetUsageRecording).
func (s *Service) UsageRecording() bool { return !s.usage.off.Load() }

// FlushUsage writes the views queued so far and returns when they are
// stored (at shutdown, and in tests before they count).
func (s *Service) FlushUsage(ctx context.Context) {
	s.usage.start(s)
	done := make(chan struct{})
	select {
	case s.usage.flush <- done:
	case <-ctx.Done():
		return
	}
	select {
	case <-done:
	case <-ctx.Done():
	}
}

type viewKey struct {
	orgID string
	View
}

// usageRecorder buffers views off the request path. The seen set is only
// an optimisation (a view already queued today is not queued again);
// correctness is the table's key, so several instances stay right. A view
// still in the buffer when the process crashes is lost: acceptable for a
// usage count.
type usageRecorder struct {
	off   atomic.Bool
	once  sync.Once
	mu    sync.Mutex
	day   string
	seen  map[viewKey]struct{}
	queue chan viewKey
	flush chan chan struct{}

	// counts caches the persona page's viewer counts (viewers): the
	// count is a range read of a month of rows, which the load harness
	// measured as a visible share of the page. An entry is dropped when
	// this instance writes a view of the persona, and lives viewersTTL
	// at most (views written by other instances show up by then).
	cmu    sync.Mutex
	counts map[[2]string]viewerCount
}

type viewerCount struct {
	n     int
	since string // the window's first day it was counted for
	at    time.Time
}

const (
	viewersTTL = 5 * time.Minute
	// viewersMax bounds the cache; when full it starts again empty.
	viewersMax = 20000
)

// viewers counts a persona's viewers in the last 30 days, from the cache
// when it is fresh.
func (u *usageRecorder) viewers(ctx context.Context, s *Service, orgID, personaID string) (int, error) {
	key, since, now := [2]string{orgID, personaID}, s.sinceDay(30), time.Now()
	u.cmu.Lock()
	c, ok := u.counts[key]
	u.cmu.Unlock()
	if ok && c.since == since && now.Sub(c.at) < viewersTTL {
		return c.n, nil
	}
	n, err := s.store.PersonaViewers(ctx, orgID, personaID, since)
	if err != nil {
		return 0, err
	}
	u.cmu.Lock()
	if u.counts == nil || len(u.counts) >= viewersMax {
		u.counts = map[[2]string]viewerCount{}
	}
	u.counts[key] = viewerCount{n: n, since: since, at: now}
	u.cmu.Unlock()
	return n, nil
}

// stale drops the cached counts of the personas just written.
func (u *usageRecorder) stale(orgID string, views []View) {
	u.cmu.Lock()
	for _, v := range views {
		delete(u.counts, [2]string{orgID, v.PersonaID})
	}
	u.cmu.Unlock()
}

// usageBuffer is how many views may wait; when it is full a view is
// dropped (and logged) rather than slowing the page.
const usageBuffer = 4096

func newUsageRecorder() *usageRecorder {
	return &usageRecorder{queue: make(chan viewKey, usageBuffer), flush: make(chan chan struct{})}
}

func (u *usageRecorder) start(s *Service) { u.once.Do(func() { go u.drain(s) }) }

func (u *usageRecorder) record(s *Service, k viewKey) {
	if u.off.Load() {
		return
	}
	u.mu.Lock()
	if u.day != k.Day || u.seen == nil {
		u.day, u.seen = k.Day, map[viewKey]struct{}{}
	}
	if _, ok := u.seen[k]; ok {
		u.mu.Unlock()
		return
	}
	u.seen[k] = struct{}{}
	u.mu.Unlock()
	u.start(s)
	select {
	case u.queue <- k:
	default:
		u.forget(k)
		s.log.Warn("usage: view dropped, the buffer is full", "org", k.orgID, "persona", k.PersonaID)
	}
}

// forget lets a view that was not stored be queued again by a later view.
func (u *usageRecorder) forget(k viewKey) {
	u.mu.Lock()
	delete(u.seen, k)
	u.mu.Unlock()
}

// drain writes queued views in batches: whatever is waiting when it wakes,
// grouped by organisation.
func (u *usageRecorder) drain(s *Service) {
	for {
		var batch []viewKey
		var reply chan struct{}
		select {
		case k := <-u.queue:
			batch = append(batch, k)
		case reply = <-u.flush:
		}
	more:
		for len(batch) < 500 {
			select {
			case k := <-u.queue:
				batch = append(batch, k)
			default:
				break more
			}
		}
		u.write(s, batch)
		if reply != nil {
			close(reply)
		}
	}
}

func (u *usageRecorder) write(s *Service, batch []viewKey) {
	if len(batch) == 0 {
		return
	}
	byOrg := map[string][]View{}
	for _, k := range batch {
		byOrg[k.orgID] = append(byOrg[k.orgID], k.View)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for orgID, views := range byOrg {
		err := s.store.RecordViews(ctx, orgID, views)
		u.stale(orgID, views)
		if err != nil {
			s.log.Error("usage: recording views", "org", orgID, "views", len(views), "err", err)
			for _, v := range views {
				u.forget(viewKey{orgID, v})
			}
		}
	}
}
