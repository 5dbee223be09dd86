-- +goose Up
-- Change proposals: a proposed revision of a persona (a pull request for a
-- persona), based on the revision it was made from. The persona's
-- revisions hold the base, so only the proposed content is stored here.
CREATE TABLE proposals (
    org_id           text NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    id               text NOT NULL,
    persona_id       text NOT NULL,
    base_revision    integer NOT NULL,
    message          text NOT NULL DEFAULT '',
    content          text NOT NULL,
    status           text NOT NULL CHECK (status IN ('open', 'accepted', 'declined', 'withdrawn')),
    author_id        text NOT NULL,
    created_at       timestamptz NOT NULL,
    decided_by       text NOT NULL DEFAULT '',
    decided_at       timestamptz,
    reason           text NOT NULL DEFAULT '',
    applied_revision integer NOT NULL DEFAULT 0,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, persona_id) REFERENCES personas (org_id, id) ON DELETE CASCADE
);
CREATE INDEX proposals_persona ON proposals (org_id, persona_id, created_at);
CREATE INDEX proposals_status ON proposals (org_id, status, created_at);

-- The organisation's sign-off setting: when on, a published persona
-- changes only through accepted proposals. A row of its own keeps the
-- orgs table (and every query on it) as it is.
CREATE TABLE org_proposal_settings (
    org_id            text PRIMARY KEY REFERENCES orgs (id) ON DELETE CASCADE,
    require_proposals integer NOT NULL DEFAULT 0
);

-- +goose Down
DROP TABLE org_proposal_settings;
DROP TABLE proposals;
