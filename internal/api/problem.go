package api

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/personapal/personapal/internal/persona"
)

// Problem is an RFC 9457 problem document. Its shape matches huma's own
// validation errors, so clients see one error format whatever caught the
// mistake; CurrentRevision is an extension set on 412 and 428.
type Problem struct {
	Type            string              `json:"type,omitempty"`
	Title           string              `json:"title"`
	Status          int                 `json:"status"`
	Detail          string              `json:"detail,omitempty"`
	Errors          []*huma.ErrorDetail `json:"errors,omitempty"`
	CurrentRevision int                 `json:"current_revision,omitempty"`
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

// StatusOf maps a domain error code to its HTTP status.
func StatusOf(code persona.Code) int {
	switch code {
	case persona.CodeInvalid:
		return http.StatusUnprocessableEntity
	case persona.CodeNotFound:
		return http.StatusNotFound
	case persona.CodeConflict:
		return http.StatusConflict
	case persona.CodeForbidden:
		return http.StatusForbidden
	case persona.CodeUnauthenticated:
		return http.StatusUnauthorized
	case persona.CodePreconditionFailed:
		return http.StatusPreconditionFailed
	case persona.CodePreconditionRequired:
		return http.StatusPreconditionRequired
	case persona.CodeTooMany:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// problemFor turns any error into a problem. Domain errors keep their safe
// message; anything else is logged and shown only as "internal error".
// Field errors are located under where ("body" or "query").
func problemFor(ctx context.Context, log *slog.Logger, err error, where string) *Problem {
	e, ok := persona.AsError(err)
	if !ok {
		if ctx.Err() != nil {
			return &Problem{Title: "Request cancelled", Status: 499, Detail: "the request was cancelled"}
		}
		log.ErrorContext(ctx, "internal error", "err", err)
		return &Problem{Title: http.StatusText(http.StatusInternalServerError), Status: http.StatusInternalServerError,
			Detail: "internal error; it has been logged"}
	}
	status := StatusOf(e.Code)
	p := &Problem{Title: http.StatusText(status), Status: status, Detail: e.Message}
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

// withRetryAfter adds a Retry-After header (whole seconds, at least 1) to
// the problem of a too-many error that knows its wait.
func withRetryAfter(err error, p *Problem) error {
	e, ok := persona.AsError(err)
	if !ok || e.Code != persona.CodeTooMany || e.RetryAfter <= 0 {
		return p
	}
	return huma.ErrorWithHeaders(p, http.Header{"Retry-After": {RetryAfterSeconds(e.RetryAfter)}})
}

// RetryAfterSeconds is d as a Retry-After value: whole seconds, rounded
// up, at least 1.
func RetryAfterSeconds(d time.Duration) string {
	return strconv.Itoa(max(1, int((d+time.Second-1)/time.Second)))
}

// writeProblem writes a problem outside huma (middleware, plain handlers).
func writeProblem(w http.ResponseWriter, p *Problem) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}
