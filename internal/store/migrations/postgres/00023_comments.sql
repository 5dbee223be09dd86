-- +goose Up
-- Comment threads on a persona (or one of its fields), a variant or a
-- Launchpad: subject_kind, subject_id and field_key name the subject; the
-- typed reference columns tie a comment to it (deleting that deletes the
-- comment; a persona's or variant's trash hides it). A thread is a
-- top-level comment (parent_id NULL) and its replies. mentions holds the
-- mentioned members' user IDs, space-separated, resolved at write time.
CREATE TABLE comments (
    org_id       text NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    id           text NOT NULL,
    subject_kind text NOT NULL,
    subject_id   text NOT NULL,
    field_key    text NOT NULL DEFAULT '',
    parent_id    text,
    persona_id   text,
    variant_id   text,
    launchpad_id text,
    body         text NOT NULL,
    mentions     text NOT NULL DEFAULT '',
    author_id    text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    deleted_at   timestamptz,
    resolved_at  timestamptz,
    resolved_by  text NOT NULL DEFAULT '',
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, parent_id) REFERENCES comments (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, persona_id) REFERENCES personas (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, variant_id) REFERENCES variants (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, launchpad_id) REFERENCES launchpads (org_id, id) ON DELETE CASCADE
);
CREATE INDEX comments_subject ON comments (org_id, subject_kind, subject_id, created_at);
CREATE INDEX comments_persona ON comments (org_id, persona_id);

-- +goose Down
DROP TABLE comments;
