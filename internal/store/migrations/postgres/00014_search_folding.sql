-- +goose Up
-- Search folds text in Go (persona.FoldSearch) before indexing and before
-- querying, on both engines, so that PostgreSQL and SQLite find the same
-- things ("lodz" finds "Łódź", "nguyen" finds "Nguyễn"; the 'simple'
-- configuration only lower-cases). The search vectors are therefore no
-- longer generated from the text columns: the store writes them from the
-- folded words, in the same statement's transaction as the row, and
-- rebuilds them from the stored rows after migrating (store_tasks).
ALTER TABLE personas DROP COLUMN search;
ALTER TABLE personas ADD COLUMN search tsvector NOT NULL DEFAULT ''::tsvector;
CREATE INDEX personas_search ON personas USING gin (search);

ALTER TABLE search_entries DROP COLUMN search;
ALTER TABLE search_entries ADD COLUMN search tsvector NOT NULL DEFAULT ''::tsvector;
CREATE INDEX search_entries_search ON search_entries USING gin (search);

-- Work the store finishes in Go after migrating, once (as on SQLite).
CREATE TABLE IF NOT EXISTS store_tasks (name text PRIMARY KEY);
INSERT INTO store_tasks (name) VALUES ('reindex_search') ON CONFLICT DO NOTHING;

-- +goose Down
DROP TABLE store_tasks;
ALTER TABLE search_entries DROP COLUMN search;
ALTER TABLE search_entries ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple', title), 'A') || setweight(to_tsvector('simple', body), 'C')
) STORED;
CREATE INDEX search_entries_search ON search_entries USING gin (search);

ALTER TABLE personas DROP COLUMN search;
ALTER TABLE personas ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple', name), 'A') ||
    setweight(to_tsvector('simple', summary), 'B') ||
    setweight(to_tsvector('simple', search_text), 'C')
) STORED;
CREATE INDEX personas_search ON personas USING gin (search);
