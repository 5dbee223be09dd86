package web

import (
	"net/http"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// Work links (issue 19): the persona page's "Work for this persona",
// external work items (issues, design files, documents) with an add form
// and a remove button for editors.

func (h *Handler) workLinkRoutes() {
	h.org("POST /o/{org}/personas/{id}/work", h.addWorkLink)
	h.org("POST /o/{org}/personas/{id}/work/{link}/remove", h.removeWorkLink)
}

// workView is the persona page's work section: the links and, for
// editors, the add form with what was typed and the problem, if any.
type workView struct {
	Links   []persona.WorkLink
	CanEdit bool
	Kinds   []persona.WorkKind
	URL     string
	Title   string
	Kind    string
	// Field and Error are the refused form's field and why.
	Field string
	Error string
}

// workFor reads a persona's work links for its page.
func (h *Handler) workFor(r *http.Request, c *Ctx, personaID string) (workView, error) {
	ls, err := h.svc.ListWorkLinks(r.Context(), c.Actor, c.Org.Slug, personaID)
	return workView{Links: ls, CanEdit: c.Can(persona.RoleEditor), Kinds: persona.WorkKinds}, err
}

// addWorkLink attaches a work item; a refused one gets the persona page
// back (422) with the field named and what was typed kept.
func (h *Handler) addWorkLink(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id := r.PathValue("id")
	in := app.WorkLinkInput{URL: r.FormValue("url"), Title: r.FormValue("title"), Kind: persona.WorkKind(r.FormValue("kind"))}
	_, err := h.svc.AddWorkLink(r.Context(), c.Actor, c.Org.Slug, id, in)
	if e, ok := persona.AsError(err); ok && e.Code == persona.CodeInvalid && len(e.Fields) > 0 {
		form := workView{URL: in.URL, Title: in.Title, Kind: string(in.Kind), Field: e.Fields[0].Field, Error: e.Fields[0].Message}
		return h.renderPersonaWork(w, r, c, http.StatusUnprocessableEntity, &form)
	}
	if err != nil {
		return err
	}
	return redirect(w, r, "/o/"+c.Org.Slug+"/personas/"+id+"#work", "Work linked.")
}

// removeWorkLink detaches a work item from the persona.
func (h *Handler) removeWorkLink(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id := r.PathValue("id")
	if err := h.svc.RemoveWorkLink(r.Context(), c.Actor, c.Org.Slug, id, r.PathValue("link")); err != nil {
		return err
	}
	return redirect(w, r, "/o/"+c.Org.Slug+"/personas/"+id+"#work", "Work link removed.")
}

// FieldLabel names the refused form's field as the form labels it.
func (v workView) FieldLabel() string {
	switch v.Field {
	case "title":
		return "Title:"
	case "kind":
		return "Kind:"
	}
	return "Address:"
}
