-- +goose Up
-- Partial indexes over live personas: counts per group and template
-- version, and a group's page in ID order, as index-only scans.
CREATE INDEX personas_live_group ON personas (org_id, group_id, id) WHERE deleted_at IS NULL;
CREATE INDEX personas_live_version ON personas (org_id, template_id, template_version) WHERE deleted_at IS NULL;

-- +goose Down
DROP INDEX personas_live_version;
DROP INDEX personas_live_group;
