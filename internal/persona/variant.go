package persona

import (
	"maps"
	"slices"
	"strings"
	"time"
)

// A customer variant adapts one persona to one customer type without copying
// it: it stores only the fields and dimensions that differ for that customer,
// plus notes saying what changes. Everything it does not override follows
// the base persona automatically.
//
// Overrides replace whole values: overriding a list field replaces the list
// (items are not merged), so the effective list is exactly the override.

// VariantContent is what a variant stores and what each of its revisions
// records.
type VariantContent struct {
	// The customer type: an archetype persona of the same organisation, or a
	// plain label where no archetype exists yet. Exactly one is set.
	CustomerID    string `json:"customer_id,omitempty"`
	CustomerLabel string `json:"customer_label,omitempty"`
	// Note is the overall "what changes" note.
	Note string `json:"note,omitempty"`
	// Values and Dimensions are the overrides, keyed like the base's.
	Values     Values `json:"values"`
	Dimensions Values `json:"dimensions"`
	// FieldNotes explain single overrides, keyed by path ("values.<key>" or
	// "dimensions.<key>").
	FieldNotes map[string]string `json:"field_notes,omitempty"`
	// BaseAtOverride remembers, per overridden path, the base's value when
	// the override was made or last confirmed. A base that differs from it
	// now is "changed since override".
	BaseAtOverride Values `json:"base_at_override,omitempty"`
}

// Variant is a stored customer variant of a persona.
type Variant struct {
	ID        string `json:"id"`
	OrgID     string `json:"-"`
	PersonaID string `json:"persona_id"`
	VariantContent
	Revision  int        `json:"revision"`
	CreatedAt time.Time  `json:"created_at"`
	CreatedBy string     `json:"created_by"`
	UpdatedAt time.Time  `json:"updated_at"`
	UpdatedBy string     `json:"updated_by"`
	DeletedAt *time.Time `json:"deleted_at,omitempty"`
	DeletedBy string     `json:"deleted_by,omitempty"`
}

// VariantRevision is one saved state of a variant.
type VariantRevision struct {
	VariantID string         `json:"variant_id"`
	OrgID     string         `json:"-"`
	Number    int            `json:"revision"`
	AuthorID  string         `json:"author_id"`
	CreatedAt time.Time      `json:"created_at"`
	Message   string         `json:"message,omitempty"`
	Content   VariantContent `json:"content"`
}

// Limits for variant text.
const (
	MaxVariantNoteLength = 10000
	MaxCustomerLabel     = 200
)

// Effective returns the base content with the variant's overrides applied.
// The base is not modified.
func Effective(base Content, v VariantContent) Content {
	out := base
	out.Values = maps.Clone(base.Values)
	if out.Values == nil {
		out.Values = Values{}
	}
	out.Dimensions = maps.Clone(base.Dimensions)
	if out.Dimensions == nil {
		out.Dimensions = Values{}
	}
	maps.Copy(out.Values, v.Values)
	maps.Copy(out.Dimensions, v.Dimensions)
	return out
}

// OverridePaths lists the variant's overridden paths ("values.<key>",
// "dimensions.<key>"), sorted.
func (v VariantContent) OverridePaths() []string {
	paths := make([]string, 0, len(v.Values)+len(v.Dimensions))
	for k := range v.Values {
		paths = append(paths, "values."+k)
	}
	for k := range v.Dimensions {
		paths = append(paths, "dimensions."+k)
	}
	slices.Sort(paths)
	return paths
}

// baseValue reads the base's value at an override path.
func baseValue(base Content, path string) any {
	if k, ok := strings.CutPrefix(path, "values."); ok {
		return base.Values[k]
	}
	if k, ok := strings.CutPrefix(path, "dimensions."); ok {
		return base.Dimensions[k]
	}
	return nil
}

func overrideValue(v VariantContent, path string) (any, bool) {
	if k, ok := strings.CutPrefix(path, "values."); ok {
		x, ok := v.Values[k]
		return x, ok
	}
	if k, ok := strings.CutPrefix(path, "dimensions."); ok {
		x, ok := v.Dimensions[k]
		return x, ok
	}
	return nil, false
}

