package api

import (
	"context"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

var (
	tagCatalogue  = []string{"Catalogue"}
	tagLaunchpads = []string{"Launchpads"}
)

// ---- Catalogue ----

type catalogueOutput struct {
	ETag string `header:"ETag"`
	Body persona.Catalogue
}

func catalogueOut(c persona.Catalogue) *catalogueOutput {
	return &catalogueOutput{ETag: etag(c.Revision), Body: c}
}

// parseCatalogueIfMatch reads the catalogue revision from If-Match: a
// number (0: no catalogue saved yet) or "*" (whatever is current). Missing
// is "precondition required" when required, any revision otherwise.
func parseCatalogueIfMatch(h string, required bool) (int, error) {
	h = strings.TrimSpace(h)
	switch h {
	case "":
		if required {
			return 0, &persona.Error{Code: persona.CodePreconditionRequired,
				Message: `send If-Match with the catalogue revision you edited (or "*" to replace whatever is there)`}
		}
		return app.AnyRevision, nil
	case "*":
		return app.AnyRevision, nil
	}
	n, err := strconv.Atoi(strings.Trim(strings.TrimPrefix(h, "W/"), `"`))
	if err != nil || n < 0 {
		return 0, &persona.Error{Code: persona.CodeInvalid, Message: `If-Match must hold a catalogue revision such as "3", or "*"`,
			Fields: []persona.FieldError{{Field: "header.If-Match", Message: "must be a revision number or *"}}}
	}
	return n, nil
}

type CatalogueItemPath struct {
	OrgPath
	ID      string `path:"id" maxLength:"64" doc:"The item's key"`
	IfMatch string `header:"If-Match" doc:"Optional: the catalogue revision you edited"`
}

type catalogueCreateInput[T any] struct {
	OrgPath
	IfMatch string `header:"If-Match" doc:"Optional: the catalogue revision you edited"`
	Body    T
}

type catalogueReplaceInput[T any] struct {
	CatalogueItemPath
	Body T
}

func (s *Server) registerCatalogue(api huma.API) {
	huma.Register(api, op("get-catalogue", http.MethodGet, "/api/v1/orgs/{org}/catalogue",
		"The organisation's product catalogue: modules, content packs and dashboard templates with their rules; ETag carries its revision", tagCatalogue, 0),
		func(ctx context.Context, in *OrgPath) (*catalogueOutput, error) {
			c, err := s.svc.Catalogue(ctx, actorFrom(ctx), in.Org)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return catalogueOut(c), nil
		})

	huma.Register(api, op("replace-catalogue", http.MethodPut, "/api/v1/orgs/{org}/catalogue",
		"Replace the whole catalogue (admins); validated whole; needs If-Match (the revision, 0 for none yet, or *)", tagCatalogue, 0),
		func(ctx context.Context, in *struct {
			OrgPath
			IfMatch string `header:"If-Match" doc:"The catalogue revision you edited, 0 when none is saved yet, or * (required)"`
			Body    persona.Catalogue
		}) (*catalogueOutput, error) {
			rev, err := parseCatalogueIfMatch(in.IfMatch, true)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			c, err := s.svc.ReplaceCatalogue(ctx, actorFrom(ctx), in.Org, rev, in.Body)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return catalogueOut(c), nil
		})

	huma.Register(api, op("catalogue-fields", http.MethodGet, "/api/v1/orgs/{org}/catalogue/fields",
		"The fields and dimensions rules can read: the archetype's (modules, packs, archetype.* paths) and the roles' (dashboards)", tagCatalogue, 0),
		func(ctx context.Context, in *OrgPath) (*struct{ Body app.CatalogueFields }, error) {
			f, err := s.svc.ConditionFields(ctx, actorFrom(ctx), in.Org)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			if f.Archetype == nil {
				f.Archetype = []app.FieldOption{}
			}
			if f.Roles == nil {
				f.Roles = []app.FieldOption{}
			}
			return &struct{ Body app.CatalogueFields }{Body: f}, nil
		})

	// The body is bytes already encoded; the document says what they are:
	// YAML text, or the catalogue document as JSON.
	exportOp := op("export-catalogue", http.MethodGet, "/api/v1/orgs/{org}/catalogue/export",
		"Export the catalogue as a YAML (default) or JSON document", tagCatalogue, 0)
	exportOp.Responses = map[string]*huma.Response{"200": {Description: "The catalogue document", Content: map[string]*huma.MediaType{
		"application/yaml": {Schema: &huma.Schema{Type: huma.TypeString}},
		"application/json": {Schema: api.OpenAPI().Components.Schemas.Schema(reflect.TypeFor[app.CatalogueDocument](), true, "CatalogueDocument")},
	}}}
	huma.Register(api, exportOp,
		func(ctx context.Context, in *struct {
			OrgPath
			Format string `query:"format" enum:"yaml,json" default:"yaml"`
		}) (*struct {
			ContentType        string `header:"Content-Type"`
			ContentDisposition string `header:"Content-Disposition"`
			Body               []byte
		}, error) {
			b, ct, err := s.svc.ExportCatalogue(ctx, actorFrom(ctx), in.Org, in.Format)
			if err != nil {
				return nil, s.failQuery(ctx, err)
			}
			ext := "yaml"
			if in.Format == app.FormatJSON {
				ext = "json"
			}
			return &struct {
				ContentType        string `header:"Content-Type"`
				ContentDisposition string `header:"Content-Disposition"`
				Body               []byte
			}{ContentType: ct + "; charset=utf-8", ContentDisposition: `attachment; filename="catalogue-` + in.Org + `.` + ext + `"`, Body: b}, nil
		})

	importOp := op("import-catalogue", http.MethodPost, "/api/v1/orgs/{org}/catalogue/import",
		"Replace the catalogue with a YAML or JSON document, as exported (admins); needs If-Match (the revision, 0, or *)", tagCatalogue, 0)
	importOp.MaxBodyBytes = app.MaxCatalogueDocument + 1024
	huma.Register(api, importOp,
		func(ctx context.Context, in *struct {
			OrgPath
			Format  string `query:"format" enum:"yaml,json," doc:"yaml or json; detected when omitted"`
			IfMatch string `header:"If-Match" doc:"The catalogue revision you replace, 0 when none is saved yet, or * (required)"`
			RawBody []byte `contentType:"application/yaml"`
		}) (*catalogueOutput, error) {
			rev, err := parseCatalogueIfMatch(in.IfMatch, true)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			c, err := s.svc.ImportCatalogue(ctx, actorFrom(ctx), in.Org, in.RawBody, in.Format, rev)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return catalogueOut(c), nil
		})

	registerItem(s, api, "module", "modules", "a module", func(ctx context.Context, org, old string, ifMatch int, m persona.Module) (persona.Catalogue, error) {
		return s.svc.SaveModule(ctx, actorFrom(ctx), org, old, m, ifMatch)
	}, persona.ItemModule)
	registerItem(s, api, "pack", "packs", "a content pack", func(ctx context.Context, org, old string, ifMatch int, p persona.ContentPack) (persona.Catalogue, error) {
		return s.svc.SavePack(ctx, actorFrom(ctx), org, old, p, ifMatch)
	}, persona.ItemPack)
	registerItem(s, api, "dashboard", "dashboards", "a dashboard template", func(ctx context.Context, org, old string, ifMatch int, d persona.DashboardTemplate) (persona.Catalogue, error) {
		return s.svc.SaveDashboard(ctx, actorFrom(ctx), org, old, d, ifMatch)
	}, persona.ItemDashboard)
}

// registerItem registers create, replace and delete for one kind of
// catalogue item.
func registerItem[T any](s *Server, api huma.API, kind, plural, what string,
	save func(ctx context.Context, org, old string, ifMatch int, item T) (persona.Catalogue, error), itemKind persona.ItemKind) {
	base := "/api/v1/orgs/{org}/catalogue/" + plural
	huma.Register(api, op("create-catalogue-"+kind, http.MethodPost, base, "Add "+what+" to the catalogue (admins)", tagCatalogue, http.StatusCreated),
		func(ctx context.Context, in *catalogueCreateInput[T]) (*catalogueOutput, error) {
			rev, err := parseCatalogueIfMatch(in.IfMatch, false)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			c, err := save(ctx, in.Org, "", rev, in.Body)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return catalogueOut(c), nil
		})
	huma.Register(api, op("replace-catalogue-"+kind, http.MethodPut, base+"/{id}", "Replace "+what+"; a new key renames it everywhere (admins)", tagCatalogue, 0),
		func(ctx context.Context, in *catalogueReplaceInput[T]) (*catalogueOutput, error) {
			rev, err := parseCatalogueIfMatch(in.IfMatch, false)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			c, err := save(ctx, in.Org, in.ID, rev, in.Body)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return catalogueOut(c), nil
		})
	huma.Register(api, op("delete-catalogue-"+kind, http.MethodDelete, base+"/{id}", "Remove "+what+" (admins); a module other items need is refused", tagCatalogue, 0),
		func(ctx context.Context, in *CatalogueItemPath) (*catalogueOutput, error) {
			rev, err := parseCatalogueIfMatch(in.IfMatch, false)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			c, err := s.svc.DeleteCatalogueItem(ctx, actorFrom(ctx), in.Org, itemKind, in.ID, rev)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return catalogueOut(c), nil
		})
}

// ---- Launchpads ----

// LaunchpadJSON is a saved Launchpad with its view: the recommendation
// with decisions applied and the rollout plan.
type LaunchpadJSON struct {
	persona.Launchpad
	ArchetypeName string                `json:"archetype_name" doc:"Empty when the archetype is gone"`
	View          persona.LaunchpadView `json:"view"`
}

func launchpadJSON(d app.LaunchpadDetail) LaunchpadJSON {
	return LaunchpadJSON{Launchpad: d.Launchpad, ArchetypeName: d.Archetype.Name, View: d.View}
}

// LaunchpadSummary is a Launchpad in a listing.
type LaunchpadSummary struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	ArchetypeID string    `json:"archetype_id"`
	Archetype   string    `json:"archetype" doc:"The archetype's name when generated"`
	Modules     int       `json:"modules"`
	Revision    int       `json:"revision"`
	UpdatedAt   time.Time `json:"updated_at"`
}

