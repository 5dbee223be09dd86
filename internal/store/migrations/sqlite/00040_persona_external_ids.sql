-- +goose Up
-- External IDs: the ID another tool gave a persona, recorded by an import
-- so that a later import in update mode finds the persona again. One per
-- persona, unique in the organisation; they go with the persona when it is
-- purged.
CREATE TABLE persona_external_ids (
    org_id      TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    external_id TEXT NOT NULL,
    persona_id  TEXT NOT NULL,
    PRIMARY KEY (org_id, external_id),
    UNIQUE (org_id, persona_id),
    FOREIGN KEY (org_id, persona_id) REFERENCES personas (org_id, id) ON DELETE CASCADE
);

-- +goose Down
DROP TABLE persona_external_ids;
