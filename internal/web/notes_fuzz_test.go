package web

import (
	"flag"
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/persona"
)

// FuzzRenderMarkdown renders user Markdown (notes, Markdown fields,
// evidence summaries, Launchpad notes) as the pages do. Whatever the
// input, the HTML holds only the tags and attributes Markdown itself
// produces: no script, iframe, style, object, SVG or raw HTML from the
// input, no on* event handler, no style but table alignment, and no link
// or image address a browser would run (javascript:, vbscript:, data:
// other than images), however it is cased, spaced or entity-encoded.
func FuzzRenderMarkdown(f *testing.F) {
	for _, s := range []string{
		"**bold** _em_ `code` ~~gone~~ [link](https://example.com \"title\") ![img](https://example.com/x.png)",
		"# H1\n\n> quote\n\n- a\n- [x] done\n\n1. one\n\n| a | b |\n|:--|--:|\n| 1 | 2 |\n\n```js\nalert(1)\n```\n",
		"<script>alert(1)</script>", "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
		"<iframe src=\"javascript:alert(1)\"></iframe>", "<img src=x onerror=alert(1)>",
		"<a href=\"javascript:alert(1)\">x</a>", "<svg onload=alert(1)>", "<style>body{display:none}</style>",
		"[x](javascript:alert(1))", "[x](JaVaScRiPt:alert(1))", "[x](<java\tscript:alert(1)>)",
		"[x](&#106;avascript:alert(1))", "[x](&#x6A;avascript&colon;alert(1))", "[x](\x01javascript:alert(1))",
		"[x]( javascript:alert(1))", "[x](vbscript:msgbox(1))", "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
		"![x](data:image/svg+xml,<svg onload=alert(1)>)", "![x](data:image/png;base64,iVBORw0KGgo=)",
		"[x]: javascript:alert(1)\n\n[click][x]", "<javascript:alert(1)>", "<http://a.example/\"onmouseover=\"alert(1)>",
		"www.example.com/\"onclick=alert(1)", "a@b.example\"onclick=alert(1)",
		"[x](https://example.com/\"onclick=\"alert(1))", "```\" onclick=\"alert(1)\nx\n```",
		"``` onclick=alert(1)\nx\n```", "<!-- <script>alert(1)</script> -->", "<div onclick=alert(1)>x</div>",
		"'; DROP TABLE notes; --", "\xff\xfe\x00", strings.Repeat(">", 10000) + " deep",
		strings.Repeat("- ", 5000) + "deep list", strings.Repeat("*", 1<<20),
		// goldmark is quadratic on unclosed links: 200 KB of these took
		// 18 s, so no page renders Markdown longer than 20 000 characters
		// (the evidence viewer used to render 200 KB).
		strings.Repeat("[a](", persona.MaxStringLength/4),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, md string) {
		if fuzzing() && len(md) > 1024 {
			// Seeds run at any size; fuzzer-made inputs stay small so
			// that minimising an interesting one (a quadratic number of
			// renders) does not stall fuzzing.
			return
		}
		out := string(renderMarkdown(md))
		if why := unsafeHTML(out); why != "" {
			t.Fatalf("%q rendered %s:\n%s", md, why, out)
		}
	})
}

// fuzzing reports whether the test binary is fuzzing (-test.fuzz set)
// rather than running the seed corpus.
func fuzzing() bool {
	fl := flag.Lookup("test.fuzz")
	return fl != nil && fl.Value.String() != ""
}

var (
	// htmlTag matches a start or end tag as goldmark writes them.
	htmlTag = regexp.MustCompile(`<(/?)([a-zA-Z][a-zA-Z0-9]*)((?:\s[^<>]*)?)/?>`)
	// htmlAttr matches one attribute: a name and an optional quoted value.
	htmlAttr = regexp.MustCompile(`\s+([^\s"'=<>/]+)(?:="([^"<>]*)")?`)
	// rawOmitted is what goldmark writes in place of raw HTML.
	rawOmitted = "<!-- raw HTML omitted -->"

	safeTags = map[string]bool{
		"p": true, "br": true, "hr": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
		"blockquote": true, "ul": true, "ol": true, "li": true, "pre": true, "code": true, "em": true, "strong": true,
		"del": true, "a": true, "img": true, "table": true, "thead": true, "tbody": true, "tr": true, "th": true,
		"td": true, "input": true,
	}
	safeAttrs = map[string]bool{
		"href": true, "src": true, "alt": true, "title": true, "class": true, "start": true,
		"checked": true, "disabled": true, "type": true, "style": true, "align": true,
	}
	tableAlign = regexp.MustCompile(`^text-align:(left|right|center)$`)
)

