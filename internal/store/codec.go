package store

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

// ts normalises a time for storage: UTC, microsecond precision (what
// PostgreSQL keeps), so both engines return exactly what they were given.
func ts(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// nullTS stores a zero or nil time as NULL.
func nullTS(t *time.Time) any {
	if t == nil || t.IsZero() {
		return nil
	}
	return ts(*t)
}

// nullStr stores "" as NULL.
func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// timeCol scans a NOT NULL timestamp.
type timeCol struct{ t *time.Time }

func (c timeCol) Scan(src any) error {
	switch v := src.(type) {
	case time.Time:
		*c.t = v.UTC()
		return nil
	case string:
		// A timestamp the driver did not recognise as one (it should).
		t, err := parseTimeText(v)
		if err != nil {
			return err
		}
		*c.t = t
		return nil
	case []byte:
		t, err := parseTimeText(string(v))
		if err != nil {
			return err
		}
		*c.t = t
		return nil
	case nil:
		*c.t = time.Time{}
		return nil
	}
	return fmt.Errorf("store: cannot scan %T into a time", src)
}

// nullTimeCol scans a nullable timestamp into a *time.Time.
type nullTimeCol struct{ t **time.Time }

func (c nullTimeCol) Scan(src any) error {
	if src == nil {
		*c.t = nil
		return nil
	}
	var t time.Time
	if err := (timeCol{&t}).Scan(src); err != nil {
		return err
	}
	*c.t = &t
	return nil
}

var timeLayouts = []string{
	"2006-01-02 15:04:05.999999999-07:00",
	"2006-01-02T15:04:05.999999999-07:00",
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999",
}

func parseTimeText(s string) (time.Time, error) {
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("store: unrecognised timestamp %q", s)
}

// strCol scans a nullable text column into a string ("" for NULL).
type strCol struct{ s *string }

func (c strCol) Scan(src any) error {
	var ns sql.NullString
	if err := ns.Scan(src); err != nil {
		return err
	}
	*c.s = ns.String
	return nil
}

// jsonText encodes v for a JSON column (TEXT on SQLite, jsonb on PostgreSQL).
func jsonText(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("store: encode json: %w", err)
	}
	return string(b), nil
}

// valuesText encodes Values; nil is stored as an empty object.
func valuesText(v persona.Values) (string, error) {
	if v == nil {
		return "{}", nil
	}
	return jsonText(v)
}

// jsonCol scans a JSON column into dst.
type jsonCol struct{ dst any }

func (c jsonCol) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case nil:
		return nil
	case string:
		b = []byte(v)
	case []byte:
		b = v
	default:
		return fmt.Errorf("store: cannot scan %T as json", src)
	}
	if err := json.Unmarshal(b, c.dst); err != nil {
		return fmt.Errorf("store: decode json: %w", err)
	}
	return nil
}

// definitionCol scans a template definition with empty lists, never nil
// ones (a definition saved without dimensions reads as "dimensions": []).
type definitionCol struct{ d *persona.Definition }

func (c definitionCol) Scan(src any) error {
	if err := (jsonCol{c.d}).Scan(src); err != nil {
		return err
	}
	*c.d = c.d.WithLists()
	return nil
}

// valuesCol scans a JSON object into Values in their canonical forms:
// numbers as float64, and arrays of strings as []string (encoding/json alone
// would give []any). An empty object (or NULL) reads as an empty map, never
// nil: values and dimensions are objects in every answer. Optional maps
// that are left out when empty (retired values) use optionalValuesCol.
type valuesCol struct{ v *persona.Values }

func (c valuesCol) Scan(src any) error {
	var m map[string]any
	if err := (jsonCol{&m}).Scan(src); err != nil {
		return err
	}
	*c.v = objectValues(m)
	return nil
}

// optionalValuesCol is valuesCol for a map that is nil when empty.
type optionalValuesCol struct{ v *persona.Values }

func (c optionalValuesCol) Scan(src any) error {
	var m map[string]any
	if err := (jsonCol{&m}).Scan(src); err != nil {
		return err
	}
	*c.v = canonicalValues(m)
	return nil
}

// objectValues is canonicalValues that gives an empty map for nothing.
func objectValues(m map[string]any) persona.Values {
	if v := canonicalValues(m); v != nil {
		return v
	}
	return persona.Values{}
}

// canonicalValues puts m in canonical form; empty gives nil.
func canonicalValues(m map[string]any) persona.Values {
	if len(m) == 0 {
		return nil
	}
	out := make(persona.Values, len(m))
	for k, v := range m {
		out[k] = canonicalValue(v)
	}
	return out
}

func canonicalValue(v any) any {
	list, ok := v.([]any)
	if !ok {
		return v
	}
	strs := make([]string, 0, len(list))
	for _, e := range list {
		s, ok := e.(string)
		if !ok {
			return v
		}
		strs = append(strs, s)
	}
	return strs
}

// decodeContent decodes a revision's stored content, with its Values in
// canonical form.
func decodeContent(src []byte) (persona.Content, error) {
	var c persona.Content
	if err := json.Unmarshal(src, &c); err != nil {
		return c, fmt.Errorf("store: decode revision content: %w", err)
	}
	c.Values = objectValues(c.Values)
	c.Dimensions = objectValues(c.Dimensions)
	c.Retired = canonicalValues(c.Retired)
	return c, nil
}
