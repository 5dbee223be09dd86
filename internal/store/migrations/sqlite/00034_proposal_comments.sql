-- +goose Up
-- Comment threads on change proposals: proposal_id ties a comment to its
-- proposal (deleting the proposal, or its persona, deletes the thread).
-- SQLite cannot add a column with a composite foreign key (ALTER TABLE ADD
-- COLUMN takes only a one-column REFERENCES, and proposals key on
-- (org_id, id)), so the table is rebuilt with it; renaming comments_new
-- rewrites its self-reference to comments.
CREATE TABLE comments_new (
    org_id       TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    id           TEXT NOT NULL,
    subject_kind TEXT NOT NULL,
    subject_id   TEXT NOT NULL,
    field_key    TEXT NOT NULL DEFAULT '',
    parent_id    TEXT,
    persona_id   TEXT,
    variant_id   TEXT,
    launchpad_id TEXT,
    body         TEXT NOT NULL,
    mentions     TEXT NOT NULL DEFAULT '',
    author_id    TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    deleted_at   TIMESTAMP,
    resolved_at  TIMESTAMP,
    resolved_by  TEXT NOT NULL DEFAULT '',
    proposal_id  TEXT,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, parent_id) REFERENCES comments_new (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, persona_id) REFERENCES personas (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, variant_id) REFERENCES variants (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, launchpad_id) REFERENCES launchpads (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, proposal_id) REFERENCES proposals (org_id, id) ON DELETE CASCADE
);
-- Threads' top-level comments first: a reply's parent must be there.
INSERT INTO comments_new (org_id, id, subject_kind, subject_id, field_key, parent_id, persona_id, variant_id, launchpad_id, body, mentions, author_id, created_at, updated_at, deleted_at, resolved_at, resolved_by)
    SELECT org_id, id, subject_kind, subject_id, field_key, parent_id, persona_id, variant_id, launchpad_id, body, mentions, author_id, created_at, updated_at, deleted_at, resolved_at, resolved_by FROM comments ORDER BY parent_id IS NOT NULL, created_at, id;
DROP TABLE comments;
ALTER TABLE comments_new RENAME TO comments;
CREATE INDEX comments_subject ON comments (org_id, subject_kind, subject_id, created_at);
CREATE INDEX comments_persona ON comments (org_id, persona_id);
CREATE INDEX comments_proposal ON comments (org_id, proposal_id);

-- +goose Down
CREATE TABLE comments_new (
    org_id       TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    id           TEXT NOT NULL,
    subject_kind TEXT NOT NULL,
    subject_id   TEXT NOT NULL,
    field_key    TEXT NOT NULL DEFAULT '',
    parent_id    TEXT,
    persona_id   TEXT,
    variant_id   TEXT,
    launchpad_id TEXT,
    body         TEXT NOT NULL,
    mentions     TEXT NOT NULL DEFAULT '',
    author_id    TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    deleted_at   TIMESTAMP,
    resolved_at  TIMESTAMP,
    resolved_by  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, parent_id) REFERENCES comments_new (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, persona_id) REFERENCES personas (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, variant_id) REFERENCES variants (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, launchpad_id) REFERENCES launchpads (org_id, id) ON DELETE CASCADE
);
-- Threads' top-level comments first: a reply's parent must be there.
INSERT INTO comments_new (org_id, id, subject_kind, subject_id, field_key, parent_id, persona_id, variant_id, launchpad_id, body, mentions, author_id, created_at, updated_at, deleted_at, resolved_at, resolved_by)
    SELECT org_id, id, subject_kind, subject_id, field_key, parent_id, persona_id, variant_id, launchpad_id, body, mentions, author_id, created_at, updated_at, deleted_at, resolved_at, resolved_by FROM comments WHERE subject_kind <> 'proposal' ORDER BY parent_id IS NOT NULL, created_at, id;
DROP TABLE comments;
ALTER TABLE comments_new RENAME TO comments;
CREATE INDEX comments_subject ON comments (org_id, subject_kind, subject_id, created_at);
CREATE INDEX comments_persona ON comments (org_id, persona_id);
