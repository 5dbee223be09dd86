-- +goose Up
-- Work links: external work items (issues, design files, documents)
-- attached to a persona; they go with the persona when it is purged.
CREATE TABLE work_links (
    org_id     TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    id         TEXT NOT NULL,
    persona_id TEXT NOT NULL,
    url        TEXT NOT NULL,
    title      TEXT NOT NULL,
    kind       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, persona_id) REFERENCES personas (org_id, id) ON DELETE CASCADE
);
CREATE INDEX work_links_persona ON work_links (org_id, persona_id, created_at);

-- +goose Down
DROP TABLE work_links;
