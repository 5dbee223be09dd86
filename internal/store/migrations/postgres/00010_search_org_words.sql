-- +goose Up
-- SQLite's full-text tables became organisation-qualified and contentless
-- in this version; PostgreSQL's tsvector search is unchanged. The file
-- keeps version numbers matching between the dialects.
SELECT 1;

-- +goose Down
SELECT 1;
