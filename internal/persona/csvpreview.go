package persona

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// A CSV file in the evidence library is shown as a table, and a table can be
// made arbitrarily expensive by its file: 10 MB of commas is one record of
// ten million empty fields, which encoding/csv holds as ten million strings
// (and the page rendered as ten million header cells, 210 MB). PreviewCSV
// therefore reads the file as a stream with a scanner of its own that keeps
// only what will be shown — the first rows, the first columns of each, and
// at most CSVLimits.CellChars characters of a cell — and merely counts the
// rest. CheckCSV validates an upload with the same scanner in strict mode,
// so an upload costs memory in proportion to nothing but the file.

// CSVLimits bounds what a CSV preview shows.
type CSVLimits struct {
	Rows      int // data rows shown (the header row is extra)
	Columns   int // columns shown
	Cells     int // data cells shown in all
	CellChars int // characters of a cell shown; a longer cell is cut with "…"
	Chars     int // characters shown in all (header included), checked before each row
}

// DefaultCSVLimits are the evidence viewer's limits: at most a few hundred
// KB of page whatever the file holds.
var DefaultCSVLimits = CSVLimits{Rows: 200, Columns: 50, Cells: 10_000, CellChars: 500, Chars: 200_000}

// CSVPreview is what PreviewCSV read: the cells to show, and how much of
// the file there was.
type CSVPreview struct {
	Header []string   // the first record (nil when the file has no record)
	Rows   [][]string // the data rows shown, each len(Header) cells
	// TotalRows counts the file's data rows (records after the first);
	// TotalColumns is the widest record's field count.
	TotalRows, TotalColumns int
	CellsCut                bool // some shown cell was shortened
}

// Columns is the number of columns shown.
func (p CSVPreview) Columns() int { return len(p.Header) }

// Cut reports whether anything of the file is not shown.
func (p CSVPreview) Cut() bool {
	return p.TotalRows > len(p.Rows) || p.TotalColumns > len(p.Header) || p.CellsCut
}

// Notice says in a sentence what was left out, or "" when nothing was:
// "Showing the first 200 of 1,234 rows and 50 of 3,000 columns; long cells
// are shortened."
func (p CSVPreview) Notice() string {
	var parts []string
	if p.TotalRows > len(p.Rows) {
		parts = append(parts, "the first "+Thousands(len(p.Rows))+" of "+Thousands(p.TotalRows)+" rows")
	}
	if p.TotalColumns > len(p.Header) {
		cols := Thousands(len(p.Header)) + " of " + Thousands(p.TotalColumns) + " columns"
		if len(parts) == 0 {
			cols = "the first " + cols
		}
		parts = append(parts, cols)
	}
	var s string
	if len(parts) > 0 {
		s = "Showing " + strings.Join(parts, " and ")
	}
	if p.CellsCut {
		if s == "" {
			return "Long cells are shortened."
		}
		s += "; long cells are shortened"
	}
	if s == "" {
		return ""
	}
	return s + "."
}

// Thousands writes n with a comma between groups of three digits: 1,234.
func Thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// PreviewCSV reads a CSV file for display within lim. It is tolerant, as a
// viewer should be: records may have any number of fields, quotes in
// unquoted fields and stray quotes in quoted ones are kept as text (like
// encoding/csv's LazyQuotes), a quoted field left open runs to the end of
// the file, empty lines are skipped, and invalid UTF-8 becomes U+FFFD. A
// leading byte-order mark is dropped. Memory stays within the limits
// whatever r holds; only a read error is returned.
func PreviewCSV(r io.Reader, lim CSVLimits) (CSVPreview, error) {
	s := csvScanner{lim: lim, collect: true}
	err := s.scan(r)
	p := s.p
	if len(p.Header) > 0 || len(p.Rows) > 0 {
		// Every row as wide as the widest shown: a rectangular table.
		cols := min(p.TotalColumns, lim.Columns)
		p.Header = pad(p.Header, cols)
		for i := range p.Rows {
			p.Rows[i] = pad(p.Rows[i], cols)
		}
	}
	return p, err
}

