-- +goose Up
-- Webhooks: an organisation's endpoints, one delivery per (event,
-- endpoint), inserted with its job in the change's transaction, and
-- every attempt at sending it. event_types is space-separated ('' = all).
CREATE TABLE webhook_endpoints (
    org_id          TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    id              TEXT NOT NULL,
    url             TEXT NOT NULL,
    secret          TEXT NOT NULL,
    event_types     TEXT NOT NULL DEFAULT '',
    enabled         BOOLEAN NOT NULL DEFAULT TRUE,
    description     TEXT NOT NULL DEFAULT '',
    disabled_reason TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    PRIMARY KEY (org_id, id)
);

-- claimed_until: an attempt in flight (by one job) until then, so that two
-- jobs for one delivery (a redelivery race) never send it twice at once.
CREATE TABLE webhook_deliveries (
    org_id        TEXT NOT NULL,
    id            TEXT NOT NULL,
    endpoint_id   TEXT NOT NULL,
    event_type    TEXT NOT NULL,
    order_key     TEXT NOT NULL,
    payload       TEXT NOT NULL,
    status        TEXT NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_status   INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT NOT NULL DEFAULT '',
    claimed_until TIMESTAMP,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    delivered_at  TIMESTAMP,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, endpoint_id) REFERENCES webhook_endpoints (org_id, id) ON DELETE CASCADE
);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (org_id, endpoint_id, id);
CREATE INDEX webhook_deliveries_order ON webhook_deliveries (org_id, endpoint_id, order_key, id) WHERE status = 'pending';

CREATE TABLE webhook_attempts (
    org_id      TEXT NOT NULL,
    delivery_id TEXT NOT NULL,
    n           INTEGER NOT NULL,
    at          TIMESTAMP NOT NULL,
    status_code INTEGER NOT NULL DEFAULT 0,
    duration_ms BIGINT NOT NULL DEFAULT 0,
    response    TEXT NOT NULL DEFAULT '',
    error       TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (org_id, delivery_id, n),
    FOREIGN KEY (org_id, delivery_id) REFERENCES webhook_deliveries (org_id, id) ON DELETE CASCADE
);

-- +goose Down
DROP TABLE webhook_attempts;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_endpoints;
