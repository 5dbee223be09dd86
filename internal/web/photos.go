package web

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/photo"
)

// Persona photos: the form on the persona page (editors), and the images
// themselves, served from the database in the sizes photo.Sizes (never
// fetched from another site). A share link's audience reaches a photo
// through /s/{token}/photo/{personaID} (shared.go).

func (h *Handler) photoRoutes() {
	h.org("GET /o/{org}/personas/{id}/photo/{size}", h.personaPhoto)
	// The role is checked before the body is read; the handler reads the
	// bounded body itself and says why a picture is refused.
	h.upload("POST /o/{org}/personas/{id}/photo", persona.RoleEditor, photoBodyLimit, false, h.uploadPhoto)
	h.org("POST /o/{org}/personas/{id}/photo/delete", h.removePhoto)
}

// photoBodyLimit bounds an upload's body: the largest picture and room
// for the multipart framing.
func photoBodyLimit() int64 { return photo.MaxBytes + 64<<10 }

// photoView is the persona page's photo and its form.
type photoView struct {
	Small, Large string // the image addresses; "" without a photo
	Error        string // why an upload was refused
	Accept       string
	MaxSize      string
}

// photoURL is the address of one size of a persona's photo; version (its
// checksum) changes with the photo, so the address can be cached.
func photoURL(org, personaID, version string, size int) string {
	if version == "" {
		return ""
	}
	return "/o/" + url.PathEscape(org) + "/personas/" + url.PathEscape(personaID) + "/photo/" + strconv.Itoa(size) + "?v=" + shortVersion(version)
}

func shortVersion(v string) string { return v[:min(len(v), 16)] }

// photoVersions maps the organisation's personas with a photo to its
// version (for cards and lists).
func (h *Handler) photoVersions(r *http.Request, c *Ctx) (map[string]string, error) {
	return h.svc.PersonaPhotoVersions(r.Context(), c.Actor, c.Org.Slug)
}

// lazyPhotos is Ctx.Photo for an organisation page: one query for the
// versions, on the first avatar only. An error reads as "no photo": the
// initials are a fine avatar, and the page itself reports what failed.
func (h *Handler) lazyPhotos(r *http.Request, c *Ctx) func(string) string {
	var versions map[string]string
	loaded := false
	return func(id string) string {
		if !loaded {
			loaded = true
			versions, _ = h.photoVersions(r, c)
		}
		return photoURL(c.Org.Slug, id, versions[id], photo.Small)
	}
}

func (h *Handler) photoForm(r *http.Request, c *Ctx, p persona.Persona, refused string) (photoView, error) {
	versions, err := h.photoVersions(r, c)
	if err != nil {
		return photoView{}, err
	}
	v := versions[p.ID]
	return photoView{Small: photoURL(c.Org.Slug, p.ID, v, photo.Small), Large: photoURL(c.Org.Slug, p.ID, v, photo.Large),
		Error: refused, Accept: photo.Accept, MaxSize: persona.FormatBytes(photo.MaxBytes)}, nil
}

// personaPhoto serves one size of a persona's photo (viewers).
func (h *Handler) personaPhoto(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	size, err := strconv.Atoi(r.PathValue("size"))
	if err != nil {
		return persona.ErrNotFound("photo")
	}
	f, err := h.svc.PersonaPhoto(r.Context(), c.Actor, c.Org.Slug, r.PathValue("id"), size)
	if err != nil {
		return err
	}
	servePhoto(w, r, f)
	return nil
}

// servePhoto answers a stored picture: always a JPEG we encoded, nosniff,
// private to the browser; an address with the current version may be
// kept for good, any other is revalidated (ETag: its SHA-256).
func servePhoto(w http.ResponseWriter, r *http.Request, f persona.PhotoFile) {
	hd := w.Header()
	hd.Set("Content-Type", f.ContentType)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	hd.Set("ETag", `"`+f.SHA256+`"`)
	if v := r.URL.Query().Get("v"); v != "" && v == shortVersion(f.SHA256) {
		hd.Set("Cache-Control", "private, max-age=31536000, immutable")
	} else {
		hd.Set("Cache-Control", "private, no-cache")
	}
	http.ServeContent(w, r, "", f.UpdatedAt, bytes.NewReader(f.Data))
}

