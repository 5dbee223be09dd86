-- +goose Up
-- Invitations: an admin invites an email address into an organisation with
-- a role; the person with that address accepts or declines after signing
-- in. Nobody joins without accepting. At most one open invitation (not
-- accepted, declined or revoked; it may have expired) per address and
-- organisation: inviting again refreshes it. token_hash will hold the hash
-- of an e-mailed link's one-time secret.
CREATE TABLE invitations (
    org_id      TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    id          TEXT NOT NULL,
    email       TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'editor', 'viewer')),
    invited_by  TEXT REFERENCES users (id) ON DELETE SET NULL,
    token_hash  TEXT UNIQUE,
    created_at  TIMESTAMP NOT NULL,
    expires_at  TIMESTAMP NOT NULL,
    accepted_at TIMESTAMP,
    accepted_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    declined_at TIMESTAMP,
    revoked_at  TIMESTAMP,
    PRIMARY KEY (org_id, id)
);
CREATE UNIQUE INDEX invitations_open ON invitations (org_id, email)
    WHERE accepted_at IS NULL AND declined_at IS NULL AND revoked_at IS NULL;
CREATE INDEX invitations_open_email ON invitations (email)
    WHERE accepted_at IS NULL AND declined_at IS NULL AND revoked_at IS NULL;
CREATE INDEX invitations_id ON invitations (id);

-- +goose Down
DROP TABLE invitations;
