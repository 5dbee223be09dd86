-- +goose Up
-- The large JSON and text columns are compressed with LZ4 instead of
-- PostgreSQL's default pglz: a persona row is bigger than TOAST's 2 KB
-- target, so every write compressed its values, and pglz was a tenth of
-- the database's CPU in a bulk import; LZ4 compresses several times
-- faster and decompresses faster on every read, for a slightly larger
-- result (docs/BENCHMARKS.md, issue 20). Only new values use it; stored
-- ones stay as they are and read as before. A server built without LZ4
-- keeps pglz (the ALTERs fail with feature_not_supported and are skipped).
-- +goose StatementBegin
DO $$
BEGIN
  ALTER TABLE personas
    ALTER COLUMN field_values SET COMPRESSION lz4,
    ALTER COLUMN dimensions SET COMPRESSION lz4,
    ALTER COLUMN retired SET COMPRESSION lz4,
    ALTER COLUMN search_text SET COMPRESSION lz4,
    ALTER COLUMN search SET COMPRESSION lz4;
  ALTER TABLE persona_revisions ALTER COLUMN content SET COMPRESSION lz4;
  ALTER TABLE templates ALTER COLUMN draft SET COMPRESSION lz4;
  ALTER TABLE template_versions ALTER COLUMN definition SET COMPRESSION lz4;
  ALTER TABLE variants ALTER COLUMN content SET COMPRESSION lz4;
  ALTER TABLE variant_revisions ALTER COLUMN content SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
  RAISE NOTICE 'LZ4 is not available in this PostgreSQL build; columns keep pglz';
END $$;
-- +goose StatementEnd

-- +goose Down
ALTER TABLE personas
  ALTER COLUMN field_values SET COMPRESSION default,
  ALTER COLUMN dimensions SET COMPRESSION default,
  ALTER COLUMN retired SET COMPRESSION default,
  ALTER COLUMN search_text SET COMPRESSION default,
  ALTER COLUMN search SET COMPRESSION default;
ALTER TABLE persona_revisions ALTER COLUMN content SET COMPRESSION default;
ALTER TABLE templates ALTER COLUMN draft SET COMPRESSION default;
ALTER TABLE template_versions ALTER COLUMN definition SET COMPRESSION default;
ALTER TABLE variants ALTER COLUMN content SET COMPRESSION default;
ALTER TABLE variant_revisions ALTER COLUMN content SET COMPRESSION default;
