package persona

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/personapal/personapal/internal/markdown"
)

// Markdown export: personas, groups and comparisons as GitHub-flavoured
// Markdown. User text is escaped so that it reads as the text it is and
// cannot open a heading, list, table cell, link, HTML tag, entity or code
// block of its own. Markdown fields stay Markdown, with their headings
// moved below the field's own heading and any open code fence closed, and
// made publishable (markdown.Publishable): their raw HTML reads as text and
// their links and images lose their brackets unless they lead to http,
// https, mailto or a relative address. So every Markdown file the product
// writes is safe on a renderer that passes raw HTML through.

// MarkdownPersona is a persona with what its export shows besides its
// values.
type MarkdownPersona struct {
	Persona      Persona
	Definition   Definition // of the template version the persona is pinned to
	TemplateName string
	GroupName    string
	OwnerName    string
	// RefNames names the personas its persona reference fields point at
	// (a missing one reads "deleted persona").
	RefNames map[string]RefName
	// Variants is an optional summary of the persona's customer variants.
	Variants []MarkdownVariant
	// URL is an optional link back to the persona's page.
	URL string
	// Exported, when set, is stamped in the closing line.
	Exported time.Time
	// Citations are the evidence behind the persona and its fields, in
	// the order they are numbered as footnotes.
	Citations []MarkdownCitation
}

// MarkdownCitation is one piece of evidence linked to the persona (Field
// "") or to one of its fields.
type MarkdownCitation struct {
	Field   string
	Title   string
	Kind    EvidenceKind
	Stance  Stance
	Excerpt string
	Page    string
}

// MarkdownVariant summarises one customer variant.
type MarkdownVariant struct {
	Customer  string
	Note      string
	Overrides int // how many values and dimensions it overrides
}

// MarkdownGroupItem is one persona of a group export.
type MarkdownGroupItem struct {
	Persona Persona
	URL     string // optional link to its page
}

// MarkdownCompared is one persona of a comparison export.
type MarkdownCompared struct {
	CompareInput
	TemplateName string
	URL          string // optional link to its page
}

// PersonaMarkdown renders a persona: name, summary, facts, its template
// version's sections in order (labelled for its profile type) with every
// field, its dimensions and, when given, its customer variants.
func PersonaMarkdown(in MarkdownPersona) string {
	b := mdBuilder{refNames: in.RefNames}
	p := in.Persona
	b.heading(1, p.Name)
	if strings.TrimSpace(p.Summary) != "" {
		b.quote(p.Summary)
	}
	var facts [][2]string
	facts = append(facts, [2]string{"Profile type", p.ProfileType.Label()})
	if in.TemplateName != "" {
		facts = append(facts, [2]string{"Template", fmt.Sprintf("%s (version %d)", in.TemplateName, p.TemplateVersion)})
	}
	facts = append(facts, [2]string{"Status", statusLabel(p.Status)})
	if in.GroupName != "" {
		facts = append(facts, [2]string{"Group", in.GroupName})
	}
	if in.OwnerName != "" {
		facts = append(facts, [2]string{"Owner", in.OwnerName})
	}
	if p.LastReviewedOn != "" {
		facts = append(facts, [2]string{"Last reviewed", p.LastReviewedOn})
	}
	if !p.UpdatedAt.IsZero() {
		facts = append(facts, [2]string{"Updated", p.UpdatedAt.UTC().Format("2006-01-02")})
	}
	facts = append(facts, [2]string{"Revision", strconv.Itoa(p.Revision)})
	for _, f := range facts {
		b.line("- **" + EscapeMarkdown(f[0]) + ":** " + EscapeMarkdown(f[1]))
	}
	if in.URL != "" {
		b.line("- **Link:** " + mdLink("Open in Persona Pal", in.URL))
	}
	cites := citeNumbers(in.Citations, in.Definition)
	if refs := cites[""]; len(refs) > 0 {
		b.line("- **Evidence:** " + footnoteRefs(refs))
	}
	b.blank()

	for _, s := range in.Definition.Sections {
		label := s.LabelFor(p.ProfileType)
		b.heading(2, label)
		// A section of one field that shares its label reads better
		// without the repeated heading.
		if len(s.Fields) == 1 && normLabel(s.Fields[0].Label) == normLabel(label) {
			b.fieldValue(s.Fields[0], p.Values[s.Fields[0].Key], 2)
			b.evidenceLine(cites[s.Fields[0].Key])
			continue
		}
		for _, f := range s.Fields {
			b.heading(3, f.Label)
			b.fieldValue(f, p.Values[f.Key], 3)
			b.evidenceLine(cites[f.Key])
		}
	}
	if len(in.Definition.Dimensions) > 0 {
		b.heading(2, "Dimensions")
		b.tableHeader("Dimension", "Value", "Range")
		for _, d := range in.Definition.Dimensions {
			b.tableRow(d.Label, dimensionValueText(d, p.Dimensions[d.Key]), dimensionRange(d))
		}
		b.blank()
	}
	if len(in.Variants) > 0 {
		b.heading(2, "Customer variants")
		for _, v := range in.Variants {
			item := "**" + EscapeMarkdown(oneLine(v.Customer)) + "** — " + plural(v.Overrides, "override", "overrides")
			if note := oneLine(v.Note); note != "" {
				item += ": " + EscapeMarkdown(note)
			}
			b.line("- " + item)
		}
		b.blank()
	}
	b.footnotes(in.Citations)
	b.closing(in.Exported)
	return b.String()
}

