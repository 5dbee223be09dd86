package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// Duplicates and merging (docs/duplicates.md): the organisation's likely
// duplicates, a merge of one persona into another, and the redirect a
// merged persona's address answers with.

var tagDuplicates = []string{"Duplicates"}

// PersonaRef names a persona.
type PersonaRef struct {
	ID          string              `json:"id"`
	Name        string              `json:"name"`
	ProfileType persona.ProfileType `json:"profile_type"`
}

func refOf(p persona.Persona) PersonaRef {
	return PersonaRef{ID: p.ID, Name: p.Name, ProfileType: p.ProfileType}
}

// SimilarJSON is a persona that looks like another one.
type SimilarJSON struct {
	Persona PersonaRef `json:"persona"`
	Score   float64    `json:"score" minimum:"0" maximum:"1" doc:"0 to 1; from 0.6 a likely duplicate"`
	Fields  []string   `json:"fields" doc:"The fields that agree: name, summary or field keys"`
}

func similarJSON(sims []app.Similar) []SimilarJSON {
	out := make([]SimilarJSON, 0, len(sims))
	for _, x := range sims {
		out = append(out, SimilarJSON{Persona: refOf(x.Persona), Score: x.Score, Fields: nonNil(x.Fields)})
	}
	return out
}

// DuplicateJSON is a pair of personas that look alike.
type DuplicateJSON struct {
	A      PersonaRef `json:"a"`
	B      PersonaRef `json:"b"`
	Score  float64    `json:"score" minimum:"0" maximum:"1"`
	Fields []string   `json:"fields" doc:"The fields that agree: name, summary or field keys"`
}

type duplicatesOutput struct {
	Body struct {
		Items []DuplicateJSON `json:"items"`
	}
}

// personaCreateOutput is a created persona with the personas it looks like:
// a warning, never a refusal.
type personaCreateOutput struct {
	ETag     string `header:"ETag"`
	Location string `header:"Location"`
	Body     struct {
		PersonaJSON
		Warnings []string      `json:"warnings" doc:"What to look at: e.g. that the new persona looks like existing ones"`
		Similar  []SimilarJSON `json:"similar" doc:"Live personas of the same template that look like this one, best first (at most 5)"`
	}
}

type mergeInput struct {
	PersonaPath
	IfMatch string `header:"If-Match" doc:"The survivor's revision you saw, as returned in ETag (required)"`
	Body    struct {
		Merge         string            `json:"merge" maxLength:"64" doc:"The persona merged into this one (it then redirects here)"`
		MergeRevision int               `json:"merge_revision,omitempty" minimum:"0" doc:"The merged persona's revision you saw; checked when given"`
		Fields        map[string]string `json:"fields,omitempty" doc:"Field key (name, summary, a field key, or dim:<dimension key>) → survivor or merged; a key left out keeps the survivor's value unless it is empty"`
	}
}

// mergedRedirect is the answer for a merged persona's address: 308 to the
// persona it was merged into, with a problem body saying so.
func mergedRedirect(org, into string) error {
	loc := "/api/v1/orgs/" + org + "/personas/" + into
	p := &Problem{Type: "/problems/merged", Title: "Permanent Redirect", Status: http.StatusPermanentRedirect,
		Detail: "this persona was merged into " + into + "; it lives at " + loc}
	p.GetHeaders().Set("Location", loc)
	return p
}

// getOrRedirect answers a not-found persona that was merged with the
// redirect to its survivor.
func (s *Server) getOrRedirect(ctx context.Context, org, id string, err error) error {
	if persona.ErrorCode(err) == persona.CodeNotFound {
		if into, merr := s.svc.MergedInto(ctx, actorFrom(ctx), org, id); merr == nil {
			return mergedRedirect(org, into)
		}
	}
	return s.fail(ctx, err)
}

func (s *Server) registerDuplicates(api huma.API) {
	huma.Register(api, op("list-duplicates", http.MethodGet, "/api/v1/orgs/{org}/duplicates",
		"Likely duplicate personas of the organisation, best first, with the score and the fields that agree (viewers)", tagDuplicates, 0),
		func(ctx context.Context, in *OrgPath) (*duplicatesOutput, error) {
			ds, err := s.svc.Duplicates(ctx, actorFrom(ctx), in.Org)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			out := &duplicatesOutput{}
			out.Body.Items = make([]DuplicateJSON, 0, len(ds))
			for _, d := range ds {
				out.Body.Items = append(out.Body.Items, DuplicateJSON{A: refOf(d.A), B: refOf(d.B), Score: d.Score, Fields: nonNil(d.Fields)})
			}
			return out, nil
		})
	huma.Register(api, op("merge-persona", http.MethodPost, "/api/v1/orgs/{org}/personas/{id}/merge",
		"Merge another persona into this one, choosing per field (editors); needs If-Match. The merged persona's address redirects here (308).", tagDuplicates, 0),
		func(ctx context.Context, in *mergeInput) (*personaOutput, error) {
			rev, err := parseIfMatch(in.IfMatch)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			p, err := s.svc.MergePersonas(ctx, actorFrom(ctx), in.Org, in.ID, app.MergeRequest{Merged: in.Body.Merge,
				MergedIfMatch: in.Body.MergeRevision, Fields: in.Body.Fields, IfMatch: rev})
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &personaOutput{ETag: etag(p.Revision), Body: personaJSON(p)}, nil
		})
}
