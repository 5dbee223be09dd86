package markdown

import (
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/markdown/publishcheck"
)

// Payloads are what an attacker writes into a Markdown field, hoping that
// an export published on a renderer that allows raw HTML runs it.
var payloads = []string{
	"<script>alert(1)</script>",
	"<img src=x onerror=alert(1)>",
	`<a href="javascript:alert(1)">click</a>`,
	"[x](javascript:alert(1))",
	"[x](JaVaScRiPt:alert(1))",
	"[x](java&#x09;script:alert(1))",
	"[x](&#106;avascript:alert(1))",
	"[x](javascript&colon;alert(1))",
	"[x](java%0ascript:alert(1))",
	"[x](<javascript:alert(1)>)",
	"[x]( \x01javascript:alert(1))",
	"[x](vbscript:msgbox(1))",
	"[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
	"![x](javascript:alert(1))",
	"![x](data:image/svg+xml,<svg onload=alert(1)>)",
	"<javascript:alert(1)>",
	"<JAVASCRIPT:alert(1)>",
	"<!-- <script>alert(1)</script> -->",
	"a <!-- hidden --> b",
	"<svg onload=alert(1)>",
	"<iframe src=\"https://evil.example\"></iframe>",
	"&lt;script&gt;alert(1)&lt;/script&gt;",
	"&#60;script&#62;alert(1)&#60;/script&#62;",
	"<div onclick=alert(1)>\n\n*still HTML*\n\n</div>",
	"<style>body{display:none}</style>",
	"<?php echo 1; ?>",
	"<![CDATA[ <script>alert(1)</script> ]]>",
	"<!DOCTYPE html>",
	"Inline <b onmouseover=alert(1)>bold</b> and <span\nonclick=alert(1)>two lines</span>",
	"> <script>alert(1)</script>\n> quoted",
	"- <img src=x onerror=alert(1)>\n- [x](javascript:alert(1))",
	"| a | b |\n| - | - |\n| <script>alert(1)</script> | [x](javascript:alert(1)) |",
	"[x]: javascript:alert(1)\n\n[click][x] and [x] and [x][]",
	"[x]:\n  javascript:alert(1)\n  \"title\"\n\n[x]",
	"\\<script>alert(1)\\</script> \\\\<script>alert(1)</script>",
	"`<script>` in code is text, and so is\n\n```html\n<script>alert(1)</script>\n```\n",
	"    <script>indented code</script>",
	"<pre>\n```\n</pre>\n<script>alert(1)</script>",
	"[![img](https://example.com/i.png)](javascript:alert(1))",
	"[a](https://example.com \"<script>\") <a@b.example>",
	"ftp://example.com/x and www.example.com/\"onclick=alert(1)",
	"name with | pipes and `backticks` and <b>tags</b> & &amp; entities",
}

// Every payload, and every CommonMark spec example (hundreds of raw HTML,
// link and autolink shapes), made publishable: rendered with raw HTML
// allowed, nothing but Markdown's own elements and safe addresses.
func TestPublishableIsSafeOnARawHTMLRenderer(t *testing.T) {
	caught := 0
	for _, p := range payloads {
		if len(publishcheck.Problems(p)) > 0 {
			caught++
		}
		if probs := publishcheck.Problems(Publishable(p)); len(probs) > 0 {
			t.Errorf("%q made publishable still has %v:\n%s", p, probs, Publishable(p))
		}
		cell := strings.ReplaceAll(p, "\n", " ")
		doc := "| A |\n| --- |\n| " + PublishableCell(strings.ReplaceAll(cell, "|", "\\|")) + " |\n"
		if probs := publishcheck.Problems(doc); len(probs) > 0 {
			t.Errorf("%q made a publishable cell still has %v:\n%s", p, probs, doc)
		}
	}
	// The check is not blind: most payloads fail it as they are.
	if caught < len(payloads)*3/4 {
		t.Fatalf("the check caught only %d of %d raw payloads", caught, len(payloads))
	}
	for _, ex := range specExamples(t) {
		if probs := publishcheck.Problems(Publishable(ex.Markdown)); len(probs) > 0 {
			t.Errorf("spec example %d made publishable still has %v", ex.Example, probs)
		}
	}
}

// Markdown without raw HTML or unsafe links comes through unchanged, and
// what is neutralised still reads as its text.
func TestPublishableKeepsOrdinaryMarkdown(t *testing.T) {
	for _, md := range []string{
		"# Goals\n\n- Finish handover notes before **7am**\n  - even at night\n\n1. one\n\n> quoted\n",
		"| a | b |\n|:--|--:|\n| 1 | 2 |\n\n- [x] done\n\n[link](https://example.com/a?b=1&c=2) ![i](/i.png) [mail](mailto:a@b.example) www.example.com\n",
		"```go\nif a < b { return \"<b>\" }\n```\n\nInline `a < b` and 1 &lt; 2 &amp; ~~gone~~.\n\n[ref]: https://example.com\n\n[ref]\n",
	} {
		if got := Publishable(md); got != md {
			t.Errorf("changed:\n%q\n%q", md, got)
		}
	}
	got := publishcheck.Render(Publishable("Say <b>hi</b> to [me](javascript:alert(1))."))
	if !strings.Contains(got, "Say &lt;b&gt;hi&lt;/b&gt; to [me](javascript:alert(1)).") {
		t.Errorf("neutralised text does not read as written: %s", got)
	}
	if got := PublishableCell("a<br>b"); got != "a<br>b" {
		t.Errorf("a cell's line break: %q", got)
	}
}

// FuzzPublishable: whatever the Markdown, made publishable it renders
// only Markdown's own elements and safe addresses, even with raw HTML
// allowed.
func FuzzPublishable(f *testing.F) {
	for _, p := range payloads {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, md string) {
		if len(md) > 2048 {
			return
		}
		out := Publishable(md)
		if probs := publishcheck.Problems(out); len(probs) > 0 {
			t.Fatalf("%q made publishable as %q still has %v", md, out, probs)
		}
	})
}
