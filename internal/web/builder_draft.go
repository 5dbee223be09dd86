package web

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/personapal/personapal/internal/persona"
)

// The Template Builder edits a whole draft in one form. Inputs carry indexed
// names (s.0.label, s.0.f.1.kind, d.2.min); a submit button named "op" says
// what to do besides saving (add-field:0, move-up:s.1, remove:s.0.f.2, …).
// The server reads the form into a draftForm, applies the op, derives missing
// keys, builds the definition and validates it with the domain's rules; the
// form's raw text survives a refusal so that nothing the user typed is lost.

// draftForm is the builder's working copy, as raw form text.
type draftForm struct {
	Name        string
	Description string
	Sections    []sectionForm
	Dimensions  []dimensionForm
}

type sectionForm struct {
	Key, Label, Help string
	Labels           map[persona.ProfileType]string
	Fields           []fieldForm
}

type fieldForm struct {
	Key, Label, Help, Kind string
	Required               bool
	Sensitive              bool // never shown on share links
	MaxLength              string
	Min, Max               string
	LowLabel, HighLabel    string
	Options                string // one per line
	// Multiple and Types are a persona reference field's (one or many;
	// the allowed target types, none: any).
	Multiple bool
	Types    []persona.ProfileType
	// Was is the key the field had in the latest published version when
	// the builder loaded it ("" for fields that were never published).
	Was string
}

type dimensionForm struct {
	Key, Label, Help, Kind string
	Min, Max               string
	LowLabel, HighLabel    string
	Options                string
	Was                    string
}

// Defaults for new items. Placeholder keys (new_field, new_field_2, …) are
// replaced by a key derived from the label once the label is changed.
const (
	newSectionLabel   = "New section"
	newFieldLabel     = "New field"
	newDimensionLabel = "New dimension"
)

// maxFormItems bounds how many indexed items the reader looks for.
const maxFormItems = 1000

// draftFormOf lays out a stored template for the form. published holds the
// latest published definition (empty before the first publish).
func draftFormOf(t persona.Template, published persona.Definition) draftForm {
	pubFields := map[string]bool{}
	for _, k := range published.FieldKeys() {
		pubFields[k] = true
	}
	pubDims := map[string]bool{}
	for _, d := range published.Dimensions {
		pubDims[d.Key] = true
	}
	f := draftForm{Name: t.Name, Description: t.Description}
	for _, s := range t.Draft.Sections {
		sf := sectionForm{Key: s.Key, Label: s.Label, Help: s.Help, Labels: map[persona.ProfileType]string{}}
		for typ, l := range s.Labels {
			sf.Labels[typ] = l
		}
		for _, fd := range s.Fields {
			ff := fieldForm{Key: fd.Key, Label: fd.Label, Help: fd.Help, Kind: string(fd.Kind), Required: fd.Required, Sensitive: fd.Sensitive,
				LowLabel: fd.LowLabel, HighLabel: fd.HighLabel, Options: strings.Join(fd.Options, "\n"),
				Multiple: fd.Multiple, Types: slices.Clone(fd.ProfileTypes)}
			if fd.MaxLength != 0 {
				ff.MaxLength = strconv.Itoa(fd.MaxLength)
			}
			ff.Min, ff.Max = numberText(fd.Min), numberText(fd.Max)
			if pubFields[fd.Key] {
				ff.Was = fd.Key
			}
			sf.Fields = append(sf.Fields, ff)
		}
		f.Sections = append(f.Sections, sf)
	}
	for _, d := range t.Draft.Dimensions {
		df := dimensionForm{Key: d.Key, Label: d.Label, Help: d.Help, Kind: string(d.Kind),
			LowLabel: d.LowLabel, HighLabel: d.HighLabel, Options: strings.Join(d.Options, "\n")}
		if d.Kind == persona.DimensionScale {
			df.Min, df.Max = strconv.Itoa(d.Min), strconv.Itoa(d.Max)
		}
		if pubDims[d.Key] {
			df.Was = d.Key
		}
		f.Dimensions = append(f.Dimensions, df)
	}
	return f
}

// hasDraftInputs reports whether a posted form carries the builder's draft.
func hasDraftInputs(v url.Values) bool {
	_, ok := v["s.0.key"]
	return ok
}

