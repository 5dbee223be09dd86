// Package markdown renders user Markdown (notes, Markdown fields, evidence
// summaries and documents, Launchpad notes) to HTML in bounded time, and
// makes Markdown that the product writes (exports) safe to publish.
//
// Rendering is goldmark with GitHub's extensions and typographic quotes,
// without raw HTML, on a parser whose pathological shapes are bounded (see
// limits.go): goldmark is quadratic on deeply nested block quotes and
// lists, on unclosed link destinations, on nested brackets and on long runs
// of emphasis delimiters that cannot match, and pads every short table row
// to the header's width. With the limits below, any input up to MaxLength
// characters renders in a few milliseconds (BenchmarkWorstShapes) while
// ordinary Markdown renders exactly as before.
package markdown

import (
	"bytes"
	"reflect"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// MaxLength is the longest Markdown the pages render, in characters: a
// note's limit, and every Markdown field's (persona.MaxStringLength).
// Render cuts longer input at this length.
const MaxLength = 20000

// Version names what Render produces. It is part of every cache key of
// rendered HTML: change it whenever the renderer's output for some input
// changes (a goldmark upgrade, a new limit or extension).
const Version = "goldmark-1.8.7/gfm+typographer/limits-1"

// The limits on pathological shapes. Ordinary Markdown stays far below
// each; beyond one, the rest is read as text.
const (
	// MaxNesting bounds block quotes and lists inside one another: a `>`
	// or list marker deeper than this is text.
	MaxNesting = 16
	// MaxOpenBrackets bounds the `[` and `![` a block holds open at once
	// (link texts not yet closed); a further `[` is text.
	MaxOpenBrackets = 32
	// MaxTableCells bounds a table's cells (rows × columns, short rows
	// padded): a paragraph that would make a larger table stays a
	// paragraph.
	MaxTableCells = 10000
	// linkScanBudget bounds, per document, the bytes the link parser may
	// scan for inline link destinations and titles: goldmark scans from
	// each "](" to the next space (or closing quote), so unclosed
	// destinations cost the square of a line's length. An ordinary
	// document uses a few kilobytes of it.
	linkScanBudget = 1 << 20
	// labelLineBudget bounds, per document, the lines goldmark walks to
	// read reference labels back ("[a]" or "[a][b]"): it walks from the
	// block's last line to the label's, so a long paragraph of "[]" lines
	// is quadratic.
	labelLineBudget = 1 << 20
	// delimiterBudget bounds, per document, the steps goldmark may take
	// to match emphasis, strike-through and quote delimiters: each closer
	// is tried against every delimiter before it in its block. An
	// ordinary long paragraph takes a few ten thousand; beyond the budget,
	// delimiters are text.
	delimiterBudget = 1 << 20
)

var (
	// md renders for the pages: no raw HTML (goldmark's default), no
	// link or image whose address has a scheme but http, https or mailto.
	md = build(true, parser.WithASTTransformers(util.Prioritized(unsafeLinks{}, 1000)))
	// bounded parses for checks (Publishable) with the same limits.
	bounded = build(false)
)

// Render turns user Markdown into HTML that is safe to embed in a page: no
// raw HTML, no script-ish addresses. Input beyond MaxLength characters is
// cut.
func Render(src string) string {
	src = Truncate(src, MaxLength)
	var buf bytes.Buffer
	buf.Grow(len(src) + len(src)/4)
	if err := md.Convert([]byte(src), &buf); err != nil {
		// goldmark's renderer fails only when its writer does.
		return ""
	}
	return buf.String()
}

// Parse parses Markdown with the renderer's bounded parser (GitHub's
// extensions, typographer), returning the document node.
func Parse(src []byte) ast.Node {
	return bounded.Parser().Parse(text.NewReader(src))
}

// Truncate cuts s to at most n characters (runes), on a rune boundary.
func Truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}

// Length counts the characters (runes) of s, as the validators do.
func Length(s string) int { return utf8.RuneCountInString(s) }

// build assembles goldmark with GitHub's extensions and the typographer,
// replacing the parsers and transformers that have pathological cases by
// bounded wrappers (limits.go). The extensions are applied to a recorder
// first so that their parsers can be wrapped wherever they register.
func build(typographer bool, extra ...parser.Option) goldmark.Markdown {
	rec := &recorder{}
	exts := []goldmark.Extender{extension.GFM}
	if typographer {
		exts = append(exts, extension.Typographer)
	}
	base := goldmark.New(goldmark.WithParser(rec), goldmark.WithExtensions(exts...))

	cfg := parser.NewConfig()
	parser.WithBlockParsers(parser.DefaultBlockParsers()...).SetParserOption(cfg)
	parser.WithInlineParsers(parser.DefaultInlineParsers()...).SetParserOption(cfg)
	parser.WithParagraphTransformers(parser.DefaultParagraphTransformers()...).SetParserOption(cfg)
	for _, o := range append(rec.opts, extra...) {
		o.SetParserOption(cfg)
	}
	blocks := make([]util.PrioritizedValue, len(cfg.BlockParsers))
	for i, v := range cfg.BlockParsers {
		blocks[i] = util.Prioritized(wrapBlock(v.Value.(parser.BlockParser)), v.Priority)
	}
	inlines := make([]util.PrioritizedValue, len(cfg.InlineParsers))
	for i, v := range cfg.InlineParsers {
		inlines[i] = util.Prioritized(wrapInline(v.Value.(parser.InlineParser)), v.Priority)
	}
	paras := make([]util.PrioritizedValue, len(cfg.ParagraphTransformers))
	for i, v := range cfg.ParagraphTransformers {
		paras[i] = util.Prioritized(wrapParagraph(v.Value.(parser.ParagraphTransformer)), v.Priority)
	}
	p := parser.NewParser(
		parser.WithBlockParsers(blocks...),
		parser.WithInlineParsers(inlines...),
		parser.WithParagraphTransformers(paras...),
		parser.WithASTTransformers(cfg.ASTTransformers...),
	)
	return goldmark.New(goldmark.WithParser(p), goldmark.WithRenderer(base.Renderer()))
}

// recorder is a parser.Parser that only collects the options extensions
// add to it.
type recorder struct{ opts []parser.Option }

func (r *recorder) AddOptions(opts ...parser.Option)                  { r.opts = append(r.opts, opts...) }
func (r *recorder) Parse(text.Reader, ...parser.ParseOption) ast.Node { return ast.NewDocument() }

// sameType reports whether a and b have the same dynamic type (goldmark's
// parser types are unexported; their constructors return singletons or
// fresh values of the one type).
func sameType(a, b any) bool { return reflect.TypeOf(a) == reflect.TypeOf(b) }