type launchpadOutput struct {
	ETag     string `header:"ETag"`
	Location string `header:"Location"`
	Body     LaunchpadJSON
}

type LaunchpadPath struct {
	OrgPath
	ID string `path:"id" maxLength:"64" doc:"Launchpad ID"`
}

// generateBody says what to generate for. Omit both role lists for the
// default roles: the customer's variants, the personas the archetype names
// and the agents serving them.
type generateBody struct {
	ArchetypeID string   `json:"archetype_id" doc:"A customer archetype persona"`
	VariantIDs  []string `json:"variant_ids,omitempty" doc:"Customer variants (of UX personas or AI agents) to include as roles"`
	RoleIDs     []string `json:"role_ids,omitempty" doc:"UX personas and AI agents to include as they are"`
	Name        string   `json:"name,omitempty" maxLength:"200" doc:"Save only; default \"<archetype> setup\""`
	Notes       string   `json:"notes,omitempty" doc:"Save only (Markdown)"`
}

func (b generateBody) request() app.LaunchpadRequest {
	return app.LaunchpadRequest{ArchetypeID: b.ArchetypeID, VariantIDs: b.VariantIDs, RoleIDs: b.RoleIDs,
		Defaults: b.VariantIDs == nil && b.RoleIDs == nil}
}