// citeNumbers maps a field key to the footnote numbers of its citations
// (1-based, in the citations' order); a citation of a field the
// definition does not have counts for the persona as a whole ("").
func citeNumbers(cs []MarkdownCitation, def Definition) map[string][]int {
	fields := map[string]bool{}
	for _, s := range def.Sections {
		for _, f := range s.Fields {
			fields[f.Key] = true
		}
	}
	out := map[string][]int{}
	for i, c := range cs {
		key := c.Field
		if !fields[key] {
			key = ""
		}
		out[key] = append(out[key], i+1)
	}
	return out
}

func footnoteRefs(ns []int) string {
	refs := make([]string, len(ns))
	for i, n := range ns {
		refs[i] = "[^" + strconv.Itoa(n) + "]"
	}
	return strings.Join(refs, " ")
}

// evidenceLine cites a field's evidence below its value.
func (b *mdBuilder) evidenceLine(ns []int) {
	if len(ns) > 0 {
		b.para("*Evidence:* " + footnoteRefs(ns))
	}
}

// footnotes are the citations as GitHub-flavoured Markdown footnotes:
// the item's title, its kind, whether
// it supports or contradicts the claim, where in it, and the excerpt.
func (b *mdBuilder) footnotes(cs []MarkdownCitation) {
	if len(cs) == 0 {
		return
	}
	b.heading(2, "Evidence")
	for i, c := range cs {
		title := "**" + EscapeMarkdown(oneLine(c.Title)) + "**"
		meta := []string{c.Kind.Label()}
		if c.Stance == StanceContradicts {
			meta = append(meta, "contradicts")
		} else {
			meta = append(meta, "supports")
		}
		if p := oneLine(c.Page); p != "" {
			meta = append(meta, EscapeMarkdown(p))
		}
		line := "[^" + strconv.Itoa(i+1) + "]: " + title + " (" + strings.Join(meta, ", ") + ")"
		if ex := oneLine(c.Excerpt); ex != "" {
			line += " — “" + EscapeMarkdown(ex) + "”"
		}
		b.line(line)
	}
	b.blank()
}

// GroupMarkdown renders a group: its name and description, then a table of
// its personas with their profile types, statuses and summaries.
func GroupMarkdown(g Group, items []MarkdownGroupItem, exported time.Time) string {
	var b mdBuilder
	b.heading(1, g.Name)
	if strings.TrimSpace(g.Description) != "" {
		b.paragraph(g.Description)
	}
	b.para(plural(len(items), "persona", "personas") + ".")
	if len(items) > 0 {
		b.tableHeader("Persona", "Profile type", "Status", "Summary")
		for _, it := range items {
			name := EscapeCell(it.Persona.Name)
			if it.URL != "" {
				name = mdLink(cellText(it.Persona.Name), it.URL)
			}
			b.line("| " + name + " | " + EscapeCell(it.Persona.ProfileType.Label()) + " | " +
				EscapeCell(statusLabel(it.Persona.Status)) + " | " + EscapeCell(it.Persona.Summary) + " |")
		}
		b.blank()
	}
	b.closing(exported)
	return b.String()
}

