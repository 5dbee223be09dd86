package web

import (
	"bytes"
	"html/template"
	"image/jpeg"
	"net/http"
	"net/url"
	"strconv"

	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/photo"
)

// Image fields (persona.KindImage): the per-field upload page (editors),
// the pictures served from the database (members at
// /o/{org}/personas/{id}/images/{imageID}/{size}, a share link's audience
// at /s/{token}/images/{personaID}/{imageID}/{size}, shared.go), and
// their markup.

func (h *Handler) fieldImageRoutes() {
	h.org("GET /o/{org}/personas/{id}/images/{key}", h.fieldImagePage)
	h.upload("POST /o/{org}/personas/{id}/images/{key}", persona.RoleEditor, photoBodyLimit, false, h.uploadFieldImage)
	h.org("POST /o/{org}/personas/{id}/images/{key}/remove", h.removeFieldImage)
	h.org("GET /o/{org}/personas/{id}/images/{imageID}/{size}", h.fieldImage)
}

// fieldImageBase is the address prefix of a persona's pictures: the
// image ID and the size follow.
func fieldImageBase(org, personaID string) string {
	return "/o/" + url.PathEscape(org) + "/personas/" + url.PathEscape(personaID) + "/images/"
}

// imageFieldHTML is an image field's picture: the thumbnail (with its
// dimensions when known) linking to the large size. base is
// fieldImageBase or a share link's equivalent.
func imageFieldHTML(base, id, alt string, w, h int) template.HTML {
	if !persona.ValidImageID(id) {
		return `<span class="value-text">Picture</span>`
	}
	src := base + id + "/" + strconv.Itoa(photo.FitSmall)
	large := base + id + "/" + strconv.Itoa(photo.FitLarge)
	dims := ""
	if w > 0 && h > 0 {
		dims = ` width="` + strconv.Itoa(w) + `" height="` + strconv.Itoa(h) + `"`
	}
	return template.HTML(`<a class="field-image" href="` + escapeHTML(large) + `"><img src="` + escapeHTML(src) + `"` + dims +
		` alt="` + escapeHTML(alt) + `" loading="lazy" decoding="async"></a>`)
}

// fieldValueAt is fieldValueHTML for a field of a persona of org: an
// image field's picture is shown (without its dimensions), any other
// value as fieldValueHTML renders it.
func fieldValueAt(org, personaID string, f persona.Field, v any) template.HTML {
	if id, ok := v.(string); ok && f.Kind == persona.KindImage && id != "" {
		return imageFieldHTML(fieldImageBase(org, personaID), id, f.Label, 0, 0)
	}
	return fieldValueHTML(f, v)
}

func init() { funcs["fieldHTMLAt"] = fieldValueAt }

// imageDims reads the dimensions of a stored thumbnail; zeros when it
// cannot be read (the picture then shows without them).
func imageDims(f persona.PhotoFile, err error) (int, int) {
	if err != nil {
		return 0, 0
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(f.Data))
	if err != nil {
		return 0, 0
	}
	return cfg.Width, cfg.Height
}

// fieldImages renders the pictures of a persona's filled image fields
// into their views (the persona page).
func (h *Handler) fieldImages(r *http.Request, c *Ctx, v *personaView) {
	for i := range v.Sections {
		for j, f := range v.Sections[i].Filled {
			if f.Field.Kind != persona.KindImage {
				continue
			}
			id, _ := f.Value.(string)
			w, ht := imageDims(h.svc.FieldImage(r.Context(), c.Actor, c.Org.Slug, v.P.ID, id, photo.FitSmall))
			v.Sections[i].Filled[j].Image = imageFieldHTML(fieldImageBase(c.Org.Slug, v.P.ID), id, f.Field.Label, w, ht)
		}
	}
}

// fieldImageView is the per-field upload page.
type fieldImageView struct {
	P       persona.Persona
	Field   persona.Field
	Picture template.HTML // "" when the field is empty
	Error   string
	Accept  string
	MaxSize string
}

// fieldImageField loads the persona and its image field key.
func (h *Handler) fieldImageField(r *http.Request, c *Ctx) (persona.Persona, persona.Field, error) {
	p, err := h.svc.GetPersona(r.Context(), c.Actor, c.Org.Slug, r.PathValue("id"))
	if err != nil {
		return p, persona.Field{}, err
	}
	ver, err := h.svc.PersonaDefinition(r.Context(), c.Actor, c.Org.Slug, p)
	if err != nil {
		return p, persona.Field{}, err
	}
	f, ok := ver.Definition.Field(r.PathValue("key"))
	if !ok || f.Kind != persona.KindImage {
		return p, persona.Field{}, persona.ErrNotFound("picture field")
	}
	return p, f, nil
}

