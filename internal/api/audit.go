package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/personapal/personapal/internal/persona"
)

func (s *Server) registerAudit(api huma.API) {
	huma.Register(api, op("list-audit", http.MethodGet, "/api/v1/orgs/{org}/audit", "The organisation's audit log, newest first (admins)", []string{"Audit"}, 0),
		func(ctx context.Context, in *struct {
			OrgPath
			Before int64 `query:"before" minimum:"0" doc:"Continue below this seq (next_before of the previous page)"`
			Limit  int   `query:"limit" minimum:"0" maximum:"1000" doc:"Page size (default 100)"`
		}) (*struct {
			Body struct {
				Items      []persona.AuditEvent `json:"items"`
				NextBefore *int64               `json:"next_before"`
			}
		}, error) {
			limit := in.Limit
			if limit == 0 {
				limit = 100
			}
			items, err := s.svc.ListAudit(ctx, actorFrom(ctx), in.Org, in.Before, limit)
			if err != nil {
				return nil, s.failQuery(ctx, err)
			}
			out := &struct {
				Body struct {
					Items      []persona.AuditEvent `json:"items"`
					NextBefore *int64               `json:"next_before"`
				}
			}{}
			out.Body.Items = nonNil(items)
			if len(items) == limit {
				next := items[len(items)-1].Seq
				out.Body.NextBefore = &next
			}
			return out, nil
		})
}
