package persona

// Variant proposals: a proposal may target one customer variant's
// overrides (its values, dimensions and "what changes" note). The merge
// and the diff are the persona ones over a content that holds the
// overrides, with the note in the summary's place, renamed "note".

// variantNotePath is where a variant proposal's note change is reported.
const variantNotePath = "note"

func variantAsContent(v VariantContent) Content {
	return Content{Summary: v.Note, Values: v.Values, Dimensions: v.Dimensions}
}

func renameNote(path string) string {
	if path == "summary" {
		return variantNotePath
	}
	return path
}

// VariantProposalChanges lists what a variant proposal changes against
// the variant's overrides (its base or current revision): an override
// added is "added", one removed (the field follows the base persona
// again) "removed".
func VariantProposalChanges(def Definition, against, proposed VariantContent) []Change {
	cs := Diff(def, variantAsContent(against), variantAsContent(proposed))
	for i := range cs {
		if cs[i].Path == "summary" {
			cs[i].Path, cs[i].Label = variantNotePath, "What changes"
		}
	}
	return cs
}

// MergeVariant3 merges proposed overrides (made from base) into the
// variant's current ones field by field, as Merge3 does for personas.
func MergeVariant3(def Definition, base, current, proposed VariantContent) MergeResult {
	r := Merge3(def, variantAsContent(base), variantAsContent(current), variantAsContent(proposed))
	for i := range r.Applied {
		r.Applied[i] = renameNote(r.Applied[i])
	}
	for i := range r.Conflicts {
		if r.Conflicts[i].Path == "summary" {
			r.Conflicts[i].Path, r.Conflicts[i].Label = variantNotePath, "What changes"
		}
	}
	return r
}

// ResolveVariant applies the choices to a MergeVariant3 result and
// returns current with the merged overrides (the customer, field notes
// and recorded bases stay current's); unresolved paths come back.
func (r MergeResult) ResolveVariant(current VariantContent, choices map[string]Resolution) (VariantContent, []string) {
	inner := r
	inner.Conflicts = make([]MergeConflict, len(r.Conflicts))
	copy(inner.Conflicts, r.Conflicts)
	for i := range inner.Conflicts {
		if inner.Conflicts[i].Path == variantNotePath {
			inner.Conflicts[i].Path = "summary"
		}
	}
	ch := make(map[string]Resolution, len(choices))
	for k, v := range choices {
		if k == variantNotePath {
			k = "summary"
		}
		ch[k] = v
	}
	c, missing := inner.Resolve(ch)
	for i := range missing {
		missing[i] = renameNote(missing[i])
	}
	out := current
	out.Note, out.Values, out.Dimensions = c.Summary, c.Values, c.Dimensions
	return out, missing
}
