package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/personapal/personapal/internal/interchange"
	"github.com/personapal/personapal/internal/persona"
)

// Imports of other tools' CSV, JSON and JSON Lines (internal/interchange,
// docs/imports.md): the same importer as `personapal personas import`.

type importRequest struct {
	Format  string         `json:"format" enum:"csv,json,jsonl" doc:"The data's format"`
	Mapping map[string]any `json:"mapping" doc:"The mapping, as a mapping file says it (docs/imports.md): template, group, mode, external_id, name, summary, status, fields, dimensions"`
	Data    string         `json:"data" maxLength:"33554432" doc:"The file's text: a CSV with a header row, a JSON array of records, or JSON Lines"`
	Owner   string         `json:"owner,omitempty" maxLength:"320" doc:"Email of the member who owns created personas (default: you)"`
	Message string         `json:"message,omitempty" maxLength:"500" doc:"Revision message (default: Imported through the API)"`
}

type importProblemJSON struct {
	Where   string `json:"where" doc:"The row (CSV), record (JSON) or line (JSON Lines)"`
	Source  string `json:"source,omitempty" doc:"The column, path or constant the value came from"`
	Field   string `json:"field,omitempty" doc:"The persona field: name, values.<key>, dimensions.<key>, external_id"`
	Message string `json:"message"`
}

type importRowJSON struct {
	Where    string              `json:"where"`
	Name     string              `json:"name"`
	Action   string              `json:"action" doc:"create, update, or empty when the row has problems"`
	Problems []importProblemJSON `json:"problems"`
}

type personaImportJSON struct {
	DryRun    bool            `json:"dry_run"`
	Mode      string          `json:"mode" doc:"create or update"`
	Template  string          `json:"template"`
	Version   int             `json:"template_version"`
	Group     string          `json:"group"`
	Records   int             `json:"records"`
	ToCreate  int             `json:"to_create" doc:"Records that become new personas"`
	ToUpdate  int             `json:"to_update" doc:"Records that match a persona (update mode)"`
	Created   int             `json:"created"`
	Updated   int             `json:"updated" doc:"Personas that got a new revision"`
	Unchanged int             `json:"unchanged" doc:"Matched personas the import did not change"`
	Warnings  []string        `json:"warnings" doc:"Source columns and keys the mapping does not read, and records that look like a persona already there"`
	Problems  int             `json:"problems" doc:"Problems found (a dry run lists them in rows)"`
	Rows      []importRowJSON `json:"rows" doc:"The first 500 records: what happens to each, and its problems"`
}

func problemsJSON(ps []interchange.Problem) []importProblemJSON {
	out := []importProblemJSON{}
	for _, p := range ps {
		out = append(out, importProblemJSON{Where: p.Where, Source: p.Source, Field: p.Field, Message: p.Message})
	}
	return out
}

func personaImportOf(r interchange.Report) personaImportJSON {
	out := personaImportJSON{DryRun: r.DryRun, Mode: r.Mode, Template: r.Template, Version: r.Version, Group: r.Group, Records: r.Records,
		ToCreate: r.ToCreate, ToUpdate: r.ToUpdate, Created: r.Created, Updated: r.Updated, Unchanged: r.Unchanged,
		Warnings: nonNil(r.Warnings), Rows: []importRowJSON{}}
	for _, row := range r.Rows {
		out.Problems += len(row.Problems)
		out.Rows = append(out.Rows, importRowJSON{Where: row.Where, Name: row.Name, Action: row.Action, Problems: problemsJSON(row.Problems)})
	}
	return out
}

// ParseImportMapping reads a mapping given as a JSON object.
func parseImportMapping(m map[string]any) (*interchange.Mapping, error) {
	raw, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	return interchange.ParseMapping(bytes.NewReader(raw))
}

func (s *Server) registerImports(api huma.API) {
	o := op("import-personas", http.MethodPost, "/api/v1/orgs/{org}/imports",
		"Import personas from another tool's CSV, JSON or JSON Lines (editors; all or nothing)", tagTransfer, 0)
	o.Description = "Maps every record onto the mapping's template (docs/imports.md) and validates all of them before writing any. " +
		"`dry_run` writes nothing and answers the preview: each record's action (create or update) and problems, and the " +
		"warnings (source columns and keys the mapping does not read). Without it, a file with problems is refused with 422 " +
		"and problem+json whose errors name the row and the column; a good file is written in one transaction. In update " +
		"mode (`mode: update`) records matching a live persona by the mapping's `external_id` (else by name) become a new " +
		"revision of it, fields the mapping does not give kept."
	o.MaxBodyBytes = maxJSONBody
	huma.Register(api, o, func(ctx context.Context, in *struct {
		OrgPath
		DryRun bool   `query:"dry_run" doc:"Check and preview without writing"`
		Mode   string `query:"mode" enum:"create,update" doc:"Overrides the mapping's mode"`
		Body   importRequest
	}) (*struct{ Body personaImportJSON }, error) {
		actor := actorFrom(ctx)
		m, err := parseImportMapping(in.Body.Mapping)
		if err != nil {
			return nil, s.fail(ctx, persona.Invalid("invalid mapping", []persona.FieldError{{Field: "mapping", Message: strings.TrimPrefix(err.Error(), "mapping: ")}}))
		}
		if in.Mode != "" {
			m.Mode = in.Mode
		}
		im := &interchange.Importer{Svc: s.svc, Actor: actor, Org: in.Org, Message: in.Body.Message}
		if im.Message == "" {
			im.Message = "Imported through the API"
		}
		if in.Body.Owner != "" {
			if im.OwnerID, err = interchange.OwnerByEmail(ctx, s.svc, actor, in.Org, in.Body.Owner); err != nil {
				return nil, s.fail(ctx, err)
			}
		}
		data := in.Body.Data
		open := func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(data)), nil }
		rep, err := im.Import(ctx, m, in.Body.Format, open, in.DryRun)
		var ie *interchange.ImportError
		if errors.As(err, &ie) {
			if in.DryRun {
				return &struct{ Body personaImportJSON }{Body: personaImportOf(rep)}, nil
			}
			p := newProblem(persona.CodeInvalid, fmt.Sprintf("nothing was imported: %d problem(s)", len(ie.Problems)))
			for _, pr := range ie.Problems {
				loc := pr.Where
				if pr.Source != "" {
					loc += ", " + pr.Source
				}
				msg := pr.Message
				if pr.Field != "" {
					msg = pr.Field + ": " + msg
				}
				p.Errors = append(p.Errors, &huma.ErrorDetail{Location: loc, Message: msg})
			}
			return nil, bound(p)
		}
		if err != nil {
			return nil, s.fail(ctx, err)
		}
		return &struct{ Body personaImportJSON }{Body: personaImportOf(rep)}, nil
	})
}
