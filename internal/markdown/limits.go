package markdown

import (
	"bytes"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Bounded wrappers around goldmark's parsers. Each one lets the wrapped
// parser do exactly what it did as long as the input stays within a limit,
// and makes what lies beyond the limit plain text, so that ordinary
// Markdown renders as goldmark renders it and pathological Markdown costs
// linear time:
//
//   - block quotes and lists (goldmark re-measures the line's indentation
//     for every open container: quadratic in the depth) open no deeper
//     than MaxNesting;
//   - link texts: at most MaxOpenBrackets open at once (each `]` walks
//     the open ones and their contents), and at most linkScanBudget bytes
//     scanned per document for inline link destinations and titles (each
//     "](" scans to the next space, so "[a](b" repeated on one line is
//     quadratic);
//   - emphasis, strike-through and typographic quote delimiters: goldmark
//     matches each closer against every earlier delimiter of its block, so
//     closers that find no opener ("*a_" repeated) cost the square of
//     their number; a document may push closers worth at most
//     delimiterBudget such steps;
//   - tables: at most MaxTableCells cells (goldmark pads short rows to the
//     header's width, so a wide header over rows of "|" multiplies the
//     input a hundredfold).

var stateKey = parser.NewContextKey()

// limitState is one document's parse state for the limits: counters for
// the block being parsed (inline parsing runs one block at a time) and the
// document's link budget.
type limitState struct {
	block  ast.Node
	open   int // link texts the link parser holds open in block
	delims int // delimiter runs pushed in block
	steps  int // delimiter matching steps left for the document
	budget int // link scanning left for the document
	lines  int // reference-label line walks left for the document
	// noCloser[n] is the position from which the block has no closing
	// run of n backticks (0: not known).
	noCloser map[int]int
	memo     [memoKinds]memo
	// hit records that some limit made something text that goldmark
	// alone would have parsed as structure.
	hit bool
}

// docState returns the document's state.
func docState(pc parser.Context) *limitState {
	st, _ := pc.Get(stateKey).(*limitState)
	if st == nil {
		st = &limitState{budget: linkScanBudget, lines: labelLineBudget, steps: delimiterBudget}
		pc.Set(stateKey, st)
	}
	return st
}

// stateOf returns the document's state with counters for block.
func stateOf(pc parser.Context, block ast.Node) *limitState {
	st := docState(pc)
	if st.block != block {
		st.block, st.open, st.delims = block, 0, 0
		clear(st.noCloser)
	}
	return st
}

// ---- block quotes and lists ----

func wrapBlock(p parser.BlockParser) parser.BlockParser {
	if sameType(p, parser.NewBlockquoteParser()) || sameType(p, parser.NewListParser()) {
		return nestingLimit{p}
	}
	return p
}

type nestingLimit struct{ parser.BlockParser }

func (n nestingLimit) Open(parent ast.Node, reader text.Reader, pc parser.Context) (ast.Node, parser.State) {
	if Nesting(parent) >= MaxNesting {
		docState(pc).hit = true
		return nil, parser.NoChildren
	}
	return n.BlockParser.Open(parent, reader, pc)
}

// Nesting counts the block quotes and lists that n is (or is inside).
func Nesting(n ast.Node) int {
	d := 0
	for ; n != nil; n = n.Parent() {
		if k := n.Kind(); k == ast.KindBlockquote || k == ast.KindList {
			d++
		}
	}
	return d
}

// ---- inline parsers ----

func wrapInline(p parser.InlineParser) parser.InlineParser {
	switch {
	case sameType(p, parser.NewLinkParser()):
		return linkLimit{p.(linkParser)}
	case sameType(p, parser.NewEmphasisParser()):
		return delimiterLimit{InlineParser: p}
	case sameType(p, extension.NewStrikethroughParser()):
		return delimiterLimit{InlineParser: p, maxRun: 2}
	case sameType(p, extension.NewTypographerParser()):
		return delimiterLimit{InlineParser: p, quotes: true, maxRun: 64}
	case sameType(p, parser.NewCodeSpanParser()):
		return codeSpanMemo{p}
	}
	return p
}

// linkParser is goldmark's link parser: an inline parser that also
// closes the link texts left open at the end of a block.
type linkParser interface {
	parser.InlineParser
	parser.CloseBlocker
}

type linkLimit struct{ linkParser }

func (l linkLimit) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
	line, seg := block.PeekLine()
	st := stateOf(pc, parent)
	switch line[0] {
	case '!', '[':
		if st.open >= MaxOpenBrackets {
			st.hit = true
			return nil // the bracket is text
		}
		n := l.linkParser.Parse(parent, block, pc)
		if n != nil {
			st.open++ // a link text opened
		}
		return n
	}
	// ']': goldmark closes the latest open link text, whatever the outcome.
	if st.open == 0 {
		return l.linkParser.Parse(parent, block, pc)
	}
	if len(line) > 1 && line[1] == '(' {
		cost := st.inlineLinkCost(block.Source(), seg.Start+2)
		if cost > st.budget {
			st.hit = true
			return nil // no more inline links in this document: the ']' is text
		}
		st.budget -= cost
	}
	// A reference or shortcut link reads its label back through the
	// block reader, which walks the block's lines from the last one.
	l0, _ := block.Position()
	walk := parent.Lines().Len() - l0
	if walk > st.lines {
		st.hit = true
		return nil
	}
	st.lines -= walk
	st.open--
	return l.linkParser.Parse(parent, block, pc)
}

