-- +goose Up
-- Who is viewing or editing a persona right now: one row per open stream
-- (conn_id), refreshed by its server while the stream is open and expiring
-- on its own when that server dies. Rows live for seconds; nothing else
-- refers to them.
CREATE TABLE presence (
    org_id     TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    conn_id    TEXT NOT NULL,
    persona_id TEXT NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    mode       TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    PRIMARY KEY (org_id, conn_id),
    FOREIGN KEY (org_id, persona_id) REFERENCES personas (org_id, id) ON DELETE CASCADE
);
CREATE INDEX presence_persona ON presence (org_id, persona_id, expires_at);
CREATE INDEX presence_expiry ON presence (expires_at);

-- +goose Down
DROP TABLE presence;
