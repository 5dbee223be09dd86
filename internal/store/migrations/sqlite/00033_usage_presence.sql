-- +goose Up
-- The persona page counts a persona's viewers on every read: without an
-- index led by (org_id, persona_id, kind, day) SQLite chose
-- persona_views_day and read every view of the organisation in the window
-- per page (the load harness measured the page 3.8 times slower with usage
-- on; docs/usage.md). Both indexes cover their queries: the count per
-- persona, and the comparisons in a window for the report.
DROP INDEX persona_views_day;
CREATE INDEX persona_views_persona ON persona_views (org_id, persona_id, kind, day, user_id);
CREATE INDEX persona_views_kind_day ON persona_views (org_id, kind, day, persona_id);

-- Presence on a customer variant's page and edit form: the stream names
-- the variant ('' for the persona itself), and people are listed per
-- persona and variant.
ALTER TABLE presence ADD COLUMN variant_id TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE presence DROP COLUMN variant_id;
DROP INDEX persona_views_kind_day;
DROP INDEX persona_views_persona;
CREATE INDEX persona_views_day ON persona_views (org_id, day);
