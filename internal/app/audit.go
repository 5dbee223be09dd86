package app

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/personapal/personapal/internal/csvout"
	"github.com/personapal/personapal/internal/persona"
)

// The audit log records every change to an organisation's data: who did
// what to which object, and when. Every use case that changes data runs
// its change through inTx with its entry, so the change and its entry are
// stored in one transaction: never a change without its entry, nor an entry
// for a refused or failed change. Entries are never edited or deleted. Token, password and session events belong to a user rather than
// an organisation: they go to the user's own security log (security.go),
// never here.

// auditStore keeps the append-only audit log.
type auditStore interface {
	AppendAudit(ctx context.Context, e persona.AuditEvent) error
	// ListAudit lists newest first, below the sequence number before.
	ListAudit(ctx context.Context, orgID string, f persona.AuditFilter, before int64, limit int) ([]persona.AuditEvent, error)
	// ListAuditAfter lists oldest first, above the sequence number after.
	ListAuditAfter(ctx context.Context, orgID string, f persona.AuditFilter, after int64, limit int) ([]persona.AuditEvent, error)
}

// maxAuditSummary bounds an entry's summary: it quotes names, claims and
// revision messages, which have their own (larger) limits.
const maxAuditSummary = 500

// entry is the audit entry of actor doing action to an object of org.
func (s *Service) entry(orgID string, actor Actor, action, kind, id, summary string) *persona.AuditEvent {
	if r := []rune(summary); len(r) > maxAuditSummary {
		summary = string(r[:maxAuditSummary-1]) + "…"
	}
	e := persona.AuditEvent{OrgID: orgID, At: s.timestamp(), ActorID: actor.UserID, ActorEmail: actor.Email,
		Action: action, ObjectKind: kind, ObjectID: id, Summary: summary}
	if actor.System {
		e.ActorEmail = "(command line)"
	}
	return &e
}

// inTx is the one way a use case changes data: fn makes the change through
// tx, a store bound to one transaction, and the audit entry e is written in
// the same transaction after fn succeeded. An error from fn or from the
// entry rolls everything back. fn may complete e (a summary known only
// inside the transaction).
func (s *Service) inTx(ctx context.Context, e *persona.AuditEvent, fn func(tx Store) error) error {
	return s.store.InTx(ctx, func(tx Store) error {
		if err := fn(tx); err != nil {
			return err
		}
		if r := []rune(e.Summary); len(r) > maxAuditSummary {
			e.Summary = string(r[:maxAuditSummary-1]) + "…"
		}
		if err := tx.AppendAudit(ctx, *e); err != nil {
			return err
		}
		// The change's webhook event, if it has one, in its transaction.
		return s.emitWebhooks(ctx, tx, *e)
	})
}

// record appends the entry of an event that changes no data (an export)
// in a transaction of its own.
func (s *Service) record(ctx context.Context, e *persona.AuditEvent) error {
	return s.inTx(ctx, e, func(Store) error { return nil })
}

// AuditQuery filters a listing or an export of the audit log. Empty fields
// match everything; Since and Until are dates (YYYY-MM-DD, UTC), both
// included.
type AuditQuery struct {
	Action     string
	ObjectKind string
	Actor      string // the actor's email
	Since      string
	Until      string
}

func (q AuditQuery) filter() (persona.AuditFilter, error) {
	f := persona.AuditFilter{Action: strings.TrimSpace(q.Action), ObjectKind: strings.TrimSpace(q.ObjectKind),
		ActorEmail: strings.ToLower(strings.TrimSpace(q.Actor))}
	var fields []persona.FieldError
	for name, v := range map[string]string{"action": f.Action, "object_kind": f.ObjectKind, "actor": f.ActorEmail} {
		if len(v) > 200 {
			fields = append(fields, persona.FieldError{Field: name, Message: "must be at most 200 characters"})
		}
	}
	day := func(name, v string) time.Time {
		v = strings.TrimSpace(v)
		if v == "" {
			return time.Time{}
		}
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			fields = append(fields, persona.FieldError{Field: name, Message: "must be a date such as 2026-01-31"})
		}
		return t
	}
	f.Since = day("since", q.Since)
	if until := day("until", q.Until); !until.IsZero() {
		f.Until = until.AddDate(0, 0, 1) // the whole day
		if !f.Since.IsZero() && until.Before(f.Since) {
			fields = append(fields, persona.FieldError{Field: "until", Message: "must not be before since"})
		}
	}
	return f, persona.Invalid("invalid audit filter", fields)
}

