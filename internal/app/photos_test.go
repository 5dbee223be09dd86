package app_test

import (
	"bytes"
	"image"
	"image/jpeg"
	"testing"
	"time"

	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/photo"
	"github.com/personapal/personapal/internal/store/storetest"
)

// TestPersonaPhotos, on both engines: editors set and remove a photo,
// viewers read it in every served size, outsiders reach nothing (404), a
// viewer cannot change it (403), a file that is not a picture is invalid
// on the field "photo" and stores nothing, a trashed persona's photo is
// not served.
func TestPersonaPhotos(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := t.Context()
			now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
			r := newReviewOrg(ctx, t, eng, now)
			p := r.persona(ctx, t, r.owner, "Nora Nurse", "2026-11-01", 90)
			var pic bytes.Buffer
			if err := jpeg.Encode(&pic, image.NewGray(image.Rect(0, 0, 300, 200)), nil); err != nil {
				t.Fatal(err)
			}

			_, err := r.svc.PersonaPhoto(ctx, r.viewer, r.slug, p.ID, photo.Small)
			mustCode(t, err, persona.CodeNotFound, "no photo yet")
			mustCode(t, r.svc.SetPersonaPhoto(ctx, r.outsider, r.slug, p.ID, pic.Bytes()), persona.CodeNotFound, "an outsider sets it")
			mustCode(t, r.svc.SetPersonaPhoto(ctx, r.viewer, r.slug, p.ID, pic.Bytes()), persona.CodeForbidden, "a viewer sets it")
			err = r.svc.SetPersonaPhoto(ctx, r.editor, r.slug, p.ID, []byte("not a picture at all"))
			mustCode(t, err, persona.CodeInvalid, "a text file")
			if e, _ := persona.AsError(err); len(e.Fields) != 1 || e.Fields[0].Field != "photo" {
				t.Errorf("a text file: fields %+v", e.Fields)
			}
			mustCode(t, r.svc.SetPersonaPhoto(ctx, r.editor, r.slug, "no-such-persona", pic.Bytes()), persona.CodeNotFound, "a missing persona")

			if err := r.svc.SetPersonaPhoto(ctx, r.editor, r.slug, p.ID, pic.Bytes()); err != nil {
				t.Fatal(err)
			}
			for _, size := range photo.Sizes {
				f, err := r.svc.PersonaPhoto(ctx, r.viewer, r.slug, p.ID, size)
				if err != nil {
					t.Fatalf("size %d: %v", size, err)
				}
				cfg, err := jpeg.DecodeConfig(bytes.NewReader(f.Data))
				if err != nil || cfg.Width != size || cfg.Height != size || f.ContentType != "image/jpeg" || f.UploadedBy != r.editor.UserID {
					t.Errorf("size %d: %+v %v (%s)", size, cfg, err, f.ContentType)
				}
			}
			_, err = r.svc.PersonaPhoto(ctx, r.viewer, r.slug, p.ID, 200)
			mustCode(t, err, persona.CodeNotFound, "a size not served")
			_, err = r.svc.PersonaPhoto(ctx, r.outsider, r.slug, p.ID, photo.Small)
			mustCode(t, err, persona.CodeNotFound, "an outsider reads it")
			v, err := r.svc.PersonaPhotoVersions(ctx, r.viewer, r.slug)
			if err != nil || v[p.ID] == "" {
				t.Fatalf("versions %v %v", v, err)
			}

			mustCode(t, r.svc.RemovePersonaPhoto(ctx, r.viewer, r.slug, p.ID), persona.CodeForbidden, "a viewer removes it")
			if err := r.svc.RemovePersonaPhoto(ctx, r.editor, r.slug, p.ID); err != nil {
				t.Fatal(err)
			}
			_, err = r.svc.PersonaPhoto(ctx, r.viewer, r.slug, p.ID, photo.Small)
			mustCode(t, err, persona.CodeNotFound, "a removed photo")

			// The trash: not served while trashed.
			if err := r.svc.SetPersonaPhoto(ctx, r.editor, r.slug, p.ID, pic.Bytes()); err != nil {
				t.Fatal(err)
			}
			if err := r.svc.TrashPersona(ctx, r.owner, r.slug, p.ID); err != nil {
				t.Fatal(err)
			}
			_, err = r.svc.PersonaPhoto(ctx, r.viewer, r.slug, p.ID, photo.Small)
			mustCode(t, err, persona.CodeNotFound, "a trashed persona's photo")
		})
	}
}
