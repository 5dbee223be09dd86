package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// The members' side of share links: making one with its lens, the list of
// the organisation's links, revoking. The audience's side is shared.go.

func (h *Handler) shareRoutes() {
	h.org("GET /o/{org}/shares", h.sharesPage)
	h.org("GET /o/{org}/shares/new", h.newSharePage)
	h.org("POST /o/{org}/shares", h.createShare)
	h.org("POST /o/{org}/shares/{id}/revoke", h.revokeShare)
}

// shareExpiries are the choices of how long a link works.
var shareExpiries = []struct {
	Value, Label string
	Days         int
}{
	{"", "Until revoked", 0}, {"1", "1 day", 1}, {"7", "7 days", 7}, {"30", "30 days", 30}, {"90", "90 days", 90},
}

type shareFormView struct {
	Kind     persona.ShareKind
	IDs      []string
	Subject  string // what is shared, in words
	Back     string // the shared object's page
	Sections []shareFormSection
	Dims     []persona.Dimension
	HasCopy  bool // the kind has fields (not a Launchpad)
	Title    string
	Lens     persona.ShareLens
	Expires  string
	Expiries any
	Frames   string
	Errors   map[string]string
	Error    string
}

type shareFormSection struct {
	Key, Label string
	Fields     []persona.Field
}

// HidesSection and HidesField say whether the form has the box ticked.
func (v shareFormView) HidesSection(key string) bool {
	return slices.Contains(v.Lens.HiddenSections, key)
}
func (v shareFormView) HidesField(key string) bool { return slices.Contains(v.Lens.HiddenFields, key) }

// shareForm lays out the form for sharing kind ids: the sections and
// fields of their templates (a comparison's, merged by key) to hide.
func (h *Handler) shareForm(r *http.Request, c *Ctx, kind persona.ShareKind, ids []string) (shareFormView, error) {
	v := shareFormView{Kind: kind, IDs: ids, Errors: map[string]string{}, Expiries: shareExpiries, HasCopy: kind != persona.ShareOfLaunchpad}
	if !c.Can(persona.RoleEditor) {
		return v, persona.Errorf(persona.CodeForbidden, "Sharing outside the organisation needs the editor role; yours is %s.", c.Role)
	}
	ctx := r.Context()
	org := url.PathEscape(c.Org.Slug)
	var personas []persona.Persona
	switch kind {
	case persona.ShareOfPersona, persona.ShareOfComparison:
		if len(ids) == 0 {
			return v, persona.Errorf(persona.CodeInvalid, "Choose what to share.")
		}
		for _, id := range ids {
			p, err := h.svc.GetPersona(ctx, c.Actor, c.Org.Slug, id)
			if err != nil {
				return v, err
			}
			personas = append(personas, p)
		}
		names := make([]string, len(personas))
		for i, p := range personas {
			names[i] = p.Name
		}
		v.Subject = strings.Join(names, " vs ")
		v.Back = "/o/" + org + "/personas/" + url.PathEscape(ids[0])
		if kind == persona.ShareOfComparison {
			v.Back = compareURL(c.Org.Slug, ids)
		}
	case persona.ShareOfVariant:
		if len(ids) != 1 {
			return v, persona.Errorf(persona.CodeInvalid, "Choose the variant to share.")
		}
		d, err := h.svc.GetVariant(ctx, c.Actor, c.Org.Slug, ids[0])
		if err != nil {
			return v, err
		}
		personas = []persona.Persona{d.Base}
		v.Subject = d.Base.Name + " at " + d.CustomerName()
		v.Back = "/o/" + org + "/variants/" + url.PathEscape(ids[0])
	case persona.ShareOfLaunchpad:
		if len(ids) != 1 {
			return v, persona.Errorf(persona.CodeInvalid, "Choose the Launchpad to share.")
		}
		d, err := h.svc.GetLaunchpad(ctx, c.Actor, c.Org.Slug, ids[0])
		if err != nil {
			return v, err
		}
		v.Subject = d.Launchpad.Name
		v.Back = "/o/" + org + "/launchpads/" + url.PathEscape(ids[0])
	default:
		return v, persona.Errorf(persona.CodeInvalid, "Choose what to share: a persona, a variant, a comparison or a Launchpad.")
	}
	seen := map[string]int{}
	for _, p := range personas {
		ver, err := h.svc.PersonaDefinition(ctx, c.Actor, c.Org.Slug, p)
		if err != nil {
			return v, err
		}
		for _, s := range ver.Definition.Sections {
			i, ok := seen[s.Key]
			if !ok {
				i = len(v.Sections)
				seen[s.Key] = i
				v.Sections = append(v.Sections, shareFormSection{Key: s.Key, Label: s.LabelFor(p.ProfileType)})
			}
			for _, f := range s.Fields {
				if !slices.ContainsFunc(v.Sections[i].Fields, func(x persona.Field) bool { return x.Key == f.Key }) {
					v.Sections[i].Fields = append(v.Sections[i].Fields, f)
				}
			}
		}
		for _, d := range ver.Definition.Dimensions {
			if !slices.ContainsFunc(v.Dims, func(x persona.Dimension) bool { return x.Key == d.Key }) {
				v.Dims = append(v.Dims, d)
			}
		}
	}
	return v, nil
}

