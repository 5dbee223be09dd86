package markdown

import (
	"net/url"
	"strings"
	"unicode"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// SafeURL reports whether a link's (or, with image, an image's) address as
// written in Markdown may be followed: http, https, mailto (links only), or
// no scheme at all (a relative address, a fragment, "//host/…").
//
// The address is read as a browser would read it, and then some: Markdown
// backslash escapes and character references are resolved, percent-escapes
// decoded, and every white space and control character dropped wherever it
// is, so "JaVaScRiPt:", "java&#x09;script:", "&#106;avascript:" and
// "java%0Ascript:" all count as javascript:.
func SafeURL(dest string, image bool) bool {
	u := string(util.ResolveEntityNames(util.ResolveNumericReferences(util.UnescapePunctuations([]byte(dest)))))
	if d, err := url.PathUnescape(u); err == nil {
		u = d
	}
	u = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || unicode.IsControl(r) || r == '\u00ad' || unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, u)
	i := strings.IndexAny(u, ":/?#")
	if i < 0 || u[i] != ':' {
		return true // no scheme
	}
	switch strings.ToLower(u[:i]) {
	case "http", "https":
		return true
	case "mailto":
		return !image
	}
	return false
}

// unsafeLinks unlinks every link, image and autolink whose address SafeURL
// refuses: a link keeps its text, an image its description, an autolink
// its address, all as text.
type unsafeLinks struct{}

func (unsafeLinks) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	src := reader.Source()
	for _, n := range unsafeLinkNodes(doc, src) {
		parent := n.Parent()
		if a, ok := n.(*ast.AutoLink); ok {
			parent.ReplaceChild(parent, n, ast.NewString(a.Label(src)))
			continue
		}
		for c := n.FirstChild(); c != nil; {
			next := c.NextSibling()
			parent.InsertBefore(parent, n, c)
			c = next
		}
		parent.RemoveChild(parent, n)
	}
}

// unsafeLinkNodes lists the links, images and autolinks whose address
// SafeURL refuses, in document order.
func unsafeLinkNodes(doc ast.Node, src []byte) []ast.Node {
	var bad []ast.Node
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch x := n.(type) {
		case *ast.Link:
			if !SafeURL(string(x.Destination), false) {
				bad = append(bad, n)
			}
		case *ast.Image:
			if !SafeURL(string(x.Destination), true) {
				bad = append(bad, n)
			}
		case *ast.AutoLink:
			if x.AutoLinkType == ast.AutoLinkURL && !SafeURL(string(x.URL(src)), false) {
				bad = append(bad, n)
			}
		}
		return ast.WalkContinue, nil
	})
	return bad
}
