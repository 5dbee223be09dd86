package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// Groups in the web app: the groups page (/o/{org}/groups) lists them in
// their order; editors create, rename and describe them, move them up and
// down with buttons (keyboard first: after a move the same button keeps
// the focus), and delete them — an empty one, or one whose personas move
// to another group first. Personas move between groups one at a time
// from the persona page, or several at once from the home page.

// defaultGroupName is the group a new organisation's first persona starts.
const defaultGroupName = "Personas"

func (h *Handler) groupRoutes() {
	h.org("GET /o/{org}/groups", h.groupsPage)
	h.org("POST /o/{org}/groups", h.createGroup)
	h.org("POST /o/{org}/groups/{id}", h.updateGroup)
	h.org("POST /o/{org}/groups/{id}/move", h.moveGroup)
	h.org("POST /o/{org}/groups/{id}/delete", h.deleteGroup)
	h.org("POST /o/{org}/personas/move", h.movePersonas)
	h.org("POST /o/{org}/personas/{id}/move", h.movePersona)
}

type groupsView struct {
	Rows    []groupRow
	CanEdit bool
	// The create form.
	NewName, NewDescription string
	// Why the last change was refused: ErrorGroup is the group whose form
	// it was ("new" for the create form).
	ErrorGroup string
	Error      string
	Errors     map[string]string
	// Focus is the button to focus after a move ("up-<id>", "down-<id>").
	Focus string
}

type groupRow struct {
	persona.Group
	First, Last bool
	// Targets are the groups its personas can move to.
	Targets []persona.Group
	// Name and Description as the form holds them.
	Name, Description string
	// Faces are the first personas of the group, for its avatar stack.
	Faces []persona.Persona
	More  int // personas beyond the faces
}

// groupFaces is how many avatars a group's row shows.
const groupFaces = 6

func groupsPath(c *Ctx) string { return "/o/" + url.PathEscape(c.Org.Slug) + "/groups" }

func (h *Handler) groupsPage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	v := groupsView{}
	if id := r.URL.Query().Get("moved"); id != "" {
		if dir := r.URL.Query().Get("dir"); dir == "up" || dir == "down" {
			v.Focus = dir + "-" + id
		}
	}
	return h.renderGroups(w, r, c, http.StatusOK, v, nil)
}

// renderGroups lists the groups into v; typed keeps what a refused form
// held for its group.
func (h *Handler) renderGroups(w http.ResponseWriter, r *http.Request, c *Ctx, status int, v groupsView, typed *groupRow) error {
	groups, err := h.svc.ListGroups(r.Context(), c.Actor, c.Org.Slug)
	if err != nil {
		return err
	}
	v.CanEdit = c.Can(persona.RoleEditor)
	ps, err := h.allPersonas(r, c, persona.PersonaFilter{})
	if err != nil {
		return err
	}
	faces := map[string][]persona.Persona{}
	for _, p := range ps {
		if len(faces[p.GroupID]) < groupFaces {
			faces[p.GroupID] = append(faces[p.GroupID], p)
		}
	}
	for i, g := range groups {
		row := groupRow{Group: g, First: i == 0, Last: i == len(groups)-1, Name: g.Name, Description: g.Description, Faces: faces[g.ID]}
		row.More = max(0, g.PersonaCount-len(row.Faces))
		if typed != nil && typed.ID == g.ID {
			row.Name, row.Description = typed.Name, typed.Description
		}
		for _, t := range groups {
			if t.ID != g.ID {
				row.Targets = append(row.Targets, t)
			}
		}
		// A group moved to an end: its other button keeps the focus.
		switch v.Focus {
		case "up-" + g.ID:
			if row.First && !row.Last {
				v.Focus = "down-" + g.ID
			}
		case "down-" + g.ID:
			if row.Last && !row.First {
				v.Focus = "up-" + g.ID
			}
		}
		v.Rows = append(v.Rows, row)
	}
	return h.render(w, r, c, status, "groups", "Groups", v)
}

func (h *Handler) groupRefused(w http.ResponseWriter, r *http.Request, c *Ctx, group string, err error, v groupsView, typed *groupRow) error {
	msg, fields, ok := fieldRefusal(err)
	if !ok {
		return err
	}
	v.ErrorGroup, v.Error, v.Errors = group, msg, fields
	return h.renderGroups(w, r, c, statusFor(persona.ErrorCode(err)), v, typed)
}

// createGroup creates a group from the groups page, or the first one from
// an empty home page (from=home goes back there).
func (h *Handler) createGroup(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	in := struct{ name, description string }{r.PostFormValue("name"), r.PostFormValue("description")}
	g, err := h.svc.CreateGroup(r.Context(), c.Actor, c.Org.Slug, groupInput(in.name, in.description))
	if err != nil {
		return h.groupRefused(w, r, c, "new", err, groupsView{NewName: in.name, NewDescription: in.description}, nil)
	}
	to := groupsPath(c) + "#group-" + g.ID
	if r.PostFormValue("from") == "home" {
		to = "/o/" + url.PathEscape(c.Org.Slug) + "#g-" + g.ID
	}
	return redirect(w, r, to, "Group “"+g.Name+"” created.")
}

