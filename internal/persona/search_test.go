package persona

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func TestSearchText(t *testing.T) {
	c := Content{
		Name: "Not indexed here",
		Values: Values{
			"zeta":  "last",
			"alpha": []string{"one", "", "two"},
			"mid":   []any{"three", 4.0},
			"num":   12.0,
			"blank": "  ",
			"ctl":   "a\x02b\x03c",
		},
		Dimensions: Values{"technical_comfort": 3.0, "buying_role": "user"},
		Retired:    Values{"old": "retired text", "dimension:x": 2.0},
	}
	want := "one\ntwo\na b c\nthree\nlast\nretired text"
	if got := SearchText(c); got != want {
		t.Errorf("SearchText = %q, want %q", got, want)
	}
	if got := SearchText(Content{}); got != "" {
		t.Errorf("empty content gives %q", got)
	}
}

func TestSearchTerms(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", []string{}},
		{"   ", []string{}},
		{"Reconciliation audit-trail", []string{"reconciliation", "audit", "trail"}},
		{`"exact phrase"`, []string{"exact", "phrase"}},
		{"recon*", []string{"recon"}},
		{"a AND(b OR c)", []string{"a", "and", "b", "or", "c"}},
		{"'; DROP TABLE personas; --", []string{"drop", "table", "personas"}},
		{"NEAR(x y, 3) ^col: -not +must", []string{"near", "x", "y", "3", "col", "not", "must"}},
		{"name:foo {bar} [baz] \\qux", []string{"name", "foo", "bar", "baz", "qux"}},
		{"Ärztin MÜNCHEN", []string{"arztin", "munchen"}},
		{"Łódź Nguyễn Thị Straße ǅemal ﬁle Ｆｕｌｌ", []string{"lodz", "nguyen", "thi", "strasse", "dzemal", "file", "full"}},
		{"Ольга ЙОД Ёлка", []string{"ольга", "йод", "ёлка"}},
		{"がっこう شَمْس שָׁלוֹם", []string{"がっこう", "شمس", "שלום"}},
		{"日本銀行 東京", []string{"日本銀行", "東京"}},
		{"Δ-Team ΣΊΣΥΦΟΣ", []string{"δ", "team", "σισυφοσ"}},
		{"nurse Nurse NURSE nurses", []string{"nurse", "nurses"}},
		{"a\x00b\x02c", []string{"a", "b", "c"}},
		{"bad\xffutf8", []string{"bad", "utf8"}},
		{"1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18", []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16"}},
		{strings.Repeat("x", 70), []string{strings.Repeat("x", 64)}},
		{strings.Repeat("é", 70), []string{strings.Repeat("e", 64)}},
		{strings.Repeat("й", 70), []string{strings.Repeat("й", 64)}},
	}
	for _, tt := range tests {
		got := SearchTerms(tt.in)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("SearchTerms(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestHighlightSnippet(t *testing.T) {
	o, c := SnippetOpen, SnippetClose
	tests := []struct {
		in   string
		want []SnippetPart
	}{
		{"", []SnippetPart{}},
		{"plain", []SnippetPart{{"plain", false}}},
		{"the " + o + "audit" + c + " trail", []SnippetPart{{"the ", false}, {"audit", true}, {" trail", false}}},
		{o + "a" + c + o + "b" + c, []SnippetPart{{"ab", true}}},
		{"x " + o + "open to the end", []SnippetPart{{"x ", false}, {"open to the end", true}}},
		{"stray " + c + "close", []SnippetPart{{"stray close", false}}},
		{o + o + "double" + c + c + " after", []SnippetPart{{"double", true}, {" after", false}}},
		{o + c, []SnippetPart{}},
		{"<b>&amp;" + o + "<i>" + c, []SnippetPart{{"<b>&amp;", false}, {"<i>", true}}},
	}
	for _, tt := range tests {
		got := HighlightSnippet(tt.in)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("HighlightSnippet(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestPlainSnippet(t *testing.T) {
	in := "a " + SnippetOpen + "b" + SnippetClose + " c" + SnippetClose
	if got := PlainSnippet(in); got != "a b c" {
		t.Errorf("PlainSnippet = %q", got)
	}
}

func FuzzSearchTerms(f *testing.F) {
	for _, s := range []string{"", "reconciliation audit", `"quoted" OR x*`, "'; DROP TABLE personas; --", "NEAR(a b)", "Ärztin 日本", "\xff\x00", strings.Repeat("a b ", 30)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		terms := SearchTerms(q)
		if len(terms) > MaxSearchTerms {
			t.Fatalf("%d terms", len(terms))
		}
		seen := map[string]bool{}
		for _, term := range terms {
			if term == "" || !utf8.ValidString(term) || utf8.RuneCountInString(term) > MaxSearchTermRunes {
				t.Fatalf("bad term %q", term)
			}
			if seen[term] {
				t.Fatalf("duplicate term %q", term)
			}
			seen[term] = true
			for _, r := range term {
				if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r) {
					t.Fatalf("term %q holds %q", term, r)
				}
			}
		}
	})
}

func FuzzHighlightSnippet(f *testing.F) {
	f.Add("a " + SnippetOpen + "b" + SnippetClose + " c")
	f.Add(SnippetClose + SnippetOpen)
	f.Fuzz(func(t *testing.T, s string) {
		var b strings.Builder
		for _, p := range HighlightSnippet(s) {
			if p.Text == "" {
				t.Fatal("empty part")
			}
			b.WriteString(p.Text)
		}
		if b.String() != PlainSnippet(s) {
			t.Fatalf("parts %q, plain %q", b.String(), PlainSnippet(s))
		}
	})
}