// ComparisonMarkdown renders a comparison (see Compare) of 2 to 8
// personas: who is compared, then one table per section with a column per
// persona, and a table of the dimensions they share. Rows whose values
// differ are marked "≠".
func ComparisonMarkdown(in []MarkdownCompared, exported time.Time) (string, error) {
	ci := make([]CompareInput, len(in))
	names := make([]string, len(in))
	for i, x := range in {
		ci[i] = x.CompareInput
		names[i] = x.Persona.Name
	}
	cmp, err := Compare(ci)
	if err != nil {
		return "", err
	}
	var b mdBuilder
	b.heading(1, "Comparison: "+joinAnd(names))
	for _, x := range in {
		name := "**" + EscapeMarkdown(oneLine(x.Persona.Name)) + "**"
		if x.URL != "" {
			name = "**" + mdLink(oneLine(x.Persona.Name), x.URL) + "**"
		}
		item := name + " — " + EscapeMarkdown(x.Persona.ProfileType.Label())
		if x.TemplateName != "" {
			item += ", " + EscapeMarkdown(fmt.Sprintf("%s (version %d)", oneLine(x.TemplateName), x.Persona.TemplateVersion))
		}
		if s := oneLine(x.Persona.Summary); s != "" {
			item += ": " + EscapeMarkdown(s)
		}
		b.line("- " + item)
	}
	b.blank()
	b.para("Rows marked ≠ hold different values.")

	header := append([]string{"Field"}, names...)
	for _, s := range cmp.Sections {
		b.heading(2, s.Label)
		b.tableHeader(header...)
		for _, r := range s.Rows {
			label := EscapeCell(r.Label)
			if r.Differs {
				label += " ≠"
			}
			cells := []string{label}
			for _, c := range r.Cells {
				switch {
				case !c.Has:
					cells = append(cells, "—")
				case isEmptyValue(c.Value):
					cells = append(cells, "*not set*")
				default:
					cells = append(cells, cellValue(c.Field, c.Value))
				}
			}
			b.line("| " + strings.Join(cells, " | ") + " |")
		}
		b.blank()
	}
	if len(cmp.Dimensions) > 0 {
		b.heading(2, "Dimensions")
		b.tableHeader(append([]string{"Dimension"}, names...)...)
		for _, d := range cmp.Dimensions {
			label := EscapeCell(d.Label)
			if d.Differs {
				label += " ≠"
			}
			cells := []string{label}
			for _, c := range d.Cells {
				switch {
				case !c.Has:
					cells = append(cells, "—")
				case !c.Set():
					cells = append(cells, "*not set*")
				default:
					cells = append(cells, EscapeCell(dimensionValueText(c.Dimension, c.Value)))
				}
			}
			b.line("| " + strings.Join(cells, " | ") + " |")
		}
		b.blank()
	}
	b.closing(exported)
	return b.String(), nil
}

// ---- escaping ----

// mdSpecial are the characters escaped wherever they appear in user text:
// every character that can start inline markup (emphasis, code, links,
// images, autolinks, HTML, entities, strike-through), table cell borders and
// headings.
const mdSpecial = "\\`*_[]<>|~#&!"

// EscapeMarkdown escapes one line of user text for use inside Markdown
// (a paragraph, list item or heading): it then reads as literal text. Line
// breaks become spaces; use it for text that is one line by nature.
func EscapeMarkdown(s string) string {
	return escapeLine(oneLine(s))
}

// EscapeCell escapes user text for a GFM table cell: like EscapeMarkdown,
// with line breaks kept as <br>.
func EscapeCell(s string) string {
	lines := splitLines(s)
	for i, l := range lines {
		lines[i] = escapeLine(strings.TrimSpace(l))
	}
	return strings.Join(trimBlankEnds(lines), "<br>")
}

