-- +goose Up
-- Launchpads. The catalogue describes the organisation's own product: one
-- header row per organisation carries the revision that every save must
-- name (compare-and-swap), and one row per item (module, content pack,
-- dashboard template) holds the item as JSON; id is the item's key, unique
-- across the catalogue. Saved Launchpads keep their content as JSON with a
-- revision per save. archetype_id has no foreign key so that purging the
-- archetype leaves its Launchpads readable.
CREATE TABLE catalogues (
    org_id     text NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    revision   integer NOT NULL,
    updated_at timestamptz NOT NULL,
    updated_by text NOT NULL DEFAULT '',
    PRIMARY KEY (org_id)
);

CREATE TABLE catalogue_items (
    org_id   text NOT NULL,
    id       text NOT NULL,
    kind     text NOT NULL CHECK (kind IN ('module', 'pack', 'dashboard')),
    position integer NOT NULL,
    content  jsonb NOT NULL,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id) REFERENCES catalogues (org_id) ON DELETE CASCADE
);

CREATE TABLE launchpads (
    org_id       text NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    id           text NOT NULL,
    archetype_id text NOT NULL,
    name         text NOT NULL,
    content      jsonb NOT NULL,
    revision     integer NOT NULL,
    created_at   timestamptz NOT NULL,
    created_by   text NOT NULL DEFAULT '',
    updated_at   timestamptz NOT NULL,
    updated_by   text NOT NULL DEFAULT '',
    PRIMARY KEY (org_id, id)
);
CREATE INDEX launchpads_archetype ON launchpads (org_id, archetype_id);

CREATE TABLE launchpad_revisions (
    org_id       text NOT NULL,
    launchpad_id text NOT NULL,
    number       integer NOT NULL,
    author_id    text NOT NULL DEFAULT '',
    message      text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL,
    content      jsonb NOT NULL,
    PRIMARY KEY (org_id, launchpad_id, number),
    FOREIGN KEY (org_id, launchpad_id) REFERENCES launchpads (org_id, id) ON DELETE CASCADE
);

-- +goose Down
DROP TABLE launchpad_revisions;
DROP TABLE launchpads;
DROP TABLE catalogue_items;
DROP TABLE catalogues;
