package markdown

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// The worst shapes: a generator of pathological Markdown. Its seed corpus
// is testdata/shapes.txt, one atom a line (a delimiter, a bracket, a list
// marker, a tag opener…); each atom, alone and combined with others, is
// expanded to MaxLength characters in the forms that have made Markdown
// parsers quadratic: repeated, repeated after text, one per line, one per
// paragraph and as a staircase (one more each line). A few shapes need
// more than one atom's repetition (tables, nested brackets, reference
// definitions) and are written out in specialShapes.
//
// TestWorstShapesAreBounded checks what can be checked without a clock on
// every generated input; BenchmarkWorstShapes and BenchmarkGeneratedShapes
// measure the time:
//
//	go test ./internal/markdown -run '^$' -bench 'WorstShapes|GeneratedShapes' -benchtime 5x

type shape struct{ name, src string }

// atoms reads the seed corpus.
func atoms(tb testing.TB) []string {
	tb.Helper()
	f, err := os.Open("testdata/shapes.txt")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		a, err := strconv.Unquote(l)
		if err != nil || a == "" {
			tb.Fatalf("testdata/shapes.txt: bad atom %s: %v", l, err)
		}
		out = append(out, a)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// fill repeats unit to n bytes.
func fill(unit string, n int) string {
	if n <= 0 {
		return ""
	}
	s := strings.Repeat(unit, n/len(unit)+1)
	return s[:n]
}

// staircase writes unit once on the first line, twice on the second…
func staircase(unit string, n int) string {
	var b strings.Builder
	for i := 1; b.Len() < n; i++ {
		b.WriteString(strings.Repeat(unit, i))
		b.WriteString("x\n")
	}
	return b.String()[:n]
}

// forms expands one atom to n bytes in every form.
func forms(name, a string, n int) []shape {
	return []shape{
		{name + "/rep", fill(a, n)},
		{name + "/inline", "a " + fill(a, n-2)},
		{name + "/lines", fill(a+"\n", n)},
		{name + "/paras", fill(a+"\n\n", n)},
		{name + "/stair", staircase(a, n)},
	}
}

// specialShapes are the worst cases that repetition of one unit does not
// make.
func specialShapes(n int) []shape {
	var refs strings.Builder
	for i := 0; refs.Len() < n/2; i++ {
		fmt.Fprintf(&refs, "[r%d]: /u%d \"t\"\n", i, i)
	}
	for refs.Len() < n {
		refs.WriteString("[r1] [r2][] [x][r3] ")
	}
	wide := "|" + strings.Repeat("a|", 500) + "\n|" + strings.Repeat("-|", 500) + "\n"
	return []shape{
		{"table/wide-header-short-rows", fill2(wide, "|\n", n)},
		{"table/many-columns", "|" + fill("a|", n/2-8) + "\n|" + fill("-|", n/2-8) + "\n"},
		{"table/tall", fill2("| a | b |\n| --- | --- |\n", "| 1 | 2 |\n", n)},
		{"table/64-columns-short-rows", fill2("|"+strings.Repeat("a|", 64)+"\n|"+strings.Repeat("-|", 64)+"\n", "|\n", n)},
		{"brackets/nested", fill("[", n/2) + fill("]", n/2)},
		{"brackets/nested-links", fill("[", n/3) + fill("](", n/3)},
		{"brackets/nested-images", fill("![", n/2) + fill("]", n/2)},
		{"refdefs/many", refs.String()[:n]},
		{"refdefs/one-long-label", "[" + fill("a", 998) + "]: /u\n\n" + fill("["+fill("a", 998)+"] ", n-1010)},
		{"quote/deep-then-text", fill(">", 100) + " " + fill("a ", n-101)},
		{"list/deep-indent", staircase("  ", n)},
		{"list/quote-list", fill("> - ", n)},
		{"code/unclosed-runs", backtickRuns(n)},
		{"links/long-destinations", fill("[a]("+fill("b", 3000)+") ", n)},
		{"links/unclosed-then-close", fill("[a](b", n-1) + ")"},
		{"emphasis/alternating", fill("*a_", n)},
		{"emphasis/openers-then-closers", fill("*a ", n/2) + fill(" a*", n/2)},
		{"html/unclosed-comment-inline", "a " + fill("<!-- a ", n-2)},
		{"html/attributes", "a " + fill("<a b=\"c\" d='e' ", n-2)},
		{"mixed/everything", fill("> - [*`<_~!|&\\a", n)},
	}
}

// fill2 writes head, then repeats unit to n bytes.
func fill2(head, unit string, n int) string { return head + fill(unit, n-len(head)) }

// backtickRuns writes runs of 1, 2, 3… backticks, none closed.
func backtickRuns(n int) string {
	var b strings.Builder
	for i := 1; b.Len() < n; i++ {
		b.WriteString(strings.Repeat("`", i))
		b.WriteString("a")
	}
	return b.String()[:n]
}

// generated is the whole generated set: every atom in every form, a
// seeded sample of pairs and triples, and the special shapes.
func generated(tb testing.TB, n int) []shape {
	as := atoms(tb)
	var out []shape
	for i, a := range as {
		out = append(out, forms(fmt.Sprintf("atom%02d", i), a, n)...)
	}
	rng := rand.New(rand.NewPCG(14, 3))
	for k := range 300 {
		a, b := as[rng.IntN(len(as))], as[rng.IntN(len(as))]
		unit := a + b
		name := fmt.Sprintf("pair%03d", k)
		if k%3 == 0 {
			unit += as[rng.IntN(len(as))]
			name = fmt.Sprintf("triple%03d", k)
		}
		out = append(out, shape{name + "/rep", fill(unit, n)}, shape{name + "/inline", "a " + fill(unit, n-2)})
	}
	return append(out, specialShapes(n)...)
}

// worstShapes are the inputs that cost goldmark the most at 20,000
// characters (the issue's, and the generator's slowest).
func worstShapes(n int) []shape {
	s := []shape{
		{"blockquote", fill(">", n)},
		{"blockquote-spaced", fill("> ", n)},
		{"list-in-quote", fill("- > ", n)},
		{"quote-in-ordered-list", fill("> 1. ", n)},
		{"ordered-list", fill("1. ", n)},
		{"brackets", fill("[", n)},
		{"images", fill("![", n)},
		{"stars", fill("*", n)},
		{"emphasis-mixed", fill("*a_", n)},
		{"emphasis-mixed-2", fill("_a*", n)},
		{"backticks", fill("`", n)},
		{"angles", fill("<", n)},
		{"nested-lists", fill("- ", n)},
		{"unclosed-links", fill("[a](", n)},
		{"unclosed-destinations", fill("[a](b", n)},
		{"unclosed-paren-titles", fill("[a](b (", n)},
		{"unclosed-angle-destinations", fill("[a](<", n)},
	}
	for _, sp := range specialShapes(n) {
		switch sp.name {
		case "table/wide-header-short-rows", "table/many-columns", "brackets/nested", "refdefs/many", "mixed/everything":
			s = append(s, shape{strings.ReplaceAll(sp.name, "/", "-"), sp.src})
		}
	}
	return s
}

var (
	blockOpen  = regexp.MustCompile(`<(/?)(blockquote|ul|ol)>`)
	tableCellT = regexp.MustCompile(`<t[dh][ >]`)
)

// maxDepth is the deepest nesting of block quotes and lists in HTML.
func maxDepth(h string) int {
	d, most := 0, 0
	for _, m := range blockOpen.FindAllStringSubmatch(h, -1) {
		if m[1] == "" {
			d++
			most = max(most, d)
		} else {
			d--
		}
	}
	return most
}

// TestWorstShapesAreBounded renders every generated input and checks,
// without a clock, that the limits hold: block quotes and lists nest no
// deeper than MaxNesting, tables have at most MaxTableCells cells, and
// the HTML stays within a small multiple of the input (goldmark alone
// wrote 540 KB for 20,000 '>' and 900 KB for a wide header over short
// rows).
func TestWorstShapesAreBounded(t *testing.T) {
	for _, s := range generated(t, MaxLength) {
		out := Render(s.src)
		if d := maxDepth(out); d > MaxNesting {
			t.Errorf("%s: nesting %d > %d", s.name, d, MaxNesting)
		}
		if c := len(tableCellT.FindAllStringIndex(out, -1)); c > MaxTableCells {
			t.Errorf("%s: %d table cells", s.name, c)
		}
		if len(out) > 16*len(s.src)+4096 {
			t.Errorf("%s: %d bytes of HTML for %d of Markdown", s.name, len(out), len(s.src))
		}
	}
}

// FuzzWorstShapes expands any atom the way the generator does and checks
// the same bounds. Its seeds are testdata/shapes.txt.
func FuzzWorstShapes(f *testing.F) {
	for _, a := range atoms(f) {
		f.Add(a)
	}
	f.Fuzz(func(t *testing.T, a string) {
		if a == "" || len(a) > 24 {
			return
		}
		for _, s := range forms("fuzz", a, MaxLength) {
			out := Render(s.src)
			if d := maxDepth(out); d > MaxNesting {
				t.Fatalf("%q %s: nesting %d", a, s.name, d)
			}
			if len(out) > 16*len(s.src)+4096 {
				t.Fatalf("%q %s: %d bytes of HTML", a, s.name, len(out))
			}
		}
	})
}

// plain is goldmark as the pages used it before the limits.
var plain = goldmark.New(goldmark.WithExtensions(extension.GFM, extension.Typographer))

// BenchmarkWorstShapes renders each of the worst inputs at MaxLength
// characters, with the bounded renderer and with plain goldmark (what the
// pages used before).
func BenchmarkWorstShapes(b *testing.B) {
	for _, s := range worstShapes(MaxLength) {
		src := []byte(s.src)
		b.Run("bounded/"+s.name, func(b *testing.B) {
			for b.Loop() {
				_ = Render(s.src)
			}
		})
		b.Run("goldmark/"+s.name, func(b *testing.B) {
			for b.Loop() {
				var buf bytes.Buffer
				_ = plain.Convert(src, &buf)
			}
		})
	}
}

// BenchmarkGeneratedShapes renders the whole generated set per operation
// and reports the slowest input (worst-ms): each input's best time over
// the operations (a shared machine's pauses inflate single timings), the
// largest of those.
func BenchmarkGeneratedShapes(b *testing.B) {
	set := generated(b, MaxLength)
	best := make([]time.Duration, len(set))
	for b.Loop() {
		for i, s := range set {
			start := time.Now()
			_ = Render(s.src)
			if d := time.Since(start); best[i] == 0 || d < best[i] {
				best[i] = d
			}
		}
	}
	worst := 0
	for i := range best {
		if best[i] > best[worst] {
			worst = i
		}
	}
	b.ReportMetric(float64(best[worst])/float64(time.Millisecond), "worst-ms")
	b.ReportMetric(float64(len(set)), "inputs")
	b.Logf("slowest input: %s (%v)", set[worst].name, best[worst])
}