// escapeLine escapes the inline specials of one line, and what would make
// the line a block of its own at the start of a line: a list marker, an
// ordered-list number, a thematic break or a setext underline.
func escapeLine(s string) string {
	s = strings.TrimLeft(s, " \t") // four spaces would start a code block
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(mdSpecial, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	out := b.String()
	if out == "" {
		return out
	}
	switch out[0] {
	case '-', '+', '=':
		return "\\" + out
	}
	if m := orderedMarker.FindStringIndex(out); m != nil {
		return out[:m[1]-1] + "\\" + out[m[1]-1:]
	}
	return out
}

var orderedMarker = regexp.MustCompile(`^[0-9]{1,9}[.)]`)

// oneLine folds all white space (line breaks too) into single spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func splitLines(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.Split(s, "\n")
}

func trimBlankEnds(lines []string) []string {
	for len(lines) > 0 && strings.TrimSpace(lines[0]) == "" {
		lines = lines[1:]
	}
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// cellText escapes text for a link label inside a table cell.
func cellText(s string) string { return oneLine(s) }

// mdLink writes a link with an escaped label. The destination goes in
// angle brackets with the characters that could end it percent-encoded.
func mdLink(label, url string) string {
	r := strings.NewReplacer("<", "%3C", ">", "%3E", " ", "%20", "\n", "", "\r", "", "|", "%7C", "\\", "%5C")
	return "[" + EscapeMarkdown(label) + "](<" + r.Replace(url) + ">)"
}

// ---- values ----

// fieldValue writes a field's value as blocks under a heading of the given
// level.
func (b *mdBuilder) fieldValue(f Field, v any, level int) {
	if isEmptyValue(v) {
		b.para("*Not filled in.*")
		return
	}
	switch f.Kind {
	case KindMarkdown:
		s, _ := v.(string)
		b.raw(PublishableMarkdown(s, level))
	case KindList:
		items, _ := stringList(v)
		for _, it := range items {
			if strings.TrimSpace(it) != "" {
				b.line("- " + EscapeMarkdown(it))
			}
		}
		b.blank()
	case KindTags, KindMultiChoice:
		items, _ := stringList(v)
		esc := make([]string, 0, len(items))
		for _, it := range items {
			if it = oneLine(it); it != "" {
				esc = append(esc, EscapeMarkdown(it))
			}
		}
		b.para(strings.Join(esc, ", "))
	case KindURL:
		s, _ := v.(string)
		s = strings.TrimSpace(s)
		if strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") {
			b.para(mdLink(s, s))
		} else {
			b.paragraph(s)
		}
	case KindImage:
		b.para(imageText)
	case KindPersona:
		b.para(EscapeMarkdown(RefText(f, v, b.refNames)))
	case KindScale:
		b.para(EscapeMarkdown(scaleText(f, v)))
	case KindNumber:
		b.para(EscapeMarkdown(anyText(v)))
	default:
		b.paragraph(anyText(v))
	}
}

// cellValue is a field's value in a table cell.
func cellValue(f Field, v any) string {
	switch f.Kind {
	case KindMarkdown:
		s, _ := v.(string)
		return markdownCell(s)
	case KindList, KindTags, KindMultiChoice:
		items, _ := stringList(v)
		esc := make([]string, 0, len(items))
		for _, it := range items {
			if it = oneLine(it); it != "" {
				esc = append(esc, EscapeMarkdown(it))
			}
		}
		sep := ", "
		if f.Kind == KindList {
			sep = "<br>"
		}
		return strings.Join(esc, sep)
	case KindScale:
		return EscapeCell(scaleText(f, v))
	case KindImage:
		return imageText
	case KindPersona:
		return EscapeCell(plural(len(RefIDs(f, v)), "persona", "personas"))
	}
	return EscapeCell(anyText(v))
}

// markdownCell keeps a Markdown value's inline formatting in a table cell:
// pipes are escaped, lines are joined with <br>, and the cell is made
// publishable as a cell (raw HTML reads as text, unsafe links lose their
// brackets).
func markdownCell(s string) string {
	lines := trimBlankEnds(splitLines(s))
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		l = strings.TrimSpace(l)
		l = strings.ReplaceAll(l, "\\|", "|")
		l = strings.ReplaceAll(l, "|", "\\|")
		out = append(out, l)
	}
	return markdown.PublishableCell(strings.Join(out, "<br>"))
}

