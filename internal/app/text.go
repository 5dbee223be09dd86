package app

import (
	"strings"

	"github.com/personapal/personapal/internal/persona"
)

// Text checks shared by the use cases; the rules are the domain's
// (persona.LineProblem, persona.TextProblem).

// nameField validates a required single-line name (persona.ValidateName)
// and appends its problem, if any, to fields under the given field name.
func nameField(fields []persona.FieldError, field, name string) (string, []persona.FieldError) {
	n, err := persona.ValidateName(name)
	if err != nil {
		return strings.TrimSpace(name), append(fields, persona.FieldError{Field: field, Message: err.Error()})
	}
	return n, fields
}

// descriptionField validates an optional multi-line description
// (persona.ValidateDescription) like nameField.
func descriptionField(fields []persona.FieldError, field, text string) (string, []persona.FieldError) {
	d, err := persona.ValidateDescription(text)
	if err != nil {
		return d, append(fields, persona.FieldError{Field: field, Message: err.Error()})
	}
	return d, fields
}

// messageFields checks a revision message (multi-line text; a long one is
// cut to 500 characters when saved).
func messageFields(message string) []persona.FieldError {
	if msg := persona.TextProblem(strings.TrimSpace(message), 0); msg != "" {
		return []persona.FieldError{{Field: "message", Message: msg}}
	}
	return nil
}
