// Package csvout is the one place where Persona Pal writes and reads the
// conventions of its CSV files: every CSV the product makes (a group's
// personas from `personas export-csv`, the audit log download) goes
// through Writer, and the CSV importer reverses the same rules.
//
// Formula injection. A spreadsheet reads a cell that starts with = + - @
// (or a tab, a carriage return, a line feed or NUL, or the full-width
// ＝ ＋ － ＠ some locales accept) as a formula, so a persona named
// `=cmd|' /C calc'!A0` would run code on the machine of whoever opens the
// export. Following OWASP (CSV Injection) and ASVS 1.2.10, Writer prefixes
// such a cell with a single quote, which spreadsheets show as text. A
// trigger after leading white space counts too (" =1+1"), since some
// spreadsheets trim spaces before they look. Negative numbers are
// prefixed too ("-3" is written as "'-3"): the rule stays one that a
// reviewer can check at a glance, and the importer reads "-3" back.
//
// So that export → import is lossless, a cell that already starts with
// apostrophes followed by such a trigger ("'=x") gets one more apostrophe,
// and Unquote — used by the CSV importer on every cell — removes exactly
// one leading apostrophe when what follows it (after any further
// apostrophes and white space) starts with a trigger. Any other cell,
// including one that merely starts with an apostrophe ("'tis"), is read
// as it is. Cell and Unquote are inverse: Unquote(Cell(s)) == s for every s.
//
// Lists. JoinList writes list items (lists, tags, multi-choice) into one
// cell separated by "; ", with a backslash before every ";" and "\" inside
// an item, so that "Fast close; Few errors" stays readable in a
// spreadsheet and an item holding "; " comes back whole. SplitList reads
// such a cell back (a mapping says `escaped: true`).
//
// Line breaks inside a cell are written as they are; CSV readers
// (encoding/csv among them, and spreadsheets) turn a CR LF inside a quoted
// cell into LF, so CR LF line breaks come back as LF.
package csvout

import (
	"encoding/csv"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// BOM is the UTF-8 byte order mark; Excel needs it to read a CSV file as
// UTF-8 rather than the local code page.
const BOM = "\uFEFF"

// Writer writes CSV records whose every cell is protected by Cell.
type Writer struct {
	cw      *csv.Writer
	w       io.Writer
	bom     bool
	started bool
	err     error
	row     []string
}

// Options configure a Writer.
type Options struct {
	// BOM starts the output with a UTF-8 byte order mark (for Excel).
	BOM bool
}

// NewWriter returns a Writer to w.
func NewWriter(w io.Writer, opts Options) *Writer {
	return &Writer{cw: csv.NewWriter(w), w: w, bom: opts.BOM}
}

// Write writes one record, each cell passed through Cell.
func (w *Writer) Write(record []string) error {
	if w.err != nil {
		return w.err
	}
	if !w.started {
		w.started = true
		if w.bom {
			if _, err := io.WriteString(w.w, BOM); err != nil {
				w.err = err
				return err
			}
		}
	}
	w.row = w.row[:0]
	for _, c := range record {
		w.row = append(w.row, Cell(c))
	}
	if err := w.cw.Write(w.row); err != nil {
		w.err = err
		return err
	}
	return nil
}

// Flush writes buffered records to the underlying writer.
func (w *Writer) Flush() { w.cw.Flush() }

// Error reports any error of a previous Write or Flush.
func (w *Writer) Error() error {
	if w.err != nil {
		return w.err
	}
	return w.cw.Error()
}

// isTrigger reports whether a spreadsheet may start a formula with r.
func isTrigger(r rune) bool {
	switch r {
	case '=', '+', '-', '@', '\t', '\r', '\n', 0,
		'\uFF1D', '\uFF0B', '\uFF0D', '\uFF20': // full-width = + - @
		return true
	}
	return false
}

// formulaLike reports whether s, after any leading apostrophes, starts
// with a trigger, or with white space and then a trigger.
func formulaLike(s string) bool {
	s = strings.TrimLeft(s, "'")
	if s == "" {
		return false
	}
	r, _ := utf8.DecodeRuneInString(s)
	if isTrigger(r) {
		return true
	}
	s = strings.TrimLeftFunc(s, unicode.IsSpace)
	if s == "" {
		return false
	}
	r, _ = utf8.DecodeRuneInString(s)
	return isTrigger(r)
}

// Cell returns s as it is safe to write into a CSV cell: prefixed with a
// single quote when a spreadsheet could read it as a formula (see the
// package documentation for the rule).
func Cell(s string) string {
	if formulaLike(s) {
		return "'" + s
	}
	return s
}

// Unquote reverses Cell: it removes one leading apostrophe when the rest
// of the cell could be read as a formula, and returns any other cell
// unchanged.
func Unquote(s string) string {
	if strings.HasPrefix(s, "'") && formulaLike(s[1:]) {
		return s[1:]
	}
	return s
}

// ListSeparator separates list items in one cell.
const ListSeparator = "; "

var listEscaper = strings.NewReplacer(`\`, `\\`, `;`, `\;`)

// JoinList writes list items into one cell: items separated by "; ", a
// backslash before every ";" and "\" of an item.
func JoinList(items []string) string {
	if len(items) == 0 {
		return ""
	}
	var b strings.Builder
	for i, it := range items {
		if i > 0 {
			b.WriteString(ListSeparator)
		}
		listEscaper.WriteString(&b, it)
	}
	return b.String()
}

// SplitList reads a cell written by JoinList (or by hand in that form):
// items are separated by sep (";" when empty) where it is not preceded by
// a backslash, a backslash makes the next character literal, and items are
// trimmed of surrounding white space; empty items are dropped. A trailing
// lone backslash is kept as it is.
func SplitList(cell, sep string) []string {
	if sep == "" {
		sep = ";"
	}
	var (
		out []string
		cur strings.Builder
	)
	flush := func() {
		if it := strings.TrimSpace(cur.String()); it != "" {
			out = append(out, it)
		}
		cur.Reset()
	}
	for i := 0; i < len(cell); {
		switch {
		case cell[i] == '\\' && i+1 < len(cell):
			_, n := utf8.DecodeRuneInString(cell[i+1:])
			cur.WriteString(cell[i+1 : i+1+n])
			i += 1 + n
		case strings.HasPrefix(cell[i:], sep):
			flush()
			i += len(sep)
		default:
			cur.WriteByte(cell[i])
			i++
		}
	}
	flush()
	return out
}
