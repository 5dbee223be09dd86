-- +goose Up
-- Comment threads on a persona (or one of its fields), a variant or a
-- Launchpad: subject_kind, subject_id and field_key name the subject; the
-- typed reference columns tie a comment to it (deleting that deletes the
-- comment; a persona's or variant's trash hides it). A thread is a
-- top-level comment (parent_id NULL) and its replies. mentions holds the
-- mentioned members' user IDs, space-separated, resolved at write time.
CREATE TABLE comments (
    org_id       TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    id           TEXT NOT NULL,
    subject_kind TEXT NOT NULL,
    subject_id   TEXT NOT NULL,
    field_key    TEXT NOT NULL DEFAULT '',
    parent_id    TEXT,
    persona_id   TEXT,
    variant_id   TEXT,
    launchpad_id TEXT,
    body         TEXT NOT NULL,
    mentions     TEXT NOT NULL DEFAULT '',
    author_id    TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    deleted_at   TIMESTAMP,
    resolved_at  TIMESTAMP,
    resolved_by  TEXT NOT NULL DEFAULT '',
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
