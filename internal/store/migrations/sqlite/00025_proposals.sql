-- +goose Up
-- Change proposals: a proposed revision of a persona (a pull request for a
-- persona), based on the revision it was made from. The persona's
-- revisions hold the base, so only the proposed content is stored here.
CREATE TABLE proposals (
    org_id           TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    id               TEXT NOT NULL,
    persona_id       TEXT NOT NULL,
    base_revision    INTEGER NOT NULL,
    message          TEXT NOT NULL DEFAULT '',
    content          TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('open', 'accepted', 'declined', 'withdrawn')),
    author_id        TEXT NOT NULL,
    created_at       TIMESTAMP NOT NULL,
    decided_by       TEXT NOT NULL DEFAULT '',
    decided_at       TIMESTAMP,
    reason           TEXT NOT NULL DEFAULT '',
    applied_revision INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, persona_id) REFERENCES personas (org_id, id) ON DELETE CASCADE
);
CREATE INDEX proposals_persona ON proposals (org_id, persona_id, created_at);
CREATE INDEX proposals_status ON proposals (org_id, status, created_at);

-- The organisation's sign-off setting: when on, a published persona
-- changes only through accepted proposals. A row of its own keeps the
-- orgs table (and every query on it) as it is.
CREATE TABLE org_proposal_settings (
    org_id            TEXT PRIMARY KEY REFERENCES orgs (id) ON DELETE CASCADE,
    require_proposals INTEGER NOT NULL DEFAULT 0
);

-- +goose Down
DROP TABLE org_proposal_settings;
DROP TABLE proposals;
