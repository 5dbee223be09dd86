package persona

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Limits that apply to every template and persona, whatever the template
// says. They keep one persona from growing without bound.
const (
	MaxNameLength    = 200   // persona, group, label names
	MaxSummaryLength = 2000  // persona summary
	MaxHelpLength    = 2000  // help text of sections, fields, dimensions
	MaxStringLength  = 20000 // any single string value
	MaxListItems     = 200   // items in one list value
	MaxReviewDays    = 3650  // review interval
	MaxScaleSpan     = 100   // Max-Min of a scale
	MaxSections      = 50    // sections per template
	MaxFields        = 500   // fields per template, across all sections
	MaxDimensions    = 50    // comparison dimensions per template
	MaxOptions       = 200   // options of one choice field or dimension
	MinPasswordRunes = 10
	MaxPasswordRunes = 200
)

var keyPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

// ValidKey reports whether s is a valid section, field or dimension key.
func ValidKey(s string) bool { return keyPattern.MatchString(s) }

// Field returns the field with the given key.
func (d Definition) Field(key string) (Field, bool) {
	for _, s := range d.Sections {
		for _, f := range s.Fields {
			if f.Key == key {
				return f, true
			}
		}
	}
	return Field{}, false
}

// Dimension returns the dimension with the given key.
func (d Definition) Dimension(key string) (Dimension, bool) {
	for _, dim := range d.Dimensions {
		if dim.Key == key {
			return dim, true
		}
	}
	return Dimension{}, false
}

// WithLists returns d with empty lists where it has none (sections, each
// section's fields, dimensions), so that they are written as [] and never
// as null. The definition's own slices are not modified.
func (d Definition) WithLists() Definition {
	if d.Sections == nil {
		d.Sections = []Section{}
	}
	if d.Dimensions == nil {
		d.Dimensions = []Dimension{}
	}
	if slices.ContainsFunc(d.Sections, func(s Section) bool { return s.Fields == nil }) {
		d.Sections = slices.Clone(d.Sections)
		for i := range d.Sections {
			if d.Sections[i].Fields == nil {
				d.Sections[i].Fields = []Field{}
			}
		}
	}
	return d
}

// FieldKeys returns every field key in template order.
func (d Definition) FieldKeys() []string {
	var keys []string
	for _, s := range d.Sections {
		for _, f := range s.Fields {
			keys = append(keys, f.Key)
		}
	}
	return keys
}

// Valid reports whether k is a known field kind.
func (k FieldKind) Valid() bool { return slices.Contains(FieldKinds, k) }

// Valid reports whether k is a known dimension kind.
func (k DimensionKind) Valid() bool { return slices.Contains(DimensionKinds, k) }

// Validate checks a template definition and lists every problem in one
// *Error (CodeInvalid), with paths such as "sections[1].fields[2].options".
func (d Definition) Validate() error {
	var errs []FieldError
	add := func(path, msg string) { errs = append(errs, FieldError{Field: path, Message: msg}) }

	if len(d.Sections) == 0 {
		add("sections", "needs at least one section")
	}
	if len(d.Sections) > MaxSections {
		add("sections", fmt.Sprintf("must have at most %d sections", MaxSections))
	}
	sectionKeys := map[string]bool{}
	fieldKeys := map[string]bool{}
	nFields := 0
	for i, s := range d.Sections {
		p := fmt.Sprintf("sections[%d]", i)
		checkKey(add, p+".key", s.Key, sectionKeys)
		checkLabel(add, p+".label", s.Label)
		checkHelp(add, p+".help", s.Help)
		for _, t := range sortedLabelTypes(s.Labels) {
			lp := p + ".labels." + safePath(string(t))
			if !t.Valid() {
				add(lp, "unknown profile type")
				continue
			}
			if s.Labels[t] != "" {
				checkLabel(add, lp, s.Labels[t])
			}
		}
		nFields += len(s.Fields)
		for j, f := range s.Fields {
			validateField(add, fmt.Sprintf("%s.fields[%d]", p, j), f, fieldKeys)
		}
	}
	if nFields > MaxFields {
		add("sections", fmt.Sprintf("must have at most %d fields in all", MaxFields))
	}
	if len(d.Dimensions) > MaxDimensions {
		add("dimensions", fmt.Sprintf("must have at most %d dimensions", MaxDimensions))
	}
	dimKeys := map[string]bool{}
	for i, dim := range d.Dimensions {
		p := fmt.Sprintf("dimensions[%d]", i)
		checkKey(add, p+".key", dim.Key, dimKeys)
		checkLabel(add, p+".label", dim.Label)
		checkHelp(add, p+".help", dim.Help)
		checkShortText(add, p+".low_label", dim.LowLabel)
		checkShortText(add, p+".high_label", dim.HighLabel)
		switch dim.Kind {
		case DimensionScale:
			if dim.Min >= dim.Max {
				add(p+".max", "must be greater than min")
			} else if dim.Max-dim.Min > MaxScaleSpan {
				add(p+".max", fmt.Sprintf("must be at most %d above min", MaxScaleSpan))
			}
		case DimensionChoice:
			checkOptions(add, p+".options", dim.Options)
		default:
			add(p+".kind", "must be one of: scale, choice")
		}
	}
	return Invalid("invalid template definition", errs)
}

