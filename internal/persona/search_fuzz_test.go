package persona

import (
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// queryMeta are the characters with a meaning in FTS5 queries (quotes,
// column filters, prefix, initial-token, grouping, NEAR, boolean and
// exclusion operators) or in PostgreSQL tsquery syntax (& | ! <-> :* and
// quoting), plus what separates or ends a token.
const queryMeta = "\"'*^-+:&|!()<>{}[]\\/,.;=~`@#$%?\x00 \t\r\n"

// FuzzSearchQuery: any query splits into terms that are valid UTF-8 and
// hold no query metacharacter, are stable when split again, each start
// a word of the query, and give a snippet whose highlighted parts are
// valid UTF-8 and start with a term.
func FuzzSearchQuery(f *testing.F) {
	for _, s := range []struct{ q, text string }{
		{"reconciliation audit", "Month-end reconciliation needs an audit trail."},
		{`'; DROP TABLE personas; --`, "drop the table"},
		{`"NEAR(" * ^ - OR AND NOT`, "near or and not"},
		{`a & b | !c <-> d:* 'e'`, "a b c d e"},
		{`name:dana {name summary}: x`, "Dana name summary"},
		{"\xff\xfe x\xffy", "x y \xff"},
		{"Ärztin ÅSA straße İstanbul ǅ", "ärztin åsa STRASSE istanbul ǆ"},
		{"e\u0301cole \u0301x", "école ecole"},
		{"日本語 テキスト 😀", "日本語のテキスト"},
		{strings.Repeat("a", 300), strings.Repeat("a", 300)},
		{strings.Repeat("w ", 1<<19), strings.Repeat("w ", 1<<19)},
		{"\x02open\x03close", "\x02open\x03close"},
	} {
		f.Add(s.q, s.text)
	}
	f.Fuzz(func(t *testing.T, q, text string) {
		if tooBigToFuzz(len(q)+len(text), 1024) {
			return
		}
		terms := SearchTerms(q)
		if len(terms) > MaxSearchTerms {
			t.Fatalf("%d terms", len(terms))
		}
		words := SearchWords(strings.ToValidUTF8(q, " "))
		for _, term := range terms {
			if term == "" || !utf8.ValidString(term) || utf8.RuneCountInString(term) > MaxSearchTermRunes {
				t.Fatalf("bad term %q", term)
			}
			if i := strings.IndexAny(term, queryMeta); i >= 0 {
				t.Fatalf("term %q holds query metacharacter %q", term, term[i])
			}
			if strings.ContainsFunc(term, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) }) {
				t.Fatalf("term %q holds a control or space", term)
			}
			if !slices.ContainsFunc(words, func(w string) bool { return strings.HasPrefix(w, term) }) {
				t.Fatalf("term %q starts no word of %q (%q)", term, q, words)
			}
		}
		if again := SearchTerms(strings.Join(terms, " ")); !slices.Equal(again, terms) {
			t.Fatalf("terms %q split again give %q", terms, again)
		}

		snippet := Snippet(terms, text)
		for _, p := range HighlightSnippet(snippet) {
			if utf8.ValidString(text) && !utf8.ValidString(p.Text) {
				t.Fatalf("invalid UTF-8 part %q of %q", p.Text, snippet)
			}
			if strings.ContainsAny(p.Text, SnippetOpen+SnippetClose) {
				t.Fatalf("part %q holds a marker", p.Text)
			}
			if p.Match && !slices.ContainsFunc(terms, func(term string) bool { return strings.HasPrefix(FoldSearch(p.Text), term) }) {
				t.Fatalf("highlighted %q matches no term of %q", p.Text, terms)
			}
		}
	})
}