func pad(row []string, n int) []string {
	for len(row) < n {
		row = append(row, "")
	}
	return row
}

// CheckCSV reads a CSV file strictly (as encoding/csv without LazyQuotes,
// any number of fields per record) and returns the first syntax error as a
// *csv.ParseError, or how many records there are. Memory does not grow
// with the file.
func CheckCSV(r io.Reader) (records int, err error) {
	s := csvScanner{strict: true}
	err = s.scan(r)
	return s.records, err
}

// csvScanner is a CSV state machine over a stream. With collect, it keeps
// the cells lim allows in p; it always counts records and fields.
type csvScanner struct {
	lim     CSVLimits
	collect bool
	strict  bool

	p       CSVPreview
	records int

	state     int
	line      int  // current line, from 1
	started   bool // the current record has begun (an empty line has not)
	showing   bool // the current record's cells are kept
	field     int  // index of the current field in its record
	cell      []byte
	overflow  bool // the current cell had more bytes than cell can hold
	row       []string
	cellsUsed int
	charsUsed int
	lastNL    bool // the last byte was a line feed
}

const (
	stFieldStart = iota
	stUnquoted
	stQuoted
	stQuoteInQuoted // a quote seen inside a quoted field
)

func (s *csvScanner) scan(r io.Reader) error {
	s.line = 1
	s.beginRecord()
	br := bufio.NewReaderSize(r, 4096)
	if bom, _ := br.Peek(3); string(bom) == "\xEF\xBB\xBF" {
		_, _ = br.Discard(3)
	}
	buf := make([]byte, 32<<10)
	prevCR := false
	var syntax error
	for syntax == nil {
		n, rerr := br.Read(buf)
		chunk := buf[:n]
		for i := 0; i < len(chunk) && syntax == nil; {
			if !prevCR && s.state != stQuoteInQuoted && (!s.keeping() || s.overflow) {
				if j := s.skip(chunk[i:]); j > 0 {
					i += j
					continue
				}
			}
			c := chunk[i]
			i++
			if prevCR {
				prevCR = false
				if c == '\n' {
					syntax = s.byte('\n')
					continue
				}
				if syntax = s.byte('\r'); syntax != nil {
					break
				}
			}
			if c == '\r' {
				prevCR = true
				continue
			}
			syntax = s.byte(c)
		}
		if syntax != nil {
			break
		}
		if rerr == io.EOF {
			// A "\r" right before the end is dropped, as encoding/csv does.
			syntax = s.end()
			break
		}
		if rerr != nil {
			return rerr
		}
	}
	return syntax
}

// skip passes over the bytes at the start of b that change nothing but
// counts — in a field that is not shown (or already cut): a run of plain
// bytes, or of commas — and returns how many it passed. The state machine
// takes the byte after them.
func (s *csvScanner) skip(b []byte) int {
	switch s.state {
	case stFieldStart:
		n := 0
		for n < len(b) && b[n] == ',' {
			n++
		}
		if n > 0 {
			s.started, s.lastNL = true, false
			s.field += n
			s.cell, s.overflow = s.cell[:0], false
		}
		return n
	case stUnquoted:
		n := 0
		for ; n < len(b); n++ {
			if c := b[n]; c == ',' || c == '\n' || c == '\r' || (c == '"' && s.strict) {
				break
			}
		}
		if n > 0 {
			s.lastNL = false
		}
		return n
	case stQuoted:
		// Up to the next quote; line feeds only count lines, and "\r"
		// matters only to a cell's text.
		n := bytes.IndexByte(b, '"')
		if n < 0 {
			n = len(b)
		}
		if n > 0 {
			s.line += bytes.Count(b[:n], []byte{'\n'})
			s.lastNL = b[n-1] == '\n'
		}
		return n
	}
	return 0
}

