-- +goose Up
-- The audit log: who did what to which object and when. Append-only: the
-- application only inserts and reads.
CREATE TABLE audit_log (
    seq         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id      text NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    at          timestamptz NOT NULL,
    actor_id    text NOT NULL DEFAULT '',
    actor_email text NOT NULL DEFAULT '',
    action      text NOT NULL,
    object_kind text NOT NULL,
    object_id   text NOT NULL DEFAULT '',
    summary     text NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_org ON audit_log (org_id, seq);

-- +goose Down
DROP TABLE audit_log;
