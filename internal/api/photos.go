package api

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/photo"
)

// Persona photos: PUT a picture (the raw image, or multipart with a part
// named photo), GET one of its sizes, DELETE it. The picture is checked by
// its content, cropped to a square and re-encoded as JPEG without its
// metadata (internal/photo).

// photoJSON describes a persona's stored photo.
type photoJSON struct {
	PersonaID   string    `json:"persona_id"`
	Sizes       []int     `json:"sizes" doc:"The sizes served, in pixels (square)"`
	ContentType string    `json:"content_type" example:"image/jpeg"`
	SHA256      string    `json:"sha256" doc:"Of the largest size"`
	UpdatedAt   time.Time `json:"updated_at"`
	URL         string    `json:"url" doc:"GET it here (?size= one of sizes)"`
}

type photoGetInput struct {
	PersonaPath
	Size int `query:"size" default:"512" doc:"Width and height in pixels: 96 or 512"`
}

type photoFileOutput struct {
	ContentType        string `header:"Content-Type" doc:"Always image/jpeg"`
	ContentTypeOptions string `header:"X-Content-Type-Options"`
	CacheControl       string `header:"Cache-Control"`
	ETag               string `header:"ETag" doc:"The image's SHA-256"`
	Body               []byte
}

func (s *Server) registerPhotos(api huma.API) {
	put := op("set-persona-photo", http.MethodPut, "/api/v1/orgs/{org}/personas/{id}/photo", "Set or replace a persona's photo (editors)", tagPersonas, 0)
	put.Description = "Send the picture as the body (`image/jpeg`, `image/png` or `image/gif`), or as `multipart/form-data` with a part named " +
		"`photo`. Its type is checked by its content; it may be at most " + persona.FormatBytes(photo.MaxBytes) + " and " +
		strconv.Itoa(photo.MaxPixels/1_000_000) + " megapixels. It is turned by its EXIF orientation, cropped to its centre square and " +
		"stored as JPEG in each size served, without its metadata (EXIF, GPS position, XMP). Anything else gets 422 on `photo`, and nothing is stored."
	put.MaxBodyBytes = photo.MaxBytes + 64<<10
	put.SkipValidateBody = true // a picture, or a form holding one: photoUpload reads it, the use case checks it
	binary := &huma.Schema{Type: "string", Format: "binary"}
	put.RequestBody = &huma.RequestBody{Required: true, Description: "The picture.", Content: map[string]*huma.MediaType{
		"image/jpeg": {Schema: binary}, "image/png": {Schema: binary}, "image/gif": {Schema: binary},
		"multipart/form-data": {Schema: &huma.Schema{Type: "object", Required: []string{"photo"},
			Properties: map[string]*huma.Schema{"photo": binary}}},
	}}
	huma.Register(api, put, func(ctx context.Context, in *struct {
		PersonaPath
		ContentType string `header:"Content-Type" hidden:"true"`
		RawBody     []byte `contentType:"image/jpeg"`
	}) (*struct{ Body photoJSON }, error) {
		data, err := photoUpload(in.ContentType, in.RawBody)
		if err != nil {
			return nil, s.fail(ctx, err)
		}
		if err := s.svc.SetPersonaPhoto(ctx, actorFrom(ctx), in.Org, in.ID, data); err != nil {
			return nil, s.fail(ctx, err)
		}
		f, err := s.svc.PersonaPhoto(ctx, actorFrom(ctx), in.Org, in.ID, photo.Large)
		if err != nil {
			return nil, s.fail(ctx, err)
		}
		return &struct{ Body photoJSON }{Body: photoJSON{PersonaID: in.ID, Sizes: photo.Sizes, ContentType: f.ContentType,
			SHA256: f.SHA256, UpdatedAt: f.UpdatedAt, URL: "/api/v1/orgs/" + in.Org + "/personas/" + in.ID + "/photo"}}, nil
	})

	get := op("get-persona-photo", http.MethodGet, "/api/v1/orgs/{org}/personas/{id}/photo", "One size of a persona's photo (a square JPEG)", tagPersonas, 0)
	get.Description = "404 when the persona has no photo. Served with `X-Content-Type-Options: nosniff` and its SHA-256 as ETag."
	get.Responses = map[string]*huma.Response{"200": {Description: "The photo", Content: map[string]*huma.MediaType{"image/jpeg": {Schema: binary}}}}
	huma.Register(api, get, func(ctx context.Context, in *photoGetInput) (*photoFileOutput, error) {
		if !photo.ValidSize(in.Size) {
			return nil, s.failQuery(ctx, persona.Invalid("no such size", []persona.FieldError{{Field: "size", Message: "must be 96 or 512"}}))
		}
		f, err := s.svc.PersonaPhoto(ctx, actorFrom(ctx), in.Org, in.ID, in.Size)
		if err != nil {
			return nil, s.fail(ctx, err)
		}
		return &photoFileOutput{ContentType: f.ContentType, ContentTypeOptions: "nosniff", CacheControl: "private, no-cache",
			ETag: `"` + f.SHA256 + `"`, Body: f.Data}, nil
	})

	huma.Register(api, op("delete-persona-photo", http.MethodDelete, "/api/v1/orgs/{org}/personas/{id}/photo",
		"Remove a persona's photo: its initials show again (editors); 404 when it has none", tagPersonas, http.StatusNoContent),
		func(ctx context.Context, in *PersonaPath) (*struct{}, error) {
			if err := s.svc.RemovePersonaPhoto(ctx, actorFrom(ctx), in.Org, in.ID); err != nil {
				return nil, s.fail(ctx, err)
			}
			return nil, nil
		})
}

// photoUpload takes the picture out of a request body: the body itself,
// or the part named photo of a multipart form.
func photoUpload(contentType string, body []byte) ([]byte, error) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "multipart/form-data" {
		return body, nil // the picture itself; its type is decided by its content
	}
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, persona.Invalid("the multipart form could not be read", []persona.FieldError{{Field: "photo", Message: "could not be read from the multipart form"}})
		}
		if strings.EqualFold(part.FormName(), "photo") {
			return io.ReadAll(part)
		}
	}
	return nil, persona.Invalid("no photo", []persona.FieldError{{Field: "photo", Message: "is required: send it as a multipart part named photo"}})
}
