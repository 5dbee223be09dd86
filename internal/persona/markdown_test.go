package persona_test

import (
	"bytes"
	"html"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	gmhtml "github.com/yuin/goldmark/renderer/html"

	"github.com/personapal/personapal/internal/persona"
)

// gfm renders Markdown as GitHub would (GFM: tables, strike-through,
// autolinks, task lists) and lets raw HTML through as GitHub's renderer
// does before sanitising, so that tests check the structure a reader sees.
func gfm(t testing.TB, md string) string {
	t.Helper()
	var buf bytes.Buffer
	if err := goldmark.New(goldmark.WithExtensions(extension.GFM), goldmark.WithRendererOptions(gmhtml.WithUnsafe())).Convert([]byte(md), &buf); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

var tags = regexp.MustCompile(`<[^>]*>`)

// textOf is the text of rendered HTML, tags dropped and entities decoded.
func textOf(h string) string { return html.UnescapeString(tags.ReplaceAllString(h, "")) }

func count(h, tag string) int { return strings.Count(h, "<"+tag+">") + strings.Count(h, "<"+tag+" ") }

// hostile are strings that would open Markdown structure if not escaped.
var hostile = []string{
	"# Heading", "## two", "Title #", "- item", "+ item", "* item", "1. first", "2) second", "> quote",
	"---", "===", "***", "___", "```go", "~~~", "    code", "\tcode", "<b>bold</b>", "<script>alert(1)</script>",
	"a | b | c", "|leading", "trailing|", "*em* _em_ **strong** __strong__", "~~strike~~", "`code`",
	"[link](http://evil.example)", "![img](http://evil.example/x.png)", "<http://evil.example>",
	"&amp; &lt; &#35;", `back\slash\`, `\|`, `\*`, "[ ] task", "[x] done", "[^1]", "Name\\", "100. gone", "a  ",
	"<!-- comment -->", "<div>", "www.example.com/path_with_underscores", "emoji ✅ and ümlauts",
}

func TestEscapeMarkdownReadsAsItsText(t *testing.T) {
	for _, s := range hostile {
		h := gfm(t, persona.EscapeMarkdown(s))
		want := strings.Join(strings.Fields(s), " ")
		if !strings.HasPrefix(h, "<p>") || strings.Count(h, "<p>") != 1 {
			t.Errorf("%q: not one paragraph: %s", s, h)
			continue
		}
		for _, tag := range []string{"em", "strong", "code", "del", "img", "h1", "h2", "li", "blockquote", "hr", "table", "pre", "b", "script", "div", "input"} {
			if count(h, tag) > 0 {
				t.Errorf("%q: opened <%s>: %s", s, tag, h)
			}
		}
		// GFM links bare URLs (the text stays as written); a link whose
		// text is not its address would show in textOf below.
		if got := strings.TrimSpace(textOf(h)); got != want {
			t.Errorf("%q: reads %q", s, got)
		}
	}
}

func TestEscapeCellKeepsTheRow(t *testing.T) {
	for _, s := range append(hostile, "two\nlines | here", "a\r\nb") {
		md := "| A | B |\n| --- | --- |\n| " + persona.EscapeCell(s) + " | end |\n"
		h := gfm(t, md)
		if count(h, "td") != 2 {
			t.Errorf("%q: row has %d cells: %s", s, count(h, "td"), h)
			continue
		}
		cell := between(h, "<td>", "</td>")
		want := strings.ReplaceAll(strings.ReplaceAll(strings.TrimSpace(s), "\r\n", "\n"), "\n", "")
		lines := strings.Split(strings.ReplaceAll(strings.TrimSpace(s), "\r\n", "\n"), "\n")
		for i := range lines {
			lines[i] = strings.TrimSpace(lines[i])
		}
		want = strings.Join(lines, "")
		if got := textOf(strings.ReplaceAll(cell, "<br>", "")); got != want {
			t.Errorf("%q: cell reads %q, want %q", s, got, want)
		}
	}
}

// maxEscapeFuzzInput caps FuzzEscapeMarkdown's input. EscapeMarkdown is
// linear (see BenchmarkEscapeMarkdown), but each new input the fuzzer finds
// interesting is minimised by trying to cut every substring out of it, a
// quadratic number of runs of the fuzz function with a goldmark parse
// each; at a few kilobytes (where buffer growth in goldmark and the
// standard library yields fresh coverage) one minimisation ran for the
// whole -fuzzminimizetime (60 s) and fuzzing stood still. Escaping is
// line-local, so short inputs find what long ones would.
const maxEscapeFuzzInput = 256

func FuzzEscapeMarkdown(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > maxEscapeFuzzInput {
			return
		}
		if !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) && !unicode.IsSpace(r) }) {
			return // validation keeps control characters out of user text
		}
		want := strings.Join(strings.Fields(s), " ")
		if want == "" {
			return
		}
		h := gfm(t, persona.EscapeMarkdown(s))
		if strings.Count(h, "<p>") != 1 || strings.ContainsAny(tags.ReplaceAllStringFunc(h, func(tag string) string {
			if tag == "<p>" || tag == "</p>" || strings.HasPrefix(tag, "<a href=") || tag == "</a>" { // GFM autolinks www. text
				return ""
			}
			return "\x00"
		}), "\x00") {
			t.Fatalf("%q: structure: %s", s, h)
		}
		if got := strings.TrimSpace(textOf(h)); got != want {
			t.Fatalf("%q: reads %q", s, got)
		}
	})
}

// BenchmarkEscapeMarkdown escapes hostile text of growing size: time per
// byte stays flat, so escaping is linear.
func BenchmarkEscapeMarkdown(b *testing.B) {
	unit := strings.Join(hostile, " ")
	for _, n := range []int{1, 10, 100} {
		s := strings.Repeat(unit, n)
		b.Run(strconv.Itoa(len(s)), func(b *testing.B) {
			b.SetBytes(int64(len(s)))
			for b.Loop() {
				persona.EscapeMarkdown(s)
			}
		})
	}
}

func between(s, start, end string) string {
	i := strings.Index(s, start)
	if i < 0 {
		return ""
	}
	j := strings.Index(s[i+len(start):], end)
	if j < 0 {
		return s[i+len(start):]
	}
	return s[i+len(start) : i+len(start)+j]
}

func fptr(f float64) *float64 { return &f }

func exportDefinition() persona.Definition {
	return persona.Definition{
		Sections: []persona.Section{
			{Key: "about", Label: "About", Labels: map[persona.ProfileType]string{persona.ProfileAgent: "Purpose"}, Fields: []persona.Field{
				{Key: "role", Label: "Role | title", Kind: persona.KindText},
				{Key: "bio", Label: "Bio", Kind: persona.KindMarkdown},
				{Key: "site", Label: "Website", Kind: persona.KindURL},
			}},
			{Key: "goals", Label: "Goals", Fields: []persona.Field{
				{Key: "goals", Label: "Goals", Kind: persona.KindList},
			}},
			{Key: "traits", Label: "Traits", Fields: []persona.Field{
				{Key: "tags", Label: "Tags", Kind: persona.KindTags},
				{Key: "frustration", Label: "Frustration", Kind: persona.KindScale, Min: fptr(1), Max: fptr(5), LowLabel: "Calm", HighLabel: "Furious"},
				{Key: "empty", Label: "Left empty", Kind: persona.KindText},
			}},
		},
		Dimensions: []persona.Dimension{
			{Key: "tech", Label: "Tech | comfort", Kind: persona.DimensionScale, Min: 1, Max: 5, LowLabel: "Low", HighLabel: "High"},
			{Key: "freq", Label: "Frequency", Kind: persona.DimensionChoice, Options: []string{"daily", "weekly"}},
		},
	}
}

func exportPersona(name string, t persona.ProfileType, v persona.Values) persona.Persona {
	return persona.Persona{ID: "p-" + name, ProfileType: t, Revision: 3,
		UpdatedAt: time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC),
		Content: persona.Content{Name: name, Summary: "Line one | pipe\n# not a heading", Status: persona.StatusPublished,
			TemplateVersion: 2, Values: v, Dimensions: persona.Values{"tech": 4.0, "freq": "daily"}}}
}

func TestPersonaMarkdown(t *testing.T) {
	p := exportPersona("# Ada | Analyst", persona.ProfileAgent, persona.Values{
		"role":  "Lead | boss\n- not a list",
		"bio":   "Intro with **bold**.\n\n# Big heading\n\nSetext\n===\n\n<div>raw</div>\n\n```\nunclosed # fence",
		"site":  "https://example.com/a_b?x=1|2",
		"goals": []string{"Ship | fast", "1. first"},
		"tags":  []string{"a*b", "c"}, "frustration": 4.0,
	})
	md := persona.PersonaMarkdown(persona.MarkdownPersona{Persona: p, Definition: exportDefinition(), TemplateName: "Agent tpl",
		GroupName: "Ops | team", OwnerName: "Dana", URL: "https://pal.example/o/x/personas/p-1",
		Variants: []persona.MarkdownVariant{{Customer: "Big | Bank", Note: "More audits", Overrides: 2}},
		Exported: time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)})
	h := gfm(t, md)

	if count(h, "h1") != 1 || textOf(between(h, "<h1>", "</h1>")) != "# Ada | Analyst" {
		t.Errorf("title: %s", between(h, "<h1>", "</h1>"))
	}
	// Sections in template order, labelled for the agent profile type; a
	// one-field section with its field's label has no repeated heading.
	var h2 []string
	for _, m := range regexp.MustCompile(`<h2>(.*?)</h2>`).FindAllStringSubmatch(h, -1) {
		h2 = append(h2, textOf(m[1]))
	}
	if got, want := strings.Join(h2, ","), "Purpose,Goals,Traits,Dimensions,Customer variants"; got != want {
		t.Errorf("sections %s, want %s", got, want)
	}
	var h3 []string
	for _, m := range regexp.MustCompile(`<h3>(.*?)</h3>`).FindAllStringSubmatch(h, -1) {
		h3 = append(h3, textOf(m[1]))
	}
	if got, want := strings.Join(h3, ","), "Role | title,Bio,Website,Tags,Frustration,Left empty"; got != want {
		t.Errorf("fields %s, want %s", got, want)
	}
	// The Markdown field keeps its formatting, one level below its field.
	if !strings.Contains(h, "<strong>bold</strong>") || !strings.Contains(h, "<h4>Big heading</h4>") || !strings.Contains(h, "<h4>Setext</h4>") {
		t.Errorf("markdown field not nested:\n%s", h)
	}
	if strings.Contains(h, "<div>raw") {
		t.Error("raw HTML block passed through")
	}
	// The unclosed fence is closed before the dimensions.
	if !strings.Contains(h, "unclosed # fence\n</code></pre>") || count(h, "table") != 1 {
		t.Errorf("fence not closed or dimensions swallowed:\n%s", h)
	}
	for _, want := range []string{
		"<blockquote>\n<p>Line one | pipe<br>\n# not a heading</p>",
		"<p>Lead | boss<br>\n- not a list</p>",
		"<li>Ship | fast</li>\n<li>1. first</li>",
		"<p>a*b, c</p>",
		"<p>4 of 1–5 (Calm → Furious)</p>",
		"<em>Not filled in.</em>",
		`<a href="https://example.com/a_b?x=1%7C2">`,
		"<li><strong>Group:</strong> Ops | team</li>",
		"<li><strong>Template:</strong> Agent tpl (version 2)</li>",
		"<li><strong>Profile type:</strong> AI agent</li>",
		`<a href="https://pal.example/o/x/personas/p-1">Open in Persona Pal</a>`,
		"<td>Tech | comfort</td>\n<td>4 of 1–5</td>\n<td>Low → High</td>",
		"<td>Frequency</td>\n<td>daily</td>\n<td>daily, weekly</td>",
		"<li><strong>Big | Bank</strong> — 2 overrides: More audits</li>",
		"Exported from Persona Pal on 29 November 2026.",
	} {
		if !strings.Contains(h, want) {
			t.Errorf("want %q in:\n%s", want, h)
		}
	}
	if count(h, "ol") != 0 {
		t.Error("a value opened an ordered list")
	}
	if persona.PersonaMarkdown(persona.MarkdownPersona{Persona: p, Definition: exportDefinition()}) == md {
		t.Error("optional parts made no difference")
	}
}

