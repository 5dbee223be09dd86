-- +goose Up
-- Search folds text in Go (persona.FoldSearch: lower case, Latin, Greek,
-- Hebrew and Arabic diacritics removed, ł→l, ß→ss …) before indexing and
-- before querying, on both engines, so that SQLite and PostgreSQL find the
-- same things ("lodz" finds "Łódź", "nguyen" finds "Nguyễn"). The
-- tokenizer therefore folds nothing more (remove_diacritics 0) and takes
-- letters, digits and marks as word characters, as the Go side splits
-- words. The tables are rebuilt from the stored rows by the store after
-- migrating (store_tasks), in the new folded form.
DROP TRIGGER personas_fts_delete;
DROP TABLE personas_fts;
DROP TRIGGER search_entries_fts_delete;
DROP TABLE search_entries_fts;

CREATE VIRTUAL TABLE personas_fts USING fts5 (
    name, summary, search_text,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 0 categories ''L* N* M*'''
);

-- +goose StatementBegin
CREATE TRIGGER personas_fts_delete AFTER DELETE ON personas BEGIN
    DELETE FROM personas_fts WHERE rowid = old.seq;
END;
-- +goose StatementEnd

CREATE VIRTUAL TABLE search_entries_fts USING fts5 (
    title, body,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 0 categories ''L* N* M*'''
);

-- +goose StatementBegin
CREATE TRIGGER search_entries_fts_delete AFTER DELETE ON search_entries BEGIN
    DELETE FROM search_entries_fts WHERE rowid = old.seq;
END;
-- +goose StatementEnd

INSERT OR IGNORE INTO store_tasks (name) VALUES ('reindex_search');

-- +goose Down
DROP TRIGGER search_entries_fts_delete;
DROP TABLE search_entries_fts;
DROP TRIGGER personas_fts_delete;
DROP TABLE personas_fts;

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

INSERT OR IGNORE INTO store_tasks (name) VALUES ('reindex_search');
