-- +goose Up
-- Partial indexes over live personas. On SQLite a persona row stores its
-- long JSON and search text before deleted_at, so testing deleted_at reads
-- the row's overflow pages; these indexes answer the common live-persona
-- questions (how many in a group or a template version, a group's page in
-- ID order, which search matches are live) without touching the rows.
CREATE INDEX personas_live_group ON personas (org_id, group_id, id) WHERE deleted_at IS NULL;
CREATE INDEX personas_live_version ON personas (org_id, template_id, template_version) WHERE deleted_at IS NULL;
CREATE INDEX personas_live_search ON personas (seq, org_id, profile_type, group_id, id) WHERE deleted_at IS NULL;

-- +goose Down
DROP INDEX personas_live_search;
DROP INDEX personas_live_version;
DROP INDEX personas_live_group;