func scaleText(f Field, v any) string {
	n, _, ok := toNumber(v)
	if !ok {
		return anyText(v)
	}
	s := formatNum(n)
	if f.Min != nil && f.Max != nil {
		s += " of " + formatNum(*f.Min) + "–" + formatNum(*f.Max)
		if f.LowLabel != "" || f.HighLabel != "" {
			s += " (" + oneLine(f.LowLabel) + " → " + oneLine(f.HighLabel) + ")"
		}
	}
	return s
}

func dimensionValueText(d Dimension, v any) string {
	if isEmptyValue(v) {
		return "not set"
	}
	if d.Kind == DimensionScale {
		if n, _, ok := toNumber(v); ok {
			return formatNum(n) + " of " + strconv.Itoa(d.Min) + "–" + strconv.Itoa(d.Max)
		}
	}
	return anyText(v)
}

func dimensionRange(d Dimension) string {
	if d.Kind != DimensionScale {
		return strings.Join(d.Options, ", ")
	}
	lo, hi := d.LowLabel, d.HighLabel
	if lo == "" {
		lo = strconv.Itoa(d.Min)
	}
	if hi == "" {
		hi = strconv.Itoa(d.Max)
	}
	return lo + " → " + hi
}

// anyText renders a stored value as text.
func anyText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return formatNum(x)
	case int:
		return strconv.Itoa(x)
	case bool:
		if x {
			return "yes"
		}
		return "no"
	}
	if l, ok := stringList(v); ok {
		return strings.Join(l, ", ")
	}
	return fmt.Sprint(v)
}

func formatNum(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

func statusLabel(s Status) string {
	switch s {
	case StatusDraft:
		return "Draft"
	case StatusPublished:
		return "Published"
	case StatusArchived:
		return "Archived"
	}
	return string(s)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

func joinAnd(names []string) string {
	clean := make([]string, len(names))
	for i, n := range names {
		clean[i] = oneLine(n)
	}
	switch len(clean) {
	case 0:
		return ""
	case 1:
		return clean[0]
	}
	return strings.Join(clean[:len(clean)-1], ", ") + " and " + clean[len(clean)-1]
}

// ---- Markdown fields ----

var (
	atxHeading  = regexp.MustCompile(`^ {0,3}(#{1,6})([ \t]|$)`)
	fenceOpen   = regexp.MustCompile("^ {0,3}(`{3,}|~{3,})")
	setextUnder = regexp.MustCompile(`^ {0,3}(=+|-+)[ \t]*$`)
)

// PublishableMarkdown is a user's Markdown value as an export writes it
// under a heading of the given level: nested below the heading
// (demoteMarkdown) and safe to publish (markdown.Publishable).
func PublishableMarkdown(s string, level int) string {
	return markdown.Publishable(demoteMarkdown(s, level))
}

// demoteMarkdown keeps a Markdown value's own structure while nesting it
// under a heading of the given level: its headings move down (never above
// level+1, at most 6), setext headings become ATX ones, and an unclosed
// code fence is closed, so that the value cannot end the export's
// structure early or swallow what follows.
func demoteMarkdown(s string, level int) string {
	lines := trimBlankEnds(splitLines(s))
	out := make([]string, 0, len(lines)+1)
	fence := "" // the open fence's marker run, "" outside a fence
	for i, l := range lines {
		if fence != "" {
			out = append(out, l)
			if m := fenceOpen.FindStringSubmatch(l); m != nil && m[1][0] == fence[0] && len(m[1]) >= len(fence) &&
				strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(l), string(fence[0]))) == "" {
				fence = ""
			}
			continue
		}
		if m := fenceOpen.FindStringSubmatch(l); m != nil {
			fence = m[1]
			out = append(out, l)
			continue
		}
		if m := atxHeading.FindStringSubmatch(l); m != nil {
			n := min(len(m[1])+level, 6)
			rest := strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(l), "#"))
			out = append(out, strings.Repeat("#", n)+" "+rest)
			continue
		}
		if m := setextUnder.FindStringSubmatch(l); m != nil && i > 0 && len(out) > 0 &&
			strings.TrimSpace(out[len(out)-1]) != "" && paragraphLine(out[len(out)-1]) {
			n := 1
			if m[1][0] == '-' {
				n = 2
			}
			prev := strings.TrimSpace(out[len(out)-1])
			out[len(out)-1] = strings.Repeat("#", min(n+level, 6)) + " " + prev
			continue
		}
		out = append(out, l)
	}
	if fence != "" {
		out = append(out, fence)
	}
	return strings.Join(out, "\n")
}

