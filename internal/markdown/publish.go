package markdown

import (
	"bytes"
	"slices"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Publishable returns user Markdown that reads as md does but that no
// renderer can turn into HTML of its own or into a script link, even one
// that passes raw HTML through (as GitHub's does before sanitising, and
// many static-site generators do not sanitise at all):
//
//   - every '<' outside code is escaped ("\<"), so no HTML block, inline
//     tag, comment, processing instruction or autolink can open;
//   - every link and image (inline, reference or autolink) whose address
//     SafeURL refuses loses its opening bracket ("\[x](javascript:…)"), so
//     it reads as text;
//
// Code spans and code blocks are left as they are: every renderer shows
// them as text. The result is checked by parsing it again, until nothing
// is left to neutralise; Markdown on which a parsing limit had to cut in
// (limits.go), where another renderer may see structure that the bounded
// parser does not, and Markdown that does not settle, become plain text
// (EscapeAll).
func Publishable(md string) string {
	return publish(md, 0, len(md), nil)
}

// PublishableCell is Publishable for the text of one GFM table cell
// (written between "| " and " |"): the cell is checked as a cell, where
// there are no code blocks, and the line breaks it holds as "<br>" stay.
func PublishableCell(cell string) string {
	const head = "| x |\n| --- |\n| "
	doc := head + cell + " |\n"
	out := publish(doc, len(head), len(head)+len(cell), allowBreak)
	return strings.TrimSuffix(strings.TrimPrefix(out, head), " |\n")
}

// allowBreak lets a "<br>" through: table cells hold line breaks so.
func allowBreak(raw []byte) bool { return bytes.Equal(raw, []byte("<br>")) }

// publish neutralises what lies within doc[lo:hi] (hi moves as escapes are
// inserted); allow, when set, lets some raw HTML through untouched.
func publish(doc string, lo, hi int, allow func([]byte) bool) string {
	for range 4 {
		spots, limited := unsafeSpots([]byte(doc), lo, hi, allow)
		if limited {
			break
		}
		if len(spots) == 0 {
			return doc
		}
		var b strings.Builder
		b.Grow(len(doc) + len(spots))
		last := 0
		for _, p := range spots {
			b.WriteString(doc[last:p])
			b.WriteByte('\\')
			last = p
		}
		b.WriteString(doc[last:])
		doc = b.String()
		hi += len(spots)
	}
	return doc[:lo] + EscapeAll(doc[lo:hi]) + doc[hi:]
}

// unsafeSpots parses doc and lists the positions within [lo, hi) where a
// backslash neutralises something: a '<' outside code, the '[' of an
// unsafe link or image, the ':' of an unsafe bare autolink. limited
// reports that a parsing limit cut in.
func unsafeSpots(doc []byte, lo, hi int, allow func([]byte) bool) (spots []int, limited bool) {
	pc := parser.NewContext()
	root := bounded.Parser().Parse(text.NewReader(doc), parser.WithContext(pc))
	if st, _ := pc.Get(stateKey).(*limitState); st != nil && st.hit {
		return nil, true
	}
	var code, allowed [][2]int // byte ranges shown as text, or let through
	var defs []int             // brackets of unsafe link reference definitions
	_ = ast.Walk(root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch x := n.(type) {
		case *ast.CodeBlock, *ast.FencedCodeBlock:
			for i := 0; i < n.Lines().Len(); i++ {
				s := n.Lines().At(i)
				code = append(code, [2]int{s.Start, s.Stop})
			}
		case *ast.CodeSpan:
			for c := n.FirstChild(); c != nil; c = c.NextSibling() {
				if t, ok := c.(*ast.Text); ok {
					code = append(code, [2]int{t.Segment.Start, t.Segment.Stop})
				}
			}
		case *ast.LinkReferenceDefinition:
			// A definition renders nothing, but any "[label]" of the
			// document (another field of an export too) can use it.
			if !SafeURL(string(x.Destination), false) && x.Lines().Len() > 0 {
				if i := bytes.IndexByte(doc[x.Pos():], '['); i >= 0 {
					defs = append(defs, x.Pos()+i)
				}
			}
		case *ast.RawHTML:
			if allow != nil && x.Segments.Len() == 1 {
				if s := x.Segments.At(0); allow(s.Value(doc)) {
					allowed = append(allowed, [2]int{s.Start, s.Stop})
				}
			}
		}
		return ast.WalkContinue, nil
	})
	inside := func(p int, ranges [][2]int) bool {
		for _, r := range ranges {
			if r[0] <= p && p < r[1] {
				return true
			}
		}
		return false
	}
	add := func(p int) {
		if p >= lo && p < hi && !(p > 0 && doc[p-1] == '\\' && !escaped(doc, p-1)) {
			spots = append(spots, p)
		}
	}
	for p := lo; p < hi; p++ {
		if doc[p] == '<' && !inside(p, code) && !inside(p, allowed) {
			add(p)
		}
	}
	for _, p := range defs {
		add(p)
	}
	for _, n := range unsafeLinkNodes(root, doc) {
		p := n.Pos()
		switch x := n.(type) {
		case *ast.Image:
			p++ // "![": the bracket
		case *ast.AutoLink:
			if p >= 0 && p < len(doc) && doc[p] == '<' {
				continue // escaped above
			}
			// A bare address (GitHub's autolinks): escape its scheme's colon.
			label := x.Label(doc)
			if i := bytes.IndexByte(label, ':'); i >= 0 && p >= 0 {
				if j := bytes.Index(doc[p:], label); j >= 0 {
					p += j + i
				}
			}
		}
		if p >= 0 && p < len(doc) {
			add(p)
		}
	}
	slices.Sort(spots)
	return slices.Compact(spots), false
}

// escaped reports whether the backslash at i is itself escaped (preceded
// by an odd run of backslashes).
func escaped(doc []byte, i int) bool {
	n := 0
	for j := i - 1; j >= 0 && doc[j] == '\\'; j-- {
		n++
	}
	return n%2 == 1
}

// EscapeAll makes Markdown plain text: every ASCII punctuation character
// is backslash-escaped, so nothing in it opens structure, markup, HTML or a
// link in any CommonMark renderer; line breaks stay.
func EscapeAll(s string) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/4)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if util.IsPunct(c) {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	return b.String()
}