// GeneratedJSON is a Launchpad generated but not saved.
type GeneratedJSON struct {
	ArchetypeID    string                 `json:"archetype_id"`
	VariantIDs     []string               `json:"variant_ids" doc:"The roles used, defaults resolved"`
	RoleIDs        []string               `json:"role_ids"`
	Recommendation persona.Recommendation `json:"recommendation"`
	Plan           persona.Plan           `json:"plan"`
}

// launchpadBody is what a client sends to replace a Launchpad's editable
// parts; the read-only properties of a Launchpad are accepted and ignored
// so that a client can GET, change and PUT back.
type launchpadBody struct {
	Name      string                      `json:"name" maxLength:"200"`
	Notes     string                      `json:"notes,omitempty"`
	Decisions map[string]persona.Decision `json:"decisions,omitempty" doc:"Item reference (module:<key>, pack:<key>, dashboard:<key>:<persona ID>) → accepted or rejected"`
	Plan      persona.PlanEdits           `json:"plan_edits,omitzero" doc:"Modules moved to another phase; phases' exit criteria, owners and notes"`
	Message   string                      `json:"message,omitempty" maxLength:"500" doc:"Revision message"`

	ID             any `json:"id,omitempty" doc:"Read-only; ignored"`
	ArchetypeID    any `json:"archetype_id,omitempty" doc:"Read-only; ignored"`
	ArchetypeName  any `json:"archetype_name,omitempty" doc:"Read-only; ignored"`
	VariantIDs     any `json:"variant_ids,omitempty" doc:"Read-only; ignored (regenerate changes the roles)"`
	RoleIDs        any `json:"role_ids,omitempty" doc:"Read-only; ignored"`
	Recommendation any `json:"recommendation,omitempty" doc:"Read-only; ignored (regenerate or add items)"`
	Added          any `json:"added,omitempty" doc:"Read-only; ignored (add items)"`
	View           any `json:"view,omitempty" doc:"Read-only; ignored"`
	Revision       any `json:"revision,omitempty" doc:"Read-only; ignored (send If-Match)"`
	CreatedAt      any `json:"created_at,omitempty" doc:"Read-only; ignored"`
	CreatedBy      any `json:"created_by,omitempty" doc:"Read-only; ignored"`
	UpdatedAt      any `json:"updated_at,omitempty" doc:"Read-only; ignored"`
	UpdatedBy      any `json:"updated_by,omitempty" doc:"Read-only; ignored"`
}