func validateField(add func(string, string), p string, f Field, seen map[string]bool) {
	checkKey(add, p+".key", f.Key, seen)
	checkLabel(add, p+".label", f.Label)
	checkHelp(add, p+".help", f.Help)
	checkShortText(add, p+".low_label", f.LowLabel)
	checkShortText(add, p+".high_label", f.HighLabel)
	if f.MaxLength < 0 {
		add(p+".max_length", "must not be negative")
	} else if f.MaxLength > MaxStringLength {
		add(p+".max_length", fmt.Sprintf("must be at most %d", MaxStringLength))
	}
	finite := func(path string, v *float64) bool {
		if v != nil && (math.IsNaN(*v) || math.IsInf(*v, 0)) {
			add(path, "must be a finite number")
			return false
		}
		return true
	}
	minOK, maxOK := finite(p+".min", f.Min), finite(p+".max", f.Max)
	switch f.Kind {
	case KindChoice, KindMultiChoice:
		checkOptions(add, p+".options", f.Options)
		// A value is checked against max_length too: a longer option
		// could be offered but never saved.
		if f.MaxLength > 0 && slices.ContainsFunc(f.Options, func(o string) bool { return utf8.RuneCountInString(o) > f.MaxLength }) {
			add(p+".options", fmt.Sprintf("options must be at most %d characters (the field's max_length)", f.MaxLength))
		}
	case KindNumber:
		if minOK && maxOK && f.Min != nil && f.Max != nil && *f.Min > *f.Max {
			add(p+".max", "must not be less than min")
		}
	case KindScale:
		if f.Min == nil {
			add(p+".min", "is required for a scale")
		} else if minOK && !isWhole(*f.Min) {
			add(p+".min", "must be a whole number")
			minOK = false
		}
		if f.Max == nil {
			add(p+".max", "is required for a scale")
		} else if maxOK && !isWhole(*f.Max) {
			add(p+".max", "must be a whole number")
			maxOK = false
		}
		if f.Min != nil && f.Max != nil && minOK && maxOK {
			if *f.Min >= *f.Max {
				add(p+".max", "must be greater than min")
			} else if *f.Max-*f.Min > MaxScaleSpan {
				add(p+".max", fmt.Sprintf("must be at most %d above min", MaxScaleSpan))
			}
		}
	case KindPersona:
		seenType := map[ProfileType]bool{}
		for _, t := range f.ProfileTypes {
			if !t.Valid() {
				add(p+".profile_types", "must be among: ux, marketing, archetype, agent")
				break
			}
			if seenType[t] {
				add(p+".profile_types", "duplicate profile type "+string(t))
				break
			}
			seenType[t] = true
		}
	case KindText, KindMarkdown, KindList, KindTags, KindURL, KindDate, KindImage:
	default:
		add(p+".kind", "must be one of: "+joinKinds())
	}
	if f.Kind != KindPersona {
		if f.Multiple {
			add(p+".multiple", "is only for persona reference fields")
		}
		if len(f.ProfileTypes) > 0 {
			add(p+".profile_types", "is only for persona reference fields")
		}
	}
}

