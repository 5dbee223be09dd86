package persona

import (
	"cmp"
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Duplicate detection: personas drift into near-copies. Two personas look
// alike when their names are close and the text of the fields they both
// fill says much the same. Everything here is deterministic (no randomness,
// no map order in any answer) and does no I/O; the app feeds it the live
// personas of one organisation.
//
// Only personas of the same template are compared (only those can be
// merged). The score is in [0, 1]:
//
//   - name: the larger of the Sørensen-Dice coefficient of the trigrams of
//     the folded names (words sorted, so "Lead, System" matches "System
//     Lead") and the Jaccard index of their word sets;
//   - fields: for the summary and every value key both personas fill, the
//     two word sets (words of two letters or more, folded, common English
//     stop words left out) are compared: the common words over the
//     distinct words, summed over the fields (a Jaccard index weighted by
//     how many words each field holds);
//   - score = (1−w)·name + w·fields, where w is 0.6 once the shared fields
//     hold fieldConfidence distinct words between them, less below that
//     (so one agreeing choice does not make two personas alike, and two
//     empty drafts with the same name still do).
//
// A field agrees when its Jaccard index is at least FieldAgreement; the
// name agrees from 0.9. A pair is a likely duplicate at DuplicateThreshold
// or more.

const (
	// DuplicateThreshold is the score from which two personas are
	// reported as likely duplicates.
	DuplicateThreshold = 0.6
	// FieldAgreement is the per-field Jaccard index from which a field
	// is said to agree.
	FieldAgreement = 0.5
	// SummaryField is the key under which the summary is compared.
	SummaryField = "summary"

	// blockingTokens is how many of a persona's rarest words make its
	// candidate keys; blockingMaxShare bounds a word's posting list (a
	// word more common than that says nothing about duplicates).
	blockingTokens   = 8
	blockingMaxShare = 32
	// fieldConfidence is how many distinct words the shared fields must
	// hold between them for the fields to weigh fully (0.6); with fewer
	// the name weighs more, so one agreeing choice ("Healthcare") does not
	// make two personas alike.
	fieldConfidence = 6.0
)

// DupDoc is a persona prepared for comparison: its words, computed once.
// Words are kept as 64-bit FNV-1a hashes, sorted: comparing two sets is
// then a merge of integers, not of strings (a duplicates report scores
// thousands of pairs per organisation; an import checks every persona of
// its file). Two different words of one organisation sharing a hash is
// about as likely as one in 10^11 and would only nudge a score.
type DupDoc struct {
	ID         string
	Name       string
	TemplateID string
	nameKey    string     // folded name tokens, sorted, joined by a space
	nameWords  []uint64   // sorted distinct hashes of the name words
	nameGrams  []uint64   // sorted distinct hashes of the trigrams of nameKey
	fields     []dupField // the filled fields, sorted by key
}

// dupField is one field's words: sorted distinct hashes.
type dupField struct {
	key   string
	words []uint64
}

// Similarity says how much two personas look alike.
type Similarity struct {
	A, B      string   // persona IDs
	Score     float64  // 0..1, rounded to 3 decimals
	NameScore float64  // 0..1, rounded to 3 decimals
	Fields    []string // keys of the fields that agree, sorted ("name" first when the names agree)
}

// NewDupDoc prepares p for comparison.
func NewDupDoc(p Persona) DupDoc {
	d := DupDoc{ID: p.ID, Name: p.Name, TemplateID: p.TemplateID}
	nw := dupWords(p.Name, false)
	slices.Sort(nw)
	d.nameKey = strings.Join(nw, " ")
	d.nameWords = hashWords(nw)
	d.nameGrams = trigrams(d.nameKey)
	d.fields = make([]dupField, 0, len(p.Values)+1)
	eachValueText(p, func(key, text string) {
		if w := hashWords(dupWords(text, true)); len(w) > 0 {
			d.fields = append(d.fields, dupField{key, w})
		}
	})
	// The summary compares as a field too, unless a value under its key
	// (one with words) stands for it.
	if w := hashWords(dupWords(p.Summary, true)); len(w) > 0 {
		i, found := slices.BinarySearchFunc(d.fields, SummaryField, func(f dupField, k string) int { return strings.Compare(f.key, k) })
		if !found {
			d.fields = slices.Insert(d.fields, i, dupField{SummaryField, w})
		}
	}
	return d
}

// eachValueText calls f with the text of each value of p, by key in order.
func eachValueText(p Persona, f func(key, text string)) {
	var text []string
	for _, k := range slices.Sorted(maps.Keys(p.Values)) {
		text = appendStrings(text[:0], p.Values[k])
		f(k, strings.Join(text, " "))
	}
}

// hashWords returns the sorted distinct hashes of words.
func hashWords(words []string) []uint64 {
	out := make([]uint64, len(words))
	for i, w := range words {
		out[i] = hashWord(w)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// hashWord is 64-bit FNV-1a: stable across processes, so every answer is
// the same on every run.
func hashWord(w string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(w); i++ {
		h ^= uint64(w[i])
		h *= 1099511628211
	}
	return h
}

func distinctWords(s string) []string {
	w := dupWords(s, true)
	slices.Sort(w)
	return slices.Compact(w)
}

// dupWords splits folded s into words (letters and digits); with stop, one
// letter words and stop words are left out.
func dupWords(s string, stop bool) []string {
	var out []string
	f := FoldSearch(s)
	start := -1
	word := func(end int) {
		if w := f[start:end]; !stop || utf8.RuneCountInString(w) >= 2 && !stopWords[w] {
			out = append(out, w)
		}
		start = -1
	}
	for i, r := range f {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if start < 0 {
				start = i
			}
		} else if start >= 0 {
			word(i)
		}
	}
	if start >= 0 {
		word(len(f))
	}
	return out
}

var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`a an and are as at be but by for from has have he her his i if in into is it its
		me my no not of on or our she so than that the their them they this to too us was we were what when which
		who will with you your can do does did just more most very all any each how about up out`) {
		m[w] = true
	}
	return m
}()

