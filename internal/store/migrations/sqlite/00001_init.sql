-- Persona Pal schema, SQLite flavour. Keep in step with
-- ../postgres/00001_init.sql (same tables, same version numbers).
--
-- Timestamps are TIMESTAMP columns holding UTC text written by the driver
-- (_time_format=sqlite), which it parses back into time.Time. JSON is TEXT.
-- Organisation data keys on (org_id, id); every reference inside an
-- organisation includes org_id, so it cannot point into another one.

-- +goose Up
CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMP NOT NULL
);

CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL DEFAULT '',
    hash         TEXT NOT NULL UNIQUE,
    prefix       TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at   TIMESTAMP
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE orgs (
    id         TEXT PRIMARY KEY,
    slug       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE memberships (
    org_id     TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'editor', 'viewer')),
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (org_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE persona_groups (
    org_id      TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    id          TEXT NOT NULL,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (org_id, id)
);

CREATE TABLE templates (
    org_id           TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    id               TEXT NOT NULL,
    name             TEXT NOT NULL,
    profile_type     TEXT NOT NULL CHECK (profile_type IN ('ux', 'marketing', 'archetype', 'agent')),
    description      TEXT NOT NULL DEFAULT '',
    latest_version   INTEGER NOT NULL DEFAULT 0,
    draft            TEXT NOT NULL,
    draft_updated_at TIMESTAMP NOT NULL,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL,
    PRIMARY KEY (org_id, id)
);

CREATE TABLE template_versions (
    org_id       TEXT NOT NULL,
    template_id  TEXT NOT NULL,
    version      INTEGER NOT NULL CHECK (version > 0),
    definition   TEXT NOT NULL,
    published_at TIMESTAMP NOT NULL,
    published_by TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (org_id, template_id, version),
    FOREIGN KEY (org_id, template_id) REFERENCES templates (org_id, id) ON DELETE CASCADE
);

-- seq is an alias of the rowid, so that the FTS index's content_rowid stays
-- stable (a plain rowid may change on VACUUM).
CREATE TABLE personas (
    seq                  INTEGER PRIMARY KEY,
    org_id               TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    id                   TEXT NOT NULL,
    template_id          TEXT NOT NULL,
    template_version     INTEGER NOT NULL,
    profile_type         TEXT NOT NULL CHECK (profile_type IN ('ux', 'marketing', 'archetype', 'agent')),
    group_id             TEXT,
    name                 TEXT NOT NULL,
    summary              TEXT NOT NULL DEFAULT '',
    status               TEXT NOT NULL CHECK (status IN ('draft', 'published', 'archived')),
    owner_id             TEXT,
    field_values         TEXT NOT NULL DEFAULT '{}',
    dimensions           TEXT NOT NULL DEFAULT '{}',
    retired              TEXT NOT NULL DEFAULT '{}',
    last_reviewed_on     TEXT,
    review_interval_days INTEGER NOT NULL DEFAULT 0,
    search_text          TEXT NOT NULL DEFAULT '',
    revision             INTEGER NOT NULL,
    created_at           TIMESTAMP NOT NULL,
    created_by           TEXT NOT NULL DEFAULT '',
    updated_at           TIMESTAMP NOT NULL,
    updated_by           TEXT NOT NULL DEFAULT '',
    deleted_at           TIMESTAMP,
    deleted_by           TEXT NOT NULL DEFAULT '',
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, group_id) REFERENCES persona_groups (org_id, id),
    FOREIGN KEY (org_id, template_id, template_version) REFERENCES template_versions (org_id, template_id, version)
);
CREATE INDEX personas_group ON personas (org_id, group_id);
CREATE INDEX personas_version ON personas (org_id, template_id, template_version);

CREATE TABLE persona_revisions (
    org_id     TEXT NOT NULL,
    persona_id TEXT NOT NULL,
    number     INTEGER NOT NULL,
    author_id  TEXT NOT NULL DEFAULT '',
    message    TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    content    TEXT NOT NULL,
    PRIMARY KEY (org_id, persona_id, number),
    FOREIGN KEY (org_id, persona_id) REFERENCES personas (org_id, id) ON DELETE CASCADE
);

-- Full-text index over personas (external content: the text lives only in
-- personas; triggers keep the index in step).
CREATE VIRTUAL TABLE personas_fts USING fts5 (
    name, summary, search_text,
    content = 'personas', content_rowid = 'seq',
    tokenize = 'unicode61 remove_diacritics 2'
);

-- +goose StatementBegin
CREATE TRIGGER personas_fts_insert AFTER INSERT ON personas BEGIN
    INSERT INTO personas_fts (rowid, name, summary, search_text)
    VALUES (new.seq, new.name, new.summary, new.search_text);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER personas_fts_delete AFTER DELETE ON personas BEGIN
    INSERT INTO personas_fts (personas_fts, rowid, name, summary, search_text)
    VALUES ('delete', old.seq, old.name, old.summary, old.search_text);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER personas_fts_update AFTER UPDATE OF name, summary, search_text ON personas BEGIN
    INSERT INTO personas_fts (personas_fts, rowid, name, summary, search_text)
    VALUES ('delete', old.seq, old.name, old.summary, old.search_text);
    INSERT INTO personas_fts (rowid, name, summary, search_text)
    VALUES (new.seq, new.name, new.summary, new.search_text);
END;
-- +goose StatementEnd

-- Server-side sessions and login throttling (used from the next issue on).
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT REFERENCES users (id) ON DELETE CASCADE,
    data       BLOB NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_expires ON sessions (expires_at);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE login_attempts (
    key          TEXT PRIMARY KEY,
    count        INTEGER NOT NULL DEFAULT 0,
    window_start TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE login_attempts;
DROP TABLE sessions;
DROP TRIGGER personas_fts_update;
DROP TRIGGER personas_fts_delete;
DROP TRIGGER personas_fts_insert;
DROP TABLE personas_fts;
DROP TABLE persona_revisions;
DROP TABLE personas;
DROP TABLE template_versions;
DROP TABLE templates;
DROP TABLE persona_groups;
DROP TABLE memberships;
DROP TABLE orgs;
DROP TABLE api_tokens;
DROP TABLE users;
