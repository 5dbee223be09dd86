package app

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/personapal/personapal/internal/persona"
)

// Persona references (persona.KindPersona, docs/references.md). A reference
// is stored in the referencing persona's values, so it lives and dies with
// its revisions, goes through every export as a persona ID and needs no
// table of its own. Backlinks and the relation map are worked out from the
// organisation's live personas on demand (one listing and the cached
// template versions): always in step with the revisions, whatever path
// wrote them (edit, proposal, batch, import, restore of a revision).
//
// Checks: a newly set target must be a live persona of the same
// organisation (a foreign ID reads exactly like a missing one), of a type
// the field allows, and not the persona itself. A reference kept as it was
// is not checked again, so a target that went to the trash (or was deleted
// for good) never blocks saving the referencing persona: it shows "(in
// trash)" or "deleted persona" until someone changes it.

// checkPersonaRefs checks the targets values name under def that prev (the
// values being replaced; nil on create) did not already name, as field
// errors values.<key>.
func (s *Service) checkPersonaRefs(ctx context.Context, orgID, selfID string, def persona.Definition, values, prev persona.Values) ([]persona.FieldError, error) {
	var fields []persona.FieldError
	for _, sec := range def.Sections {
		for _, f := range sec.Fields {
			if f.Kind != persona.KindPersona {
				continue
			}
			v, ok := persona.CanonicalValue(f, values[f.Key])
			if !ok {
				continue // ValidateContent names the problem
			}
			old := persona.RefIDs(f, prev[f.Key])
			for _, id := range persona.RefIDs(f, v) {
				if slices.Contains(old, id) {
					continue
				}
				if id == selfID {
					fields = append(fields, persona.FieldError{Field: "values." + f.Key, Message: "cannot name the persona itself"})
					break
				}
				t, err := s.store.GetPersona(ctx, orgID, id)
				if persona.ErrorCode(err) == persona.CodeNotFound {
					fields = append(fields, persona.FieldError{Field: "values." + f.Key, Message: "names " + id + ": no such persona in this organisation"})
					break
				}
				if err != nil {
					return nil, err
				}
				if !f.AllowsType(t.ProfileType) {
					fields = append(fields, persona.FieldError{Field: "values." + f.Key,
						Message: t.Name + " is " + t.ProfileType.WithArticle() + "; this field takes " + f.AllowedTypesText()})
					break
				}
			}
		}
	}
	return fields, nil
}

// livePersonas lists every live persona of the organisation.
func (s *Service) livePersonas(ctx context.Context, orgID string) ([]persona.Persona, error) {
	var all []persona.Persona
	after := ""
	for {
		page, err := s.store.ListPersonas(ctx, orgID, persona.PersonaFilter{After: after, Limit: 500})
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		if len(page) < 500 {
			return all, nil
		}
		after = page[len(page)-1].ID
	}
}

// Backlink is a persona that references another one, and through which
// field.
type Backlink struct {
	PersonaID   string              `json:"persona_id"`
	Name        string              `json:"name"`
	ProfileType persona.ProfileType `json:"profile_type"`
	Field       string              `json:"field" doc:"The referencing field's key"`
	FieldLabel  string              `json:"field_label"`
}

// Relation is one reference between two personas of the organisation.
type Relation struct {
	From persona.Persona
	persona.Ref
	// Target is the referenced persona's name and state.
	Target persona.RefName
	// TargetType is the live or trashed target's profile type ("" when
	// deleted for good).
	TargetType persona.ProfileType
}

// Relations lists every reference of the organisation's live personas, in
// the listing's order and each persona's template order, with the live
// personas themselves.
func (s *Service) Relations(ctx context.Context, actor Actor, slug string) ([]persona.Persona, []Relation, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return nil, nil, err
	}
	return s.relations(ctx, org.ID)
}

func (s *Service) relations(ctx context.Context, orgID string) ([]persona.Persona, []Relation, error) {
	ps, err := s.livePersonas(ctx, orgID)
	if err != nil {
		return nil, nil, err
	}
	live := make(map[string]persona.Persona, len(ps))
	for _, p := range ps {
		live[p.ID] = p
	}
	var trash map[string]persona.Persona
	var out []Relation
	for _, p := range ps {
		v, err := s.version(ctx, orgID, p.TemplateID, p.TemplateVersion)
		if err != nil {
			return nil, nil, err
		}
		for _, r := range persona.RefsOf(v.Definition, p.Values) {
			rel := Relation{From: p, Ref: r}
			if t, ok := live[r.TargetID]; ok {
				rel.Target, rel.TargetType = persona.RefName{Name: t.Name}, t.ProfileType
			} else {
				if trash == nil {
					trash, err = s.trashed(ctx, orgID)
					if err != nil {
						return nil, nil, err
					}
				}
				if t, ok := trash[r.TargetID]; ok {
					rel.Target, rel.TargetType = persona.RefName{Name: t.Name, Trashed: true}, t.ProfileType
				} else if sv, ok, err := s.survivorOf(ctx, orgID, r.TargetID); err != nil {
					return nil, nil, err
				} else if ok {
					// Merged: the reference lands on the persona it lives in now.
					rel.TargetID = sv.ID
					rel.Target, rel.TargetType = persona.RefName{Name: sv.Name}, sv.ProfileType
				} else {
					rel.Target = persona.RefName{Gone: true}
				}
			}
			out = append(out, rel)
		}
	}
	return ps, out, nil
}

