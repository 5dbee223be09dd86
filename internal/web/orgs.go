package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/fault"
	"github.com/personapal/personapal/internal/persona"
)

// Organisations in the web app: anyone signed in creates one (and owns
// it); owners and admins rename it and change its slug on its settings
// page; owners hand ownership on and delete it (typed confirmation). A
// deleted organisation answers 404 everywhere; its owners find it on
// their home page (/) under "Deleted organisations" and restore it there
// for 30 days. Old slugs redirect members (orgRoute, web.go).

func (h *Handler) orgLifeRoutes() {
	h.signedIn("GET /orgs/new", h.newOrgPage)
	h.signedIn("POST /orgs", h.createOrg)
	h.signedIn("POST /deleted-orgs/{id}/restore", h.restoreOrg)
	h.org("GET /o/{org}/settings", h.settingsPage)
	// Every settings form needs an admin before its body is read; the app
	// checks the owner's forms again.
	for _, p := range []struct {
		pattern string
		role    persona.Role
		fn      pageHandler
	}{
		{"POST /o/{org}/settings/name", persona.RoleAdmin, h.renameOrg},
		{"POST /o/{org}/settings/slug", persona.RoleAdmin, h.changeSlug},
		{"POST /o/{org}/settings/transfer", persona.RoleOwner, h.transferOwnership},
		{"POST /o/{org}/settings/delete", persona.RoleOwner, h.deleteOrg},
	} {
		h.upload(p.pattern, p.role, func() int64 { return smallBody }, true, p.fn)
	}
	h.groupRoutes() // groups.go
}

// refusal splits an error a person can act on into a sentence and the
// message of each field it names; ok is false for anything else (signing
// in, internal errors), which the caller passes on to the error page.
func fieldRefusal(err error) (msg string, fields map[string]string, ok bool) {
	e, isErr := persona.AsError(err)
	if !isErr || e.Code == persona.CodeUnauthenticated || e.Code == persona.CodeNotFound || fault.For(e.Code).Internal() {
		return "", nil, false
	}
	fields = map[string]string{}
	for _, f := range e.Fields {
		if _, dup := fields[f.Field]; !dup {
			fields[f.Field] = f.Message
		}
	}
	msg = e.Message
	if len(e.Fields) > 0 {
		msg = "Please correct what is marked below."
	}
	return msg, fields, true
}

// ---- creating ----

type newOrgView struct {
	Name, Slug string
	Error      string
	Errors     map[string]string
}

func (h *Handler) newOrgPage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	return h.render(w, r, c, http.StatusOK, "org_new", "New organisation", newOrgView{})
}

func (h *Handler) createOrg(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	v := newOrgView{Name: r.PostFormValue("name"), Slug: r.PostFormValue("slug")}
	org, err := h.svc.CreateOrg(r.Context(), c.Actor, v.Name, v.Slug)
	if err != nil {
		msg, fields, ok := fieldRefusal(err)
		if !ok {
			return err
		}
		v.Error, v.Errors = msg, fields
		return h.render(w, r, c, statusFor(persona.ErrorCode(err)), "org_new", "New organisation", v)
	}
	return redirect(w, r, "/o/"+url.PathEscape(org.Slug), "Welcome to "+org.Name+". You are its owner. Start with a group for your personas.")
}

// ---- settings ----

type settingsView struct {
	Name, Slug string // what the forms hold
	IsOwner    bool
	// Others are the members ownership can pass to.
	Others     []persona.Member
	TransferTo string
	Confirm    string
	// Form is the form the error belongs to (name, slug, transfer, delete).
	Form      string
	Error     string
	Errors    map[string]string
	PurgeDays int
	Proposals proposalSetting // proposals.go
}

func (h *Handler) settingsPage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	return h.renderSettings(w, r, c, http.StatusOK, settingsView{Name: c.Org.Name, Slug: c.Org.Slug})
}

func (h *Handler) renderSettings(w http.ResponseWriter, r *http.Request, c *Ctx, status int, v settingsView) error {
	if !c.Can(persona.RoleAdmin) {
		return persona.Errorf(persona.CodeForbidden, "Only the organisation's owners and admins change its settings; you are %s.", c.Role)
	}
	v.IsOwner = c.Role == persona.RoleOwner
	v.PurgeDays = int(persona.OrgRestoreWindow / (24 * time.Hour))
	v.Proposals = h.proposalSettingOf(r, c)
	if v.IsOwner {
		members, err := h.svc.ListMembers(r.Context(), c.Actor, c.Org.Slug)
		if err != nil {
			return err
		}
		for _, m := range members {
			if m.UserID != c.Actor.UserID {
				v.Others = append(v.Others, m)
			}
		}
	}
	return h.render(w, r, c, status, "org_settings", "Settings of "+c.Org.Name, v)
}