func joinKinds() string {
	s := make([]string, len(FieldKinds))
	for i, k := range FieldKinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

func checkKey(add func(string, string), path, key string, seen map[string]bool) {
	switch {
	case key == "":
		add(path, "is required")
	case !keyPattern.MatchString(key):
		add(path, "must start with a lower-case letter and contain only lower-case letters, digits and underscores (at most 63)")
	case seen[key]:
		add(path, "duplicate key "+key)
	}
	seen[key] = true
}

func checkLabel(add func(string, string), path, s string) {
	if strings.TrimSpace(s) == "" {
		add(path, "is required")
		return
	}
	checkShortText(add, path, s)
}

func checkShortText(add func(string, string), path, s string) {
	if msg := LineProblem(s, MaxNameLength); msg != "" {
		add(path, msg)
	}
}

func checkHelp(add func(string, string), path, s string) {
	if msg := TextProblem(s, MaxHelpLength); msg != "" {
		add(path, msg)
	}
}

func checkOptions(add func(string, string), path string, opts []string) {
	if len(opts) == 0 {
		add(path, "needs at least one option")
		return
	}
	if len(opts) > MaxOptions {
		add(path, fmt.Sprintf("must have at most %d options", MaxOptions))
	}
	seen := map[string]bool{}
	for _, o := range opts {
		switch {
		case strings.TrimSpace(o) == "":
			add(path, "options must not be empty")
			return
		case o != strings.TrimSpace(o):
			add(path, "options must not start or end with spaces")
			return
		case seen[o]:
			add(path, "duplicate option "+o)
			return
		}
		if msg := LineProblem(o, MaxNameLength); msg != "" {
			add(path, prefixMust("options", msg))
			return
		}
		seen[o] = true
	}
}

func sortedLabelTypes(m map[ProfileType]string) []ProfileType {
	ts := make([]ProfileType, 0, len(m))
	for t := range m {
		ts = append(ts, t)
	}
	slices.Sort(ts)
	return ts
}

// prefixMust turns "must be at most 5 characters" into "items must be at
// most 5 characters"; other messages stay as they are.
func prefixMust(what, msg string) string {
	if strings.HasPrefix(msg, "must ") {
		return what + " " + msg
	}
	return msg
}

func isWhole(f float64) bool { return f == math.Trunc(f) && !math.IsInf(f, 0) }

// safePath makes a map key fit to appear in an error path.
func safePath(k string) string {
	k = strings.ToValidUTF8(k, "\uFFFD")
	k = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return '\uFFFD'
		}
		return r
	}, k)
	if utf8.RuneCountInString(k) > 80 {
		k = string([]rune(k)[:80]) + "…"
	}
	return k
}

