package server_test

import (
	"bytes"
	"image"
	"image/jpeg"
	"image/png"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
)

// The photo API: PUT a picture (raw or multipart), GET its sizes, DELETE
// it; a text file is 422 on photo, a viewer is refused, another
// organisation finds nothing.
func TestPersonaPhotoAPI(t *testing.T) {
	e := newEnv(t)
	id := e.ids().persona
	path := e.api("/personas/" + id + "/photo")
	var pic bytes.Buffer
	if err := jpeg.Encode(&pic, image.NewGray(image.Rect(0, 0, 320, 240)), nil); err != nil {
		t.Fatal(err)
	}

	e.must(http.StatusNoContent, "DELETE", path, e.owner, nil) // ids() gave it one
	e.must(404, "GET", path, e.owner, nil).problem(t)
	p := e.must(422, "PUT", path, e.owner, "this is not a picture", "Content-Type", "image/jpeg").problem(t)
	if !strings.Contains(string(e.do("PUT", path, e.owner, "plain text", "Content-Type", "text/plain").Body), "body.photo") {
		t.Errorf("the problem does not name the photo: %+v", p)
	}
	e.must(403, "PUT", path, e.viewer, pic.String(), "Content-Type", "image/jpeg").problem(t)
	e.must(404, "PUT", "/api/v1/orgs/"+e.otherOr+"/personas/"+id+"/photo", e.other, pic.String(), "Content-Type", "image/jpeg").problem(t)

	var out struct {
		PersonaID   string `json:"persona_id"`
		Sizes       []int  `json:"sizes"`
		ContentType string `json:"content_type"`
		SHA256      string `json:"sha256"`
	}
	e.must(200, "PUT", path, e.owner, pic.String(), "Content-Type", "image/jpeg").json(t, &out)
	if out.PersonaID != id || len(out.Sizes) != 2 || out.ContentType != "image/jpeg" || out.SHA256 == "" {
		t.Fatalf("set: %+v", out)
	}
	for size, want := range map[string]int{"": 512, "?size=96": 96, "?size=512": 512} {
		r := e.must(200, "GET", path+size, e.viewer, nil)
		if r.Header.Get("Content-Type") != "image/jpeg" || r.Header.Get("X-Content-Type-Options") != "nosniff" || r.Header.Get("ETag") != `"`+out.SHA256+`"` && want == 512 {
			t.Errorf("%s headers %v", size, r.Header)
		}
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(r.Body))
		if err != nil || cfg.Width != want || cfg.Height != want {
			t.Errorf("%s: %+v %v", size, cfg, err)
		}
	}
	e.must(422, "GET", path+"?size=100", e.owner, nil).problem(t)
	e.must(404, "GET", "/api/v1/orgs/"+e.otherOr+"/personas/"+id+"/photo", e.other, nil).problem(t)

	// Multipart, with a PNG.
	var pngPic, form bytes.Buffer
	if err := png.Encode(&pngPic, image.NewGray(image.Rect(0, 0, 50, 90))); err != nil {
		t.Fatal(err)
	}
	mw := multipart.NewWriter(&form)
	fw, _ := mw.CreateFormFile("photo", "face.png")
	fw.Write(pngPic.Bytes())
	mw.Close()
	e.must(200, "PUT", path, e.owner, form.String(), "Content-Type", mw.FormDataContentType())

	e.must(403, "DELETE", path, e.viewer, nil).problem(t)
	e.must(http.StatusNoContent, "DELETE", path, e.owner, nil)
	e.must(404, "DELETE", path, e.owner, nil).problem(t)
	e.must(404, "GET", path, e.owner, nil).problem(t)
}
