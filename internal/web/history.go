package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// historyView lists a persona's revisions and diffs two of them.
type historyView struct {
	P         persona.Persona
	Revisions []revisionRow
	From, To  int
	Changes   []historyChange
	CanEdit   bool
	Reviews   []app.ReviewEntry // newest first (reviews.go)
	// MergedInto is the persona this one was merged into (its history is
	// then read-only); MergedFrom the personas merged into this one.
	MergedInto *persona.Persona
	MergedFrom []persona.Persona
}

// historyChange is one change with what changed inside it: texts word by
// word (Words), lists item by item (Items), anything else (a number, a
// scale, a choice) as the old value struck out and the new one.
type historyChange struct {
	persona.Change
	Words []persona.DiffSpan
	Items []persona.DiffSpan
}

// historyChanges finds, for each change, the words or items that changed.
func historyChanges(cs []persona.Change) []historyChange {
	out := make([]historyChange, 0, len(cs))
	for _, c := range cs {
		hc := historyChange{Change: c}
		_, listA := c.Before.([]any)
		_, listB := c.After.([]any)
		_, strsA := c.Before.([]string)
		_, strsB := c.After.([]string)
		sa, textA := c.Before.(string)
		sb, textB := c.After.(string)
		switch {
		case listA || listB || strsA || strsB:
			hc.Items = persona.ItemDiff(valueList(c.Before), valueList(c.After))
		case (textA || c.Before == nil) && (textB || c.After == nil):
			hc.Words = persona.WordDiff(sa, sb)
		}
		out = append(out, hc)
	}
	return out
}

type revisionRow struct {
	Number  int
	Author  string
	At      time.Time
	Message string
	Current bool
}

func (h *Handler) historyPage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	ctx := r.Context()
	// A merged persona's history stays readable, read-only, and says where
	// the persona went (duplicates.go).
	p, into, err := h.svc.HistoryPersona(ctx, c.Actor, c.Org.Slug, r.PathValue("id"))
	if err != nil {
		return err
	}
	revs, err := h.svc.ListRevisions(ctx, c.Actor, c.Org.Slug, p.ID)
	if err != nil {
		return err
	}
	names, err := h.memberNames(r, c)
	if err != nil {
		return err
	}
	v := historyView{P: p, CanEdit: c.Can(persona.RoleEditor) && into == ""}
	if err := h.mergeHistory(r, c, &v, into); err != nil {
		return err
	}
	if into == "" {
		if v.Reviews, err = h.svc.ListReviews(ctx, c.Actor, c.Org.Slug, p.ID); err != nil {
			return err
		}
	}
	for _, rev := range revs {
		author, ok := names[rev.AuthorID]
		if !ok {
			author = "former member"
		}
		v.Revisions = append(v.Revisions, revisionRow{Number: rev.Number, Author: author, At: rev.CreatedAt, Message: rev.Message, Current: rev.Number == p.Revision})
	}
	// By default: what the latest save changed.
	v.To, v.From = p.Revision, p.Revision-1
	if n, err := strconv.Atoi(r.URL.Query().Get("to")); err == nil {
		v.To = n
	}
	if n, err := strconv.Atoi(r.URL.Query().Get("from")); err == nil {
		v.From = n
	}
	if v.From >= 1 && v.To >= 1 && v.From != v.To {
		d, err := h.svc.DiffRevisions(ctx, c.Actor, c.Org.Slug, p.ID, v.From, v.To)
		if err != nil {
			return err
		}
		if err := h.refChangeNames(r, c, p, d.Changes); err != nil { // refs.go
			return err
		}
		v.Changes = historyChanges(d.Changes)
	}
	return h.render(w, r, c, http.StatusOK, "history", "History of "+p.Name, v)
}

// restoreRevision makes an old revision's content the newest revision.
func (h *Handler) restoreRevision(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil {
		return persona.ErrNotFound("revision")
	}
	ifMatch, _ := strconv.Atoi(r.PostFormValue("revision"))
	p, err := h.svc.RestoreRevision(r.Context(), c.Actor, c.Org.Slug, r.PathValue("id"), n, ifMatch)
	if persona.ErrorCode(err) == persona.CodePreconditionFailed {
		return redirect(w, r, "/o/"+c.Org.Slug+"/personas/"+r.PathValue("id")+"/history",
			"Someone saved a newer revision meanwhile; nothing was restored. Check the history and try again.")
	}
	if err != nil {
		return err
	}
	return redirect(w, r, "/o/"+c.Org.Slug+"/personas/"+p.ID+"/history",
		"Revision "+strconv.Itoa(n)+" restored as revision "+strconv.Itoa(p.Revision)+".")
}