// uploadPhoto sets the persona's photo from the form's file (multipart).
// A refused picture gets the persona page back (422, 413 when too large)
// with the reason by the form; nothing is stored then.
func (h *Handler) uploadPhoto(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	data, status, refusal, err := readPicture(r, "photo", "Photo is")
	if err != nil || refusal != "" {
		if err != nil {
			return err
		}
		return h.renderPersona(w, r, c, status, refusal)
	}
	if err := h.svc.SetPersonaPhoto(r.Context(), c.Actor, c.Org.Slug, r.PathValue("id"), data); err != nil {
		if e, ok := persona.AsError(err); ok && e.Code == persona.CodeInvalid && len(e.Fields) > 0 && e.Fields[0].Field == "photo" {
			return h.renderPersona(w, r, c, http.StatusUnprocessableEntity, "Photo "+e.Fields[0].Message+".")
		}
		return err
	}
	return redirect(w, r, "/o/"+c.Org.Slug+"/personas/"+r.PathValue("id"), "Photo saved.")
}

// readPicture reads the one file of the multipart form's part: a
// refusal (with its status, 413, 400 or 422) is for the page to show, an
// error is the server's. what begins the too-large message ("Photo is").
func readPicture(r *http.Request, part, what string) (data []byte, status int, refusal string, err error) {
	tooBig := what + " larger than the " + persona.FormatBytes(photo.MaxBytes) + " limit; choose a smaller picture."
	if r.ContentLength > photoBodyLimit() {
		return nil, http.StatusRequestEntityTooLarge, tooBig, nil
	}
	if err := r.ParseMultipartForm(photoBodyLimit()); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, http.StatusRequestEntityTooLarge, tooBig, nil
		}
		return nil, http.StatusBadRequest, "The upload could not be read. Choose the picture again and retry.", nil
	}
	defer r.MultipartForm.RemoveAll()
	files := r.MultipartForm.File[part]
	if len(files) != 1 {
		return nil, http.StatusUnprocessableEntity, "Choose a picture to upload.", nil
	}
	f, err := files[0].Open()
	if err != nil {
		return nil, 0, "", err
	}
	defer f.Close()
	data, err = io.ReadAll(io.LimitReader(f, photo.MaxBytes+1))
	return data, 0, "", err
}

// removePhoto removes the persona's photo: its initials show again.
func (h *Handler) removePhoto(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id := r.PathValue("id")
	err := h.svc.RemovePersonaPhoto(r.Context(), c.Actor, c.Org.Slug, id)
	if persona.ErrorCode(err) == persona.CodeNotFound {
		if _, perr := h.svc.GetPersona(r.Context(), c.Actor, c.Org.Slug, id); perr != nil {
			return perr
		}
		err = nil // no photo to remove: what was asked holds
	}
	if err != nil {
		return err
	}
	return redirect(w, r, "/o/"+c.Org.Slug+"/personas/"+id, "Photo removed.")
}

// sharedPhoto serves the photo of a persona a share link shows (its
// one-pager size; ?size=96 for the small one), checked like the link's
// page: live, unlocked when it has a password. Any other persona, a
// locked, revoked or expired link: not found.
func (h *Handler) sharedPhoto(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	l, err := h.openShare(r, "")
	if err != nil {
		return shareGone(err)
	}
	size := photo.Large
	if s := r.URL.Query().Get("size"); s != "" {
		if size, err = strconv.Atoi(s); err != nil {
			return persona.ErrNotFound("photo")
		}
	}
	f, err := h.svc.SharedPhoto(r.Context(), l, r.PathValue("personaID"), size)
	if err != nil {
		return err
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("X-Robots-Tag", "noindex, nofollow")
	servePhoto(w, r, f)
	return nil
}
