package web

import (
	"net/http"

	"github.com/personapal/personapal/internal/persona"
)

func (h *Handler) noteRoutes() {
	h.org("GET /o/{org}/notes", h.orgNotesPage)
	h.org("POST /o/{org}/notes", h.addNote)
	h.org("POST /o/{org}/notes/{id}", h.editNote)
	h.org("POST /o/{org}/notes/{id}/delete", h.deleteNote)
	h.org("GET /o/{org}/groups/{id}", h.groupPage)
	h.org("GET /o/{org}/notes/{id}", h.notePage)
	h.org("GET /o/{org}/audit", h.auditLogPage) // audit.go
}

// notePage sends the browser to the page that shows a note.
func (h *Handler) notePage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	n, err := h.svc.GetNote(r.Context(), c.Actor, c.Org.Slug, r.PathValue("id"))
	if err != nil {
		return err
	}
	base := "/o/" + c.Org.Slug
	to := base + "/notes"
	switch n.Target {
	case persona.NoteOnGroup:
		to = base + "/groups/" + n.TargetID
	case persona.NoteOnPersona:
		to = base + "/personas/" + n.TargetID
	case persona.NoteOnVariant:
		to = base + "/variants/" + n.TargetID
	}
	http.Redirect(w, r, to+"#note-"+n.ID, http.StatusSeeOther)
	return nil
}

// entryURL links a search entry to its page.
func entryURL(org string, e persona.EntryHit) string {
	base := "/o/" + org
	switch e.Kind {
	case persona.EntryVariant:
		return base + "/variants/" + e.ID
	case persona.EntryNote:
		return base + "/notes/" + e.ID
	case persona.EntryEvidence:
		return base + "/evidence/" + e.ID
	}
	return base
}

func entryLabel(k persona.EntryKind) string {
	switch k {
	case persona.EntryVariant:
		return "Customer variant"
	case persona.EntryNote:
		return "Note"
	case persona.EntryEvidence:
		return "Evidence"
	}
	return string(k)
}

func init() {
	funcs["entryURL"] = entryURL
	funcs["entryLabel"] = entryLabel
}

// notesView is the notes block of a page: a page of the notes on one
// target (newest first, app.NotesPageSize a page) and the form to add one.
type notesView struct {
	Org      string
	Target   persona.NoteTarget
	TargetID string
	Back     string // where forms return to
	Items    []noteItem
	Total    int    // notes on the target, all pages
	Older    string // link to the next page (older notes), "" on the last
	Newest   string // link back to the first page, "" on it
	CanWrite bool
	Error    string
	Draft    string
}

type noteItem struct {
	Note      persona.Note
	CanChange bool
	Edited    bool
}

// notesFor reads the page of notes the request asks for (?older=<cursor>).
func (h *Handler) notesFor(r *http.Request, c *Ctx, target persona.NoteTarget, targetID, back string) (notesView, error) {
	cursor := r.URL.Query().Get("older")
	page, err := h.svc.ListNotesPage(r.Context(), c.Actor, c.Org.Slug, target, targetID, cursor)
	if err != nil {
		return notesView{}, err
	}
	v := notesView{Org: c.Org.Slug, Target: target, TargetID: targetID, Back: back, Total: page.Total, CanWrite: c.Can(persona.RoleEditor)}
	if page.Older != "" {
		v.Older = notesPageURL(r, page.Older)
	}
	if cursor != "" {
		v.Newest = notesPageURL(r, "")
	}
	for _, n := range page.Items {
		v.Items = append(v.Items, noteItem{Note: n, Edited: n.UpdatedAt.After(n.CreatedAt),
			CanChange: c.Can(persona.RoleAdmin) || (c.Can(persona.RoleEditor) && n.AuthorID == c.Actor.UserID)})
	}
	return v, nil
}

// notesPageURL links to this page with another page of its notes.
func notesPageURL(r *http.Request, cursor string) string {
	q := r.URL.Query()
	q.Del("older")
	if cursor != "" {
		q.Set("older", cursor)
	}
	u := r.URL.Path
	if enc := q.Encode(); enc != "" {
		u += "?" + enc
	}
	return u + "#notes"
}

func (h *Handler) addNote(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	back := safeNext(r.PostFormValue("back"))
	_, err := h.svc.AddNote(r.Context(), c.Actor, c.Org.Slug, persona.NoteTarget(r.PostFormValue("target")), r.PostFormValue("target_id"), r.PostFormValue("body"))
	if persona.ErrorCode(err) == persona.CodeInvalid {
		e, _ := persona.AsError(err)
		msg := e.Message
		if len(e.Fields) > 0 {
			msg = "The note " + e.Fields[0].Message + "."
		}
		return redirect(w, r, back+"#notes", msg)
	}
	if err != nil {
		return err
	}
	return redirect(w, r, back+"#notes", "Note added.")
}

func (h *Handler) editNote(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	back := safeNext(r.PostFormValue("back"))
	_, err := h.svc.UpdateNote(r.Context(), c.Actor, c.Org.Slug, r.PathValue("id"), r.PostFormValue("body"))
	if persona.ErrorCode(err) == persona.CodeInvalid {
		return redirect(w, r, back+"#notes", "A note cannot be empty; nothing was changed.")
	}
	if err != nil {
		return err
	}
	return redirect(w, r, back+"#notes", "Note saved.")
}

func (h *Handler) deleteNote(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	back := safeNext(r.PostFormValue("back"))
	if _, err := h.svc.DeleteNote(r.Context(), c.Actor, c.Org.Slug, r.PathValue("id")); err != nil {
		return err
	}
	return redirect(w, r, back+"#notes", "Note deleted.")
}

type orgNotesView struct {
	Notes notesView
}

func (h *Handler) orgNotesPage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	nv, err := h.notesFor(r, c, persona.NoteOnOrg, "", "/o/"+c.Org.Slug+"/notes")
	if err != nil {
		return err
	}
	return h.render(w, r, c, http.StatusOK, "notes", "Notes", orgNotesView{Notes: nv})
}

type groupView struct {
	Group persona.Group
	Cards []personaCard
	Notes notesView
}

func (h *Handler) groupPage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	g, err := h.svc.GetGroup(r.Context(), c.Actor, c.Org.Slug, r.PathValue("id"))
	if err != nil {
		return err
	}
	ps, err := h.allPersonas(r, c, persona.PersonaFilter{GroupID: g.ID})
	if err != nil {
		return err
	}
	v := groupView{Group: g}
	if v.Cards, _, err = h.hubCards(r, c, ps); err != nil {
		return err
	}
	if v.Notes, err = h.notesFor(r, c, persona.NoteOnGroup, g.ID, "/o/"+c.Org.Slug+"/groups/"+g.ID); err != nil {
		return err
	}
	return h.render(w, r, c, http.StatusOK, "group", g.Name, v)
}
