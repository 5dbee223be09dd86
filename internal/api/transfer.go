package api

import (
	"bytes"
	"context"
	"mime"
	"net/http"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/danielgtaylor/huma/v2"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

var tagTransfer = []string{"Import and export"}

type importReportJSON struct {
	Org       OrgJSON  `json:"organisation"`
	DryRun    bool     `json:"dry_run"`
	Groups    int      `json:"groups"`
	Templates int      `json:"templates"`
	Versions  int      `json:"versions"`
	Personas  int      `json:"personas"`
	Variants  int      `json:"variants"`
	Notes     int      `json:"notes"`
	Links     int      `json:"alignment_links"`
	Claims    int      `json:"claim_verdicts"`
	Evidence  int      `json:"evidence"`
	Warnings  []string `json:"warnings"`
}

func reportJSON(r app.ImportReport) importReportJSON {
	return importReportJSON{Org: orgJSON(r.Org, persona.RoleOwner), DryRun: r.DryRun, Groups: r.Groups, Templates: r.Templates,
		Versions: r.Versions, Personas: r.Personas, Variants: r.Variants, Notes: r.Notes, Links: r.Links, Claims: r.Claims, Evidence: r.Evidence,
		Warnings: nonNil(r.Warnings)}
}

func (s *Server) registerTransfer(api huma.API) {
	huma.Register(api, op("export-org", http.MethodGet, "/api/v1/orgs/{org}/export", "Export the whole organisation as one document (admins)", tagTransfer, 0),
		func(ctx context.Context, in *OrgPath) (*struct{ Body persona.OrgExport }, error) {
			e, err := s.svc.ExportOrg(ctx, actorFrom(ctx), in.Org)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &struct{ Body persona.OrgExport }{Body: e}, nil
		})

	importOp := op("import-org", http.MethodPost, "/api/v1/orgs/import", "Create a new organisation from an export, owned by you (all or nothing)", tagTransfer, http.StatusCreated)
	importOp.Description = "The body is an export document as `GET /orgs/{org}/export` (or `personapal export`) writes it, " +
		"as JSON (`application/json`) or YAML (`application/yaml`, also `application/x-yaml` and `text/yaml`), " +
		"read exactly as `personapal import` reads it: unknown keys are refused, and errors name the line."
	importOp.MaxBodyBytes = maxJSONBody // an export carries its evidence files
	huma.Register(api, importOp,
		func(ctx context.Context, in *struct {
			Slug        string `query:"slug" maxLength:"63" doc:"Slug of the new organisation (default: the document's)"`
			Name        string `query:"name" maxLength:"200" doc:"Name of the new organisation (default: the document's)"`
			DryRun      bool   `query:"dry_run" doc:"Check and report without writing"`
			ContentType string `header:"Content-Type" hidden:"true"`
			RawBody     []byte
		}) (*struct{ Body importReportJSON }, error) {
			format, err := exportFormat(in.ContentType)
			if err != nil {
				return nil, err
			}
			if !utf8.Valid(in.RawBody) {
				return nil, bound(&Problem{Title: "Bad Request", Status: http.StatusBadRequest, Detail: "the request body is not valid UTF-8"})
			}
			doc, err := persona.DecodeExport(bytes.NewReader(in.RawBody), format)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			rep, err := s.svc.ImportOrg(ctx, actorFrom(ctx), in.Slug, in.Name, doc, in.DryRun)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &struct{ Body importReportJSON }{Body: reportJSON(rep)}, nil
		})
	// Document the body: the export document, in either format.
	if o := api.OpenAPI().Paths["/api/v1/orgs/import"]; o != nil && o.Post != nil {
		schema := api.OpenAPI().Components.Schemas.Schema(reflect.TypeFor[persona.OrgExport](), true, "")
		o.Post.RequestBody = &huma.RequestBody{Required: true, Description: "An organisation export document (JSON or YAML)",
			Content: map[string]*huma.MediaType{"application/json": {Schema: schema}, "application/yaml": {Schema: schema}}}
	}
}

// exportFormat tells the format of an import body from its Content-Type:
// JSON (application/json, any +json, or none: then the content decides) or
// YAML (application/yaml, application/x-yaml, text/yaml, text/x-yaml, any
// +yaml). Anything else is refused with 415.
func exportFormat(contentType string) (string, error) {
	if strings.TrimSpace(contentType) == "" {
		return "", nil
	}
	mt, _, err := mime.ParseMediaType(contentType)
	switch {
	case err != nil:
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		return "json", nil
	case mt == "application/yaml" || mt == "application/x-yaml" || mt == "text/yaml" || mt == "text/x-yaml" || strings.HasSuffix(mt, "+yaml"):
		return "yaml", nil
	}
	return "", bound(&Problem{Title: http.StatusText(http.StatusUnsupportedMediaType), Status: http.StatusUnsupportedMediaType,
		Detail: "send the export as application/json or application/yaml (text/yaml and application/x-yaml work too)"})
}