func (l linkLimit) CloseBlock(parent ast.Node, block text.Reader, pc parser.Context) {
	l.linkParser.CloseBlock(parent, block, pc)
	if st, _ := pc.Get(stateKey).(*limitState); st != nil && st.block == parent {
		st.open = 0
	}
}

// inlineLinkCost is an upper bound of what goldmark's link parser scans
// for an inline link whose "(" ends just before p: the destination (to the
// next white space, or to '>' for "<…>"), white space, and a title (to its
// closing quote or parenthesis).
func (st *limitState) inlineLinkCost(src []byte, p int) int {
	q := st.next(src, p, memoNonSpace)
	end := 0
	if q < len(src) && src[q] == '<' {
		end = min(st.next(src, q, memoGT), st.next(src, q, memoNewline))
	} else {
		end = st.next(src, q, memoSpace)
	}
	t := st.next(src, end, memoNonSpace)
	if t < len(src) {
		switch src[t] {
		case '"':
			end = st.next(src, t+1, memoQuote)
		case '\'':
			end = st.next(src, t+1, memoApos)
		case '(':
			end = st.next(src, t+1, memoParen)
		}
	}
	return end - p + 1
}

const (
	memoNonSpace = iota
	memoSpace
	memoNewline
	memoGT
	memoQuote
	memoApos
	memoParen
	memoKinds
)

// memo remembers one answer of next: from..at holds no wanted byte but at.
type memo struct {
	ok       bool
	from, at int
}

// next returns the position of the first byte at or after p of the kind
// (len(src) when there is none). Answers are remembered, so a run of
// queries at increasing positions costs one pass over the source.
func (st *limitState) next(src []byte, p, kind int) int {
	if m := st.memo[kind]; m.ok && m.from <= p && p <= m.at {
		return m.at
	}
	i := p
	for i < len(src) && !wanted(kind, src[i]) {
		i++
	}
	st.memo[kind] = memo{ok: true, from: p, at: i}
	return i
}

func wanted(kind int, c byte) bool {
	switch kind {
	case memoNonSpace:
		return !util.IsSpace(c)
	case memoSpace:
		return util.IsSpace(c)
	case memoNewline:
		return c == '\n'
	case memoGT:
		return c == '>'
	case memoQuote:
		return c == '"'
	case memoApos:
		return c == '\''
	}
	return c == ')'
}

