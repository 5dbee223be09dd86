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
//	mode: update                         # create (default) or update
//	external_id: ID                      # the source's own ID of a record
//	name: Full name                      # shorthand: a CSV column or a JSON path
//	summary: {columns: [Bio, Notes], join: "\n\n"} # concatenation
//	status: {column: State, map: {live: published, wip: draft}, default: draft}
//	fields:
//	  role_title: {column: Job title}
//	  goals: {column: Goals, split: [";", "\n"], strip_bullets: true}
//	  tools: {column: tools, escaped: true} # a list cell written by export-csv
//	  pain_points: {path: "pains[*].text"}
//	dimensions:
//	  technical_comfort: Tech comfort
//
// In update mode a record whose external ID (or, without external_id, whose
// name) matches a live persona becomes a new revision of it; the others are
// created. In create mode a match is refused as a duplicate.
type Mapping struct {
	Template   string            `yaml:"template" json:"template"`
	Group      string            `yaml:"group" json:"group"`
	Format     string            `yaml:"format,omitempty" json:"format,omitempty"`
	Mode       string            `yaml:"mode,omitempty" json:"mode,omitempty"`
	ExternalID *Source           `yaml:"external_id,omitempty" json:"external_id,omitempty"`
	Name       *Source           `yaml:"name" json:"name"`
	Summary    *Source           `yaml:"summary,omitempty" json:"summary,omitempty"`
	Status     *Source           `yaml:"status,omitempty" json:"status,omitempty"`
	Fields     map[string]Source `yaml:"fields,omitempty" json:"fields,omitempty"`
	Dimensions map[string]Source `yaml:"dimensions,omitempty" json:"dimensions,omitempty"`
}

// Import modes.
const (
	ModeCreate = "create"
	ModeUpdate = "update"
)

// Source is where one value comes from: a CSV column, a JSON path, several
// of them concatenated (Columns, Paths), or a constant value. From is the
// shorthand (a plain string in the mapping file): a column for CSV input, a
// path for JSON input.
//
// Split cuts text into list items (list, tags and multi-choice fields) at
// any of its separators; without it, CSV cells for list fields are split at
// line breaks. Escaped reads items the way `personas export-csv` writes them
// (csvout.JoinList): separated by the one Split (";" when not given) except
// where a backslash precedes it. StripBullets removes leading list markers
// ("- ", "* ", "• ", "1. ", repeated) from each item or line. Map replaces
// a value (or list item) by another, compared case-insensitively after
// trimming; a value mapped to "" is dropped. Default is used when the
// record gives nothing (an empty cell, a missing key). Join separates
// concatenated sources for a text target (a space when not given); list
// targets take the items of every source.
type Source struct {
	From         string            `yaml:"-" json:"-"`
	Column       string            `yaml:"column,omitempty" json:"column,omitempty"`
	Columns      []string          `yaml:"columns,omitempty" json:"columns,omitempty"`
	Path         string            `yaml:"path,omitempty" json:"path,omitempty"`
	Paths        []string          `yaml:"paths,omitempty" json:"paths,omitempty"`
	Value        any               `yaml:"value,omitempty" json:"value,omitempty"`
	Split        Separators        `yaml:"split,omitempty" json:"split,omitempty"`
	Escaped      bool              `yaml:"escaped,omitempty" json:"escaped,omitempty"`
	StripBullets bool              `yaml:"strip_bullets,omitempty" json:"strip_bullets,omitempty"`
	Map          map[string]string `yaml:"map,omitempty" json:"map,omitempty"`
	Default      string            `yaml:"default,omitempty" json:"default,omitempty"`
	Join         *string           `yaml:"join,omitempty" json:"join,omitempty"`
}

// Separators are the split separators of a source: one text or a list.
type Separators []string

// UnmarshalYAML accepts one separator or a list of them.
func (s *Separators) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*s = Separators{n.Value}
		return nil
	}
	var l []string
	if err := n.Decode(&l); err != nil {
		return fmt.Errorf("line %d: split is a separator or a list of separators", n.Line)
	}
	*s = l
	return nil
}

// UnmarshalJSON accepts one separator or a list of them.
func (s *Separators) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*s = Separators{one}
		return nil
	}
	var l []string
	if err := json.Unmarshal(b, &l); err != nil {
		return fmt.Errorf("split is a separator or a list of separators")
	}
	*s = l
	return nil
}

var sourceKeys = []string{"column", "columns", "path", "paths", "value", "split", "escaped", "strip_bullets", "map", "default", "join"}

