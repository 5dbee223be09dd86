package persona

import (
	"fmt"
	"reflect"
	"strings"
	"unicode/utf8"
)

// User text comes in two shapes, and one check covers each wherever text
// enters (the application layer validates with these, and so does the
// organisation import, so that whatever is accepted can be exported and
// imported again):
//
//   - Single-line text — names (organisations, groups, templates, personas,
//     tokens, users, Launchpads, catalogue items), labels, titles, keys,
//     options, tags, list items, customer labels and the values of text,
//     URL, date and choice fields — refuses every control character: C0
//     (U+0000–U+001F, including tab, line feed and carriage return), DEL
//     (U+007F) and C1 (U+0080–U+009F), and the Unicode line and paragraph
//     separators U+2028 and U+2029, which are line breaks too.
//   - Multi-line text — descriptions, summaries, help, notes, quotes,
//     excerpts and Markdown values — keeps tab, line feed and the two
//     separators, and accepts carriage return (CleanText turns CRLF and a
//     lone CR into LF where the text is cleaned); every other control
//     character is refused.
//
// Everything else Unicode holds is accepted: every script and plane,
// combining marks, right-to-left text and the format characters it needs
// (bidi marks, zero-width joiners), emoji, private-use characters and
// noncharacters. Invalid UTF-8 is refused (it cannot hold a lone
// surrogate, which valid UTF-8 cannot encode). The snippet markers
// (SnippetOpen, SnippetClose) are C0 controls, so user text can never forge
// a search highlight, and no text holds NUL, which PostgreSQL cannot store.

// LineProblem says what is wrong with s as single-line text of at most max
// characters (max <= 0: MaxStringLength), or "". The message reads after
// a field name ("name contains a control character …").
func LineProblem(s string, max int) string { return textProblem(s, max, false) }

// TextProblem is LineProblem for multi-line text.
func TextProblem(s string, max int) string { return textProblem(s, max, true) }

// CleanText trims multi-line text and turns CRLF and lone CR into LF.
func CleanText(s string) string {
	if strings.IndexByte(s, '\r') >= 0 {
		s = strings.ReplaceAll(s, "\r\n", "\n")
		s = strings.ReplaceAll(s, "\r", "\n")
	}
	return strings.TrimSpace(s)
}

func textProblem(s string, max int, multiLine bool) string {
	if !utf8.ValidString(s) {
		return "is not valid UTF-8"
	}
	if r, ok := badRune(s, multiLine); ok {
		return fmt.Sprintf("contains a control character (%s): %s", runeName(r), allowedText(multiLine))
	}
	if max <= 0 || max > MaxStringLength {
		max = MaxStringLength
	}
	if len(s) > max && utf8.RuneCountInString(s) > max {
		return fmt.Sprintf("must be at most %d characters", max)
	}
	return ""
}

// badRune returns the first character s may not hold.
func badRune(s string, multiLine bool) (rune, bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c < 0x7f {
			continue // printable ASCII, the common case
		}
		if c < utf8.RuneSelf {
			if multiLine && (c == '\t' || c == '\n' || c == '\r') {
				continue
			}
			return rune(c), true
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r >= 0x80 && r <= 0x9f:
			return r, true
		case (r == '\u2028' || r == '\u2029') && !multiLine:
			return r, true
		}
		i += size - 1
	}
	return 0, false
}

func runeName(r rune) string {
	switch r {
	case 0:
		return "NUL"
	case '\t':
		return "tab"
	case '\n':
		return "line break"
	case '\r':
		return "carriage return"
	case 0x1b:
		return "ESC"
	case 0x07:
		return "BEL"
	case 0x7f:
		return "DEL"
	case '\u2028':
		return "line separator U+2028"
	case '\u2029':
		return "paragraph separator U+2029"
	}
	return fmt.Sprintf("U+%04X", r)
}