// byte advances the state machine by one byte ("\r\n" arrives as "\n").
func (s *csvScanner) byte(c byte) error {
	s.lastNL = c == '\n'
	switch s.state {
	case stFieldStart:
		switch c {
		case '"':
			s.started = true
			s.state = stQuoted
		case ',':
			s.started = true
			s.endField()
		case '\n':
			if s.started {
				s.endField()
				s.endRecord()
			}
			s.line++
		default:
			s.started = true
			s.add(c)
			s.state = stUnquoted
		}
	case stUnquoted:
		switch c {
		case ',':
			s.endField()
			s.state = stFieldStart
		case '\n':
			s.endField()
			s.endRecord()
			s.line++
			s.state = stFieldStart
		case '"':
			if s.strict {
				return &csv.ParseError{StartLine: s.line, Line: s.line, Err: csv.ErrBareQuote}
			}
			s.add(c)
		default:
			s.add(c)
		}
	case stQuoted:
		switch c {
		case '"':
			s.state = stQuoteInQuoted
		case '\n':
			s.line++
			s.add(c)
		default:
			s.add(c)
		}
	case stQuoteInQuoted:
		switch c {
		case '"':
			s.add('"')
			s.state = stQuoted
		case ',':
			s.endField()
			s.state = stFieldStart
		case '\n':
			s.endField()
			s.endRecord()
			s.line++
			s.state = stFieldStart
		default:
			if s.strict {
				return &csv.ParseError{StartLine: s.line, Line: s.line, Err: csv.ErrQuote}
			}
			s.add('"')
			s.add(c)
			s.state = stQuoted
		}
	}
	return nil
}

// end finishes the last record at the end of the input.
func (s *csvScanner) end() error {
	if s.state == stQuoted && s.strict {
		line := s.line
		if s.lastNL { // the error is on the last line that has something
			line--
		}
		return &csv.ParseError{StartLine: line, Line: line, Err: csv.ErrQuote}
	}
	if s.started {
		s.endField()
		s.endRecord()
	}
	return nil
}

func (s *csvScanner) beginRecord() {
	s.started, s.field, s.row = false, 0, nil
	s.state = stFieldStart
	s.showing = false
	if !s.collect {
		return
	}
	if s.records == 0 {
		s.showing = s.lim.Columns > 0
		return
	}
	s.showing = len(s.p.Rows) < s.lim.Rows && s.cellsUsed+s.lim.Columns <= s.lim.Cells && s.charsUsed < s.lim.Chars
}

// keeping reports whether the current field is shown.
func (s *csvScanner) keeping() bool { return s.showing && s.field < s.lim.Columns }

func (s *csvScanner) add(c byte) {
	if !s.keeping() {
		return
	}
	if len(s.cell) >= s.lim.CellChars*utf8.UTFMax+utf8.UTFMax {
		s.overflow = true
		return
	}
	s.cell = append(s.cell, c)
}

func (s *csvScanner) endField() {
	if s.keeping() {
		v := s.finishCell()
		s.row = append(s.row, v)
		s.charsUsed += utf8.RuneCountInString(v)
		if s.records > 0 {
			s.cellsUsed++
		}
	}
	s.cell, s.overflow = s.cell[:0], false
	s.field++
}

// finishCell turns the bytes kept of a cell into its text, cut to
// CellChars characters with "…" when it was longer.
func (s *csvScanner) finishCell() string {
	// cell holds more than CellChars runes when it overflowed (a rune is at
	// most UTFMax bytes), so the cut below always ends on a rune boundary.
	b, cut := s.cell, s.overflow
	n := 0
	for i := range string(b) {
		if n == s.lim.CellChars {
			b, cut = b[:i], true
			break
		}
		n++
	}
	v := strings.ToValidUTF8(string(b), "\uFFFD")
	if cut {
		s.p.CellsCut = true
		v = strings.TrimRight(v, " ") + "…"
	}
	return v
}

func (s *csvScanner) endRecord() {
	s.p.TotalColumns = max(s.p.TotalColumns, s.field)
	if s.records == 0 {
		s.p.Header = s.row
		if s.p.Header == nil && s.collect {
			s.p.Header = []string{}
		}
	} else {
		s.p.TotalRows++
		if s.showing {
			s.p.Rows = append(s.p.Rows, s.row)
		}
	}
	s.records++
	s.beginRecord()
}