// readDraftForm reads the builder form. Items are read in index order until
// the first gap.
func readDraftForm(v url.Values) draftForm {
	get := func(name string) string { return v.Get(name) }
	trim := func(name string) string { return strings.TrimSpace(v.Get(name)) }
	f := draftForm{Name: trim("name"), Description: strings.TrimSpace(get("description"))}
	for i := 0; i < maxFormItems; i++ {
		p := "s." + strconv.Itoa(i) + "."
		if _, ok := v[p+"key"]; !ok {
			break
		}
		s := sectionForm{Key: trim(p + "key"), Label: trim(p + "label"), Help: strings.TrimSpace(get(p + "help")),
			Labels: map[persona.ProfileType]string{}}
		for _, t := range persona.ProfileTypes {
			if l := trim(p + "labels." + string(t)); l != "" {
				s.Labels[t] = l
			}
		}
		for j := 0; j < maxFormItems; j++ {
			fp := p + "f." + strconv.Itoa(j) + "."
			if _, ok := v[fp+"key"]; !ok {
				break
			}
			s.Fields = append(s.Fields, fieldForm{
				Key: trim(fp + "key"), Label: trim(fp + "label"), Help: strings.TrimSpace(get(fp + "help")),
				Kind: trim(fp + "kind"), Required: get(fp+"required") != "", Sensitive: get(fp+"sensitive") != "",
				MaxLength: trim(fp + "max_length"), Min: trim(fp + "min"), Max: trim(fp + "max"),
				LowLabel: trim(fp + "low_label"), HighLabel: trim(fp + "high_label"),
				Options: get(fp + "options"), Was: trim(fp + "was"),
				Multiple: get(fp+"multiple") != "", Types: formTypes(v[fp+"types"]),
			})
		}
		f.Sections = append(f.Sections, s)
	}
	for i := 0; i < maxFormItems; i++ {
		p := "d." + strconv.Itoa(i) + "."
		if _, ok := v[p+"key"]; !ok {
			break
		}
		f.Dimensions = append(f.Dimensions, dimensionForm{
			Key: trim(p + "key"), Label: trim(p + "label"), Help: strings.TrimSpace(get(p + "help")), Kind: trim(p + "kind"),
			Min: trim(p + "min"), Max: trim(p + "max"), LowLabel: trim(p + "low_label"), HighLabel: trim(p + "high_label"),
			Options: get(p + "options"), Was: trim(p + "was"),
		})
	}
	return f
}

// ---- operations ----

// builderOp is a parsed "op" value: what to do and to which item.
type builderOp struct {
	Verb string // save, add-section, add-field, add-dimension, move-up, move-down, remove
	Item string // s.1, s.1.f.2, d.0 (add-field: the section index)
}

var itemPattern = regexp.MustCompile(`^(?:s\.(\d+)(?:\.f\.(\d+))?|d\.(\d+))$`)

// errBadOp answers a form whose op this builder does not know (or whose item
// no longer exists).
var errBadOp = persona.Errorf(persona.CodeInvalid, "the builder did not understand that action; reload the page and try again")

