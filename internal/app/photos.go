package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"

	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/photo"
)

// photoStore keeps persona photos and image fields' pictures
// (internal/store/photos.go), every size of a picture in its own row.
type photoStore interface {
	// PutPersonaImage replaces every size of one of a persona's images.
	PutPersonaImage(ctx context.Context, orgID, personaID, image string, files []persona.PhotoFile) error
	GetPersonaImage(ctx context.Context, orgID, personaID, image string, size int) (persona.PhotoFile, error)
	// DeletePersonaImage deletes every size; not-found when there is none.
	DeletePersonaImage(ctx context.Context, orgID, personaID, image string) error
	// PersonaPhotoVersions maps live personas with a photo to its version.
	PersonaPhotoVersions(ctx context.Context, orgID string) (map[string]string, error)
}

// photoInvalid is the error of a refused picture, on the field "photo".
func photoInvalid(err error) error {
	var r *photo.Refused
	if errors.As(err, &r) {
		return persona.Invalid("the photo was not saved: it "+r.Message, []persona.FieldError{{Field: "photo", Message: r.Message}})
	}
	return err
}

// refusedMessage is why photoFiles refused a picture ("is not a
// picture…"), to name it where it was found.
func refusedMessage(err error) string {
	var pe *persona.Error
	if errors.As(err, &pe) && len(pe.Fields) > 0 {
		return pe.Fields[0].Message
	}
	return err.Error()
}

// photoFiles checks and processes an uploaded picture into the files of
// every size (internal/photo: square JPEGs without metadata).
func (s *Service) photoFiles(data []byte, by string) ([]persona.PhotoFile, error) {
	sizes, err := photo.Process(data)
	if err != nil {
		return nil, photoInvalid(err)
	}
	now := s.timestamp()
	files := make([]persona.PhotoFile, len(sizes))
	for i, b := range sizes {
		sum := sha256.Sum256(b)
		files[i] = persona.PhotoFile{Size: photo.Sizes[i], ContentType: photo.ContentType, Data: b,
			SHA256: hex.EncodeToString(sum[:]), UpdatedAt: now, UploadedBy: by}
	}
	return files, nil
}

// SetPersonaPhoto sets (or replaces) a persona's photo from an uploaded
// picture: checked by its content, cropped to a square and stored in every
// size it is shown in, without its metadata (editors). A refused picture
// is invalid on the field "photo", and nothing is stored.
func (s *Service) SetPersonaPhoto(ctx context.Context, actor Actor, slug, personaID string, data []byte) error {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleEditor)
	if err != nil {
		return err
	}
	p, err := s.store.GetPersona(ctx, org.ID, personaID)
	if err != nil {
		return err
	}
	files, err := s.photoFiles(data, actor.UserID)
	if err != nil {
		return err
	}
	return s.inTx(ctx, s.entry(org.ID, actor, "set photo", "persona", p.ID, "Set the photo of "+p.Name), func(tx Store) error {
		return tx.PutPersonaImage(ctx, org.ID, p.ID, persona.PhotoImage, files)
	})
}

// RemovePersonaPhoto removes a persona's photo: it shows its initials
// again (editors). Removing a photo that is not there is not found.
func (s *Service) RemovePersonaPhoto(ctx context.Context, actor Actor, slug, personaID string) error {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleEditor)
	if err != nil {
		return err
	}
	p, err := s.store.GetPersona(ctx, org.ID, personaID)
	if err != nil {
		return err
	}
	return s.inTx(ctx, s.entry(org.ID, actor, "remove photo", "persona", p.ID, "Removed the photo of "+p.Name), func(tx Store) error {
		return tx.DeletePersonaImage(ctx, org.ID, p.ID, persona.PhotoImage)
	})
}

// PersonaPhoto returns one size of a live persona's photo (viewers);
// not found when it has none or the size is not one served
// (photo.Sizes).
func (s *Service) PersonaPhoto(ctx context.Context, actor Actor, slug, personaID string, size int) (persona.PhotoFile, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return persona.PhotoFile{}, err
	}
	return s.personaImage(ctx, org.ID, personaID, persona.PhotoImage, size)
}

func (s *Service) personaImage(ctx context.Context, orgID, personaID, image string, size int) (persona.PhotoFile, error) {
	if image == persona.PhotoImage && !photo.ValidSize(size) || image != persona.PhotoImage && (!persona.ValidImageID(image) || !photo.ValidFitSize(size)) {
		return persona.PhotoFile{}, persona.ErrNotFound("photo")
	}
	if _, err := s.store.GetPersona(ctx, orgID, personaID); err != nil {
		return persona.PhotoFile{}, err
	}
	return s.store.GetPersonaImage(ctx, orgID, personaID, image, size)
}

// PersonaPhotoVersions maps the organisation's personas that have a photo
// to its version, which changes with the photo (viewers): cards show
// photos without a query each.
func (s *Service) PersonaPhotoVersions(ctx context.Context, actor Actor, slug string) (map[string]string, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return nil, err
	}
	return s.store.PersonaPhotoVersions(ctx, org.ID)
}

// sharedPersonaIDs are the personas a share link shows: a persona's or a
// comparison's subjects, a variant's base persona; none for a Launchpad.
func (s *Service) sharedPersonaIDs(ctx context.Context, l persona.ShareLink) ([]string, error) {
	switch l.Kind {
	case persona.ShareOfPersona, persona.ShareOfComparison:
		return l.SubjectIDs, nil
	case persona.ShareOfVariant:
		v, err := s.store.GetVariant(ctx, l.OrgID, l.SubjectIDs[0])
		if err != nil {
			return nil, err
		}
		return []string{v.PersonaID}, nil
	}
	return nil, nil
}

// SharedPhoto returns one size of the photo of a persona the (opened)
// share link shows; any other persona's is not found, as if it had none.
func (s *Service) SharedPhoto(ctx context.Context, l persona.ShareLink, personaID string, size int) (persona.PhotoFile, error) {
	ids, err := s.sharedPersonaIDs(ctx, l)
	if err != nil {
		return persona.PhotoFile{}, err
	}
	if !slices.Contains(ids, personaID) {
		return persona.PhotoFile{}, persona.ErrNotFound("photo")
	}
	return s.personaImage(ctx, l.OrgID, personaID, persona.PhotoImage, size)
}

// SharedPhotoVersions maps the personas the share link shows that have a
// photo to its version.
func (s *Service) SharedPhotoVersions(ctx context.Context, l persona.ShareLink) (map[string]string, error) {
	ids, err := s.sharedPersonaIDs(ctx, l)
	if err != nil || len(ids) == 0 {
		return map[string]string{}, err
	}
	all, err := s.store.PersonaPhotoVersions(ctx, l.OrgID)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, id := range ids {
		if v, ok := all[id]; ok {
			out[id] = v
		}
	}
	return out, nil
}
