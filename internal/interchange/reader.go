package interchange

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/personapal/personapal/internal/csvout"
)

// Formats of foreign input.
const (
	FormatCSV   = "csv"
	FormatJSON  = "json"  // one array of records
	FormatJSONL = "jsonl" // one record per line
)

// MaxRecordBytes caps a single line (CSV, JSON Lines) or record (JSON). It
// keeps memory bounded whatever the input: a longer one is an error naming
// the line or record.
const MaxRecordBytes = 1 << 20

// Record is one input record: a CSV row or a decoded JSON value.
type Record struct {
	// Where names the record in messages: "row 7", "record 3", "line 12".
	Where string
	// Index counts records from 1.
	Index int
	row   []string
	cols  map[string]int // CSV header → column index
	value any            // JSON
}

// Reader yields records one at a time; Next returns io.EOF after the last.
type Reader interface {
	Next() (Record, error)
}

// InputError is a structural error in the input (malformed CSV or JSON, an
// oversized line, an empty file): reading stops there.
type InputError struct {
	Where string
	Msg   string
}

func (e *InputError) Error() string {
	if e.Where == "" {
		return e.Msg
	}
	return e.Where + ": " + e.Msg
}

func inputErr(where, format string, args ...any) error {
	return &InputError{Where: where, Msg: fmt.Sprintf(format, args...)}
}

// NewReader returns a streaming reader of format over r.
func NewReader(r io.Reader, format string) (Reader, error) {
	switch format {
	case FormatCSV:
		return newCSVReader(r)
	case FormatJSON:
		return newJSONReader(r)
	case FormatJSONL:
		return newJSONLReader(r), nil
	}
	return nil, fmt.Errorf("unknown format %q (want csv, json or jsonl)", format)
}

// lineLimiter passes bytes through and fails once a physical line grows
// past max bytes, naming that line.
type lineLimiter struct {
	r       io.Reader
	max     int
	line    int // current line, from 1
	lineLen int
	err     error
}

var errLineTooLong = errors.New("line too long")

func (l *lineLimiter) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	n, err := l.r.Read(p)
	for i, b := range p[:n] {
		if b == '\n' {
			l.line++
			l.lineLen = 0
			continue
		}
		l.lineLen++
		if l.lineLen > l.max {
			l.err = fmt.Errorf("%w: line %d is longer than %d bytes", errLineTooLong, l.line, l.max)
			return i, l.err
		}
	}
	return n, err
}

// CSV.

type csvReader struct {
	cr     *csv.Reader
	lim    *lineLimiter
	header []string
	cols   map[string]int
	row    int
	// lastFields is the number of fields of the last row read.
	lastFields int
}

var bom = []byte{0xEF, 0xBB, 0xBF}

func newCSVReader(r io.Reader) (*csvReader, error) {
	br := bufio.NewReader(r)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, bom) {
		_, _ = br.Discard(3)
	}
	lim := &lineLimiter{r: br, max: MaxRecordBytes, line: 1}
	cr := csv.NewReader(lim)
	cr.ReuseRecord = false
	c := &csvReader{cr: cr, lim: lim}
	header, err := cr.Read()
	if err == io.EOF {
		return nil, inputErr("", "empty file: no header row")
	}
	if err != nil {
		return nil, c.wrap(err, 1)
	}
	unquote(header)
	c.header = header
	c.cols = make(map[string]int, len(header))
	for i, h := range header {
		h = strings.TrimSpace(h)
		if h == "" {
			continue
		}
		if _, dup := c.cols[h]; dup {
			return nil, inputErr("row 1", "duplicate column %q in the header", h)
		}
		c.cols[h] = i
	}
	if len(c.cols) == 0 {
		return nil, inputErr("row 1", "the header row names no columns")
	}
	c.row = 1
	return c, nil
}

// Header returns the header row.
func (c *csvReader) Header() []string { return c.header }

func (c *csvReader) wrap(err error, row int) error {
	if errors.Is(err, errLineTooLong) {
		return inputErr(fmt.Sprintf("row %d", row), "%v", errorsTail(err))
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		msg := pe.Err.Error()
		if errors.Is(pe.Err, csv.ErrFieldCount) {
			msg = fmt.Sprintf("has %d columns, the header has %d", c.lastLen(), len(c.header))
		}
		return inputErr(fmt.Sprintf("row %d (line %d, column %d)", row, pe.StartLine, pe.Column), "malformed CSV: %s", msg)
	}
	return inputErr(fmt.Sprintf("row %d", row), "%v", err)
}

func (c *csvReader) lastLen() int { return c.lastFields }

func errorsTail(err error) string {
	s := err.Error()
	if i := strings.Index(s, ": "); i >= 0 && strings.HasPrefix(s, errLineTooLong.Error()) {
		return s[i+2:]
	}
	return s
}

func (c *csvReader) Next() (Record, error) {
	rec, err := c.cr.Read()
	c.lastFields = len(rec)
	if err == io.EOF {
		return Record{}, io.EOF
	}
	c.row++
	if err != nil {
		return Record{}, c.wrap(err, c.row)
	}
	unquote(rec)
	return Record{Where: "row " + strconv.Itoa(c.row), Index: c.row - 1, row: rec, cols: c.cols}, nil
}

