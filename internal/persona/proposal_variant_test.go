package persona

import (
	"slices"
	"testing"
)

// MergeVariant3 merges overrides like Merge3 and reports the note as
// "note"; ResolveVariant applies choices by that path and keeps the
// variant's customer.
func TestMergeVariant3(t *testing.T) {
	def := Definition{Sections: []Section{{Key: "s", Fields: []Field{{Key: "quote", Label: "Quote", Kind: KindText}, {Key: "size", Label: "Size", Kind: KindNumber}}}}}
	base := VariantContent{CustomerLabel: "Night shift", Note: "Quiet", Values: Values{"quote": "Calm"}}
	current := VariantContent{CustomerLabel: "Night shift", Note: "Busy now", Values: Values{"quote": "Calm", "size": 3.0}}
	proposed := VariantContent{CustomerLabel: "Ignored", Note: "Busier", Values: Values{"quote": "Hectic"}}

	r := MergeVariant3(def, base, current, proposed)
	if len(r.Conflicts) != 1 || r.Conflicts[0].Path != "note" || r.Conflicts[0].Label != "What changes" {
		t.Fatalf("conflicts %+v", r.Conflicts)
	}
	if !slices.Equal(r.Applied, []string{"values.quote"}) {
		t.Errorf("applied %v", r.Applied)
	}
	if _, missing := r.ResolveVariant(current, nil); !slices.Equal(missing, []string{"note"}) {
		t.Errorf("missing %v", missing)
	}
	got, missing := r.ResolveVariant(current, map[string]Resolution{"note": ResolveProposed})
	if len(missing) != 0 || got.Note != "Busier" || got.Values["quote"] != "Hectic" || got.Values["size"] != 3.0 || got.CustomerLabel != "Night shift" {
		t.Errorf("resolved %+v (missing %v)", got, missing)
	}
	cs := VariantProposalChanges(def, base, proposed)
	var paths []string
	for _, c := range cs {
		paths = append(paths, c.Path)
	}
	if !slices.Equal(paths, []string{"note", "values.quote"}) {
		t.Errorf("changes %v", paths)
	}
}