func (s *Service) trashed(ctx context.Context, orgID string) (map[string]persona.Persona, error) {
	ts, err := s.store.ListTrash(ctx, orgID)
	if err != nil {
		return nil, err
	}
	m := make(map[string]persona.Persona, len(ts))
	for _, t := range ts {
		m[t.ID] = t
	}
	return m, nil
}

// survivorOf follows a merged persona to the live persona it was merged
// into (through later merges too); ok is false for a persona that was not
// merged, or whose survivor is no longer live.
func (s *Service) survivorOf(ctx context.Context, orgID, id string) (persona.Persona, bool, error) {
	for range 8 { // a merge chain longer than this is not followed
		into, err := s.store.MergedInto(ctx, orgID, id)
		if persona.ErrorCode(err) == persona.CodeNotFound {
			return persona.Persona{}, false, nil
		}
		if err != nil {
			return persona.Persona{}, false, err
		}
		p, err := s.store.GetPersona(ctx, orgID, into)
		if err == nil {
			return p, true, nil
		}
		if persona.ErrorCode(err) != persona.CodeNotFound {
			return persona.Persona{}, false, err
		}
		id = into
	}
	return persona.Persona{}, false, nil
}

// refStore finds the personas that may reference others.
type refStore interface {
	// PersonasMentioning returns the live personas whose values hold any of
	// ids as a JSON string: every persona referencing one of them, and
	// possibly others (a text field quoting an ID), in ID order.
	PersonasMentioning(ctx context.Context, orgID string, ids []string) ([]persona.Persona, error)
}

// Backlinks lists the live personas that reference the persona id (live or
// in the trash), by name. Only the personas whose values mention id (or a
// persona merged into it, whose references read through to it) are read
// and checked, not the whole organisation: the persona page shows
// backlinks on every view.
func (s *Service) Backlinks(ctx context.Context, actor Actor, slug, id string) ([]Backlink, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return nil, err
	}
	targets := map[string]bool{id: true}
	if _, err := s.store.GetPersona(ctx, org.ID, id); err == nil {
		// References to a persona merged into a live one land on it.
		merged, err := s.store.MergedFrom(ctx, org.ID, id)
		if err != nil {
			return nil, err
		}
		for _, m := range merged {
			targets[m.ID] = true
		}
	} else {
		if persona.ErrorCode(err) != persona.CodeNotFound {
			return nil, err
		}
		if _, err := s.store.GetTrashedPersona(ctx, org.ID, id); err != nil {
			return nil, err
		}
	}
	cands, err := s.store.PersonasMentioning(ctx, org.ID, slices.Sorted(maps.Keys(targets)))
	if err != nil {
		return nil, err
	}
	out := []Backlink{}
	for _, p := range cands {
		v, err := s.version(ctx, org.ID, p.TemplateID, p.TemplateVersion)
		if err != nil {
			return nil, err
		}
		for _, r := range persona.RefsOf(v.Definition, p.Values) {
			if targets[r.TargetID] {
				out = append(out, Backlink{PersonaID: p.ID, Name: p.Name, ProfileType: p.ProfileType, Field: r.FieldKey, FieldLabel: r.FieldLabel})
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Backlink) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	return out, nil
}

// RefNames names the personas that p's reference fields point at under def
// (live, in the trash, or deleted for good), for showing them.
func (s *Service) RefNames(ctx context.Context, actor Actor, slug string, def persona.Definition, ps ...persona.Persona) (map[string]persona.RefName, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return nil, err
	}
	return s.refNames(ctx, org.ID, def, ps...)
}

func (s *Service) refNames(ctx context.Context, orgID string, def persona.Definition, ps ...persona.Persona) (map[string]persona.RefName, error) {
	var ids []string
	for _, p := range ps {
		for _, r := range persona.RefsOf(def, p.Values) {
			if !slices.Contains(ids, r.TargetID) {
				ids = append(ids, r.TargetID)
			}
		}
	}
	names := map[string]persona.RefName{}
	if len(ids) == 0 {
		return names, nil
	}
	live, err := s.store.GetPersonas(ctx, orgID, ids)
	if err != nil {
		return nil, err
	}
	for _, p := range live {
		names[p.ID] = persona.RefName{Name: p.Name}
	}
	if len(live) < len(ids) {
		trash, err := s.trashed(ctx, orgID)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			if _, ok := names[id]; ok {
				continue
			}
			if t, ok := trash[id]; ok {
				names[id] = persona.RefName{Name: t.Name, Trashed: true}
			} else if sv, ok, err := s.survivorOf(ctx, orgID, id); err != nil {
				return nil, err
			} else if ok {
				// Merged: shown as the survivor (its old address redirects there).
				names[id] = persona.RefName{Name: sv.Name}
			} else {
				names[id] = persona.RefName{Gone: true}
			}
		}
	}
	return names, nil
}

// RefCandidate is a persona a reference field can point at.
type RefCandidate struct {
	ID          string
	Name        string
	ProfileType persona.ProfileType
}

// RefCandidates lists the live personas of the organisation that def's
// reference fields could point at, by name (the edit form's choices);
// selfID is left out.
func (s *Service) RefCandidates(ctx context.Context, actor Actor, slug, selfID string) ([]RefCandidate, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return nil, err
	}
	ps, err := s.livePersonas(ctx, org.ID)
	if err != nil {
		return nil, err
	}
	out := make([]RefCandidate, 0, len(ps))
	for _, p := range ps {
		if p.ID != selfID {
			out = append(out, RefCandidate{ID: p.ID, Name: p.Name, ProfileType: p.ProfileType})
		}
	}
	slices.SortStableFunc(out, func(a, b RefCandidate) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	return out, nil
}