// apply performs op on the form and returns a short notice and the id of the
// element to focus afterwards.
func (f *draftForm) apply(opValue string) (notice, focus string, err error) {
	verb, item, _ := strings.Cut(opValue, ":")
	switch verb {
	case "", "save", "publish":
		return "Draft saved.", "", nil
	case "add-section":
		f.Sections = append(f.Sections, sectionForm{Label: newSectionLabel, Key: uniqueKey("new_section", f.sectionKeys(-1)),
			Labels: map[persona.ProfileType]string{}})
		return "Section added.", fmt.Sprintf("s%d-label", len(f.Sections)-1), nil
	case "add-dimension":
		f.Dimensions = append(f.Dimensions, dimensionForm{Label: newDimensionLabel, Key: uniqueKey("new_dimension", f.dimensionKeys(-1)),
			Kind: string(persona.DimensionScale), Min: "1", Max: "5"})
		return "Dimension added.", fmt.Sprintf("d%d-label", len(f.Dimensions)-1), nil
	case "add-field":
		i, err := strconv.Atoi(item)
		if err != nil || i < 0 || i >= len(f.Sections) {
			return "", "", errBadOp
		}
		f.Sections[i].Fields = append(f.Sections[i].Fields, fieldForm{Label: newFieldLabel,
			Key: uniqueKey("new_field", f.fieldKeys(-1, -1)), Kind: string(persona.KindText)})
		return "Field added.", fmt.Sprintf("s%d-f%d-label", i, len(f.Sections[i].Fields)-1), nil
	case "move-up", "move-down", "remove":
	default:
		return "", "", errBadOp
	}
	m := itemPattern.FindStringSubmatch(item)
	if m == nil {
		return "", "", errBadOp
	}
	up := verb == "move-up"
	switch {
	case m[3] != "": // dimension
		i, _ := strconv.Atoi(m[3])
		if i >= len(f.Dimensions) {
			return "", "", errBadOp
		}
		if verb == "remove" {
			f.Dimensions = slices.Delete(f.Dimensions, i, i+1)
			return "Dimension removed.", "add-dimension", nil
		}
		j, ok := neighbour(i, len(f.Dimensions), up)
		if !ok {
			return "", "", errBadOp
		}
		f.Dimensions[i], f.Dimensions[j] = f.Dimensions[j], f.Dimensions[i]
		return "Dimension moved " + dir(up) + ".", fmt.Sprintf("d%d-%s", j, verb), nil
	case m[2] == "": // section
		i, _ := strconv.Atoi(m[1])
		if i >= len(f.Sections) {
			return "", "", errBadOp
		}
		if verb == "remove" {
			f.Sections = slices.Delete(f.Sections, i, i+1)
			return "Section removed.", "add-section", nil
		}
		j, ok := neighbour(i, len(f.Sections), up)
		if !ok {
			return "", "", errBadOp
		}
		f.Sections[i], f.Sections[j] = f.Sections[j], f.Sections[i]
		return "Section moved " + dir(up) + ".", fmt.Sprintf("s%d-%s", j, verb), nil
	default: // field
		si, _ := strconv.Atoi(m[1])
		fi, _ := strconv.Atoi(m[2])
		if si >= len(f.Sections) || fi >= len(f.Sections[si].Fields) {
			return "", "", errBadOp
		}
		fields := f.Sections[si].Fields
		if verb == "remove" {
			f.Sections[si].Fields = slices.Delete(fields, fi, fi+1)
			return "Field removed.", fmt.Sprintf("s%d-add-field", si), nil
		}
		// Within the section, swap with the neighbour; at its edge, move
		// into the end of the previous section (or the start of the next).
		if j, ok := neighbour(fi, len(fields), up); ok {
			fields[fi], fields[j] = fields[j], fields[fi]
			return "Field moved " + dir(up) + ".", fmt.Sprintf("s%d-f%d-%s", si, j, verb), nil
		}
		ts, ok := neighbour(si, len(f.Sections), up)
		if !ok {
			return "", "", errBadOp
		}
		moved := fields[fi]
		f.Sections[si].Fields = slices.Delete(fields, fi, fi+1)
		var at int
		if up {
			f.Sections[ts].Fields = append(f.Sections[ts].Fields, moved)
			at = len(f.Sections[ts].Fields) - 1
		} else {
			f.Sections[ts].Fields = slices.Insert(f.Sections[ts].Fields, 0, moved)
		}
		return "Field moved to section " + strconv.Itoa(ts+1) + ".", fmt.Sprintf("s%d-f%d-%s", ts, at, verb), nil
	}
}

func neighbour(i, n int, up bool) (int, bool) {
	if up {
		return i - 1, i > 0
	}
	return i + 1, i+1 < n
}

func dir(up bool) string {
	if up {
		return "up"
	}
	return "down"
}

// ---- keys ----

func (f *draftForm) sectionKeys(except int) map[string]bool {
	m := map[string]bool{}
	for i, s := range f.Sections {
		if i != except && s.Key != "" {
			m[s.Key] = true
		}
	}
	return m
}

func (f *draftForm) fieldKeys(exceptS, exceptF int) map[string]bool {
	m := map[string]bool{}
	for i, s := range f.Sections {
		for j, fd := range s.Fields {
			if (i != exceptS || j != exceptF) && fd.Key != "" {
				m[fd.Key] = true
			}
		}
	}
	return m
}

