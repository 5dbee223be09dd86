package persona

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func mark(s string) string {
	return strings.NewReplacer("[", SnippetOpen, "]", SnippetClose).Replace(s)
}

func TestSnippet(t *testing.T) {
	long := "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen audit nineteen twenty"
	tests := []struct {
		name  string
		terms []string
		texts []string
		want  string
	}{
		{"match in the name", []string{"ana"}, []string{"Ana the Analyst", "", ""}, "[Ana] the [Analyst]"},
		{"prefix and case", []string{"recon"}, []string{"Bob", "Month-end Reconciliation pain", ""}, "Month-end [Reconciliation] pain"},
		{"a late match fills the window from before it", []string{"audit"}, []string{"", "", long},
			"…six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen [audit] nineteen twenty"},
		{"a match in the middle starts two words before it", []string{"audit"}, []string{long + " " + long},
			"…seventeen eighteen [audit] nineteen twenty one two three four five six seven eight nine ten eleven…"},
		{"more distinct terms win over an earlier text", []string{"audit", "trail"},
			[]string{"Audit lead", "", "needs an audit trail for every change"}, "needs an [audit] [trail] for every change"},
		{"no match shows the start", []string{"zzz"}, []string{"", "Summary here", "text"}, "Summary here"},
		{"cut at the end", []string{"one"}, []string{long},
			"[one] two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen…"},
		{"markers in the text are neutralised", []string{"x"}, []string{"a\x02b x\x03"}, "a b [x]"},
		{"nothing", []string{"a"}, []string{"", ""}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Snippet(tt.terms, tt.texts...); got != mark(tt.want) {
				t.Errorf("Snippet = %q, want %q", got, mark(tt.want))
			}
		})
	}
}

func TestSearchWordsAgreeWithSearchTerms(t *testing.T) {
	for _, s := range []string{"Month-end RECONCILIATION", "café crème", "a\u0301bc \u0301x", "日本語 テキスト", "x\xffy", "don't stop"} {
		words := SearchWords(s)
		terms := SearchTerms(s)
		// The terms are the de-duplicated words (cut to the rune limit).
		seen := map[string]bool{}
		var dedup []string
		for _, w := range words {
			if !seen[w] {
				seen[w] = true
				dedup = append(dedup, w)
			}
			if !utf8.ValidString(w) {
				t.Errorf("SearchWords(%q) gave invalid UTF-8 %q", s, w)
			}
		}
		if strings.Join(dedup, "|") != strings.Join(terms, "|") {
			t.Errorf("SearchWords(%q) = %q, SearchTerms = %q", s, words, terms)
		}
	}
}

func FuzzSnippet(f *testing.F) {
	f.Add("audit trail", "Name", "summary", "the audit trail text")
	f.Add("\x02", "\x02\x03", "\xff", "")
	f.Fuzz(func(t *testing.T, q, a, b, c string) {
		got := Snippet(SearchTerms(q), a, b, c)
		if strings.Count(got, SnippetOpen) != strings.Count(got, SnippetClose) {
			t.Errorf("unbalanced markers in %q", got)
		}
		if utf8.ValidString(a) && utf8.ValidString(b) && utf8.ValidString(c) && !utf8.ValidString(got) {
			t.Errorf("invalid UTF-8 snippet %q", got)
		}
	})
}

// BenchmarkSnippet: the snippet of one search hit with a long search text
// (every returned hit pays it).
func BenchmarkSnippet(b *testing.B) {
	text := strings.Repeat("Month-end reconciliation takes three days of spreadsheet work; ", 40) + "the audit trail is missing."
	b.Run("late match", func(b *testing.B) {
		terms := SearchTerms("audit trail")
		b.ReportAllocs()
		for b.Loop() {
			Snippet(terms, "Ana the Analyst", "Finance lead at a mid-size firm", text)
		}
	})
	b.Run("early match", func(b *testing.B) {
		terms := SearchTerms("spreadsheet")
		b.ReportAllocs()
		for b.Loop() {
			Snippet(terms, "Ana the Analyst", "Finance lead at a mid-size firm", text)
		}
	})
}
