-- +goose Up
-- Full-text entries for what is searched besides personas: customer
-- variants, notes and evidence. An entry tied to a persona (or a variant)
-- is found only while that is live, and goes when it is purged; a note's
-- entry goes with the note (also when its group is deleted).
CREATE TABLE search_entries (
    seq        INTEGER PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('variant', 'note', 'evidence')),
    ref_id     TEXT NOT NULL,
    persona_id TEXT,
    variant_id TEXT,
    note_id    TEXT,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL DEFAULT '',
    UNIQUE (org_id, kind, ref_id),
    FOREIGN KEY (org_id, persona_id) REFERENCES personas (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, variant_id) REFERENCES variants (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, note_id) REFERENCES notes (org_id, id) ON DELETE CASCADE
);

CREATE VIRTUAL TABLE search_entries_fts USING fts5 (
    title, body,
    content = 'search_entries', content_rowid = 'seq',
    tokenize = 'unicode61 remove_diacritics 2'
);

-- +goose StatementBegin
CREATE TRIGGER search_entries_fts_insert AFTER INSERT ON search_entries BEGIN
    INSERT INTO search_entries_fts (rowid, title, body) VALUES (new.seq, new.title, new.body);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER search_entries_fts_delete AFTER DELETE ON search_entries BEGIN
    INSERT INTO search_entries_fts (search_entries_fts, rowid, title, body) VALUES ('delete', old.seq, old.title, old.body);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER search_entries_fts_update AFTER UPDATE OF title, body ON search_entries BEGIN
    INSERT INTO search_entries_fts (search_entries_fts, rowid, title, body) VALUES ('delete', old.seq, old.title, old.body);
    INSERT INTO search_entries_fts (rowid, title, body) VALUES (new.seq, new.title, new.body);
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER search_entries_fts_update;
DROP TRIGGER search_entries_fts_delete;
DROP TRIGGER search_entries_fts_insert;
DROP TABLE search_entries_fts;
DROP TABLE search_entries;
