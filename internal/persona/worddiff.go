package persona

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Word diff: what changed inside a text, word by word, so that one
// appended sentence shows as an insertion rather than a whole paragraph
// struck out and written again. Texts are cut into words (letters and
// digits), runs of spaces and single other characters (punctuation); the
// common start and end are taken off first (linear), and the middle is
// compared by longest common subsequence, bounded: above MaxWordDiffCells
// token pairs the middle is shown as replaced whole. A rewrite that keeps
// less than half of the shorter text is shown as replaced whole too.

// Word diff operations.
const (
	DiffEqual  = "equal"
	DiffInsert = "insert"
	DiffDelete = "delete"
)

// DiffSpan is a piece of a word diff: text kept, inserted or deleted.
type DiffSpan struct {
	Op   string `json:"op"`
	Text string `json:"text"`
}

// MaxWordDiffCells bounds the comparison of the changed middle of two
// texts (tokens of one times tokens of the other): about 1,000 by 1,000
// words, a few megabytes and milliseconds at most.
const MaxWordDiffCells = 1 << 20

// WordDiff compares two texts word by word. Joining the spans that are not
// insertions gives a; joining those that are not deletions gives b.
func WordDiff(a, b string) []DiffSpan {
	if a == b {
		if a == "" {
			return nil
		}
		return []DiffSpan{{DiffEqual, a}}
	}
	x, y := wordTokens(a), wordTokens(b)
	// The common start and end.
	pre := 0
	for pre < len(x) && pre < len(y) && x[pre] == y[pre] {
		pre++
	}
	suf := 0
	for suf < len(x)-pre && suf < len(y)-pre && x[len(x)-1-suf] == y[len(y)-1-suf] {
		suf++
	}
	var out []DiffSpan
	add := func(op, text string) {
		if text == "" {
			return
		}
		if n := len(out); n > 0 && out[n-1].Op == op {
			out[n-1].Text += text
			return
		}
		out = append(out, DiffSpan{op, text})
	}
	add(DiffEqual, strings.Join(x[:pre], ""))
	mx, my := x[pre:len(x)-suf], y[pre:len(y)-suf]
	if len(mx)*len(my) > MaxWordDiffCells {
		add(DiffDelete, strings.Join(mx, ""))
		add(DiffInsert, strings.Join(my, ""))
	} else {
		for _, s := range lcsDiff(mx, my) {
			add(s.Op, s.Text)
		}
	}
	add(DiffEqual, strings.Join(x[len(x)-suf:], ""))
	out = tidySpans(out)
	// A rewrite that keeps only a few words ("the", "platform") reads
	// better as the old text replaced by the new than as a patchwork.
	kept := 0
	for _, sp := range out {
		if sp.Op == DiffEqual {
			kept += visibleLen(sp.Text)
		}
	}
	if kept*2 < min(visibleLen(a), visibleLen(b)) {
		return tidySpans([]DiffSpan{{DiffDelete, a}, {DiffInsert, b}})
	}
	return out
}

// visibleLen counts a text's characters that are not white space.
func visibleLen(s string) int {
	n := 0
	for _, r := range s {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}

// wordTokens cuts a text into words, runs of white space and single other
// characters.
func wordTokens(s string) []string {
	var out []string
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		j := i + n
		switch {
		case isDiffWordRune(r):
			for j < len(s) {
				r2, n2 := utf8.DecodeRuneInString(s[j:])
				if !isDiffWordRune(r2) {
					break
				}
				j += n2
			}
		case unicode.IsSpace(r):
			for j < len(s) {
				r2, n2 := utf8.DecodeRuneInString(s[j:])
				if !unicode.IsSpace(r2) {
					break
				}
				j += n2
			}
		}
		out = append(out, s[i:j])
		i = j
	}
	return out
}

func isDiffWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) || r == '\'' || r == '’'
}

// lcsDiff is the diff of two token lists by their longest common
// subsequence (len(x)*len(y) cells, bounded by the caller).
func lcsDiff(x, y []string) []DiffSpan {
	n, m := len(x), len(y)
	// l[i][j]: the LCS length of x[i:] and y[j:], in one flat slice.
	w := m + 1
	l := make([]int32, (n+1)*w)
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if x[i] == y[j] {
				l[i*w+j] = l[(i+1)*w+j+1] + 1
			} else {
				l[i*w+j] = max(l[(i+1)*w+j], l[i*w+j+1])
			}
		}
	}
	var out []DiffSpan
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case x[i] == y[j]:
			out = append(out, DiffSpan{DiffEqual, x[i]})
			i++
			j++
		case l[(i+1)*w+j] >= l[i*w+j+1]:
			out = append(out, DiffSpan{DiffDelete, x[i]})
			i++
		default:
			out = append(out, DiffSpan{DiffInsert, y[j]})
			j++
		}
	}
	for ; i < n; i++ {
		out = append(out, DiffSpan{DiffDelete, x[i]})
	}
	for ; j < m; j++ {
		out = append(out, DiffSpan{DiffInsert, y[j]})
	}
	return out
}

// tidySpans makes a diff read well: spans of one kind merged, a deletion
// before its insertion, and a lone space or punctuation mark kept between
// two changes folded into them ("the red cat" → "a blue dog" reads as one
// replacement, not three).
func tidySpans(in []DiffSpan) []DiffSpan {
	// Fold short equal runs between changes.
	for k := 1; k+1 < len(in); k++ {
		if in[k].Op == DiffEqual && in[k-1].Op != DiffEqual && in[k+1].Op != DiffEqual && strings.TrimFunc(in[k].Text, func(r rune) bool {
			return unicode.IsSpace(r) || unicode.IsPunct(r)
		}) == "" && utf8.RuneCountInString(in[k].Text) <= 2 {
			t := in[k].Text
			in[k] = DiffSpan{DiffDelete, t}
			in = append(in[:k+1], append([]DiffSpan{{DiffInsert, t}}, in[k+1:]...)...)
		}
	}
	// Between equal runs: all deletions, then all insertions.
	var out []DiffSpan
	var del, ins strings.Builder
	flush := func() {
		if del.Len() > 0 {
			out = append(out, DiffSpan{DiffDelete, del.String()})
		}
		if ins.Len() > 0 {
			out = append(out, DiffSpan{DiffInsert, ins.String()})
		}
		del.Reset()
		ins.Reset()
	}
	for _, s := range in {
		switch s.Op {
		case DiffDelete:
			del.WriteString(s.Text)
		case DiffInsert:
			ins.WriteString(s.Text)
		default:
			flush()
			if n := len(out); n > 0 && out[n-1].Op == DiffEqual {
				out[n-1].Text += s.Text
			} else if s.Text != "" {
				out = append(out, s)
			}
		}
	}
	flush()
	return out
}

// ItemDiff compares two lists item by item (by their longest common
// subsequence; above MaxWordDiffCells pairs, the whole lists): each span is
// one item kept, added or removed, in the order of the lists.
func ItemDiff(a, b []string) []DiffSpan {
	if len(a)*len(b) > MaxWordDiffCells {
		var out []DiffSpan
		for _, s := range a {
			out = append(out, DiffSpan{DiffDelete, s})
		}
		for _, s := range b {
			out = append(out, DiffSpan{DiffInsert, s})
		}
		return out
	}
	return lcsDiff(a, b)
}