func formatNumber(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// ValidateContent validates c against def and normalises it in place: strings
// trimmed, lists cleaned, numbers as float64, empty values removed, status
// defaulted to draft. It returns nil or an *Error (CodeInvalid) listing every
// bad field: name, summary, status, last_reviewed_on, review_interval_days,
// then values.* and dimensions.* in template order, then unknown value keys
// and unknown dimension keys, each sorted. Values that fail validation are
// left as they were so that a caller can show them. Retired values are not
// validated.
func ValidateContent(def Definition, c *Content) error {
	var errs []FieldError
	add := func(path, msg string) { errs = append(errs, FieldError{Field: path, Message: msg}) }

	c.Name = strings.TrimSpace(c.Name)
	if c.Name == "" {
		add("name", "is required")
	} else if msg := LineProblem(c.Name, MaxNameLength); msg != "" {
		add("name", msg)
	}
	c.Summary = CleanText(c.Summary)
	if msg := TextProblem(c.Summary, MaxSummaryLength); msg != "" {
		add("summary", msg)
	}
	if c.Status == "" {
		c.Status = StatusDraft
	} else if !c.Status.Valid() {
		add("status", "must be one of: draft, published, archived")
	}
	c.LastReviewedOn = strings.TrimSpace(c.LastReviewedOn)
	if c.LastReviewedOn != "" && !validDate(c.LastReviewedOn) {
		add("last_reviewed_on", "must be a date (YYYY-MM-DD)")
	}
	if c.ReviewIntervalDays < 0 || c.ReviewIntervalDays > MaxReviewDays {
		add("review_interval_days", fmt.Sprintf("must be between 0 and %d", MaxReviewDays))
	}

	if c.Values == nil {
		c.Values = Values{}
	}
	if c.Dimensions == nil {
		c.Dimensions = Values{}
	}
	if len(c.Retired) == 0 {
		c.Retired = nil
	}

	known := map[string]bool{}
	for _, s := range def.Sections {
		for _, f := range s.Fields {
			known[f.Key] = true
			raw, present := c.Values[f.Key]
			if present {
				v, empty, msg := normaliseValue(f, raw)
				switch {
				case msg != "":
					add("values."+f.Key, msg)
					continue
				case empty:
					delete(c.Values, f.Key)
				default:
					c.Values[f.Key] = v
				}
			}
			if _, ok := c.Values[f.Key]; !ok && f.Required {
				add("values."+f.Key, "is required")
			}
		}
	}
	knownDims := map[string]bool{}
	for _, d := range def.Dimensions {
		knownDims[d.Key] = true
		raw, present := c.Dimensions[d.Key]
		if !present {
			continue
		}
		v, empty, msg := normaliseDimension(d, raw)
		switch {
		case msg != "":
			add("dimensions."+d.Key, msg)
		case empty:
			delete(c.Dimensions, d.Key)
		default:
			c.Dimensions[d.Key] = v
		}
	}
	for _, k := range unknownKeys(c.Values, known) {
		add("values."+safePath(k), "unknown field")
	}
	for _, k := range unknownKeys(c.Dimensions, knownDims) {
		add("dimensions."+safePath(k), "unknown dimension")
	}
	return Invalid("invalid persona", errs)
}

func unknownKeys(m Values, known map[string]bool) []string {
	var ks []string
	for k := range m {
		if !known[k] {
			ks = append(ks, k)
		}
	}
	slices.Sort(ks)
	return ks
}

func validDate(s string) bool {
	if len(s) != len(time.DateOnly) {
		return false
	}
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// CanonicalValue returns v as ValidateContent stores it for field f (nil
// when v is empty), and whether v is valid for f; an invalid v comes back
// as it is.
func CanonicalValue(f Field, v any) (any, bool) {
	out, empty, msg := normaliseValue(f, v)
	switch {
	case msg != "":
		return v, false
	case empty:
		return nil, true
	}
	return out, true
}

// CanonicalDimension is CanonicalValue for a dimension's value.
func CanonicalDimension(d Dimension, v any) (any, bool) {
	out, empty, msg := normaliseDimension(d, v)
	switch {
	case msg != "":
		return v, false
	case empty:
		return nil, true
	}
	return out, true
}

// normaliseValue returns the canonical form of v for field f, whether it is
// empty (to be removed), or a short message saying what is wrong.
func normaliseValue(f Field, v any) (out any, empty bool, msg string) {
	if v == nil {
		return nil, true, ""
	}
	switch f.Kind {
	case KindText, KindMarkdown, KindURL, KindDate, KindChoice, KindImage:
		s, ok := v.(string)
		if !ok {
			return nil, false, "must be a string"
		}
		if f.Kind == KindMarkdown {
			// Leading spaces stay: they can make a code block.
			s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
			s = strings.TrimRight(strings.TrimLeft(s, "\n"), " \t\n")
			if strings.TrimSpace(s) == "" {
				s = ""
			}
		} else {
			s = strings.TrimSpace(s)
		}
		if s == "" {
			return nil, true, ""
		}
		problem := LineProblem
		if f.Kind == KindMarkdown {
			problem = TextProblem
		}
		if msg := problem(s, f.MaxLength); msg != "" {
			return nil, false, msg
		}
		switch f.Kind {
		case KindURL:
			if !validURL(s) {
				return nil, false, "must be an absolute http(s) URL"
			}
		case KindDate:
			if !validDate(s) {
				return nil, false, "must be a date (YYYY-MM-DD)"
			}
		case KindImage:
			if !ValidImageID(s) {
				return nil, false, "must be the ID of a picture uploaded for this persona (img_ and 32 hex digits)"
			}
		case KindChoice:
			if !slices.Contains(f.Options, s) {
				return nil, false, "must be one of: " + strings.Join(f.Options, ", ")
			}
		}
		return s, false, ""

	case KindList, KindTags, KindMultiChoice:
		items, ok := stringList(v)
		if !ok {
			return nil, false, "must be a list of strings"
		}
		if len(items) > 5*MaxListItems { // not worth cleaning
			return nil, false, fmt.Sprintf("must have at most %d items", MaxListItems)
		}
		out := make([]string, 0, len(items))
		seen := map[string]bool{}
		for _, it := range items {
			it = strings.TrimSpace(it)
			if it == "" {
				continue
			}
			if msg := LineProblem(it, f.MaxLength); msg != "" {
				return nil, false, prefixMust("items", msg)
			}
			switch f.Kind {
			case KindTags:
				it = strings.ToLower(it)
			case KindMultiChoice:
				if !slices.Contains(f.Options, it) {
					return nil, false, "must be one of: " + strings.Join(f.Options, ", ")
				}
			}
			if f.Kind != KindList {
				if seen[it] {
					continue
				}
				seen[it] = true
			}
			out = append(out, it)
		}
		if len(out) == 0 {
			return nil, true, ""
		}
		if len(out) > MaxListItems {
			return nil, false, fmt.Sprintf("must have at most %d items", MaxListItems)
		}
		return out, false, ""

	case KindPersona:
		return normaliseRef(f, v)

	case KindNumber, KindScale:
		n, isEmpty, ok := toNumber(v)
		if isEmpty {
			return nil, true, ""
		}
		if !ok {
			return nil, false, "must be a number"
		}
		if f.Kind == KindScale && !isWhole(n) {
			return nil, false, "must be a whole number"
		}
		if msg := rangeProblem(n, f.Min, f.Max); msg != "" {
			return nil, false, msg
		}
		return n, false, ""
	}
	return nil, false, "has an unknown field kind"
}

func rangeProblem(n float64, min, max *float64) string {
	switch {
	case min != nil && max != nil && (n < *min || n > *max):
		return "must be between " + formatNumber(*min) + " and " + formatNumber(*max)
	case min != nil && n < *min:
		return "must be at least " + formatNumber(*min)
	case max != nil && n > *max:
		return "must be at most " + formatNumber(*max)
	}
	return ""
}

func normaliseDimension(d Dimension, v any) (out any, empty bool, msg string) {
	if v == nil {
		return nil, true, ""
	}
	switch d.Kind {
	case DimensionScale:
		n, isEmpty, ok := toNumber(v)
		if isEmpty {
			return nil, true, ""
		}
		if !ok {
			return nil, false, "must be a number"
		}
		if !isWhole(n) {
			return nil, false, "must be a whole number"
		}
		lo, hi := float64(d.Min), float64(d.Max)
		if msg := rangeProblem(n, &lo, &hi); msg != "" {
			return nil, false, msg
		}
		return n, false, ""
	case DimensionChoice:
		s, ok := v.(string)
		if !ok {
			return nil, false, "must be a string"
		}
		s = strings.TrimSpace(s)
		if s == "" {
			return nil, true, ""
		}
		if !slices.Contains(d.Options, s) {
			return nil, false, "must be one of: " + strings.Join(d.Options, ", ")
		}
		return s, false, ""
	}
	return nil, false, "has an unknown dimension kind"
}

// stringList accepts []string and []any holding only strings.
func stringList(v any) ([]string, bool) {
	switch l := v.(type) {
	case []string:
		return l, true
	case []any:
		out := make([]string, len(l))
		for i, it := range l {
			s, ok := it.(string)
			if !ok {
				return nil, false
			}
			out[i] = s
		}
		return out, true
	}
	return nil, false
}

// toNumber accepts every Go number type, json.Number and numeric strings (as
// HTML forms send them). A blank string is empty.
func toNumber(v any) (n float64, empty, ok bool) {
	switch x := v.(type) {
	case float64:
		n = x
	case float32:
		n = float64(x)
	case int:
		n = float64(x)
	case int8:
		n = float64(x)
	case int16:
		n = float64(x)
	case int32:
		n = float64(x)
	case int64:
		n = float64(x)
	case uint:
		n = float64(x)
	case uint8:
		n = float64(x)
	case uint16:
		n = float64(x)
	case uint32:
		n = float64(x)
	case uint64:
		n = float64(x)
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return 0, false, false
		}
		n = f
	case string:
		s := strings.TrimSpace(x)
		if s == "" {
			return 0, true, false
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return 0, false, false
		}
		n = f
	default:
		return 0, false, false
	}
	if math.IsNaN(n) || math.IsInf(n, 0) {
		return 0, false, false
	}
	return n, false, true
}

func validURL(s string) bool {
	if strings.ContainsAny(s, " \t\r\n") {
		return false
	}
	u, err := url.Parse(s)
	if err != nil {
		return false
	}
	scheme := strings.ToLower(u.Scheme)
	return (scheme == "http" || scheme == "https") && u.Hostname() != "" && u.Opaque == ""
}

// ValidateEmail trims and lower-cases an email address and checks its shape.
// The error's message is short enough to stand as a field message.
func ValidateEmail(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return "", &Error{Code: CodeInvalid, Message: "is required"}
	}
	bad := &Error{Code: CodeInvalid, Message: "must be a valid email address"}
	if len(s) > 254 || !utf8.ValidString(s) || HasControl(s) || strings.ContainsAny(s, " \t\r\n<>(),;:\\\"[]") {
		return "", bad
	}
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || len(local) > 64 || strings.Contains(domain, "@") {
		return "", bad
	}
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return "", bad
	}
	for _, l := range labels {
		if l == "" || strings.HasPrefix(l, "-") || strings.HasSuffix(l, "-") || len(l) > 63 {
			return "", bad
		}
	}
	return s, nil
}

