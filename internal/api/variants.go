package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

var tagVariants = []string{"Customer variants"}

type VariantPath struct {
	OrgPath
	ID string `path:"id" maxLength:"64" doc:"Variant ID"`
}

// variantBody is what a client sends to create or replace a variant. The
// read-only properties of a variant are accepted and ignored, so a client
// can GET, change and PUT back.
type variantBody struct {
	CustomerID    string            `json:"customer_id,omitempty" doc:"A customer-archetype persona of this organisation"`
	CustomerLabel string            `json:"customer_label,omitempty" doc:"A plain customer type, where no archetype exists yet" maxLength:"200"`
	Note          string            `json:"note,omitempty" doc:"What changes for this customer (Markdown)"`
	Values        persona.Values    `json:"values,omitempty" doc:"Field overrides; a list override replaces the whole list"`
	Dimensions    persona.Values    `json:"dimensions,omitempty" doc:"Dimension overrides"`
	FieldNotes    map[string]string `json:"field_notes,omitempty" doc:"Per override: \"values.<key>\" or \"dimensions.<key>\" → what changes"`
	Confirm       []string          `json:"confirm,omitempty" doc:"Overridden paths whose changed base you keep the override for"`
	Message       string            `json:"message,omitempty" maxLength:"500" doc:"Revision message"`

	ID             any `json:"id,omitempty" doc:"Read-only; ignored"`
	PersonaID      any `json:"persona_id,omitempty" doc:"Read-only; ignored"`
	Revision       any `json:"revision,omitempty" doc:"Read-only; ignored (send If-Match)"`
	BaseAtOverride any `json:"base_at_override,omitempty" doc:"Read-only; ignored"`
	BaseChanged    any `json:"base_changed,omitempty" doc:"Read-only; ignored"`
	Effective      any `json:"effective,omitempty" doc:"Read-only; ignored"`
	CustomerName   any `json:"customer_name,omitempty" doc:"Read-only; ignored"`
	CreatedAt      any `json:"created_at,omitempty" doc:"Read-only; ignored"`
	CreatedBy      any `json:"created_by,omitempty" doc:"Read-only; ignored"`
	UpdatedAt      any `json:"updated_at,omitempty" doc:"Read-only; ignored"`
	UpdatedBy      any `json:"updated_by,omitempty" doc:"Read-only; ignored"`
}

func (b variantBody) input() app.VariantInput {
	return app.VariantInput{CustomerID: b.CustomerID, CustomerLabel: b.CustomerLabel, Note: b.Note, Values: b.Values,
		Dimensions: b.Dimensions, FieldNotes: b.FieldNotes, Confirm: b.Confirm, Message: b.Message}
}

// VariantJSON is a variant with its customer's name, its effective values
// and the overrides whose base changed since they were made.
type VariantJSON struct {
	persona.Variant
	CustomerName string `json:"customer_name"`
	Effective    struct {
		Values     persona.Values `json:"values"`
		Dimensions persona.Values `json:"dimensions"`
	} `json:"effective" doc:"The base persona's values with this variant's overrides applied"`
	BaseChanged []string `json:"base_changed" doc:"Overridden paths whose base value changed since the override was made or confirmed"`
}

func variantJSON(d app.VariantDetail) VariantJSON {
	j := VariantJSON{Variant: d.Variant, CustomerName: d.CustomerName(), BaseChanged: nonNil(d.BaseChanged)}
	j.Effective.Values = d.Effective.Values
	j.Effective.Dimensions = d.Effective.Dimensions
	return j
}

type variantOutput struct {
	ETag     string `header:"ETag"`
	Location string `header:"Location"`
	Body     VariantJSON
}

type variantListOutput struct {
	Body struct {
		Items []VariantJSON `json:"items"`
	}
}

type variantRevisionListOutput struct {
	Body struct {
		Items []persona.VariantRevision `json:"items"`
	}
}

type variantTrashOutput struct {
	Body struct {
		Items []persona.Variant `json:"items"`
	}
}

type variantCustomerInput struct {
	OrgPath
	Customer      string `query:"customer" maxLength:"64" doc:"A customer-archetype persona's ID"`
	CustomerLabel string `query:"customer_label" maxLength:"200" doc:"A plain customer type label"`
}

type variantRevisionPath struct {
	VariantPath
	N       int    `path:"n" minimum:"1"`
	IfMatch string `header:"If-Match" doc:"The variant's current revision (required)"`
}