// ListAudit lists an organisation's audit log matching q, newest first
// (admins). before is the seq to continue below (0: the newest).
func (s *Service) ListAudit(ctx context.Context, actor Actor, slug string, q AuditQuery, before int64, limit int) ([]persona.AuditEvent, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleAdmin)
	if err != nil {
		return nil, err
	}
	f, err := q.filter()
	if err != nil {
		return nil, err
	}
	return s.store.ListAudit(ctx, org.ID, f, before, limit)
}

// Audit log export formats.
const (
	AuditCSV   = "csv"
	AuditJSONL = "jsonl"
)

// AuditExport is a checked audit log download, ready to be written.
type AuditExport struct {
	ContentType string
	Filename    string
	write       func(ctx context.Context, w io.Writer) error
}

// Write streams the entries to w, oldest first.
func (x AuditExport) Write(ctx context.Context, w io.Writer) error { return x.write(ctx, w) }

// auditExportPage is how many entries each query of an export reads.
const auditExportPage = 500

// ExportAudit prepares a download of the organisation's audit log matching
// q as CSV or JSON Lines (admins). Every check happens here, before
// anything is written; Write then pages through the log in bounded queries
// up to the newest entry at the time of this call, so memory stays flat
// however long the log. A completed download is itself recorded.
func (s *Service) ExportAudit(ctx context.Context, actor Actor, slug string, q AuditQuery, format string) (AuditExport, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleAdmin)
	if err != nil {
		return AuditExport{}, err
	}
	f, err := q.filter()
	if err != nil {
		return AuditExport{}, err
	}
	x := AuditExport{Filename: "audit-" + org.Slug + "." + format}
	var enc auditEncoder
	switch format {
	case AuditCSV:
		x.ContentType, enc = "text/csv; charset=utf-8", newAuditCSV
	case AuditJSONL:
		x.ContentType, enc = "application/jsonl", newAuditJSONL
	default:
		return AuditExport{}, persona.Invalid("invalid export", []persona.FieldError{{Field: "format", Message: "must be csv or jsonl"}})
	}
	newest, err := s.store.ListAudit(ctx, org.ID, persona.AuditFilter{}, 0, 1)
	if err != nil {
		return AuditExport{}, err
	}
	var last int64
	if len(newest) > 0 {
		last = newest[0].Seq
	}
	x.write = func(ctx context.Context, w io.Writer) error {
		bw := bufio.NewWriter(w)
		put, flush := enc(bw)
		n := 0
		for after := int64(0); after < last; {
			page, err := s.store.ListAuditAfter(ctx, org.ID, f, after, auditExportPage)
			if err != nil {
				return err
			}
			for _, e := range page {
				if e.Seq > last {
					break
				}
				if err := put(e); err != nil {
					return err
				}
				n++
			}
			// Hand each page on, so that the client sees progress.
			if err := flush(); err != nil {
				return err
			}
			if err := bw.Flush(); err != nil {
				return err
			}
			if len(page) < auditExportPage {
				break
			}
			after = page[len(page)-1].Seq
		}
		if err := flush(); err != nil { // an empty export still gets its header
			return err
		}
		if err := bw.Flush(); err != nil {
			return err
		}
		return s.record(ctx, s.entry(org.ID, actor, "export", "audit log", "", fmt.Sprintf("%s, %d entries", strings.ToUpper(format), n)))
	}
	return x, nil
}

// An auditEncoder writes entries to w: put one, then flush what is buffered.
type auditEncoder func(w io.Writer) (put func(persona.AuditEvent) error, flush func() error)

