package web_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// photoJPEG is a 300 × 200 JPEG with a phone's EXIF block (its position
// written in plain text, so a test can look for it).
func photoJPEG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 300, 200))
	draw.Draw(img, img.Bounds(), &image.Uniform{color.RGBA{200, 120, 40, 255}}, image.Point{}, draw.Src)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	exif := []byte("Exif\x00\x00II*\x00\x08\x00\x00\x00\x00\x00\x00\x00\x00\x00GPS 51.5074 N")
	seg := append([]byte{0xFF, 0xE1, 0, byte(len(exif) + 2)}, exif...)
	return append(append(append([]byte{}, data[:2]...), seg...), data[2:]...)
}

// uploadPhoto posts the persona page's photo form.
func (b *browser) uploadPhoto(path, name string, data []byte) page {
	b.e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("photo", name)
	if err != nil {
		b.e.t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	req, err := http.NewRequest(http.MethodPost, b.e.srv.URL+path, &buf)
	if err != nil {
		b.e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", b.e.srv.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return b.do(req)
}

// An editor uploads a photo on the persona page: it replaces the initials
// there, on the home page's card and in the comparison; it is served in
// both sizes as a JPEG without the upload's metadata, cached privately
// with an ETag; a text file gets the page back with the reason by the
// form; a viewer cannot upload or remove one; removing brings the
// initials back.
func TestPersonaPhotoPages(t *testing.T) {
	e := newWebEnv(t)
	lead := e.demoPersona("System Lead")
	other := e.demoPersona("Compliance Analyst")
	owner := e.signedIn(e.owner)
	base := "/o/" + e.org + "/personas/" + lead.ID

	p := owner.get(base).must(t, http.StatusOK)
	if !strings.Contains(p.Body, `id="photo-form"`) || strings.Contains(p.Body, base+"/photo/512") {
		t.Fatal("the page has no photo form, or a photo already")
	}
	owner.get(base+"/photo/96").must(t, http.StatusNotFound)

	// Not a picture: the page again, 422, the reason by the form.
	p = owner.uploadPhoto(base+"/photo", "notes.jpg", []byte("just some text, not a picture"))
	p.must(t, http.StatusUnprocessableEntity)
	if !strings.Contains(p.Body, `id="photo-error"`) || !strings.Contains(p.Body, "Photo is not a JPEG, PNG or GIF picture") {
		t.Fatalf("no reason shown:\n%s", p.Body)
	}

	p = owner.uploadPhoto(base+"/photo", "me.jpg", photoJPEG(t)).must(t, http.StatusOK)
	if !strings.Contains(p.Body, "Photo saved.") || !strings.Contains(p.Body, base+"/photo/512?v=") || !strings.Contains(p.Body, `id="photo-remove"`) {
		t.Fatalf("the page does not show the photo:\n%s", p.Body)
	}
	for _, size := range []string{"96", "512"} {
		img := owner.get(base+"/photo/"+size).must(t, http.StatusOK)
		h := img.Header
		if h.Get("Content-Type") != "image/jpeg" || h.Get("X-Content-Type-Options") != "nosniff" ||
			!strings.HasPrefix(h.Get("Cache-Control"), "private") || h.Get("ETag") == "" {
			t.Errorf("size %s headers: %v", size, h)
		}
		if strings.Contains(img.Body, "Exif") || strings.Contains(img.Body, "51.5074") {
			t.Errorf("size %s keeps the upload's metadata", size)
		}
		cfg, err := jpeg.DecodeConfig(strings.NewReader(img.Body))
		if err != nil || cfg.Width != cfg.Height || (size == "96") != (cfg.Width == 96) {
			t.Errorf("size %s: %+v %v", size, cfg, err)
		}
		// Revalidation: 304 for the same ETag.
		req, _ := http.NewRequest(http.MethodGet, e.srv.URL+base+"/photo/"+size, nil)
		req.Header.Set("If-None-Match", h.Get("ETag"))
		if res := owner.do(req); res.Status != http.StatusNotModified {
			t.Errorf("size %s with its ETag: %d", size, res.Status)
		}
	}
	owner.get(base+"/photo/200").must(t, http.StatusNotFound)
	owner.get(base+"/photo/x").must(t, http.StatusNotFound)
	owner.get("/o/"+e.org+"/personas/"+other.ID+"/photo/96").must(t, http.StatusNotFound)

	// The home page's card and the comparison show it; other personas keep their initials.
	home := owner.get("/o/"+e.org).must(t, http.StatusOK)
	if !strings.Contains(home.Body, base+"/photo/96?v=") {
		t.Error("the home page's card shows no photo")
	}
	cmp := owner.get("/o/"+e.org+"/compare?ids="+lead.ID+"&ids="+other.ID).must(t, http.StatusOK)
	if !strings.Contains(cmp.Body, base+"/photo/96?v=") {
		t.Error("the comparison shows no photo")
	}

	// … and so does a variant's page, the base persona's photo.
	variants, err := e.svc.ListVariants(context.Background(), e.actor(e.owner), e.org, lead.ID)
	if err != nil || len(variants) == 0 {
		t.Fatalf("variants of %s: %v", lead.Name, err)
	}
	if vp := owner.get("/o/"+e.org+"/variants/"+variants[0].Variant.ID).must(t, http.StatusOK); !strings.Contains(vp.Body, base+"/photo/512?v=") {
		t.Error("the variant page shows no photo")
	}

	// A viewer sees it and cannot change it.
	viewer := e.signedIn(e.viewer)
	viewer.get(base+"/photo/96").must(t, http.StatusOK)
	if v := viewer.get(base).must(t, http.StatusOK); strings.Contains(v.Body, `id="photo-form"`) || !strings.Contains(v.Body, base+"/photo/512?v=") {
		t.Error("a viewer's page: a form, or no photo")
	}
	viewer.uploadPhoto(base+"/photo", "me.jpg", photoJPEG(t)).must(t, http.StatusForbidden)
	viewer.post(base+"/photo/delete", url.Values{}).must(t, http.StatusForbidden)

	// Removing: the initials again; removing twice is fine.
	p = owner.post(base+"/photo/delete", url.Values{}).must(t, http.StatusOK)
	if strings.Contains(p.Body, base+"/photo/512") || !strings.Contains(p.Body, "Photo removed.") {
		t.Error("the photo is still shown after removing it")
	}
	owner.post(base+"/photo/delete", url.Values{}).must(t, http.StatusOK)
	owner.get(base+"/photo/96").must(t, http.StatusNotFound)
}

// A share link serves the photos of the personas it shows and nothing
// else: another persona's photo, a locked link's, a revoked link's are
// all not found.
func TestSharedPhotos(t *testing.T) {
	e := newWebEnv(t)
	ctx := context.Background()
	owner := e.actor(e.owner)
	lead := e.demoPersona("System Lead")
	other := e.demoPersona("Compliance Analyst")
	for _, p := range []persona.Persona{lead, other} {
		if err := e.svc.SetPersonaPhoto(ctx, owner, e.org, p.ID, photoJPEG(t)); err != nil {
			t.Fatal(err)
		}
	}
	l, token, err := e.svc.CreateShareLink(ctx, owner, e.org, app.ShareInput{Kind: persona.ShareOfPersona, SubjectIDs: []string{lead.ID}})
	if err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	page := b.get("/s/"+token).must(t, http.StatusOK)
	if !strings.Contains(page.Body, "/s/"+token+"/photo/"+lead.ID) {
		t.Fatal("the shared page shows no photo")
	}
	img := b.get("/s/"+token+"/photo/"+lead.ID).must(t, http.StatusOK)
	if img.Header.Get("Content-Type") != "image/jpeg" || img.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("headers %v", img.Header)
	}
	if cfg, err := jpeg.DecodeConfig(strings.NewReader(img.Body)); err != nil || cfg.Width != 512 {
		t.Errorf("the shared photo: %+v %v", cfg, err)
	}
	b.get("/s/"+token+"/photo/"+lead.ID+"?size=96").must(t, http.StatusOK)
	b.get("/s/"+token+"/photo/"+other.ID).must(t, http.StatusNotFound)
	b.get("/s/"+token+"/photo/"+lead.ID+"?size=7").must(t, http.StatusNotFound)
	b.get("/s/pps_nope/photo/"+lead.ID).must(t, http.StatusNotFound)

	// A comparison shows both; a password locks them until unlocked.
	_, cmpToken, err := e.svc.CreateShareLink(ctx, owner, e.org, app.ShareInput{Kind: persona.ShareOfComparison,
		SubjectIDs: []string{lead.ID, other.ID}, Password: "a share password"})
	if err != nil {
		t.Fatal(err)
	}
	b.get("/s/"+cmpToken+"/photo/"+other.ID).must(t, http.StatusNotFound)
	b.post("/s/"+cmpToken, url.Values{"password": {"a share password"}}).must(t, http.StatusOK)
	b.get("/s/"+cmpToken+"/photo/"+other.ID).must(t, http.StatusOK)
	if c := b.get("/s/"+cmpToken).must(t, http.StatusOK); !strings.Contains(c.Body, "/photo/"+other.ID) || !strings.Contains(c.Body, "/photo/"+lead.ID) {
		t.Error("the shared comparison shows no photos")
	}

	// Revoked: gone.
	if err := e.svc.RevokeShareLink(ctx, owner, e.org, l.ID); err != nil {
		t.Fatal(err)
	}
	b.get("/s/"+token+"/photo/"+lead.ID).must(t, http.StatusNotFound)
}

// The lists' avatars show the photo too: the groups page's faces, the
// evidence of a persona and its alignment (Ctx.Photo, one query a page).
func TestListAvatarsShowThePhoto(t *testing.T) {
	e := newWebEnv(t)
	lead := e.demoPersona("System Lead")
	owner := e.signedIn(e.owner)
	owner.uploadPhoto("/o/"+e.org+"/personas/"+lead.ID+"/photo", "lead.jpg", photoJPEG(t)).must(t, http.StatusOK)
	want := "/o/" + e.org + "/personas/" + lead.ID + "/photo/96?v="
	for _, path := range []string{"/o/" + e.org + "/groups", "/o/" + e.org + "/personas/" + lead.ID + "/evidence"} {
		if p := e.signedIn(e.viewer).get(path).must(t, http.StatusOK); !strings.Contains(p.Body, want) {
			t.Errorf("%s shows no photo", path)
		}
	}
}
