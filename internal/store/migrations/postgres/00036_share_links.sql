-- +goose Up
-- Share links: read-only addresses for people without an account. The
-- token is never stored, only its SHA-256 (token_hash, unique across
-- organisations: the token alone finds its link). subject_ids lists the
-- shared object's IDs (one, or a comparison's personas) separated by
-- spaces; lens and frame_ancestors are JSON.
CREATE TABLE share_links (
    org_id          text NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    id              text NOT NULL,
    token_hash      text NOT NULL UNIQUE,
    kind            text NOT NULL,
    subject_ids     text NOT NULL,
    title           text NOT NULL,
    lens            text NOT NULL DEFAULT '{}',
    password_hash   text NOT NULL DEFAULT '',
    expires_at      timestamptz,
    frame_ancestors text NOT NULL DEFAULT '[]',
    created_by      text NOT NULL,
    created_at      timestamptz NOT NULL,
    revoked_at      timestamptz,
    revoked_by      text NOT NULL DEFAULT '',
    last_opened_at  timestamptz,
    views           bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (org_id, id)
);
CREATE INDEX share_links_org ON share_links (org_id, created_at);

-- +goose Down
DROP TABLE share_links;
