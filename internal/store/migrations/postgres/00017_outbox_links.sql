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
    token_hash text PRIMARY KEY,
    purpose    text NOT NULL,
    user_id    text REFERENCES users (id) ON DELETE CASCADE,
    email      text NOT NULL DEFAULT '',
    org_id     text REFERENCES orgs (id) ON DELETE CASCADE,
    ref_id     text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
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
    id          text PRIMARY KEY,
    kind        text NOT NULL,
    org_id      text REFERENCES orgs (id) ON DELETE SET NULL,
    to_addr     text NOT NULL,
    message_id  text NOT NULL UNIQUE,
    subject     text NOT NULL,
    text_body   text,
    html_body   text,
    links       text NOT NULL DEFAULT '',
    status      text NOT NULL CHECK (status IN ('queued', 'retrying', 'sent', 'logged', 'failed')),
    attempts    integer NOT NULL DEFAULT 0,
    last_error  text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    sent_at     timestamptz
);
CREATE INDEX outbox_messages_created ON outbox_messages (created_at, id);
CREATE INDEX outbox_messages_status ON outbox_messages (status, created_at);

-- +goose Down
DROP TABLE outbox_messages;
DROP TABLE links;
ALTER TABLE users DROP COLUMN operator;