func TestGroupMarkdown(t *testing.T) {
	g := persona.Group{Name: "Ops | people", Description: "Everyone in ops.\n- really"}
	items := []persona.MarkdownGroupItem{
		{Persona: exportPersona("Ada | A", persona.ProfileUX, nil), URL: "https://pal.example/p/1"},
		{Persona: exportPersona("Bo", persona.ProfileMarketing, nil)},
	}
	h := gfm(t, persona.GroupMarkdown(g, items, time.Time{}))
	if textOf(between(h, "<h1>", "</h1>")) != "Ops | people" || !strings.Contains(h, "<p>Everyone in ops.<br>\n- really</p>") {
		t.Errorf("heading or description:\n%s", h)
	}
	if !strings.Contains(h, "<p>2 personas.</p>") || count(h, "tr") != 3 || count(h, "td") != 8 {
		t.Fatalf("table:\n%s", h)
	}
	for _, want := range []string{
		`<td><a href="https://pal.example/p/1">Ada | A</a></td>`,
		"<td>UX persona</td>", "<td>Marketing/sales persona</td>", "<td>Published</td>",
		"<td>Line one | pipe<br># not a heading</td>", "<td>Bo</td>",
	} {
		if !strings.Contains(h, want) {
			t.Errorf("want %q in:\n%s", want, h)
		}
	}
	if strings.Contains(h, "Exported from") {
		t.Error("a zero export time still printed")
	}
	if h := gfm(t, persona.GroupMarkdown(persona.Group{Name: "Empty"}, nil, time.Time{})); count(h, "table") != 0 || !strings.Contains(h, "0 personas.") {
		t.Errorf("empty group:\n%s", h)
	}
}

