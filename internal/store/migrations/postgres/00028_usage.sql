-- +goose Up
-- Usage: who opened which persona, at most one row per member, persona,
-- day and kind ('view': the persona or one of its variants was read;
-- 'compare': it was in a comparison someone opened). The key makes a
-- repeated view a no-op (INSERT … ON CONFLICT DO NOTHING), so several
-- instances count right without coordinating. Day is 'YYYY-MM-DD' (UTC):
-- text compares in order on both engines. No foreign key to personas: a
-- view must never fail because the persona went to the trash meanwhile;
-- the report joins live personas.
CREATE TABLE persona_views (
    org_id     text NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    persona_id text NOT NULL,
    user_id    text NOT NULL,
    day        text NOT NULL,
    kind       text NOT NULL DEFAULT 'view' CHECK (kind IN ('view', 'compare')),
    PRIMARY KEY (org_id, persona_id, user_id, day, kind)
);
CREATE INDEX persona_views_day ON persona_views (org_id, day);

-- +goose Down
DROP TABLE persona_views;
