-- +goose Up
-- Comment threads on change proposals: proposal_id ties a comment to its
-- proposal (deleting the proposal, or its persona, deletes the thread).
ALTER TABLE comments ADD COLUMN proposal_id text;
ALTER TABLE comments ADD CONSTRAINT comments_proposal_fk
    FOREIGN KEY (org_id, proposal_id) REFERENCES proposals (org_id, id) ON DELETE CASCADE;
CREATE INDEX comments_proposal ON comments (org_id, proposal_id);

-- +goose Down
DELETE FROM comments WHERE subject_kind = 'proposal';
DROP INDEX comments_proposal;
ALTER TABLE comments DROP COLUMN proposal_id;
