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
	// RetryAfter is how long to wait before trying again, when Code is
	// CodeTooMany and the wait is known (sent as Retry-After).
	RetryAfter time.Duration
}

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
