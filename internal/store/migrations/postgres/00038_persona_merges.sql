-- +goose Up
-- Merging two personas: the merged one keeps its row and its revisions
-- (its history stays readable), leaves every list as a trashed persona
-- does (deleted_at is set at the merge), and names the persona it was
-- merged into, so its addresses redirect there. No foreign key: purging
-- the survivor leaves the merged persona's history readable as it was.
ALTER TABLE personas ADD COLUMN merged_into text;
CREATE INDEX personas_merged_into ON personas (org_id, merged_into);

-- +goose Down
DROP INDEX personas_merged_into;
ALTER TABLE personas DROP COLUMN merged_into;
