-- +goose Up
-- Share links: read-only addresses for people without an account. The
-- token is never stored, only its SHA-256 (token_hash, unique across
-- organisations: the token alone finds its link). subject_ids lists the
-- shared object's IDs (one, or a comparison's personas) separated by
-- spaces; lens and frame_ancestors are JSON.
CREATE TABLE share_links (
    org_id          TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    id              TEXT NOT NULL,
    token_hash      TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL,
    subject_ids     TEXT NOT NULL,
    title           TEXT NOT NULL,
    lens            TEXT NOT NULL DEFAULT '{}',
    password_hash   TEXT NOT NULL DEFAULT '',
    expires_at      TIMESTAMP,
    frame_ancestors TEXT NOT NULL DEFAULT '[]',
    created_by      TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    revoked_at      TIMESTAMP,
    revoked_by      TEXT NOT NULL DEFAULT '',
    last_opened_at  TIMESTAMP,
    views           INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (org_id, id)
);
CREATE INDEX share_links_org ON share_links (org_id, created_at);

-- +goose Down
DROP TABLE share_links;
