package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"

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
	for _, e := range items {
		v.Items = append(v.Items, auditRow{AuditEvent: e, URL: auditObjectURL(c.Org.Slug, e)})
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
