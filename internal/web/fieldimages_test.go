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
	"strconv"
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// imagePersonas makes a template with a picture field ("desk"), a
// sensitive one ("badge") and a hidden one ("home"), and two personas on
// it.
func (e *webEnv) imagePersonas() (persona.Persona, persona.Persona) {
	e.t.Helper()
	ctx := context.Background()
	owner := e.actor(e.owner)
	def := persona.Definition{Sections: []persona.Section{{Key: "look", Label: "Look", Fields: []persona.Field{
		{Key: "role_title", Label: "Role", Kind: persona.KindText},
		{Key: "desk", Label: "Desk", Kind: persona.KindImage},
		{Key: "badge", Label: "Badge", Kind: persona.KindImage, Sensitive: true},
		{Key: "home", Label: "Home", Kind: persona.KindImage},
	}}}}
	tm, err := e.svc.CreateTemplate(ctx, owner, e.org, app.TemplateInput{Name: "Pictures", ProfileType: persona.ProfileUX, Definition: &def})
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.svc.Publish(ctx, owner, e.org, tm.ID); err != nil {
		e.t.Fatal(err)
	}
	var out []persona.Persona
	for _, name := range []string{"Pia Picture", "Otto Other"} {
		p, err := e.svc.CreatePersona(ctx, owner, e.org, app.PersonaInput{Name: name, TemplateID: tm.ID, GroupID: e.demoGroups()[0],
			Status: persona.StatusDraft, Values: persona.Values{"role_title": "Tester"}})
		if err != nil {
			e.t.Fatal(err)
		}
		out = append(out, p)
	}
	return out[0], out[1]
}