func (s *Server) registerVariants(api huma.API) {
	detailOut := func(ctx context.Context, org, id string) (*variantOutput, error) {
		d, err := s.svc.GetVariant(ctx, actorFrom(ctx), org, id)
		if err != nil {
			return nil, s.fail(ctx, err)
		}
		return &variantOutput{ETag: etag(d.Variant.Revision), Body: variantJSON(d)}, nil
	}

	huma.Register(api, op("list-persona-variants", http.MethodGet, "/api/v1/orgs/{org}/personas/{id}/variants", "A persona's customer variants, with effective values", tagVariants, 0),
		func(ctx context.Context, in *PersonaPath) (*variantListOutput, error) {
			ds, err := s.svc.ListVariants(ctx, actorFrom(ctx), in.Org, in.ID)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			out := &variantListOutput{}
			out.Body.Items = make([]VariantJSON, 0, len(ds))
			for _, d := range ds {
				out.Body.Items = append(out.Body.Items, variantJSON(d))
			}
			return out, nil
		})

	huma.Register(api, op("create-variant", http.MethodPost, "/api/v1/orgs/{org}/personas/{id}/variants", "Add a customer variant to a persona (editors)", tagVariants, http.StatusCreated),
		func(ctx context.Context, in *struct {
			PersonaPath
			Body variantBody
		}) (*variantOutput, error) {
			v, err := s.svc.CreateVariant(ctx, actorFrom(ctx), in.Org, in.ID, in.Body.input())
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			out, err := detailOut(ctx, in.Org, v.ID)
			if err != nil {
				return nil, err
			}
			out.Location = "/api/v1/orgs/" + in.Org + "/variants/" + v.ID
			return out, nil
		})

	huma.Register(api, op("list-customer-variants", http.MethodGet, "/api/v1/orgs/{org}/variants", "Every persona's variant for one customer type (archetype or label)", tagVariants, 0),
		func(ctx context.Context, in *variantCustomerInput) (*variantListOutput, error) {
			if in.Customer == "" && in.CustomerLabel == "" {
				return nil, s.failQuery(ctx, persona.Invalid("invalid query", []persona.FieldError{{Field: "customer", Message: "give customer or customer_label"}}))
			}
			ds, err := s.svc.CustomerVariants(ctx, actorFrom(ctx), in.Org, in.Customer, in.CustomerLabel)
			if err != nil {
				return nil, s.failQuery(ctx, err)
			}
			out := &variantListOutput{}
			out.Body.Items = make([]VariantJSON, 0, len(ds))
			for _, d := range ds {
				out.Body.Items = append(out.Body.Items, variantJSON(d))
			}
			return out, nil
		})

	huma.Register(api, op("get-variant", http.MethodGet, "/api/v1/orgs/{org}/variants/{id}", "One variant; ETag carries its revision", tagVariants, 0),
		func(ctx context.Context, in *VariantPath) (*variantOutput, error) {
			return detailOut(ctx, in.Org, in.ID)
		})

	huma.Register(api, op("update-variant", http.MethodPut, "/api/v1/orgs/{org}/variants/{id}", "Replace a variant's overrides and notes (editors); needs If-Match", tagVariants, 0),
		func(ctx context.Context, in *struct {
			VariantPath
			IfMatch string `header:"If-Match" doc:"The revision you edited, as returned in ETag (required)"`
			Body    variantBody
		}) (*variantOutput, error) {
			rev, err := parseIfMatch(in.IfMatch)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			if _, err := s.svc.UpdateVariant(ctx, actorFrom(ctx), in.Org, in.ID, rev, in.Body.input()); err != nil {
				return nil, s.fail(ctx, err)
			}
			return detailOut(ctx, in.Org, in.ID)
		})

	huma.Register(api, op("trash-variant", http.MethodDelete, "/api/v1/orgs/{org}/variants/{id}", "Move a variant to the trash (editors)", tagVariants, http.StatusNoContent),
		func(ctx context.Context, in *VariantPath) (*struct{}, error) {
			if err := s.svc.TrashVariant(ctx, actorFrom(ctx), in.Org, in.ID); err != nil {
				return nil, s.fail(ctx, err)
			}
			return nil, nil
		})

	huma.Register(api, op("restore-variant", http.MethodPost, "/api/v1/orgs/{org}/variants/{id}/restore", "Restore a variant from the trash (editors)", tagVariants, 0),
		func(ctx context.Context, in *VariantPath) (*variantOutput, error) {
			if _, err := s.svc.RestoreVariant(ctx, actorFrom(ctx), in.Org, in.ID); err != nil {
				return nil, s.fail(ctx, err)
			}
			return detailOut(ctx, in.Org, in.ID)
		})

	huma.Register(api, op("list-variant-revisions", http.MethodGet, "/api/v1/orgs/{org}/variants/{id}/revisions", "A variant's revisions, newest first", tagVariants, 0),
		func(ctx context.Context, in *VariantPath) (*variantRevisionListOutput, error) {
			revs, err := s.svc.ListVariantRevisions(ctx, actorFrom(ctx), in.Org, in.ID)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			out := &variantRevisionListOutput{}
			out.Body.Items = nonNil(revs)
			return out, nil
		})

	huma.Register(api, op("restore-variant-revision", http.MethodPost, "/api/v1/orgs/{org}/variants/{id}/revisions/{n}/restore", "Make an old revision the newest (editors); needs If-Match", tagVariants, 0),
		func(ctx context.Context, in *variantRevisionPath) (*variantOutput, error) {
			rev, err := parseIfMatch(in.IfMatch)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			if _, err := s.svc.RestoreVariantRevision(ctx, actorFrom(ctx), in.Org, in.ID, in.N, rev); err != nil {
				return nil, s.fail(ctx, err)
			}
			return detailOut(ctx, in.Org, in.ID)
		})

	huma.Register(api, op("list-variant-trash", http.MethodGet, "/api/v1/orgs/{org}/trash/variants", "Variants in the trash", tagVariants, 0),
		func(ctx context.Context, in *OrgPath) (*variantTrashOutput, error) {
			vs, err := s.svc.ListTrashedVariants(ctx, actorFrom(ctx), in.Org)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			out := &variantTrashOutput{}
			out.Body.Items = nonNil(vs)
			return out, nil
		})

	huma.Register(api, op("purge-variant", http.MethodDelete, "/api/v1/orgs/{org}/trash/variants/{id}", "Delete a trashed variant for good (admins)", tagVariants, http.StatusNoContent),
		func(ctx context.Context, in *VariantPath) (*struct{}, error) {
			if err := s.svc.PurgeVariant(ctx, actorFrom(ctx), in.Org, in.ID); err != nil {
				return nil, s.fail(ctx, err)
			}
			return nil, nil
		})
}
