-- +goose Up
-- Customer variants: per-customer-type overrides of a persona. A variant is
-- visible only while its persona is live, so trashing a persona takes its
-- variants with it and restoring brings them back; purging deletes them.
-- customer_id names an archetype persona of the same organisation; it has no
-- foreign key so that purging an archetype leaves its variants readable
-- (the app shows the customer as gone).
CREATE TABLE variants (
    org_id         TEXT NOT NULL,
    id             TEXT NOT NULL,
    persona_id     TEXT NOT NULL,
    customer_id    TEXT,
    customer_label TEXT NOT NULL DEFAULT '',
    content        TEXT NOT NULL,
    revision       INTEGER NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    created_by     TEXT NOT NULL DEFAULT '',
    updated_at     TIMESTAMP NOT NULL,
    updated_by     TEXT NOT NULL DEFAULT '',
    deleted_at     TIMESTAMP,
    deleted_by     TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, persona_id) REFERENCES personas (org_id, id) ON DELETE CASCADE
);
CREATE INDEX variants_persona ON variants (org_id, persona_id);
CREATE INDEX variants_customer ON variants (org_id, customer_id);

CREATE TABLE variant_revisions (
    org_id     TEXT NOT NULL,
    variant_id TEXT NOT NULL,
    number     INTEGER NOT NULL,
    author_id  TEXT NOT NULL DEFAULT '',
    message    TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    content    TEXT NOT NULL,
    PRIMARY KEY (org_id, variant_id, number),
    FOREIGN KEY (org_id, variant_id) REFERENCES variants (org_id, id) ON DELETE CASCADE
);

-- +goose Down
DROP TABLE variant_revisions;
DROP TABLE variants;
