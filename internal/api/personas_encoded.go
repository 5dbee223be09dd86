package api

import (
	"bytes"
	"encoding/json"
	"io"
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

// encodedHead and encodedTail are PersonaJSON's properties before and
// after the three objects, in its order (persona.Persona with its embedded
// Content, then the review status).
type encodedHead struct {
	ID              string              `json:"id"`
	TemplateID      string              `json:"template_id"`
	ProfileType     persona.ProfileType `json:"profile_type"`
	Name            string              `json:"name"`
	Summary         string              `json:"summary"`
	GroupID         string              `json:"group_id"`
	Status          persona.Status      `json:"status"`
	OwnerID         string              `json:"owner_id"`
	TemplateVersion int                 `json:"template_version"`
}

type encodedTail struct {
	LastReviewedOn     string     `json:"last_reviewed_on,omitempty"`
	ReviewIntervalDays int        `json:"review_interval_days,omitempty"`
	Revision           int        `json:"revision"`
	CreatedAt          time.Time  `json:"created_at"`
	CreatedBy          string     `json:"created_by"`
	UpdatedAt          time.Time  `json:"updated_at"`
	UpdatedBy          string     `json:"updated_by"`
	DeletedAt          *time.Time `json:"deleted_at,omitempty"`
	DeletedBy          string     `json:"deleted_by,omitempty"`
	ReviewDue          string     `json:"review_due"`
	ReviewOverdue      bool       `json:"review_overdue"`
}

// appendJSON appends the persona as PersonaJSON, as huma's JSON format
// writes it (no HTML escaping): the small head and tail are encoded, the
// stored objects spliced in between without being scanned again (the
// stored JSON was written by json.Marshal, which escapes <, > and &, so
// those escapes are undone).
func (p encodedPersona) appendJSON(dst []byte) ([]byte, error) {
	e := &p.e
	head, err := jsonNoEscape(encodedHead{ID: e.ID, TemplateID: e.TemplateID, ProfileType: e.ProfileType,
		Name: e.Name, Summary: e.Summary, GroupID: e.GroupID, Status: e.Status, OwnerID: e.OwnerID, TemplateVersion: e.TemplateVersion})
	if err != nil {
		return dst, err
	}
	tail, err := jsonNoEscape(encodedTail{LastReviewedOn: e.LastReviewedOn, ReviewIntervalDays: e.ReviewIntervalDays,
		Revision: e.Revision, CreatedAt: e.CreatedAt, CreatedBy: e.CreatedBy, UpdatedAt: e.UpdatedAt, UpdatedBy: e.UpdatedBy,
		DeletedAt: e.DeletedAt, DeletedBy: e.DeletedBy,
		ReviewDue: e.ReviewDue().Format(time.DateOnly), ReviewOverdue: e.ReviewOverdue(time.Now())})
	if err != nil {
		return dst, err
	}
	dst = append(dst, head[:len(head)-1]...) // without its closing brace
	dst = append(dst, `,"values":`...)
	dst = append(dst, unescapeHTML(e.Values)...)
	dst = append(dst, `,"dimensions":`...)
	dst = append(dst, unescapeHTML(e.Dimensions)...)
	if len(e.Retired) > 0 {
		dst = append(dst, `,"retired":`...)
		dst = append(dst, unescapeHTML(e.Retired)...)
	}
	dst = append(dst, ',')
	return append(dst, tail[1:]...), nil // without its opening brace
}

// jsonNoEscape encodes v as huma's JSON format does, without the newline.
func jsonNoEscape(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// MarshalJSON is appendJSON for encoding/json (which scans the result once
// more); answers are written by writeJSON without that scan.
func (p encodedPersona) MarshalJSON() ([]byte, error) { return p.appendJSON(nil) }

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
	Body personaListBody
}

// personaListBody is list-personas' page; it is documented as the
// anonymous body it replaced.
type personaListBody struct {
	Items      []encodedPersona `json:"items"`
	NextCursor *string          `json:"next_cursor"`
}

func (personaListBody) Schema(r huma.Registry) *huma.Schema {
	return r.Schema(reflect.TypeFor[struct {
		Items      []encodedPersona `json:"items"`
		NextCursor *string          `json:"next_cursor"`
	}](), true, "PersonaListOutputBody")
}

func (b personaListBody) appendJSON(dst []byte) ([]byte, error) {
	dst = append(dst, `{"items":[`...)
	for i, p := range b.Items {
		if i > 0 {
			dst = append(dst, ',')
		}
		var err error
		if dst, err = p.appendJSON(dst); err != nil {
			return dst, err
		}
	}
	dst = append(dst, `],"next_cursor":`...)
	cursor, err := jsonNoEscape(b.NextCursor)
	if err != nil {
		return dst, err
	}
	dst = append(dst, cursor...)
	return append(dst, '}'), nil
}

// MarshalJSON: see encodedPersona.MarshalJSON.
func (b personaListBody) MarshalJSON() ([]byte, error) { return b.appendJSON(nil) }

// preEncoded is an answer body that encodes itself completely.
type preEncoded interface {
	appendJSON(dst []byte) ([]byte, error)
}

// jsonFormat is huma's JSON format, except that a preEncoded body is
// written as it encodes itself: encoding/json would scan a Marshaler's
// output again to check and compact it, which was most of what encoding a
// list of personas cost.
var jsonFormat = huma.Format{
	Marshal: func(w io.Writer, v any) error {
		if p, ok := v.(preEncoded); ok {
			b, err := p.appendJSON(make([]byte, 0, 4096))
			if err != nil {
				return err
			}
			_, err = w.Write(append(b, '\n'))
			return err
		}
		return huma.DefaultJSONFormat.Marshal(w, v)
	},
	Unmarshal: huma.DefaultJSONFormat.Unmarshal,
}
