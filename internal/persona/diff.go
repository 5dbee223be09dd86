package persona

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
)

// Change kinds.
const (
	ChangeAdded   = "added"
	ChangeRemoved = "removed"
	ChangeChanged = "changed"
)

// Change is one difference between two contents of a persona.
type Change struct {
	Path         string   `json:"path"` // "name", "values.goals", "dimensions.autonomy", "retired.old_key"
	Label        string   `json:"label,omitempty"`
	Kind         string   `json:"kind"` // "added" | "removed" | "changed"
	Before       any      `json:"before,omitempty"`
	After        any      `json:"after,omitempty"`
	AddedItems   []string `json:"added_items,omitempty"`
	RemovedItems []string `json:"removed_items,omitempty"`
}

// Diff lists field-by-field what changed from a to b: the top-level
// properties first, then values in template order (keys def lacks sorted at
// the end), then dimensions likewise, then retired values sorted by key.
// Values are compared by their JSON encoding, so []any{"x"} equals
// []string{"x"} and float64(3) equals int(3). For lists, AddedItems and
// RemovedItems say which items came and went.
func Diff(def Definition, a, b Content) []Change {
	changes := []Change{}
	top := func(path, label string, x, y any) {
		if c, ok := diffValue(path, label, x, y); ok {
			changes = append(changes, c)
		}
	}
	top("name", "Name", str(a.Name), str(b.Name))
	top("summary", "Summary", str(a.Summary), str(b.Summary))
	top("status", "Status", str(string(a.Status)), str(string(b.Status)))
	top("group_id", "Group", str(a.GroupID), str(b.GroupID))
	top("owner_id", "Owner", str(a.OwnerID), str(b.OwnerID))
	top("template_version", "Template version", num(a.TemplateVersion), num(b.TemplateVersion))
	top("last_reviewed_on", "Last reviewed", str(a.LastReviewedOn), str(b.LastReviewedOn))
	top("review_interval_days", "Review interval (days)", num(a.ReviewIntervalDays), num(b.ReviewIntervalDays))

	fieldLabel := func(k string) string {
		if f, ok := def.Field(k); ok && f.Label != "" {
			return f.Label
		}
		return k
	}
	dimLabel := func(k string) string {
		if d, ok := def.Dimension(k); ok && d.Label != "" {
			return d.Label
		}
		return k
	}
	var dimKeys []string
	for _, d := range def.Dimensions {
		dimKeys = append(dimKeys, d.Key)
	}
	diffMap := func(prefix string, order []string, x, y Values, label func(string) string) {
		for _, k := range orderedKeys(order, x, y) {
			if c, ok := diffValue(prefix+k, label(k), x[k], y[k]); ok {
				changes = append(changes, c)
			}
		}
	}
	diffMap("values.", def.FieldKeys(), a.Values, b.Values, fieldLabel)
	diffMap("dimensions.", dimKeys, a.Dimensions, b.Dimensions, dimLabel)
	diffMap("retired.", nil, a.Retired, b.Retired, fieldLabel)
	return changes
}

func str(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func num(n int) any {
	if n == 0 {
		return nil
	}
	return n
}

// orderedKeys returns the keys of order present in x or y, in that order,
// then every other key of x and y, sorted.
func orderedKeys(order []string, x, y Values) []string {
	var keys []string
	inOrder := map[string]bool{}
	for _, k := range order {
		inOrder[k] = true
		_, inX := x[k]
		_, inY := y[k]
		if inX || inY {
			keys = append(keys, k)
		}
	}
	var rest []string
	for _, m := range []Values{x, y} {
		for k := range m {
			if !inOrder[k] && !slices.Contains(rest, k) {
				rest = append(rest, k)
			}
		}
	}
	slices.Sort(rest)
	return append(keys, rest...)
}

func diffValue(path, label string, x, y any) (Change, bool) {
	ex, ey := isEmptyValue(x), isEmptyValue(y)
	c := Change{Path: path, Label: label}
	switch {
	case ex && ey:
		return c, false
	case ex:
		c.Kind, c.After = ChangeAdded, y
	case ey:
		c.Kind, c.Before = ChangeRemoved, x
	default:
		if sameJSON(x, y) {
			return c, false
		}
		c.Kind, c.Before, c.After = ChangeChanged, x, y
	}
	lx, okx := listItems(x, ex)
	ly, oky := listItems(y, ey)
	if okx && oky {
		c.AddedItems = missingFrom(ly, lx)
		c.RemovedItems = missingFrom(lx, ly)
	}
	return c, true
}

// listItems returns v as a list of strings; an empty value is an empty list.
func listItems(v any, empty bool) ([]string, bool) {
	if empty {
		return nil, true
	}
	return stringList(v)
}

// missingFrom returns the items of xs (in order, once each) that ys lacks.
func missingFrom(xs, ys []string) []string {
	var out []string
	for _, x := range xs {
		if !slices.Contains(ys, x) && !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

func isEmptyValue(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case []string:
		return len(x) == 0
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
}

func sameJSON(x, y any) bool {
	return bytes.Equal(encodeForCompare(x), encodeForCompare(y))
}

func encodeForCompare(v any) []byte {
	if f, ok := v.(float64); ok && (math.IsNaN(f) || math.IsInf(f, 0)) {
		return []byte(strconv.FormatFloat(f, 'g', -1, 64)) // JSON cannot say these
	}
	b, err := json.Marshal(v)
	if err != nil {
		return []byte(fmt.Sprintf("%T:%#v", v, v))
	}
	return b
}
