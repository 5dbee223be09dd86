package persona

import (
	"slices"
	"strings"
	"testing"
)

func spansText(ss []DiffSpan, skip string) string {
	var b strings.Builder
	for _, s := range ss {
		if s.Op != skip {
			b.WriteString(s.Text)
		}
	}
	return b.String()
}

func TestWordDiff(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		want []DiffSpan
	}{
		{"same", "Month end takes four days.", "Month end takes four days.",
			[]DiffSpan{{DiffEqual, "Month end takes four days."}}},
		{"an appended sentence is an insertion", "Month end takes four days.", "Month end takes four days. The bank wants two.",
			[]DiffSpan{{DiffEqual, "Month end takes four days."}, {DiffInsert, " The bank wants two."}}},
		{"one word replaced", "Month end takes four days.", "Month end takes two days.",
			[]DiffSpan{{DiffEqual, "Month end takes "}, {DiffDelete, "four"}, {DiffInsert, "two"}, {DiffEqual, " days."}}},
		{"a word removed in the middle", "Reviews every rule change by hand.", "Reviews every change by hand.",
			[]DiffSpan{{DiffEqual, "Reviews every "}, {DiffDelete, "rule "}, {DiffEqual, "change by hand."}}},
		{"neighbouring changes read as one replacement", "Every night the red cat report is checked by hand.", "Every night a blue dog report is checked by hand.",
			[]DiffSpan{{DiffEqual, "Every night "}, {DiffDelete, "the red cat"}, {DiffInsert, "a blue dog"}, {DiffEqual, " report is checked by hand."}}},
		{"from nothing", "", "New text.", []DiffSpan{{DiffInsert, "New text."}}},
		{"to nothing", "Old text.", "", []DiffSpan{{DiffDelete, "Old text."}}},
		{"accents and apostrophes stay in their words", "Zoë’s café opens", "Zoë’s café closes",
			[]DiffSpan{{DiffEqual, "Zoë’s café "}, {DiffDelete, "opens"}, {DiffInsert, "closes"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := WordDiff(tc.a, tc.b)
			if !slices.Equal(got, tc.want) {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
			if spansText(got, DiffInsert) != tc.a || spansText(got, DiffDelete) != tc.b {
				t.Errorf("the spans do not rebuild both texts: %q", got)
			}
		})
	}
}

// Long texts cost a bounded amount: the common start and end are found in
// linear time, and a middle too large to compare is replaced whole.
func TestWordDiffIsBounded(t *testing.T) {
	long := strings.Repeat("word ", 5000) // 10,000 tokens
	got := WordDiff(long, long+"And one more.")
	if len(got) != 2 || got[1] != (DiffSpan{DiffInsert, "And one more."}) {
		t.Fatalf("an appended sentence to a long text: %d spans, last %q", len(got), got[len(got)-1])
	}
	a := strings.Repeat("alpha beta ", 3000)
	b := strings.Repeat("gamma delta ", 3000)
	same := strings.Repeat("same words ", 7000)
	got = WordDiff(same+a+"End.", same+b+"End.")
	want := []DiffSpan{{DiffEqual, same}, {DiffDelete, strings.TrimSuffix(a, " ")}, {DiffInsert, strings.TrimSuffix(b, " ")}, {DiffEqual, " End."}}
	if !slices.Equal(got, want) {
		t.Fatalf("an oversized middle is not replaced whole: %d spans", len(got))
	}
}

func TestItemDiff(t *testing.T) {
	got := ItemDiff([]string{"Audit trail", "Month end", "Rule changes"}, []string{"Audit trail", "Rule changes", "Four-eyes checks"})
	want := []DiffSpan{{DiffEqual, "Audit trail"}, {DiffDelete, "Month end"}, {DiffEqual, "Rule changes"}, {DiffInsert, "Four-eyes checks"}}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := ItemDiff(nil, []string{"x"}); !slices.Equal(got, []DiffSpan{{DiffInsert, "x"}}) {
		t.Errorf("from no items: %q", got)
	}
}

// A rewrite that shares a word or two is the old text replaced, not a
// patchwork of struck-out and inserted words.
func TestWordDiffRewriteIsOneReplacement(t *testing.T) {
	a := "Owns the reconciliation platform inside a bank's operations department."
	b := "Keeps the ledger platform running at night"
	got := WordDiff(a, b)
	if want := []DiffSpan{{DiffDelete, a}, {DiffInsert, b}}; !slices.Equal(got, want) {
		t.Errorf("got %q", got)
	}
}