func allowedText(multiLine bool) string {
	if multiLine {
		return "only tabs and line breaks are allowed"
	}
	return "single-line text may not hold tabs, line breaks or other control characters"
}

// HasControl reports whether s holds a character single-line text may not.
func HasControl(s string) bool {
	_, bad := badRune(s, false)
	return bad
}

// ControlProblems walks v (a document decoded from JSON or YAML: structs,
// maps, slices and strings) and names every string that holds a control
// character multi-line text may not hold — a NUL, an ESC, a C1 character —
// with its JSON path (json tag names) under root. Byte slices (files) are
// not text and are skipped. It is the import's catch-all for parts of a
// document no field check reads (generated Launchpad content, a variant's
// remembered base values): such text was never typed through a form, so
// it only ever holds controls when a file was made by hand.
func ControlProblems(root string, v any) []FieldError {
	var out []FieldError
	w := textWalker{visit: func(path []textSeg, s string) {
		if len(out) >= 20 {
			return
		}
		if r, bad := badRune(s, true); bad {
			out = append(out, FieldError{Field: joinTextPath(path), Message: fmt.Sprintf("contains a control character (%s)", runeName(r))})
		} else if !utf8.ValidString(s) {
			out = append(out, FieldError{Field: joinTextPath(path), Message: "is not valid UTF-8"})
		}
	}}
	w.walk(textSeg{name: root}, reflect.ValueOf(v))
	return out
}

// textWalker visits every string of a document with the path to it. The
// path is a stack of segments, made into text only for a string that has
// a problem: an import checks every string of its file, nearly always
// clean, and formatting each one's path was most of the walk's cost.
type textWalker struct {
	path  []textSeg
	visit func(path []textSeg, s string)
}

// textSeg is one step of a path: a field or a map key (a key is made
// printable only when the path is written), an element, or the keys of a
// map.
type textSeg struct {
	name  string
	index int
	kind  textSegKind
}

type textSegKind uint8

const (
	segName textSegKind = iota
	segKey
	segIndex
	segKeys
)

func (w *textWalker) walk(seg textSeg, v reflect.Value) {
	if !v.IsValid() {
		return
	}
	w.path = append(w.path, seg)
	defer func() { w.path = w.path[:len(w.path)-1] }()
	switch v.Kind() {
	case reflect.String:
		w.visit(w.path, v.String())
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			w.path = w.path[:len(w.path)-1] // the element stands where the pointer did
			w.walk(seg, v.Elem())
			w.path = append(w.path, seg)
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return
		}
		for i := range v.Len() {
			w.walk(textSeg{index: i, kind: segIndex}, v.Index(i))
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			var k string
			if key := it.Key(); key.Kind() == reflect.String {
				k = key.String()
			} else {
				k = fmt.Sprint(key.Interface())
			}
			w.path = append(w.path, textSeg{kind: segKeys})
			w.visit(w.path, k)
			w.path = w.path[:len(w.path)-1]
			w.walk(textSeg{name: k, kind: segKey}, it.Value())
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			switch {
			case name == "-":
				continue
			case f.Anonymous && name == "":
				w.path = w.path[:len(w.path)-1] // an embedded struct's fields are its parent's
				w.walk(seg, v.Field(i))
				w.path = append(w.path, seg)
				continue
			case name == "":
				name = f.Name
			}
			w.walk(textSeg{name: name}, v.Field(i))
		}
	}
}

// joinTextPath writes a path as the import's messages name it:
// "personas[0].values.goals[1]", "personas[0].values (a key)".
func joinTextPath(segs []textSeg) string {
	path := ""
	for _, s := range segs {
		switch s.kind {
		case segName:
			path = textPath(path, s.name)
		case segKey:
			path = textPath(path, safePath(s.name))
		case segIndex:
			path = fmt.Sprintf("%s[%d]", path, s.index)
		case segKeys:
			path += " (a key)"
		}
	}
	return path
}

func textPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}
