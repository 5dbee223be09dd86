package persona

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// YAML documents (organisation exports, persona-as-code files) are read
// through their JSON form, so both formats share the JSON names and types;
// DecodeYAML adds what the YAML reader alone does not give: every error
// names its line. A syntax error that follows an unclosed quote is reported
// at the quote (the parser itself only notices lines later, where the
// runaway quoted value ends); every unknown key is named with its line; a
// value of the wrong type names the line of its key.

// maxYAMLNodes bounds how many more values than it holds (four times
// over) a YAML document may expand to through aliases (a "billion laughs"
// document).
const maxYAMLNodes = 100_000

// MaxYAMLErrors is how many unknown keys one error lists.
const MaxYAMLErrors = 20

// DecodeYAML decodes a YAML document into v, a pointer to a value with
// JSON tags, exactly as the document's JSON form would decode: unknown keys
// are refused. Unquoted timestamps stay text (the JSON form has none).
// Errors are CodeInvalid and start with "line N: ".
func DecodeYAML(data []byte, v any) error {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return Errorf(CodeInvalid, "%s", yamlSyntaxError(data, err))
	}
	if root.Kind == 0 || (root.Kind == yaml.DocumentNode && len(root.Content) == 0) {
		return Errorf(CodeInvalid, "the file is empty")
	}
	var unknown []string
	kc := keyCheck{seen: map[keyCheckAt]bool{}, out: &unknown}
	kc.check(&root, reflect.TypeOf(v), "", 0)
	if len(unknown) > 0 {
		more := ""
		if len(unknown) > MaxYAMLErrors {
			more = fmt.Sprintf("; and %d more", len(unknown)-MaxYAMLErrors)
			unknown = unknown[:MaxYAMLErrors]
		}
		return Errorf(CodeInvalid, "%s%s", strings.Join(unknown, "; "), more)
	}
	budget := 4*countNodes(&root) + maxYAMLNodes
	tree, err := yamlValue(&root, &budget, 0)
	if err != nil {
		return Errorf(CodeInvalid, "%v", err)
	}
	raw, err := json.Marshal(tree)
	if err != nil {
		return Errorf(CodeInvalid, "%v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			where := ""
			if line := yamlLineOf(&root, strings.Split(te.Field, ".")); line > 0 {
				where = "line " + strconv.Itoa(line) + ": "
			}
			return Errorf(CodeInvalid, "%s%s: must be %s, not %s", where, te.Field, jsonKind(te.Type), te.Value)
		}
		return Errorf(CodeInvalid, "%v", err)
	}
	return nil
}

// countNodes counts a document's nodes as written (aliases not followed).
func countNodes(n *yaml.Node) int {
	c := 1
	for _, k := range n.Content {
		c += countNodes(k)
	}
	return c
}

// jsonKind names what a Go type reads from JSON.
func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == reflect.TypeFor[time.Time]() {
		return "a time (RFC 3339)"
	}
	switch t.Kind() {
	case reflect.String:
		return "text"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Map, reflect.Struct:
		return "a mapping"
	}
	return t.String()
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlSyntaxError describes a YAML parse error with the right line. The
// parser names the line of the construct it was in (the start of the
// enclosing mapping, say), and a quoted value whose closing quote is
// missing runs on until the next quote, lines later: so when closing a
// quote that opens on a line and is not closed there makes the error go
// away (or change), that line is reported.
func yamlSyntaxError(data []byte, err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
		msg = "line " + m[1] + ": " + m[2]
	}
	if len(data) <= 8<<20 {
		lines := strings.Split(string(data), "\n")
		for tries, l := range unclosedQuoteLines(lines) {
			if tries == 3 {
				break
			}
			fixed := slices.Clone(lines)
			fixed[l-1] = strings.TrimRight(fixed[l-1], "\r") + string(openQuote(fixed[l-1]))
			var probe yaml.Node
			if e := yaml.Unmarshal([]byte(strings.Join(fixed, "\n")), &probe); e == nil || e.Error() != err.Error() {
				return fmt.Sprintf("line %d: malformed YAML: a quoted value starts on this line and is not closed (the parser says %s)", l, msg)
			}
		}
	}
	if strings.HasPrefix(msg, "line ") {
		n, rest, _ := strings.Cut(strings.TrimPrefix(msg, "line "), ": ")
		return "line " + n + ": malformed YAML: " + rest
	}
	return "malformed YAML: " + msg
}

