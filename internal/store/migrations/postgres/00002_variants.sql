-- +goose Up
-- Customer variants: per-customer-type overrides of a persona. A variant is
-- visible only while its persona is live, so trashing a persona takes its
-- variants with it and restoring brings them back; purging deletes them.
-- customer_id names an archetype persona of the same organisation; it has no
-- foreign key so that purging an archetype leaves its variants readable
-- (the app shows the customer as gone).
CREATE TABLE variants (
    org_id         text NOT NULL,
    id             text NOT NULL,
    persona_id     text NOT NULL,
    customer_id    text,
    customer_label text NOT NULL DEFAULT '',
    content        jsonb NOT NULL,
    revision       integer NOT NULL,
    created_at     timestamptz NOT NULL,
    created_by     text NOT NULL DEFAULT '',
    updated_at     timestamptz NOT NULL,
    updated_by     text NOT NULL DEFAULT '',
    deleted_at     timestamptz,
    deleted_by     text NOT NULL DEFAULT '',
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, persona_id) REFERENCES personas (org_id, id) ON DELETE CASCADE
);
CREATE INDEX variants_persona ON variants (org_id, persona_id);
CREATE INDEX variants_customer ON variants (org_id, customer_id);

CREATE TABLE variant_revisions (
    org_id     text NOT NULL,
    variant_id text NOT NULL,
    number     integer NOT NULL,
    author_id  text NOT NULL DEFAULT '',
    message    text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL,
    content    jsonb NOT NULL,
    PRIMARY KEY (org_id, variant_id, number),
    FOREIGN KEY (org_id, variant_id) REFERENCES variants (org_id, id) ON DELETE CASCADE
);

-- +goose Down
DROP TABLE variant_revisions;
DROP TABLE variants;