func (h *Handler) fieldImagePage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	return h.renderFieldImage(w, r, c, http.StatusOK, "")
}

func (h *Handler) renderFieldImage(w http.ResponseWriter, r *http.Request, c *Ctx, status int, refused string) error {
	if !c.Can(persona.RoleEditor) {
		return persona.Errorf(persona.CodeForbidden, "Changing a picture needs the editor role; yours is %s.", c.Role)
	}
	p, f, err := h.fieldImageField(r, c)
	if err != nil {
		return err
	}
	v := fieldImageView{P: p, Field: f, Error: refused, Accept: photo.Accept, MaxSize: persona.FormatBytes(photo.MaxBytes)}
	if id, _ := p.Values[f.Key].(string); id != "" {
		wd, ht := imageDims(h.svc.FieldImage(r.Context(), c.Actor, c.Org.Slug, p.ID, id, photo.FitSmall))
		v.Picture = imageFieldHTML(fieldImageBase(c.Org.Slug, p.ID), id, f.Label, wd, ht)
	}
	return h.render(w, r, c, status, "field_image", f.Label+" — "+p.Name, v)
}

// uploadFieldImage sets the field's picture from the form's file
// (multipart) as the persona's next revision; a refused picture gets the
// page back with the reason, and nothing is stored.
func (h *Handler) uploadFieldImage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	data, status, refusal, err := readPicture(r, "picture", "The picture is")
	if err != nil || refusal != "" {
		if err != nil {
			return err
		}
		return h.renderFieldImage(w, r, c, status, refusal)
	}
	rev, _ := strconv.Atoi(r.FormValue("revision"))
	id, key := r.PathValue("id"), r.PathValue("key")
	if _, err := h.svc.SetFieldImage(r.Context(), c.Actor, c.Org.Slug, id, key, rev, data); err != nil {
		if e, ok := persona.AsError(err); ok && e.Code == persona.CodeInvalid && len(e.Fields) > 0 {
			return h.renderFieldImage(w, r, c, http.StatusUnprocessableEntity, "The picture "+e.Fields[0].Message+".")
		}
		if persona.ErrorCode(err) == persona.CodePreconditionFailed {
			return h.renderFieldImage(w, r, c, http.StatusConflict, "The persona was changed meanwhile; choose the picture again.")
		}
		return err
	}
	return redirect(w, r, "/o/"+c.Org.Slug+"/personas/"+id+"#field-"+key, "Picture saved.")
}

// removeFieldImage empties the field (a new revision; the picture stays
// in the history).
func (h *Handler) removeFieldImage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	rev, _ := strconv.Atoi(r.FormValue("revision"))
	id, key := r.PathValue("id"), r.PathValue("key")
	if _, err := h.svc.RemoveFieldImage(r.Context(), c.Actor, c.Org.Slug, id, key, rev); err != nil {
		if persona.ErrorCode(err) == persona.CodePreconditionFailed {
			return h.renderFieldImage(w, r, c, http.StatusConflict, "The persona was changed meanwhile; nothing was removed. Try again.")
		}
		return err
	}
	return redirect(w, r, "/o/"+c.Org.Slug+"/personas/"+id, "Picture removed.")
}

// fieldImage serves one size of a persona's picture (viewers). The
// address names the picture by its content, so it may be kept for good.
func (h *Handler) fieldImage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	size, err := strconv.Atoi(r.PathValue("size"))
	if err != nil {
		return persona.ErrNotFound("picture")
	}
	f, err := h.svc.FieldImage(r.Context(), c.Actor, c.Org.Slug, r.PathValue("id"), r.PathValue("imageID"), size)
	if err != nil {
		return err
	}
	serveFieldImage(w, r, f)
	return nil
}

func serveFieldImage(w http.ResponseWriter, r *http.Request, f persona.PhotoFile) {
	q := r.URL.Query()
	q.Set("v", shortVersion(f.SHA256)) // content-addressed: immutable
	r.URL.RawQuery = q.Encode()
	servePhoto(w, r, f)
}

// sharedFieldImage serves a picture a share link shows (app.SharedFieldImage).
func (h *Handler) sharedFieldImage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	l, err := h.openShare(r, "")
	if err != nil {
		return shareGone(err)
	}
	size, err := strconv.Atoi(r.PathValue("size"))
	if err != nil {
		return persona.ErrNotFound("picture")
	}
	f, err := h.svc.SharedFieldImage(r.Context(), l, r.PathValue("personaID"), r.PathValue("imageID"), size)
	if err != nil {
		return err
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("X-Robots-Tag", "noindex, nofollow")
	serveFieldImage(w, r, f)
	return nil
}
