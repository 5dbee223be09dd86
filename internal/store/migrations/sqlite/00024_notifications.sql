-- +goose Up
-- A notification tells one member about one event (a mention, a comment on
-- a persona they own, a review falling due, a variant's base changing, a
-- proposal awaiting them or decided). The use case that causes it writes
-- it in its own transaction. digest is true while it waits for the member's
-- daily e-mail digest (their preference for its kind); the digest's
-- transaction sets it to false.
CREATE TABLE notifications (
    org_id      TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    id          TEXT NOT NULL,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    actor_id    TEXT NOT NULL DEFAULT '',
    object_kind TEXT NOT NULL,
    object_id   TEXT NOT NULL,
    persona_id  TEXT NOT NULL DEFAULT '',
    title       TEXT NOT NULL,
    excerpt     TEXT NOT NULL DEFAULT '',
    link        TEXT NOT NULL,
    digest      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  TIMESTAMP NOT NULL,
    read_at     TIMESTAMP,
    PRIMARY KEY (org_id, id)
);
-- The bell's unread count and the list, per member.
CREATE INDEX notifications_user ON notifications (org_id, user_id, read_at, created_at);
-- The daily digest finds what waits for it.
CREATE INDEX notifications_digest ON notifications (digest, user_id);

-- Each member's choice per kind: 'email' (in the app and e-mailed at
-- once), 'digest' (in the app and in the daily digest), 'app' (in the
-- app only) or 'off'. No row: the kind's default.
CREATE TABLE notification_prefs (
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    channel    TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, kind)
);

-- The days whose notification digest went out ("2026-12-02"): claimed in
-- the transaction that queues the messages, so a run again that day (a
-- restart, another instance) sends nothing twice.
CREATE TABLE notification_digest_runs (
    period     TEXT PRIMARY KEY,
    created_at TIMESTAMP NOT NULL
);

-- The review-due notices sent: one per persona and due date, so the owner
-- is told once when a review falls due, and again only after the next
-- review sets a new due date.
CREATE TABLE review_due_notices (
    org_id     TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    persona_id TEXT NOT NULL,
    due_on     TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (org_id, persona_id, due_on),
    FOREIGN KEY (org_id, persona_id) REFERENCES personas (org_id, id) ON DELETE CASCADE
);

-- +goose Down
DROP TABLE review_due_notices;
DROP TABLE notification_digest_runs;
DROP TABLE notification_prefs;
DROP TABLE notifications;
