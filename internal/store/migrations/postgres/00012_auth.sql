-- +goose Up
-- Sign-in throttling: an account's next admitted attempt (its slow-down).
ALTER TABLE login_attempts ADD COLUMN not_before timestamptz;

-- +goose Down
ALTER TABLE login_attempts DROP COLUMN not_before;