var auditColumns = []string{"seq", "at", "actor_id", "actor_email", "action", "object_kind", "object_id", "summary"}

func newAuditCSV(w io.Writer) (func(persona.AuditEvent) error, func() error) {
	cw := csvout.NewWriter(w, csvout.Options{}) // neutralises formula cells
	header := false
	put := func(e persona.AuditEvent) error {
		if !header {
			header = true
			if err := cw.Write(auditColumns); err != nil {
				return err
			}
		}
		return cw.Write([]string{strconv.FormatInt(e.Seq, 10), e.At.UTC().Format(time.RFC3339Nano),
			e.ActorID, e.ActorEmail, e.Action, e.ObjectKind, e.ObjectID, e.Summary})
	}
	flush := func() error {
		if !header { // an empty log still gets its header row
			header = true
			if err := cw.Write(auditColumns); err != nil {
				return err
			}
		}
		cw.Flush()
		return cw.Error()
	}
	return put, flush
}

func newAuditJSONL(w io.Writer) (func(persona.AuditEvent) error, func() error) {
	enc := json.NewEncoder(w) // one object per line
	return func(e persona.AuditEvent) error { return enc.Encode(e) }, func() error { return nil }
}

// ---- summaries and actions of the events ----

// jsonOf is v as JSON, for comparing values of any shape; empty and
// missing read the same.
func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	switch s := string(b); s {
	case "{}", "[]", `""`:
		return "null"
	default:
		return s
	}
}

// variantAction names a variant update: dropping overrides, or keeping
// overrides whose base changed (confirming them), when that is all it does.
func variantAction(prev, next persona.VariantContent) string {
	if prev.CustomerID != next.CustomerID || prev.CustomerLabel != next.CustomerLabel || prev.Note != next.Note {
		return "update"
	}
	same := jsonOf(prev.Values) == jsonOf(next.Values) && jsonOf(prev.Dimensions) == jsonOf(next.Dimensions) &&
		jsonOf(prev.FieldNotes) == jsonOf(next.FieldNotes)
	if same {
		if jsonOf(prev.BaseAtOverride) != jsonOf(next.BaseAtOverride) {
			return "keep override"
		}
		return "update"
	}
	subset := func(small, big persona.Values) bool {
		for k, v := range small {
			if w, ok := big[k]; !ok || jsonOf(v) != jsonOf(w) {
				return false
			}
		}
		return true
	}
	notesKept := true
	for p, n := range next.FieldNotes {
		if prev.FieldNotes[p] != n {
			notesKept = false
		}
	}
	if len(next.OverridePaths()) < len(prev.OverridePaths()) && subset(next.Values, prev.Values) &&
		subset(next.Dimensions, prev.Dimensions) && notesKept {
		return "drop override"
	}
	return "update"
}

// launchpadAction names a Launchpad update that accepts or rejects items.
func launchpadAction(prev, next persona.LaunchpadContent) string {
	action := "update"
	for ref, d := range next.Decisions {
		if prev.Decisions[ref] == d {
			continue
		}
		a := "update"
		switch d {
		case persona.DecisionAccepted:
			a = "accept"
		case persona.DecisionRejected:
			a = "reject"
		}
		if action != "update" && action != a {
			return "update" // both at once
		}
		action = a
	}
	return action
}

// catalogueSummary says what a catalogue save changed, item by item.
func catalogueSummary(prev, next persona.Catalogue) string {
	var parts []string
	parts = diffItems(parts, "module", prev.Modules, next.Modules, func(m persona.Module) string { return m.Key })
	parts = diffItems(parts, "pack", prev.Packs, next.Packs, func(p persona.ContentPack) string { return p.Key })
	parts = diffItems(parts, "dashboard", prev.Dashboards, next.Dashboards, func(d persona.DashboardTemplate) string { return d.Key })
	s := "revision " + strconv.Itoa(next.Revision)
	switch {
	case len(parts) == 0:
		return s + ": no change"
	case len(parts) > 6:
		parts = append(parts[:6:6], fmt.Sprintf("%d more changes", len(parts)-6))
	}
	return s + ": " + strings.Join(parts, ", ")
}

