-- +goose Up
-- A proposal may target one customer variant's overrides instead of the
-- persona itself: variant_id names it (empty for a persona proposal),
-- base_revision is then the variant's revision and variant_content holds
-- the proposed overrides (JSON; empty for a persona proposal).
ALTER TABLE proposals ADD COLUMN variant_id TEXT NOT NULL DEFAULT '';
ALTER TABLE proposals ADD COLUMN variant_content TEXT NOT NULL DEFAULT '';
CREATE INDEX proposals_variant ON proposals (org_id, variant_id);

-- +goose Down
DROP INDEX proposals_variant;
ALTER TABLE proposals DROP COLUMN variant_content;
ALTER TABLE proposals DROP COLUMN variant_id;
