-- +goose Up
-- The readiness probe's scratch table (store.Ready): it inserts a row in a
-- transaction it rolls back, so the table is always empty.
CREATE TABLE health_probe (
	id INTEGER PRIMARY KEY,
	payload BLOB NOT NULL
);

-- +goose Down
DROP TABLE health_probe;
