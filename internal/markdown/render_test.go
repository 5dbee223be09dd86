package markdown

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// specExamples reads the CommonMark spec examples that goldmark's module
// ships (its own conformance suite).
func specExamples(t *testing.T) []struct {
	Markdown string `json:"markdown"`
	Example  int    `json:"example"`
} {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/yuin/goldmark").Output()
	if err != nil {
		t.Fatalf("locating goldmark's module: %v", err)
	}
	b, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(out)), "_test", "spec.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ex []struct {
		Markdown string `json:"markdown"`
		Example  int    `json:"example"`
	}
	if err := json.Unmarshal(b, &ex); err != nil {
		t.Fatal(err)
	}
	if len(ex) < 600 {
		t.Fatalf("only %d spec examples", len(ex))
	}
	return ex
}

// ordinary is Markdown as people write it in notes and fields.
var ordinary = []string{
	"# Goals\n\n- Finish handover notes before **7am**\n- Spot _deteriorating_ patients early\n  - even at night\n\n1. one\n2. two\n",
	"> \"I don't have time to log in three times a shift.\" -- night nurse\n>\n> > nested once\n",
	"| Channel | Share |\n|:--|--:|\n| email | 40% |\n| chat | 35% |\n\n- [x] interviewed\n- [ ] surveyed\n",
	"See [the study](https://example.com/study?a=1&b=2 \"Study\") and ![chart](/img/chart.png), or <https://example.com>, www.example.com, ops@example.com.\n\n[ref]: https://example.com/ref\n\n[ref] and [text][ref].\n",
	"```go\nfunc main() { fmt.Println(\"<b>\") }\n```\n\nInline `code <b>` and ~~gone~~ and ***both*** and __strong__ and a line  \nbreak... -- --- 'quoted' \"double\".\n",
	strings.Repeat("A paragraph with *emphasis*, `code`, [links](https://example.com/x) and snake_case_words. ", 150),
	strings.Repeat("- item with a [link](https://example.com) and **bold**\n", 300),
}

// Ordinary Markdown — every CommonMark spec example, and notes as people
// write them — renders exactly as goldmark renders it: the limits change
// nothing below them.
func TestLimitsLeaveOrdinaryMarkdownAlone(t *testing.T) {
	limitsOnly := build(true)
	for _, ex := range specExamples(t) {
		var want, got bytes.Buffer
		_ = plain.Convert([]byte(ex.Markdown), &want)
		_ = limitsOnly.Convert([]byte(ex.Markdown), &got)
		if want.String() != got.String() {
			t.Errorf("spec example %d renders differently:\n%q\nwant %q\ngot  %q", ex.Example, ex.Markdown, want.String(), got.String())
		}
	}
	for _, md := range ordinary {
		var want, got bytes.Buffer
		_ = plain.Convert([]byte(md), &want)
		_ = limitsOnly.Convert([]byte(md), &got)
		if want.String() != got.String() {
			t.Errorf("%.60q renders differently:\nwant %q\ngot  %q", md, want.String(), got.String())
		}
		if Render(md) != want.String() || limitsHit(md) {
			t.Errorf("%.60q: Render differs from goldmark", md)
		}
	}
}

// walkKinds counts the nodes of each kind in the bounded parse of md.
func walkKinds(md string) map[ast.NodeKind]int {
	n := map[ast.NodeKind]int{}
	_ = ast.Walk(Parse([]byte(md)), func(node ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			n[node.Kind()]++
		}
		return ast.WalkContinue, nil
	})
	return n
}