func shareKindAndIDs(r *http.Request) (persona.ShareKind, []string) {
	return persona.ShareKind(r.FormValue("kind")), compareIDs(r.Form["id"])
}

func (h *Handler) newSharePage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	r.ParseForm()
	kind, ids := shareKindAndIDs(r)
	v, err := h.shareForm(r, c, kind, ids)
	if err != nil {
		return err
	}
	v.Lens.HideMembers = true // the safer default for an outside audience
	return h.render(w, r, c, http.StatusOK, "share_new", "Share "+v.Subject, v)
}

// shareCreatedView shows a new link, the one time its token is known.
type shareCreatedView struct {
	Link  persona.ShareLink
	URL   string
	Embed string
	Back  string
}

func (h *Handler) createShare(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	kind, ids := shareKindAndIDs(r)
	v, err := h.shareForm(r, c, kind, ids)
	if err != nil {
		return err
	}
	v.Title = r.PostFormValue("title")
	v.Lens = persona.ShareLens{HiddenSections: r.PostForm["hide_section"], HiddenFields: r.PostForm["hide_field"],
		HideEvidence: r.PostFormValue("hide_evidence") != "", HideNotes: r.PostFormValue("hide_notes") != "",
		HideComments: r.PostFormValue("hide_comments") != "", HideMembers: r.PostFormValue("hide_members") != ""}
	v.Expires = r.PostFormValue("expires")
	v.Frames = r.PostFormValue("frame_ancestors")
	in := app.ShareInput{Kind: kind, SubjectIDs: ids, Title: v.Title, Lens: v.Lens, Password: r.PostFormValue("password"),
		FrameAncestors: strings.Fields(strings.NewReplacer(",", " ").Replace(v.Frames))}
	if v.Expires != "" {
		days, err := strconv.Atoi(v.Expires)
		if err != nil || days <= 0 || days > 366 {
			v.Errors["expires"] = "Choose how long the link works."
		} else {
			t := time.Now().Add(time.Duration(days) * 24 * time.Hour)
			in.ExpiresAt = &t
		}
	}
	if len(v.Errors) == 0 {
		l, token, err := h.svc.CreateShareLink(r.Context(), c.Actor, c.Org.Slug, in)
		if err == nil {
			link := baseURL(r) + "/s/" + url.PathEscape(token)
			cv := shareCreatedView{Link: l, URL: link, Back: v.Back,
				Embed: `<iframe src="` + link + `?embed=1" width="800" height="900" title="` + escapeHTML(l.Title) + `" loading="lazy" style="border:0"></iframe>`}
			return h.render(w, r, c, http.StatusCreated, "share_created", "Shared "+l.Title, cv)
		}
		e, ok := persona.AsError(err)
		if !ok || e.Code != persona.CodeInvalid {
			return err
		}
		for _, f := range e.Fields {
			if v.Errors[f.Field] == "" {
				v.Errors[f.Field] = sentence(f.Message)
			}
		}
		if len(e.Fields) == 0 {
			v.Error = sentence(e.Message)
		}
	}
	if v.Error == "" {
		v.Error = "The link was not made: see the marked fields."
	}
	return h.render(w, r, c, http.StatusUnprocessableEntity, "share_new", "Share "+v.Subject, v)
}

type sharesView struct {
	Links []persona.ShareLink
	Now   time.Time
	Admin bool
	Me    string
}

func (h *Handler) sharesPage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	if !c.Can(persona.RoleEditor) {
		return persona.Errorf(persona.CodeForbidden, "The organisation's share links are listed for editors and admins; your role is %s.", c.Role)
	}
	ls, err := h.svc.ListShareLinks(r.Context(), c.Actor, c.Org.Slug)
	if err != nil {
		return err
	}
	return h.render(w, r, c, http.StatusOK, "shares", "Share links",
		sharesView{Links: ls, Now: time.Now(), Admin: c.Can(persona.RoleAdmin), Me: c.Actor.UserID})
}

func (h *Handler) revokeShare(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	if err := h.svc.RevokeShareLink(r.Context(), c.Actor, c.Org.Slug, r.PathValue("id")); err != nil {
		return err
	}
	setFlash(w, r, "The share link was revoked: it no longer opens.")
	http.Redirect(w, r, "/o/"+url.PathEscape(c.Org.Slug)+"/shares", http.StatusSeeOther)
	return nil
}
