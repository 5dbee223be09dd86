package app

import (
	"context"
	"strings"

	"github.com/personapal/personapal/internal/persona"
)

// Persona references in persona-as-code files (docs/references.md): a file
// names the personas a reference field points at by slug — the slug of
// the target's name, which is its file's name without ".yaml" (with the
// end of its ID when two names share a slug, as the files are named). A
// target that is not a live persona (in the trash, deleted for good) stays
// as its ID. On push a slug is resolved against the organisation's live
// personas; an ID is taken as it is (and checked like any reference); an
// unknown slug is refused naming the file and the field.

// refSlugs maps live persona IDs to their slugs, and slugs back to IDs.
func refSlugs(ps []persona.Persona) (byID, byslug map[string]string) {
	count := map[string]int{}
	base := make([]string, len(ps))
	for i, p := range ps {
		base[i] = persona.Slugify(p.Name)
		count[base[i]]++
	}
	byID, byslug = map[string]string{}, map[string]string{}
	for i, p := range ps {
		s := base[i]
		if count[s] > 1 {
			tail := strings.ReplaceAll(p.ID, "-", "")
			s += "-" + tail[max(0, len(tail)-8):]
		}
		byID[p.ID], byslug[s] = s, p.ID
	}
	return byID, byslug
}

// refsAsSlugs rewrites the reference values of a persona file's values
// (under the persona's template version) with slugs.
func (s *Service) refsAsSlugs(ctx context.Context, orgID string, f *PersonaFile, byID map[string]string) error {
	v, err := s.version(ctx, orgID, f.TemplateID, f.TemplateVersion)
	if err != nil {
		return err
	}
	for _, sec := range v.Definition.Sections {
		for _, fd := range sec.Fields {
			ids := persona.RefIDs(fd, f.Values[fd.Key])
			if len(ids) == 0 {
				continue
			}
			out := make([]string, len(ids))
			for i, id := range ids {
				if sl, ok := byID[id]; ok {
					out[i] = sl
				} else {
					out[i] = id
				}
			}
			if fd.Multiple {
				f.Values[fd.Key] = out
			} else {
				f.Values[fd.Key] = out[0]
			}
		}
	}
	return nil
}

// refsFromSlugs turns a pushed file's reference slugs back into IDs; an
// unknown slug is a problem of the file.
func (a *treeApply) refsFromSlugs(name string, f *PersonaFile, byslug map[string]string) {
	v, err := a.s.version(a.ctx, a.org.ID, f.TemplateID, f.TemplateVersion)
	if err != nil {
		return // planFile names the missing version
	}
	for _, sec := range v.Definition.Sections {
		for _, fd := range sec.Fields {
			raw, ok := f.Values[fd.Key]
			if fd.Kind != persona.KindPersona || !ok || raw == nil {
				continue
			}
			var items []string
			switch x := raw.(type) {
			case string:
				items = []string{x}
			case []string:
				items = x
			case []any:
				for _, it := range x {
					s, ok := it.(string)
					if !ok {
						items = nil
						break
					}
					items = append(items, s)
				}
			}
			if items == nil {
				continue // ValidateContent names the problem
			}
			out := make([]string, 0, len(items))
			for _, it := range items {
				it = strings.TrimSpace(it)
				switch {
				case it == "" || persona.ValidID(it):
					out = append(out, it)
				case byslug[it] != "":
					out = append(out, byslug[it])
				default:
					a.add(name, "values."+fd.Key, "names "+it+": no persona with that slug (a persona's slug is its file's name without .yaml)")
					return
				}
			}
			if fd.Multiple {
				f.Values[fd.Key] = out
			} else if len(out) == 1 {
				f.Values[fd.Key] = out[0]
			} else {
				f.Values[fd.Key] = out
			}
		}
	}
}