// uploadPicture posts the per-field picture form.
func (b *browser) uploadPicture(path string, revision int, data []byte) page {
	b.e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("revision", strconv.Itoa(revision))
	fw, err := mw.CreateFormFile("picture", "desk.jpg")
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

// An editor uploads a picture into an image field on its page: the
// persona page shows it (with its dimensions and the field's label as
// alt) linking to the large size, served as a JPEG without the upload's
// metadata; the edit form keeps it; a viewer sees it but cannot change
// it; an outsider gets 404; removing empties the field.
func TestFieldImagePages(t *testing.T) {
	e := newWebEnv(t)
	p, other := e.imagePersonas()
	owner := e.signedIn(e.owner)
	base := "/o/" + e.org + "/personas/" + p.ID

	page := owner.get(base).must(t, http.StatusOK)
	if !strings.Contains(page.Body, `id="add-image-desk"`) {
		t.Fatal("the persona page has no Add picture link for the empty field")
	}
	form := owner.get(base+"/images/desk").must(t, http.StatusOK)
	if !strings.Contains(form.Body, `id="field-image-form"`) || strings.Contains(form.Body, `id="field-image-remove"`) {
		t.Fatal("the field's page has no form, or a remove button without a picture")
	}
	owner.get(base+"/images/role_title").must(t, http.StatusNotFound)
	owner.get(base+"/images/nope").must(t, http.StatusNotFound)

	bad := owner.uploadPicture(base+"/images/desk", p.Revision, []byte("just text")).must(t, http.StatusUnprocessableEntity)
	if !strings.Contains(bad.Body, `id="field-image-error"`) {
		t.Fatal("no reason for a text file")
	}
	owner.uploadPicture(base+"/images/desk", p.Revision+3, photoJPEG(t)).must(t, http.StatusConflict)
	if got, _ := e.svc.GetPersona(context.Background(), e.actor(e.owner), e.org, p.ID); got.Revision != p.Revision {
		t.Fatal("a refused upload wrote a revision")
	}

	page = owner.uploadPicture(base+"/images/desk", p.Revision, photoJPEG(t)).must(t, http.StatusOK)
	got, _ := e.svc.GetPersona(context.Background(), e.actor(e.owner), e.org, p.ID)
	id, _ := got.Values["desk"].(string)
	if !persona.ValidImageID(id) || got.Revision != p.Revision+1 {
		t.Fatalf("after upload: %v, revision %d", got.Values, got.Revision)
	}
	want := `<a class="field-image" href="` + base + `/images/` + id + `/1200"><img src="` + base + `/images/` + id + `/480" width="300" height="200" alt="Desk"`
	if !strings.Contains(page.Body, "Picture saved.") || !strings.Contains(page.Body, want) {
		t.Fatalf("the persona page does not show the picture %s:\n%s", want, page.Body)
	}
	for _, size := range []string{"480", "1200"} {
		img := owner.get(base+"/images/"+id+"/"+size).must(t, http.StatusOK)
		h := img.Header
		if h.Get("Content-Type") != "image/jpeg" || h.Get("X-Content-Type-Options") != "nosniff" ||
			!strings.HasPrefix(h.Get("Cache-Control"), "private") || h.Get("ETag") == "" {
			t.Errorf("size %s headers: %v", size, h)
		}
		if strings.Contains(img.Body, "Exif") || strings.Contains(img.Body, "51.5074") {
			t.Errorf("size %s keeps the upload's metadata", size)
		}
		if cfg, err := jpeg.DecodeConfig(strings.NewReader(img.Body)); err != nil || cfg.Width != 300 || cfg.Height != 200 {
			t.Errorf("size %s: %+v %v", size, cfg, err)
		}
	}
	owner.get(base+"/images/"+id+"/96").must(t, http.StatusNotFound)
	if cmp := owner.get("/o/"+e.org+"/compare?ids="+p.ID+"&ids="+other.ID).must(t, http.StatusOK); !strings.Contains(cmp.Body, `<img src="`+base+"/images/"+id+`/480"`) {
		t.Error("the comparison does not show the picture")
	}
	owner.get("/o/"+e.org+"/personas/"+other.ID+"/images/"+id+"/480").must(t, http.StatusNotFound)

	// The edit form keeps the value: saving it changes nothing of it.
	edit := owner.get(base+"/edit").must(t, http.StatusOK)
	if !strings.Contains(edit.Body, `name="v.desk" value="`+id+`"`) || !strings.Contains(edit.Body, `id="v-desk-picture-page"`) {
		t.Fatal("the edit form does not carry the picture")
	}
	vals := e.editForm(got)
	vals.Set("v.desk", id)
	owner.post(base, vals).must(t, http.StatusOK)
	if again, _ := e.svc.GetPersona(context.Background(), e.actor(e.owner), e.org, p.ID); again.Values["desk"] != id {
		t.Fatalf("saving the form dropped the picture: %v", again.Values)
	}

	// A viewer sees it, cannot change it; an outsider reaches nothing.
	viewer := e.signedIn(e.viewer)
	if v := viewer.get(base).must(t, http.StatusOK); !strings.Contains(v.Body, base+"/images/"+id+"/480") || strings.Contains(v.Body, `id="change-image-desk"`) {
		t.Error("a viewer's page: no picture, or a change link")
	}
	viewer.get(base+"/images/"+id+"/480").must(t, http.StatusOK)
	viewer.get(base+"/images/desk").must(t, http.StatusForbidden)
	viewer.uploadPicture(base+"/images/desk", got.Revision, photoJPEG(t)).must(t, http.StatusForbidden)
	outsider := e.signedIn(e.outsider)
	outsider.get(base+"/images/"+id+"/480").must(t, http.StatusNotFound)
	outsider.get(base+"/images/desk").must(t, http.StatusNotFound)

	// Removing empties the field.
	cur, _ := e.svc.GetPersona(context.Background(), e.actor(e.owner), e.org, p.ID)
	owner.post(base+"/images/desk/remove", url.Values{"revision": {strconv.Itoa(cur.Revision)}}).must(t, http.StatusOK)
	if after, _ := e.svc.GetPersona(context.Background(), e.actor(e.owner), e.org, p.ID); after.Values["desk"] != nil || after.Revision != cur.Revision+1 {
		t.Fatalf("after removal: %v", after.Values)
	}
}

// A share link serves the pictures of the fields it shows of the
// personas it shows: not another persona's, not a sensitive field's, not
// a hidden field's.
func TestSharedFieldImages(t *testing.T) {
	e := newWebEnv(t)
	ctx := context.Background()
	owner := e.actor(e.owner)
	p, other := e.imagePersonas()
	seed := 0
	set := func(pp persona.Persona, key string) (persona.Persona, string) {
		t.Helper()
		seed++
		np, err := e.svc.SetFieldImage(ctx, owner, e.org, pp.ID, key, pp.Revision, photoJPEGOf(t, seed))
		if err != nil {
			t.Fatal(err)
		}
		return np, np.Values[key].(string)
	}
	p, desk := set(p, "desk")
	p, badge := set(p, "badge")
	_, home := set(p, "home")
	_, otherDesk := set(other, "desk")
	_, token, err := e.svc.CreateShareLink(ctx, owner, e.org, app.ShareInput{Kind: persona.ShareOfPersona, SubjectIDs: []string{p.ID},
		Lens: persona.ShareLens{HiddenFields: []string{"home"}}})
	if err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	s := "/s/" + token + "/images/"
	page := b.get("/s/"+token).must(t, http.StatusOK)
	if !strings.Contains(page.Body, `<img src="`+s+p.ID+"/"+desk+`/480" width="300" height="200" alt="Desk"`) {
		t.Fatalf("the shared page does not show the picture:\n%s", page.Body)
	}
	if strings.Contains(page.Body, badge) || strings.Contains(page.Body, home) {
		t.Error("the shared page names a sensitive or hidden field's picture")
	}
	img := b.get(s+p.ID+"/"+desk+"/1200").must(t, http.StatusOK)
	if img.Header.Get("Content-Type") != "image/jpeg" || img.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("headers %v", img.Header)
	}
	b.get(s+p.ID+"/"+badge+"/480").must(t, http.StatusNotFound)
	b.get(s+p.ID+"/"+home+"/480").must(t, http.StatusNotFound)
	b.get(s+other.ID+"/"+otherDesk+"/480").must(t, http.StatusNotFound)
	b.get(s+p.ID+"/"+otherDesk+"/480").must(t, http.StatusNotFound)
	b.get(s+p.ID+"/"+desk+"/96").must(t, http.StatusNotFound)
	b.get("/s/pps_nope/images/"+p.ID+"/"+desk+"/480").must(t, http.StatusNotFound)

	// A comparison shows both personas' pictures, still not the sensitive one.
	_, cmpToken, err := e.svc.CreateShareLink(ctx, owner, e.org, app.ShareInput{Kind: persona.ShareOfComparison, SubjectIDs: []string{p.ID, other.ID}})
	if err != nil {
		t.Fatal(err)
	}
	cs := "/s/" + cmpToken + "/images/"
	cmp := b.get("/s/"+cmpToken).must(t, http.StatusOK)
	if !strings.Contains(cmp.Body, cs+p.ID+"/"+desk+"/480") || !strings.Contains(cmp.Body, cs+other.ID+"/"+otherDesk+"/480") || strings.Contains(cmp.Body, badge) {
		t.Errorf("the shared comparison's pictures:\n%s", cmp.Body)
	}
	b.get(cs+other.ID+"/"+otherDesk+"/1200").must(t, http.StatusOK)
	b.get(cs+p.ID+"/"+badge+"/480").must(t, http.StatusNotFound)
}

// photoJPEGOf is a 300 × 200 JPEG whose colour depends on seed, so that
// pictures of different seeds have different image IDs.
func photoJPEGOf(t *testing.T, seed int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 300, 200))
	draw.Draw(img, img.Bounds(), &image.Uniform{color.RGBA{uint8(seed * 37), uint8(seed * 11), 90, 255}}, image.Point{}, draw.Src)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
