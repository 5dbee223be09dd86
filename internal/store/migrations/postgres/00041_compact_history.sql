-- +goose Up
-- Compact history (issue 20): a persona revision is stored either as a full
-- snapshot of the persona's content (content_kind 'full', content the
-- persona.Content as JSON) or as the change from the revision before it
-- ('delta', content a persona.ContentDelta as JSON). Revision 1, every
-- 16th revision after it (17, 33, …) and a revision whose delta would not
-- be small are snapshots; a revision is rebuilt from the nearest snapshot
-- at or before it. content_packed, when not NULL, holds that JSON
-- compressed with DEFLATE (RFC 1951) and content is then an empty JSON
-- object: large snapshots are stored so, at less than half their size. Every
-- revision written before this migration is a snapshot, not packed.
ALTER TABLE persona_revisions ADD COLUMN content_kind text NOT NULL DEFAULT 'full'
    CHECK (content_kind IN ('full', 'delta'));
ALTER TABLE persona_revisions ADD COLUMN content_packed bytea;

-- +goose Down
-- Going back is only possible while every revision is an uncompressed
-- snapshot (the older code reads only those): this fails otherwise.
-- +goose StatementBegin
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM persona_revisions WHERE content_kind <> 'full' OR content_packed IS NOT NULL) THEN
        RAISE EXCEPTION 'persona revisions are stored as deltas or compressed (migration 00041); they cannot be read by an older version';
    END IF;
END
$$;
-- +goose StatementEnd
ALTER TABLE persona_revisions DROP COLUMN content_packed;
ALTER TABLE persona_revisions DROP COLUMN content_kind;
