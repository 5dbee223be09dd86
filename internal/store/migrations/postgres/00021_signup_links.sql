-- +goose Up
-- Sign-up verification links become one-time links like every other
-- e-mailed link (the links table, purpose verify_email). A pending
-- verification keeps working: its row moves to links with the same digest
-- (the SHA-256 of the whole "ppv_…" secret, which the application still
-- accepts until such links have expired), the same times and the
-- account's address.
INSERT INTO links (token_hash, purpose, user_id, email, org_id, ref_id, created_at, expires_at, used_at)
SELECT v.token_hash, 'verify_email', v.user_id, u.email, NULL, '', v.created_at, v.expires_at, NULL
FROM signup_verifications v JOIN users u ON u.id = v.user_id;
DROP TABLE signup_verifications;

-- +goose Down
-- Back to the table; links made since the upgrade do not work with the
-- older code (it hashes "ppv_" secrets): those people join again.
CREATE TABLE signup_verifications (
    token_hash text PRIMARY KEY,
    user_id    text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX signup_verifications_user ON signup_verifications (user_id);
INSERT INTO signup_verifications (token_hash, user_id, created_at, expires_at)
SELECT token_hash, user_id, created_at, expires_at FROM links
WHERE purpose = 'verify_email' AND used_at IS NULL AND user_id IS NOT NULL;
DELETE FROM links WHERE purpose = 'verify_email';
