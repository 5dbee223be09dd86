package app

import (
	"context"
	"maps"
	"slices"
	"sync"

	"github.com/personapal/personapal/internal/persona"
)

// versionCache keeps published template versions in memory. A published
// version never changes, so the cache needs no invalidation and stays
// correct across instances; it saves the query (and its JSON decoding) that
// every persona read, page and comparison needs. Entries are keyed by
// organisation, template and version, so one organisation's version can't
// answer for another's.
//
// It holds at most maxCachedVersions entries and starts afresh when full:
// simple, bounded, and the working set of a server is far smaller.
type versionCache struct {
	mu sync.RWMutex
	m  map[versionKey]persona.TemplateVersion
}

type versionKey struct {
	org, template string
	version       int
}

const maxCachedVersions = 4096

// version returns a published template version for internal use. Its
// PersonaCount is not kept (it changes); Service.GetVersion, which shows
// it, reads the store. Callers get their own copy of the definition.
func (s *Service) version(ctx context.Context, orgID, templateID string, version int) (persona.TemplateVersion, error) {
	key := versionKey{orgID, templateID, version}
	c := s.versions
	c.mu.RLock()
	v, ok := c.m[key]
	c.mu.RUnlock()
	if ok {
		v.Definition = cloneDefinition(v.Definition)
		return v, nil
	}
	v, err := s.store.GetVersion(ctx, orgID, templateID, version)
	if err != nil {
		return v, err
	}
	v.PersonaCount = 0
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxCachedVersions {
		c.m = make(map[versionKey]persona.TemplateVersion)
	}
	c.m[key] = v
	c.mu.Unlock()
	v.Definition = cloneDefinition(v.Definition)
	return v, nil
}

// cloneDefinition deep-copies a definition, so a caller that edits its
// copy (upgrades, previews) cannot change the cached one.
func cloneDefinition(d persona.Definition) persona.Definition {
	out := persona.Definition{
		Sections:   slices.Clone(d.Sections),
		Dimensions: slices.Clone(d.Dimensions),
	}
	for i := range out.Sections {
		sec := &out.Sections[i]
		sec.Labels = maps.Clone(sec.Labels)
		sec.Fields = slices.Clone(sec.Fields)
		for j := range sec.Fields {
			f := &sec.Fields[j]
			f.Options = slices.Clone(f.Options)
			f.ProfileTypes = slices.Clone(f.ProfileTypes)
			if f.Min != nil {
				m := *f.Min
				f.Min = &m
			}
			if f.Max != nil {
				m := *f.Max
				f.Max = &m
			}
		}
	}
	for i := range out.Dimensions {
		out.Dimensions[i].Options = slices.Clone(out.Dimensions[i].Options)
	}
	return out
}
