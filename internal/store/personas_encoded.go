package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/personapal/personapal/internal/persona"
)

// Reads that keep a persona's JSON columns encoded (persona.Encoded), for
// answers that pass them through. On SQLite the columns hold exactly what
// encoding/json wrote (valuesText: compact, keys sorted), so they are the
// bytes an answer would encode from the decoded maps. PostgreSQL's jsonb
// gives its own text form (spaces, keys by length), so there the columns
// are decoded and encoded once, in canonical form, and answers are the
// same on both engines.

// GetPersonaEncoded returns a live persona with its JSON columns encoded.
func (s *DB) GetPersonaEncoded(ctx context.Context, orgID, id string) (persona.Encoded, error) {
	e, err := s.scanEncoded(s.q().QueryRowContext(ctx, personaSelect+`
		WHERE p.org_id = $1 AND p.id = $2 AND p.deleted_at IS NULL`, orgID, id))
	return e, noRows(err, "persona")
}

// PersonaRevision returns a live persona's revision: all a conditional get
// needs to answer 304.
func (s *DB) PersonaRevision(ctx context.Context, orgID, id string) (int, error) {
	var rev int
	err := s.q().QueryRowContext(ctx, `SELECT revision FROM personas WHERE org_id = $1 AND id = $2 AND deleted_at IS NULL`, orgID, id).Scan(&rev)
	return rev, noRows(err, "persona")
}

// ListPersonasEncoded is ListPersonas with the JSON columns encoded.
func (s *DB) ListPersonasEncoded(ctx context.Context, orgID string, f persona.PersonaFilter) ([]persona.Encoded, error) {
	query, args := listPersonasSQL(personaSelect, orgID, f)
	rows, err := s.q().QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, s.scanEncoded)
}

func (s *DB) scanEncoded(row interface{ Scan(...any) error }) (persona.Encoded, error) {
	var (
		e                           persona.Encoded
		values, dimensions, retired []byte
	)
	p := &e.Persona
	err := row.Scan(&p.OrgID, &p.ID, &p.TemplateID, &p.TemplateVersion, &p.ProfileType, strCol{&p.GroupID},
		&p.Name, &p.Summary, &p.Status, strCol{&p.OwnerID}, &values, &dimensions,
		&retired, strCol{&p.LastReviewedOn}, &p.ReviewIntervalDays, &p.Revision,
		timeCol{&p.CreatedAt}, &p.CreatedBy, timeCol{&p.UpdatedAt}, &p.UpdatedBy, nullTimeCol{&p.DeletedAt}, &p.DeletedBy)
	if err != nil {
		return e, err
	}
	canonical := s.d.name == DialectSQLite
	if e.Values, err = encodedObject(values, canonical, false); err != nil {
		return e, err
	}
	if e.Dimensions, err = encodedObject(dimensions, canonical, false); err != nil {
		return e, err
	}
	e.Retired, err = encodedObject(retired, canonical, true)
	return e, err
}

// encodedObject gives a stored JSON object as an answer encodes it: "{}"
// for NULL or an empty object (nil when optional, as the omitted retired
// values are), otherwise the stored bytes when canonical, else decoded and
// encoded again in canonical form (objectValues: what every other read
// gives).
func encodedObject(b []byte, canonical, optional bool) (json.RawMessage, error) {
	if len(b) == 0 || bytes.Equal(b, []byte("{}")) || bytes.Equal(b, []byte("null")) {
		if optional {
			return nil, nil
		}
		return json.RawMessage("{}"), nil
	}
	if canonical && b[0] == '{' {
		return json.RawMessage(b), nil
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("store: decode json: %w", err)
	}
	if len(m) == 0 {
		if optional {
			return nil, nil
		}
		return json.RawMessage("{}"), nil
	}
	out, err := json.Marshal(objectValues(m))
	if err != nil {
		return nil, fmt.Errorf("store: encode json: %w", err)
	}
	return out, nil
}
