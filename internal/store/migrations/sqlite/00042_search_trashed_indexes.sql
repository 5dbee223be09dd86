-- +goose Up
-- The search over notes, variants and evidence leaves out entries of
-- trashed personas and variants. It asked each match's persona row for
-- deleted_at, and a persona row spills onto overflow pages with deleted_at
-- at its end: several page reads per match. These indexes hold only the
-- trashed ones (few, usually none), so the check is one look into a tiny
-- index (dialect.go, entrySearchSQL).
CREATE INDEX personas_trashed ON personas (org_id, id) WHERE deleted_at IS NOT NULL;
CREATE INDEX variants_trashed ON variants (org_id, id) WHERE deleted_at IS NOT NULL;

-- +goose Down
DROP INDEX variants_trashed;
DROP INDEX personas_trashed;
