package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

var tagAudit = []string{"Audit"}

// AuditFilterParams are the filters shared by the listing and the export.
type AuditFilterParams struct {
	Action     string `query:"action" maxLength:"200" doc:"Only this action, e.g. create, update, delete, publish"`
	ObjectKind string `query:"object_kind" maxLength:"200" doc:"Only this kind of object, e.g. persona, template, member, token"`
	Actor      string `query:"actor" maxLength:"200" doc:"Only this actor's email"`
	Since      string `query:"since" maxLength:"10" doc:"Only entries on or after this day (YYYY-MM-DD, UTC)"`
	Until      string `query:"until" maxLength:"10" doc:"Only entries on or before this day (YYYY-MM-DD, UTC)"`
}

func (p AuditFilterParams) query() app.AuditQuery {
	return app.AuditQuery{Action: p.Action, ObjectKind: p.ObjectKind, Actor: p.Actor, Since: p.Since, Until: p.Until}
}

type auditPage struct {
	Body struct {
		Items      []persona.AuditEvent `json:"items"`
		NextBefore *int64               `json:"next_before"`
	}
}

func (s *Server) registerAudit(api huma.API) {
	huma.Register(api, op("list-audit", http.MethodGet, "/api/v1/orgs/{org}/audit", "The organisation's audit log, newest first (admins)", tagAudit, 0),
		func(ctx context.Context, in *struct {
			OrgPath
			AuditFilterParams
			Before int64 `query:"before" minimum:"0" doc:"Continue below this seq (next_before of the previous page)"`
			Limit  int   `query:"limit" minimum:"0" maximum:"1000" doc:"Page size (default 100)"`
		}) (*auditPage, error) {
			limit := in.Limit
			if limit == 0 {
				limit = 100
			}
			items, err := s.svc.ListAudit(ctx, actorFrom(ctx), in.Org, in.query(), in.Before, limit)
			if err != nil {
				return nil, s.failQuery(ctx, err)
			}
			out := &auditPage{}
			out.Body.Items = nonNil(items)
			if len(items) == limit {
				next := items[len(items)-1].Seq
				out.Body.NextBefore = &next
			}
			return out, nil
		})

	exportOp := op("export-audit", http.MethodGet, "/api/v1/orgs/{org}/audit/export",
		"Download the organisation's whole audit log as CSV or JSON Lines, oldest first (admins)", tagAudit, 0)
	exportOp.Description = "Streams every entry matching the filters, up to the newest at the time of the request. " +
		"CSV columns: " + "seq, at, actor_id, actor_email, action, object_kind, object_id, summary; " +
		"a text cell starting with = + - @ (or a tab or carriage return) is prefixed with an apostrophe so that spreadsheets do not run it as a formula. " +
		"JSON Lines: one entry object per line, as in the listing. A failure after the first byte cuts the connection."
	text := &huma.Schema{Type: huma.TypeString}
	exportOp.Responses = map[string]*huma.Response{"200": {
		Description: "The entries, as an attachment",
		Content:     map[string]*huma.MediaType{"text/csv": {Schema: text}, "application/jsonl": {Schema: text}},
	}}
	huma.Register(api, exportOp,
		func(ctx context.Context, in *struct {
			OrgPath
			AuditFilterParams
			Format string `query:"format" enum:"csv,jsonl" default:"csv" doc:"csv or jsonl"`
		}) (*struct {
			ContentType        string `header:"Content-Type"`
			ContentDisposition string `header:"Content-Disposition"`
			Body               func(huma.Context)
		}, error) {
			x, err := s.svc.ExportAudit(ctx, actorFrom(ctx), in.Org, in.query(), in.Format)
			if err != nil {
				return nil, s.failQuery(ctx, err)
			}
			return &struct {
				ContentType        string `header:"Content-Type"`
				ContentDisposition string `header:"Content-Disposition"`
				Body               func(huma.Context)
			}{ContentType: x.ContentType, ContentDisposition: `attachment; filename="` + x.Filename + `"`,
				Body: func(hc huma.Context) {
					hc.SetStatus(http.StatusOK)
					if err := x.Write(ctx, hc.BodyWriter()); err != nil {
						// The status is sent: cutting the connection is the only
						// way left to say the file is incomplete.
						if !errors.Is(err, context.Canceled) && ctx.Err() == nil {
							s.log.ErrorContext(ctx, "audit log export failed", "err", err)
						}
						panic(http.ErrAbortHandler)
					}
				}}, nil
		})
}