// ScoreDuplicate compares two prepared personas.
func ScoreDuplicate(a, b DupDoc) Similarity {
	s := Similarity{A: a.ID, B: b.ID}
	name := max(dice(a.nameGrams, b.nameGrams), jaccard(a.nameWords, b.nameWords))
	var num, den float64
	var agree []string
	i, j := 0, 0
	for i < len(a.fields) && j < len(b.fields) {
		switch c := strings.Compare(a.fields[i].key, b.fields[j].key); {
		case c < 0:
			i++
		case c > 0:
			j++
		default:
			inter, union := overlap(a.fields[i].words, b.fields[j].words)
			jac := float64(inter) / float64(union)
			num += float64(inter)
			den += float64(union)
			if jac >= FieldAgreement {
				agree = append(agree, a.fields[i].key)
			}
			i++
			j++
		}
	}
	fields := 0.0
	if den > 0 {
		fields = num / den
	}
	wf := 0.6 * min(1, den/fieldConfidence)
	s.Score = (1-wf)*name + wf*fields
	s.Score = round3(s.Score)
	s.NameScore = round3(name)
	if name >= 0.8 {
		agree = append([]string{"name"}, agree...)
	}
	s.Fields = agree
	if s.Fields == nil {
		s.Fields = []string{}
	}
	return s
}

// SimilarTo returns the personas among others that look like d (score at
// least threshold), best first; d itself (same ID) is skipped.
func SimilarTo(d DupDoc, others []DupDoc, threshold float64) []Similarity {
	var out []Similarity
	for _, o := range others {
		if o.ID == d.ID || o.TemplateID != d.TemplateID {
			continue
		}
		if s := ScoreDuplicate(d, o); s.Score >= threshold {
			out = append(out, s)
		}
	}
	sortSimilar(out)
	return out
}