func (h *Handler) updateGroup(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id := r.PathValue("id")
	typed := &groupRow{Group: persona.Group{ID: id}, Name: r.PostFormValue("name"), Description: r.PostFormValue("description")}
	g, err := h.svc.UpdateGroup(r.Context(), c.Actor, c.Org.Slug, id, groupInput(typed.Name, typed.Description))
	if err != nil {
		return h.groupRefused(w, r, c, id, err, groupsView{}, typed)
	}
	return redirect(w, r, groupsPath(c)+"#group-"+g.ID, "Group “"+g.Name+"” saved.")
}

func (h *Handler) moveGroup(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id := r.PathValue("id")
	dir := r.PostFormValue("direction")
	by := 0
	switch dir {
	case "up":
		by = -1
	case "down":
		by = 1
	default:
		return h.groupRefused(w, r, c, id, persona.Invalid("invalid move", []persona.FieldError{{Field: "direction", Message: "must be up or down"}}), groupsView{}, nil)
	}
	groups, err := h.svc.MoveGroup(r.Context(), c.Actor, c.Org.Slug, id, by)
	if err != nil {
		return h.groupRefused(w, r, c, id, err, groupsView{}, nil)
	}
	msg := ""
	for i, g := range groups {
		if g.ID == id {
			msg = "“" + g.Name + "” is now " + ordinal(i+1) + " of " + strconv.Itoa(len(groups)) + "."
		}
	}
	// No fragment: browsers skip autofocus on a URL with one, and the
	// focused button scrolls into view anyway.
	return redirect(w, r, groupsPath(c)+"?moved="+url.QueryEscape(id)+"&dir="+dir, msg)
}

func (h *Handler) deleteGroup(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id := r.PathValue("id")
	moveTo := r.PostFormValue("move_to")
	g, err := h.svc.GetGroup(r.Context(), c.Actor, c.Org.Slug, id)
	if err != nil {
		return err
	}
	names := map[string]string{}
	if moveTo != "" {
		if t, err := h.svc.GetGroup(r.Context(), c.Actor, c.Org.Slug, moveTo); err == nil {
			names[moveTo] = t.Name
		}
	}
	if err := h.svc.DeleteGroupMoving(r.Context(), c.Actor, c.Org.Slug, id, moveTo); err != nil {
		if persona.ErrorCode(err) == persona.CodeConflict && moveTo == "" {
			err = persona.Errorf(persona.CodeConflict, "“%s” still holds personas (counting the trash). Choose a group to move them to, then delete it.", g.Name)
		}
		return h.groupRefused(w, r, c, id, err, groupsView{}, nil)
	}
	msg := "Group “" + g.Name + "” deleted."
	if moveTo != "" && g.PersonaCount > 0 {
		msg = "Group “" + g.Name + "” deleted; its personas moved to “" + names[moveTo] + "”."
	}
	return redirect(w, r, groupsPath(c), msg)
}

func groupInput(name, description string) app.GroupInput {
	return app.GroupInput{Name: name, Description: description}
}

// ordinal is 1st, 2nd, 3rd, 4th …
func ordinal(n int) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return strconv.Itoa(n) + suffix
}

// ---- moving personas ----

// movePersonas moves the personas ticked on the home page.
func (h *Handler) movePersonas(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	ids, to := r.PostForm["ids"], r.PostFormValue("group_id")
	ps, err := h.svc.MovePersonas(r.Context(), c.Actor, c.Org.Slug, ids, to)
	if err != nil {
		msg, fields, ok := fieldRefusal(err)
		if !ok && persona.ErrorCode(err) == persona.CodeNotFound {
			msg, ok = "One of the personas was deleted or moved to the trash meanwhile, so nothing was moved. Check the list and try again.", true
		}
		if !ok {
			return err
		}
		switch {
		case fields["ids"] != "":
			msg = "Nothing was moved: " + fields["ids"] + "."
		case fields["group_id"] != "":
			msg = "Nothing was moved: " + fields["group_id"] + "."
		}
		return h.renderHome(w, r, c, statusFor(persona.ErrorCode(err)), homeFilters{}, homeMove{Error: msg, Selected: ids, To: to})
	}
	name := to
	if g, err := h.svc.GetGroup(r.Context(), c.Actor, c.Org.Slug, to); err == nil {
		name = g.Name
	}
	n := "1 persona"
	if len(ps) != 1 {
		n = strconv.Itoa(len(ps)) + " personas"
	}
	return redirect(w, r, "/o/"+url.PathEscape(c.Org.Slug)+"#g-"+to, "Moved "+n+" to “"+name+"”.")
}

// movePersona moves one persona from its page.
func (h *Handler) movePersona(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id := r.PathValue("id")
	ps, err := h.svc.MovePersonas(r.Context(), c.Actor, c.Org.Slug, []string{id}, r.PostFormValue("group_id"))
	if err != nil {
		if msg, fields, ok := fieldRefusal(err); ok && fields["group_id"] != "" {
			return persona.Errorf(persona.CodeInvalid, "The persona was not moved. Group: %s.", fields["group_id"])
		} else if ok {
			return persona.Errorf(persona.ErrorCode(err), "The persona was not moved: %s", msg)
		}
		return err
	}
	name := ""
	if g, err := h.svc.GetGroup(r.Context(), c.Actor, c.Org.Slug, ps[0].GroupID); err == nil {
		name = g.Name
	}
	return redirect(w, r, "/o/"+url.PathEscape(c.Org.Slug)+"/personas/"+id, ps[0].Name+" is now in “"+name+"”.")
}
