package store

import (
	"context"
	"database/sql"

	"github.com/personapal/personapal/internal/persona"
)

const templateCols = `org_id, id, name, profile_type, description, latest_version, draft, draft_updated_at, created_at, updated_at`

func scanTemplate(row interface{ Scan(...any) error }) (persona.Template, error) {
	var t persona.Template
	err := row.Scan(&t.OrgID, &t.ID, &t.Name, &t.ProfileType, &t.Description, &t.LatestVersion,
		definitionCol{&t.Draft}, timeCol{&t.DraftUpdatedAt}, timeCol{&t.CreatedAt}, timeCol{&t.UpdatedAt})
	return t, err
}

// CreateTemplate inserts a template (its draft; versions come from
// PublishVersion).
func (s *DB) CreateTemplate(ctx context.Context, t persona.Template) error {
	return s.insertTemplate(ctx, s.q(), t)
}

func (s *DB) insertTemplate(ctx context.Context, q querier, t persona.Template) error {
	draft, err := jsonText(t.Draft)
	if err != nil {
		return err
	}
	_, err = s.exec(ctx, q, `INSERT INTO templates (`+templateCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		t.OrgID, t.ID, t.Name, string(t.ProfileType), t.Description, t.LatestVersion, draft,
		ts(t.DraftUpdatedAt), ts(t.CreatedAt), ts(t.UpdatedAt))
	return withMessage(err, persona.CodeConflict, "a template with this ID already exists")
}

// GetTemplate returns a template with its draft.
func (s *DB) GetTemplate(ctx context.Context, orgID, id string) (persona.Template, error) {
	t, err := scanTemplate(s.q().QueryRowContext(ctx, `SELECT `+templateCols+` FROM templates WHERE org_id = $1 AND id = $2`, orgID, id))
	return t, noRows(err, "template")
}

// ListTemplates lists templates by profile type (display order), then name.
func (s *DB) ListTemplates(ctx context.Context, orgID string) ([]persona.Template, error) {
	rows, err := s.q().QueryContext(ctx, `SELECT `+templateCols+` FROM templates WHERE org_id = $1
		ORDER BY CASE profile_type WHEN 'ux' THEN 1 WHEN 'marketing' THEN 2 WHEN 'archetype' THEN 3 ELSE 4 END, name, id`, orgID)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanTemplate)
}

// TemplateHead returns a template without its draft (persona writes need
// only its profile type and latest version, not the draft's JSON).
func (s *DB) TemplateHead(ctx context.Context, orgID, id string) (persona.Template, error) {
	var t persona.Template
	err := s.q().QueryRowContext(ctx, `SELECT org_id, id, name, profile_type, description, latest_version,
		draft_updated_at, created_at, updated_at FROM templates WHERE org_id = $1 AND id = $2`, orgID, id).
		Scan(&t.OrgID, &t.ID, &t.Name, &t.ProfileType, &t.Description, &t.LatestVersion,
			timeCol{&t.DraftUpdatedAt}, timeCol{&t.CreatedAt}, timeCol{&t.UpdatedAt})
	return t, noRows(err, "template")
}

// TemplateNames maps the organisation's template IDs to their names.
func (s *DB) TemplateNames(ctx context.Context, orgID string) (map[string]string, error) {
	return s.names(ctx, `SELECT id, name FROM templates WHERE org_id = $1`, orgID)
}

// UpdateTemplate writes name, description, draft and their timestamps.
func (s *DB) UpdateTemplate(ctx context.Context, t persona.Template) error {
	draft, err := jsonText(t.Draft)
	if err != nil {
		return err
	}
	return s.execOne(ctx, s.q(), "template", `UPDATE templates
		SET name = $3, description = $4, draft = $5, draft_updated_at = $6, updated_at = $7
		WHERE org_id = $1 AND id = $2`,
		t.OrgID, t.ID, t.Name, t.Description, draft, ts(t.DraftUpdatedAt), ts(t.UpdatedAt))
}

// PublishVersion inserts v and makes it the template's latest version;
// conflict when the version exists.
func (s *DB) PublishVersion(ctx context.Context, v persona.TemplateVersion) error {
	return s.inTx(ctx, func(tx *sql.Tx) error { return s.publishVersion(ctx, tx, v) })
}

func (s *DB) publishVersion(ctx context.Context, q querier, v persona.TemplateVersion) error {
	def, err := jsonText(v.Definition)
	if err != nil {
		return err
	}
	// Updating the template first locks its row, so concurrent publishers
	// of the same version queue up and the later one gets the conflict.
	if err := s.execOne(ctx, q, "template", `UPDATE templates
		SET latest_version = CASE WHEN latest_version < $3 THEN $3 ELSE latest_version END
		WHERE org_id = $1 AND id = $2`, v.OrgID, v.TemplateID, v.Version); err != nil {
		return err
	}
	_, err = s.exec(ctx, q, `INSERT INTO template_versions (org_id, template_id, version, definition, published_at, published_by)
		VALUES ($1, $2, $3, $4, $5, $6)`, v.OrgID, v.TemplateID, v.Version, def, ts(v.PublishedAt), v.PublishedBy)
	err = withMessage(err, persona.CodeConflict, "this version of the template already exists")
	return withMessage(err, persona.CodeInvalid, "invalid version number")
}

// versionSelect reads versions with the number of live personas pinned to
// each.
const versionSelect = `SELECT v.org_id, v.template_id, v.version, v.definition, v.published_at, v.published_by,
	(SELECT COUNT(*) FROM personas p WHERE p.org_id = v.org_id AND p.template_id = v.template_id
		AND p.template_version = v.version AND p.deleted_at IS NULL)
	FROM template_versions v`

func scanVersion(row interface{ Scan(...any) error }) (persona.TemplateVersion, error) {
	var v persona.TemplateVersion
	err := row.Scan(&v.OrgID, &v.TemplateID, &v.Version, definitionCol{&v.Definition}, timeCol{&v.PublishedAt},
		&v.PublishedBy, &v.PersonaCount)
	return v, err
}

// GetVersion returns one published version with its persona count.
func (s *DB) GetVersion(ctx context.Context, orgID, templateID string, version int) (persona.TemplateVersion, error) {
	v, err := scanVersion(s.q().QueryRowContext(ctx, versionSelect+`
		WHERE v.org_id = $1 AND v.template_id = $2 AND v.version = $3`, orgID, templateID, version))
	return v, noRows(err, "template version")
}

// ListVersions lists a template's versions newest first; not-found when the
// template does not exist.
func (s *DB) ListVersions(ctx context.Context, orgID, templateID string) ([]persona.TemplateVersion, error) {
	rows, err := s.q().QueryContext(ctx, versionSelect+`
		WHERE v.org_id = $1 AND v.template_id = $2 ORDER BY v.version DESC`, orgID, templateID)
	if err != nil {
		return nil, err
	}
	vs, err := collect(rows, scanVersion)
	if err != nil || len(vs) > 0 {
		return vs, err
	}
	if err := s.mustExist(ctx, "template", `SELECT 1 FROM templates WHERE org_id = $1 AND id = $2`, orgID, templateID); err != nil {
		return nil, err
	}
	return []persona.TemplateVersion{}, nil
}

// mustExist returns not-found(what) unless query returns a row.
func (s *DB) mustExist(ctx context.Context, what, query string, args ...any) error {
	var one int
	return noRows(s.q().QueryRowContext(ctx, query, args...).Scan(&one), what)
}
