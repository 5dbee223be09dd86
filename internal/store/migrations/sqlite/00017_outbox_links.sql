-- +goose Up
-- Operators run the instance (the outbox page, personapal outbox): a flag
-- on the account, set with personapal user create --operator or
-- personapal user set-operator. It grants nothing inside organisations.
ALTER TABLE users ADD COLUMN operator BOOLEAN NOT NULL DEFAULT FALSE;

-- One-time links sent by e-mail. Only the SHA-256 of a link's secret is
-- kept; a link is consumed once (used_at) before it expires. The purposes
-- are persona.LinkPurposes (checked in Go, so that a new purpose needs no
-- migration).
CREATE TABLE links (
    token_hash TEXT PRIMARY KEY,
    purpose    TEXT NOT NULL,
    user_id    TEXT REFERENCES users (id) ON DELETE CASCADE,
    email      TEXT NOT NULL DEFAULT '',
    org_id     TEXT REFERENCES orgs (id) ON DELETE CASCADE,
    ref_id     TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP
);
CREATE INDEX links_user ON links (purpose, user_id) WHERE used_at IS NULL;
CREATE INDEX links_ref ON links (purpose, ref_id) WHERE used_at IS NULL;
CREATE INDEX links_expires ON links (expires_at);

-- The mail outbox: every message, rendered when it is queued (in the
-- transaction of the change that causes it), sent by the job queue
-- (river's tables, migrated by river). status 'sent' is the marker that
-- keeps a message from being sent again; the bodies go once an SMTP
-- server accepted it.
CREATE TABLE outbox_messages (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    org_id      TEXT REFERENCES orgs (id) ON DELETE SET NULL,
    to_addr     TEXT NOT NULL,
    message_id  TEXT NOT NULL UNIQUE,
    subject     TEXT NOT NULL,
    text_body   TEXT,
    html_body   TEXT,
    links       TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL CHECK (status IN ('queued', 'retrying', 'sent', 'logged', 'failed')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    sent_at     TIMESTAMP
);
CREATE INDEX outbox_messages_created ON outbox_messages (created_at, id);
CREATE INDEX outbox_messages_status ON outbox_messages (status, created_at);

-- +goose Down
DROP TABLE outbox_messages;
DROP TABLE links;
ALTER TABLE users DROP COLUMN operator;
