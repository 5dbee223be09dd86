-- +goose Up
-- Persona photos and the pictures of image fields, in the database (so
-- that every instance on one database serves the same files). Each picture
-- is stored in every size it is served in (internal/photo: square JPEGs,
-- re-encoded on upload, without metadata). image is 'photo' for the
-- persona's own photo and an image ID for an image field's value. Rows go
-- with their persona when it is purged (the trash keeps them: a restored
-- persona has its photo back).
CREATE TABLE persona_photos (
    org_id       text NOT NULL,
    persona_id   text NOT NULL,
    image        text NOT NULL,
    size         integer NOT NULL,
    content_type text NOT NULL,
    data         bytea NOT NULL,
    sha256       text NOT NULL,
    updated_at   timestamptz NOT NULL,
    uploaded_by  text NOT NULL DEFAULT '',
    PRIMARY KEY (org_id, persona_id, image, size),
    FOREIGN KEY (org_id, persona_id) REFERENCES personas (org_id, id) ON DELETE CASCADE
);

-- +goose Down
DROP TABLE persona_photos;
