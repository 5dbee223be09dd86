package persona

import (
	"maps"
	"slices"
	"strings"
)

// RetiredDimensionPrefix marks a retired dimension value among the retired
// values: "dimension:<key>".
const RetiredDimensionPrefix = "dimension:"

// UpgradeResult is what moving a persona's content to another template
// version gives.
type UpgradeResult struct {
	Content  Content      `json:"content"`
	Retired  []string     `json:"retired"`  // keys moved into retired
	Revived  []string     `json:"revived"`  // retired keys brought back because the new version has them again
	Problems []FieldError `json:"problems"` // what the new version refuses; empty when the upgrade can be saved
}

// Upgrade maps content c onto template version toVersion with definition to.
// Fields and dimensions are mapped by key. Values of fields the new version
// lacks move into Retired (never dropped); retired values whose field exists
// again come back. Dimensions are treated the same way, retired under
// "dimension:<key>". The result is then validated against to: Content is
// normalised where valid, values the new version refuses stay in place and
// are listed in Problems. c itself is not modified.
func Upgrade(c Content, to Definition, toVersion int) UpgradeResult {
	out := c
	out.Values = maps.Clone(c.Values)
	out.Dimensions = maps.Clone(c.Dimensions)
	out.Retired = maps.Clone(c.Retired)
	if out.Values == nil {
		out.Values = Values{}
	}
	if out.Dimensions == nil {
		out.Dimensions = Values{}
	}
	if out.Retired == nil {
		out.Retired = Values{}
	}
	out.TemplateVersion = toVersion

	res := UpgradeResult{Retired: []string{}, Revived: []string{}, Problems: []FieldError{}}

	fields := map[string]bool{}
	for _, k := range to.FieldKeys() {
		fields[k] = true
	}
	dims := map[string]bool{}
	for _, d := range to.Dimensions {
		dims[d.Key] = true
	}

	// Bring back first, so that a value retired now is never confused
	// with one retired earlier.
	for _, rk := range slices.Sorted(maps.Keys(out.Retired)) {
		target, key := out.Values, rk
		known := fields[rk]
		if k, ok := strings.CutPrefix(rk, RetiredDimensionPrefix); ok {
			target, key, known = out.Dimensions, k, dims[k]
		}
		if !known {
			continue
		}
		if cur, ok := target[key]; !ok || isEmptyValue(cur) {
			target[key] = out.Retired[rk]
			res.Revived = append(res.Revived, rk)
		}
		// A current value wins over a stale retired one.
		delete(out.Retired, rk)
	}
	for _, k := range slices.Sorted(maps.Keys(out.Values)) {
		if fields[k] {
			continue
		}
		if !isEmptyValue(out.Values[k]) {
			out.Retired[k] = out.Values[k]
			res.Retired = append(res.Retired, k)
		}
		delete(out.Values, k)
	}
	for _, k := range slices.Sorted(maps.Keys(out.Dimensions)) {
		if dims[k] {
			continue
		}
		if !isEmptyValue(out.Dimensions[k]) {
			rk := RetiredDimensionPrefix + k
			out.Retired[rk] = out.Dimensions[k]
			res.Retired = append(res.Retired, rk)
		}
		delete(out.Dimensions, k)
	}
	slices.Sort(res.Retired)
	slices.Sort(res.Revived)

	if err := ValidateContent(to, &out); err != nil {
		if e, ok := AsError(err); ok {
			res.Problems = append(res.Problems, e.Fields...)
		}
	}
	res.Content = out
	return res
}
