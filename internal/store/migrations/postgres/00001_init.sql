-- Persona Pal schema, PostgreSQL flavour. Keep in step with
-- ../sqlite/00001_init.sql (same tables, same version numbers).
--
-- Organisation data keys on (org_id, id); every reference inside an
-- organisation includes org_id, so it cannot point into another one.

-- +goose Up
CREATE TABLE users (
    id            text PRIMARY KEY,
    email         text NOT NULL UNIQUE,
    name          text NOT NULL DEFAULT '',
    password_hash text NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL
);

CREATE TABLE api_tokens (
    id           text PRIMARY KEY,
    user_id      text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         text NOT NULL DEFAULT '',
    hash         text NOT NULL UNIQUE,
    prefix       text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL,
    last_used_at timestamptz,
    revoked_at   timestamptz
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE orgs (
    id         text PRIMARY KEY,
    slug       text NOT NULL UNIQUE,
    name       text NOT NULL,
    created_at timestamptz NOT NULL
);

CREATE TABLE memberships (
    org_id     text NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    user_id    text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       text NOT NULL CHECK (role IN ('owner', 'admin', 'editor', 'viewer')),
    created_at timestamptz NOT NULL,
    PRIMARY KEY (org_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE persona_groups (
    org_id      text NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    id          text NOT NULL,
    name        text NOT NULL,
    description text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    PRIMARY KEY (org_id, id)
);

CREATE TABLE templates (
    org_id           text NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    id               text NOT NULL,
    name             text NOT NULL,
    profile_type     text NOT NULL CHECK (profile_type IN ('ux', 'marketing', 'archetype', 'agent')),
    description      text NOT NULL DEFAULT '',
    latest_version   integer NOT NULL DEFAULT 0,
    draft            jsonb NOT NULL,
    draft_updated_at timestamptz NOT NULL,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    PRIMARY KEY (org_id, id)
);

CREATE TABLE template_versions (
    org_id       text NOT NULL,
    template_id  text NOT NULL,
    version      integer NOT NULL CHECK (version > 0),
    definition   jsonb NOT NULL,
    published_at timestamptz NOT NULL,
    published_by text NOT NULL DEFAULT '',
    PRIMARY KEY (org_id, template_id, version),
    FOREIGN KEY (org_id, template_id) REFERENCES templates (org_id, id) ON DELETE CASCADE
);

CREATE TABLE personas (
    org_id               text NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    id                   text NOT NULL,
    template_id          text NOT NULL,
    template_version     integer NOT NULL,
    profile_type         text NOT NULL CHECK (profile_type IN ('ux', 'marketing', 'archetype', 'agent')),
    group_id             text,
    name                 text NOT NULL,
    summary              text NOT NULL DEFAULT '',
    status               text NOT NULL CHECK (status IN ('draft', 'published', 'archived')),
    owner_id             text,
    field_values         jsonb NOT NULL DEFAULT '{}',
    dimensions           jsonb NOT NULL DEFAULT '{}',
    retired              jsonb NOT NULL DEFAULT '{}',
    last_reviewed_on     text,
    review_interval_days integer NOT NULL DEFAULT 0,
    search_text          text NOT NULL DEFAULT '',
    revision             integer NOT NULL,
    created_at           timestamptz NOT NULL,
    created_by           text NOT NULL DEFAULT '',
    updated_at           timestamptz NOT NULL,
    updated_by           text NOT NULL DEFAULT '',
    deleted_at           timestamptz,
    deleted_by           text NOT NULL DEFAULT '',
    search               tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', name), 'A') ||
        setweight(to_tsvector('simple', summary), 'B') ||
        setweight(to_tsvector('simple', search_text), 'C')
    ) STORED,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, group_id) REFERENCES persona_groups (org_id, id),
    FOREIGN KEY (org_id, template_id, template_version) REFERENCES template_versions (org_id, template_id, version)
);
CREATE INDEX personas_group ON personas (org_id, group_id);
CREATE INDEX personas_version ON personas (org_id, template_id, template_version);
CREATE INDEX personas_search ON personas USING gin (search);

CREATE TABLE persona_revisions (
    org_id     text NOT NULL,
    persona_id text NOT NULL,
    number     integer NOT NULL,
    author_id  text NOT NULL DEFAULT '',
    message    text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL,
    content    jsonb NOT NULL,
    PRIMARY KEY (org_id, persona_id, number),
    FOREIGN KEY (org_id, persona_id) REFERENCES personas (org_id, id) ON DELETE CASCADE
);

-- Server-side sessions and login throttling (used from the next issue on).
CREATE TABLE sessions (
    token_hash text PRIMARY KEY,
    user_id    text REFERENCES users (id) ON DELETE CASCADE,
    data       bytea NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_expires ON sessions (expires_at);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE login_attempts (
    key          text PRIMARY KEY,
    count        integer NOT NULL DEFAULT 0,
    window_start timestamptz NOT NULL
);

-- +goose Down
DROP TABLE login_attempts;
DROP TABLE sessions;
DROP TABLE persona_revisions;
DROP TABLE personas;
DROP TABLE template_versions;
DROP TABLE templates;
DROP TABLE persona_groups;
DROP TABLE memberships;
DROP TABLE orgs;
DROP TABLE api_tokens;
DROP TABLE users;