// delimiterLimit bounds the matching work of the delimiter runs an inline
// parser pushes: a closer costs up to the number of delimiters before it
// in its block. quotes: only its quote delimiters count (the typographer also
// writes dashes and ellipses, which are not delimiters). maxRun, when set,
// is the longest run the parser is given: the strike-through and quote
// parsers measure the whole run for every character of it, and take at
// most two (strike-through: longer runs are text in GitHub's Markdown
// too) or one (quotes).
type delimiterLimit struct {
	parser.InlineParser
	quotes bool
	maxRun int
}

func (d delimiterLimit) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
	line, seg := block.PeekLine()
	if d.quotes && line[0] != '\'' && line[0] != '"' {
		return d.InlineParser.Parse(parent, block, pc)
	}
	st := stateOf(pc, parent)
	n := 1 // the run's length
	for n < len(line) && line[n] == line[0] {
		n++
	}
	over := st.steps < st.delims
	if over || d.maxRun > 0 && n > d.maxRun {
		if over || d.quotes {
			st.hit = true
		}
		// The whole run is text (one character would make the next one
		// of the run try again).
		block.Advance(n)
		return ast.NewTextSegment(seg.WithStop(seg.Start + n))
	}
	node := d.InlineParser.Parse(parent, block, pc)
	if dl, ok := node.(*parser.Delimiter); ok {
		if dl.CanClose {
			st.steps -= st.delims
		}
		st.delims++
	}
	return node
}

// codeSpanMemo remembers, per block, the backtick run lengths that have
// no closing run left: goldmark looks for the closer to the end of the
// block from every opener, so openers that never close ("`a\\“" repeated)
// cost the square of the block's length.
type codeSpanMemo struct{ parser.InlineParser }

func (c codeSpanMemo) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
	line, seg := block.PeekLine()
	n := 1
	for n < len(line) && line[n] == '`' {
		n++
	}
	st := stateOf(pc, parent)
	if from, ok := st.noCloser[n]; ok && seg.Start >= from {
		block.Advance(n)
		return ast.NewTextSegment(seg.WithStop(seg.Start + n))
	}
	node := c.InlineParser.Parse(parent, block, pc)
	if _, isText := node.(*ast.Text); isText {
		if st.noCloser == nil {
			st.noCloser = map[int]int{}
		}
		st.noCloser[n] = seg.Start
	}
	return node
}

// ---- tables ----

func wrapParagraph(t parser.ParagraphTransformer) parser.ParagraphTransformer {
	if sameType(t, extension.NewTableParagraphTransformer()) {
		return tableLimit{t}
	}
	return t
}

type tableLimit struct{ parser.ParagraphTransformer }

func (t tableLimit) Transform(node *ast.Paragraph, reader text.Reader, pc parser.Context) {
	if tableCells(node.Lines(), reader.Source()) > MaxTableCells {
		docState(pc).hit = true
		return // stays a paragraph
	}
	t.ParagraphTransformer.Transform(node, reader, pc)
}

// tableCells is an upper bound of the cells a paragraph's table would
// have: its rows (the header and every line after the first
// delimiter-like row) times that row's cells.
func tableCells(lines *text.Segments, src []byte) int {
	for i := 1; i < lines.Len(); i++ {
		s := lines.At(i)
		if cols := delimiterRowCells(s.Value(src)); cols > 0 {
			return (lines.Len() - i) * cols
		}
	}
	return 0
}

// delimiterRowCells counts the cells of a table delimiter row ("| --- | :-: |"),
// or returns 0 when the line is not one.
func delimiterRowCells(l []byte) int {
	l = bytes.TrimSpace(l)
	pipes, dashes := 0, 0
	for _, c := range l {
		switch c {
		case '|':
			pipes++
		case '-':
			dashes++
		case ':', ' ', '\t', '\n', '\r':
		default:
			return 0
		}
	}
	if dashes == 0 {
		return 0
	}
	cells := pipes + 1
	if l[0] == '|' {
		cells--
	}
	if l[len(l)-1] == '|' && len(l) > 1 {
		cells--
	}
	return cells
}
