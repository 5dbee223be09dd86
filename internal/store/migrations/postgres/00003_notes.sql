-- +goose Up
-- Notes on the organisation, a group, a persona or a variant. The typed
-- reference columns tie a note to what it is on: deleting that deletes the
-- note, and a persona's or variant's trash hides it (reads join them).
CREATE TABLE notes (
    org_id     text NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    id         text NOT NULL,
    target     text NOT NULL CHECK (target IN ('org', 'group', 'persona', 'variant')),
    target_id  text NOT NULL DEFAULT '',
    group_id   text,
    persona_id text,
    variant_id text,
    body       text NOT NULL,
    author_id  text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, group_id) REFERENCES persona_groups (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, persona_id) REFERENCES personas (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, variant_id) REFERENCES variants (org_id, id) ON DELETE CASCADE
);
CREATE INDEX notes_target ON notes (org_id, target, target_id, created_at);

-- +goose Down
DROP TABLE notes;
