package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

type auditView struct {
	Items []auditRow
	// The filters as asked, the choices offered and the filter error.
	Query   app.AuditQuery
	Actions []string
	Kinds   []string
	Actors  []string // current members' emails, offered for the actor filter
	Error   string
	// Filtered is true when any filter is set.
	Filtered bool
	// Links keep the filters: the next page and the downloads.
	OlderURL, CSVURL, JSONLURL string
}

type auditRow struct {
	persona.AuditEvent
	URL string // the object's page, when it has one
	// Object is the entry's object by name; Parts its summary with the
	// objects it names by ID shown by name.
	Object *auditRef
	Parts  []auditPart
}

// auditRef is an object an entry names: by its name, linking to its page,
// or, deleted, by its kind and a shortened ID.
type auditRef struct {
	Kind    string
	Name    string // "" when the object is gone
	URL     string
	ID      string
	Short   string // "01a2…b830a"
	Trashed bool
	// At reads the ref as a variant's "at Big Bank" after its persona.
	At bool
}

// auditPart is a piece of a summary: text or an object.
type auditPart struct {
	Text string
	Ref  *auditRef
}

const auditPage = 100

// auditLogPage shows the organisation's audit log to admins, newest first,
// filtered by the query; with ?format=csv or jsonl it downloads every
// matching entry instead, oldest first.
func (h *Handler) auditLogPage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	qs := r.URL.Query()
	q := app.AuditQuery{Action: qs.Get("action"), ObjectKind: qs.Get("object_kind"), Actor: qs.Get("actor"),
		Since: qs.Get("since"), Until: qs.Get("until")}
	if format := qs.Get("format"); format != "" {
		return h.auditDownload(w, r, c, q, format)
	}
	before, _ := strconv.ParseInt(qs.Get("before"), 10, 64)
	items, err := h.svc.ListAudit(r.Context(), c.Actor, c.Org.Slug, q, max(before, 0), auditPage)
	v := auditView{Query: q, Actions: persona.AuditActions, Kinds: persona.AuditKinds,
		Filtered: q != app.AuditQuery{}}
	if msg, ok := userMessage(err); ok {
		v.Error = msg // a bad filter: show the form with the problem
	} else if err != nil {
		return err
	}
	members, err := h.svc.ListMembers(r.Context(), c.Actor, c.Org.Slug)
	if err != nil {
		return err
	}
	for _, m := range members {
		v.Actors = append(v.Actors, m.Email)
	}
	if v.Items, err = h.auditRows(r, c, items); err != nil {
		return err
	}
	link := func(key, value string) string {
		u := url.Values{}
		for k, val := range map[string]string{"action": q.Action, "object_kind": q.ObjectKind, "actor": q.Actor, "since": q.Since, "until": q.Until, key: value} {
			if val != "" {
				u.Set(k, val)
			}
		}
		return "/o/" + url.PathEscape(c.Org.Slug) + "/audit?" + u.Encode()
	}
	if len(items) == auditPage {
		v.OlderURL = link("before", strconv.FormatInt(items[len(items)-1].Seq, 10))
	}
	v.CSVURL, v.JSONLURL = link("format", app.AuditCSV), link("format", app.AuditJSONL)
	return h.render(w, r, c, http.StatusOK, "audit", "Audit log", v)
}

// auditDownload streams the matching entries as a file. Everything that can
// be refused is checked before the first byte; a failure later can only cut
// the connection, so that a client never takes a truncated file for whole.
func (h *Handler) auditDownload(w http.ResponseWriter, r *http.Request, c *Ctx, q app.AuditQuery, format string) error {
	x, err := h.svc.ExportAudit(r.Context(), c.Actor, c.Org.Slug, q, format)
	if err != nil {
		return err
	}
	hd := w.Header()
	hd.Set("Content-Type", x.ContentType)
	hd.Set("Content-Disposition", `attachment; filename="`+x.Filename+`"`)
	hd.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	if err := x.Write(r.Context(), w); err != nil {
		if !errors.Is(err, context.Canceled) && r.Context().Err() == nil {
			h.log.ErrorContext(r.Context(), "audit log download failed", "err", err)
		}
		panic(http.ErrAbortHandler)
	}
	return nil
}

// auditObjectURL is the page of an entry's object, for the kinds that have
// one ("" otherwise; a deleted object's page answers not found).
func auditObjectURL(org string, e persona.AuditEvent) string {
	path := map[string]string{"persona": "personas", "template": "templates", "group": "groups", "variant": "variants",
		"evidence": "evidence", "launchpad": "launchpads", "note": "notes"}[e.ObjectKind]
	if path == "" || e.ObjectID == "" {
		return ""
	}
	return "/o/" + url.PathEscape(org) + "/" + path + "/" + url.PathEscape(e.ObjectID)
}

// auditID finds the IDs a summary quotes, with the kind word before them
// when there is one ("persona 01a2…", "(variant 01a2…)").
var auditID = regexp.MustCompile(`(\(variant |persona |variant )?\b([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b(\))?`)