// UnmarshalYAML accepts a plain string (the shorthand) or a mapping with
// the keys of sourceKeys.
func (s *Source) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		s.From = n.Value
		return nil
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i].Value
			if !slices.Contains(sourceKeys, k) {
				return fmt.Errorf("line %d: unknown key %q (want %s)", n.Content[i].Line, k, strings.Join(sourceKeys, ", "))
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
	return fmt.Errorf("line %d: a source is a column name, a JSON path or {column|columns|path|paths|value, split, …}", n.Line)
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
	if m.Mode != "" && m.Mode != ModeCreate && m.Mode != ModeUpdate {
		probs = append(probs, "mode: must be create or update")
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
	tExternalID
)

// rule is one compiled source → target.
type rule struct {
	kind    int
	key     string // field or dimension key
	target  string // "name", "values.goals", "dimensions.autonomy"
	list    bool   // the target takes a list
	columns []string
	cols    []int // CSV column indexes, set by bindHeader
	paths   []*Path
	isVal   bool
	value   any
	split   []string
	escaped bool
	bullets bool
	vmap    map[string]string // folded key → value
	def     string
	hasDef  bool
	join    string
}

// where names the source in messages.
func (r *rule) where() string {
	switch {
	case r.isVal:
		return "constant"
	case len(r.paths) == 1:
		return "path " + strconv.Quote(r.paths[0].String())
	case len(r.paths) > 1:
		var q []string
		for _, p := range r.paths {
			q = append(q, strconv.Quote(p.String()))
		}
		return "paths " + strings.Join(q, " + ")
	case len(r.columns) > 1:
		var q []string
		for _, c := range r.columns {
			q = append(q, strconv.Quote(c))
		}
		return "columns " + strings.Join(q, " + ")
	}
	return "column " + strconv.Quote(r.columns[0])
}

// Plan is a mapping compiled for one input format and one template version.
type Plan struct {
	format  string
	rules   []*rule
	byTgt   map[string]*rule
	columns []string
	keys    map[string]bool // first keys of every JSON path
	// Warnings are set by the reading: the source columns and keys no rule
	// reads (a CSV header's columns; a JSON record's top-level keys).
	warnings []string
	unmapped map[string]bool
}

// Compile checks m against the template definition def for input format
// and returns the plan. Every problem is listed in one error.
func Compile(m *Mapping, format string, def persona.Definition) (*Plan, error) {
	p := &Plan{format: format, byTgt: map[string]*rule{}, keys: map[string]bool{}, unmapped: map[string]bool{}}
	var probs []string
	add := func(where, msg string, args ...any) {
		probs = append(probs, where+": "+fmt.Sprintf(msg, args...))
	}
	build := func(where string, kind int, key, target string, list bool, s Source) {
		r := &rule{kind: kind, key: key, target: target, list: list, split: []string(s.Split), escaped: s.Escaped,
			bullets: s.StripBullets, def: s.Default, hasDef: s.Default != "", join: " "}
		if s.Join != nil {
			r.join = *s.Join
		}
		n := 0
		for _, set := range []bool{s.From != "", s.Column != "", len(s.Columns) > 0, s.Path != "", len(s.Paths) > 0, s.Value != nil} {
			if set {
				n++
			}
		}
		if n != 1 {
			add(where, "give exactly one of a column, columns, a path, paths or a value")
			return
		}
		cols, paths := s.Columns, s.Paths
		if s.Column != "" {
			cols = []string{s.Column}
		}
		if s.Path != "" {
			paths = []string{s.Path}
		}
		if s.From != "" {
			if format == FormatCSV {
				cols = []string{s.From}
			} else {
				paths = []string{s.From}
			}
		}
		switch {
		case len(cols) > 0:
			if format != FormatCSV {
				add(where, "column %q is for CSV input; use a path for %s", cols[0], format)
				return
			}
			for _, c := range cols {
				c = strings.TrimSpace(c)
				if c == "" {
					add(where, "a column name is empty")
					return
				}
				r.columns = append(r.columns, c)
				r.cols = append(r.cols, -1)
			}
		case len(paths) > 0:
			if format == FormatCSV {
				add(where, "path %q is for JSON input; use a column for CSV", paths[0])
				return
			}
			for _, ps := range paths {
				pp, err := ParsePath(ps)
				if err != nil {
					add(where, "%v", err)
					return
				}
				r.paths = append(r.paths, &pp)
				if len(pp.steps) > 0 && !pp.steps[0].isIdx && !pp.steps[0].all {
					p.keys[pp.steps[0].key] = true
				}
			}
		default:
			v, err := constant(s.Value, list)
			if err != nil {
				add(where, "%v", err)
				return
			}
			r.isVal, r.value = true, v
			if len(s.Split) > 0 || s.Escaped || s.StripBullets || len(s.Map) > 0 || s.Default != "" || s.Join != nil {
				add(where, "split, escaped, strip_bullets, map, default and join do not apply to a constant value")
			}
		}
		if len(s.Split) > 0 && !list {
			add(where, "split applies only to list, tags and multi-choice fields")
			return
		}
		if s.Escaped && !list {
			add(where, "escaped applies only to list, tags and multi-choice fields")
			return
		}
		if s.Escaped && len(s.Split) > 1 {
			add(where, "escaped takes one separator")
			return
		}
		for _, sep := range s.Split {
			if sep == "" {
				add(where, "a split separator is empty")
				return
			}
		}
		if len(s.Map) > 0 {
			r.vmap = map[string]string{}
			for k, v := range s.Map {
				r.vmap[foldValue(k)] = v
			}
		}
		p.rules = append(p.rules, r)
		p.byTgt[target] = r
		for _, c := range r.columns {
			if !slices.Contains(p.columns, c) {
				p.columns = append(p.columns, c)
			}
		}
	}
	if m.ExternalID != nil {
		build("external_id", tExternalID, "", "external_id", false, *m.ExternalID)
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

// foldValue is how value map keys are compared.
func foldValue(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// Warnings lists the source columns (CSV) and top-level keys (JSON) that
// no rule reads, in the order they were met: data the import would drop.
func (p *Plan) Warnings() []string { return p.warnings }

func (p *Plan) warnUnmapped(kind, name string) {
	if p.unmapped[name] {
		return
	}
	p.unmapped[name] = true
	if len(p.warnings) >= 100 {
		return
	}
	p.warnings = append(p.warnings, fmt.Sprintf("%s %q is not mapped: its values are not imported", kind, name))
}

// noteKeys warns about a JSON record's top-level keys no path reads.
func (p *Plan) noteKeys(v any) {
	obj, ok := v.(map[string]any)
	if !ok {
		return
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		if !p.keys[k] {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		p.warnUnmapped("key", k)
	}
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

// bindHeader finds every mapped column in a CSV header and warns about
// the header's columns no rule reads.
func (p *Plan) bindHeader(cols map[string]int, header []string) error {
	var missing []string
	for _, r := range p.rules {
		for j, c := range r.columns {
			i, ok := cols[c]
			if !ok {
				missing = append(missing, strconv.Quote(c))
				continue
			}
			r.cols[j] = i
		}
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
	for _, h := range header {
		h = strings.TrimSpace(h)
		if h != "" && !slices.Contains(p.columns, h) {
			p.warnUnmapped("column", h)
		}
	}
	return nil
}

// extract reads the rule's value from a record: raw values of every
// source, then split, bullet stripping, the value map, concatenation and
// the default. present is false when the record has nothing there.
func (r *rule) extract(rec Record) (v any, present bool, msg string) {
	if r.isVal {
		return r.value, true, ""
	}
	var parts []any     // each a string, json.Number or []string (lists)
	if r.paths == nil { // CSV
		for _, i := range r.cols {
			cell := ""
			if i >= 0 && i < len(rec.row) {
				cell = rec.row[i]
			}
			if r.list {
				parts = append(parts, r.splitText(cell))
			} else {
				parts = append(parts, cell)
			}
		}
	} else {
		for _, path := range r.paths {
			vals := path.Eval(rec.value)
			if r.list {
				var out []string
				for _, x := range vals {
					items, ok := flatten(x)
					if !ok {
						return nil, false, "expected text or a list of text, found an object"
					}
					for _, it := range items {
						if len(r.split) > 0 || r.escaped || r.bullets {
							out = append(out, r.splitText(it)...)
						} else {
							out = append(out, it)
						}
					}
				}
				if len(vals) > 0 {
					parts = append(parts, out)
				}
				continue
			}
			switch len(vals) {
			case 0:
				continue
			case 1:
			default:
				return nil, false, fmt.Sprintf("matched %d values; %s takes one value", len(vals), r.target)
			}
			switch x := vals[0].(type) {
			case nil:
			case string, json.Number:
				if r.kind != tField && r.kind != tDimension || len(r.paths) > 1 || r.vmap != nil {
					s, _ := scalarString(x)
					parts = append(parts, s)
				} else {
					parts = append(parts, x)
				}
			case bool:
				parts = append(parts, strconv.FormatBool(x))
			case []any:
				return nil, false, "expected a single value, found a list"
			default:
				return nil, false, "expected a single value, found an object"
			}
		}
	}
	if r.list {
		var items []string
		for _, p := range parts {
			for _, it := range p.([]string) {
				if it, keep := r.mapValue(it); keep {
					items = append(items, it)
				}
			}
		}
		if len(items) == 0 || len(items) == 1 && strings.TrimSpace(items[0]) == "" {
			if r.hasDef {
				return r.splitText(r.def), true, ""
			}
			if parts == nil && r.paths != nil {
				return nil, false, ""
			}
			return []string{}, true, ""
		}
		return items, true, ""
	}
	var texts []string
	for _, p := range parts {
		s, ok := p.(string)
		if !ok { // a JSON number or text kept as it is (one path, no map)
			if r.hasDef {
				if t, _ := scalarString(p); strings.TrimSpace(t) == "" {
					return r.def, true, ""
				}
			}
			return p, true, ""
		}
		if r.bullets {
			s = stripBulletLines(s)
		}
		s, keep := r.mapValue(s)
		if keep && strings.TrimSpace(s) != "" {
			texts = append(texts, s)
		}
	}
	if len(texts) == 0 {
		if r.hasDef {
			return r.def, true, ""
		}
		if parts == nil && r.paths != nil {
			return nil, false, ""
		}
		return "", true, ""
	}
	return strings.Join(texts, r.join), true, ""
}

// mapValue applies the value map; keep is false for a value mapped to "".
func (r *rule) mapValue(s string) (string, bool) {
	if r.vmap == nil {
		return s, true
	}
	if to, ok := r.vmap[foldValue(s)]; ok {
		return to, to != ""
	}
	return s, true
}

// splitText cuts a cell into list items by the rule's separators (any of
// them) and escaped, then strips bullets when asked.
func (r *rule) splitText(s string) []string {
	var items []string
	switch {
	case r.escaped:
		sep := ""
		if len(r.split) > 0 {
			sep = r.split[0]
		}
		items = csvout.SplitList(s, sep)
	default:
		items = splitAny(s, r.split)
	}
	if r.bullets {
		out := items[:0]
		for _, it := range items {
			it = StripBullets(it)
			if it != "" {
				out = append(out, it)
			}
		}
		items = out
	}
	return items
}

// splitAny cuts s at every occurrence of any separator (line breaks when
// there are none).
func splitAny(s string, seps []string) []string {
	if len(seps) == 0 {
		return strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	}
	if len(seps) == 1 {
		return strings.Split(s, seps[0])
	}
	var out []string
	for {
		at, w := -1, 0
		for _, sep := range seps {
			if i := strings.Index(s, sep); i >= 0 && (at < 0 || i < at || i == at && len(sep) > w) {
				at, w = i, len(sep)
			}
		}
		if at < 0 {
			return append(out, s)
		}
		out = append(out, s[:at])
		s = s[at+w:]
	}
}

// StripBullets removes leading list markers from an item: "- ", "* ",
// "• ", "– ", "1. " or "1) ", repeated ("- - Automate" → "Automate"), and
// the spaces around.
func StripBullets(s string) string {
	s = strings.TrimSpace(s)
	for {
		t := s
		for _, b := range []string{"- ", "* ", "• ", "– ", "· ", "+ "} {
			t = strings.TrimPrefix(t, b)
		}
		if t == s {
			if i := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }); i > 0 && i+1 < len(s) &&
				(s[i] == '.' || s[i] == ')') && s[i+1] == ' ' {
				t = s[i+2:]
			}
		}
		if t == s {
			if s == "-" || s == "*" || s == "•" {
				return ""
			}
			return s
		}
		s = strings.TrimSpace(t)
	}
}

// stripBulletLines strips bullets from every line of a text.
func stripBulletLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = StripBullets(l)
	}
	return strings.Join(lines, "\n")
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

// SetTarget sets the source of a target named as the web wizard names it:
// "external_id", "name", "summary", "status", "values.<key>",
// "dimensions.<key>".
func (m *Mapping) SetTarget(key string, s Source) {
	switch {
	case key == "name":
		m.Name = &s
	case key == "summary":
		m.Summary = &s
	case key == "status":
		m.Status = &s
	case key == "external_id":
		m.ExternalID = &s
	case strings.HasPrefix(key, "values."):
		if m.Fields == nil {
			m.Fields = map[string]Source{}
		}
		m.Fields[strings.TrimPrefix(key, "values.")] = s
	case strings.HasPrefix(key, "dimensions."):
		if m.Dimensions == nil {
			m.Dimensions = map[string]Source{}
		}
		m.Dimensions[strings.TrimPrefix(key, "dimensions.")] = s
	}
}