func (f *draftForm) dimensionKeys(except int) map[string]bool {
	m := map[string]bool{}
	for i, d := range f.Dimensions {
		if i != except && d.Key != "" {
			m[d.Key] = true
		}
	}
	return m
}

// fillKeys derives keys where the user left them empty, and replaces the
// placeholder keys of new items once they have a real label. Keys already
// published are never replaced.
func (f *draftForm) fillKeys() {
	for i := range f.Sections {
		s := &f.Sections[i]
		if wantsKey(s.Key, s.Label, "new_section", newSectionLabel, "") {
			s.Key = uniqueKey(keyFrom(s.Label, "section"), f.sectionKeys(i))
		}
		for j := range s.Fields {
			fd := &s.Fields[j]
			if wantsKey(fd.Key, fd.Label, "new_field", newFieldLabel, fd.Was) {
				fd.Key = uniqueKey(keyFrom(fd.Label, "field"), f.fieldKeys(i, j))
			}
		}
	}
	for i := range f.Dimensions {
		d := &f.Dimensions[i]
		if wantsKey(d.Key, d.Label, "new_dimension", newDimensionLabel, d.Was) {
			d.Key = uniqueKey(keyFrom(d.Label, "dimension"), f.dimensionKeys(i))
		}
	}
}

func wantsKey(key, label, placeholder, defaultLabel, published string) bool {
	if key == "" {
		return true
	}
	if key == published || label == defaultLabel || strings.TrimSpace(label) == "" {
		return false
	}
	return isPlaceholderKey(key, placeholder)
}

func isPlaceholderKey(key, base string) bool {
	if key == base {
		return true
	}
	rest, ok := strings.CutPrefix(key, base+"_")
	if !ok || rest == "" {
		return false
	}
	_, err := strconv.Atoi(rest)
	return err == nil
}

// keyFrom derives a key from a label with the ASCII slug rules (lower-case
// ASCII, accents spelled out, Greek and Cyrillic transliterated) and
// underscores: "Pain points" → pain_points, "Цели" → tseli. A label with
// nothing usable gives fallback.
func keyFrom(label, fallback string) string {
	s := persona.ASCIISlug(label)
	s = strings.ReplaceAll(s, "-", "_")
	if s == "" {
		return fallback
	}
	if r := rune(s[0]); !unicode.IsLetter(r) {
		s = fallback + "_" + s
	}
	if len(s) > 63 {
		s = strings.TrimRight(s[:63], "_")
	}
	return s
}

// uniqueKey returns base, or base_2, base_3, … whichever is not taken.
func uniqueKey(base string, taken map[string]bool) string {
	if !taken[base] {
		return base
	}
	for n := 2; ; n++ {
		suffix := "_" + strconv.Itoa(n)
		b := base
		if len(b)+len(suffix) > 63 {
			b = b[:63-len(suffix)]
		}
		if k := b + suffix; !taken[k] {
			return k
		}
	}
}

// ---- definition ----

// textLike are the kinds whose values a maximum length applies to.
var textLike = []persona.FieldKind{persona.KindText, persona.KindMarkdown, persona.KindList, persona.KindTags, persona.KindURL}

