-- +goose Up
-- Work links: external work items (issues, design files, documents)
-- attached to a persona; they go with the persona when it is purged.
CREATE TABLE work_links (
    org_id     text NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    id         text NOT NULL,
    persona_id text NOT NULL,
    url        text NOT NULL,
    title      text NOT NULL,
    kind       text NOT NULL,
    created_at timestamptz NOT NULL,
    created_by text NOT NULL,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, persona_id) REFERENCES personas (org_id, id) ON DELETE CASCADE
);
CREATE INDEX work_links_persona ON work_links (org_id, persona_id, created_at);

-- +goose Down
DROP TABLE work_links;
