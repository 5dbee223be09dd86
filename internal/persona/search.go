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
		// A persona reference's ID is no word anyone searches for.
		if s := cleanIndexText(x); s != "" && !ValidID(s) {
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

// SearchTerms splits user input into search terms: the runs of letters
// and digits (any script; combining marks stay with their letters) of the
// folded input (FoldSearch: lower case, Latin, Greek, Hebrew and Arabic
// diacritics removed, ł→l and the like), the form the index holds.
// Everything else — quotes, operators, punctuation, SQL and FTS
// metacharacters — separates terms and is dropped. At most 16 terms of at
// most 64 runes each (longer ones are cut), de-duplicated, in input order.
// The result is safe to quote into any full-text query syntax.
func SearchTerms(q string) []string {
	terms := []string{}
	seen := map[string]bool{}
	q = FoldSearch(strings.ToValidUTF8(q, " "))
	for _, span := range wordSpans(q) {
		f := q[span[0]:span[1]]
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

// isWordRune reports whether r belongs to a word: letters and digits of any
// script, and combining marks (which stay with their letters).
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

// wordSpans returns the byte offsets [start, end) of the words of s: runs
// of word runes, each starting with a letter or digit. Invalid UTF-8 bytes
// separate words.
func wordSpans(s string) [][2]int {
	spans := make([][2]int, 0, len(s)/6)
	sc := wordScanner{s: s}
	for {
		sp, ok := sc.next()
		if !ok {
			return spans
		}
		spans = append(spans, sp)
	}
}

// wordScanner reads the words of s one at a time.
type wordScanner struct {
	s string
	i int
}

// next returns the byte offsets [start, end) of the next word.
func (sc *wordScanner) next() ([2]int, bool) {
	s := sc.s
	start := -1
	for sc.i < len(s) {
		i := sc.i
		var word, mark bool
		size := 1
		if c := s[i]; c < utf8.RuneSelf {
			// ASCII, the common case, without decoding.
			word = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
		} else {
			var r rune
			r, size = utf8.DecodeRuneInString(s[i:])
			word = r != utf8.RuneError && isWordRune(r)
			mark = word && unicode.IsMark(r)
		}
		if word && start < 0 && !mark {
			start = i
		} else if !word && start >= 0 {
			return [2]int{start, i}, true
		}
		sc.i += size
	}
	if start >= 0 {
		return [2]int{start, len(s)}, true
	}
	return [2]int{}, false
}

// SearchWords returns the words of s folded (FoldSearch) and split by the
// rule SearchTerms splits queries with, so an index built from them agrees
// with the terms, on every engine.
func SearchWords(s string) []string {
	s = FoldSearch(strings.ToValidUTF8(s, " "))
	spans := wordSpans(s)
	words := make([]string, len(spans))
	for i, sp := range spans {
		words[i] = s[sp[0]:sp[1]]
	}
	return words
}

// snippetWords is how many words a snippet shows.
const snippetWords = 16

// Snippet returns the passage of texts (tried in order; e.g. name, summary,
// the rest) that best shows the search terms: snippetWords words starting
// two words before the first window holding the most distinct terms, each
// word that starts with a term marked with SnippetOpen/SnippetClose and "…"
// where the text was cut. Without any match it shows the start of the first
// non-empty text. Marker bytes inside the texts become spaces.
//
// It stops reading as soon as a window holds every term, so a hit whose
// name matches costs a few words, not its whole text.
func Snippet(terms []string, texts ...string) string {
	// Most words cannot match: only those whose first letter starts a term
	// are lower-cased and compared.
	firsts := map[rune]bool{}
	for _, term := range terms {
		if r, _ := utf8.DecodeRuneInString(term); r != utf8.RuneError {
			firsts[r] = true
		}
	}
	matchOf := func(word string) int {
		var w string
		if c := word[0]; c < utf8.RuneSelf {
			if !firsts[unicode.ToLower(rune(c))] {
				return -1
			}
			w = FoldSearch(word)
		} else {
			// Folding can change the first letter (Ł → l): fold first.
			w = FoldSearch(word)
			if r, _ := utf8.DecodeRuneInString(w); !firsts[r] {
				return -1
			}
		}
		for k, term := range terms {
			if strings.HasPrefix(w, term) {
				return k
			}
		}
		return -1
	}
	type window struct {
		text     string
		spans    [][2]int
		match    []int
		from, to int
		more     bool // words follow the window
	}
	var (
		best         window
		bestDistinct = -1
		fallback     *window
	)
	// consider scores the window starting at from in the words read so far.
	consider := func(w window) {
		seen := 0
		var mask uint64
		for _, k := range w.match[w.from:w.to] {
			if k >= 0 && k < 64 && mask&(1<<k) == 0 {
				mask |= 1 << k
				seen++
			}
		}
		if seen > bestDistinct {
			best, bestDistinct = w, seen
		}
	}
	for _, t := range texts {
		sc := wordScanner{s: t}
		var (
			spans   = make([][2]int, 0, 64)
			match   = make([]int, 0, cap(spans))
			pending []int // window starts waiting for their words
		)
		done := false
		for {
			sp, ok := sc.next()
			if !ok {
				break
			}
			spans = append(spans, sp)
			k := matchOf(t[sp[0]:sp[1]])
			match = append(match, k)
			if k >= 0 {
				pending = append(pending, max(0, len(spans)-1-2))
			}
			// A window is complete once the word after it is read.
			for len(pending) > 0 && len(spans) > pending[0]+snippetWords {
				from := pending[0]
				pending = pending[1:]
				consider(window{text: t, spans: spans, match: match, from: from, to: from + snippetWords, more: true})
				if bestDistinct == len(terms) {
					done = true
					break
				}
			}
			if done {
				break
			}
		}
		if done {
			break
		}
		for _, from := range pending {
			to := min(len(spans), from+snippetWords)
			consider(window{text: t, spans: spans, match: match, from: max(0, to-snippetWords), to: to})
			if bestDistinct == len(terms) {
				done = true
				break
			}
		}
		if done {
			break
		}
		if fallback == nil && len(spans) > 0 {
			fallback = &window{text: t, spans: spans, match: match, from: 0, to: min(len(spans), snippetWords), more: len(spans) > snippetWords}
		}
	}
	w := best
	if bestDistinct <= 0 {
		if fallback == nil {
			return ""
		}
		w = *fallback
	}
	var out strings.Builder
	if w.from > 0 {
		out.WriteString("…")
	}
	for wi := w.from; wi < w.to; wi++ {
		if wi > w.from {
			out.WriteString(markersToSpaces.Replace(w.text[w.spans[wi-1][1]:w.spans[wi][0]]))
		}
		word := markersToSpaces.Replace(w.text[w.spans[wi][0]:w.spans[wi][1]])
		if w.match[wi] >= 0 {
			out.WriteString(SnippetOpen + word + SnippetClose)
		} else {
			out.WriteString(word)
		}
	}
	if w.more {
		out.WriteString("…")
	}
	return out.String()
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
func PlainSnippet(s string) string { return unmarkSnippet.Replace(s) }

var (
	unmarkSnippet = strings.NewReplacer(SnippetOpen, "", SnippetClose, "")
	// markersToSpaces keeps marker bytes found in text out of a snippet.
	markersToSpaces = strings.NewReplacer(SnippetOpen, " ", SnippetClose, " ")
)

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