func diffItems[T any](out []string, kind string, prev, next []T, key func(T) string) []string {
	old := make(map[string]string, len(prev))
	for _, x := range prev {
		old[key(x)] = jsonOf(x)
	}
	seen := make(map[string]bool, len(next))
	for _, x := range next {
		k := key(x)
		seen[k] = true
		if j, ok := old[k]; !ok {
			out = append(out, "added "+kind+" "+k)
		} else if j != jsonOf(x) {
			out = append(out, "changed "+kind+" "+k)
		}
	}
	for _, x := range prev {
		if !seen[key(x)] {
			out = append(out, "removed "+kind+" "+key(x))
		}
	}
	return out
}

// linkSummary describes an evidence link: the item, its stance and where
// it points.
func linkSummary(title string, l persona.EvidenceLink) string {
	where := l.PersonaName
	if where == "" {
		where = "persona " + l.PersonaID
	}
	if l.VariantName != "" {
		where += " at " + l.VariantName
	} else if l.VariantID != "" {
		where += " (variant " + l.VariantID + ")"
	}
	if l.FieldLabel != "" {
		where += ", " + l.FieldLabel
	} else if l.Field != "" {
		where += ", " + l.FieldKey()
	}
	return fmt.Sprintf("%q %s %s", title, l.Stance, where)
}

// revisionSummary describes a save of revision rev with its message.
func revisionSummary(name string, rev int, message string) string {
	s := name + " → revision " + strconv.Itoa(rev)
	if message = strings.TrimSpace(message); message != "" {
		s += ": " + message
	}
	return s
}

// thresholdSummary describes a new divergence threshold.
func thresholdSummary(points float64) string {
	return "divergence threshold: " + strconv.FormatFloat(points, 'f', -1, 64) + " points"
}

// NameKinds are the object kinds ObjectNames resolves.
var NameKinds = []string{"persona", "variant", "template", "group", "evidence", "launchpad", "invitation", "member"}

// ObjectNames resolves object IDs, by kind, to what the objects are called
// now, within the organisation (admins: it names members by e-mail). One
// store query per kind asked, whatever the number of IDs; an ID that is
// absent from the answer names a deleted object (or another
// organisation's: never resolved).
func (s *Service) ObjectNames(ctx context.Context, actor Actor, slug string, ids map[string][]string) (map[string]map[string]persona.ObjectName, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleAdmin)
	if err != nil {
		return nil, err
	}
	out := make(map[string]map[string]persona.ObjectName, len(ids))
	for _, kind := range NameKinds {
		list := uniqueStrings(ids[kind])
		if len(list) == 0 {
			continue
		}
		names, err := s.store.ObjectNames(ctx, org.ID, kind, list)
		if err != nil {
			return nil, err
		}
		out[kind] = names
	}
	return out, nil
}

// FieldLabels maps field keys of personas to their labels in each
// persona's template version, for the keys asked (admins: it serves the
// audit log). One query for the personas, then one template version per
// distinct template version (cached); a trashed persona or a key its
// template lacks is absent.
func (s *Service) FieldLabels(ctx context.Context, actor Actor, slug string, keys map[string][]string) (map[string]map[string]string, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleAdmin)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(keys))
	for id := range keys {
		ids = append(ids, id)
	}
	ps, err := s.store.GetPersonas(ctx, org.ID, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]map[string]string, len(ps))
	for _, p := range ps {
		v, err := s.version(ctx, org.ID, p.TemplateID, p.TemplateVersion)
		if persona.ErrorCode(err) == persona.CodeNotFound {
			continue
		} else if err != nil {
			return nil, err
		}
		for _, k := range keys[p.ID] {
			if f, ok := v.Definition.Field(k); ok && f.Label != "" {
				if out[p.ID] == nil {
					out[p.ID] = map[string]string{}
				}
				out[p.ID][k] = f.Label
			}
		}
	}
	return out, nil
}
