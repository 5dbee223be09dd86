package api

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/danielgtaylor/huma/v2"

	"github.com/personapal/personapal/internal/fault"
	"github.com/personapal/personapal/internal/persona"
)

// Problem is an RFC 9457 problem document. huma's own validation errors
// are Problems too (huma.NewError, set in init below), so clients see one error
// format whatever caught the mistake, and the OpenAPI document describes
// it; CurrentRevision is an extension set on 412 and 428.
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
	if e.RetryAfter > 0 { // the error knows its wait better than the table
		p.GetHeaders().Set("Retry-After", RetryAfterSeconds(e.RetryAfter))
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
		// Bounded: huma's messages for an unreadable body can quote it whole.
		return bound(p)
	}
}

// RetryAfterSeconds is d as a Retry-After value: whole seconds, rounded
// up, at least 1.
func RetryAfterSeconds(d time.Duration) string {
	return strconv.Itoa(max(1, int((d+time.Second-1)/time.Second)))
}

// writeProblem writes a problem outside huma (middleware, plain handlers).
func writeProblem(w http.ResponseWriter, p *Problem) {
	bound(p)
	for k, v := range p.headers {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}
