-- +goose Up
-- The evidence library. Items carry their metadata here; a document's file
-- lives in evidence_files (in the database, so that every instance on one
-- database sees the same files). Tags are kept twice: as a JSON array for
-- reading and one row each in evidence_tags for filtering.
CREATE TABLE evidence (
    org_id       text NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    id           text NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('document', 'link', 'quote', 'study')),
    title        text NOT NULL,
    source       text NOT NULL DEFAULT '',
    collected_on text,
    tags         jsonb NOT NULL DEFAULT '[]',
    summary      text NOT NULL DEFAULT '',
    url          text NOT NULL DEFAULT '',
    quote        text NOT NULL DEFAULT '',
    speaker      text NOT NULL DEFAULT '',
    method       text NOT NULL DEFAULT '',
    participants integer NOT NULL DEFAULT 0,
    file_name    text NOT NULL DEFAULT '',
    content_type text NOT NULL DEFAULT '',
    file_size    bigint NOT NULL DEFAULT 0,
    file_sha256  text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL,
    created_by   text NOT NULL DEFAULT '',
    updated_at   timestamptz NOT NULL,
    updated_by   text NOT NULL DEFAULT '',
    PRIMARY KEY (org_id, id)
);
CREATE INDEX evidence_kind ON evidence (org_id, kind, id);

CREATE TABLE evidence_tags (
    org_id      text NOT NULL,
    evidence_id text NOT NULL,
    tag         text NOT NULL,
    PRIMARY KEY (org_id, tag, evidence_id),
    FOREIGN KEY (org_id, evidence_id) REFERENCES evidence (org_id, id) ON DELETE CASCADE
);
CREATE INDEX evidence_tags_item ON evidence_tags (org_id, evidence_id);

CREATE TABLE evidence_files (
    org_id      text NOT NULL,
    evidence_id text NOT NULL,
    data        bytea NOT NULL,
    PRIMARY KEY (org_id, evidence_id),
    FOREIGN KEY (org_id, evidence_id) REFERENCES evidence (org_id, id) ON DELETE CASCADE
);

-- Links from an item to a persona, one of its fields, or a field of one of
-- its variants. Reads join the persona (and variant) and skip trashed ones,
-- so the trash takes links along and a restore brings them back; purging a
-- persona or variant deletes its links.
CREATE TABLE evidence_links (
    org_id      text NOT NULL,
    id          text NOT NULL,
    evidence_id text NOT NULL,
    persona_id  text NOT NULL,
    variant_id  text,
    field       text NOT NULL DEFAULT '',
    stance      text NOT NULL CHECK (stance IN ('supports', 'contradicts')),
    excerpt     text NOT NULL DEFAULT '',
    page        text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL,
    created_by  text NOT NULL DEFAULT '',
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
