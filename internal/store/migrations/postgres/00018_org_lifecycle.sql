-- +goose Up
-- Organisations in the web app (issue 15, item 6).
--
-- An organisation can be deleted by an owner: deleted_at marks it, it is
-- hidden from everyone (every lookup skips it), an owner may restore it
-- for 30 days, and then a periodic sweep purges it: the orgs row goes, and
-- every row of the organisation with it (ON DELETE CASCADE).
ALTER TABLE orgs ADD COLUMN deleted_at timestamptz;
ALTER TABLE orgs ADD COLUMN deleted_by text NOT NULL DEFAULT '';
CREATE INDEX orgs_deleted ON orgs (deleted_at) WHERE deleted_at IS NOT NULL;

-- Every slug an organisation has or had: one namespace, so a slug names at
-- most one organisation for as long as that organisation exists. The
-- current slug has retired_at NULL (and is also orgs.slug); an old one keeps
-- redirecting the organisation's members to the current slug and cannot be
-- taken by another organisation. Purging the organisation frees them.
CREATE TABLE org_slugs (
    slug       text PRIMARY KEY,
    org_id     text NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    retired_at timestamptz
);
CREATE INDEX org_slugs_org ON org_slugs (org_id);
INSERT INTO org_slugs (slug, org_id, created_at) SELECT slug, id, created_at FROM orgs;

-- Groups have an order of their own (the home page shows them in it);
-- existing groups keep the order they had, by name.
ALTER TABLE persona_groups ADD COLUMN position integer NOT NULL DEFAULT 0;
UPDATE persona_groups g SET position = r.n
    FROM (SELECT org_id, id, ROW_NUMBER() OVER (PARTITION BY org_id ORDER BY name, id) AS n FROM persona_groups) r
    WHERE r.org_id = g.org_id AND r.id = g.id;

-- +goose Down
ALTER TABLE persona_groups DROP COLUMN position;
DROP TABLE org_slugs;
DROP INDEX orgs_deleted;
ALTER TABLE orgs DROP COLUMN deleted_by;
ALTER TABLE orgs DROP COLUMN deleted_at;
