package persona

import (
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on what a search query is split into.
const (
	MaxSearchTerms     = 16
	MaxSearchTermRunes = 64
)

// SearchText flattens a persona's values, then its retired values, into one
// text for full-text indexing: every string and every list item, keys in
// sorted order, one per line. Numbers are left out. Control characters
// (which include the snippet markers) become spaces.
func SearchText(c Content) string {
	var lines []string
	for _, m := range []Values{c.Values, c.Retired} {
		for _, k := range slices.Sorted(maps.Keys(m)) {
			lines = appendStrings(lines, m[k])
		}
	}
	return strings.Join(lines, "\n")
}

func appendStrings(lines []string, v any) []string {
	switch x := v.(type) {
	case string:
		if s := cleanIndexText(x); s != "" {
			lines = append(lines, s)
		}
	case []string:
		for _, it := range x {
			lines = appendStrings(lines, it)
		}
	case []any:
		for _, it := range x {
			lines = appendStrings(lines, it)
		}
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(x)) {
			lines = appendStrings(lines, x[k])
		}
	}
	return lines
}

func cleanIndexText(s string) string {
	s = strings.ToValidUTF8(s, " ")
	s = strings.Map(func(r rune) rune {
		if r != '\n' && unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// SearchTerms splits user input into search terms: lower-cased runs of
// letters and digits (any script; combining marks stay with their letters).
// Everything else — quotes, operators, punctuation, SQL and FTS
// metacharacters — separates terms and is dropped. At most 16 terms of at
// most 64 runes each (longer ones are cut), de-duplicated, in input order.
// The result is safe to quote into any full-text query syntax.
func SearchTerms(q string) []string {
	terms := []string{}
	seen := map[string]bool{}
	q = strings.ToValidUTF8(q, " ")
	for _, f := range strings.FieldsFunc(q, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r)
	}) {
		f = strings.TrimLeftFunc(f, unicode.IsMark) // a term starts with a letter or digit
		if f == "" {
			continue
		}
		f = strings.ToLower(f)
		if utf8.RuneCountInString(f) > MaxSearchTermRunes {
			f = string([]rune(f)[:MaxSearchTermRunes])
		}
		if seen[f] {
			continue
		}
		seen[f] = true
		terms = append(terms, f)
		if len(terms) == MaxSearchTerms {
			break
		}
	}
	return terms
}

// SnippetPart is one run of a search snippet: matched or not.
type SnippetPart struct {
	Text  string `json:"text"`
	Match bool   `json:"match"`
}

// HighlightSnippet splits a snippet marked with SnippetOpen and SnippetClose
// into parts, so that an edge can escape each part and highlight the
// matches. Unbalanced markers do no harm: an open marker starts a match, a
// close marker ends it, repeated markers are ignored, and a match left open
// runs to the end. Empty parts are left out; neighbours of the same kind are
// merged.
func HighlightSnippet(s string) []SnippetPart {
	parts := []SnippetPart{}
	var cur strings.Builder
	match := false
	flush := func() {
		if cur.Len() == 0 {
			return
		}
		if n := len(parts); n > 0 && parts[n-1].Match == match {
			parts[n-1].Text += cur.String()
		} else {
			parts = append(parts, SnippetPart{Text: cur.String(), Match: match})
		}
		cur.Reset()
	}
	for i := 0; i < len(s); i++ { // the markers are single bytes
		switch s[i] {
		case SnippetOpen[0]:
			flush()
			match = true
		case SnippetClose[0]:
			flush()
			match = false
		default:
			cur.WriteByte(s[i])
		}
	}
	flush()
	return parts
}

// PlainSnippet removes the match markers from a snippet.
func PlainSnippet(s string) string {
	return strings.NewReplacer(SnippetOpen, "", SnippetClose, "").Replace(s)
}

// EntryKind is a kind of searchable thing besides personas.
type EntryKind string

// Entry kinds.
const (
	EntryVariant  EntryKind = "variant"
	EntryNote     EntryKind = "note"
	EntryEvidence EntryKind = "evidence"
)

// SearchEntry is the indexed text of a variant, note or evidence item.
// PersonaID (and VariantID) tie it to what must be live for it to be found.
type SearchEntry struct {
	OrgID     string
	Kind      EntryKind
	RefID     string
	PersonaID string
	VariantID string
	Title     string
	Body      string
}

// EntryHit is a search result that is not a persona.
type EntryHit struct {
	Kind      EntryKind `json:"kind"`
	ID        string    `json:"id"`
	PersonaID string    `json:"persona_id,omitempty"`
	Title     string    `json:"title"`
	Snippet   string    `json:"snippet"`
	Rank      float64   `json:"rank"`
}
