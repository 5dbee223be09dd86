-- +goose Up
-- PostgreSQL compresses its large columns with LZ4 from this version;
-- SQLite stores rows as they are. The file keeps version numbers matching
-- between the dialects.
SELECT 1;

-- +goose Down
SELECT 1;
