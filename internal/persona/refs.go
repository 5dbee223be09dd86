package persona

import (
	"slices"
	"strings"
)

// Persona references (KindPersona): a field whose value names other personas
// of the same organisation — an AI agent "Supervised by" a UX persona, a UX
// persona "Works for" a customer archetype. The value is a persona ID, or a
// list of IDs when the field is Multiple. The domain checks the form; the
// application layer checks that a newly set target exists in the same
// organisation, is of an allowed profile type and is not the persona itself.

// MaxRefs is the most personas one reference field may hold.
const MaxRefs = 50

// normaliseRef is normaliseValue for a persona reference field: one ID (a
// list of one is accepted too) or, when Multiple, a list of distinct IDs.
func normaliseRef(f Field, v any) (any, bool, string) {
	var ids []string
	switch x := v.(type) {
	case string:
		ids = []string{x}
	default:
		l, ok := stringList(v)
		if !ok {
			if f.Multiple {
				return nil, false, "must be a list of persona IDs"
			}
			return nil, false, "must be a persona ID"
		}
		ids = l
	}
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		id = strings.TrimSpace(id)
		if id == "" || slices.Contains(out, id) {
			continue
		}
		if !ValidID(id) {
			return nil, false, "must name personas by their ID: " + idProblem[len("must be "):]
		}
		out = append(out, id)
	}
	switch {
	case len(out) == 0:
		return nil, true, ""
	case !f.Multiple && len(out) > 1:
		return nil, false, "holds one persona only"
	case len(out) > MaxRefs:
		return nil, false, "must name at most 50 personas"
	case !f.Multiple:
		return out[0], false, ""
	}
	return out, false, ""
}

// RefIDs returns the persona IDs a persona reference value names (none for
// another kind of field or an empty value).
func RefIDs(f Field, v any) []string {
	if f.Kind != KindPersona || v == nil {
		return nil
	}
	if s, ok := v.(string); ok {
		if s == "" {
			return nil
		}
		return []string{s}
	}
	l, _ := stringList(v)
	return l
}

// Ref is one reference from a persona's field to another persona.
type Ref struct {
	FieldKey   string `json:"field"`
	FieldLabel string `json:"field_label"`
	TargetID   string `json:"persona_id"`
}

// RefsOf lists the references values hold under def, in template order.
func RefsOf(def Definition, values Values) []Ref {
	var out []Ref
	for _, s := range def.Sections {
		for _, f := range s.Fields {
			for _, id := range RefIDs(f, values[f.Key]) {
				out = append(out, Ref{FieldKey: f.Key, FieldLabel: f.Label, TargetID: id})
			}
		}
	}
	return out
}

// AllowsType reports whether a persona reference field may point at a
// persona of type t.
func (f Field) AllowsType(t ProfileType) bool {
	return len(f.ProfileTypes) == 0 || slices.Contains(f.ProfileTypes, t)
}

// AllowedTypesText is the field's allowed target types in words ("a UX
// persona or a customer archetype"; "any persona").
func (f Field) AllowedTypesText() string {
	if len(f.ProfileTypes) == 0 {
		return "any persona"
	}
	names := make([]string, len(f.ProfileTypes))
	for i, t := range f.ProfileTypes {
		names[i] = article(t.Label())
	}
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// WithArticle is the type's label after "a" or "an" ("an AI agent").
func (t ProfileType) WithArticle() string { return article(t.Label()) }

// article puts "a" or "an" before a profile type's label, lower-casing
// a capital that does not start an abbreviation ("a customer archetype",
// "a UX persona", "an AI agent").
func article(label string) string {
	if len(label) < 2 {
		return label
	}
	if label[1] >= 'a' && label[1] <= 'z' {
		label = strings.ToLower(label[:1]) + label[1:]
	}
	switch {
	case strings.HasPrefix(label, "UX"):
		return "a " + label
	case strings.ContainsRune("aeiouAEIOU", rune(label[0])):
		return "an " + label
	}
	return "a " + label
}

// RefName is what a reference shows for a target: its name, "(in trash)"
// after it when it is in the trash, and "deleted persona" when it is gone.
type RefName struct {
	Name    string
	Trashed bool
	Gone    bool
}

// Text is the reference's target in words.
func (n RefName) Text() string {
	switch {
	case n.Gone:
		return "deleted persona"
	case n.Trashed:
		return n.Name + " (in trash)"
	}
	return n.Name
}

// RefText is a reference value in words: its targets' names joined with
// commas (names looked up in names; a missing one reads "deleted persona").
func RefText(f Field, v any, names map[string]RefName) string {
	ids := RefIDs(f, v)
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		n, ok := names[id]
		if !ok {
			n = RefName{Gone: true}
		}
		out = append(out, n.Text())
	}
	return strings.Join(out, ", ")
}
