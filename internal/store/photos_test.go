package store

import (
	"bytes"
	"os"
	"testing"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

// Persona photos on both engines: every size comes back as stored, a new
// photo replaces every size, another organisation reaches nothing (not
// even with the persona's real ID), the trash hides a photo from the
// versions and a purge deletes it.
func TestPersonaPhotosSQLite(t *testing.T) { testPersonaPhotos(t, openSQLite(t)) }

func TestPersonaPhotosPostgres(t *testing.T) {
	if os.Getenv("PERSONAPAL_TEST_POSTGRES") == "" {
		t.Skip("PERSONAPAL_TEST_POSTGRES is not set")
	}
	testPersonaPhotos(t, openPostgres(t))
}

func testPersonaPhotos(t *testing.T, db *DB) {
	ctx := t.Context()
	f := mustOrg(t, db, "photos")
	other := mustOrg(t, db, "photos-other")
	p := mustPersona(t, db, f, "")
	q := mustPersona(t, db, f, "")
	files := func(tag string) []persona.PhotoFile {
		return []persona.PhotoFile{
			{Size: 96, ContentType: "image/jpeg", Data: []byte("small " + tag), SHA256: "a" + tag, UpdatedAt: t0, UploadedBy: f.Owner.ID},
			{Size: 512, ContentType: "image/jpeg", Data: []byte("large " + tag), SHA256: "b" + tag, UpdatedAt: t0, UploadedBy: f.Owner.ID},
		}
	}
	wantNoErr(t, db.PutPersonaImage(ctx, f.Org.ID, p.ID, persona.PhotoImage, files("1")), "PutPersonaImage")
	got, err := db.GetPersonaImage(ctx, f.Org.ID, p.ID, persona.PhotoImage, 512)
	wantNoErr(t, err, "GetPersonaImage")
	wantEqual(t, string(got.Data), "large 1", "data")
	wantEqual(t, got.SHA256, "b1", "sha256")
	wantEqual(t, got.ContentType, "image/jpeg", "content type")
	wantEqual(t, got.UploadedBy, f.Owner.ID, "uploaded by")
	wantEqual(t, got.UpdatedAt.Equal(ts(t0)), true, "updated at")

	// Replacing: every size is the new one.
	wantNoErr(t, db.PutPersonaImage(ctx, f.Org.ID, p.ID, persona.PhotoImage, files("2")), "PutPersonaImage again")
	got, _ = db.GetPersonaImage(ctx, f.Org.ID, p.ID, persona.PhotoImage, 96)
	wantEqual(t, string(got.Data), "small 2", "replaced data")
	if _, err := db.GetPersonaImage(ctx, f.Org.ID, p.ID, persona.PhotoImage, 200); persona.ErrorCode(err) != persona.CodeNotFound {
		t.Fatalf("a size never stored: %v", err)
	}
	if _, err := db.GetPersonaImage(ctx, f.Org.ID, q.ID, persona.PhotoImage, 96); persona.ErrorCode(err) != persona.CodeNotFound {
		t.Fatalf("a persona without a photo: %v", err)
	}
	// Another image of the same persona is kept apart.
	wantNoErr(t, db.PutPersonaImage(ctx, f.Org.ID, p.ID, "img-1", files("x")), "PutPersonaImage (field image)")
	got, _ = db.GetPersonaImage(ctx, f.Org.ID, p.ID, persona.PhotoImage, 96)
	wantEqual(t, string(got.Data), "small 2", "the photo beside a field image")

	// Another organisation: nothing read, written or deleted.
	if _, err := db.GetPersonaImage(ctx, other.Org.ID, p.ID, persona.PhotoImage, 96); persona.ErrorCode(err) != persona.CodeNotFound {
		t.Fatalf("another organisation reads the photo: %v", err)
	}
	if err := db.PutPersonaImage(ctx, other.Org.ID, p.ID, persona.PhotoImage, files("evil")); err == nil {
		t.Fatal("another organisation writes a photo for the persona")
	}
	if err := db.DeletePersonaImage(ctx, other.Org.ID, p.ID, persona.PhotoImage); persona.ErrorCode(err) != persona.CodeNotFound {
		t.Fatalf("another organisation deletes the photo: %v", err)
	}
	if v, _ := db.PersonaPhotoVersions(ctx, other.Org.ID); len(v) != 0 {
		t.Fatalf("another organisation's versions: %v", v)
	}
	v, err := db.PersonaPhotoVersions(ctx, f.Org.ID)
	wantNoErr(t, err, "PersonaPhotoVersions")
	wantEqual(t, v, map[string]string{p.ID: "a2"}, "versions")

	// The trash hides it from the versions and keeps it; a purge deletes it.
	wantNoErr(t, db.TrashPersona(ctx, f.Org.ID, p.ID, f.Owner.ID, t0.Add(time.Hour)), "TrashPersona")
	v, _ = db.PersonaPhotoVersions(ctx, f.Org.ID)
	wantEqual(t, len(v), 0, "versions of a trashed persona")
	wantNoErr(t, db.RestorePersona(ctx, f.Org.ID, p.ID), "RestorePersona")
	if got, err := db.GetPersonaImage(ctx, f.Org.ID, p.ID, persona.PhotoImage, 512); err != nil || !bytes.Equal(got.Data, []byte("large 2")) {
		t.Fatalf("the photo after a restore: %v", err)
	}
	wantNoErr(t, db.TrashPersona(ctx, f.Org.ID, p.ID, f.Owner.ID, t0.Add(2*time.Hour)), "TrashPersona")
	wantNoErr(t, db.PurgePersona(ctx, f.Org.ID, p.ID), "PurgePersona")
	var n int
	wantNoErr(t, db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM persona_photos WHERE persona_id = $1`, p.ID).Scan(&n), "count")
	wantEqual(t, n, 0, "rows after the purge")

	// Removing.
	wantNoErr(t, db.PutPersonaImage(ctx, f.Org.ID, q.ID, persona.PhotoImage, files("q")), "PutPersonaImage q")
	wantNoErr(t, db.DeletePersonaImage(ctx, f.Org.ID, q.ID, persona.PhotoImage), "DeletePersonaImage")
	if err := db.DeletePersonaImage(ctx, f.Org.ID, q.ID, persona.PhotoImage); persona.ErrorCode(err) != persona.CodeNotFound {
		t.Fatalf("deleting twice: %v", err)
	}
}
