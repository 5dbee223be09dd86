package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/jpeg"
	"testing"
	"time"

	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/photo"
	"github.com/personapal/personapal/internal/store/storetest"
)

// TestFieldImages, on both engines: an editor uploads a picture into an
// image field (a new revision whose value is the image ID, the picture
// stored fitted), replaces and removes it (the stored picture stays for
// the history); a viewer reads it but cannot set it; an unknown field or
// one of another kind is invalid; a stale If-Match and a refused picture
// store nothing.
func TestFieldImages(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := t.Context()
			now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
			r := newReviewOrg(ctx, t, eng, now)
			p, pic := withImageField(ctx, t, r)
			var err error

			_, err = r.svc.SetFieldImage(ctx, r.viewer, r.slug, p.ID, "desk", p.Revision, pic.Bytes())
			mustCode(t, err, persona.CodeForbidden, "a viewer sets it")
			_, err = r.svc.SetFieldImage(ctx, r.outsider, r.slug, p.ID, "desk", p.Revision, pic.Bytes())
			mustCode(t, err, persona.CodeNotFound, "an outsider sets it")
			_, err = r.svc.SetFieldImage(ctx, r.editor, r.slug, p.ID, "nope", p.Revision, pic.Bytes())
			mustCode(t, err, persona.CodeInvalid, "an unknown field")
			_, err = r.svc.SetFieldImage(ctx, r.editor, r.slug, p.ID, "role_title", p.Revision, pic.Bytes())
			mustCode(t, err, persona.CodeInvalid, "a text field")
			_, err = r.svc.SetFieldImage(ctx, r.editor, r.slug, p.ID, "desk", p.Revision, []byte("not a picture"))
			mustCode(t, err, persona.CodeInvalid, "a text file")
			_, err = r.svc.SetFieldImage(ctx, r.editor, r.slug, p.ID, "desk", p.Revision+5, pic.Bytes())
			mustCode(t, err, persona.CodePreconditionFailed, "a stale If-Match")
			if got, _ := r.svc.GetPersona(ctx, r.viewer, r.slug, p.ID); got.Revision != p.Revision {
				t.Fatalf("refused uploads wrote revision %d", got.Revision)
			}

			p2, err := r.svc.SetFieldImage(ctx, r.editor, r.slug, p.ID, "desk", p.Revision, pic.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			id, _ := p2.Values["desk"].(string)
			if p2.Revision != p.Revision+1 || !persona.ValidImageID(id) || p2.Values["role_title"] != "Tester" {
				t.Fatalf("after upload: revision %d, values %v", p2.Revision, p2.Values)
			}
			for _, size := range photo.FitSizes {
				f, err := r.svc.FieldImage(ctx, r.viewer, r.slug, p.ID, id, size)
				if err != nil {
					t.Fatalf("size %d: %v", size, err)
				}
				cfg, err := jpeg.DecodeConfig(bytes.NewReader(f.Data))
				if err != nil || cfg.Width != size || cfg.Height != size/4 {
					t.Errorf("size %d: %+v %v", size, cfg, err)
				}
			}
			_, err = r.svc.FieldImage(ctx, r.viewer, r.slug, p.ID, id, photo.Small)
			mustCode(t, err, persona.CodeNotFound, "a photo size")
			_, err = r.svc.FieldImage(ctx, r.outsider, r.slug, p.ID, id, photo.FitSmall)
			mustCode(t, err, persona.CodeNotFound, "an outsider reads it")
			_, err = r.svc.PersonaPhoto(ctx, r.viewer, r.slug, p.ID, photo.Small)
			mustCode(t, err, persona.CodeNotFound, "the picture is not the photo")

			_, err = r.svc.RemoveFieldImage(ctx, r.viewer, r.slug, p.ID, "desk", p2.Revision)
			mustCode(t, err, persona.CodeForbidden, "a viewer removes it")
			_, err = r.svc.RemoveFieldImage(ctx, r.editor, r.slug, p.ID, "desk", p.Revision)
			mustCode(t, err, persona.CodePreconditionFailed, "a stale removal")
			p3, err := r.svc.RemoveFieldImage(ctx, r.editor, r.slug, p.ID, "desk", p2.Revision)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := p3.Values["desk"]; ok || p3.Revision != p2.Revision+1 {
				t.Fatalf("after removal: revision %d, values %v", p3.Revision, p3.Values)
			}
			if _, err := r.svc.FieldImage(ctx, r.viewer, r.slug, p.ID, id, photo.FitLarge); err != nil {
				t.Errorf("the removed picture is kept for the history: %v", err)
			}
		})
	}
}

