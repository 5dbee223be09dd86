-- +goose Up
-- Notes on the organisation, a group, a persona or a variant. The typed
-- reference columns tie a note to what it is on: deleting that deletes the
-- note, and a persona's or variant's trash hides it (reads join them).
CREATE TABLE notes (
    org_id     TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    id         TEXT NOT NULL,
    target     TEXT NOT NULL CHECK (target IN ('org', 'group', 'persona', 'variant')),
    target_id  TEXT NOT NULL DEFAULT '',
    group_id   TEXT,
    persona_id TEXT,
    variant_id TEXT,
    body       TEXT NOT NULL,
    author_id  TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, group_id) REFERENCES persona_groups (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, persona_id) REFERENCES personas (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, variant_id) REFERENCES variants (org_id, id) ON DELETE CASCADE
);
CREATE INDEX notes_target ON notes (org_id, target, target_id, created_at);

-- +goose Down
DROP TABLE notes;
