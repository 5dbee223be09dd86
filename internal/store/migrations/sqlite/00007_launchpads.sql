-- +goose Up
-- Launchpads. The catalogue describes the organisation's own product: one
-- header row per organisation carries the revision that every save must
-- name (compare-and-swap), and one row per item (module, content pack,
-- dashboard template) holds the item as JSON; id is the item's key, unique
-- across the catalogue. Saved Launchpads keep their content as JSON with a
-- revision per save. archetype_id has no foreign key so that purging the
-- archetype leaves its Launchpads readable.
CREATE TABLE catalogues (
    org_id     TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    revision   INTEGER NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (org_id)
);

CREATE TABLE catalogue_items (
    org_id   TEXT NOT NULL,
    id       TEXT NOT NULL,
    kind     TEXT NOT NULL CHECK (kind IN ('module', 'pack', 'dashboard')),
    position INTEGER NOT NULL,
    content  TEXT NOT NULL,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id) REFERENCES catalogues (org_id) ON DELETE CASCADE
);

CREATE TABLE launchpads (
    org_id       TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    id           TEXT NOT NULL,
    archetype_id TEXT NOT NULL,
    name         TEXT NOT NULL,
    content      TEXT NOT NULL,
    revision     INTEGER NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    created_by   TEXT NOT NULL DEFAULT '',
    updated_at   TIMESTAMP NOT NULL,
    updated_by   TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (org_id, id)
);
CREATE INDEX launchpads_archetype ON launchpads (org_id, archetype_id);

CREATE TABLE launchpad_revisions (
    org_id       TEXT NOT NULL,
    launchpad_id TEXT NOT NULL,
    number       INTEGER NOT NULL,
    author_id    TEXT NOT NULL DEFAULT '',
    message      TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    content      TEXT NOT NULL,
    PRIMARY KEY (org_id, launchpad_id, number),
    FOREIGN KEY (org_id, launchpad_id) REFERENCES launchpads (org_id, id) ON DELETE CASCADE
);

-- +goose Down
DROP TABLE launchpad_revisions;
DROP TABLE launchpads;
DROP TABLE catalogue_items;
DROP TABLE catalogues;
