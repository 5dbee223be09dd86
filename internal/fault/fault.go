// Package fault is Persona Pal's one error table: for every error code it
// holds the HTTP status, the problem type, the title, a safe default message
// and the command-line exit code. The JSON API (problem+json), the web app
// (error pages) and the CLI (exit codes) all read it, so an error answers
// the same way at every edge. docs/ERRORS.md shows the table (a test keeps
// the two equal).
//
// It depends only on internal/persona, where the codes live.
package fault

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/personapal/personapal/internal/persona"
)

// Exit codes of the command line.
const (
	ExitOK       = 0
	ExitInternal = 1
	// ExitUsage is bad input: a usage error (unknown command or flag, a
	// missing or extra argument, a flag's bad value) or input the command
	// refused.
	ExitUsage    = 2
	ExitNotFound = 3
	ExitConflict = 4
	// ExitUnavailable: the database cannot take the command now
	// (unreachable, shutting down, busy, read-only or full).
	ExitUnavailable = 5
)

// Kind is one row of the table.
type Kind struct {
	Code persona.Code
	// Status is the HTTP status of the API's problem and the web's page.
	Status int
	// Type is the problem type: a URI reference relative to the server
	// ("/problems/not-found"), described in docs/ERRORS.md.
	Type string
	// Title is the problem's title: the same for every error of the kind.
	Title string
	// Message is shown when the error brings no message of its own that is
	// safe to show (always, for internal errors).
	Message string
	// Exit is the CLI's exit code.
	Exit int
	// RetryAfter, in seconds, is sent as Retry-After (0: not sent).
	RetryAfter int
}

// Internal reports whether errors of this kind are internal: logged, and
// shown only as the kind's Message.
func (k Kind) Internal() bool { return k.Code == persona.CodeInternal }

// RetryAfterHeader is the Retry-After value, "" when none is sent.
func (k Kind) RetryAfterHeader() string {
	if k.RetryAfter <= 0 {
		return ""
	}
	return strconv.Itoa(k.RetryAfter)
}

const typeBase = "/problems/"

// kinds is the table. Statuses are unique except where two codes are the
// same thing to a client; ForStatus picks the first.
var kinds = [...]Kind{
	{Code: persona.CodeBadRequest, Status: http.StatusBadRequest, Type: typeBase + "bad-request",
		Message: "the request could not be read", Exit: ExitUsage},
	{Code: persona.CodeUnauthenticated, Status: http.StatusUnauthorized, Type: typeBase + "unauthenticated",
		Message: "please sign in or send an API token", Exit: ExitUsage},
	{Code: persona.CodeForbidden, Status: http.StatusForbidden, Type: typeBase + "forbidden",
		Message: "your role does not allow this", Exit: ExitUsage},
	{Code: persona.CodeSSORequired, Status: http.StatusForbidden, Type: typeBase + "sso-required", Title: "Single Sign-On Required",
		Message: "this organisation requires single sign-on; sign in with it (API tokens: create one while signed in with it)", Exit: ExitUsage},
	{Code: persona.CodeNotFound, Status: http.StatusNotFound, Type: typeBase + "not-found",
		Message: "not found", Exit: ExitNotFound},
	{Code: persona.CodeConflict, Status: http.StatusConflict, Type: typeBase + "conflict",
		Message: "it conflicts with what is already there", Exit: ExitConflict},
	{Code: persona.CodePreconditionFailed, Status: http.StatusPreconditionFailed, Type: typeBase + "precondition-failed",
		Message: "it was changed meanwhile; nothing was saved", Exit: ExitConflict},
	{Code: persona.CodeTooLarge, Status: http.StatusRequestEntityTooLarge, Type: typeBase + "too-large",
		Message: "the request body is larger than this route accepts; nothing was saved", Exit: ExitUsage},
	{Code: persona.CodeUnsupportedMedia, Status: http.StatusUnsupportedMediaType, Type: typeBase + "unsupported-media-type",
		Message: "the request body is not in a format this route accepts", Exit: ExitUsage},
	{Code: persona.CodeInvalid, Status: http.StatusUnprocessableEntity, Type: typeBase + "invalid",
		Message: "the input is not valid", Exit: ExitUsage},
	{Code: persona.CodePreconditionRequired, Status: http.StatusPreconditionRequired, Type: typeBase + "precondition-required",
		Message: "send the revision you are changing (If-Match)", Exit: ExitConflict},
	{Code: persona.CodeTooMany, Status: http.StatusTooManyRequests, Type: typeBase + "too-many-requests",
		Message: "too many requests; wait a little and try again", Exit: ExitUnavailable},
	{Code: persona.CodeCancelled, Status: 499, Type: typeBase + "cancelled", Title: "Request Cancelled",
		Message: "the request was cancelled", Exit: ExitInternal},
	{Code: persona.CodeInternal, Status: http.StatusInternalServerError, Type: typeBase + "internal",
		Message: "internal error; it has been logged", Exit: ExitInternal},
	{Code: persona.CodeUnavailable, Status: http.StatusServiceUnavailable, Type: typeBase + "unavailable",
		Message: "the database is unavailable; try again in a few seconds", Exit: ExitUnavailable, RetryAfter: 5},
	{Code: persona.CodeStorageFull, Status: http.StatusInsufficientStorage, Type: typeBase + "storage-full",
		Message: "the database's storage is full, so nothing was saved; an administrator must free space", Exit: ExitUnavailable, RetryAfter: 60},
}

func init() {
	for i := range kinds {
		if kinds[i].Title == "" {
			kinds[i].Title = http.StatusText(kinds[i].Status)
		}
	}
}

// All returns every row of the table, in status order.
func All() []Kind { return slices.Clone(kinds[:]) }

// For returns the row of code; "" and unknown codes are internal.
func For(code persona.Code) Kind {
	for _, k := range kinds {
		if k.Code == code {
			return k
		}
	}
	return For(persona.CodeInternal)
}

// ForStatus returns the row for an HTTP status that a library chose (huma's
// own validation and body errors). A status the table does not hold gets a
// row of its own with the plain "about:blank" type (RFC 9457: no meaning
// beyond the status).
func ForStatus(status int) Kind {
	for _, k := range kinds {
		if k.Status == status {
			return k
		}
	}
	k := Kind{Code: persona.CodeInternal, Status: status, Type: "about:blank", Title: http.StatusText(status),
		Message: http.StatusText(status), Exit: ExitInternal}
	if status >= 400 && status < 500 {
		k.Code, k.Exit = persona.CodeBadRequest, ExitUsage
	}
	return k
}

// Of returns err's row and the message to show for it: a domain error's own
// (safe) message, or the row's default for internal errors and empty
// messages. A nil err is internal too (callers pass only failures).
func Of(err error) (Kind, string) {
	e, ok := persona.AsError(err)
	if !ok || e.Code == "" {
		k := For(persona.CodeInternal)
		return k, k.Message
	}
	k := For(e.Code)
	if k.Internal() || e.Message == "" {
		return k, k.Message
	}
	return k, e.Message
}