// settingsRefused shows the settings page again with why form was refused.
func (h *Handler) settingsRefused(w http.ResponseWriter, r *http.Request, c *Ctx, form string, err error, v settingsView) error {
	msg, fields, ok := fieldRefusal(err)
	if !ok {
		return err
	}
	if v.Name == "" {
		v.Name = c.Org.Name
	}
	if v.Slug == "" {
		v.Slug = c.Org.Slug
	}
	v.Form, v.Error, v.Errors = form, msg, fields
	return h.renderSettings(w, r, c, statusFor(persona.ErrorCode(err)), v)
}

func settingsPath(slug string) string { return "/o/" + url.PathEscape(slug) + "/settings" }

func (h *Handler) renameOrg(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	name := r.PostFormValue("name")
	org, err := h.svc.RenameOrg(r.Context(), c.Actor, c.Org.Slug, name)
	if err != nil {
		return h.settingsRefused(w, r, c, "name", err, settingsView{Name: name})
	}
	return redirect(w, r, settingsPath(org.Slug), "The organisation is now called "+org.Name+".")
}

func (h *Handler) changeSlug(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	slug := r.PostFormValue("slug")
	old := c.Org.Slug
	org, err := h.svc.ChangeSlug(r.Context(), c.Actor, old, slug)
	if err != nil {
		return h.settingsRefused(w, r, c, "slug", err, settingsView{Slug: strings.TrimSpace(slug)})
	}
	if org.Slug == old {
		return redirect(w, r, settingsPath(org.Slug), "The address stays /o/"+old+".")
	}
	return redirect(w, r, settingsPath(org.Slug), "The organisation's address is now /o/"+org.Slug+
		". Links to /o/"+old+" keep leading its members here, and no other organisation can take it.")
}

func (h *Handler) transferOwnership(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	to := r.PostFormValue("user_id")
	m, err := h.svc.TransferOwnership(r.Context(), c.Actor, c.Org.Slug, to)
	if err != nil {
		return h.settingsRefused(w, r, c, "transfer", err, settingsView{TransferTo: to})
	}
	who := m.Name
	if who == "" {
		who = m.Email
	}
	return redirect(w, r, settingsPath(c.Org.Slug), who+" is now an owner of "+c.Org.Name+", and you are an admin.")
}

func (h *Handler) deleteOrg(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	confirm := r.PostFormValue("confirm")
	d, err := h.svc.DeleteOrg(r.Context(), c.Actor, c.Org.Slug, confirm)
	if err != nil {
		return h.settingsRefused(w, r, c, "delete", err, settingsView{Confirm: confirm})
	}
	return redirect(w, r, "/", c.Org.Name+" is deleted. Its owners can restore it below until "+d.PurgeAt().Format(dayLayout)+".")
}

func (h *Handler) restoreOrg(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	org, err := h.svc.RestoreOrg(r.Context(), c.Actor, r.PathValue("id"))
	if err != nil {
		if persona.ErrorCode(err) == persona.CodeNotFound {
			err = persona.Errorf(persona.CodeNotFound, "That organisation cannot be restored: it is not deleted, not yours to restore, or was deleted more than 30 days ago.")
		}
		return h.invitationRefused(w, r, c, err)
	}
	return redirect(w, r, "/o/"+url.PathEscape(org.Slug), org.Name+" is restored, as it was.")
}

// redirectMoved answers a request to an organisation's old slug, from one
// of its members, with a redirect to the same page at the current slug:
// 301 for pages (GET, HEAD), 308 for forms (the browser sends the form
// again, to the new address, where every check runs again). The answer
// depends on who asks and an old slug may be taken back, so it is never
// cached. Anyone else, and any other error, is left to the error page.
func (h *Handler) redirectMoved(w http.ResponseWriter, r *http.Request, a app.Actor, err error) bool {
	if persona.ErrorCode(err) != persona.CodeNotFound {
		return false
	}
	old := r.PathValue("org")
	org, err := h.svc.OrgMovedTo(r.Context(), a, old)
	if err != nil {
		return false
	}
	to := movedPath(r.URL.EscapedPath(), url.PathEscape(old), org.Slug)
	if r.URL.RawQuery != "" {
		to += "?" + r.URL.RawQuery
	}
	status := http.StatusPermanentRedirect
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		status = http.StatusMovedPermanently
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Vary", "Cookie")
	http.Redirect(w, r, to, status)
	return true
}

// movedPath is path with its organisation slug replaced: /o/{old}/x →
// /o/{new}/x.
func movedPath(path, old, slug string) string {
	prefix := "/o/" + old
	if !strings.HasPrefix(path, prefix) {
		return "/o/" + slug
	}
	return "/o/" + url.PathEscape(slug) + strings.TrimPrefix(path, prefix)
}