// Each limit cuts in where it says, and what lies beyond it is text.
func TestLimitsCutIn(t *testing.T) {
	t.Run("nesting", func(t *testing.T) {
		for _, md := range []string{strings.Repeat(">", 1000) + " deep", strings.Repeat("- ", 1000) + "deep", strings.Repeat("> 1. ", 500) + "deep"} {
			k := walkKinds(md)
			if got := k[ast.KindBlockquote] + k[ast.KindList]; got != MaxNesting {
				t.Errorf("%.12q…: %d block quotes and lists, want %d", md, got, MaxNesting)
			}
			if !strings.Contains(Render(md), "deep") {
				t.Errorf("%.12q…: the text is lost", md)
			}
		}
		// Up to the limit, nesting is kept.
		md := strings.Repeat(">", MaxNesting) + " x"
		if got := walkKinds(md)[ast.KindBlockquote]; got != MaxNesting {
			t.Errorf("%d nested quotes became %d", MaxNesting, got)
		}
	})
	t.Run("open brackets", func(t *testing.T) {
		// 40 open brackets, then a link: goldmark would make it; beyond
		// MaxOpenBrackets the later brackets are text, the link still forms
		// from the innermost bracket the parser holds.
		md := strings.Repeat("[", 40) + "a](https://example.com)"
		if k := walkKinds(md); k[ast.KindLink] != 1 {
			t.Errorf("a link after 40 brackets: %d links", k[ast.KindLink])
		}
		md = strings.Repeat("[", MaxOpenBrackets+5) + strings.Repeat("]", MaxOpenBrackets+5)
		if got := Render(md); strings.Count(got, "[") != MaxOpenBrackets+5 {
			t.Errorf("brackets lost: %s", got)
		}
	})
	t.Run("delimiters", func(t *testing.T) {
		// A thousand emphases in one paragraph are kept.
		em := strings.Repeat("*a* _b_ ", 500)
		if got := walkKinds(em)[ast.KindEmphasis]; got != 1000 || limitsHit(em) {
			t.Errorf("1000 emphases: got %d", got)
		}
		// Closers that find no opener, each tried against every earlier
		// delimiter: the budget runs out and the rest is text.
		md := fill("*a_", MaxLength)
		if !limitsHit(md) {
			t.Error("unmatched delimiters did not meet the budget")
		}
		if out := Render(md); !strings.Contains(out, "*a_*a_*a_") {
			t.Errorf("the delimiters beyond the budget are not text: %.80s", out)
		}
	})
	t.Run("table cells", func(t *testing.T) {
		cols := 100
		head := "|" + strings.Repeat(" a |", cols) + "\n|" + strings.Repeat(" - |", cols) + "\n"
		within := head + strings.Repeat("|\n", MaxTableCells/cols-2)
		if k := walkKinds(within); k[tableKind()] != 1 {
			t.Errorf("a table of %d cells is not a table", MaxTableCells)
		}
		beyond := head + strings.Repeat("|\n", MaxTableCells/cols)
		if k := walkKinds(beyond); k[tableKind()] != 0 {
			t.Errorf("a table of more than %d cells is a table", MaxTableCells)
		}
	})
	t.Run("link budget", func(t *testing.T) {
		// Unclosed destinations on one long line: each costs the rest of
		// the line; once the budget is spent, "](" is text.
		md := strings.Repeat("[a](b", MaxLength/5)
		if got := Render(md); !strings.Contains(got, "[a](b[a](b") {
			t.Errorf("unclosed links changed: %.60s", got)
		}
		// Closed links cost their own length: thousands still form.
		md = strings.Repeat("[a](https://example.com/x) ", 700)
		if got := walkKinds(md)[ast.KindLink]; got != 700 {
			t.Errorf("700 links: %d", got)
		}
	})
	// Shapes that goldmark renders slowly but that need no limit: the
	// bounded parser skips work whose outcome it knows, and renders them
	// exactly as goldmark does.
	t.Run("same outcome, less work", func(t *testing.T) {
		for _, md := range []string{
			fill("``a\\", MaxLength),      // single backtick openers that never close
			"a " + fill("~", MaxLength-2), // a strike-through run too long to strike
			fill("`a\\``", MaxLength-20) + " `x` ``y``",
		} {
			var want bytes.Buffer
			_ = plain.Convert([]byte(md), &want)
			if got := Render(md); got != want.String() || limitsHit(md) {
				t.Errorf("%.20q…: renders differently from goldmark", md)
			}
		}
	})
}

// limitsHit reports whether a limit cut in while parsing md.
func limitsHit(md string) bool {
	pc := parser.NewContext()
	bounded.Parser().Parse(text.NewReader([]byte(md)), parser.WithContext(pc))
	st, _ := pc.Get(stateKey).(*limitState)
	return st != nil && st.hit
}

func tableKind() ast.NodeKind {
	var k ast.NodeKind
	_ = ast.Walk(Parse([]byte("| a |\n| - |\n")), func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering && n.Kind().String() == "Table" {
			k = n.Kind()
		}
		return ast.WalkContinue, nil
	})
	return k
}

// The pages' renderer drops raw HTML and unlinks every link, image and
// autolink whose address is not http, https, mailto or relative, however
// it is spelled; safe ones stay links.
func TestRenderUnlinksUnsafeAddresses(t *testing.T) {
	for _, md := range []string{
		"[x](javascript:alert(1))", "[x](JaVaScRiPt:alert(1))", "[x](java&#x09;script:alert(1))", "[x](&#106;avascript:alert(1))",
		"[x](javascript&colon;alert(1))", "[x](java%0ascript:alert(1))", "[x](<java\tscript:alert(1)>)", "[x]( \x01javascript:alert(1))",
		"[x](vbscript:msgbox(1))", "[x](data:text/html,x)", "![x](data:image/svg+xml,x)", "![x](javascript:alert(1))",
		"<javascript:alert(1)>", "[x]: javascript:alert(1)\n\n[x]", "[x](file:///etc/passwd)", "ftp://example.com/x",
		"<script>alert(1)</script>", "<a href=\"javascript:alert(1)\">x</a>",
	} {
		out := Render(md)
		if strings.Contains(out, "href=") || strings.Contains(out, "src=") || strings.Contains(out, "<script") || strings.Contains(out, "<a ") {
			t.Errorf("%q rendered %s", md, out)
		}
	}
	for _, c := range []struct{ md, want string }{
		{"[x](https://example.com/a)", `<a href="https://example.com/a">x</a>`},
		{"[x](/o/org/personas/1#notes)", `<a href="/o/org/personas/1#notes">x</a>`},
		{"[x](mailto:a@b.example)", `<a href="mailto:a@b.example">x</a>`},
		{"![i](https://example.com/i.png)", `<img src="https://example.com/i.png" alt="i">`},
		{"<https://example.com>", `<a href="https://example.com">https://example.com</a>`},
		{"[javascript](https://example.com)", `<a href="https://example.com">javascript</a>`},
	} {
		if out := Render(c.md); !strings.Contains(out, c.want) {
			t.Errorf("%q rendered %s, want %s", c.md, out, c.want)
		}
	}
	for _, u := range []string{"http://a", "HTTPS://a", "mailto:a@b", "/x", "x/y:z", "#top", "?q=1", "//host/x", ""} {
		if !SafeURL(u, false) {
			t.Errorf("SafeURL(%q) refused", u)
		}
	}
	if SafeURL("mailto:a@b", true) {
		t.Error("an image from mailto: is allowed")
	}
}
