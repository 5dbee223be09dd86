-- +goose Up
-- Sign-in throttling: an account's next admitted attempt (its slow-down).
ALTER TABLE login_attempts ADD COLUMN not_before TIMESTAMP;

-- Each user's own security log: sign-ins, failed sign-ins, API tokens,
-- password changes, signing out everywhere. Append-only.
CREATE TABLE security_events (
    seq        INTEGER PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    at         TIMESTAMP NOT NULL,
    kind       TEXT NOT NULL,
    summary    TEXT NOT NULL DEFAULT '',
    client     TEXT NOT NULL DEFAULT '',
    user_agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX security_events_user ON security_events (user_id, seq);

-- Token and sign-out-everywhere events used to be written into the audit
-- log of every organisation the user belonged to, disclosing a member's
-- token names to any organisation that had added them. They move to the
-- user's own log (once each, not once per organisation) and leave the
-- organisations' logs.
INSERT INTO security_events (user_id, at, kind, summary)
SELECT actor_id, at,
    CASE action WHEN 'create' THEN 'token_created' WHEN 'revoke' THEN 'token_revoked' ELSE 'sign_out_everywhere' END,
    CASE action
        WHEN 'create' THEN 'API token “' || COALESCE(NULLIF(summary, ''), object_id) || '” created'
        WHEN 'revoke' THEN 'API token “' || COALESCE((SELECT t.name FROM api_tokens t WHERE t.id = object_id), object_id) || '” revoked'
        ELSE 'Signed out everywhere'
    END
FROM audit_log
WHERE ((action IN ('create', 'revoke') AND object_kind = 'token') OR (action = 'sign out everywhere' AND object_kind = 'user'))
    AND actor_id IN (SELECT id FROM users)
GROUP BY actor_id, at, action, object_kind, object_id, summary
ORDER BY min(seq);

DELETE FROM audit_log
WHERE (action IN ('create', 'revoke') AND object_kind = 'token') OR (action = 'sign out everywhere' AND object_kind = 'user');

-- +goose Down
DROP TABLE security_events;
ALTER TABLE login_attempts DROP COLUMN not_before;