// unquote undoes the formula protection of csvout.Cell in every cell, so a
// cell written as '=x by an export (ours, or any tool that follows OWASP's
// advice) reads as =x. Other leading apostrophes stay.
func unquote(cells []string) {
	for i, c := range cells {
		cells[i] = csvout.Unquote(c)
	}
}

// JSON array.

// recordLimiter fails when more than max bytes are read since the last
// mark. The JSON decoder reads ahead by at most one buffer, so the check is
// against twice the cap.
type recordLimiter struct {
	r     io.Reader
	max   int
	since int
}

var errRecordTooLarge = errors.New("record too large")

func (l *recordLimiter) Read(p []byte) (int, error) {
	if l.since > l.max {
		return 0, errRecordTooLarge
	}
	if len(p) > l.max {
		p = p[:l.max]
	}
	n, err := l.r.Read(p)
	l.since += n
	return n, err
}

type jsonReader struct {
	dec *json.Decoder
	lim *recordLimiter
	n   int
	end bool
}

func newJSONReader(r io.Reader) (*jsonReader, error) {
	br := bufio.NewReader(r)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, bom) {
		_, _ = br.Discard(3)
	}
	lim := &recordLimiter{r: br, max: 2 * MaxRecordBytes}
	dec := json.NewDecoder(lim)
	dec.UseNumber()
	j := &jsonReader{dec: dec, lim: lim}
	tok, err := dec.Token()
	if err == io.EOF {
		return nil, inputErr("", "empty file: expected a JSON array of records")
	}
	if err != nil {
		return nil, j.wrap(err, "")
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return nil, inputErr("", "expected a JSON array of records, found %s", describeToken(tok))
	}
	return j, nil
}

func describeToken(tok any) string {
	switch t := tok.(type) {
	case json.Delim:
		if t == '{' {
			return "an object"
		}
		return string(t)
	case string:
		return "a string"
	case nil:
		return "null"
	case bool:
		return "a boolean"
	}
	return "a number"
}

func (j *jsonReader) wrap(err error, where string) error {
	switch {
	case errors.Is(err, errRecordTooLarge):
		return inputErr(where, "larger than %d bytes", MaxRecordBytes)
	case err == io.ErrUnexpectedEOF || err == io.EOF:
		return inputErr(where, "malformed JSON: unexpected end of file (at byte %d)", j.dec.InputOffset())
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return inputErr(where, "malformed JSON at byte %d: %s", se.Offset, se.Error())
	}
	return inputErr(where, "malformed JSON: %v", err)
}

func (j *jsonReader) Next() (Record, error) {
	if j.end {
		return Record{}, io.EOF
	}
	j.lim.since = 0
	where := "record " + strconv.Itoa(j.n+1)
	if !j.dec.More() {
		tok, err := j.dec.Token()
		if err != nil {
			return Record{}, j.wrap(err, where)
		}
		if d, ok := tok.(json.Delim); !ok || d != ']' {
			return Record{}, inputErr(where, "malformed JSON: unexpected %v", tok)
		}
		if _, err := j.dec.Token(); err != io.EOF {
			return Record{}, inputErr("", "malformed JSON: data after the closing ] of the array (at byte %d)", j.dec.InputOffset())
		}
		j.end = true
		if j.n == 0 {
			return Record{}, inputErr("", "no records: the array is empty")
		}
		return Record{}, io.EOF
	}
	var v any
	if err := j.dec.Decode(&v); err != nil {
		return Record{}, j.wrap(err, where)
	}
	j.n++
	return Record{Where: where, Index: j.n, value: v}, nil
}

// JSON Lines.

type jsonlReader struct {
	br   *bufio.Reader
	line int
	n    int
	buf  []byte
}

func newJSONLReader(r io.Reader) *jsonlReader {
	return &jsonlReader{br: bufio.NewReaderSize(r, 64<<10)}
}

// readLine reads one line of at most MaxRecordBytes; a longer one is an
// error naming it (the rest of it is not kept in memory).
func (j *jsonlReader) readLine() ([]byte, error) {
	j.buf = j.buf[:0]
	for {
		chunk, err := j.br.ReadSlice('\n')
		if len(j.buf)+len(chunk) > MaxRecordBytes+2 {
			return nil, inputErr("line "+strconv.Itoa(j.line), "longer than %d bytes", MaxRecordBytes)
		}
		j.buf = append(j.buf, chunk...)
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF && len(j.buf) > 0 {
			return j.buf, nil
		}
		return j.buf, err
	}
}

func (j *jsonlReader) Next() (Record, error) {
	for {
		j.line++
		if j.line == 1 {
			if b, err := j.br.Peek(3); err == nil && bytes.Equal(b, bom) {
				_, _ = j.br.Discard(3)
			}
		}
		line, err := j.readLine()
		if err == io.EOF {
			if j.n == 0 {
				return Record{}, inputErr("", "empty file: no records")
			}
			return Record{}, io.EOF
		}
		if err != nil {
			return Record{}, err
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		where := "line " + strconv.Itoa(j.line)
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			var se *json.SyntaxError
			if errors.As(err, &se) {
				return Record{}, inputErr(where, "malformed JSON at column %d: %s", se.Offset, se.Error())
			}
			return Record{}, inputErr(where, "malformed JSON: %v", err)
		}
		if dec.InputOffset() != int64(len(line)) {
			return Record{}, inputErr(where, "malformed JSON: more than one value on the line")
		}
		j.n++
		return Record{Where: where, Index: j.n, value: v}, nil
	}
}
