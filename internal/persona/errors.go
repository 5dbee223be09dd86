package persona

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Code classifies an error so that every edge (HTTP, HTML, CLI) can map it the
// same way. The message of an Error is always safe to show to the caller;
// internal errors are plain Go errors and are never shown.
type Code string

const (
	CodeInvalid              Code = "invalid"
	CodeNotFound             Code = "not_found"
	CodeConflict             Code = "conflict"
	CodeForbidden            Code = "forbidden"
	CodeUnauthenticated      Code = "unauthenticated"
	CodePreconditionFailed   Code = "precondition_failed"
	CodePreconditionRequired Code = "precondition_required"
	CodeTooMany              Code = "too_many_requests"
	// CodeSSORequired: the organisation requires its members to have
	// signed in with single sign-on, and this session or token did not.
	CodeSSORequired Code = "sso_required"

	// Codes the edges give requests that never reach a use case.

	// CodeBadRequest: the request could not be read at all (malformed
	// body or form, invalid UTF-8).
	CodeBadRequest Code = "bad_request"
	// CodeTooLarge: the request body is over the route's limit.
	CodeTooLarge Code = "too_large"
	// CodeUnsupportedMedia: the body is not in a format the route takes.
	CodeUnsupportedMedia Code = "unsupported_media_type"

	// Codes for the database's state rather than the request's.

	// CodeUnavailable: the database cannot be reached, is shutting down or
	// starting up, is busy beyond its timeout, or refuses writes (read-only
	// file); trying again later may succeed.
	CodeUnavailable Code = "unavailable"
	// CodeStorageFull: the database's storage is full (SQLite "database or
	// disk is full", PostgreSQL 53100 disk_full); nothing was saved.
	CodeStorageFull Code = "storage_full"

	// CodeCancelled: the caller went away before the answer was ready.
	CodeCancelled Code = "cancelled"
	// CodeInternal is the code of every error that is not an *Error: a
	// bug or an unexpected failure, logged and never shown. ErrorCode
	// returns "" for those; the edges' error table files both under it.
	CodeInternal Code = "internal"
)

// FieldError names one bad input field and what is wrong with it. Field is a
// dotted path such as "values.goals" or "dimensions.technical_comfort".
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is a domain error with a code and a message safe to show.
type Error struct {
	Code    Code
	Message string
	Fields  []FieldError
	// Current is the current revision when Code is CodePreconditionFailed.
	Current int
	// Err is the cause, for logs (e.g. the driver error behind
	// CodeUnavailable); it is never shown.
	Err error
	// RetryAfter is how long to wait before trying again, when Code is
	// CodeTooMany and the wait is known (sent as Retry-After).
	RetryAfter time.Duration
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return e.Message
	}
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Message
	}
	return e.Message + " (" + strings.Join(parts, "; ") + ")"
}

// Errorf builds an *Error with a formatted, safe message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrNotFound is the generic not-found error; "not yours" looks the same.
func ErrNotFound(what string) *Error {
	return &Error{Code: CodeNotFound, Message: what + " not found"}
}

// Invalid returns an invalid-input error listing every bad field, or nil when
// fields is empty.
func Invalid(message string, fields []FieldError) error {
	if len(fields) == 0 {
		return nil
	}
	return &Error{Code: CodeInvalid, Message: message, Fields: fields}
}

// ErrorCode returns the code of err, or "" for an internal error.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// AsError returns the *Error inside err, if any.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
