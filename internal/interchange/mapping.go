package interchange

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/personapal/personapal/internal/csvout"
	"github.com/personapal/personapal/internal/persona"
)

// Mapping says how records of another tool become personas: the target
// template and group (each by ID or name) and, for every template field and
// dimension, where its value comes from.
//
//	template: UX persona
//	group: Product users
//	name: Full name                      # shorthand: a CSV column or a JSON path
//	summary: {column: Bio}
//	status: {value: draft}               # a constant
//	fields:
//	  role_title: {column: Job title}
//	  goals: {column: Goals, split: ";"} # list splitting
//	  tools: {column: tools, escaped: true} # a list cell written by export-csv
//	  pain_points: {path: "pains[*].text"}
//	dimensions:
//	  technical_comfort: Tech comfort
type Mapping struct {
	Template   string            `yaml:"template" json:"template"`
	Group      string            `yaml:"group" json:"group"`
	Format     string            `yaml:"format,omitempty" json:"format,omitempty"`
	Name       *Source           `yaml:"name" json:"name"`
	Summary    *Source           `yaml:"summary,omitempty" json:"summary,omitempty"`
	Status     *Source           `yaml:"status,omitempty" json:"status,omitempty"`
	Fields     map[string]Source `yaml:"fields,omitempty" json:"fields,omitempty"`
	Dimensions map[string]Source `yaml:"dimensions,omitempty" json:"dimensions,omitempty"`
}

// Source is where one value comes from: exactly one of a CSV column, a JSON
// path or a constant value. From is the shorthand (a plain string in the
// mapping file): a column for CSV input, a path for JSON input. Split cuts
// text into list items (list, tags and multi-choice fields); without it,
// CSV cells for list fields are split at line breaks. Escaped reads items
// the way `personas export-csv` writes them (csvout.JoinList): separated
// by Split (";" when not given) except where a backslash precedes it, a
// backslash making the next character literal — so an item may hold ";".
type Source struct {
	From    string `yaml:"-" json:"-"`
	Column  string `yaml:"column,omitempty" json:"column,omitempty"`
	Path    string `yaml:"path,omitempty" json:"path,omitempty"`
	Value   any    `yaml:"value,omitempty" json:"value,omitempty"`
	Split   string `yaml:"split,omitempty" json:"split,omitempty"`
	Escaped bool   `yaml:"escaped,omitempty" json:"escaped,omitempty"`
}

// UnmarshalYAML accepts a plain string (the shorthand) or a mapping with
// the keys column, path, value, split and escaped.
func (s *Source) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		s.From = n.Value
		return nil
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i].Value
			if !slices.Contains([]string{"column", "path", "value", "split", "escaped"}, k) {
				return fmt.Errorf("line %d: unknown key %q (want column, path, value, split or escaped)", n.Content[i].Line, k)
			}
		}
		type plain Source
		var p plain
		if err := n.Decode(&p); err != nil {
			return err
		}
		*s = Source(p)
		return nil
	}
	return fmt.Errorf("line %d: a source is a column name, a JSON path or {column|path|value, split, escaped}", n.Line)
}

// MaxMappingBytes bounds a mapping file.
const MaxMappingBytes = 1 << 20

