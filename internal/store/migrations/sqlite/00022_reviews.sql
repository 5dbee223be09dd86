-- +goose Up
-- A review of a persona ("mark reviewed"): who looked at it, when, and
-- what they noted. The persona's last_reviewed_on is set by the same
-- transaction; these rows are its history. The reviewer is kept as an ID
-- without a foreign key, so a review outlives its reviewer's account.
CREATE TABLE reviews (
    org_id      TEXT NOT NULL,
    id          TEXT NOT NULL,
    persona_id  TEXT NOT NULL,
    reviewer_id TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    reviewed_on TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, persona_id) REFERENCES personas (org_id, id) ON DELETE CASCADE
);
CREATE INDEX reviews_persona ON reviews (org_id, persona_id, created_at);

-- Users who do not want the weekly review digest (the default is to get it).
CREATE TABLE review_digest_optouts (
    user_id    TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL
);

-- The weeks whose digest went out (ISO week, "2026-W49"): the transaction
-- that queues a week's digests claims its row, so a job run again (by a
-- restart or another instance) in the same week sends nothing.
CREATE TABLE review_digest_runs (
    period     TEXT PRIMARY KEY,
    created_at TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE review_digest_runs;
DROP TABLE review_digest_optouts;
DROP TABLE reviews;
