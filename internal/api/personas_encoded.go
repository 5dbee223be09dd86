package api

import (
	"bytes"
	"encoding/json"
	"reflect"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/personapal/personapal/internal/persona"
)

// encodedPersona is PersonaJSON for a persona read with its values encoded
// (persona.Encoded): get-persona and list-personas answer with it, passing
// the stored values through instead of decoding them into maps and
// encoding them again. It encodes to exactly the bytes PersonaJSON would
// (personas_encoded_test.go) and is documented as PersonaJSON.
type encodedPersona struct{ e persona.Encoded }

// encodedPersonaWire lists PersonaJSON's properties in its order (persona.Persona
// with its embedded Content, then the review status), the three objects raw.
type encodedPersonaWire struct {
	ID                 string              `json:"id"`
	TemplateID         string              `json:"template_id"`
	ProfileType        persona.ProfileType `json:"profile_type"`
	Name               string              `json:"name"`
	Summary            string              `json:"summary"`
	GroupID            string              `json:"group_id"`
	Status             persona.Status      `json:"status"`
	OwnerID            string              `json:"owner_id"`
	TemplateVersion    int                 `json:"template_version"`
	Values             json.RawMessage     `json:"values"`
	Dimensions         json.RawMessage     `json:"dimensions"`
	Retired            json.RawMessage     `json:"retired,omitempty"`
	LastReviewedOn     string              `json:"last_reviewed_on,omitempty"`
	ReviewIntervalDays int                 `json:"review_interval_days,omitempty"`
	Revision           int                 `json:"revision"`
	CreatedAt          time.Time           `json:"created_at"`
	CreatedBy          string              `json:"created_by"`
	UpdatedAt          time.Time           `json:"updated_at"`
	UpdatedBy          string              `json:"updated_by"`
	DeletedAt          *time.Time          `json:"deleted_at,omitempty"`
	DeletedBy          string              `json:"deleted_by,omitempty"`
	ReviewDue          string              `json:"review_due"`
	ReviewOverdue      bool                `json:"review_overdue"`
}

// MarshalJSON encodes as huma's JSON format does (no HTML escaping): the
// stored objects were written by json.Marshal, which escapes <, > and &,
// so those escapes are undone first.
func (p encodedPersona) MarshalJSON() ([]byte, error) {
	e := &p.e
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	err := enc.Encode(encodedPersonaWire{
		ID: e.ID, TemplateID: e.TemplateID, ProfileType: e.ProfileType,
		Name: e.Name, Summary: e.Summary, GroupID: e.GroupID, Status: e.Status, OwnerID: e.OwnerID, TemplateVersion: e.TemplateVersion,
		Values: unescapeHTML(e.Values), Dimensions: unescapeHTML(e.Dimensions), Retired: unescapeHTML(e.Retired),
		LastReviewedOn: e.LastReviewedOn, ReviewIntervalDays: e.ReviewIntervalDays,
		Revision: e.Revision, CreatedAt: e.CreatedAt, CreatedBy: e.CreatedBy, UpdatedAt: e.UpdatedAt, UpdatedBy: e.UpdatedBy,
		DeletedAt: e.DeletedAt, DeletedBy: e.DeletedBy,
		ReviewDue: e.ReviewDue().Format(time.DateOnly), ReviewOverdue: e.ReviewOverdue(time.Now()),
	})
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), err
}

// unescapeHTML turns json.Marshal's \u003c, \u003e and \u0026 back into
// <, > and &; an escaped backslash before them ("\\u0026" is a backslash
// and the text u0026) is left alone.
func unescapeHTML(b json.RawMessage) json.RawMessage {
	if !bytes.Contains(b, []byte(`\u00`)) {
		return b
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c != '\\' || i+1 >= len(b) {
			out = append(out, c)
			continue
		}
		if b[i+1] == 'u' && i+5 < len(b) && b[i+2] == '0' && b[i+3] == '0' {
			switch string(b[i+4 : i+6]) {
			case "3c":
				out, i = append(out, '<'), i+5
				continue
			case "3e":
				out, i = append(out, '>'), i+5
				continue
			case "26":
				out, i = append(out, '&'), i+5
				continue
			}
		}
		out = append(out, c, b[i+1]) // any other escape, kept whole
		i++
	}
	return out
}

// Schema documents encodedPersona as PersonaJSON (huma.SchemaProvider).
func (encodedPersona) Schema(r huma.Registry) *huma.Schema {
	return r.Schema(reflect.TypeFor[PersonaJSON](), true, "")
}

func encodedList(es []persona.Encoded) []encodedPersona {
	out := make([]encodedPersona, len(es))
	for i, e := range es {
		out[i] = encodedPersona{e}
	}
	return out
}

// encodedPersonaOutput is personaOutput with the persona encoded.
type encodedPersonaOutput struct {
	ETag     string `header:"ETag"`
	Location string `header:"Location"` // as personaOutput's, so the documents agree
	Body     encodedPersona
}

// personaListOutput is a page of list-personas, the personas encoded.
type personaListOutput struct {
	Body struct {
		Items      []encodedPersona `json:"items"`
		NextCursor *string          `json:"next_cursor"`
	}
}
