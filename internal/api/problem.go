package api

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/personapal/personapal/internal/fault"
	"github.com/personapal/personapal/internal/persona"
)

// Problem is an RFC 9457 problem document. Its shape matches huma's own
// validation errors, so clients see one error format whatever caught the
// mistake; CurrentRevision is an extension set on 412 and 428.
type Problem struct {
	Type            string              `json:"type,omitempty" doc:"The kind of error, a URI reference such as /problems/not-found (the table is in docs/ERRORS.md)"`
	Title           string              `json:"title" doc:"The same for every error of the type"`
	Status          int                 `json:"status" doc:"The HTTP status"`
	Detail          string              `json:"detail,omitempty" doc:"What went wrong, safe to show"`
	Errors          []*huma.ErrorDetail `json:"errors,omitempty" doc:"One entry per bad field"`
	CurrentRevision int                 `json:"current_revision,omitempty" doc:"The current revision (412 and 428)"`

	headers http.Header
}

func (p *Problem) Error() string  { return p.Detail }
func (p *Problem) GetStatus() int { return p.Status }

// ContentType makes huma send the problem as application/problem+json.
func (p *Problem) ContentType(ct string) string {
	if ct == "application/json" {
		return "application/problem+json"
	}
	return ct
}

// StatusOf maps a domain error code to its HTTP status (the error table,
// internal/fault).
func StatusOf(code persona.Code) int { return fault.For(code).Status }

// GetHeaders gives huma the problem's headers (Retry-After).
func (p *Problem) GetHeaders() http.Header {
	if p.headers == nil {
		p.headers = http.Header{}
	}
	return p.headers
}

// newProblem builds the problem of a code from the error table with its own
// detail ("" for the table's default message).
func newProblem(code persona.Code, detail string) *Problem {
	k := fault.For(code)
	if detail == "" {
		detail = k.Message
	}
	return problemOfKind(k, detail)
}

func problemOfKind(k fault.Kind, detail string) *Problem {
	p := &Problem{Type: k.Type, Title: k.Title, Status: k.Status, Detail: detail}
	if ra := k.RetryAfterHeader(); ra != "" {
		p.GetHeaders().Set("Retry-After", ra)
	}
	return p
}

// problemFor turns any error into a problem through the error table.
// Domain errors keep their safe message; anything else is logged and shown
// only as the table's message. Errors about the database's state
// (unavailable, storage full) are logged by the store, at most once a
// minute, not here. Field errors are located under where ("body" or
// "query").
func problemFor(ctx context.Context, log *slog.Logger, err error, where string) *Problem {
	k, msg := fault.Of(err)
	if k.Internal() {
		if ctx.Err() != nil {
			return newProblem(persona.CodeCancelled, "")
		}
		log.ErrorContext(ctx, "internal error", "err", err)
	}
	p := problemOfKind(k, msg)
	e, ok := persona.AsError(err)
	if !ok || k.Internal() {
		return p
	}
	if e.Code == persona.CodePreconditionFailed || e.Code == persona.CodePreconditionRequired {
		p.CurrentRevision = e.Current
	}
	for _, f := range e.Fields {
		loc := f.Field
		if where != "" && !strings.HasPrefix(loc, where+".") {
			loc = where + "." + loc
		}
		p.Errors = append(p.Errors, &huma.ErrorDetail{Location: loc, Message: f.Message})
	}
	return p
}

// WriteError answers err as a problem outside huma, the way every API
// route does (the server's health checks and middleware use it).
func WriteError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	writeProblem(w, problemFor(r.Context(), log, err, ""))
}

// The problems huma itself makes (validation, unreadable or oversized
// bodies) come from the same table, so every problem carries its type.
func init() {
	huma.NewError = func(status int, msg string, errs ...error) huma.StatusError {
		details := make([]*huma.ErrorDetail, 0, len(errs))
		for _, err := range errs {
			if err == nil {
				continue
			}
			if d, ok := err.(huma.ErrorDetailer); ok {
				details = append(details, d.ErrorDetail())
			} else {
				details = append(details, &huma.ErrorDetail{Message: err.Error()})
			}
		}
		if status == 0 { // huma's example value for the OpenAPI schema
			return &Problem{}
		}
		k := fault.ForStatus(status)
		if status >= 500 { // whatever huma caught is not for the client
			return problemOfKind(k, k.Message)
		}
		p := problemOfKind(k, msg)
		if len(details) > 0 {
			p.Errors = details
		}
		return p
	}
}

// writeProblem writes a problem outside huma (middleware, plain handlers).
func writeProblem(w http.ResponseWriter, p *Problem) {
	for k, v := range p.headers {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}
