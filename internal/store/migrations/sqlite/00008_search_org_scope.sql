-- +goose Up
-- Organisation-scoped full-text search: the FTS index gets a column holding
-- one token per organisation ("o" + the organisation ID without hyphens),
-- and searches match that token AND the terms. FTS5 then intersects the
-- terms with the organisation's own few rows instead of ranking every
-- organisation's matches and filtering afterwards.
ALTER TABLE personas ADD COLUMN org_key TEXT GENERATED ALWAYS AS ('o' || replace(org_id, '-', '')) VIRTUAL;

DROP TRIGGER personas_fts_update;
DROP TRIGGER personas_fts_delete;
DROP TRIGGER personas_fts_insert;
DROP TABLE personas_fts;

CREATE VIRTUAL TABLE personas_fts USING fts5 (
    name, summary, search_text, org_key,
    content = 'personas', content_rowid = 'seq',
    tokenize = 'unicode61 remove_diacritics 2'
);

-- +goose StatementBegin
CREATE TRIGGER personas_fts_insert AFTER INSERT ON personas BEGIN
    INSERT INTO personas_fts (rowid, name, summary, search_text, org_key)
    VALUES (new.seq, new.name, new.summary, new.search_text, new.org_key);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER personas_fts_delete AFTER DELETE ON personas BEGIN
    INSERT INTO personas_fts (personas_fts, rowid, name, summary, search_text, org_key)
    VALUES ('delete', old.seq, old.name, old.summary, old.search_text, old.org_key);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER personas_fts_update AFTER UPDATE OF name, summary, search_text ON personas BEGIN
    INSERT INTO personas_fts (personas_fts, rowid, name, summary, search_text, org_key)
    VALUES ('delete', old.seq, old.name, old.summary, old.search_text, old.org_key);
    INSERT INTO personas_fts (rowid, name, summary, search_text, org_key)
    VALUES (new.seq, new.name, new.summary, new.search_text, new.org_key);
END;
-- +goose StatementEnd

INSERT INTO personas_fts (personas_fts) VALUES ('rebuild');

-- +goose Down
DROP TRIGGER personas_fts_update;
DROP TRIGGER personas_fts_delete;
DROP TRIGGER personas_fts_insert;
DROP TABLE personas_fts;
CREATE VIRTUAL TABLE personas_fts USING fts5 (
    name, summary, search_text,
    content = 'personas', content_rowid = 'seq',
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO personas_fts (personas_fts) VALUES ('rebuild');
ALTER TABLE personas DROP COLUMN org_key;
