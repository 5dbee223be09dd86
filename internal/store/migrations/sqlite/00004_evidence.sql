-- +goose Up
-- The evidence library. Items carry their metadata here; a document's file
-- lives in evidence_files (in the database, so that every instance on one
-- database sees the same files). Tags are kept twice: as a JSON array for
-- reading and one row each in evidence_tags for filtering.
CREATE TABLE evidence (
    org_id       TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    id           TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('document', 'link', 'quote', 'study')),
    title        TEXT NOT NULL,
    source       TEXT NOT NULL DEFAULT '',
    collected_on TEXT,
    tags         TEXT NOT NULL DEFAULT '[]',
    summary      TEXT NOT NULL DEFAULT '',
    url          TEXT NOT NULL DEFAULT '',
    quote        TEXT NOT NULL DEFAULT '',
    speaker      TEXT NOT NULL DEFAULT '',
    method       TEXT NOT NULL DEFAULT '',
    participants INTEGER NOT NULL DEFAULT 0,
    file_name    TEXT NOT NULL DEFAULT '',
    content_type TEXT NOT NULL DEFAULT '',
    file_size    INTEGER NOT NULL DEFAULT 0,
    file_sha256  TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    created_by   TEXT NOT NULL DEFAULT '',
    updated_at   TIMESTAMP NOT NULL,
    updated_by   TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (org_id, id)
);
CREATE INDEX evidence_kind ON evidence (org_id, kind, id);

CREATE TABLE evidence_tags (
    org_id      TEXT NOT NULL,
    evidence_id TEXT NOT NULL,
    tag         TEXT NOT NULL,
    PRIMARY KEY (org_id, tag, evidence_id),
    FOREIGN KEY (org_id, evidence_id) REFERENCES evidence (org_id, id) ON DELETE CASCADE
);
CREATE INDEX evidence_tags_item ON evidence_tags (org_id, evidence_id);

CREATE TABLE evidence_files (
    org_id      TEXT NOT NULL,
    evidence_id TEXT NOT NULL,
    data        BLOB NOT NULL,
    PRIMARY KEY (org_id, evidence_id),
    FOREIGN KEY (org_id, evidence_id) REFERENCES evidence (org_id, id) ON DELETE CASCADE
);

-- Links from an item to a persona, one of its fields, or a field of one of
-- its variants. Reads join the persona (and variant) and skip trashed ones,
-- so the trash takes links along and a restore brings them back; purging a
-- persona or variant deletes its links.
CREATE TABLE evidence_links (
    org_id      TEXT NOT NULL,
    id          TEXT NOT NULL,
    evidence_id TEXT NOT NULL,
    persona_id  TEXT NOT NULL,
    variant_id  TEXT,
    field       TEXT NOT NULL DEFAULT '',
    stance      TEXT NOT NULL CHECK (stance IN ('supports', 'contradicts')),
    excerpt     TEXT NOT NULL DEFAULT '',
    page        TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL,
    created_by  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, evidence_id) REFERENCES evidence (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, persona_id) REFERENCES personas (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, variant_id) REFERENCES variants (org_id, id) ON DELETE CASCADE
);
CREATE INDEX evidence_links_item ON evidence_links (org_id, evidence_id);
CREATE INDEX evidence_links_persona ON evidence_links (org_id, persona_id);
CREATE INDEX evidence_links_variant ON evidence_links (org_id, variant_id);

-- +goose Down
DROP TABLE evidence_links;
DROP TABLE evidence_files;
DROP TABLE evidence_tags;
DROP TABLE evidence;
