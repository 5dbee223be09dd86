package web

import (
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// Persona references (persona.KindPersona, docs/references.md) on the web:
// the edit form's choices, the names a persona page shows, its "Referenced
// by" list and the organisation's relation map (relations.go).

// refOption is one choice of a persona reference field.
type refOption struct {
	ID, Label string
	Type      persona.ProfileType
	Selected  bool
}

// refChoiceSet is what the form's reference fields choose from.
type refChoiceSet struct {
	cands []app.RefCandidate
	names map[string]persona.RefName
}

// refChoices loads the candidates once a form, when def has a reference
// field.
func (h *Handler) refChoices(r *http.Request, c *Ctx, def persona.Definition, selfID string, values persona.Values) (refChoiceSet, error) {
	has := false
	for _, s := range def.Sections {
		has = has || slices.ContainsFunc(s.Fields, func(f persona.Field) bool { return f.Kind == persona.KindPersona })
	}
	if !has {
		return refChoiceSet{}, nil
	}
	cands, err := h.svc.RefCandidates(r.Context(), c.Actor, c.Org.Slug, selfID)
	if err != nil {
		return refChoiceSet{}, err
	}
	names, err := h.svc.RefNames(r.Context(), c.Actor, c.Org.Slug, def, persona.Persona{Content: persona.Content{Values: canonicalRefs(def, values)}})
	return refChoiceSet{cands: cands, names: names}, err
}

// canonicalRefs keeps the reference values that have a valid form, as the
// posted form may hold anything.
func canonicalRefs(def persona.Definition, values persona.Values) persona.Values {
	out := persona.Values{}
	for _, s := range def.Sections {
		for _, f := range s.Fields {
			if f.Kind != persona.KindPersona {
				continue
			}
			if v, ok := persona.CanonicalValue(f, values[f.Key]); ok && v != nil {
				out[f.Key] = v
			}
		}
	}
	return out
}

// options lists the field's choices: the chosen targets that are no longer
// live first (kept unless unticked), then the personas of the allowed types
// by name.
func (s refChoiceSet) options(f persona.Field, v any) []refOption {
	var chosen []string
	if cv, ok := persona.CanonicalValue(f, v); ok {
		chosen = persona.RefIDs(f, cv)
	}
	var out []refOption
	live := map[string]bool{}
	for _, c := range s.cands {
		live[c.ID] = true
	}
	for _, id := range chosen {
		if !live[id] {
			n, ok := s.names[id]
			if !ok {
				n = persona.RefName{Gone: true}
			}
			out = append(out, refOption{ID: id, Label: n.Text(), Selected: true})
		}
	}
	for _, c := range s.cands {
		if f.AllowsType(c.ProfileType) || slices.Contains(chosen, c.ID) {
			label := c.Name
			if len(f.ProfileTypes) != 1 {
				label += " (" + c.ProfileType.Label() + ")"
			}
			out = append(out, refOption{ID: c.ID, Label: label, Type: c.ProfileType, Selected: slices.Contains(chosen, c.ID)})
		}
	}
	return out
}

// personaRefs fills a persona page's reference fields with their targets'
// names (linked while live) and its "Referenced by" list.
func (h *Handler) personaRefs(r *http.Request, c *Ctx, v *personaView) error {
	ctx := r.Context()
	var def persona.Definition
	for _, s := range v.Sections {
		sec := persona.Section{Key: s.Key}
		for _, f := range s.Filled {
			if f.Field.Kind == persona.KindPersona {
				sec.Fields = append(sec.Fields, f.Field)
			}
		}
		def.Sections = append(def.Sections, sec)
	}
	names, err := h.svc.RefNames(ctx, c.Actor, c.Org.Slug, def, v.P)
	if err != nil {
		return err
	}
	for i := range v.Sections {
		for j, f := range v.Sections[i].Filled {
			if f.Field.Kind == persona.KindPersona {
				v.Sections[i].Filled[j].Refs = refsHTML(c.Org.Slug, f.Field, f.Value, names)
			}
		}
	}
	v.Backlinks, err = h.svc.Backlinks(ctx, c.Actor, c.Org.Slug, v.P.ID)
	return err
}

// refsHTML is a reference value: each live target a link to its page, a
// trashed one its name and "(in trash)", a deleted one "deleted persona".
func refsHTML(org string, f persona.Field, v any, names map[string]persona.RefName) template.HTML {
	ids := persona.RefIDs(f, v)
	if len(ids) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(`<ul class="ref-list">`)
	for _, id := range ids {
		n, ok := names[id]
		if !ok {
			n = persona.RefName{Gone: true}
		}
		b.WriteString("<li>")
		switch {
		case n.Gone:
			b.WriteString(`<span class="muted">deleted persona</span>`)
		case n.Trashed:
			b.WriteString(escapeHTML(n.Name) + ` <span class="muted">(in trash)</span>`)
		default:
			b.WriteString(`<a href="/o/` + escapeHTML(url.PathEscape(org)) + `/personas/` + escapeHTML(url.PathEscape(id)) + `">` + escapeHTML(n.Name) + `</a>`)
		}
		b.WriteString("</li>")
	}
	b.WriteString("</ul>")
	return template.HTML(b.String())
}

// refChangeNames turns the persona IDs of reference fields' changes into
// the targets' names, so the history reads "Big Bank", not an ID.
func (h *Handler) refChangeNames(r *http.Request, c *Ctx, p persona.Persona, cs []persona.Change) error {
	ver, err := h.svc.PersonaDefinition(r.Context(), c.Actor, c.Org.Slug, p)
	if err != nil {
		return err
	}
	var def persona.Definition
	values := persona.Values{}
	for _, ch := range cs {
		key, ok := strings.CutPrefix(ch.Path, "values.")
		f, found := ver.Definition.Field(key)
		if !ok || !found || f.Kind != persona.KindPersona {
			continue
		}
		g := f
		g.Key, g.Multiple = ch.Path, true
		def.Sections = append(def.Sections, persona.Section{Fields: []persona.Field{g}})
		values[ch.Path] = append(persona.RefIDs(g, ch.Before), persona.RefIDs(g, ch.After)...)
	}
	if len(values) == 0 {
		return nil
	}
	names, err := h.svc.RefNames(r.Context(), c.Actor, c.Org.Slug, def, persona.Persona{Content: persona.Content{Values: values}})
	if err != nil {
		return err
	}
	name := func(id string) string {
		n, ok := names[id]
		if !ok {
			n = persona.RefName{Gone: true}
		}
		return n.Text()
	}
	// rename keeps the value's shape: one ID, one name; a list, a list.
	rename := func(v any) any {
		if id, ok := v.(string); ok {
			return name(id)
		}
		ids := persona.RefIDs(persona.Field{Kind: persona.KindPersona}, v)
		if ids == nil {
			return v
		}
		out := make([]string, len(ids))
		for i, id := range ids {
			out[i] = name(id)
		}
		return out
	}
	for i, ch := range cs {
		if _, ok := values[ch.Path]; ok {
			cs[i].Before, cs[i].After = rename(ch.Before), rename(ch.After)
			cs[i].AddedItems, cs[i].RemovedItems = nil, nil
		}
	}
	return nil
}
