package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"maps"

	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/photo"
)

// Image fields (persona.KindImage): a field's value is the image ID of a
// picture uploaded for that persona, stored (fitted, not cropped) in
// persona_photos next to its photo. Setting or removing one is a new
// revision of the persona (audit action "update"); the stored picture
// stays for its history and goes with the persona on purge.

// imageField finds the image field key in the persona's template version.
func (s *Service) imageField(ctx context.Context, cur persona.Persona, key string) (persona.Field, error) {
	version, err := s.version(ctx, cur.OrgID, cur.TemplateID, cur.TemplateVersion)
	if err != nil {
		return persona.Field{}, err
	}
	f, ok := version.Definition.Field(key)
	if !ok {
		return persona.Field{}, persona.Invalid("no such field", []persona.FieldError{{Field: "field", Message: "no field " + key + " in this persona's template"}})
	}
	if f.Kind != persona.KindImage {
		return persona.Field{}, persona.Invalid("not an image field", []persona.FieldError{{Field: "field", Message: f.Label + " is not a picture field"}})
	}
	return f, nil
}

// fieldImageFiles processes an uploaded picture for an image field into
// its stored sizes and its image ID. A refused picture is invalid on
// "values.<key>".
func (s *Service) fieldImageFiles(data []byte, key, by string) (string, []persona.PhotoFile, error) {
	fitted, err := photo.ProcessFit(data)
	if err != nil {
		var r *photo.Refused
		if errors.As(err, &r) {
			return "", nil, persona.Invalid("the picture was not saved: it "+r.Message, []persona.FieldError{{Field: "values." + key, Message: r.Message}})
		}
		return "", nil, err
	}
	now := s.timestamp()
	files := make([]persona.PhotoFile, len(fitted))
	for i, f := range fitted {
		sum := sha256.Sum256(f.Data)
		files[i] = persona.PhotoFile{Size: f.Size, ContentType: photo.ContentType, Data: f.Data,
			SHA256: hex.EncodeToString(sum[:]), UpdatedAt: now, UploadedBy: by}
	}
	return persona.ImageID(fitted[len(fitted)-1].Data), files, nil
}

// SetFieldImage uploads a picture into the image field fieldKey of a
// persona (editors): checked and fitted (internal/photo), stored in every
// size, and the persona's next revision with the field's value set to
// the picture's image ID, in one transaction. ifMatch is checked as for
// UpdatePersona; nothing is stored when it is stale or the picture is
// refused.
func (s *Service) SetFieldImage(ctx context.Context, actor Actor, slug, personaID, fieldKey string, ifMatch int, data []byte) (persona.Persona, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleEditor)
	if err != nil {
		return persona.Persona{}, err
	}
	cur, err := s.currentForWrite(ctx, org.ID, personaID, ifMatch)
	if err != nil {
		return persona.Persona{}, err
	}
	f, err := s.imageField(ctx, cur, fieldKey)
	if err != nil {
		return persona.Persona{}, err
	}
	id, files, err := s.fieldImageFiles(data, fieldKey, actor.UserID)
	if err != nil {
		return persona.Persona{}, err
	}
	content := withValue(cur.Content, fieldKey, id)
	return s.saveRevisionWith(ctx, actor, cur, content, "Set the picture of "+f.Label, "update", func(tx Store) error {
		return tx.PutPersonaImage(ctx, org.ID, cur.ID, id, files)
	})
}

// RemoveFieldImage empties the image field fieldKey (editors): a new
// revision; the stored picture stays for the persona's history.
func (s *Service) RemoveFieldImage(ctx context.Context, actor Actor, slug, personaID, fieldKey string, ifMatch int) (persona.Persona, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleEditor)
	if err != nil {
		return persona.Persona{}, err
	}
	cur, err := s.currentForWrite(ctx, org.ID, personaID, ifMatch)
	if err != nil {
		return persona.Persona{}, err
	}
	f, err := s.imageField(ctx, cur, fieldKey)
	if err != nil {
		return persona.Persona{}, err
	}
	return s.saveRevision(ctx, actor, cur, withValue(cur.Content, fieldKey, ""), "Removed the picture of "+f.Label)
}

// withValue is content with the value of key set (removed when "").
func withValue(c persona.Content, key, value string) persona.Content {
	c.Values = maps.Clone(c.Values)
	if c.Values == nil {
		c.Values = persona.Values{}
	}
	if value == "" {
		delete(c.Values, key)
	} else {
		c.Values[key] = value
	}
	return c
}

// FieldImage returns one size (photo.FitSizes) of a picture uploaded for
// a live persona's image field (viewers); not found otherwise.
func (s *Service) FieldImage(ctx context.Context, actor Actor, slug, personaID, imageID string, size int) (persona.PhotoFile, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return persona.PhotoFile{}, err
	}
	return s.personaImage(ctx, org.ID, personaID, imageID, size)
}

// SharedFieldImage returns one size of a picture the (opened) share link
// shows: of a persona it shows, and the value of a field its lens shows
// (neither sensitive nor hidden). Anything else is not found.
func (s *Service) SharedFieldImage(ctx context.Context, l persona.ShareLink, personaID, imageID string, size int) (persona.PhotoFile, error) {
	if !persona.ValidImageID(imageID) || !photo.ValidFitSize(size) {
		return persona.PhotoFile{}, persona.ErrNotFound("picture")
	}
	ids, err := s.sharedPersonaIDs(ctx, l)
	if err != nil {
		return persona.PhotoFile{}, err
	}
	found := false
	for _, id := range ids {
		found = found || id == personaID
	}
	if !found {
		return persona.PhotoFile{}, persona.ErrNotFound("picture")
	}
	view, err := s.SharedView(ctx, l)
	if err != nil {
		return persona.PhotoFile{}, err
	}
	for _, sp := range view.Personas {
		if sp.ID != personaID {
			continue
		}
		for _, sec := range sp.Definition.Sections {
			for _, f := range sec.Fields {
				if v, _ := sp.Values[f.Key].(string); f.Kind == persona.KindImage && v == imageID {
					return s.personaImage(ctx, l.OrgID, personaID, imageID, size)
				}
			}
		}
	}
	return persona.PhotoFile{}, persona.ErrNotFound("picture")
}
