-- +goose Up
-- SQLite gets partial indexes of trashed personas and variants for the
-- entry search in this version; PostgreSQL's entry search reads the
-- organisation's entries first (a materialised CTE) and is unchanged. The
-- file keeps version numbers matching between the dialects.
SELECT 1;

-- +goose Down
SELECT 1;
