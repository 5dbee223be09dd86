package persona

import (
	"maps"
	"reflect"
	"slices"
)

// ContentDelta is the change from one Content to the next: what a
// revision stored as a delta holds instead of the whole content (the store
// keeps a full snapshot every few revisions and deltas between them).
//
// It reads like a JSON merge patch with explicit removals: a scalar field
// is present only when it changed, and carries its new value; a map
// (values, dimensions, retired values) is present only when it changed,
// with the keys whose value is new or changed in "set" and the keys that
// are gone in "del". A map that became nil has "nil": true; a map present
// with nothing set or removed turns a nil map into an empty one. Applying
// the delta of a to b to a gives b exactly (ApplyDelta(a, DiffContent(a,
// b)) equals b, nil and empty maps included).
type ContentDelta struct {
	Name               *string   `json:"name,omitempty"`
	Summary            *string   `json:"summary,omitempty"`
	GroupID            *string   `json:"group_id,omitempty"`
	Status             *Status   `json:"status,omitempty"`
	OwnerID            *string   `json:"owner_id,omitempty"`
	TemplateVersion    *int      `json:"template_version,omitempty"`
	Values             *MapDelta `json:"values,omitempty"`
	Dimensions         *MapDelta `json:"dimensions,omitempty"`
	Retired            *MapDelta `json:"retired,omitempty"`
	LastReviewedOn     *string   `json:"last_reviewed_on,omitempty"`
	ReviewIntervalDays *int      `json:"review_interval_days,omitempty"`
}

// MapDelta is the change of one Values map: the keys set (new or changed
// values) and the keys deleted, in sorted order; Nil says the map became
// nil (then nothing is set or deleted).
type MapDelta struct {
	Set Values   `json:"set,omitempty"`
	Del []string `json:"del,omitempty"`
	Nil bool     `json:"nil,omitempty"`
}

// IsEmpty reports whether d changes nothing.
func (d ContentDelta) IsEmpty() bool { return d == ContentDelta{} }

// DiffContent returns the delta that turns a into b. Values are compared
// with reflect.DeepEqual, so a value that is equal but of another Go type
// ([]any against []string) counts as changed: the delta is then larger,
// never wrong.
func DiffContent(a, b Content) ContentDelta {
	var d ContentDelta
	d.Name = diffScalar(a.Name, b.Name)
	d.Summary = diffScalar(a.Summary, b.Summary)
	d.GroupID = diffScalar(a.GroupID, b.GroupID)
	d.Status = diffScalar(a.Status, b.Status)
	d.OwnerID = diffScalar(a.OwnerID, b.OwnerID)
	d.TemplateVersion = diffScalar(a.TemplateVersion, b.TemplateVersion)
	d.LastReviewedOn = diffScalar(a.LastReviewedOn, b.LastReviewedOn)
	d.ReviewIntervalDays = diffScalar(a.ReviewIntervalDays, b.ReviewIntervalDays)
	d.Values = diffValues(a.Values, b.Values)
	d.Dimensions = diffValues(a.Dimensions, b.Dimensions)
	d.Retired = diffValues(a.Retired, b.Retired)
	return d
}

// ApplyDelta returns a changed by d. The result shares no map with a (a
// changed map is a new one, an unchanged one a shallow copy), so changing
// one revision's maps never changes another's; the values themselves
// (strings, slices) are shared.
func ApplyDelta(a Content, d ContentDelta) Content {
	c := a
	applyScalar(&c.Name, d.Name)
	applyScalar(&c.Summary, d.Summary)
	applyScalar(&c.GroupID, d.GroupID)
	applyScalar(&c.Status, d.Status)
	applyScalar(&c.OwnerID, d.OwnerID)
	applyScalar(&c.TemplateVersion, d.TemplateVersion)
	applyScalar(&c.LastReviewedOn, d.LastReviewedOn)
	applyScalar(&c.ReviewIntervalDays, d.ReviewIntervalDays)
	c.Values = applyValues(a.Values, d.Values)
	c.Dimensions = applyValues(a.Dimensions, d.Dimensions)
	c.Retired = applyValues(a.Retired, d.Retired)
	return c
}

func diffScalar[T comparable](a, b T) *T {
	if a == b {
		return nil
	}
	return &b
}

func applyScalar[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

func diffValues(a, b Values) *MapDelta {
	switch {
	case a == nil && b == nil:
		return nil
	case b == nil:
		return &MapDelta{Nil: true}
	case a == nil:
		return &MapDelta{Set: maps.Clone(b)}
	}
	var m MapDelta
	for k, bv := range b {
		if av, ok := a[k]; !ok || !reflect.DeepEqual(av, bv) {
			if m.Set == nil {
				m.Set = Values{}
			}
			m.Set[k] = bv
		}
	}
	for k := range a {
		if _, ok := b[k]; !ok {
			m.Del = append(m.Del, k)
		}
	}
	if m.Set == nil && m.Del == nil {
		return nil
	}
	slices.Sort(m.Del)
	return &m
}

func applyValues(a Values, d *MapDelta) Values {
	switch {
	case d == nil:
		return maps.Clone(a) // nil stays nil
	case d.Nil:
		return nil
	}
	out := make(Values, len(a)+len(d.Set))
	maps.Copy(out, a)
	for _, k := range d.Del {
		delete(out, k)
	}
	maps.Copy(out, d.Set)
	return out
}