// paragraphLine reports whether a line (already written) is plain
// paragraph text that a setext underline would turn into a heading.
func paragraphLine(l string) bool {
	t := strings.TrimSpace(l)
	if t == "" || strings.HasPrefix(t, "#") || strings.HasPrefix(t, ">") || strings.HasPrefix(t, "|") {
		return false
	}
	if strings.HasPrefix(t, "- ") || strings.HasPrefix(t, "* ") || strings.HasPrefix(t, "+ ") || orderedMarker.MatchString(t) {
		return false
	}
	return !strings.HasPrefix(l, "    ") && !strings.HasPrefix(l, "\t")
}

// ---- builder ----

type mdBuilder struct {
	strings.Builder
	refNames map[string]RefName // PersonaMarkdown's RefNames
}

func (b *mdBuilder) line(s string) { b.WriteString(s); b.WriteByte('\n') }

func (b *mdBuilder) blank() { b.WriteByte('\n') }

func (b *mdBuilder) heading(level int, text string) {
	t := EscapeMarkdown(text)
	if t == "" {
		t = "Untitled"
	}
	b.line(strings.Repeat("#", level) + " " + t)
	b.blank()
}

// para writes an already-escaped paragraph.
func (b *mdBuilder) para(s string) { b.line(s); b.blank() }

// paragraph writes user text as paragraphs: its lines escaped, line breaks
// kept as hard breaks, blank lines as paragraph breaks.
func (b *mdBuilder) paragraph(s string) {
	lines := trimBlankEnds(splitLines(s))
	var cur []string
	flush := func() {
		if len(cur) > 0 {
			b.para(strings.Join(cur, "\\\n"))
			cur = nil
		}
	}
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			flush()
			continue
		}
		cur = append(cur, escapeLine(strings.TrimSpace(l)))
	}
	flush()
}

// quote writes user text as a block quote.
func (b *mdBuilder) quote(s string) {
	lines := trimBlankEnds(splitLines(s))
	for i, l := range lines {
		e := escapeLine(strings.TrimSpace(l))
		switch {
		case e == "":
			b.line(">")
		case i+1 < len(lines) && strings.TrimSpace(lines[i+1]) != "":
			b.line("> " + e + "\\")
		default:
			b.line("> " + e)
		}
	}
	b.blank()
}

// raw writes Markdown as it is, as its own block.
func (b *mdBuilder) raw(s string) { b.line(s); b.blank() }

func (b *mdBuilder) tableHeader(cols ...string) {
	esc := make([]string, len(cols))
	seps := make([]string, len(cols))
	for i, c := range cols {
		esc[i] = EscapeCell(c)
		if esc[i] == "" {
			esc[i] = " "
		}
		seps[i] = "---"
	}
	b.line("| " + strings.Join(esc, " | ") + " |")
	b.line("| " + strings.Join(seps, " | ") + " |")
}

// tableRow writes a row of user text cells.
func (b *mdBuilder) tableRow(cells ...string) {
	esc := make([]string, len(cells))
	for i, c := range cells {
		esc[i] = EscapeCell(c)
	}
	b.line("| " + strings.Join(esc, " | ") + " |")
}

func (b *mdBuilder) closing(exported time.Time) {
	if exported.IsZero() {
		return
	}
	b.line("---")
	b.blank()
	b.line("*Exported from Persona Pal on " + exported.UTC().Format("2 January 2006") + ".*")
}

// imageText stands for an image field's picture in Markdown, which carries
// no pictures.
const imageText = "(picture)"
