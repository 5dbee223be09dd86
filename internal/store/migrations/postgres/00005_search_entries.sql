-- +goose Up
-- Full-text entries for what is searched besides personas: customer
-- variants, notes and evidence. An entry tied to a persona (or a variant)
-- is found only while that is live, and goes when it is purged; a note's
-- entry goes with the note (also when its group is deleted).
CREATE TABLE search_entries (
    org_id     text NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    kind       text NOT NULL CHECK (kind IN ('variant', 'note', 'evidence')),
    ref_id     text NOT NULL,
    persona_id text,
    variant_id text,
    note_id    text,
    title      text NOT NULL,
    body       text NOT NULL DEFAULT '',
    search     tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', title), 'A') || setweight(to_tsvector('simple', body), 'C')
    ) STORED,
    PRIMARY KEY (org_id, kind, ref_id),
    FOREIGN KEY (org_id, persona_id) REFERENCES personas (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, variant_id) REFERENCES variants (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, note_id) REFERENCES notes (org_id, id) ON DELETE CASCADE
);
CREATE INDEX search_entries_search ON search_entries USING gin (search);

-- +goose Down
DROP TABLE search_entries;
