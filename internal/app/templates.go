package app

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/personapal/personapal/internal/persona"
)

// TemplateInput creates a template or changes its name and description.
type TemplateInput struct {
	Name        string
	ProfileType persona.ProfileType // create only
	Description string
	// Definition is the initial draft (create only); empty gives one empty
	// section to start from.
	Definition *persona.Definition
}

func validateTemplateMeta(name, description string) (string, string, []persona.FieldError) {
	var fields []persona.FieldError
	name, fields = nameField(fields, "name", name)
	description, fields = descriptionField(fields, "description", description)
	return name, description, fields
}

// ListTemplates lists the organisation's templates.
func (s *Service) ListTemplates(ctx context.Context, actor Actor, slug string) ([]persona.Template, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return nil, err
	}
	return s.store.ListTemplates(ctx, org.ID)
}

// GetTemplate returns a template with its draft.
func (s *Service) GetTemplate(ctx context.Context, actor Actor, slug, id string) (persona.Template, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return persona.Template{}, err
	}
	return s.store.GetTemplate(ctx, org.ID, id)
}

// CreateTemplate creates a template with an unpublished draft (admins).
func (s *Service) CreateTemplate(ctx context.Context, actor Actor, slug string, in TemplateInput) (persona.Template, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleAdmin)
	if err != nil {
		return persona.Template{}, err
	}
	name, description, fields := validateTemplateMeta(in.Name, in.Description)
	if !in.ProfileType.Valid() {
		fields = append(fields, persona.FieldError{Field: "profile_type", Message: "must be one of: ux, marketing, archetype, agent"})
	}
	def := persona.Definition{Sections: []persona.Section{{Key: "profile", Label: "Profile", Fields: []persona.Field{}}}, Dimensions: []persona.Dimension{}}
	if in.Definition != nil {
		def = *in.Definition
		if err := def.Validate(); err != nil {
			fields = append(fields, prefixFields("definition.", err)...)
		}
	}
	if err := persona.Invalid("invalid template", fields); err != nil {
		return persona.Template{}, err
	}
	now := s.timestamp()
	t := persona.Template{ID: newID(), OrgID: org.ID, Name: name, ProfileType: in.ProfileType, Description: description,
		Draft: def, DraftUpdatedAt: now, CreatedAt: now, UpdatedAt: now}
	if err := s.inTx(ctx, s.entry(org.ID, actor, "create", "template", t.ID, t.Name), func(tx Store) error { return tx.CreateTemplate(ctx, t) }); err != nil {
		return persona.Template{}, err
	}
	return t, nil
}

// UpdateTemplate changes a template's name and description.
func (s *Service) UpdateTemplate(ctx context.Context, actor Actor, slug, id string, in TemplateInput) (persona.Template, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleAdmin)
	if err != nil {
		return persona.Template{}, err
	}
	t, err := s.store.GetTemplate(ctx, org.ID, id)
	if err != nil {
		return persona.Template{}, err
	}
	name, description, fields := validateTemplateMeta(in.Name, in.Description)
	if in.ProfileType != "" && in.ProfileType != t.ProfileType {
		fields = append(fields, persona.FieldError{Field: "profile_type", Message: "cannot be changed; create a new template"})
	}
	if err := persona.Invalid("invalid template", fields); err != nil {
		return persona.Template{}, err
	}
	t.Name, t.Description, t.UpdatedAt = name, description, s.timestamp()
	if err := s.inTx(ctx, s.entry(org.ID, actor, "update", "template", t.ID, t.Name), func(tx Store) error { return tx.UpdateTemplate(ctx, t) }); err != nil {
		return persona.Template{}, err
	}
	return t, nil
}

// SaveDraft replaces a template's draft definition. The draft is validated
// on save so that the builder can show every problem at once.
func (s *Service) SaveDraft(ctx context.Context, actor Actor, slug, id string, def persona.Definition) (persona.Template, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleAdmin)
	if err != nil {
		return persona.Template{}, err
	}
	t, err := s.store.GetTemplate(ctx, org.ID, id)
	if err != nil {
		return persona.Template{}, err
	}
	if err := def.Validate(); err != nil {
		return persona.Template{}, err
	}
	now := s.timestamp()
	t.Draft, t.DraftUpdatedAt, t.UpdatedAt = def, now, now
	if err := s.inTx(ctx, s.entry(org.ID, actor, "save draft", "template", t.ID, t.Name), func(tx Store) error { return tx.UpdateTemplate(ctx, t) }); err != nil {
		return persona.Template{}, err
	}
	return t, nil
}

// Publish freezes the draft as the next version. Existing personas stay
// pinned to the version they were built from.
func (s *Service) Publish(ctx context.Context, actor Actor, slug, id string) (persona.TemplateVersion, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleAdmin)
	if err != nil {
		return persona.TemplateVersion{}, err
	}
	t, err := s.store.GetTemplate(ctx, org.ID, id)
	if err != nil {
		return persona.TemplateVersion{}, err
	}
	if err := t.Draft.Validate(); err != nil {
		return persona.TemplateVersion{}, err
	}
	if t.LatestVersion > 0 {
		latest, err := s.version(ctx, org.ID, t.ID, t.LatestVersion)
		if err != nil {
			return persona.TemplateVersion{}, err
		}
		if sameDefinition(latest.Definition, t.Draft) {
			return persona.TemplateVersion{}, persona.Errorf(persona.CodeConflict, "the draft has no changes since version %d", t.LatestVersion)
		}
	}
	v := persona.TemplateVersion{TemplateID: t.ID, OrgID: org.ID, Version: t.LatestVersion + 1, Definition: t.Draft,
		PublishedAt: s.timestamp(), PublishedBy: actor.UserID}
	entry := s.entry(org.ID, actor, "publish", "template", t.ID, fmt.Sprintf("%s version %d", t.Name, v.Version))
	if err := s.inTx(ctx, entry, func(tx Store) error { return tx.PublishVersion(ctx, v) }); err != nil {
		if persona.ErrorCode(err) == persona.CodeConflict {
			return persona.TemplateVersion{}, persona.Errorf(persona.CodeConflict, "version %d was published meanwhile; reload and try again", v.Version)
		}
		return persona.TemplateVersion{}, err
	}
	return v, nil
}

func sameDefinition(a, b persona.Definition) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && string(ja) == string(jb)
}

// ListVersions lists a template's published versions, newest first, with how
// many personas use each.
func (s *Service) ListVersions(ctx context.Context, actor Actor, slug, id string) ([]persona.TemplateVersion, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return nil, err
	}
	if _, err := s.store.GetTemplate(ctx, org.ID, id); err != nil {
		return nil, err
	}
	return s.store.ListVersions(ctx, org.ID, id)
}

// GetVersion returns one published version.
func (s *Service) GetVersion(ctx context.Context, actor Actor, slug, id string, version int) (persona.TemplateVersion, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return persona.TemplateVersion{}, err
	}
	return s.store.GetVersion(ctx, org.ID, id, version)
}

// prefixFields returns the field errors of err with their paths prefixed.
func prefixFields(prefix string, err error) []persona.FieldError {
	e, ok := persona.AsError(err)
	if !ok || len(e.Fields) == 0 {
		return []persona.FieldError{{Field: strings.TrimSuffix(prefix, "."), Message: err.Error()}}
	}
	out := make([]persona.FieldError, len(e.Fields))
	for i, f := range e.Fields {
		out[i] = persona.FieldError{Field: prefix + f.Field, Message: f.Message}
	}
	return out
}
