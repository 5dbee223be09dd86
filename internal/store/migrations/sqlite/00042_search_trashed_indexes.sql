-- +goose Up
-- The search over notes, variants and evidence leaves out entries of
-- trashed personas and variants. It asked each match's persona and variant
-- row for deleted_at (a persona row longer than a page keeps it on an
-- overflow page). These indexes hold only the trashed ones (few, usually
-- none), so the check is one look into a tiny index (dialect.go,
-- entrySearchSQL; docs/BENCHMARKS.md, issue 20).
CREATE INDEX personas_trashed ON personas (org_id, id) WHERE deleted_at IS NOT NULL;
CREATE INDEX variants_trashed ON variants (org_id, id) WHERE deleted_at IS NOT NULL;

-- +goose Down
DROP INDEX variants_trashed;
DROP INDEX personas_trashed;
