package api

import (
	"context"
	"html"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

type PersonaPath struct {
	OrgPath
	ID string `path:"id" maxLength:"64"`
}

// personaBody is what a client sends to create or replace a persona. The
// read-only properties of a persona are accepted and ignored so that a client
// can GET a persona, change it and PUT it back; anything else unknown is
// refused.
type personaBody struct {
	Name               string         `json:"name,omitempty"`
	Summary            string         `json:"summary,omitempty"`
	GroupID            string         `json:"group_id,omitempty"`
	TemplateID         string         `json:"template_id,omitempty" doc:"Create only"`
	TemplateVersion    int            `json:"template_version,omitempty" doc:"Create only; the latest published version when omitted. Use upgrade to change it."`
	Status             persona.Status `json:"status,omitempty" doc:"draft (default), published or archived"`
	OwnerID            string         `json:"owner_id,omitempty" doc:"A member's user ID; the caller when omitted on create"`
	Values             persona.Values `json:"values,omitempty" doc:"Field key → value, validated against the template version"`
	Dimensions         persona.Values `json:"dimensions,omitempty" doc:"Comparison dimension key → value"`
	LastReviewedOn     string         `json:"last_reviewed_on,omitempty" doc:"YYYY-MM-DD"`
	ReviewIntervalDays int            `json:"review_interval_days,omitempty"`
	Message            string         `json:"message,omitempty" doc:"Revision message" maxLength:"500"`

	ID          any `json:"id,omitempty" doc:"Read-only; ignored"`
	ProfileType any `json:"profile_type,omitempty" doc:"Read-only; ignored"`
	Revision    any `json:"revision,omitempty" doc:"Read-only; ignored (send If-Match)"`
	Retired     any `json:"retired,omitempty" doc:"Read-only; ignored"`
	CreatedAt   any `json:"created_at,omitempty" doc:"Read-only; ignored"`
	CreatedBy   any `json:"created_by,omitempty" doc:"Read-only; ignored"`
	UpdatedAt   any `json:"updated_at,omitempty" doc:"Read-only; ignored"`
	UpdatedBy   any `json:"updated_by,omitempty" doc:"Read-only; ignored"`
	ReviewDue   any `json:"review_due,omitempty" doc:"Read-only; ignored"`
	Overdue     any `json:"review_overdue,omitempty" doc:"Read-only; ignored"`
}

func (b personaBody) input() app.PersonaInput {
	return app.PersonaInput{
		Name: b.Name, Summary: b.Summary, GroupID: b.GroupID, TemplateID: b.TemplateID, TemplateVersion: b.TemplateVersion,
		Status: persona.Status(b.Status), OwnerID: b.OwnerID, Values: b.Values, Dimensions: b.Dimensions,
		LastReviewedOn: b.LastReviewedOn, ReviewIntervalDays: b.ReviewIntervalDays, Message: b.Message,
	}
}

type getPersonaInput struct {
	PersonaPath
	IfNoneMatch string `header:"If-None-Match" doc:"The ETag of a revision you hold: 304 Not Modified, without a body, while it is the current one"`
}

type personaCreateInput struct {
	OrgPath
	Body personaBody
}

type personaUpdateInput struct {
	PersonaPath
	IfMatch string `header:"If-Match" doc:"The revision you edited, as returned in ETag (required)"`
	Body    personaBody
}

type personaOutput struct {
	ETag     string `header:"ETag"`
	Location string `header:"Location"`
	Body     PersonaJSON
}

// PersonaJSON is a persona with its review status worked out.
type PersonaJSON struct {
	persona.Persona
	ReviewDue     string `json:"review_due" format:"date" doc:"Last review (or update) plus the review interval"`
	ReviewOverdue bool   `json:"review_overdue"`
}

func personaJSON(p persona.Persona) PersonaJSON {
	return PersonaJSON{Persona: p, ReviewDue: p.ReviewDue().Format(time.DateOnly), ReviewOverdue: p.ReviewOverdue(time.Now())}
}

func personaList(ps []persona.Persona) []PersonaJSON {
	out := make([]PersonaJSON, len(ps))
	for i, p := range ps {
		out[i] = personaJSON(p)
	}
	return out
}

type personaListInput struct {
	OrgPath
	Group       string              `query:"group" maxLength:"64" doc:"Group ID"`
	ProfileType persona.ProfileType `query:"profile_type" doc:"ux, marketing, archetype or agent"`
	Template    string              `query:"template" maxLength:"64" doc:"Template ID"`
	Status      persona.Status      `query:"status" doc:"draft, published or archived"`
	Limit       int                 `query:"limit" doc:"Page size, 1-200 (default 50)"`
	Cursor      string              `query:"cursor" maxLength:"200" doc:"next_cursor of the previous page"`
	Review      string              `query:"review" doc:"mine (you own them), overdue, due30 (due within 30 days, not overdue) or unowned"`
}

type trashListOutput struct {
	Body struct {
		Items []PersonaJSON `json:"items"`
	}
}

type upgradeInput struct {
	PersonaPath
	IfMatch string `header:"If-Match" doc:"The revision you upgrade (required unless dry_run)"`
	Body    struct {
		ToVersion int            `json:"to_version,omitempty" doc:"Target version; the latest when omitted"`
		Values    persona.Values `json:"values,omitempty" doc:"Corrected values for fields the new version would refuse"`
		DryRun    bool           `json:"dry_run,omitempty" doc:"Report what would happen without saving"`
	}
}

type upgradeOutput struct {
	ETag string `header:"ETag"`
	Body struct {
		DryRun   bool                 `json:"dry_run"`
		Retired  []string             `json:"retired" doc:"Fields whose values are kept as retired values"`
		Revived  []string             `json:"revived" doc:"Retired values brought back by the new version"`
		Problems []persona.FieldError `json:"problems" doc:"Values the new version refuses"`
		Preview  persona.Content      `json:"preview" doc:"The persona's content on the new version"`
		Persona  *PersonaJSON         `json:"persona,omitempty" doc:"The upgraded persona (not on a dry run)"`
	}
}

type searchInput struct {
	OrgPath
	Q           string              `query:"q" maxLength:"500" doc:"Words to find; prefixes match"`
	ProfileType persona.ProfileType `query:"profile_type"`
	Group       string              `query:"group" maxLength:"64"`
	Limit       int                 `query:"limit" doc:"1-100 (default 20)"`
}

// SearchHitJSON is one search result.
type SearchHitJSON struct {
	PersonaID   string              `json:"persona_id"`
	Name        string              `json:"name"`
	ProfileType persona.ProfileType `json:"profile_type"`
	GroupID     string              `json:"group_id"`
	Status      persona.Status      `json:"status"`
	Snippet     string              `json:"snippet" doc:"Matched text, plain"`
	SnippetHTML string              `json:"snippet_html" doc:"Matched text, HTML-escaped, with matches in <mark>"`
	Rank        float64             `json:"rank"`
}

type searchOutput struct {
	Body struct {
		Items      []SearchHitJSON    `json:"items" doc:"Matching personas"`
		OtherItems []persona.EntryHit `json:"other_items" doc:"Matching customer variants, notes and evidence (only without persona filters)"`
	}
}

func (s *Server) registerPersonas(api huma.API) {
	huma.Register(api, op("list-personas", http.MethodGet, "/api/v1/orgs/{org}/personas", "Personas, filtered and paginated", tagPersonas, 0),
		func(ctx context.Context, in *personaListInput) (*personaListOutput, error) {
			review, err := app.ParseReviewFilter(in.Review) // reviews.go
			if err != nil {
				return nil, s.failQuery(ctx, err)
			}
			page, err := s.svc.ListPersonasByReviewEncoded(ctx, actorFrom(ctx), in.Org, persona.PersonaFilter{
				GroupID: in.Group, ProfileType: persona.ProfileType(in.ProfileType), TemplateID: in.Template,
				Status: persona.Status(in.Status), Limit: in.Limit}, review, in.Cursor)
			if err != nil {
				return nil, s.failQuery(ctx, err)
			}
			out := &personaListOutput{}
			out.Body.Items = encodedList(page.Items)
			if page.NextCursor != "" {
				out.Body.NextCursor = &page.NextCursor
			}
			return out, nil
		})

	huma.Register(api, op("create-persona", http.MethodPost, "/api/v1/orgs/{org}/personas", "Create a persona from a template (editors)", tagPersonas, http.StatusCreated),
		func(ctx context.Context, in *personaCreateInput) (*personaCreateOutput, error) {
			p, err := s.svc.CreatePersona(ctx, actorFrom(ctx), in.Org, in.Body.input())
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			out := &personaCreateOutput{ETag: etag(p.Revision), Location: "/api/v1/orgs/" + in.Org + "/personas/" + p.ID}
			out.Body.PersonaJSON = personaJSON(p)
			out.Body.Warnings, out.Body.Similar = []string{}, []SimilarJSON{}
			// duplicates.go: a look-alike is a warning; the persona is saved.
			if sims, err := s.svc.SimilarPersonas(ctx, actorFrom(ctx), in.Org, p); err == nil && len(sims) > 0 {
				out.Body.Similar = similarJSON(sims)
				out.Body.Warnings = append(out.Body.Warnings, app.SimilarWarning(p.Name, sims))
			}
			return out, nil
		})

	getPersona := op("get-persona", http.MethodGet, "/api/v1/orgs/{org}/personas/{id}", "One persona; ETag carries its revision", tagPersonas, 0)
	getPersona.Description = "A persona that was merged into another one answers 308 Permanent Redirect, with Location naming the survivor " +
		"and a problem document of type /problems/merged (docs/duplicates.md)."
	huma.Register(api, getPersona,
		func(ctx context.Context, in *getPersonaInput) (*encodedPersonaOutput, error) {
			if in.IfNoneMatch != "" {
				// A client that holds the current revision: answer from the
				// revision alone.
				if rev, err := s.svc.PersonaRevision(ctx, actorFrom(ctx), in.Org, in.ID); err == nil && NoneMatchHolds(in.IfNoneMatch, etag(rev)) {
					return nil, huma.ErrorWithHeaders(huma.Status304NotModified(), http.Header{"ETag": {etag(rev)}})
				}
			}
			p, err := s.svc.GetPersonaEncoded(ctx, actorFrom(ctx), in.Org, in.ID)
			if err != nil {
				return nil, s.getOrRedirect(ctx, in.Org, in.ID, err) // a merged persona: 308 (duplicates.go)
			}
			return &encodedPersonaOutput{ETag: etag(p.Revision), Body: encodedPersona{p}}, nil
		})

	huma.Register(api, op("update-persona", http.MethodPut, "/api/v1/orgs/{org}/personas/{id}", "Replace a persona's content (editors); needs If-Match", tagPersonas, 0),
		func(ctx context.Context, in *personaUpdateInput) (*personaOutput, error) {
			rev, err := parseIfMatch(in.IfMatch)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			p, err := s.svc.UpdatePersona(ctx, actorFrom(ctx), in.Org, in.ID, rev, in.Body.input())
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &personaOutput{ETag: etag(p.Revision), Body: personaJSON(p)}, nil
		})

	huma.Register(api, op("trash-persona", http.MethodDelete, "/api/v1/orgs/{org}/personas/{id}", "Move a persona to the trash (editors)", tagPersonas, http.StatusNoContent),
		func(ctx context.Context, in *PersonaPath) (*struct{}, error) {
			if err := s.svc.TrashPersona(ctx, actorFrom(ctx), in.Org, in.ID); err != nil {
				return nil, s.fail(ctx, err)
			}
			return nil, nil
		})

	huma.Register(api, op("restore-persona", http.MethodPost, "/api/v1/orgs/{org}/personas/{id}/restore", "Restore a persona from the trash (editors)", tagPersonas, 0),
		func(ctx context.Context, in *PersonaPath) (*personaOutput, error) {
			p, err := s.svc.RestorePersona(ctx, actorFrom(ctx), in.Org, in.ID)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &personaOutput{ETag: etag(p.Revision), Body: personaJSON(p)}, nil
		})

	huma.Register(api, op("list-trash", http.MethodGet, "/api/v1/orgs/{org}/trash", "Personas in the trash", tagPersonas, 0),
		func(ctx context.Context, in *OrgPath) (*trashListOutput, error) {
			items, err := s.svc.ListTrash(ctx, actorFrom(ctx), in.Org)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			out := &trashListOutput{}
			out.Body.Items = personaList(items)
			return out, nil
		})

	huma.Register(api, op("purge-persona", http.MethodDelete, "/api/v1/orgs/{org}/trash/{id}", "Delete a trashed persona for good (admins)", tagPersonas, http.StatusNoContent),
		func(ctx context.Context, in *PersonaPath) (*struct{}, error) {
			if err := s.svc.PurgePersona(ctx, actorFrom(ctx), in.Org, in.ID); err != nil {
				return nil, s.fail(ctx, err)
			}
			return nil, nil
		})

	huma.Register(api, op("upgrade-persona", http.MethodPost, "/api/v1/orgs/{org}/personas/{id}/upgrade", "Move a persona to another version of its template (editors)", tagPersonas, 0),
		func(ctx context.Context, in *upgradeInput) (*upgradeOutput, error) {
			rev, err := parseIfMatch(in.IfMatch)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			res, p, err := s.svc.UpgradePersona(ctx, actorFrom(ctx), in.Org, in.ID, rev, app.UpgradeRequest{
				ToVersion: in.Body.ToVersion, Values: in.Body.Values, DryRun: in.Body.DryRun})
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			out := &upgradeOutput{}
			out.Body.DryRun = in.Body.DryRun
			out.Body.Retired = nonNil(res.Retired)
			out.Body.Revived = nonNil(res.Revived)
			out.Body.Problems = nonNil(res.Problems)
			out.Body.Preview = res.Content
			if !in.Body.DryRun {
				pj := personaJSON(p)
				out.Body.Persona = &pj
				out.ETag = etag(p.Revision)
			}
			return out, nil
		})

	huma.Register(api, op("search", http.MethodGet, "/api/v1/orgs/{org}/search", "Full-text search over persona names, summaries and field values", tagPersonas, 0),
		func(ctx context.Context, in *searchInput) (*searchOutput, error) {
			hits, err := s.svc.Search(ctx, actorFrom(ctx), in.Org, persona.SearchQuery{
				Text: in.Q, ProfileType: persona.ProfileType(in.ProfileType), GroupID: in.Group, Limit: in.Limit})
			if err != nil {
				return nil, s.failQuery(ctx, err)
			}
			out := &searchOutput{}
			out.Body.OtherItems = []persona.EntryHit{}
			if in.ProfileType == "" && in.Group == "" {
				others, err := s.svc.SearchEntries(ctx, actorFrom(ctx), in.Org, in.Q, in.Limit)
				if err != nil {
					return nil, s.failQuery(ctx, err)
				}
				for _, o := range others {
					o.Snippet = persona.PlainSnippet(o.Snippet)
					out.Body.OtherItems = append(out.Body.OtherItems, o)
				}
			}
			out.Body.Items = make([]SearchHitJSON, 0, len(hits))
			for _, h := range hits {
				out.Body.Items = append(out.Body.Items, SearchHitJSON{
					PersonaID: h.PersonaID, Name: h.Name, ProfileType: h.ProfileType, GroupID: h.GroupID, Status: h.Status,
					Snippet: persona.PlainSnippet(h.Snippet), SnippetHTML: snippetHTML(h.Snippet), Rank: h.Rank,
				})
			}
			return out, nil
		})
}

// snippetHTML escapes a snippet and wraps its matches in <mark>.
func snippetHTML(s string) string {
	var b strings.Builder
	for _, part := range persona.HighlightSnippet(s) {
		if part.Match {
			b.WriteString("<mark>")
			b.WriteString(html.EscapeString(part.Text))
			b.WriteString("</mark>")
		} else {
			b.WriteString(html.EscapeString(part.Text))
		}
	}
	return b.String()
}