// RegenerationJSON says what regenerating a Launchpad changes.
type RegenerationJSON struct {
	Diff persona.LaunchpadDiff `json:"diff"`
	// Next is what regenerating would save (preview) or saved.
	Next persona.LaunchpadView `json:"next"`
	// Revision is the Launchpad's revision: the current one (preview) or
	// the new one (regenerated).
	Revision int `json:"revision"`
}

func (s *Server) registerLaunchpads(api huma.API) {
	s.registerCatalogue(api)

	detailOut := func(ctx context.Context, org, id string) (*launchpadOutput, error) {
		d, err := s.svc.GetLaunchpad(ctx, actorFrom(ctx), org, id)
		if err != nil {
			return nil, s.fail(ctx, err)
		}
		return &launchpadOutput{ETag: etag(d.Launchpad.Revision), Body: launchpadJSON(d)}, nil
	}
	ifMatched := func(ctx context.Context, h string) (int, error) {
		rev, err := parseIfMatch(h)
		if err != nil {
			return 0, s.fail(ctx, err)
		}
		return rev, nil
	}

	huma.Register(api, op("list-launchpads", http.MethodGet, "/api/v1/orgs/{org}/launchpads", "Saved Launchpads, most recently updated first", tagLaunchpads, 0),
		func(ctx context.Context, in *struct {
			OrgPath
			Archetype string `query:"archetype" maxLength:"64" doc:"Only those for this customer archetype"`
		}) (*struct {
			Body struct {
				Items []LaunchpadSummary `json:"items"`
			}
		}, error) {
			ls, err := s.svc.ListLaunchpads(ctx, actorFrom(ctx), in.Org, in.Archetype)
			if err != nil {
				return nil, s.failQuery(ctx, err)
			}
			out := &struct {
				Body struct {
					Items []LaunchpadSummary `json:"items"`
				}
			}{}
			out.Body.Items = []LaunchpadSummary{}
			for _, l := range ls {
				out.Body.Items = append(out.Body.Items, LaunchpadSummary{ID: l.ID, Name: l.Name, ArchetypeID: l.ArchetypeID,
					Archetype: l.Recommendation.Archetype.Name, Modules: len(l.Recommendation.Modules), Revision: l.Revision, UpdatedAt: l.UpdatedAt})
			}
			return out, nil
		})

	huma.Register(api, op("generate-launchpad", http.MethodPost, "/api/v1/orgs/{org}/launchpads/generate",
		"Generate a Launchpad for an archetype without saving it: modules, content packs, one dashboard per role and a phased plan, each with its reasons (editors)", tagLaunchpads, 0),
		func(ctx context.Context, in *struct {
			OrgPath
			Body generateBody
		}) (*struct{ Body GeneratedJSON }, error) {
			g, err := s.svc.GenerateLaunchpad(ctx, actorFrom(ctx), in.Org, in.Body.request())
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &struct{ Body GeneratedJSON }{Body: GeneratedJSON{ArchetypeID: g.Archetype.ID, VariantIDs: nonNil(g.Request.VariantIDs),
				RoleIDs: nonNil(g.Request.RoleIDs), Recommendation: g.Recommendation, Plan: g.View.Plan}}, nil
		})

	huma.Register(api, op("create-launchpad", http.MethodPost, "/api/v1/orgs/{org}/launchpads", "Generate a Launchpad and save it as revision 1 (editors)", tagLaunchpads, http.StatusCreated),
		func(ctx context.Context, in *struct {
			OrgPath
			Body generateBody
		}) (*launchpadOutput, error) {
			l, err := s.svc.CreateLaunchpad(ctx, actorFrom(ctx), in.Org, in.Body.request(), in.Body.Name, in.Body.Notes)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			out, err := detailOut(ctx, in.Org, l.ID)
			if err != nil {
				return nil, err
			}
			out.Location = "/api/v1/orgs/" + in.Org + "/launchpads/" + l.ID
			return out, nil
		})

	huma.Register(api, op("get-launchpad", http.MethodGet, "/api/v1/orgs/{org}/launchpads/{id}", "One saved Launchpad with its plan; ETag carries its revision", tagLaunchpads, 0),
		func(ctx context.Context, in *LaunchpadPath) (*launchpadOutput, error) {
			return detailOut(ctx, in.Org, in.ID)
		})

	huma.Register(api, op("update-launchpad", http.MethodPut, "/api/v1/orgs/{org}/launchpads/{id}",
		"Replace a Launchpad's name, notes, decisions (accept/reject items) and plan edits (editors); needs If-Match", tagLaunchpads, 0),
		func(ctx context.Context, in *struct {
			LaunchpadPath
			IfMatch string `header:"If-Match" doc:"The revision you edited, as returned in ETag (required)"`
			Body    launchpadBody
		}) (*launchpadOutput, error) {
			rev, err := ifMatched(ctx, in.IfMatch)
			if err != nil {
				return nil, err
			}
			b := in.Body
			if _, err := s.svc.UpdateLaunchpad(ctx, actorFrom(ctx), in.Org, in.ID, rev, app.LaunchpadUpdate{
				Name: b.Name, Notes: b.Notes, Decisions: b.Decisions, Plan: b.Plan, Message: b.Message}); err != nil {
				return nil, s.fail(ctx, err)
			}
			return detailOut(ctx, in.Org, in.ID)
		})

	huma.Register(api, op("delete-launchpad", http.MethodDelete, "/api/v1/orgs/{org}/launchpads/{id}", "Delete a Launchpad and its revisions (editors)", tagLaunchpads, http.StatusNoContent),
		func(ctx context.Context, in *LaunchpadPath) (*struct{}, error) {
			if err := s.svc.DeleteLaunchpad(ctx, actorFrom(ctx), in.Org, in.ID); err != nil {
				return nil, s.fail(ctx, err)
			}
			return nil, nil
		})

	huma.Register(api, op("add-launchpad-item", http.MethodPost, "/api/v1/orgs/{org}/launchpads/{id}/items",
		"Add a catalogue item by hand (module:<key>, pack:<key> or dashboard:<key>:<persona ID>), with what it depends on (editors); needs If-Match", tagLaunchpads, 0),
		func(ctx context.Context, in *struct {
			LaunchpadPath
			IfMatch string `header:"If-Match" doc:"The revision you edited (required)"`
			Body    struct {
				Ref string `json:"ref" maxLength:"200" doc:"module:<key>, pack:<key> or dashboard:<key>:<persona ID>"`
			}
		}) (*launchpadOutput, error) {
			rev, err := ifMatched(ctx, in.IfMatch)
			if err != nil {
				return nil, err
			}
			if _, err := s.svc.AddLaunchpadItem(ctx, actorFrom(ctx), in.Org, in.ID, rev, in.Body.Ref); err != nil {
				return nil, s.fail(ctx, err)
			}
			return detailOut(ctx, in.Org, in.ID)
		})

	huma.Register(api, op("preview-launchpad-regeneration", http.MethodGet, "/api/v1/orgs/{org}/launchpads/{id}/regenerate",
		"What regenerating from the current archetype, variants and catalogue would change, without saving", tagLaunchpads, 0),
		func(ctx context.Context, in *LaunchpadPath) (*struct{ Body RegenerationJSON }, error) {
			r, err := s.svc.PreviewRegeneration(ctx, actorFrom(ctx), in.Org, in.ID)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &struct{ Body RegenerationJSON }{Body: RegenerationJSON{Diff: r.Diff, Next: r.NextView, Revision: r.Current.Launchpad.Revision}}, nil
		})

	huma.Register(api, op("regenerate-launchpad", http.MethodPost, "/api/v1/orgs/{org}/launchpads/{id}/regenerate",
		"Regenerate and save as a new revision, keeping decisions, items added by hand and plan edits that still apply (editors); needs If-Match; returns the diff", tagLaunchpads, 0),
		func(ctx context.Context, in *struct {
			LaunchpadPath
			IfMatch string `header:"If-Match" doc:"The revision you saw (required)"`
		}) (*struct {
			ETag string `header:"ETag"`
			Body RegenerationJSON
		}, error) {
			rev, err := ifMatched(ctx, in.IfMatch)
			if err != nil {
				return nil, err
			}
			l, diff, err := s.svc.RegenerateLaunchpad(ctx, actorFrom(ctx), in.Org, in.ID, rev)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &struct {
				ETag string `header:"ETag"`
				Body RegenerationJSON
			}{ETag: etag(l.Revision), Body: RegenerationJSON{Diff: diff, Next: l.View(), Revision: l.Revision}}, nil
		})

	huma.Register(api, op("launchpad-markdown", http.MethodGet, "/api/v1/orgs/{org}/launchpads/{id}/markdown", "The Launchpad as a Markdown document", tagLaunchpads, 0),
		func(ctx context.Context, in *LaunchpadPath) (*struct {
			ContentType string `header:"Content-Type"`
			Body        []byte
		}, error) {
			md, _, err := s.svc.LaunchpadMarkdown(ctx, actorFrom(ctx), in.Org, in.ID)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &struct {
				ContentType string `header:"Content-Type"`
				Body        []byte
			}{ContentType: "text/markdown; charset=utf-8", Body: []byte(md)}, nil
		})

	huma.Register(api, op("list-launchpad-revisions", http.MethodGet, "/api/v1/orgs/{org}/launchpads/{id}/revisions", "A Launchpad's revisions, newest first", tagLaunchpads, 0),
		func(ctx context.Context, in *LaunchpadPath) (*struct {
			Body struct {
				Items []persona.LaunchpadRevision `json:"items"`
			}
		}, error) {
			revs, err := s.svc.ListLaunchpadRevisions(ctx, actorFrom(ctx), in.Org, in.ID)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			out := &struct {
				Body struct {
					Items []persona.LaunchpadRevision `json:"items"`
				}
			}{}
			out.Body.Items = nonNil(revs)
			return out, nil
		})

	huma.Register(api, op("get-launchpad-revision", http.MethodGet, "/api/v1/orgs/{org}/launchpads/{id}/revisions/{n}", "One revision of a Launchpad", tagLaunchpads, 0),
		func(ctx context.Context, in *struct {
			LaunchpadPath
			N int `path:"n" minimum:"1"`
		}) (*struct{ Body persona.LaunchpadRevision }, error) {
			r, err := s.svc.GetLaunchpadRevision(ctx, actorFrom(ctx), in.Org, in.ID, in.N)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &struct{ Body persona.LaunchpadRevision }{Body: r}, nil
		})
}