func TestComparisonMarkdown(t *testing.T) {
	def := exportDefinition()
	a := exportPersona("Ada | A", persona.ProfileUX, persona.Values{"role": "Lead", "goals": []string{"x", "y"}, "tags": []string{"b", "a"}})
	b := exportPersona("Bo", persona.ProfileMarketing, persona.Values{"role": "Lead | other", "goals": []string{"x", "y"}, "tags": []string{"a", "b"}})
	b.Dimensions = persona.Values{"tech": 2.0}
	md, err := persona.ComparisonMarkdown([]persona.MarkdownCompared{
		{CompareInput: persona.CompareInput{Persona: a, Definition: def}, TemplateName: "T1", URL: "https://pal.example/p/a"},
		{CompareInput: persona.CompareInput{Persona: b, Definition: persona.Definition{Sections: def.Sections[:2], Dimensions: def.Dimensions}}, TemplateName: "T2"},
	}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	h := gfm(t, md)
	if textOf(between(h, "<h1>", "</h1>")) != "Comparison: Ada | A and Bo" {
		t.Errorf("title: %s", between(h, "<h1>", "</h1>"))
	}
	// One table per section plus the dimensions, each row one cell per
	// persona after the label.
	if count(h, "table") != 4 {
		t.Fatalf("want 4 tables:\n%s", h)
	}
	for _, want := range []string{
		"<th>Field</th>\n<th>Ada | A</th>\n<th>Bo</th>",
		"<td>Role | title ≠</td>\n<td>Lead</td>\n<td>Lead | other</td>",
		"<td>Goals</td>\n<td>x<br>y</td>\n<td>x<br>y</td>",
		"<td>Tags</td>\n<td>b, a</td>\n<td>—</td>",
		"<td>Bio</td>\n<td><em>not set</em></td>\n<td><em>not set</em></td>",
		"<td>Tech | comfort ≠</td>\n<td>4 of 1–5</td>\n<td>2 of 1–5</td>",
		"<td>Frequency</td>\n<td>daily</td>\n<td><em>not set</em></td>",
		`<strong><a href="https://pal.example/p/a">Ada | A</a></strong> — UX persona, T1 (version 2)`,
	} {
		if !strings.Contains(h, want) {
			t.Errorf("want %q in:\n%s", want, h)
		}
	}
	for _, tr := range regexp.MustCompile(`(?s)<tr>.*?</tr>`).FindAllString(h, -1) {
		if n := count(tr, "td") + count(tr, "th"); n != 3 {
			t.Errorf("row with %d cells: %s", n, tr)
		}
	}
	if _, err := persona.ComparisonMarkdown([]persona.MarkdownCompared{{CompareInput: persona.CompareInput{Persona: a, Definition: def}}}, time.Time{}); persona.ErrorCode(err) != persona.CodeInvalid {
		t.Errorf("one persona: want invalid, got %v", err)
	}
}

// Evidence is cited as footnotes: a reference under each cited field (and
// in the facts for the persona as a whole), the notes at the end, each
// with its kind, stance, place and excerpt, escaped like any user text.
func TestPersonaMarkdownFootnotes(t *testing.T) {
	p := exportPersona("Ada", persona.ProfileUX, persona.Values{"goals": []string{"Ship"}, "role": "Lead"})
	md := persona.PersonaMarkdown(persona.MarkdownPersona{Persona: p, Definition: exportDefinition(), Citations: []persona.MarkdownCitation{
		{Field: "goals", Title: "Interview #4 | Ops", Kind: persona.EvidenceQuote, Stance: persona.StanceSupports, Excerpt: "We *must* ship", Page: "14:05"},
		{Field: "", Title: "Survey 2026", Kind: persona.EvidenceStudy, Stance: persona.StanceSupports},
		{Field: "goals", Title: "Churn study", Kind: persona.EvidenceDocument, Stance: persona.StanceContradicts, Page: "p. 12"},
		{Field: "retired_field", Title: "Old note", Kind: persona.EvidenceWebLink, Stance: persona.StanceSupports},
	}})
	var buf bytes.Buffer
	if err := goldmark.New(goldmark.WithExtensions(extension.GFM, extension.Footnote)).Convert([]byte(md), &buf); err != nil {
		t.Fatal(err)
	}
	h := buf.String()
	goals := between(h, "<h2>Goals</h2>", "<h2>")
	if got := strings.Count(goals, `class="footnote-ref"`); got != 2 {
		t.Errorf("the goals cite %d footnotes, want 2:\n%s", got, goals)
	}
	facts := between(h, "<ul>", "</ul>")
	if got := strings.Count(facts, `class="footnote-ref"`); got != 2 { // the survey and the retired field's note
		t.Errorf("the facts cite %d footnotes, want 2:\n%s", got, facts)
	}
	notes := between(h, `<div class="footnotes"`, "</div>")
	for _, want := range []string{"<strong>Interview #4 | Ops</strong> (Quote, supports, 14:05) — “We *must* ship”",
		"<strong>Churn study</strong> (Document, contradicts, p. 12)", "<strong>Survey 2026</strong> (Study, supports)"} {
		if !strings.Contains(textOrTags(notes), want) {
			t.Errorf("footnotes lack %q:\n%s", want, notes)
		}
	}
	if strings.Count(notes, "<li id=") != 4 {
		t.Errorf("want 4 footnotes:\n%s", notes)
	}
	if strings.Contains(persona.PersonaMarkdown(persona.MarkdownPersona{Persona: p, Definition: exportDefinition()}), "[^") {
		t.Error("footnotes without evidence")
	}
}

// textOrTags decodes entities but keeps the tags.
func textOrTags(h string) string { return html.UnescapeString(h) }