// auditRows names the objects of a page of entries: their own objects and
// the IDs their summaries quote, resolved in one batch (one query per
// kind), never one lookup per entry.
func (h *Handler) auditRows(r *http.Request, c *Ctx, items []persona.AuditEvent) ([]auditRow, error) {
	ask := map[string][]string{}
	for _, e := range items {
		if e.ObjectID != "" && slices.Contains(app.NameKinds, e.ObjectKind) {
			ask[e.ObjectKind] = append(ask[e.ObjectKind], e.ObjectID)
		}
		for _, m := range auditID.FindAllStringSubmatch(e.Summary, -1) {
			switch kind := strings.TrimSpace(strings.Trim(m[1], "(")); kind {
			case "persona", "variant":
				ask[kind] = append(ask[kind], m[2])
			default: // a bare ID: a persona's (alignment links) or a variant's
				ask["persona"] = append(ask["persona"], m[2])
				ask["variant"] = append(ask["variant"], m[2])
			}
		}
	}
	names := map[string]map[string]persona.ObjectName{}
	if len(ask) > 0 {
		var err error
		if names, err = h.svc.ObjectNames(r.Context(), c.Actor, c.Org.Slug, ask); err != nil {
			return nil, err
		}
	}
	ref := func(kind, id string) *auditRef {
		x := &auditRef{Kind: kind, ID: id, Short: shortID(id)}
		if n, ok := names[kind][id]; ok {
			x.Name, x.Trashed = n.Label(), n.Trashed
			if !n.Trashed {
				x.URL = auditObjectURL(c.Org.Slug, persona.AuditEvent{ObjectKind: kind, ObjectID: id})
			}
		}
		return x
	}
	rows := make([]auditRow, 0, len(items))
	for _, e := range items {
		row := auditRow{AuditEvent: e, URL: auditObjectURL(c.Org.Slug, e)}
		if e.ObjectID != "" && slices.Contains(app.NameKinds, e.ObjectKind) {
			row.Object = ref(e.ObjectKind, e.ObjectID)
		}
		rest := e.Summary
		for {
			m := auditID.FindStringSubmatchIndex(rest)
			if m == nil {
				break
			}
			if m[0] > 0 {
				row.Parts = append(row.Parts, auditPart{Text: rest[:m[0]]})
			}
			word, id := "", rest[m[4]:m[5]]
			if m[2] >= 0 {
				word = rest[m[2]:m[3]]
			}
			closing := m[6] >= 0
			var x *auditRef
			switch strings.TrimSpace(strings.Trim(word, "(")) {
			case "persona":
				x = ref("persona", id)
			case "variant":
				x = ref("variant", id)
				if n, ok := names["variant"][id]; ok && strings.HasPrefix(word, "(") && closing {
					// "System Lead (variant …)" reads "System Lead at Big Bank".
					x.Name, x.At = n.Customer, true
					if x.Name == "" {
						x.Name = n.Label()
					}
				}
			default:
				if x = ref("persona", id); x.Name == "" {
					if v := ref("variant", id); v.Name != "" {
						x = v
					} else {
						x.Kind = ""
					}
				}
			}
			end := m[1]
			if closing && !x.At && strings.HasPrefix(word, "(") {
				// keep the brackets around a deleted variant
				row.Parts = append(row.Parts, auditPart{Text: "("}, auditPart{Ref: x}, auditPart{Text: ")"})
			} else {
				if x.At {
					row.Parts = append(row.Parts, auditPart{Text: "at "})
				} else if closing && !strings.HasPrefix(word, "(") {
					end = m[7] - 1 // a ")" that belongs to the text
				}
				row.Parts = append(row.Parts, auditPart{Ref: x})
			}
			rest = rest[end:]
		}
		if rest != "" {
			row.Parts = append(row.Parts, auditPart{Text: rest})
		}
		rows = append(rows, row)
	}
	return rows, h.auditFieldLabels(r, c, rows)
}

// auditFieldKey is the field an evidence link's summary ends with, after
// its persona: ", pain_points".
var auditFieldKey = regexp.MustCompile(`^, ([a-z][a-z0-9_]*)$`)

// auditFieldLabels shows the fields evidence links name by their labels
// in the persona's template ("Pain points", not pain_points), resolved
// for the whole page at once.
func (h *Handler) auditFieldLabels(r *http.Request, c *Ctx, rows []auditRow) error {
	type at struct{ row, part int }
	var where []at
	var owners []string
	keys := map[string][]string{}
	for i, row := range rows {
		owner := ""
		for j, p := range row.Parts {
			if p.Ref != nil && p.Ref.Kind == "persona" {
				owner = ""
				if p.Ref.Name != "" && !p.Ref.Trashed {
					owner = p.Ref.ID
				}
			}
			if m := auditFieldKey.FindStringSubmatch(p.Text); m != nil && owner != "" && j == len(row.Parts)-1 {
				where, owners = append(where, at{i, j}), append(owners, owner)
				keys[owner] = append(keys[owner], m[1])
			}
		}
	}
	if len(keys) == 0 {
		return nil
	}
	labels, err := h.svc.FieldLabels(r.Context(), c.Actor, c.Org.Slug, keys)
	if err != nil {
		return err
	}
	for n, w := range where {
		p := &rows[w.row].Parts[w.part]
		if l, ok := labels[owners[n]][auditFieldKey.FindStringSubmatch(p.Text)[1]]; ok {
			p.Text = ", " + l
		}
	}
	return nil
}

// shortID shortens an ID for reading: its first and last characters
// ("01a2…b830a"; time-ordered IDs share their first ones).
func shortID(id string) string {
	if len(id) <= 12 {
		return id
	}
	return id[:4] + "…" + id[len(id)-5:]
}
