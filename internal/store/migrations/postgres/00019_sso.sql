-- +goose Up
-- Single sign-on with OpenID Connect.

-- An identity at the provider (issuer, subject) linked to an account: the
-- subject is the provider's stable name for the person, so a sign-in
-- finds the account by it once linked. One identity per account and
-- issuer.
CREATE TABLE sso_identities (
    issuer       text NOT NULL,
    subject      text NOT NULL,
    user_id      text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    email        text NOT NULL,
    created_at   timestamptz NOT NULL,
    last_used_at timestamptz NOT NULL,
    PRIMARY KEY (issuer, subject)
);
CREATE UNIQUE INDEX sso_identities_user ON sso_identities (user_id, issuer);

-- Sign-ins in progress, between the redirect to the provider and its
-- callback (any instance may take the callback). Only hashes of the state
-- and of the browser's binding cookie are kept; each row is taken once.
CREATE TABLE sso_flows (
    state_hash   text PRIMARY KEY,
    browser_hash text NOT NULL,
    nonce        text NOT NULL,
    verifier     text NOT NULL,
    next_path    text NOT NULL,
    redirect_url text NOT NULL,
    expires_at   timestamptz NOT NULL
);
CREATE INDEX sso_flows_expires ON sso_flows (expires_at);

-- An organisation's settings: required_at is set while it requires single
-- sign-on of its members.
CREATE TABLE org_sso (
    org_id      text PRIMARY KEY REFERENCES orgs (id) ON DELETE CASCADE,
    required_at timestamptz
);

-- E-mail domains whose people join the organisation with a role at their
-- first single sign-on.
CREATE TABLE org_sso_domains (
    org_id     text NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    domain     text NOT NULL,
    role       text NOT NULL CHECK (role IN ('editor', 'viewer')),
    created_at timestamptz NOT NULL,
    created_by text NOT NULL DEFAULT '',
    PRIMARY KEY (org_id, domain)
);
CREATE INDEX org_sso_domains_domain ON org_sso_domains (domain);

-- A domain mapping is applied to a person at most once per organisation:
-- someone removed from it stays removed.
CREATE TABLE org_sso_joins (
    org_id  text NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    at      timestamptz NOT NULL,
    PRIMARY KEY (org_id, user_id)
);

-- API tokens created in a session that signed in with single sign-on (at
-- this issuer): only those reach an organisation that requires it.
CREATE TABLE sso_tokens (
    token_id text PRIMARY KEY REFERENCES api_tokens (id) ON DELETE CASCADE,
    issuer   text NOT NULL
);

-- +goose Down
DROP TABLE sso_tokens;
DROP TABLE org_sso_joins;
DROP TABLE org_sso_domains;
DROP TABLE org_sso;
DROP TABLE sso_flows;
DROP TABLE sso_identities;