// FindDuplicates returns the pairs among docs scoring at least threshold,
// best first, each pair once with A < B. It does not compare all pairs:
// each persona's candidate keys are its name key and its blockingTokens
// rarest words (words held by more than blockingMaxShare personas are no
// key; among equally rare words the smaller hash goes first), and only
// personas sharing a key are scored. So the work is bounded by
// n·blockingTokens·blockingMaxShare comparisons, whatever n.
func FindDuplicates(docs []DupDoc, threshold float64) []Similarity {
	// A word of one template: only personas of the same template compare.
	type token struct {
		template int
		word     uint64
	}
	type nameKey struct {
		template int
		key      string
	}
	templates := map[string]int{}
	df := map[token]int{}
	tokens := make([][]token, len(docs))
	var words []uint64
	for i, d := range docs {
		t, ok := templates[d.TemplateID]
		if !ok {
			t = len(templates)
			templates[d.TemplateID] = t
		}
		words = append(words[:0], d.nameWords...)
		for _, f := range d.fields {
			words = append(words, f.words...)
		}
		slices.Sort(words)
		words = slices.Compact(words)
		ts := make([]token, len(words))
		for j, w := range words {
			ts[j] = token{t, w}
			df[ts[j]]++
		}
		tokens[i] = ts
	}
	wordPostings := map[token][]int{}
	namePostings := map[nameKey][]int{}
	for i, d := range docs {
		keys := tokens[i][:0] // this persona's tokens are not needed after this
		for _, t := range tokens[i] {
			if n := df[t]; n >= 2 && n <= blockingMaxShare {
				keys = append(keys, t)
			}
		}
		slices.SortFunc(keys, func(x, y token) int { return cmp.Or(cmp.Compare(df[x], df[y]), cmp.Compare(x.word, y.word)) })
		for _, t := range keys[:min(len(keys), blockingTokens)] {
			wordPostings[t] = append(wordPostings[t], i)
		}
		if d.nameKey != "" {
			k := nameKey{templates[d.TemplateID], d.nameKey}
			namePostings[k] = append(namePostings[k], i)
		}
	}
	// Every pair sharing a key, once: sorted and compacted, not a set.
	var pairs []uint64
	addPairs := func(list []int) {
		list = list[:min(len(list), blockingMaxShare)]
		for x := 0; x < len(list); x++ {
			for y := x + 1; y < len(list); y++ {
				pairs = append(pairs, uint64(list[x])<<32|uint64(list[y]))
			}
		}
	}
	for _, list := range wordPostings {
		addPairs(list)
	}
	for _, list := range namePostings {
		addPairs(list)
	}
	slices.Sort(pairs)
	var out []Similarity
	for _, p := range slices.Compact(pairs) {
		a, b := docs[p>>32], docs[p&(1<<32-1)]
		if a.TemplateID != b.TemplateID {
			continue
		}
		if a.ID > b.ID {
			a, b = b, a
		}
		if s := ScoreDuplicate(a, b); s.Score >= threshold {
			out = append(out, s)
		}
	}
	sortSimilar(out)
	return out
}

func sortSimilar(out []Similarity) {
	slices.SortFunc(out, func(x, y Similarity) int {
		return cmp.Or(cmp.Compare(y.Score, x.Score), strings.Compare(x.A, y.A), strings.Compare(x.B, y.B))
	})
}

func round3(f float64) float64 { return float64(int(f*1000+0.5)) / 1000 }

// overlap counts the common and the distinct members of two sorted sets.
func overlap(a, b []uint64) (inter, union int) {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch x, y := a[i], b[j]; {
		case x < y:
			i++
		case x > y:
			j++
		default:
			inter++
			i++
			j++
		}
	}
	return inter, len(a) + len(b) - inter
}

func jaccard(a, b []uint64) float64 {
	inter, union := overlap(a, b)
	if union == 0 {
		return 0
	}
	return float64(inter) / float64(union)
}

// trigrams returns the sorted distinct hashes of the three-rune pieces of
// key padded with spaces ("  ab " gives "  a", " ab", "ab ").
func trigrams(key string) []uint64 {
	if key == "" {
		return nil
	}
	s := "  " + key + " "
	var starts [3]int // byte offsets of the last three runes
	out := make([]uint64, 0, len(s))
	n := 0
	for i := range s {
		starts[0], starts[1], starts[2] = starts[1], starts[2], i
		if n++; n >= 3 {
			_, size := utf8.DecodeRuneInString(s[i:])
			out = append(out, hashWord(s[starts[0]:i+size]))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// dice is the Sørensen-Dice coefficient of two sorted sets.
func dice(a, b []uint64) float64 {
	inter, _ := overlap(a, b)
	if len(a)+len(b) == 0 {
		return 0
	}
	return 2 * float64(inter) / float64(len(a)+len(b))
}

// CandidateWords are the words of p by which a full-text index can pick
// the personas worth scoring against it: its name words, then its longest
// field words (the long ones are the rare ones), at most n, in a fixed
// order.
func CandidateWords(p Persona, n int) []string {
	seen := map[string]bool{}
	var out []string
	add := func(w string) {
		if !seen[w] && len(out) < n {
			seen[w] = true
			out = append(out, w)
		}
	}
	name := dupWords(p.Name, false)
	slices.Sort(name)
	for _, w := range slices.Compact(name) {
		add(w)
	}
	var rest []string
	summary := distinctWords(p.Summary)
	eachValueText(p, func(key, text string) {
		w := distinctWords(text)
		if key == SummaryField && len(w) > 0 {
			summary = nil // as in NewDupDoc: the value stands for the summary
		}
		rest = append(rest, w...)
	})
	rest = append(rest, summary...)
	slices.SortFunc(rest, func(a, b string) int {
		return cmp.Or(cmp.Compare(len(b), len(a)), strings.Compare(a, b))
	})
	for _, w := range rest {
		add(w)
	}
	return out
}
