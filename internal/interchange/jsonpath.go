package interchange

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Path is a parsed JSON path into one record: dot-separated keys with
// bracket steps, such as `profile.role`, `goals[*].text`, `tags[0]` or
// `["key with spaces"].x`. A path with a [*] step can match several values.
type Path struct {
	src   string
	steps []step
}

type step struct {
	key   string // object key, when !index && !all
	index int    // array index, when isIndex
	isIdx bool
	all   bool // [*]
}

// MaxPathLength bounds a path's text; MaxPathSteps its number of steps.
const (
	MaxPathLength = 1000
	MaxPathSteps  = 64
)

// ParsePath parses a JSON path. It never panics; errors name the offset.
func ParsePath(s string) (Path, error) {
	if strings.TrimSpace(s) == "" {
		return Path{}, fmt.Errorf("empty JSON path")
	}
	if len(s) > MaxPathLength {
		return Path{}, fmt.Errorf("JSON path longer than %d bytes", MaxPathLength)
	}
	p := Path{src: s}
	i := 0
	expectKey := true // at the start or after a dot
	for i < len(s) {
		c := s[i]
		switch {
		case c == '.':
			if expectKey {
				return Path{}, fmt.Errorf("JSON path %q: empty key at offset %d", s, i)
			}
			expectKey = true
			i++
			if i == len(s) {
				return Path{}, fmt.Errorf("JSON path %q: ends with a dot", s)
			}
		case c == '[':
			if expectKey && i > 0 {
				return Path{}, fmt.Errorf("JSON path %q: '[' right after a dot at offset %d", s, i)
			}
			end := i + 1
			var st step
			switch {
			case end < len(s) && s[end] == '*':
				if end+1 >= len(s) || s[end+1] != ']' {
					return Path{}, fmt.Errorf("JSON path %q: expected ']' after '*' at offset %d", s, end+1)
				}
				st = step{all: true}
				i = end + 2
			case end < len(s) && s[end] == '"':
				// A quoted key: a JSON string up to the closing quote.
				j := end + 1
				for j < len(s) && s[j] != '"' {
					if s[j] == '\\' {
						j++
					}
					j++
				}
				if j >= len(s) || j+1 >= len(s) || s[j+1] != ']' {
					return Path{}, fmt.Errorf("JSON path %q: unterminated quoted key at offset %d", s, end)
				}
				var key string
				if err := json.Unmarshal([]byte(s[end:j+1]), &key); err != nil {
					return Path{}, fmt.Errorf("JSON path %q: bad quoted key at offset %d", s, end)
				}
				st = step{key: key}
				i = j + 2
			default:
				j := end
				for j < len(s) && s[j] >= '0' && s[j] <= '9' {
					j++
				}
				if j == end || j >= len(s) || s[j] != ']' {
					return Path{}, fmt.Errorf("JSON path %q: expected an index, * or a quoted key inside [] at offset %d", s, end)
				}
				n, err := strconv.Atoi(s[end:j])
				if err != nil || n > 1<<20 {
					return Path{}, fmt.Errorf("JSON path %q: index too large at offset %d", s, end)
				}
				st = step{index: n, isIdx: true}
				i = j + 1
			}
			p.steps = append(p.steps, st)
			expectKey = false
		default:
			if !expectKey {
				return Path{}, fmt.Errorf("JSON path %q: expected '.' or '[' at offset %d", s, i)
			}
			j := i
			for j < len(s) && s[j] != '.' && s[j] != '[' && s[j] != ']' {
				j++
			}
			if j < len(s) && s[j] == ']' {
				return Path{}, fmt.Errorf("JSON path %q: unexpected ']' at offset %d", s, j)
			}
			p.steps = append(p.steps, step{key: s[i:j]})
			i = j
			expectKey = false
		}
		if len(p.steps) > MaxPathSteps {
			return Path{}, fmt.Errorf("JSON path %q: more than %d steps", s, MaxPathSteps)
		}
	}
	if len(p.steps) == 0 {
		return Path{}, fmt.Errorf("JSON path %q: no steps", s)
	}
	return p, nil
}

// String returns the path as written.
func (p Path) String() string { return p.src }

// Multi reports whether the path has a [*] step and so yields a list.
func (p Path) Multi() bool {
	for _, st := range p.steps {
		if st.all {
			return true
		}
	}
	return false
}

// Eval returns the values the path reaches in v (a value decoded by
// encoding/json, with UseNumber or not). Missing keys and indexes yield
// nothing; a [*] over an array yields each element's result in order.
func (p Path) Eval(v any) []any {
	cur := []any{v}
	for _, st := range p.steps {
		var next []any
		for _, c := range cur {
			switch {
			case st.all:
				if arr, ok := c.([]any); ok {
					next = append(next, arr...)
				}
			case st.isIdx:
				if arr, ok := c.([]any); ok && st.index < len(arr) {
					next = append(next, arr[st.index])
				}
			default:
				if obj, ok := c.(map[string]any); ok {
					if x, ok := obj[st.key]; ok {
						next = append(next, x)
					}
				}
			}
		}
		cur = next
		if len(cur) == 0 {
			return nil
		}
	}
	return cur
}