// BaseChanged lists the overridden paths whose base value differs from the
// one recorded when the override was made or confirmed, sorted.
func BaseChanged(base Content, v VariantContent) []string {
	var changed []string
	for _, p := range v.OverridePaths() {
		if !sameJSON(normalEmpty(baseValue(base, p)), normalEmpty(v.BaseAtOverride[p])) {
			changed = append(changed, p)
		}
	}
	return changed
}

// normalEmpty treats every empty value alike, so a base field that was and
// is empty does not count as changed.
func normalEmpty(v any) any {
	if isEmptyValue(v) {
		return nil
	}
	return v
}

// RecordBase sets next.BaseAtOverride: a new or changed override records the
// base as it is now; an unchanged one keeps what prev recorded, unless its
// path is in confirm (the user saw the base change and keeps the override).
// Paths no longer overridden are forgotten.
func RecordBase(base Content, next *VariantContent, prev VariantContent, confirm []string) {
	rec := Values{}
	for _, p := range next.OverridePaths() {
		now, _ := overrideValue(*next, p)
		before, had := overrideValue(prev, p)
		if !had || !sameJSON(now, before) || slices.Contains(confirm, p) {
			rec[p] = normalEmpty(baseValue(base, p))
		} else {
			rec[p] = prev.BaseAtOverride[p] // nil: the base was empty then
		}
	}
	for p, v := range rec {
		if v == nil {
			delete(rec, p)
		}
	}
	if len(rec) == 0 {
		rec = nil
	}
	next.BaseAtOverride = rec
}

// ValidateVariant validates v against the base persona's template version
// and normalises it in place like ValidateContent: overrides are checked as
// field and dimension values (an empty override is dropped: to differ from
// the base, a variant must say something), notes trimmed. Required fields
// need not be overridden. The customer (ID or label) is checked for presence
// only; whether the ID names an archetype is the caller's to check.
func ValidateVariant(def Definition, v *VariantContent) error {
	var errs []FieldError
	add := func(path, msg string) { errs = append(errs, FieldError{Field: path, Message: msg}) }

	v.CustomerID = strings.TrimSpace(v.CustomerID)
	v.CustomerLabel = strings.TrimSpace(v.CustomerLabel)
	switch {
	case v.CustomerID == "" && v.CustomerLabel == "":
		add("customer", "choose a customer archetype or give a customer type label")
	case v.CustomerID != "" && v.CustomerLabel != "":
		add("customer", "give either a customer archetype or a label, not both")
	case v.CustomerLabel != "":
		if msg := LineProblem(v.CustomerLabel, MaxCustomerLabel); msg != "" {
			add("customer_label", msg)
		}
	}
	v.Note = CleanText(v.Note)
	if msg := TextProblem(v.Note, MaxVariantNoteLength); msg != "" && v.Note != "" {
		add("note", msg)
	}
	if v.Values == nil {
		v.Values = Values{}
	}
	if v.Dimensions == nil {
		v.Dimensions = Values{}
	}
	for _, k := range SortedKeys(v.Values) {
		f, ok := def.Field(k)
		if !ok {
			add("values."+safePath(k), "unknown field")
			continue
		}
		out, empty, msg := normaliseValue(f, v.Values[k])
		switch {
		case msg != "":
			add("values."+k, msg)
		case empty:
			delete(v.Values, k)
		default:
			v.Values[k] = out
		}
	}
	for _, k := range SortedKeys(v.Dimensions) {
		d, ok := def.Dimension(k)
		if !ok {
			add("dimensions."+safePath(k), "unknown dimension")
			continue
		}
		out, empty, msg := normaliseDimension(d, v.Dimensions[k])
		switch {
		case msg != "":
			add("dimensions."+k, msg)
		case empty:
			delete(v.Dimensions, k)
		default:
			v.Dimensions[k] = out
		}
	}
	for _, p := range SortedKeys(v.FieldNotes) {
		note := CleanText(v.FieldNotes[p])
		if note == "" {
			delete(v.FieldNotes, p)
			continue
		}
		if _, ok := overrideValue(*v, p); !ok {
			add("field_notes."+safePath(p), "explains a field this variant does not override")
			continue
		}
		if msg := TextProblem(note, MaxVariantNoteLength); msg != "" {
			add("field_notes."+p, msg)
			continue
		}
		v.FieldNotes[p] = note
	}
	if len(v.FieldNotes) == 0 {
		v.FieldNotes = nil
	}
	return Invalid("invalid variant", errs)
}

// SortedKeys returns the keys of m in order.
func SortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
