package interchange

import (
	"io"
	"slices"
	"sort"
	"strings"
	"unicode"
)

// Target is one place a mapping can fill, as the web wizard offers it:
// Key is "name", "summary", "status", "values.<field>" or
// "dimensions.<dimension>"; Label is what the template calls it.
type Target struct{ Key, Label string }

// SourceColumns lists what a file offers to map: a CSV's header columns,
// or the top-level keys of the first 50 JSON records, in order met.
func SourceColumns(r io.Reader, format string) ([]string, error) {
	rd, err := NewReader(r, format)
	if err != nil {
		return nil, err
	}
	if c, ok := rd.(*csvReader); ok {
		var out []string
		for _, h := range c.header {
			if h = strings.TrimSpace(h); h != "" {
				out = append(out, h)
			}
		}
		return out, nil
	}
	seen := map[string]bool{}
	var out []string
	for range 50 {
		rec, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		obj, ok := rec.value.(map[string]any)
		if !ok {
			continue
		}
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	return out, nil
}

// Suggest proposes a source column for targets from the columns' names:
// a column whose name equals, contains or shares most words with a
// target's key or label. Each column is proposed once, best matches first.
func Suggest(targets []Target, columns []string) map[string]string {
	type cand struct {
		score       float64
		target, col string
		ti, ci      int
	}
	var cs []cand
	for ti, t := range targets {
		key := t.Key
		if i := strings.IndexByte(key, '.'); i >= 0 {
			key = key[i+1:]
		}
		for ci, c := range columns {
			s := max(similarity(c, key), similarity(c, t.Label))
			if s >= 0.5 {
				cs = append(cs, cand{s, t.Key, c, ti, ci})
			}
		}
	}
	sort.SliceStable(cs, func(i, j int) bool {
		if cs[i].score != cs[j].score {
			return cs[i].score > cs[j].score
		}
		if cs[i].ti != cs[j].ti {
			return cs[i].ti < cs[j].ti
		}
		return cs[i].ci < cs[j].ci
	})
	out := map[string]string{}
	used := map[string]bool{}
	for _, c := range cs {
		if _, done := out[c.target]; done || used[c.col] {
			continue
		}
		out[c.target] = c.col
		used[c.col] = true
	}
	return out
}

// words splits a name into lower-case words ("Job_title" → job, title).
func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// similarity scores two names from 0 to 1: 1 when their words are the
// same, 0.8 when one's words run inside the other's, else the share of
// words in common.
func similarity(a, b string) float64 {
	wa, wb := words(a), words(b)
	if len(wa) == 0 || len(wb) == 0 {
		return 0
	}
	ja, jb := strings.Join(wa, " "), strings.Join(wb, " ")
	if ja == jb || strings.Join(wa, "") == strings.Join(wb, "") {
		return 1
	}
	short, long := ja, jb
	if len(short) > len(long) {
		short, long = long, short
	}
	if len(short) >= 3 && strings.Contains(" "+long+" ", " "+short+" ") {
		return 0.8
	}
	// Words in common; a word that starts the other (tech, technical)
	// counts nearly as much.
	common := 0.0
	used := map[int]bool{}
	for _, x := range uniq(wa) {
		best, at := 0.0, -1
		for j, y := range uniq(wb) {
			if used[j] {
				continue
			}
			switch {
			case x == y:
				best, at = 1, j
			case best < 0.9 && len(x) >= 3 && len(y) >= 3 && (strings.HasPrefix(x, y) || strings.HasPrefix(y, x)):
				best, at = 0.9, j
			}
		}
		if at >= 0 {
			used[at] = true
			common += best
		}
	}
	union := float64(len(uniq(wa))+len(uniq(wb))) - common
	return float64(common) / float64(union)
}

func uniq(ws []string) []string {
	var out []string
	for _, w := range ws {
		if !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}
