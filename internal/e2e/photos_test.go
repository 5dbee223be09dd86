package e2e_test

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

// portraitJPEG is a 600 × 400 picture (not square): a warm gradient with a
// round "face" right of the centre, so a crop shows in the screenshots.
func portraitJPEG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 600, 400))
	for y := 0; y < 400; y++ {
		for x := 0; x < 600; x++ {
			c := color.RGBA{uint8(120 + x/6), uint8(90 + y/4), uint8(160 - x/8), 255}
			if dx, dy := x-320, y-180; dx*dx+dy*dy < 90*90 {
				c = color.RGBA{240, 200, 170, 255}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// imageShown waits for an image to have loaded at its stored size.
func imageShown(sel string, width int) action {
	return until(sel+" loaded", `(sel, w) => { const img = document.querySelector(sel);
		if (!img) return "no " + sel;
		if (!img.complete || img.naturalWidth === 0) return sel + " has not loaded (" + img.src + ")";
		return img.naturalWidth === w ? "" : sel + " is " + img.naturalWidth + " px wide, not " + w; }`, sel, width)
}

// Issue 18: an editor uploads a photo on the persona page through the
// form; it replaces the initials in the header and on the persona's card,
// at phone and desktop widths, light and dark; removing it brings the
// initials back.
func TestPhotoUploadOnThePersonaPage(t *testing.T) {
	if env.skip != "" || env.setupErr != nil {
		newBrowser(t) // skips or fails with the reason
	}
	word := unique("photo")
	name := "Pia Photo " + word
	var created struct {
		ID string `json:"id"`
	}
	apiDo(t, "POST", "/api/v1/orgs/"+env.org+"/personas", map[string]any{
		"name": name, "summary": "A persona with a photo", "template_id": findTemplate(t, "ux"), "group_id": findGroup(t, "Product users"),
		"values": map[string]any{"role_title": "Field researcher", "quote": "A face makes a persona memorable."},
	}, &created)
	t.Cleanup(func() { apiDo(t, "DELETE", "/api/v1/orgs/"+env.org+"/personas/"+created.ID, nil, nil) })
	pic := filepath.Join(t.TempDir(), "portrait.jpg")
	if err := os.WriteFile(pic, portraitJPEG(t), 0o644); err != nil {
		t.Fatal(err)
	}

	b := signIn(t, orgPath("/personas/"+created.ID))
	b.step("initials before the upload, the photo form for an editor",
		present(".pp-head span.avatar", 1), present(".pp-head img.avatar", 0), present("#photo-form", 1), present("#photo-remove", 0))
	b.step("upload the picture through the form",
		chromedp.SetUploadFiles("#photo-file", []string{pic}), follow("#photo-upload"))
	b.step("the page shows the photo instead of the initials",
		see(".flash", "Photo saved."), present(".pp-head span.avatar", 0), imageShown(".pp-head img.avatar.photo", 512),
		present("#photo-remove", 1))
	b.looks("persona page with a photo", ".pp-head img.avatar.photo")

	b.step("the persona's card on the home page shows it",
		open(orgPath("")), imageShown(card(name)+" img.avatar.photo", 96))
	b.step("scroll to the card", js(`(sel) => { document.querySelector(sel).scrollIntoView({block: "center"}); return ""; }`, card(name)))
	b.looks("home page with a photo on a card", card(name)+" img.avatar.photo")

	b.step("remove it: the initials again",
		open(orgPath("/personas/"+created.ID)), follow("#photo-remove"),
		see(".flash", "Photo removed."), present(".pp-head img.avatar", 0), present(".pp-head span.avatar", 1))
}

// The image routes are no pages for the page walk (pages_test.go).
func init() {
	notPages["/o/{org}/personas/{id}/photo/{size}"] = "a persona's photo (a JPEG, shown by the persona page, cards and the comparison)"
	notPages["/s/{token}/photo/{personaID}"] = "the photo of a shared persona (a JPEG, shown by the shared page)"
}
