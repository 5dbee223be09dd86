package app

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

// The audit log records every change to an organisation's data: who did
// what to which object, and when. Changes made through audited — persona
// writes; deleting or trashing groups, notes, evidence, links, variants and
// Launchpads; alignment links and verdicts; settings — record their entry
// in the change's own transaction; the others append it right after the
// change succeeded. Never for a refused or failed change; entries are
// never edited or deleted. Token, password and session events belong to a
// user rather than an organisation: they go to the user's own security log
// (security.go), never here.

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

// audit records that actor did action to an object of org. A failure to
// record is logged, not returned: the change itself has happened.
func (s *Service) audit(ctx context.Context, orgID string, actor Actor, action, kind, id, summary string) {
	s.appendAudit(ctx, s.auditEvent(ctx, orgID, actor, action, kind, id, summary))
}

func (s *Service) auditEvent(ctx context.Context, orgID string, actor Actor, action, kind, id, summary string) persona.AuditEvent {
	if a, ok := ctx.Value(auditActionKey{}).(string); ok {
		action = a
	}
	if r := []rune(summary); len(r) > maxAuditSummary {
		summary = string(r[:maxAuditSummary-1]) + "…"
	}
	e := persona.AuditEvent{OrgID: orgID, At: s.timestamp(), ActorID: actor.UserID, ActorEmail: actor.Email,
		Action: action, ObjectKind: kind, ObjectID: id, Summary: summary}
	if actor.System {
		e.ActorEmail = "(command line)"
	}
	return e
}

func (s *Service) appendAudit(ctx context.Context, e persona.AuditEvent) {
	if err := s.store.AppendAudit(ctx, e); err != nil {
		s.log.ErrorContext(ctx, "audit log write failed", "action", e.Action, "kind", e.ObjectKind, "id", e.ObjectID, "err", err)
	}
}

// audited makes a change with write and records it in the same
// transaction: the store takes the event from the context (TakeAudit) and
// writes it with the change, so a change is never stored without its entry,
// nor an entry without its change. Should write not go through a
// transaction that takes it, the entry is appended right after, as audit
// does.
func (s *Service) audited(ctx context.Context, orgID string, actor Actor, action, kind, id, summary string, write func(context.Context) error) error {
	slot := &auditSlot{e: s.auditEvent(ctx, orgID, actor, action, kind, id, summary)}
	if err := write(context.WithValue(ctx, auditSlotKey{}, slot)); err != nil {
		return err
	}
	if !slot.written {
		s.appendAudit(ctx, slot.e)
	}
	return nil
}

type auditSlotKey struct{}

type auditSlot struct {
	e              persona.AuditEvent
	taken, written bool
}

// TakeAudit hands the store the audit entry of the change being made with
// ctx, once: the store writes it in the change's transaction and calls
// committed when that transaction has committed. ok is false when there is
// no entry to take.
func TakeAudit(ctx context.Context) (e persona.AuditEvent, committed func(), ok bool) {
	slot, _ := ctx.Value(auditSlotKey{}).(*auditSlot)
	if slot == nil || slot.taken {
		return persona.AuditEvent{}, nil, false
	}
	slot.taken = true
	return slot.e, func() { slot.written = true }, true
}

// PendingAudit reports whether ctx carries an audit entry no transaction
// has taken yet.
func PendingAudit(ctx context.Context) bool {
	slot, _ := ctx.Value(auditSlotKey{}).(*auditSlot)
	return slot != nil && !slot.taken
}

// auditOK records the event when err is nil and returns err, so that a use
// case ending in `return s.store.Change(...)` records only a change that
// happened.
func (s *Service) auditOK(ctx context.Context, err error, orgID string, actor Actor, action, kind, id, summary string) error {
	if err == nil {
		s.audit(ctx, orgID, actor, action, kind, id, summary)
	}
	return err
}

type auditActionKey struct{}

// auditAs names the event of a use case that delegates its write to a more
// general one which records its own: importing the catalogue replaces it,
// upgrading a persona saves a revision. Every event recorded under the
// returned context takes this action, so set it just before that one write.
func auditAs(ctx context.Context, action string) context.Context {
	return context.WithValue(ctx, auditActionKey{}, action)
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
		s.audit(ctx, org.ID, actor, "export", "audit log", "", fmt.Sprintf("%s, %d entries", strings.ToUpper(format), n))
		return nil
	}
	return x, nil
}

// An auditEncoder writes entries to w: put one, then flush what is buffered.
type auditEncoder func(w io.Writer) (put func(persona.AuditEvent) error, flush func() error)

var auditColumns = []string{"seq", "at", "actor_id", "actor_email", "action", "object_kind", "object_id", "summary"}

func newAuditCSV(w io.Writer) (func(persona.AuditEvent) error, func() error) {
	cw := csv.NewWriter(w)
	header := false
	put := func(e persona.AuditEvent) error {
		if !header {
			header = true
			if err := cw.Write(auditColumns); err != nil {
				return err
			}
		}
		return cw.Write([]string{strconv.FormatInt(e.Seq, 10), e.At.UTC().Format(time.RFC3339Nano),
			csvCell(e.ActorID), csvCell(e.ActorEmail), csvCell(e.Action), csvCell(e.ObjectKind), csvCell(e.ObjectID), csvCell(e.Summary)})
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

// csvCell keeps a spreadsheet from reading a cell as a formula (CSV
// injection): a cell starting with = + - @ or a tab or carriage return is
// prefixed with an apostrophe, which spreadsheets show as text.
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
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