// ValidatePassword checks a new password: 10–200 characters, not only
// spaces, not one of the most common passwords, and not of very low
// variety (fewer than MinPasswordDistinct different characters, one short
// pattern repeated, or a plain run such as "abcdefghij"). The error's
// message is short enough to stand as a field message.
func ValidatePassword(s string) error {
	n := utf8.RuneCountInString(s)
	switch {
	case n < MinPasswordRunes:
		return &Error{Code: CodeInvalid, Message: fmt.Sprintf("must be at least %d characters", MinPasswordRunes)}
	case n > MaxPasswordRunes:
		return &Error{Code: CodeInvalid, Message: fmt.Sprintf("must be at most %d characters", MaxPasswordRunes)}
	case strings.TrimSpace(s) == "":
		return &Error{Code: CodeInvalid, Message: "must not be only spaces"}
	case IsCommonPassword(s):
		return &Error{Code: CodeInvalid, Message: "is one of the most common passwords; choose another"}
	}
	if msg := passwordVarietyProblem(s); msg != "" {
		return &Error{Code: CodeInvalid, Message: msg}
	}
	return nil
}

// MinPasswordDistinct is the fewest different characters a password may
// use (letters compared without case).
const MinPasswordDistinct = 5

// passwordVarietyProblem says why a password of the right length is still
// trivially guessed, or returns "".
func passwordVarietyProblem(s string) string {
	rs := []rune(strings.ToLower(s))
	distinct := map[rune]bool{}
	for _, r := range rs {
		distinct[r] = true
	}
	if len(distinct) < MinPasswordDistinct {
		return fmt.Sprintf("must use at least %d different characters", MinPasswordDistinct)
	}
	// One pattern repeated ("abcdeabcde", "Passw0rd!Passw0rd!").
	for p := 1; p <= len(rs)/2; p++ {
		if len(rs)%p != 0 {
			continue
		}
		repeated := true
		for i := p; i < len(rs) && repeated; i++ {
			repeated = rs[i] == rs[i-p]
		}
		if repeated {
			return "must not be one short pattern repeated"
		}
	}
	// A plain run up or down ("abcdefghij", "9876543210").
	step := rs[1] - rs[0]
	if step == 1 || step == -1 {
		run := true
		for i := 2; i < len(rs) && run; i++ {
			run = rs[i]-rs[i-1] == step
		}
		if run {
			return "must not be a plain run of characters such as abcdefghij"
		}
	}
	return ""
}

// ValidateName trims a required display name (group, template, organisation,
// user) and checks it as single-line text: at most 200 characters, no
// control characters (LineProblem). The error's message is short enough to
// stand as a field message.
func ValidateName(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", &Error{Code: CodeInvalid, Message: "is required"}
	}
	if msg := LineProblem(s, MaxNameLength); msg != "" {
		return "", &Error{Code: CodeInvalid, Message: msg}
	}
	return s, nil
}

// ValidateGroupName is ValidateName for persona groups.
func ValidateGroupName(s string) (string, error) { return ValidateName(s) }

// ValidateDescription cleans an optional description (CleanText) and
// checks it as multi-line text of at most 2000 characters (TextProblem).
func ValidateDescription(s string) (string, error) {
	s = CleanText(s)
	if msg := TextProblem(s, MaxSummaryLength); msg != "" {
		return "", &Error{Code: CodeInvalid, Message: msg}
	}
	return s, nil
}