// unsafeHTML says what in rendered HTML is not what Markdown produces, or
// returns "".
func unsafeHTML(out string) string {
	rest := strings.ReplaceAll(out, rawOmitted, "")
	tags := htmlTag.FindAllStringSubmatchIndex(rest, -1)
	for _, m := range tags {
		tag := strings.ToLower(rest[m[4]:m[5]])
		if !safeTags[tag] {
			return "a <" + tag + "> tag"
		}
		attrs := rest[m[6]:m[7]]
		if strings.TrimSpace(htmlAttr.ReplaceAllString(attrs, "")) != "" {
			return "a malformed tag " + rest[m[0]:m[1]]
		}
		for _, a := range htmlAttr.FindAllStringSubmatch(attrs, -1) {
			name, value := strings.ToLower(a[1]), html.UnescapeString(a[2])
			switch {
			case !safeAttrs[name]:
				return "attribute " + name + " on <" + tag + ">"
			case name == "style" && !tableAlign.MatchString(value):
				return "style " + value
			case (name == "href" || name == "src") && runnableURL(value):
				return name + "=" + value
			case name == "type" && value != "checkbox":
				return "type=" + value
			}
		}
	}
	// Every other "<" is escaped: nothing but those tags can open.
	if strings.Count(rest, "<") != len(tags) {
		return "a stray '<'"
	}
	return ""
}

// TestUnsafeHTMLCatches shows that FuzzRenderMarkdown's check can fail.
func TestUnsafeHTMLCatches(t *testing.T) {
	for _, h := range []string{
		"<script>alert(1)</script>", "<p><SCRIPT>x</SCRIPT></p>", `<img src="x" onerror="alert(1)">`,
		`<a href="javascript:alert(1)">x</a>`, `<a href=" &#x0A;JaVa&#x09;ScRiPt&colon;alert(1)">x</a>`,
		`<a href="data:text/html,x">x</a>`, `<iframe src="https://x"></iframe>`, `<p style="color:red">x</p>`,
		`<a href="x" onclick="y">x</a>`, `<a href="x"onclick="y">x</a>`, `<input type="text">`, "<p>a < b</p>",
		`<svg onload=alert(1)>`, "<!-- raw HTML omitted --><style>x</style>",
	} {
		if unsafeHTML(h) == "" {
			t.Errorf("%s passed as safe", h)
		}
	}
	for _, h := range []string{
		"<p>a &lt; b <em>c</em></p>\n<!-- raw HTML omitted -->", `<p><a href="https://x.example/?a=1&amp;b=2" title="t">x</a></p>`,
		`<p><img src="data:image/png;base64,AA" alt="i"></p>`, `<th style="text-align:left">a</th>`,
		`<li><input checked="" disabled="" type="checkbox"> done</li>`, `<pre><code class="language-go">x</code></pre>`,
		`<ol start="3"><li>x</li></ol>`, "<p>a<br>\nb</p><hr>",
	} {
		if why := unsafeHTML(h); why != "" {
			t.Errorf("%s refused: %s", h, why)
		}
	}
}

// runnableURL reports whether a browser would run an address as script or
// as a document made of its own text: it strips what the URL parser does
// (leading and trailing controls and spaces, tabs and line breaks
// anywhere) and checks the scheme.
func runnableURL(u string) bool {
	u = strings.TrimFunc(u, func(r rune) bool { return r <= ' ' })
	u = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, u)
	scheme, _, ok := strings.Cut(u, ":")
	if !ok {
		return false
	}
	switch strings.ToLower(scheme) {
	case "javascript", "vbscript":
		return true
	case "data":
		rest := strings.ToLower(u[len("data:"):])
		for _, img := range []string{"image/png", "image/gif", "image/jpeg", "image/webp"} {
			if strings.HasPrefix(rest, img) {
				return false
			}
		}
		return true
	}
	return false
}