// definition builds the template definition the form describes. Settings
// that do not apply to a field's kind are dropped (they stay in the form).
// Numbers the form cannot read come back as field errors with the domain's
// paths, ahead of the domain's own validation.
func (f *draftForm) definition() (persona.Definition, []persona.FieldError) {
	var errs []persona.FieldError
	add := func(path, msg string) { errs = append(errs, persona.FieldError{Field: path, Message: msg}) }
	def := persona.Definition{Sections: []persona.Section{}, Dimensions: []persona.Dimension{}}
	for i, s := range f.Sections {
		sec := persona.Section{Key: s.Key, Label: s.Label, Help: s.Help, Fields: []persona.Field{}}
		if len(s.Labels) > 0 {
			sec.Labels = map[persona.ProfileType]string{}
			for t, l := range s.Labels {
				sec.Labels[t] = l
			}
		}
		for j := range s.Fields {
			fd := &f.Sections[i].Fields[j]
			p := fmt.Sprintf("sections[%d].fields[%d]", i, j)
			kind := persona.FieldKind(fd.Kind)
			out := persona.Field{Key: fd.Key, Label: fd.Label, Help: fd.Help, Kind: kind, Required: fd.Required, Sensitive: fd.Sensitive}
			switch {
			case slices.Contains(textLike, kind):
				if fd.MaxLength != "" {
					n, err := strconv.Atoi(fd.MaxLength)
					if err != nil {
						add(p+".max_length", "must be a whole number")
					}
					out.MaxLength = n
				}
			case kind == persona.KindNumber || kind == persona.KindScale:
				if kind == persona.KindScale && fd.Min == "" && fd.Max == "" {
					fd.Min, fd.Max = "1", "5" // a scale always needs a range
				}
				out.Min = parseBound(fd.Min, p+".min", add)
				out.Max = parseBound(fd.Max, p+".max", add)
				if kind == persona.KindScale {
					out.LowLabel, out.HighLabel = fd.LowLabel, fd.HighLabel
				}
			case kind == persona.KindChoice || kind == persona.KindMultiChoice:
				out.Options = optionLines(fd.Options)
			case kind == persona.KindPersona:
				out.Multiple, out.ProfileTypes = fd.Multiple, slices.Clone(fd.Types)
			}
			sec.Fields = append(sec.Fields, out)
		}
		def.Sections = append(def.Sections, sec)
	}
	for i := range f.Dimensions {
		d := &f.Dimensions[i]
		p := fmt.Sprintf("dimensions[%d]", i)
		kind := persona.DimensionKind(d.Kind)
		out := persona.Dimension{Key: d.Key, Label: d.Label, Help: d.Help, Kind: kind}
		switch kind {
		case persona.DimensionScale:
			if d.Min == "" && d.Max == "" {
				d.Min, d.Max = "1", "5"
			}
			out.Min = parseWhole(d.Min, p+".min", add)
			out.Max = parseWhole(d.Max, p+".max", add)
			out.LowLabel, out.HighLabel = d.LowLabel, d.HighLabel
		case persona.DimensionChoice:
			out.Options = optionLines(d.Options)
		}
		def.Dimensions = append(def.Dimensions, out)
	}
	return def, errs
}

func parseBound(s, path string, add func(string, string)) *float64 {
	if s == "" {
		return nil
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil {
		add(path, "must be a number")
		return nil
	}
	return &n
}

func parseWhole(s, path string, add func(string, string)) int {
	if s == "" {
		add(path, "is required for a scale")
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		add(path, "must be a whole number")
	}
	return n
}

// optionLines reads options one per line, ignoring blank lines.
func optionLines(s string) []string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	return out
}

// check validates the form: the template's name and description and the
// definition, with every problem as a field error ("name", "description",
// "sections[0].fields[1].key", …).
func (f *draftForm) check() (persona.Definition, []persona.FieldError) {
	var errs []persona.FieldError
	if _, err := persona.ValidateName(f.Name); err != nil {
		errs = append(errs, persona.FieldError{Field: "name", Message: err.(*persona.Error).Message})
	}
	if _, err := persona.ValidateDescription(f.Description); err != nil {
		errs = append(errs, persona.FieldError{Field: "description", Message: err.(*persona.Error).Message})
	}
	def, parseErrs := f.definition()
	errs = append(errs, parseErrs...)
	if err := def.Validate(); err != nil {
		if e, ok := persona.AsError(err); ok {
			errs = append(errs, e.Fields...)
		} else {
			errs = append(errs, persona.FieldError{Field: "form", Message: err.Error()})
		}
	}
	return def, errs
}

// formTypes reads a persona reference field's ticked profile types, in
// the profile types' order (an unknown one is kept for validation to name).
func formTypes(vals []string) []persona.ProfileType {
	var out []persona.ProfileType
	for _, t := range persona.ProfileTypes {
		if slices.Contains(vals, string(t)) {
			out = append(out, t)
		}
	}
	for _, v := range vals {
		if t := persona.ProfileType(v); !t.Valid() && v != "" {
			out = append(out, t)
		}
	}
	return out
}

// HasType reports whether a persona reference field allows type t (ticked
// in the builder).
func (f fieldForm) HasType(t persona.ProfileType) bool { return slices.Contains(f.Types, t) }

