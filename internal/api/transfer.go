package api

import (
	"context"
	"net/http"

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
	importOp.MaxBodyBytes = maxJSONBody // an export carries its evidence files
	huma.Register(api, importOp,
		func(ctx context.Context, in *struct {
			Slug   string `query:"slug" maxLength:"63" doc:"Slug of the new organisation (default: the document's)"`
			Name   string `query:"name" maxLength:"200" doc:"Name of the new organisation (default: the document's)"`
			DryRun bool   `query:"dry_run" doc:"Check and report without writing"`
			Body   persona.OrgExport
		}) (*struct{ Body importReportJSON }, error) {
			rep, err := s.svc.ImportOrg(ctx, actorFrom(ctx), in.Slug, in.Name, in.Body, in.DryRun)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &struct{ Body importReportJSON }{Body: reportJSON(rep)}, nil
		})
}