// unclosedQuoteLines lists the lines (from 1) on which a quoted value
// opens and does not close. Lines of block scalars (after | or >) are
// skipped.
func unclosedQuoteLines(lines []string) []int {
	var found []int
	block := -1 // indentation of the line that opened a block scalar
	for i, line := range lines {
		line = strings.TrimRight(line, "\r")
		trimmed := strings.TrimLeft(line, " ")
		indent := len(line) - len(trimmed)
		if block >= 0 {
			if trimmed == "" || indent > block {
				continue
			}
			block = -1
		}
		open, rest := scanQuotes(trimmed)
		if open != 0 {
			found = append(found, i+1)
			continue
		}
		if blockIndicator.MatchString(rest) {
			block = indent
		}
	}
	return found
}

// openQuote is the quote left open on a line, or 0.
func openQuote(line string) byte {
	q, _ := scanQuotes(strings.TrimLeft(line, " "))
	return q
}

var blockIndicator = regexp.MustCompile(`(^|[\s:-])[|>][+-]?[1-9]?[+-]?\s*$`)

// scanQuotes returns the quote that opens on the line and is not closed
// (0 when none), and the line without its comment.
func scanQuotes(s string) (open byte, rest string) {
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch quote {
		case '"':
			if c == '\\' {
				i++
			} else if c == '"' {
				quote = 0
			}
		case '\'':
			if c == '\'' {
				if i+1 < len(s) && s[i+1] == '\'' {
					i++
				} else {
					quote = 0
				}
			}
		default:
			atStart := i == 0 || strings.IndexByte(" \t[{,", s[i-1]) >= 0
			switch {
			case (c == '"' || c == '\'') && atStart:
				quote = c
			case c == '#' && atStart:
				return 0, s[:i]
			}
		}
	}
	return quote, s
}

// keyCheck lists the mapping keys of a document that the target type
// (decoded as JSON) has no field for, each with its line. An alias is
// checked once per type, however often it is used, so that a document of
// aliases of aliases costs no more than its size.
type keyCheck struct {
	seen map[keyCheckAt]bool
	out  *[]string
}

type keyCheckAt struct {
	n *yaml.Node
	t reflect.Type
}

func (kc keyCheck) check(n *yaml.Node, t reflect.Type, path string, depth int) {
	if depth > 100 || n == nil || len(*kc.out) > MaxYAMLErrors {
		return
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) > 0 {
			kc.check(n.Content[0], t, path, depth+1)
		}
		return
	case yaml.AliasNode:
		at := keyCheckAt{n.Alias, t}
		if kc.seen[at] {
			return
		}
		kc.seen[at] = true
		kc.check(n.Alias, t, path, depth+1)
		return
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Implements(reflect.TypeFor[json.Unmarshaler]()) || reflect.PointerTo(t).Implements(reflect.TypeFor[json.Unmarshaler]()) {
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode || t == reflect.TypeFor[time.Time]() {
			return
		}
		fields := jsonFields(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			ft, ok := fields[strings.ToLower(k.Value)]
			if !ok {
				where := ""
				if path != "" {
					where = " in " + path
				}
				*kc.out = append(*kc.out, fmt.Sprintf("line %d: unknown key %s%s", k.Line, quoteKey(k.Value), where))
				continue
			}
			kc.check(val, ft, joinPath(path, k.Value), depth+1)
		}
	case reflect.Slice, reflect.Array:
		if n.Kind != yaml.SequenceNode {
			return
		}
		for i, it := range n.Content {
			kc.check(it, t.Elem(), fmt.Sprintf("%s[%d]", path, i), depth+1)
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			kc.check(n.Content[i+1], t.Elem(), joinPath(path, n.Content[i].Value), depth+1)
		}
	}
}