func sameDefinition(a, b persona.Definition) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && string(ja) == string(jb)
}

// ---- changes between definitions ----

// defChanges summarises how one definition differs from another, by key.
type defChanges struct {
	AddedFields, RemovedFields, ChangedFields []keyLabel
	AddedDims, RemovedDims, ChangedDims       []keyLabel
	Layout                                    bool // sections, their labels or the order of keys changed
}

type keyLabel struct{ Key, Label string }

// Empty reports whether nothing differs.
func (c defChanges) Empty() bool {
	return len(c.AddedFields)+len(c.RemovedFields)+len(c.ChangedFields)+
		len(c.AddedDims)+len(c.RemovedDims)+len(c.ChangedDims) == 0 && !c.Layout
}

func diffDefinitions(from, to persona.Definition) defChanges {
	var c defChanges
	oldFields := map[string]persona.Field{}
	for _, s := range from.Sections {
		for _, f := range s.Fields {
			oldFields[f.Key] = f
		}
	}
	newFields := map[string]bool{}
	for _, s := range to.Sections {
		for _, f := range s.Fields {
			newFields[f.Key] = true
			old, ok := oldFields[f.Key]
			switch {
			case !ok:
				c.AddedFields = append(c.AddedFields, keyLabel{f.Key, f.Label})
			case !sameJSON(old, f):
				c.ChangedFields = append(c.ChangedFields, keyLabel{f.Key, f.Label})
			}
		}
	}
	for _, s := range from.Sections {
		for _, f := range s.Fields {
			if !newFields[f.Key] {
				c.RemovedFields = append(c.RemovedFields, keyLabel{f.Key, f.Label})
			}
		}
	}
	oldDims := map[string]persona.Dimension{}
	for _, d := range from.Dimensions {
		oldDims[d.Key] = d
	}
	newDims := map[string]bool{}
	for _, d := range to.Dimensions {
		newDims[d.Key] = true
		old, ok := oldDims[d.Key]
		switch {
		case !ok:
			c.AddedDims = append(c.AddedDims, keyLabel{d.Key, d.Label})
		case !sameJSON(old, d):
			c.ChangedDims = append(c.ChangedDims, keyLabel{d.Key, d.Label})
		}
	}
	for _, d := range from.Dimensions {
		if !newDims[d.Key] {
			c.RemovedDims = append(c.RemovedDims, keyLabel{d.Key, d.Label})
		}
	}
	both := func(k string) bool {
		_, inOld := oldFields[k]
		_, inOldDims := oldDims[k]
		return (inOld && newFields[k]) || (inOldDims && newDims[k])
	}
	c.Layout = !sameJSON(skeleton(from, both), skeleton(to, both))
	return c
}

// skeleton is a definition without its fields' settings: sections, their
// labels and the order of the field and dimension keys that keep says.
func skeleton(d persona.Definition, keep func(string) bool) any {
	type sec struct {
		Key, Label, Help string
		Labels           map[persona.ProfileType]string
		Fields           []string
	}
	var out struct {
		Sections   []sec
		Dimensions []string
	}
	for _, s := range d.Sections {
		sk := sec{Key: s.Key, Label: s.Label, Help: s.Help, Labels: s.Labels}
		for _, f := range s.Fields {
			if keep(f.Key) {
				sk.Fields = append(sk.Fields, f.Key)
			}
		}
		out.Sections = append(out.Sections, sk)
	}
	for _, dim := range d.Dimensions {
		if keep(dim.Key) {
			out.Dimensions = append(out.Dimensions, dim.Key)
		}
	}
	return out
}

func sameJSON(a, b any) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && string(ja) == string(jb)
}

// OptionRows is how tall the options box is: one row per option, within
// reason.
func (f fieldForm) OptionRows() int { return optionRows(f.Options) }

// OptionRows is how tall the options box is.
func (d dimensionForm) OptionRows() int { return optionRows(d.Options) }

// OptionCount is how many options a choice dimension offers.
func (d dimensionForm) OptionCount() int { return len(optionLines(d.Options)) }

func optionRows(s string) int {
	return min(max(len(optionLines(s))+1, 3), 10)
}
