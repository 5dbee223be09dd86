package api

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"unicode/utf8"

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
	return bound(p)
}

// Error answers never repeat the request body: huma's own errors for a
// body it cannot parse carry the whole body as the detail's value (a 231 KB
// import came back whole), and messages can quote keys or header values of
// any length. So every problem is bounded before it is sent: at most
// maxProblemErrors entries, each location and message cut short, no value
// for anything located in the body (query, path and header values are kept
// when short), keys from the body named by at most their first 64 bytes,
// and a bounded detail.
const (
	maxProblemErrors   = 20
	maxProblemDetail   = 300
	maxProblemMessage  = 200
	maxProblemLocation = 100
	maxProblemKey      = 64 // bytes of a key from the body, within a location
	maxProblemValue    = 64 // bytes of JSON
)

// boundText cuts s to at most n bytes (on a rune boundary), marking the cut.
func boundText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

// boundDetails bounds a problem's entries (see above).
func boundDetails(in []*huma.ErrorDetail) []*huma.ErrorDetail {
	var out []*huma.ErrorDetail
	for i, d := range in {
		if d == nil {
			continue
		}
		if i == maxProblemErrors {
			out = append(out, &huma.ErrorDetail{Message: fmt.Sprintf("and %d more problems", len(in)-maxProblemErrors)})
			break
		}
		inBody := d.Location == "body" || strings.HasPrefix(d.Location, "body.") || strings.HasPrefix(d.Location, "body[")
		loc := d.Location
		if inBody { // keys come from the body: name at most maxProblemKey bytes of each
			segs := strings.Split(loc, ".")
			for i, sg := range segs {
				segs[i] = boundText(sg, maxProblemKey)
			}
			loc = strings.Join(segs, ".")
		}
		b := &huma.ErrorDetail{Location: boundText(loc, maxProblemLocation), Message: boundText(d.Message, maxProblemMessage)}
		if d.Value != nil && !inBody {
			if raw, err := json.Marshal(d.Value); err == nil && len(raw) <= maxProblemValue {
				b.Value = d.Value
			}
		}
		out = append(out, b)
	}
	return out
}

// bound makes p safe to send (see above).
func bound(p *Problem) *Problem {
	p.Title = boundText(p.Title, maxProblemMessage)
	p.Detail = boundText(p.Detail, maxProblemDetail)
	p.Errors = boundDetails(p.Errors)
	return p
}

// huma's errors are shaped by the package variable huma.NewError; it is
// set once, here, so that servers started concurrently (tests) never race
// on it.
func init() { huma.NewError = newHumaError }

// newHumaError replaces huma.NewError (huma's documented way to shape its
// errors): the same problem document huma writes, bounded.
func newHumaError(status int, msg string, errs ...error) huma.StatusError {
	details := make([]*huma.ErrorDetail, 0, len(errs))
	for _, e := range errs {
		switch d := e.(type) {
		case nil:
		case huma.ErrorDetailer:
			details = append(details, d.ErrorDetail())
		default:
			details = append(details, &huma.ErrorDetail{Message: e.Error()})
		}
	}
	return &huma.ErrorModel{Status: status, Title: boundText(http.StatusText(status), maxProblemMessage),
		Detail: boundText(msg, maxProblemDetail), Errors: boundDetails(details)}
}

// writeProblem writes a problem outside huma (middleware, plain handlers).
func writeProblem(w http.ResponseWriter, p *Problem) {
	bound(p)
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}
