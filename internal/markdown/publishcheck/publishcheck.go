// Package publishcheck tells whether Markdown is safe to publish on a
// renderer that passes raw HTML through: it renders the Markdown with
// goldmark's unsafe renderer (GitHub's extensions, raw HTML kept, no URL
// filtering), parses the HTML as a browser does (golang.org/x/net/html),
// and lists every element or attribute outside a small allow-list, every
// comment, and every href or src that is not http, https, mailto or
// relative. The tests of every Markdown export use it; nothing else does.
package publishcheck

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	gmhtml "github.com/yuin/goldmark/renderer/html"
	"golang.org/x/net/html"
)

// allowed lists the elements Markdown itself writes and their attributes.
var allowed = map[string][]string{
	"p": nil, "br": nil, "hr": nil, "h1": nil, "h2": nil, "h3": nil, "h4": nil, "h5": nil, "h6": nil,
	"ul": nil, "ol": {"start"}, "li": nil, "blockquote": nil, "pre": nil, "code": {"class"},
	"strong": nil, "em": nil, "del": nil, "a": {"href", "title"}, "img": {"src", "alt", "title"},
	"table": nil, "thead": nil, "tbody": nil, "tr": nil, "th": {"style"}, "td": {"style"},
	"input": {"type", "checked", "disabled"}, // task lists: - [ ]
	// html.Parse wraps every document in these.
	"html": nil, "head": nil, "body": nil,
}

var (
	cellAlign = regexp.MustCompile(`^text-align:(left|right|center)$`)
	codeLang  = regexp.MustCompile(`^language-`)
)

var unsafeRenderer = goldmark.New(goldmark.WithExtensions(extension.GFM),
	goldmark.WithRendererOptions(gmhtml.WithUnsafe()))

// Render renders Markdown as a renderer that allows raw HTML would.
func Render(md string) string {
	var buf bytes.Buffer
	_ = unsafeRenderer.Convert([]byte(md), &buf)
	return buf.String()
}

// Problems lists what in md, rendered with raw HTML allowed, is not plain
// Markdown output: nil when it is safe to publish.
func Problems(md string) []string {
	out := Render(md)
	doc, err := html.Parse(strings.NewReader(out))
	if err != nil {
		return []string{"the HTML does not parse: " + err.Error()}
	}
	var problems []string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.CommentNode:
			problems = append(problems, fmt.Sprintf("a comment <!--%s-->", n.Data))
		case html.ElementNode:
			attrs, ok := allowed[n.Data]
			if !ok || n.Namespace != "" {
				problems = append(problems, fmt.Sprintf("element <%s>", n.Data))
			}
			for _, a := range n.Attr {
				if a.Namespace != "" || !contains(attrs, a.Key) {
					problems = append(problems, fmt.Sprintf("attribute %s=%q on <%s>", a.Key, a.Val, n.Data))
					continue
				}
				switch {
				case (a.Key == "href" || a.Key == "src") && !safeAddress(a.Val, n.Data == "img"):
					problems = append(problems, fmt.Sprintf("%s=%q on <%s>", a.Key, a.Val, n.Data))
				case a.Key == "style" && !cellAlign.MatchString(a.Val):
					problems = append(problems, fmt.Sprintf("style=%q on <%s>", a.Val, n.Data))
				case a.Key == "type" && a.Val != "checkbox":
					problems = append(problems, fmt.Sprintf("type=%q on <%s>", a.Val, n.Data))
				case a.Key == "class" && !codeLang.MatchString(a.Val):
					problems = append(problems, fmt.Sprintf("class=%q on <%s>", a.Val, n.Data))
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return problems
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// safeAddress reports whether an attribute's address (entities already
// decoded by the HTML parser) is http, https, mailto (links only) or has
// no scheme, after dropping white space and control characters anywhere,
// as lenient URL parsers do, and ignoring case.
func safeAddress(u string, image bool) bool {
	u = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, u)
	i := strings.IndexAny(u, ":/?#")
	if i < 0 || u[i] != ':' {
		return true
	}
	switch strings.ToLower(u[:i]) {
	case "http", "https":
		return true
	case "mailto":
		return !image
	}
	return false
}
