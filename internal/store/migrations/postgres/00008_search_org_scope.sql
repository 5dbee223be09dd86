-- +goose Up
-- SQLite's FTS index became organisation-scoped in this version; on
-- PostgreSQL the search is scoped by the (org_id) filter with the GIN
-- index, so there is nothing to change. The file keeps version numbers
-- matching between the dialects.
SELECT 1;

-- +goose Down
SELECT 1;
