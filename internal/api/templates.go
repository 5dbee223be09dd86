package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

type TemplatePath struct {
	OrgPath
	ID string `path:"id" maxLength:"64"`
}

type versionPath struct {
	TemplatePath
	Version int `path:"version" minimum:"1"`
}

type templateCreateInput struct {
	OrgPath
	Body struct {
		Name        string              `json:"name" maxLength:"200"`
		ProfileType persona.ProfileType `json:"profile_type"`
		Description string              `json:"description,omitempty" maxLength:"2000"`
		Definition  *persona.Definition `json:"definition,omitempty" doc:"Initial draft; one empty section when omitted"`
	}
}

type templateUpdateInput struct {
	TemplatePath
	Body struct {
		Name        string `json:"name" maxLength:"200"`
		Description string `json:"description,omitempty" maxLength:"2000"`
	}
}

type draftInput struct {
	TemplatePath
	Body persona.Definition
}

type templateOutput struct{ Body persona.Template }

type templateListOutput struct {
	Body struct {
		Items []persona.Template `json:"items"`
	}
}

type draftOutput struct{ Body persona.Definition }

type versionOutput struct{ Body persona.TemplateVersion }

type versionListOutput struct {
	Body struct {
		Items []persona.TemplateVersion `json:"items"`
	}
}

func (s *Server) registerTemplates(api huma.API) {
	huma.Register(api, op("list-templates", http.MethodGet, "/api/v1/orgs/{org}/templates", "Templates with their drafts", tagTemplates, 0),
		func(ctx context.Context, in *OrgPath) (*templateListOutput, error) {
			items, err := s.svc.ListTemplates(ctx, actorFrom(ctx), in.Org)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			out := &templateListOutput{}
			out.Body.Items = nonNil(items)
			return out, nil
		})

	huma.Register(api, op("create-template", http.MethodPost, "/api/v1/orgs/{org}/templates", "Create a template with a draft (admins)", tagTemplates, http.StatusCreated),
		func(ctx context.Context, in *templateCreateInput) (*templateOutput, error) {
			t, err := s.svc.CreateTemplate(ctx, actorFrom(ctx), in.Org, app.TemplateInput{
				Name: in.Body.Name, ProfileType: persona.ProfileType(in.Body.ProfileType), Description: in.Body.Description, Definition: in.Body.Definition})
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &templateOutput{Body: t}, nil
		})

	huma.Register(api, op("get-template", http.MethodGet, "/api/v1/orgs/{org}/templates/{id}", "One template with its draft", tagTemplates, 0),
		func(ctx context.Context, in *TemplatePath) (*templateOutput, error) {
			t, err := s.svc.GetTemplate(ctx, actorFrom(ctx), in.Org, in.ID)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &templateOutput{Body: t}, nil
		})

	huma.Register(api, op("update-template", http.MethodPut, "/api/v1/orgs/{org}/templates/{id}", "Rename or re-describe a template (admins)", tagTemplates, 0),
		func(ctx context.Context, in *templateUpdateInput) (*templateOutput, error) {
			t, err := s.svc.UpdateTemplate(ctx, actorFrom(ctx), in.Org, in.ID, app.TemplateInput{Name: in.Body.Name, Description: in.Body.Description})
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &templateOutput{Body: t}, nil
		})

	huma.Register(api, op("get-draft", http.MethodGet, "/api/v1/orgs/{org}/templates/{id}/draft", "A template's editable draft", tagTemplates, 0),
		func(ctx context.Context, in *TemplatePath) (*draftOutput, error) {
			t, err := s.svc.GetTemplate(ctx, actorFrom(ctx), in.Org, in.ID)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &draftOutput{Body: t.Draft}, nil
		})

	huma.Register(api, op("save-draft", http.MethodPut, "/api/v1/orgs/{org}/templates/{id}/draft", "Replace a template's draft (admins); validated, not yet published", tagTemplates, 0),
		func(ctx context.Context, in *draftInput) (*draftOutput, error) {
			t, err := s.svc.SaveDraft(ctx, actorFrom(ctx), in.Org, in.ID, in.Body)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &draftOutput{Body: t.Draft}, nil
		})

	huma.Register(api, op("publish-template", http.MethodPost, "/api/v1/orgs/{org}/templates/{id}/publish", "Publish the draft as the next immutable version (admins)", tagTemplates, http.StatusCreated),
		func(ctx context.Context, in *TemplatePath) (*versionOutput, error) {
			v, err := s.svc.Publish(ctx, actorFrom(ctx), in.Org, in.ID)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &versionOutput{Body: v}, nil
		})

	huma.Register(api, op("list-versions", http.MethodGet, "/api/v1/orgs/{org}/templates/{id}/versions", "Published versions, newest first, with persona counts", tagTemplates, 0),
		func(ctx context.Context, in *TemplatePath) (*versionListOutput, error) {
			items, err := s.svc.ListVersions(ctx, actorFrom(ctx), in.Org, in.ID)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			out := &versionListOutput{}
			out.Body.Items = nonNil(items)
			return out, nil
		})

	huma.Register(api, op("get-version", http.MethodGet, "/api/v1/orgs/{org}/templates/{id}/versions/{version}", "One published version", tagTemplates, 0),
		func(ctx context.Context, in *versionPath) (*versionOutput, error) {
			v, err := s.svc.GetVersion(ctx, actorFrom(ctx), in.Org, in.ID, in.Version)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &versionOutput{Body: v}, nil
		})
}