// ParseMapping reads a mapping file (YAML or JSON; unknown keys refused).
// It checks only the file's shape; Compile checks it against a template.
func ParseMapping(r io.Reader) (*Mapping, error) {
	raw, err := io.ReadAll(io.LimitReader(r, MaxMappingBytes+1))
	if err != nil {
		return nil, err
	}
	if len(raw) > MaxMappingBytes {
		return nil, fmt.Errorf("mapping: larger than %d bytes", MaxMappingBytes)
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, fmt.Errorf("mapping: the file is empty")
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	var m Mapping
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("mapping: %v", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	var probs []string
	if strings.TrimSpace(m.Template) == "" {
		probs = append(probs, "template: is required (a template ID or name)")
	}
	if strings.TrimSpace(m.Group) == "" {
		probs = append(probs, "group: is required (a group ID or name)")
	}
	if m.Name == nil {
		probs = append(probs, "name: is required (where the persona's name comes from)")
	}
	if m.Format != "" && !slices.Contains([]string{FormatCSV, FormatJSON, FormatJSONL}, m.Format) {
		probs = append(probs, "format: must be one of: csv, json, jsonl")
	}
	if len(probs) > 0 {
		return nil, fmt.Errorf("mapping: %s", strings.Join(probs, "; "))
	}
	return &m, nil
}

// target kinds.
const (
	tName = iota
	tSummary
	tStatus
	tField
	tDimension
)

// rule is one compiled source → target.
type rule struct {
	kind    int
	key     string // field or dimension key
	target  string // "name", "values.goals", "dimensions.autonomy"
	list    bool   // the target takes a list
	column  string
	col     int // CSV column index, set by bindHeader
	path    *Path
	isVal   bool
	value   any
	split   string
	escaped bool
}

// where names the source in messages.
func (r *rule) where() string {
	switch {
	case r.isVal:
		return "constant"
	case r.path != nil:
		return "path " + strconv.Quote(r.path.String())
	}
	return "column " + strconv.Quote(r.column)
}

// Plan is a mapping compiled for one input format and one template version.
type Plan struct {
	format  string
	rules   []*rule
	byTgt   map[string]*rule
	columns []string
}

// Compile checks m against the template definition def for input format
// and returns the plan. Every problem is listed in one error.
func Compile(m *Mapping, format string, def persona.Definition) (*Plan, error) {
	p := &Plan{format: format, byTgt: map[string]*rule{}}
	var probs []string
	add := func(where, msg string, args ...any) {
		probs = append(probs, where+": "+fmt.Sprintf(msg, args...))
	}
	build := func(where string, kind int, key, target string, list bool, s Source) {
		r := &rule{kind: kind, key: key, target: target, list: list, col: -1, split: s.Split, escaped: s.Escaped}
		n := 0
		for _, set := range []bool{s.From != "", s.Column != "", s.Path != "", s.Value != nil} {
			if set {
				n++
			}
		}
		if n != 1 {
			add(where, "give exactly one of a column, a path or a value")
			return
		}
		col, path := s.Column, s.Path
		if s.From != "" {
			if format == FormatCSV {
				col = s.From
			} else {
				path = s.From
			}
		}
		switch {
		case col != "":
			if format != FormatCSV {
				add(where, "column %q is for CSV input; use a path for %s", col, format)
				return
			}
			r.column = strings.TrimSpace(col)
		case path != "":
			if format == FormatCSV {
				add(where, "path %q is for JSON input; use a column for CSV", path)
				return
			}
			pp, err := ParsePath(path)
			if err != nil {
				add(where, "%v", err)
				return
			}
			r.path = &pp
		default:
			v, err := constant(s.Value, list)
			if err != nil {
				add(where, "%v", err)
				return
			}
			r.isVal, r.value = true, v
			if s.Split != "" || s.Escaped {
				add(where, "split and escaped do not apply to a constant value")
			}
		}
		if s.Split != "" && !list {
			add(where, "split applies only to list, tags and multi-choice fields")
			return
		}
		if s.Escaped && !list {
			add(where, "escaped applies only to list, tags and multi-choice fields")
			return
		}
		p.rules = append(p.rules, r)
		p.byTgt[target] = r
		if r.column != "" && !slices.Contains(p.columns, r.column) {
			p.columns = append(p.columns, r.column)
		}
	}
	if m.Name != nil {
		build("name", tName, "", "name", false, *m.Name)
	}
	if m.Summary != nil {
		build("summary", tSummary, "", "summary", false, *m.Summary)
	}
	if m.Status != nil {
		build("status", tStatus, "", "status", false, *m.Status)
	}
	for _, k := range sortedKeys(m.Fields) {
		f, ok := def.Field(k)
		if !ok {
			add("fields."+k, "the template has no such field (fields: %s)", strings.Join(def.FieldKeys(), ", "))
			continue
		}
		list := f.Kind == persona.KindList || f.Kind == persona.KindTags || f.Kind == persona.KindMultiChoice || f.Kind == persona.KindPersona && f.Multiple
		build("fields."+k, tField, k, "values."+k, list, m.Fields[k])
	}
	for _, k := range sortedKeys(m.Dimensions) {
		if _, ok := def.Dimension(k); !ok {
			var keys []string
			for _, d := range def.Dimensions {
				keys = append(keys, d.Key)
			}
			add("dimensions."+k, "the template has no such dimension (dimensions: %s)", strings.Join(keys, ", "))
			continue
		}
		build("dimensions."+k, tDimension, k, "dimensions."+k, false, m.Dimensions[k])
	}
	if len(probs) > 0 {
		return nil, persona.Errorf(persona.CodeInvalid, "invalid mapping: %s", strings.Join(probs, "; "))
	}
	return p, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// constant turns a mapping file's constant into a value validation accepts.
func constant(v any, list bool) (any, error) {
	switch x := v.(type) {
	case []any:
		if !list {
			return nil, fmt.Errorf("a list constant needs a list field")
		}
		out := make([]string, 0, len(x))
		for _, it := range x {
			s, ok := scalarString(it)
			if !ok {
				return nil, fmt.Errorf("list constant items must be text or numbers")
			}
			out = append(out, s)
		}
		return out, nil
	case map[string]any:
		return nil, fmt.Errorf("a constant must be text, a number or a list")
	}
	s, ok := scalarString(v)
	if !ok {
		return nil, fmt.Errorf("a constant must be text, a number or a list")
	}
	if list {
		return []string{s}, nil
	}
	switch x := v.(type) {
	case int:
		return float64(x), nil
	case float64:
		return x, nil
	}
	return s, nil
}

// scalarString spells a scalar as text.
func scalarString(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case bool:
		return strconv.FormatBool(x), true
	case int:
		return strconv.Itoa(x), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case uint64:
		return strconv.FormatUint(x, 10), true
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return "", false
		}
		return strconv.FormatFloat(x, 'f', -1, 64), true
	}
	return "", false
}

// bindHeader finds every mapped column in a CSV header.
func (p *Plan) bindHeader(cols map[string]int, header []string) error {
	var missing []string
	for _, r := range p.rules {
		if r.column == "" {
			continue
		}
		i, ok := cols[r.column]
		if !ok {
			missing = append(missing, strconv.Quote(r.column))
			continue
		}
		r.col = i
	}
	if len(missing) > 0 {
		var have []string
		for _, h := range header {
			have = append(have, strconv.Quote(strings.TrimSpace(h)))
		}
		if len(have) > 20 {
			have = append(have[:20], "…")
		}
		return persona.Errorf(persona.CodeInvalid, "row 1: the header lacks the mapped column(s) %s (the header has %s)",
			strings.Join(missing, ", "), strings.Join(have, ", "))
	}
	return nil
}

// extract reads the rule's raw value from a record. present is false when
// the record has nothing there.
func (r *rule) extract(rec Record) (v any, present bool, msg string) {
	if r.isVal {
		return r.value, true, ""
	}
	if r.path == nil { // CSV
		cell := ""
		if r.col >= 0 && r.col < len(rec.row) {
			cell = rec.row[r.col]
		}
		if r.list {
			return r.splitText(cell), true, ""
		}
		return cell, true, ""
	}
	vals := r.path.Eval(rec.value)
	if r.list {
		var out []string
		for _, x := range vals {
			items, ok := flatten(x)
			if !ok {
				return nil, false, "expected text or a list of text, found an object"
			}
			for _, it := range items {
				if r.split != "" || r.escaped {
					out = append(out, r.splitText(it)...)
				} else {
					out = append(out, it)
				}
			}
		}
		if len(vals) == 0 {
			return nil, false, ""
		}
		return out, true, ""
	}
	switch len(vals) {
	case 0:
		return nil, false, ""
	case 1:
	default:
		return nil, false, fmt.Sprintf("matched %d values; %s takes one value", len(vals), r.target)
	}
	switch x := vals[0].(type) {
	case nil:
		return nil, false, ""
	case string, json.Number:
		if r.kind == tName || r.kind == tSummary || r.kind == tStatus {
			s, _ := scalarString(x)
			return s, true, ""
		}
		return x, true, ""
	case bool:
		return strconv.FormatBool(x), true, ""
	case []any:
		return nil, false, "expected a single value, found a list"
	}
	return nil, false, "expected a single value, found an object"
}

// splitText cuts a cell into list items by the rule's split and escaped.
func (r *rule) splitText(s string) []string {
	if r.escaped {
		return csvout.SplitList(s, r.split)
	}
	return splitText(s, r.split)
}

func splitText(s, sep string) []string {
	if sep == "" {
		return strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	}
	return strings.Split(s, sep)
}

// flatten spells a JSON scalar or array of scalars as text items.
func flatten(v any) ([]string, bool) {
	switch x := v.(type) {
	case nil:
		return nil, true
	case []any:
		var out []string
		for _, it := range x {
			if it == nil {
				continue
			}
			s, ok := scalarString(it)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	s, ok := scalarString(v)
	if !ok {
		return nil, false
	}
	return []string{s}, true
}
