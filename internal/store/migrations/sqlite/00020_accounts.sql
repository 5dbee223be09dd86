-- +goose Up
-- Self-service accounts (issue 15): first-run setup, sign-up with a
-- verified e-mail address, sessions people can see and end one by one, and
-- API tokens with a scope and an expiry.

-- An account works once its address is verified. Everyone who existed
-- before was made by an operator (CLI, demo) and counts as verified.
ALTER TABLE users ADD COLUMN email_verified_at TIMESTAMP;
UPDATE users SET email_verified_at = created_at;

-- A sign-up's verification link: only its SHA-256 is kept; one per user
-- (a new sign-up replaces it); used once (the row is deleted), valid 24 h.
CREATE TABLE signup_verifications (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX signup_verifications_user ON signup_verifications (user_id);

-- First-run setup codes (SHA-256 of each code serve printed while no user
-- existed). Completing the setup deletes them all.
CREATE TABLE setup_codes (
    code_hash  TEXT PRIMARY KEY,
    created_at TIMESTAMP NOT NULL
);

-- Sessions as their owner sees them on the account page: a public ID (to
-- end one), when it began, when it was last used (written at most once a
-- minute), and from where.
ALTER TABLE sessions ADD COLUMN id TEXT;
ALTER TABLE sessions ADD COLUMN created_at TIMESTAMP;
ALTER TABLE sessions ADD COLUMN last_seen_at TIMESTAMP;
ALTER TABLE sessions ADD COLUMN client TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';
UPDATE sessions SET id = lower(hex(randomblob(16)));
CREATE UNIQUE INDEX sessions_id ON sessions (id);

-- API tokens: read-only or read-write, and an optional expiry.
ALTER TABLE api_tokens ADD COLUMN scope TEXT NOT NULL DEFAULT 'write' CHECK (scope IN ('read', 'write'));
ALTER TABLE api_tokens ADD COLUMN expires_at TIMESTAMP;

-- +goose Down
ALTER TABLE api_tokens DROP COLUMN expires_at;
ALTER TABLE api_tokens DROP COLUMN scope;
DROP INDEX sessions_id;
ALTER TABLE sessions DROP COLUMN user_agent;
ALTER TABLE sessions DROP COLUMN client;
ALTER TABLE sessions DROP COLUMN last_seen_at;
ALTER TABLE sessions DROP COLUMN created_at;
ALTER TABLE sessions DROP COLUMN id;
DROP TABLE setup_codes;
DROP TABLE signup_verifications;
ALTER TABLE users DROP COLUMN email_verified_at;
