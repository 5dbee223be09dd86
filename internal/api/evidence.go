package api

import (
	"context"
	"errors"
	"mime/multipart"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

var tagEvidence = []string{"Evidence"}

// EvidencePath names one evidence item.
type EvidencePath struct {
	OrgPath
	ID string `path:"id" maxLength:"64" doc:"Evidence item ID"`
}

// evidenceBody is what a client sends to add a link, a quote or a study,
// or to edit any item. The read-only properties of an item are accepted and
// ignored, so a client can GET, change and PUT back.
type evidenceBody struct {
	Kind         persona.EvidenceKind `json:"kind,omitempty" doc:"link, quote or study (documents are uploaded); fixed once created"`
	Title        string               `json:"title" maxLength:"200"`
	Source       string               `json:"source,omitempty" maxLength:"200" doc:"Where it comes from: a publication, a team, a customer"`
	CollectedOn  string               `json:"collected_on,omitempty" doc:"When it was gathered, YYYY-MM-DD (a study's date)"`
	Tags         []string             `json:"tags,omitempty" maxItems:"20" doc:"Stored lower-case"`
	Summary      string               `json:"summary,omitempty" doc:"What it shows (Markdown)"`
	URL          string               `json:"url,omitempty" doc:"Links: the http(s) address"`
	Quote        string               `json:"quote,omitempty" doc:"Quotes: what was said"`
	Speaker      string               `json:"speaker,omitempty" doc:"Quotes: who said it"`
	Method       persona.StudyMethod  `json:"method,omitempty" doc:"Studies: interview, survey, analytics, usability_test or other"`
	Participants int                  `json:"participants,omitempty" doc:"Studies: number of participants"`

	ID            any `json:"id,omitempty" doc:"Read-only; ignored"`
	File          any `json:"file,omitempty" doc:"Read-only; ignored"`
	FileURL       any `json:"file_url,omitempty" doc:"Read-only; ignored"`
	LinkCount     any `json:"link_count,omitempty" doc:"Read-only; ignored"`
	Links         any `json:"links,omitempty" doc:"Read-only; ignored"`
	CreatedAt     any `json:"created_at,omitempty" doc:"Read-only; ignored"`
	CreatedBy     any `json:"created_by,omitempty" doc:"Read-only; ignored"`
	CreatedByName any `json:"created_by_name,omitempty" doc:"Read-only; ignored"`
	UpdatedAt     any `json:"updated_at,omitempty" doc:"Read-only; ignored"`
	UpdatedBy     any `json:"updated_by,omitempty" doc:"Read-only; ignored"`
}

func (b evidenceBody) input() app.EvidenceInput {
	return app.EvidenceInput{Kind: persona.EvidenceKind(b.Kind), Title: b.Title, Source: b.Source, CollectedOn: b.CollectedOn,
		Tags: b.Tags, Summary: b.Summary, URL: b.URL, Quote: b.Quote, Speaker: b.Speaker,
		Method: persona.StudyMethod(b.Method), Participants: b.Participants}
}

// EvidenceJSON is an item of the library; documents say where their file
// is.
type EvidenceJSON struct {
	persona.Evidence
	FileURL string `json:"file_url,omitempty" doc:"Documents: where to get the file (add ?inline=true to show it in a browser)"`
}

func evidenceJSON(org string, e persona.Evidence) EvidenceJSON {
	j := EvidenceJSON{Evidence: e}
	if e.File != nil {
		j.FileURL = "/api/v1/orgs/" + org + "/evidence/" + e.ID + "/file"
	}
	if j.Tags == nil {
		j.Tags = []string{}
	}
	return j
}

// EvidenceDetailJSON is an item with its links.
type EvidenceDetailJSON struct {
	EvidenceJSON
	Links []persona.EvidenceLink `json:"links" doc:"Where the item is attached; links of trashed personas are left out"`
}

type evidenceOutput struct {
	Location string `header:"Location"`
	Body     EvidenceDetailJSON
}

type evidenceListInput struct {
	OrgPath
	Kind   persona.EvidenceKind `query:"kind" doc:"document, link, quote or study"`
	Tag    string               `query:"tag" maxLength:"160"`
	Limit  int                  `query:"limit" doc:"Page size, 1-500 (default 100)"`
	Cursor string               `query:"cursor" maxLength:"200" doc:"next_cursor of the previous page"`
}

type evidenceListOutput struct {
	Body struct {
		Items      []EvidenceJSON `json:"items" doc:"Newest first"`
		NextCursor *string        `json:"next_cursor"`
	}
}

type tagListOutput struct {
	Body struct {
		Items []string `json:"items"`
	}
}

type evidenceFileInput struct {
	EvidencePath
	Inline bool `query:"inline" doc:"Serve for display in a browser (Content-Disposition: inline) rather than as a download"`
}

type evidenceFileOutput struct {
	ContentType        string `header:"Content-Type" doc:"The type found by looking at the content when it was uploaded"`
	ContentDisposition string `header:"Content-Disposition"`
	ContentTypeOptions string `header:"X-Content-Type-Options"`
	ContentSecurity    string `header:"Content-Security-Policy"`
	FrameOptions       string `header:"X-Frame-Options"`
	CacheControl       string `header:"Cache-Control"`
	ETag               string `header:"ETag" doc:"The file's SHA-256"`
	Body               []byte
}

type evidenceUploadInput struct {
	OrgPath
	RawBody multipart.Form
}

type evidenceLinkBody struct {
	PersonaID string         `json:"persona_id,omitempty" maxLength:"64" doc:"The persona (may be left out when variant_id is given)"`
	VariantID string         `json:"variant_id,omitempty" maxLength:"64" doc:"A customer variant of the persona, to attach to one of its fields"`
	Field     string         `json:"field,omitempty" maxLength:"80" doc:"\"values.<field key>\" to attach to one field (claim level); empty for the whole persona"`
	Stance    persona.Stance `json:"stance"`
	Excerpt   string         `json:"excerpt,omitempty" maxLength:"2000" doc:"The passage that bears on the claim"`
	Page      string         `json:"page,omitempty" maxLength:"100" doc:"Where to find it: \"p. 12\", \"14:05\""`
}

type evidenceLinkPath struct {
	EvidencePath
	Link string `path:"link" maxLength:"64" doc:"Link ID"`
}

type evidenceLinkOutput struct {
	Body persona.EvidenceLink
}

// CoverageJSON is what the evidence says about a persona, field by field,
// and about each of its customer variants.
type CoverageJSON struct {
	PersonaID string `json:"persona_id"`
	Name      string `json:"name"`
	persona.Coverage
	Links    []persona.EvidenceLink `json:"links" doc:"Links to the persona and its fields"`
	Variants []VariantCoverageJSON  `json:"variants"`
}

// VariantCoverageJSON is the coverage of a variant's effective values:
// overridden fields count the variant's links, the others the base's.
type VariantCoverageJSON struct {
	VariantID    string `json:"variant_id"`
	CustomerName string `json:"customer_name"`
	persona.Coverage
	Links []persona.EvidenceLink `json:"links"`
}

type coverageOutput struct {
	Body CoverageJSON
}

// GroupCoverageJSON is the coverage of a group's personas, each and
// together.
type GroupCoverageJSON struct {
	GroupID string `json:"group_id,omitempty" doc:"Empty for the personas in no group"`
	Name    string `json:"name"`
	persona.CoverageSummary
	Personas []PersonaCoverageJSON `json:"personas"`
}

// PersonaCoverageJSON is one persona's coverage figure.
type PersonaCoverageJSON struct {
	PersonaID   string              `json:"persona_id"`
	Name        string              `json:"name"`
	ProfileType persona.ProfileType `json:"profile_type"`
	persona.CoverageSummary
}

func groupCoverageJSON(g app.GroupCoverage) GroupCoverageJSON {
	j := GroupCoverageJSON{GroupID: g.Group.ID, Name: g.Group.Name, CoverageSummary: g.Total, Personas: []PersonaCoverageJSON{}}
	for _, p := range g.Personas {
		j.Personas = append(j.Personas, PersonaCoverageJSON{PersonaID: p.Persona.ID, Name: p.Persona.Name,
			ProfileType: p.Persona.ProfileType, CoverageSummary: p.Coverage})
	}
	return j
}

type groupCoverageOutput struct {
	Body GroupCoverageJSON
}

type orgCoverageOutput struct {
	Body struct {
		persona.CoverageSummary
		Groups []GroupCoverageJSON `json:"groups"`
	}
}

// uploadRequestBody documents the multipart upload.
func uploadRequestBody() *huma.RequestBody {
	str := func(doc string) *huma.Schema { return &huma.Schema{Type: "string", Description: doc} }
	return &huma.RequestBody{Required: true, Description: "The file and its metadata as multipart/form-data.", Content: map[string]*huma.MediaType{
		"multipart/form-data": {Schema: &huma.Schema{Type: "object", Required: []string{"file"}, Properties: map[string]*huma.Schema{
			"file": {Type: "string", Format: "binary", ContentEncoding: "binary",
				Description: "The file: " + persona.AllowedUploads + ". Its type is decided by its content, not its name or declared type; a name's extension must agree with the content. Not empty, at most the server's upload limit (20 MB by default)."},
			"title":        str("Defaults to the file name"),
			"source":       str("Where it comes from"),
			"collected_on": str("When it was gathered, YYYY-MM-DD"),
			"tags":         str("Comma-separated"),
			"summary":      str("What it shows (Markdown)"),
		}}},
	}}
}

func (s *Server) registerEvidence(api huma.API) {
	detailOut := func(ctx context.Context, org, id string) (*evidenceOutput, error) {
		d, err := s.svc.GetEvidence(ctx, actorFrom(ctx), org, id)
		if err != nil {
			return nil, s.fail(ctx, err)
		}
		return &evidenceOutput{Body: EvidenceDetailJSON{EvidenceJSON: evidenceJSON(org, d.Evidence), Links: d.Links}}, nil
	}

	huma.Register(api, op("list-evidence", http.MethodGet, "/api/v1/orgs/{org}/evidence", "The evidence library, newest first, by kind and tag", tagEvidence, 0),
		func(ctx context.Context, in *evidenceListInput) (*evidenceListOutput, error) {
			page, err := s.svc.ListEvidence(ctx, actorFrom(ctx), in.Org, persona.EvidenceFilter{Kind: persona.EvidenceKind(in.Kind), Tag: in.Tag, Limit: in.Limit}, in.Cursor)
			if err != nil {
				return nil, s.failQuery(ctx, err)
			}
			out := &evidenceListOutput{}
			out.Body.Items = make([]EvidenceJSON, 0, len(page.Items))
			for _, e := range page.Items {
				out.Body.Items = append(out.Body.Items, evidenceJSON(in.Org, e))
			}
			if page.NextCursor != "" {
				out.Body.NextCursor = &page.NextCursor
			}
			return out, nil
		})

	huma.Register(api, op("list-evidence-tags", http.MethodGet, "/api/v1/orgs/{org}/evidence/tags", "Every tag used in the evidence library", tagEvidence, 0),
		func(ctx context.Context, in *OrgPath) (*tagListOutput, error) {
			tags, err := s.svc.EvidenceTags(ctx, actorFrom(ctx), in.Org)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			out := &tagListOutput{}
			out.Body.Items = nonNil(tags)
			return out, nil
		})

	huma.Register(api, op("add-evidence", http.MethodPost, "/api/v1/orgs/{org}/evidence", "Add a link, a quote or a study to the library (editors)", tagEvidence, http.StatusCreated),
		func(ctx context.Context, in *struct {
			OrgPath
			Body evidenceBody
		}) (*evidenceOutput, error) {
			e, err := s.svc.AddEvidence(ctx, actorFrom(ctx), in.Org, in.Body.input())
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			out, err := detailOut(ctx, in.Org, e.ID)
			if err != nil {
				return nil, err
			}
			out.Location = "/api/v1/orgs/" + in.Org + "/evidence/" + e.ID
			return out, nil
		})

	upload := op("upload-evidence", http.MethodPost, "/api/v1/orgs/{org}/evidence/documents",
		"Upload a document to the library (editors); multipart/form-data with a part named file", tagEvidence, http.StatusCreated)
	upload.Description = "The file's type is checked by its content: " + persona.AllowedUploads + ". " +
		"An empty file, a file whose content is not one of those types (or does not match its name's extension) gets 422; " +
		"a file over the upload limit gets 413. Nothing is stored then."
	upload.RequestBody = uploadRequestBody()
	upload.Middlewares = huma.Middlewares{s.limitUpload}
	huma.Register(api, upload, func(ctx context.Context, in *evidenceUploadInput) (*evidenceOutput, error) {
		form := in.RawBody
		files := form.File["file"]
		switch {
		case len(files) == 0:
			return nil, s.fail(ctx, persona.Invalid("no file", []persona.FieldError{{Field: "file", Message: "is required: send it as a multipart part named file"}}))
		case len(files) > 1:
			return nil, s.fail(ctx, persona.Invalid("too many files", []persona.FieldError{{Field: "file", Message: "send one file at a time"}}))
		case files[0].Size > s.svc.MaxUpload():
			return nil, tooLargeProblem(s.svc.MaxUpload())
		}
		f, err := files[0].Open()
		if err != nil {
			return nil, s.fail(ctx, err)
		}
		defer f.Close()
		value := func(k string) string {
			if v := form.Value[k]; len(v) > 0 {
				return v[0]
			}
			return ""
		}
		in2 := app.EvidenceInput{Title: value("title"), Source: value("source"), CollectedOn: value("collected_on"),
			Tags: persona.SplitTags(value("tags")), Summary: value("summary")}
		e, err := s.svc.UploadEvidence(ctx, actorFrom(ctx), in.Org, in2, app.Upload{Name: files[0].Filename, Content: f})
		if err != nil {
			return nil, s.fail(ctx, err)
		}
		out, err := detailOut(ctx, in.Org, e.ID)
		if err != nil {
			return nil, err
		}
		out.Location = "/api/v1/orgs/" + in.Org + "/evidence/" + e.ID
		return out, nil
	})

	huma.Register(api, op("get-evidence", http.MethodGet, "/api/v1/orgs/{org}/evidence/{id}", "One evidence item with its links", tagEvidence, 0),
		func(ctx context.Context, in *EvidencePath) (*evidenceOutput, error) {
			return detailOut(ctx, in.Org, in.ID)
		})

	huma.Register(api, op("update-evidence", http.MethodPut, "/api/v1/orgs/{org}/evidence/{id}", "Edit an item's metadata (editors); its kind and file stay", tagEvidence, 0),
		func(ctx context.Context, in *struct {
			EvidencePath
			Body evidenceBody
		}) (*evidenceOutput, error) {
			if _, err := s.svc.UpdateEvidence(ctx, actorFrom(ctx), in.Org, in.ID, in.Body.input()); err != nil {
				return nil, s.fail(ctx, err)
			}
			return detailOut(ctx, in.Org, in.ID)
		})

	huma.Register(api, op("delete-evidence", http.MethodDelete, "/api/v1/orgs/{org}/evidence/{id}", "Delete an item for good, with its file and links (editors)", tagEvidence, http.StatusNoContent),
		func(ctx context.Context, in *EvidencePath) (*struct{}, error) {
			if _, err := s.svc.DeleteEvidence(ctx, actorFrom(ctx), in.Org, in.ID); err != nil {
				return nil, s.fail(ctx, err)
			}
			return nil, nil
		})

	fileOp := op("get-evidence-file", http.MethodGet, "/api/v1/orgs/{org}/evidence/{id}/file", "A document's file, with its checked type", tagEvidence, 0)
	fileOp.Description = "Served with the type found at upload, `X-Content-Type-Options: nosniff` and Content-Disposition " +
		"(attachment, or inline with ?inline=true)."
	huma.Register(api, fileOp, func(ctx context.Context, in *evidenceFileInput) (*evidenceFileOutput, error) {
		e, data, err := s.svc.EvidenceFile(ctx, actorFrom(ctx), in.Org, in.ID)
		if err != nil {
			return nil, s.fail(ctx, err)
		}
		h := e.File.Headers(in.Inline)
		return &evidenceFileOutput{ContentType: h.ContentType, ContentDisposition: h.ContentDisposition,
			ContentTypeOptions: h.ContentTypeOptions, ContentSecurity: h.ContentSecurity, FrameOptions: h.FrameOptions,
			CacheControl: "private, no-cache", ETag: `"` + e.File.SHA256 + `"`, Body: data}, nil
	})

	huma.Register(api, op("link-evidence", http.MethodPost, "/api/v1/orgs/{org}/evidence/{id}/links",
		"Attach an item to a persona, one of its fields, or a field of one of its variants, as supporting or contradicting (editors)", tagEvidence, http.StatusCreated),
		func(ctx context.Context, in *struct {
			EvidencePath
			Body evidenceLinkBody
		}) (*evidenceLinkOutput, error) {
			l, err := s.svc.LinkEvidence(ctx, actorFrom(ctx), in.Org, in.ID, app.EvidenceLinkInput{PersonaID: in.Body.PersonaID,
				VariantID: in.Body.VariantID, Field: in.Body.Field, Stance: persona.Stance(in.Body.Stance), Excerpt: in.Body.Excerpt, Page: in.Body.Page})
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &evidenceLinkOutput{Body: l}, nil
		})

	huma.Register(api, op("unlink-evidence", http.MethodDelete, "/api/v1/orgs/{org}/evidence/{id}/links/{link}", "Remove one of an item's links (editors)", tagEvidence, http.StatusNoContent),
		func(ctx context.Context, in *evidenceLinkPath) (*struct{}, error) {
			if _, err := s.svc.UnlinkEvidence(ctx, actorFrom(ctx), in.Org, in.ID, in.Link); err != nil {
				return nil, s.fail(ctx, err)
			}
			return nil, nil
		})

	huma.Register(api, op("get-persona-coverage", http.MethodGet, "/api/v1/orgs/{org}/personas/{id}/coverage",
		"Which fields of a persona are backed by evidence, contradicted, or assumptions, and its coverage (share of filled fields with a supporting link)", tagEvidence, 0),
		func(ctx context.Context, in *PersonaPath) (*coverageOutput, error) {
			pe, err := s.svc.PersonaEvidence(ctx, actorFrom(ctx), in.Org, in.ID)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			j := CoverageJSON{PersonaID: pe.Persona.ID, Name: pe.Persona.Name, Coverage: pe.Coverage, Links: pe.Links,
				Variants: []VariantCoverageJSON{}}
			for _, v := range pe.Variants {
				j.Variants = append(j.Variants, VariantCoverageJSON{VariantID: v.Detail.Variant.ID, CustomerName: v.Detail.CustomerName(),
					Coverage: v.Coverage, Links: v.Links})
			}
			return &coverageOutput{Body: j}, nil
		})

	huma.Register(api, op("get-group-coverage", http.MethodGet, "/api/v1/orgs/{org}/groups/{id}/coverage", "Evidence coverage of a group's personas, each and together", tagEvidence, 0),
		func(ctx context.Context, in *PersonaPath) (*groupCoverageOutput, error) {
			g, err := s.svc.GroupCoverage(ctx, actorFrom(ctx), in.Org, in.ID)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &groupCoverageOutput{Body: groupCoverageJSON(g)}, nil
		})

	huma.Register(api, op("get-coverage", http.MethodGet, "/api/v1/orgs/{org}/coverage", "Evidence coverage of every group and of the organisation", tagEvidence, 0),
		func(ctx context.Context, in *OrgPath) (*orgCoverageOutput, error) {
			oc, err := s.svc.OrgCoverage(ctx, actorFrom(ctx), in.Org)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			out := &orgCoverageOutput{}
			out.Body.CoverageSummary = oc.Total
			out.Body.Groups = []GroupCoverageJSON{}
			for _, g := range oc.Groups {
				out.Body.Groups = append(out.Body.Groups, groupCoverageJSON(g))
			}
			return out, nil
		})
}

// tooLargeProblem is the 413 for a file over the upload limit.
func tooLargeProblem(max int64) *Problem {
	msg := "is larger than the " + persona.FormatBytes(max) + " upload limit"
	p := newProblem(persona.CodeTooLarge, "the file "+msg)
	p.Errors = []*huma.ErrorDetail{{Location: "body.file", Message: msg}}
	return p
}

// limitUpload bounds an upload's body before huma reads it (huma does not
// limit multipart bodies) and reads the form itself, so that an oversized
// upload gets a clear 413 and never fills the disk.
func (s *Server) limitUpload(ctx huma.Context, next func(huma.Context)) {
	r, w := humago.Unwrap(ctx)
	max := s.svc.MaxUpload()
	limit := max + 1<<20 // room for the other parts and the multipart framing
	if r.ContentLength > limit {
		writeProblem(w, tooLargeProblem(max))
		return
	}
	if mt := r.Header.Get("Content-Type"); !strings.HasPrefix(strings.ToLower(mt), "multipart/form-data") {
		writeProblem(w, newProblem(persona.CodeUnsupportedMedia, "send the document as multipart/form-data with the file in a part named file"))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	if err := r.ParseMultipartForm(limit); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeProblem(w, tooLargeProblem(max))
			return
		}
		writeProblem(w, newProblem(persona.CodeBadRequest, "the multipart form could not be read; send the file in a part named file"))
		return
	}
	defer r.MultipartForm.RemoveAll()
	next(ctx)
}