func joinPath(path, key string) string {
	key = quoteKeyIfLong(key)
	if path == "" {
		return key
	}
	return path + "." + key
}

// quoteKey quotes a key for a message, cut to 64 characters: an error
// never repeats much of its input.
func quoteKey(k string) string { return strconv.Quote(cut(k, 64)) }

func quoteKeyIfLong(k string) string {
	if len(k) > 64 {
		return cut(k, 64)
	}
	return k
}

func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

// jsonFields maps the lower-cased JSON name of every field of struct t
// (with fields of embedded structs promoted, outer names first) to its
// type. encoding/json matches names regardless of case, and so does this.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	var embedded []reflect.Type
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			et := f.Type
			for et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				embedded = append(embedded, et)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[strings.ToLower(name)] = f.Type
	}
	for _, et := range embedded {
		for k, v := range jsonFields(et) {
			if _, taken := out[k]; !taken {
				out[k] = v
			}
		}
	}
	return out
}

// yamlValue turns a node into what encoding/json would have decoded from
// the JSON form: maps, slices, strings, float64, bool and nil. Timestamps
// stay text; aliases expand within a budget.
func yamlValue(n *yaml.Node, budget *int, depth int) (any, error) {
	*budget--
	if *budget < 0 {
		return nil, errors.New("the document expands to too many values (aliases)")
	}
	if depth > 10_000 {
		return nil, fmt.Errorf("line %d: nested too deeply", n.Line)
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return yamlValue(n.Content[0], budget, depth+1)
	case yaml.AliasNode:
		return yamlValue(n.Alias, budget, depth+1)
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := yamlValue(c, budget, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		out := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("line %d: a key must be plain text", k.Line)
			}
			if k.Tag == "!!merge" {
				return nil, fmt.Errorf("line %d: merge keys (<<) are not supported; write the values out", k.Line)
			}
			v, err := yamlValue(n.Content[i+1], budget, depth+1)
			if err != nil {
				return nil, err
			}
			out[k.Value] = v
		}
		return out, nil
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return nil, nil
		case "!!str", "!!timestamp", "!!binary":
			return n.Value, nil
		case "!!bool", "!!int", "!!float":
			var v any
			if err := n.Decode(&v); err != nil {
				return nil, fmt.Errorf("line %d: %v", n.Line, strings.TrimPrefix(err.Error(), "yaml: "))
			}
			switch x := v.(type) {
			case float64:
				if math.IsNaN(x) || math.IsInf(x, 0) {
					return nil, fmt.Errorf("line %d: %s is not a number a document can hold", n.Line, quoteKey(n.Value))
				}
			case int:
				return float64(x), nil
			case int64:
				return float64(x), nil
			case uint64:
				return float64(x), nil
			}
			return v, nil
		}
		return n.Value, nil
	}
	return nil, fmt.Errorf("line %d: unexpected YAML node", n.Line)
}

// yamlLineOf finds the line of the key at a dotted JSON path (list
// indexes left out, as encoding/json reports them), or 0.
func yamlLineOf(n *yaml.Node, path []string) int {
	for n != nil && (n.Kind == yaml.DocumentNode || n.Kind == yaml.AliasNode) {
		if n.Kind == yaml.AliasNode {
			n = n.Alias
		} else if len(n.Content) > 0 {
			n = n.Content[0]
		} else {
			return 0
		}
	}
	if n == nil || len(path) == 0 {
		return 0
	}
	switch n.Kind {
	case yaml.SequenceNode:
		for _, c := range n.Content {
			if l := yamlLineOf(c, path); l > 0 {
				return l
			}
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if strings.EqualFold(n.Content[i].Value, path[0]) {
				if len(path) == 1 {
					return n.Content[i].Line
				}
				if l := yamlLineOf(n.Content[i+1], path[1:]); l > 0 {
					return l
				}
			}
		}
	}
	return 0
}
