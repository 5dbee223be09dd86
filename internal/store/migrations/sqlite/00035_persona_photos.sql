-- +goose Up
-- Persona photos and the pictures of image fields, in the database (so
-- that every instance on one database serves the same files). Each picture
-- is stored in every size it is served in (internal/photo: square JPEGs,
-- re-encoded on upload, without metadata). image is 'photo' for the
-- persona's own photo and an image ID for an image field's value. Rows go
-- with their persona when it is purged (the trash keeps them: a restored
-- persona has its photo back).
CREATE TABLE persona_photos (
    org_id       TEXT NOT NULL,
    persona_id   TEXT NOT NULL,
    image        TEXT NOT NULL,
    size         INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    data         BLOB NOT NULL,
    sha256       TEXT NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    uploaded_by  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (org_id, persona_id, image, size),
    FOREIGN KEY (org_id, persona_id) REFERENCES personas (org_id, id) ON DELETE CASCADE
);

-- +goose Down
DROP TABLE persona_photos;
