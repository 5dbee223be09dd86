package persona

import (
	"cmp"
	"maps"
	"slices"
	"strings"
	"unicode"
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
type DupDoc struct {
	ID         string
	Name       string
	TemplateID string
	nameKey    string              // folded name tokens, sorted, joined by a space
	nameWords  []string            // sorted distinct name words
	nameGrams  []string            // sorted distinct trigrams of nameKey
	fields     map[string][]string // field key → sorted distinct words
	keys       []string            // sorted keys of fields
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
	d := DupDoc{ID: p.ID, Name: p.Name, TemplateID: p.TemplateID, fields: map[string][]string{}}
	nw := dupWords(p.Name, false)
	sorted := slices.Clone(nw)
	slices.Sort(sorted)
	d.nameKey = strings.Join(sorted, " ")
	d.nameWords = slices.Compact(sorted)
	d.nameGrams = trigrams(d.nameKey)
	if w := distinctWords(p.Summary); len(w) > 0 {
		d.fields[SummaryField] = w
	}
	for _, k := range slices.Sorted(maps.Keys(p.Values)) {
		var text []string
		text = appendStrings(text, p.Values[k])
		if w := distinctWords(strings.Join(text, " ")); len(w) > 0 {
			d.fields[k] = w
		}
	}
	d.keys = slices.Sorted(maps.Keys(d.fields))
	return d
}

func distinctWords(s string) []string {
	w := dupWords(s, true)
	slices.Sort(w)
	return slices.Compact(w)
}

// dupWords splits folded s into words (letters and digits); with stop, one
// letter words and stop words are left out.
func dupWords(s string, stop bool) []string {
	f := FoldSearch(s)
	words := strings.FieldsFunc(f, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if !stop {
		return words
	}
	out := words[:0]
	for _, w := range words {
		if len([]rune(w)) < 2 || stopWords[w] {
			continue
		}
		out = append(out, w)
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
	for i < len(a.keys) && j < len(b.keys) {
		switch c := strings.Compare(a.keys[i], b.keys[j]); {
		case c < 0:
			i++
		case c > 0:
			j++
		default:
			k := a.keys[i]
			inter, union := overlap(a.fields[k], b.fields[k])
			jac := float64(inter) / float64(union)
			num += float64(inter)
			den += float64(union)
			if jac >= FieldAgreement {
				agree = append(agree, k)
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
// key), and only personas sharing a key are scored. So the work is bounded
// by n·blockingTokens·blockingMaxShare comparisons, whatever n.
func FindDuplicates(docs []DupDoc, threshold float64) []Similarity {
	df := map[string]int{}
	tokens := make([][]string, len(docs))
	for i, d := range docs {
		set := map[string]bool{}
		for _, w := range d.nameWords {
			set[d.TemplateID+"\x00"+w] = true
		}
		for _, k := range d.keys {
			for _, w := range d.fields[k] {
				set[d.TemplateID+"\x00"+w] = true
			}
		}
		ts := slices.Sorted(maps.Keys(set))
		for _, t := range ts {
			df[t]++
		}
		tokens[i] = ts
	}
	postings := map[string][]int{}
	for i, d := range docs {
		ts := slices.Clone(tokens[i])
		slices.SortStableFunc(ts, func(x, y string) int { return cmp.Compare(df[x], df[y]) })
		n := 0
		for _, t := range ts {
			if n == blockingTokens {
				break
			}
			if df[t] < 2 || df[t] > blockingMaxShare {
				continue
			}
			postings["w:"+t] = append(postings["w:"+t], i)
			n++
		}
		if d.nameKey != "" {
			key := "n:" + d.TemplateID + "\x00" + d.nameKey
			postings[key] = append(postings[key], i)
		}
	}
	type pair struct{ a, b int }
	seen := map[pair]bool{}
	var out []Similarity
	for _, key := range slices.Sorted(maps.Keys(postings)) {
		list := postings[key]
		if len(list) > blockingMaxShare {
			list = list[:blockingMaxShare]
		}
		for x := 0; x < len(list); x++ {
			for y := x + 1; y < len(list); y++ {
				p := pair{list[x], list[y]}
				if seen[p] {
					continue
				}
				seen[p] = true
				a, b := docs[p.a], docs[p.b]
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

// overlap counts the common and the distinct words of two sorted sets.
func overlap(a, b []string) (inter, union int) {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch c := strings.Compare(a[i], b[j]); {
		case c < 0:
			i++
		case c > 0:
			j++
		default:
			inter++
			i++
			j++
		}
	}
	return inter, len(a) + len(b) - inter
}

func jaccard(a, b []string) float64 {
	inter, union := overlap(a, b)
	if union == 0 {
		return 0
	}
	return float64(inter) / float64(union)
}

// trigrams returns the sorted distinct three-rune pieces of key padded
// with spaces ("  ab " gives "  a", " ab", "ab ").
func trigrams(key string) []string {
	if key == "" {
		return nil
	}
	r := []rune("  " + key + " ")
	out := make([]string, 0, len(r))
	for i := 0; i+3 <= len(r); i++ {
		out = append(out, string(r[i:i+3]))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// dice is the Sørensen-Dice coefficient of two sorted sets.
func dice(a, b []string) float64 {
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
	d := NewDupDoc(p)
	seen := map[string]bool{}
	var out []string
	add := func(w string) {
		if !seen[w] && len(out) < n {
			seen[w] = true
			out = append(out, w)
		}
	}
	for _, w := range d.nameWords {
		add(w)
	}
	var rest []string
	for _, k := range d.keys {
		rest = append(rest, d.fields[k]...)
	}
	slices.SortFunc(rest, func(a, b string) int {
		return cmp.Or(cmp.Compare(len(b), len(a)), strings.Compare(a, b))
	})
	for _, w := range rest {
		add(w)
	}
	return out
}