// withImageField gives the review organisation's template an image field
// "desk" (published) and a persona of it, with a 1600 × 400 picture to
// upload.
func withImageField(ctx context.Context, t *testing.T, r reviewOrg) (persona.Persona, *bytes.Buffer) {
	t.Helper()
	tm, err := r.svc.GetTemplate(ctx, r.owner, r.slug, r.template)
	if err != nil {
		t.Fatal(err)
	}
	def := tm.Draft
	def.Sections[0].Fields = append(def.Sections[0].Fields, persona.Field{Key: "desk", Label: "Desk", Kind: persona.KindImage})
	if _, err := r.svc.SaveDraft(ctx, r.owner, r.slug, r.template, def); err != nil {
		t.Fatal(err)
	}
	if _, err := r.svc.Publish(ctx, r.owner, r.slug, r.template); err != nil {
		t.Fatal(err)
	}
	p := r.persona(ctx, t, r.owner, "Ivy Image", "2026-11-01", 90)
	var pic bytes.Buffer
	if err := jpeg.Encode(&pic, image.NewGray(image.Rect(0, 0, 1600, 400)), nil); err != nil {
		t.Fatal(err)
	}
	return p, &pic
}

// An image field's picture goes through the organisation export and
// import byte for byte: the copy serves it under the same ID, and a second
// export is identical. A picture that is no picture refuses the import.
func TestFieldImagesGoThroughExportAndImport(t *testing.T) {
	ctx := t.Context()
	eng := storetest.Engines(t)[0]
	r := newReviewOrg(ctx, t, eng, time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC))
	p, pic := withImageField(ctx, t, r)
	var err error
	p, err = r.svc.SetFieldImage(ctx, r.editor, r.slug, p.ID, "desk", p.Revision, pic.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	id := p.Values["desk"].(string)
	first, err := r.svc.ExportOrg(ctx, r.owner, r.slug)
	if err != nil {
		t.Fatal(err)
	}
	var exported []byte
	for _, ep := range first.Personas {
		if ep.ID == p.ID {
			exported = ep.Images[id]
		}
	}
	if len(exported) == 0 {
		t.Fatal("the export has no picture for the image field")
	}
	raw, _ := json.Marshal(first)
	var doc persona.OrgExport
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if _, err := r.svc.ImportOrg(ctx, r.owner, "pictures-copy", "", doc, false); err != nil {
		t.Fatal(err)
	}
	got, err := r.svc.FieldImage(ctx, r.owner, "pictures-copy", p.ID, id, photo.FitLarge)
	if err != nil || !bytes.Equal(got.Data, exported) {
		t.Fatalf("the copy's picture: %v (same bytes: %v)", err, bytes.Equal(got.Data, exported))
	}
	if _, err := r.svc.FieldImage(ctx, r.owner, "pictures-copy", p.ID, id, photo.FitSmall); err != nil {
		t.Fatalf("the copy's thumbnail: %v", err)
	}
	second, err := r.svc.ExportOrg(ctx, r.owner, "pictures-copy")
	if err != nil {
		t.Fatal(err)
	}
	second.ExportedAt, second.Org = first.ExportedAt, first.Org
	a, _ := json.Marshal(first)
	b, _ := json.Marshal(second)
	if !bytes.Equal(a, b) {
		t.Fatal("the round trip with a picture is not identical")
	}

	for i := range doc.Personas {
		if doc.Personas[i].ID == p.ID {
			doc.Personas[i].Images[id] = []byte("<svg/>")
		}
	}
	_, err = r.svc.ImportOrg(ctx, r.owner, "pictures-bad", "", doc, false)
	mustCode(t, err, persona.CodeInvalid, "a picture that is not one")
	if _, _, err := r.svc.GetOrg(ctx, r.owner, "pictures-bad"); persona.ErrorCode(err) != persona.CodeNotFound {
		t.Fatalf("a refused import created the organisation: %v", err)
	}
}
