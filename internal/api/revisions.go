package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/personapal/personapal/internal/persona"
)

type RevisionPath struct {
	PersonaPath
	Number int `path:"rev" minimum:"1"`
}

type revisionRestoreInput struct {
	RevisionPath
	IfMatch string `header:"If-Match" doc:"The persona's current revision (required)"`
}

type diffInput struct {
	PersonaPath
	From int `query:"from" doc:"Older revision (default: the one before to)"`
	To   int `query:"to" doc:"Newer revision (default: the current one)"`
}

// RevisionSummary is a revision without its content, for listings.
type RevisionSummary struct {
	Number    int    `json:"revision"`
	AuthorID  string `json:"author_id"`
	CreatedAt string `json:"created_at" format:"date-time"`
	Message   string `json:"message,omitempty"`
}

type revisionListOutput struct {
	Body struct {
		Items []RevisionSummary `json:"items"`
	}
}

type revisionOutput struct{ Body persona.Revision }

type diffOutput struct {
	Body struct {
		From    int              `json:"from"`
		To      int              `json:"to"`
		Changes []persona.Change `json:"changes"`
	}
}

func (s *Server) registerRevisions(api huma.API) {
	huma.Register(api, op("list-revisions", http.MethodGet, "/api/v1/orgs/{org}/personas/{id}/revisions", "A persona's revisions, newest first", tagHistory, 0),
		func(ctx context.Context, in *PersonaPath) (*revisionListOutput, error) {
			revs, err := s.svc.ListRevisions(ctx, actorFrom(ctx), in.Org, in.ID)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			out := &revisionListOutput{}
			out.Body.Items = make([]RevisionSummary, 0, len(revs))
			for _, r := range revs {
				out.Body.Items = append(out.Body.Items, RevisionSummary{Number: r.Number, AuthorID: r.AuthorID,
					CreatedAt: r.CreatedAt.Format(timeFormat), Message: r.Message})
			}
			return out, nil
		})

	huma.Register(api, op("get-revision", http.MethodGet, "/api/v1/orgs/{org}/personas/{id}/revisions/{rev}", "One revision with its full content", tagHistory, 0),
		func(ctx context.Context, in *RevisionPath) (*revisionOutput, error) {
			r, err := s.svc.GetRevision(ctx, actorFrom(ctx), in.Org, in.ID, in.Number)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &revisionOutput{Body: r}, nil
		})

	huma.Register(api, op("restore-revision", http.MethodPost, "/api/v1/orgs/{org}/personas/{id}/revisions/{rev}/restore", "Make an old revision current again, as a new revision (editors)", tagHistory, 0),
		func(ctx context.Context, in *revisionRestoreInput) (*personaOutput, error) {
			ifMatch, err := parseIfMatch(in.IfMatch)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			p, err := s.svc.RestoreRevision(ctx, actorFrom(ctx), in.Org, in.ID, in.Number, ifMatch)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &personaOutput{ETag: etag(p.Revision), Body: personaJSON(p)}, nil
		})

	huma.Register(api, op("diff-revisions", http.MethodGet, "/api/v1/orgs/{org}/personas/{id}/diff", "Field-by-field difference between two revisions", tagHistory, 0),
		func(ctx context.Context, in *diffInput) (*diffOutput, error) {
			actor := actorFrom(ctx)
			to, from := in.To, in.From
			if to == 0 {
				p, err := s.svc.GetPersona(ctx, actor, in.Org, in.ID)
				if err != nil {
					return nil, s.fail(ctx, err)
				}
				to = p.Revision
			}
			if from == 0 {
				from = max(to-1, 1)
			}
			d, err := s.svc.DiffRevisions(ctx, actor, in.Org, in.ID, from, to)
			if err != nil {
				return nil, s.failQuery(ctx, err)
			}
			out := &diffOutput{}
			out.Body.From, out.Body.To, out.Body.Changes = d.From, d.To, nonNil(d.Changes)
			return out, nil
		})
}
