-- +goose Up
-- Organisation-qualified search words. The full-text tables become
-- contentless (they keep only the index) and hold each word prefixed with a
-- short key derived from its organisation ("k3f…" + "dashboard"), written by
-- the store in the same transaction as the row it indexes. A search then
-- reads only its own organisation's entries for a word, however many other
-- organisations use the same word: the match costs what the organisation
-- holds, not what the database holds. Snippets are cut from the returned
-- rows' text by the application.
DROP TRIGGER personas_fts_update;
DROP TRIGGER personas_fts_delete;
DROP TRIGGER personas_fts_insert;
DROP TABLE personas_fts;

DROP TRIGGER search_entries_fts_update;
DROP TRIGGER search_entries_fts_delete;
DROP TRIGGER search_entries_fts_insert;
DROP TABLE search_entries_fts;

CREATE VIRTUAL TABLE personas_fts USING fts5 (
    name, summary, search_text,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);

-- +goose StatementBegin
CREATE TRIGGER personas_fts_delete AFTER DELETE ON personas BEGIN
    DELETE FROM personas_fts WHERE rowid = old.seq;
END;
-- +goose StatementEnd

CREATE VIRTUAL TABLE search_entries_fts USING fts5 (
    title, body,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);

-- +goose StatementBegin
CREATE TRIGGER search_entries_fts_delete AFTER DELETE ON search_entries BEGIN
    DELETE FROM search_entries_fts WHERE rowid = old.seq;
END;
-- +goose StatementEnd

-- Work the store finishes in Go after migrating (here: filling the new
-- index from the rows already stored).
CREATE TABLE store_tasks (name TEXT PRIMARY KEY);
INSERT INTO store_tasks (name) VALUES ('reindex_search');

-- +goose Down
DROP TABLE store_tasks;
DROP TRIGGER search_entries_fts_delete;
DROP TABLE search_entries_fts;
DROP TRIGGER personas_fts_delete;
DROP TABLE personas_fts;

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

INSERT INTO search_entries_fts (search_entries_fts) VALUES ('rebuild');

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
