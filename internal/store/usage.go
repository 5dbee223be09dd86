package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// RecordViews inserts views, ignoring those already stored (one SQL text
// on both engines: ON CONFLICT DO NOTHING), in one transaction.
func (s *DB) RecordViews(ctx context.Context, orgID string, views []app.View) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for len(views) > 0 {
			n := min(len(views), 100)
			var b strings.Builder
			args := make([]any, 0, 1+4*n)
			args = append(args, orgID)
			b.WriteString(`INSERT INTO persona_views (org_id, persona_id, user_id, day, kind) VALUES `)
			for i, v := range views[:n] {
				if i > 0 {
					b.WriteString(", ")
				}
				k := len(args)
				b.WriteString("($1, $" + strconv.Itoa(k+1) + ", $" + strconv.Itoa(k+2) + ", $" + strconv.Itoa(k+3) + ", $" + strconv.Itoa(k+4) + ")")
				kind := v.Kind
				if kind == "" {
					kind = app.ViewPersona
				}
				args = append(args, v.PersonaID, v.UserID, v.Day, string(kind))
			}
			b.WriteString(` ON CONFLICT DO NOTHING`)
			if _, err := s.exec(ctx, tx, b.String(), args...); err != nil {
				return err
			}
			views = views[n:]
		}
		return nil
	})
}

// PersonaViewers counts the members who viewed the persona since the day.
func (s *DB) PersonaViewers(ctx context.Context, orgID, personaID, since string) (int, error) {
	var n int
	err := s.q().QueryRowContext(ctx, `SELECT COUNT(DISTINCT user_id) FROM persona_views
		WHERE org_id = $1 AND persona_id = $2 AND kind = 'view' AND day >= $3`, orgID, personaID, since).Scan(&n)
	return n, err
}

// usageReferences counts references to each persona by kind: one query a
// kind, each returning (persona_id, count) for the organisation ($1) with
// the window's first day as $2 (kinds without a time still mention $2,
// as "$2 <> ”", because PostgreSQL must know every parameter's type).
var usageReferences = []struct{ kind, query string }{
	{app.RefCompare, `SELECT persona_id, COUNT(*) FROM persona_views
		WHERE org_id = $1 AND kind = 'compare' AND day >= $2 GROUP BY persona_id`},
	{app.RefAlignment, `SELECT id, COUNT(*) FROM (
		SELECT buyer_id AS id FROM alignment_links WHERE org_id = $1 AND $2 <> ''
		UNION ALL SELECT target_id FROM alignment_links WHERE org_id = $1) a GROUP BY id`},
	{app.RefEvidence, `SELECT persona_id, COUNT(*) FROM evidence_links WHERE org_id = $1 AND $2 <> '' GROUP BY persona_id`},
	// Live comments on the persona, its fields and its variants (a
	// variant's comment names its base persona too).
	{app.RefComment, `SELECT persona_id, COUNT(*) FROM comments
		WHERE org_id = $1 AND $2 <> '' AND persona_id IS NOT NULL AND deleted_at IS NULL GROUP BY persona_id`},
}

// UsageReport returns every live persona with its views since the day and
// its references.
func (s *DB) UsageReport(ctx context.Context, orgID, since string) ([]app.PersonaUsage, error) {
	rows, err := s.q().QueryContext(ctx, `SELECT p.id, p.name, COALESCE(p.group_id, ''), p.profile_type,
		(SELECT COUNT(DISTINCT v.user_id) FROM persona_views v WHERE v.org_id = p.org_id AND v.persona_id = p.id AND v.kind = 'view' AND v.day >= $2),
		(SELECT COUNT(*) FROM persona_views v WHERE v.org_id = p.org_id AND v.persona_id = p.id AND v.kind = 'view' AND v.day >= $2),
		COALESCE((SELECT MAX(v.day) FROM persona_views v WHERE v.org_id = p.org_id AND v.persona_id = p.id AND v.kind = 'view'), '')
		FROM personas p WHERE p.org_id = $1 AND p.deleted_at IS NULL ORDER BY p.name, p.id`, orgID, since)
	if err != nil {
		return nil, err
	}
	out, err := collect(rows, func(r interface{ Scan(...any) error }) (app.PersonaUsage, error) {
		var u app.PersonaUsage
		var pt string
		err := r.Scan(&u.PersonaID, &u.Name, &u.GroupID, &pt, &u.Viewers, &u.Views, &u.LastViewed)
		u.ProfileType, u.References = persona.ProfileType(pt), map[string]int{}
		return u, err
	})
	if err != nil {
		return nil, err
	}
	index := make(map[string]int, len(out))
	for i, u := range out {
		index[u.PersonaID] = i
		for _, k := range app.ReferenceKinds {
			out[i].References[k.Key] = 0
		}
	}
	for _, ref := range usageReferences {
		if err := s.countInto(ctx, ref.query, orgID, since, func(id string, n int) {
			if i, ok := index[id]; ok {
				out[i].References[ref.kind] += n
			}
		}); err != nil {
			return nil, err
		}
	}
	// Launchpads name their archetype and the personas their dashboards
	// are for inside their content: each Launchpad counts once per persona.
	lps, err := s.q().QueryContext(ctx, `SELECT `+launchpadCols+` FROM launchpads WHERE org_id = $1`, orgID)
	if err != nil {
		return nil, err
	}
	launchpads, err := collect(lps, scanLaunchpad)
	if err != nil {
		return nil, err
	}
	for _, l := range launchpads {
		ids := map[string]bool{l.ArchetypeID: true}
		for _, r := range l.Recommendation.Roles {
			ids[r.PersonaID] = true
		}
		for id := range ids {
			if i, ok := index[id]; ok {
				out[i].References[app.RefLaunchpad]++
			}
		}
	}
	return out, nil
}

func (s *DB) countInto(ctx context.Context, query, orgID, since string, add func(string, int)) error {
	rows, err := s.q().QueryContext(ctx, query, orgID, since)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return err
		}
		add(id, n)
	}
	return rows.Err()
}
