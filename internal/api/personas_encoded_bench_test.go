package api

import (
	"encoding/json"
	"io"
	"testing"
	"time"

	"github.com/personapal/personapal/internal/demo"
	"github.com/personapal/personapal/internal/persona"
)

// benchPersona is a demo persona (the System Lead's size of text) as the
// store reads it, decoded and encoded.
func benchPersona(b *testing.B) (persona.Persona, []byte, persona.Encoded) {
	b.Helper()
	spec := demo.Data().Personas[0]
	p := persona.Persona{ID: "01a23c1a-14a1-708d-89fd-be5762883287", TemplateID: "01a23c1a-1400-7000-8000-000000000001",
		ProfileType: spec.ProfileType, Revision: 3, CreatedAt: time.Now(), UpdatedAt: time.Now(), CreatedBy: "u", UpdatedBy: "u",
		Content: persona.Content{Name: spec.Name, Summary: spec.Summary, Status: spec.Status, TemplateVersion: 1,
			Values: spec.Values, Dimensions: spec.Dimensions, LastReviewedOn: spec.LastReviewedOn, ReviewIntervalDays: spec.ReviewIntervalDays}}
	values, err := json.Marshal(p.Values)
	if err != nil {
		b.Fatal(err)
	}
	dims, err := json.Marshal(p.Dimensions)
	if err != nil {
		b.Fatal(err)
	}
	e := persona.Encoded{Persona: p, Values: values, Dimensions: dims}
	e.Persona.Values, e.Persona.Dimensions = nil, nil
	return p, values, e
}

// BenchmarkEncodePersona compares what answering one persona costs:
// decoding its stored values into maps and encoding the persona (what
// get-persona did), against passing the stored values through.
//
//	go test ./internal/api -run '^$' -bench EncodePersona -benchmem
func BenchmarkEncodePersona(b *testing.B) {
	p, stored, e := benchPersona(b)
	b.Run("decode+encode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var m map[string]any
			if err := json.Unmarshal(stored, &m); err != nil {
				b.Fatal(err)
			}
			q := p
			q.Values = m
			enc := json.NewEncoder(io.Discard)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(personaJSON(q)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("pass-through", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			enc := json.NewEncoder(io.Discard)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(encodedPersona{e}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
