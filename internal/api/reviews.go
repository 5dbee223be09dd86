package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// Reviews: mark a persona reviewed and list its reviews, the
// organisation's review overview, and the caller's weekly digest switch.
// The persona list's `review=` filter lives in personas.go.

var tagReviews = []string{"Reviews"}

// ReviewJSON is one review of a persona.
type ReviewJSON struct {
	ID         string `json:"id"`
	PersonaID  string `json:"persona_id"`
	ReviewerID string `json:"reviewer_id"`
	Reviewer   string `json:"reviewer,omitempty" doc:"The reviewer's name (e-mail when unnamed)"`
	Note       string `json:"note" doc:"Optional; empty when none"`
	ReviewedOn string `json:"reviewed_on" format:"date" doc:"The day reviewed (UTC)"`
	CreatedAt  string `json:"created_at" format:"date-time"`
}

func reviewJSON(r persona.Review, reviewer string) ReviewJSON {
	return ReviewJSON{ID: r.ID, PersonaID: r.PersonaID, ReviewerID: r.ReviewerID, Reviewer: reviewer, Note: r.Note,
		ReviewedOn: r.ReviewedOn, CreatedAt: r.CreatedAt.UTC().Format(timeFormat)}
}

type reviewOutput struct {
	Body ReviewJSON
}

type reviewListOutput struct {
	Body struct {
		Items []ReviewJSON `json:"items" doc:"Newest first"`
	}
}

// ReviewRowJSON is one persona in the review overview.
type ReviewRowJSON struct {
	PersonaID      string      `json:"persona_id"`
	Name           string      `json:"name"`
	OwnerID        string      `json:"owner_id" doc:"Empty when the persona has no owner"`
	Owner          string      `json:"owner" doc:"The owner's name; empty when none"`
	LastReviewedOn string      `json:"last_reviewed_on" doc:"YYYY-MM-DD; empty when never set"`
	ReviewDue      string      `json:"review_due" format:"date"`
	Overdue        bool        `json:"overdue"`
	DueSoon        bool        `json:"due_soon" doc:"Due within 30 days, not overdue"`
	DaysOverdue    int         `json:"days_overdue"`
	LatestReview   *ReviewJSON `json:"latest_review,omitempty" doc:"Absent when never marked reviewed"`
}

// ReviewGroupJSON is the personas of one group; id and name are empty for
// personas outside any group.
type ReviewGroupJSON struct {
	ID       string          `json:"id"`
	Name     string          `json:"name"`
	Personas []ReviewRowJSON `json:"personas" doc:"Overdue first, then by due date"`
}

type reviewOverviewOutput struct {
	Body struct {
		Total   int               `json:"total"`
		Overdue int               `json:"overdue"`
		DueSoon int               `json:"due_soon" doc:"Due within 30 days, not overdue"`
		Recent  int               `json:"recent" doc:"Reviewed in the last 30 days"`
		Unowned int               `json:"unowned"`
		Mine    int               `json:"mine" doc:"Owned by you"`
		Groups  []ReviewGroupJSON `json:"groups"`
	}
}

type reviewDigestOutput struct {
	Body struct {
		Enabled bool `json:"enabled" doc:"Whether you get the weekly e-mail of your overdue and due personas"`
	}
}

func (s *Server) registerReviews(api huma.API) {
	huma.Register(api, op("mark-persona-reviewed", http.MethodPost, "/api/v1/orgs/{org}/personas/{id}/reviews",
		"Mark a persona reviewed today, with an optional note (editors); resets its due date", tagReviews, http.StatusCreated),
		func(ctx context.Context, in *struct {
			PersonaPath
			Body struct {
				Note string `json:"note,omitempty" maxLength:"4000" doc:"Optional, at most 1000 characters"`
			}
		}) (*reviewOutput, error) {
			r, err := s.svc.MarkReviewed(ctx, actorFrom(ctx), in.Org, in.ID, in.Body.Note)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &reviewOutput{Body: reviewJSON(r, "")}, nil
		})

	huma.Register(api, op("list-persona-reviews", http.MethodGet, "/api/v1/orgs/{org}/personas/{id}/reviews",
		"A persona's reviews, newest first", tagReviews, 0),
		func(ctx context.Context, in *PersonaPath) (*reviewListOutput, error) {
			rs, err := s.svc.ListReviews(ctx, actorFrom(ctx), in.Org, in.ID)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			out := &reviewListOutput{}
			out.Body.Items = []ReviewJSON{}
			for _, r := range rs {
				out.Body.Items = append(out.Body.Items, reviewJSON(r.Review, r.Reviewer))
			}
			return out, nil
		})

	huma.Register(api, op("get-review-overview", http.MethodGet, "/api/v1/orgs/{org}/reviews",
		"Who owns what and what is overdue or due soon, by group", tagReviews, 0),
		func(ctx context.Context, in *OrgPath) (*reviewOverviewOutput, error) {
			ov, err := s.svc.ReviewOverview(ctx, actorFrom(ctx), in.Org)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			out := &reviewOverviewOutput{}
			b := &out.Body
			b.Total, b.Overdue, b.DueSoon, b.Recent, b.Unowned, b.Mine = ov.Total, ov.Overdue, ov.DueSoon, ov.Recent, ov.Unowned, ov.Mine
			b.Groups = []ReviewGroupJSON{}
			for _, g := range ov.Groups {
				gj := ReviewGroupJSON{ID: g.ID, Name: g.Name, Personas: []ReviewRowJSON{}}
				for _, row := range g.Rows {
					gj.Personas = append(gj.Personas, reviewRowJSON(row))
				}
				b.Groups = append(b.Groups, gj)
			}
			return out, nil
		})

	huma.Register(api, op("get-review-digest", http.MethodGet, "/api/v1/me/review-digest",
		"Whether you get the weekly review digest", tagReviews, 0),
		func(ctx context.Context, _ *struct{}) (*reviewDigestOutput, error) {
			on, err := s.svc.ReviewDigestOn(ctx, actorFrom(ctx))
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			out := &reviewDigestOutput{}
			out.Body.Enabled = on
			return out, nil
		})

	huma.Register(api, op("set-review-digest", http.MethodPut, "/api/v1/me/review-digest",
		"Turn your weekly review digest on or off", tagReviews, 0),
		func(ctx context.Context, in *struct {
			Body struct {
				Enabled bool `json:"enabled"`
			}
		}) (*reviewDigestOutput, error) {
			if err := s.svc.SetReviewDigest(ctx, actorFrom(ctx), in.Body.Enabled); err != nil {
				return nil, s.fail(ctx, err)
			}
			out := &reviewDigestOutput{}
			out.Body.Enabled = in.Body.Enabled
			return out, nil
		})
}

func reviewRowJSON(row app.ReviewRow) ReviewRowJSON {
	p := row.Persona
	out := ReviewRowJSON{PersonaID: p.ID, Name: p.Name, OwnerID: p.OwnerID, Owner: row.Owner, LastReviewedOn: p.LastReviewedOn,
		ReviewDue: row.Due.Format(time.DateOnly), Overdue: row.Overdue, DueSoon: row.DueSoon, DaysOverdue: row.DaysLate}
	if row.Latest != nil {
		r := reviewJSON(row.Latest.Review, row.Latest.Reviewer)
		out.LatestReview = &r
	}
	return out
}
