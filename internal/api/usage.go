package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/personapal/personapal/internal/app"
)

// Usage (docs/usage.md): counts only, never who viewed what. Any member
// may read them, as on the web report. Reads through the API are not
// counted as views (an API token is a sync, not a reader).

var tagUsage = []string{"Usage"}

// UsageWindowParam is the report's window.
type UsageWindowParam struct {
	Days int `query:"days" default:"30" doc:"The window in days: 30 or 90"`
}

func (p UsageWindowParam) days() int { return p.Days }

type usageReportOutput struct {
	Body app.UsageReport
}

// PersonaUsageJSON is one persona's usage with its window.
type PersonaUsageJSON struct {
	Days  int    `json:"days"`
	Since string `json:"since" doc:"The window's first day (YYYY-MM-DD, UTC)"`
	app.PersonaUsage
}

type personaUsageOutput struct {
	Body PersonaUsageJSON
}

func (s *Server) registerUsage(api huma.API) {
	report := op("get-usage", http.MethodGet, "/api/v1/orgs/{org}/usage",
		"Which personas are used: views and references of every live persona, by name", tagUsage, 0)
	report.Description = "viewers counts the members who opened the persona (or one of its variants) in the window, " +
		"views the member-days (a member counts at most once a day); last_viewed is the last day it was opened ever. " +
		"references counts comparisons opened in the window, and Launchpads, alignment links, evidence links and " +
		"comments that refer to it now. Reads through the API are not counted."
	huma.Register(api, report, func(ctx context.Context, in *struct {
		OrgPath
		UsageWindowParam
	}) (*usageReportOutput, error) {
		rep, err := s.svc.Usage(ctx, actorFrom(ctx), in.Org, in.days())
		if err != nil {
			return nil, s.failQuery(ctx, err)
		}
		rep.Personas = nonNil(rep.Personas)
		return &usageReportOutput{Body: rep}, nil
	})

	huma.Register(api, op("get-persona-usage", http.MethodGet, "/api/v1/orgs/{org}/personas/{id}/usage",
		"One persona's views and references (as in the usage report)", tagUsage, 0),
		func(ctx context.Context, in *struct {
			PersonaPath
			UsageWindowParam
		}) (*personaUsageOutput, error) {
			rep, u, err := s.svc.PersonaUsage(ctx, actorFrom(ctx), in.Org, in.ID, in.days())
			if err != nil {
				return nil, s.failQuery(ctx, err)
			}
			return &personaUsageOutput{Body: PersonaUsageJSON{Days: rep.Days, Since: rep.Since, PersonaUsage: u}}, nil
		})
}
