-- +goose Up
-- Alignment: buyer personas linked to the personas their promise reaches,
-- and their claims mapped to those users' experience with a verdict. Both
-- ends must be personas of the organisation; purging either removes the
-- link or mapping, and reads skip personas in the trash.
CREATE TABLE alignment_links (
    org_id     TEXT NOT NULL,
    id         TEXT NOT NULL,
    buyer_id   TEXT NOT NULL,
    target_id  TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (org_id, id),
    UNIQUE (org_id, buyer_id, target_id),
    FOREIGN KEY (org_id, buyer_id) REFERENCES personas (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, target_id) REFERENCES personas (org_id, id) ON DELETE CASCADE
);
CREATE INDEX alignment_links_target ON alignment_links (org_id, target_id);

CREATE TABLE claim_mappings (
    org_id      TEXT NOT NULL,
    id          TEXT NOT NULL,
    buyer_id    TEXT NOT NULL,
    claim_field TEXT NOT NULL,
    claim       TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    user_field  TEXT NOT NULL,
    user_item   TEXT NOT NULL DEFAULT '',
    verdict     TEXT NOT NULL CHECK (verdict IN ('supported', 'contradicted')),
    note        TEXT NOT NULL DEFAULT '',
    evidence_id TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL,
    created_by  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, buyer_id) REFERENCES personas (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, user_id) REFERENCES personas (org_id, id) ON DELETE CASCADE
);
CREATE INDEX claim_mappings_buyer ON claim_mappings (org_id, buyer_id);

-- The divergence threshold, in points on a 1-5 scale (scaled for other
-- ranges).
ALTER TABLE orgs ADD COLUMN divergence_points REAL NOT NULL DEFAULT 2;

-- +goose Down
ALTER TABLE orgs DROP COLUMN divergence_points;
DROP TABLE claim_mappings;
DROP TABLE alignment_links;
