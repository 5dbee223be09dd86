package app_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/store/storetest"
)

// TestExportImportExportIsIdentical is a property test: a random valid
// organisation — every kind of object the export holds, filled with any
// text the validators accept (every Unicode plane, combining marks,
// right-to-left text, emoji, format characters, noncharacters; tabs and
// line breaks where multi-line text allows them) — is built through the
// application layer, exported, imported into a new database and exported
// again: the two documents are byte-identical apart from the export's
// timestamp, through JSON and through YAML. The export also matches its
// published JSON Schema. Seeds are fixed (set PERSONAPAL_PROPERTY_SEEDS=a,b
// to run others); a failure names its seed.
func TestExportImportExportIsIdentical(t *testing.T) {
	seeds := []uint64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	if s := os.Getenv("PERSONAPAL_PROPERTY_SEEDS"); s != "" {
		seeds = nil
		for _, f := range strings.Split(s, ",") {
			n, err := strconv.ParseUint(strings.TrimSpace(f), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			seeds = append(seeds, n)
		}
	}
	schema := exportSchema(t)
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			n := len(seeds)
			if eng.Name == "postgres" {
				n = min(n, 4) // each seed creates schemas; fewer are enough
			}
			for _, seed := range seeds[:n] {
				t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) { roundTrip(t, eng, seed, schema) })
			}
		})
	}
}

func exportSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open("../api/schemas/org-export.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("org-export.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("org-export.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func quietService(db app.Store) *app.Service {
	return app.New(db, app.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))), app.WithPasswordHasher(cheap))
}

func roundTrip(t *testing.T, eng storetest.Engine, seed uint64, schema *jsonschema.Schema) {
	ctx := t.Context()
	g := &textGen{r: rand.New(rand.NewPCG(seed, seed*0x9e3779b97f4a7c15+1))}
	svc := quietService(eng.Open(t))
	const email = "owner@example.com"
	owner := mustUser(t, svc, email, g.line(40))
	b := &orgBuilder{t: t, ctx: ctx, svc: svc, actor: owner, slug: "prop", g: g}
	b.try("create organisation", func() (err error) {
		_, err = svc.CreateOrg(ctx, owner, g.line(80), "prop")
		return err
	})
	b.build()

	first := mustExport(t, svc, owner, "prop")
	firstJSON := encode(t, first, "json")
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(firstJSON))
	if err != nil {
		t.Fatal(err)
	}
	if err := schema.Validate(inst); err != nil {
		t.Fatalf("seed %d: the export does not match org-export.json: %v", seed, err)
	}

	// Into a new database, through JSON; then through YAML beside it.
	svc2 := quietService(eng.Open(t))
	owner2 := mustUser(t, svc2, email, "Importer")
	for _, format := range []string{"json", "yaml"} {
		slug := "prop-" + format
		doc, err := persona.DecodeExport(bytes.NewReader(encode(t, first, format)), format)
		if err != nil {
			t.Fatalf("seed %d: decode the %s export: %v", seed, format, err)
		}
		if _, err := svc2.ImportOrg(ctx, owner2, slug, "", doc, false); err != nil {
			t.Fatalf("seed %d: the organisation's own %s export is refused: %v", seed, format, err)
		}
		again := mustExport(t, svc2, owner2, slug)
		again.ExportedAt, again.Org.Slug = first.ExportedAt, first.Org.Slug
		if got := encode(t, again, "json"); !bytes.Equal(got, firstJSON) {
			t.Fatalf("seed %d: export → import (%s) → export differs:\n%s", seed, format, firstDifference(firstJSON, got))
		}
	}
}

func mustUser(t *testing.T, svc *app.Service, email, name string) app.Actor {
	t.Helper()
	u, err := svc.CreateUser(t.Context(), email, name, "a long enough password 1")
	if err != nil {
		t.Fatalf("create user %q: %v", name, err)
	}
	a, err := svc.ActorFor(t.Context(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func mustExport(t *testing.T, svc *app.Service, actor app.Actor, slug string) persona.OrgExport {
	t.Helper()
	e, err := svc.ExportOrg(t.Context(), actor, slug)
	if err != nil {
		t.Fatalf("export %s: %v", slug, err)
	}
	return e
}

func encode(t *testing.T, e persona.OrgExport, format string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := persona.EncodeExport(&buf, e, format); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// firstDifference shows the first line where a and b differ.
func firstDifference(a, b []byte) string {
	la, lb := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := 0; i < max(len(la), len(lb)); i++ {
		x, y := "", ""
		if i < len(la) {
			x = la[i]
		}
		if i < len(lb) {
			y = lb[i]
		}
		if x != y {
			from := max(0, i-3)
			return fmt.Sprintf("line %d\n  context: %q\n  first:   %q\n  second:  %q", i+1, la[from:i], x, y)
		}
	}
	return "(same lines)"
}

// ---- random text the validators accept ----

// textGen makes random text. While hostile is set it also mixes in what
// validation must refuse (C0 and C1 controls, DEL, NUL, the line and
// paragraph separators in single-line text): the builder then expects the
// application to refuse the input, or — when it accepts it — the export
// to import anyway.
type textGen struct {
	r       *rand.Rand
	hostile bool
	// refs are the personas created so far: persona reference values
	// name some of them (of the types the field allows).
	refs []refTarget
}

type refTarget struct {
	id string
	t  persona.ProfileType
}

// hostileRunes are characters validation refuses in single-line text
// (tab, line breaks and the separators are fine in multi-line text).
var hostileRunes = []rune{0, 0x01, 0x07, '\b', '\t', '\n', '\v', '\f', '\r', 0x1b, 0x1f, 0x7f, 0x80, 0x85, 0x9b, 0x9f, '\u2028', '\u2029'}

// runeRanges are the kinds of characters the text is made of; a range is
// picked, then a character in it.
var runeRanges = [][2]rune{
	{'a', 'z'}, {'A', 'Z'}, {'0', '9'}, {0x20, 0x7e}, // ASCII, punctuation included
	{0xa0, 0xff}, {0x100, 0x17f}, {0x1e00, 0x1eff}, // Latin-1, Latin Extended-A, Vietnamese
	{0x370, 0x3ff}, {0x400, 0x4ff}, {0x5d0, 0x5ea}, {0x600, 0x6ff}, // Greek, Cyrillic, Hebrew, Arabic
	{0x900, 0x97f}, {0xe00, 0xe7f}, {0x3040, 0x30ff}, {0x4e00, 0x9fff}, {0xac00, 0xd7a3}, // Devanagari, Thai, kana, CJK, Hangul
	{0x1f300, 0x1faff}, {0x1f1e6, 0x1f1ff}, // emoji, regional indicators
	{0x200b, 0x200f}, {0x202a, 0x202e}, {0x2066, 0x2069}, {0xfeff, 0xfeff}, // zero-width, bidi marks and overrides, BOM
	{0xfdd0, 0xfdef}, {0xfffe, 0xffff}, {0xe000, 0xf8ff}, // noncharacters, private use
	{0x20000, 0x2a6df}, {0xe0000, 0xe007f}, {0xf0000, 0x10ffff}, // CJK Extension B, tags, planes 15 and 16
	{0xa0, 0x10ffff}, // anything at all
}

func (g *textGen) rune() rune {
	if g.hostile && g.r.IntN(8) == 0 {
		return hostileRunes[g.r.IntN(len(hostileRunes))]
	}
	for {
		rg := runeRanges[g.r.IntN(len(runeRanges))]
		r := rg[0] + rune(g.r.IntN(int(rg[1]-rg[0]+1)))
		switch {
		case r >= 0xd800 && r <= 0xdfff, r >= 0x80 && r <= 0x9f, r == '\u2028', r == '\u2029', !utf8.ValidRune(r):
			continue // surrogates cannot be encoded; C1 and separators are refused
		}
		return r
	}
}

// line is single-line text of 1 to n characters with at least one letter,
// sometimes with combining marks and surrounding spaces (trimmed away).
func (g *textGen) line(n int) string {
	var b strings.Builder
	if g.r.IntN(4) == 0 {
		b.WriteString(" ")
	}
	b.WriteRune(rune('A' + g.r.IntN(26)))
	count := 1
	for count < n-1 && g.r.IntN(n) > 1 {
		r := g.rune()
		b.WriteRune(r)
		count++
		if count < n-1 && g.r.IntN(6) == 0 {
			b.WriteRune(rune(0x300 + g.r.IntN(0x70))) // a combining mark
			count++
		}
	}
	if g.r.IntN(4) == 0 {
		b.WriteString("\u00a0 ")
	}
	return b.String()
}

// text is multi-line text: lines joined with line breaks (LF, CRLF, a lone
// CR, U+2028, U+2029) and tabs.
func (g *textGen) text(n int) string {
	var parts []string
	total := 0
	for total < n/2 {
		l := g.line(min(60, n-total))
		if g.r.IntN(3) == 0 {
			l = "\t" + l
		}
		parts = append(parts, l)
		total += utf8.RuneCountInString(l) + 2
	}
	breaks := []string{"\n", "\r\n", "\r", "\n\n", "\u2028", "\u2029", "\n\t"}
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			b.WriteString(breaks[g.r.IntN(len(breaks))])
		}
		b.WriteString(p)
	}
	return b.String()
}

func (g *textGen) maybe(s string) string {
	if g.r.IntN(3) == 0 {
		return ""
	}
	return s
}

// options are 1 to n distinct choice options (trimmed, as the builder
// requires).
func (g *textGen) options(n int) []string {
	var out []string
	for len(out) < 1+g.r.IntN(n) {
		o := strings.TrimSpace(g.line(30))
		if o != "" && !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return out
}

func (g *textGen) date() string {
	return time.Date(1990+g.r.IntN(40), time.Month(1+g.r.IntN(12)), 1+g.r.IntN(28), 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
}

func (g *textGen) url() string {
	var b strings.Builder
	for range 1 + g.r.IntN(12) {
		if r := g.rune(); unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return "https://example.com/" + b.String() + "?q=" + strconv.Itoa(g.r.IntN(1000))
}

func (g *textGen) definition(fieldCount int) persona.Definition {
	var def persona.Definition
	n := 0
	for s := range 1 + g.r.IntN(3) {
		sec := persona.Section{Key: fmt.Sprintf("s%d", s), Label: g.line(60), Help: g.maybe(g.text(200))}
		if g.r.IntN(2) == 0 {
			sec.Labels = map[persona.ProfileType]string{persona.ProfileMarketing: g.line(40)}
		}
		for range 1 + g.r.IntN(fieldCount) {
			n++
			f := persona.Field{Key: fmt.Sprintf("f%d", n), Label: g.line(60), Help: g.maybe(g.text(200)),
				Kind: persona.FieldKinds[g.r.IntN(len(persona.FieldKinds))], Required: g.r.IntN(5) == 0, Sensitive: g.r.IntN(4) == 0}
			switch f.Kind {
			case persona.KindChoice, persona.KindMultiChoice:
				f.Options = g.options(6)
			case persona.KindScale:
				lo := float64(g.r.IntN(3))
				hi := lo + float64(2+g.r.IntN(8))
				f.Min, f.Max, f.LowLabel, f.HighLabel = &lo, &hi, g.maybe(g.line(30)), g.maybe(g.line(30))
			case persona.KindNumber:
				if g.r.IntN(2) == 0 {
					lo, hi := -1000.0, 1e6
					f.Min, f.Max = &lo, &hi
				}
			case persona.KindText, persona.KindList, persona.KindTags:
				if g.r.IntN(3) == 0 {
					f.MaxLength = 40 + g.r.IntN(100)
				}
			case persona.KindPersona:
				f.Multiple, f.Required = g.r.IntN(2) == 0, false // nothing to name before the first persona
			}
			sec.Fields = append(sec.Fields, f)
		}
		def.Sections = append(def.Sections, sec)
	}
	for d := range g.r.IntN(3) {
		dim := persona.Dimension{Key: fmt.Sprintf("d%d", d), Label: g.line(40), Help: g.maybe(g.text(100))}
		if g.r.IntN(2) == 0 {
			dim.Kind, dim.Min, dim.Max, dim.LowLabel, dim.HighLabel = persona.DimensionScale, 1, 5, g.line(20), g.line(20)
		} else {
			dim.Kind, dim.Options = persona.DimensionChoice, g.options(4)
		}
		def.Dimensions = append(def.Dimensions, dim)
	}
	return def
}

// value is a valid random value for f.
func (g *textGen) value(f persona.Field) any {
	limit := func(n int) int {
		if f.MaxLength > 0 {
			return min(n, f.MaxLength)
		}
		return n
	}
	switch f.Kind {
	case persona.KindText:
		return g.line(limit(120))
	case persona.KindMarkdown:
		return g.text(limit(400))
	case persona.KindList, persona.KindTags:
		var items []string
		for range 1 + g.r.IntN(4) {
			items = append(items, g.line(limit(50)))
		}
		return items
	case persona.KindChoice:
		return f.Options[g.r.IntN(len(f.Options))]
	case persona.KindMultiChoice:
		return f.Options[:1+g.r.IntN(len(f.Options))]
	case persona.KindNumber:
		lo, hi := -1000.0, 1e6
		if f.Min != nil {
			lo = *f.Min
		}
		if f.Max != nil {
			hi = *f.Max
		}
		if g.r.IntN(2) == 0 {
			return float64(int(lo + g.r.Float64()*(hi-lo)))
		}
		return lo + g.r.Float64()*(hi-lo)
	case persona.KindScale:
		return *f.Min + float64(g.r.IntN(int(*f.Max-*f.Min)+1))
	case persona.KindURL:
		return g.url()
	case persona.KindDate:
		return g.date()
	case persona.KindImage:
		return persona.ImageID([]byte(g.line(20)))
	case persona.KindPersona:
		var ids []string
		for _, r := range g.refs {
			if f.AllowsType(r.t) {
				ids = append(ids, r.id)
			}
		}
		if len(ids) == 0 {
			return nil
		}
		if !f.Multiple {
			return ids[g.r.IntN(len(ids))]
		}
		return slices.Clone(ids[:1+g.r.IntN(len(ids))])
	}
	return nil
}

// values fills the required fields and some others of def, and some
// dimensions.
func (g *textGen) values(def persona.Definition) (persona.Values, persona.Values) {
	vals, dims := persona.Values{}, persona.Values{}
	for _, s := range def.Sections {
		for _, f := range s.Fields {
			if f.Required || g.r.IntN(3) > 0 {
				if v := g.value(f); v != nil {
					vals[f.Key] = v
				}
			}
		}
	}
	for _, d := range def.Dimensions {
		if g.r.IntN(2) == 0 {
			continue
		}
		if d.Kind == persona.DimensionScale {
			dims[d.Key] = float64(d.Min + g.r.IntN(d.Max-d.Min+1))
		} else {
			dims[d.Key] = d.Options[g.r.IntN(len(d.Options))]
		}
	}
	return vals, dims
}

// ---- a random organisation, built through the application layer ----

type orgBuilder struct {
	t     *testing.T
	ctx   context.Context
	svc   *app.Service
	actor app.Actor
	slug  string
	g     *textGen
}

func (b *orgBuilder) must(what string, err error) {
	b.t.Helper()
	if err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// try runs op with hostile text now and then. Refused input is fine (op
// runs again with clean text); accepted input must survive the round trip.
func (b *orgBuilder) try(what string, op func() error) {
	b.t.Helper()
	b.g.hostile = b.g.r.IntN(3) == 0
	err := op()
	if err != nil && b.g.hostile && persona.ErrorCode(err) == persona.CodeInvalid {
		b.g.hostile = false
		err = op()
	}
	b.g.hostile = false
	b.must(what, err)
}

func (b *orgBuilder) build() {
	g, svc, ctx, a, slug := b.g, b.svc, b.ctx, b.actor, b.slug
	var groups []persona.Group
	for range 1 + g.r.IntN(3) {
		var gr persona.Group
		b.try("create group", func() (err error) {
			gr, err = svc.CreateGroup(ctx, a, slug, app.GroupInput{Name: g.line(80), Description: g.maybe(g.text(500))})
			return err
		})
		groups = append(groups, gr)
	}
	group := func() string { return groups[g.r.IntN(len(groups))].ID }

	// A template of random fields, published twice, with an unpublished
	// draft on top; and the starter templates of every type.
	var def persona.Definition
	var tmpl persona.Template
	b.try("create template", func() (err error) {
		def = g.definition(5)
		tmpl, err = svc.CreateTemplate(ctx, a, slug, app.TemplateInput{Name: g.line(80), ProfileType: persona.ProfileUX,
			Description: g.maybe(g.text(400)), Definition: &def})
		return err
	})
	_, err := svc.Publish(ctx, a, slug, tmpl.ID)
	b.must("publish", err)
	def2 := def
	b.try("save draft", func() (err error) {
		def2 = def
		def2.Sections = append(slices.Clone(def.Sections), persona.Section{Key: "extra", Label: g.line(40),
			Fields: []persona.Field{{Key: "extra_notes", Label: g.line(40), Kind: persona.KindMarkdown}}})
		_, err = svc.SaveDraft(ctx, a, slug, tmpl.ID, def2)
		return err
	})
	_, err = svc.Publish(ctx, a, slug, tmpl.ID)
	b.must("publish 2", err)
	b.try("save draft 3", func() (err error) {
		_, err = svc.SaveDraft(ctx, a, slug, tmpl.ID, g.definition(3))
		return err
	})
	ts, err := svc.ListTemplates(ctx, a, slug)
	b.must("list templates", err)
	starter := map[persona.ProfileType]persona.Template{}
	for _, t := range ts {
		if t.ID != tmpl.ID {
			starter[t.ProfileType] = t
		}
	}

	create := func(t persona.Template, version int, d persona.Definition) (p persona.Persona) {
		b.try("create persona", func() (err error) {
			vals, dims := g.values(d)
			in := app.PersonaInput{Name: g.line(80), Summary: g.maybe(g.text(600)), GroupID: group(), TemplateID: t.ID, TemplateVersion: version,
				Values: vals, Dimensions: dims, Message: g.maybe(g.line(60))}
			if g.r.IntN(2) == 0 {
				in.Status = persona.StatusPublished
				in.LastReviewedOn, in.ReviewIntervalDays = g.date(), 30+g.r.IntN(300)
			}
			p, err = svc.CreatePersona(ctx, a, slug, in)
			if err == nil {
				g.refs = append(g.refs, refTarget{p.ID, p.ProfileType})
			}
			return err
		})
		return p
	}
	version := func(t persona.Template) persona.Definition {
		v, err := svc.GetVersion(ctx, a, slug, t.ID, t.LatestVersion)
		b.must("get version", err)
		return v.Definition
	}
	var personas []persona.Persona
	for range 2 + g.r.IntN(4) {
		v := 1 + g.r.IntN(2)
		d := def
		if v == 2 {
			d = def2
		}
		personas = append(personas, create(tmpl, v, d))
	}
	archDef, uxDef, mktDef := version(starter[persona.ProfileArchetype]), version(starter[persona.ProfileUX]), version(starter[persona.ProfileMarketing])
	arch := create(starter[persona.ProfileArchetype], 0, archDef)
	ux := create(starter[persona.ProfileUX], 0, uxDef)
	buyer := create(starter[persona.ProfileMarketing], 0, mktDef)
	// An update makes a second revision (and a trashed persona stays out).
	p0 := personas[0]
	b.try("update persona", func() (err error) {
		vals, dims := g.values(def)
		if p0.TemplateVersion == 2 {
			vals, dims = g.values(def2)
		}
		_, err = svc.UpdatePersona(ctx, a, slug, p0.ID, p0.Revision, app.PersonaInput{Name: g.line(80), Summary: g.text(300),
			GroupID: p0.GroupID, Values: vals, Dimensions: dims, Status: persona.StatusArchived, Message: g.text(100)})
		return err
	})
	b.must("trash persona", svc.TrashPersona(ctx, a, slug, create(tmpl, 1, def).ID))

	// Variants: for a label and for the archetype, with notes per field.
	var variants []persona.Variant
	for i, p := range []persona.Persona{personas[len(personas)-1], ux} {
		d := def
		if p.ID == ux.ID {
			d = uxDef
		} else if p.TemplateVersion == 2 {
			d = def2
		}
		var v persona.Variant
		b.try("create variant", func() (err error) {
			over, overDims := g.values(d)
			notes := map[string]string{}
			for k := range over {
				if g.r.IntN(2) == 0 {
					notes["values."+k] = g.text(200)
				}
			}
			in := app.VariantInput{Note: g.text(300), Values: over, Dimensions: overDims, FieldNotes: notes, Message: g.maybe(g.line(40))}
			if i == 0 {
				in.CustomerLabel = g.line(60)
			} else {
				in.CustomerID = arch.ID
			}
			v, err = svc.CreateVariant(ctx, a, slug, p.ID, in)
			return err
		})
		variants = append(variants, v)
	}

	// The base of the first variant moves to a new template version that
	// drops a field the variant overrides; the override stays behind.
	if base := personas[len(personas)-1]; len(variants[0].Values) > 0 {
		var dropped string
		for k := range variants[0].Values {
			dropped = k
		}
		def3 := def2
		def3.Sections = nil
		for _, sec := range def2.Sections {
			sec.Fields = slices.DeleteFunc(slices.Clone(sec.Fields), func(f persona.Field) bool { return f.Key == dropped })
			def3.Sections = append(def3.Sections, sec)
		}
		_, err = svc.SaveDraft(ctx, a, slug, tmpl.ID, def3)
		b.must("save draft without "+dropped, err)
		v3, err := svc.Publish(ctx, a, slug, tmpl.ID)
		b.must("publish 3", err)
		_, _, err = svc.UpgradePersona(ctx, a, slug, base.ID, base.Revision, app.UpgradeRequest{ToVersion: v3.Version})
		b.must("upgrade the variant's base", err)
	}

	// Notes on everything that takes them.
	for _, n := range []struct {
		target persona.NoteTarget
		id     string
	}{{persona.NoteOnOrg, ""}, {persona.NoteOnGroup, groups[0].ID}, {persona.NoteOnPersona, ux.ID}, {persona.NoteOnVariant, variants[0].ID}} {
		b.try("add note", func() (err error) {
			_, err = svc.AddNote(ctx, a, slug, n.target, n.id, g.text(800))
			return err
		})
	}

	// Evidence of every kind, linked to a persona, a field and a variant's field.
	var quote, link, doc persona.Evidence
	b.try("add quote", func() (err error) {
		var tags []string
		for range g.r.IntN(3) {
			tags = append(tags, strings.ReplaceAll(g.line(20), ",", ""))
		}
		quote, err = svc.AddEvidence(ctx, a, slug, app.EvidenceInput{Kind: persona.EvidenceQuote, Title: g.line(100), Quote: g.text(500),
			Speaker: g.maybe(g.line(40)), Source: g.maybe(g.line(60)), Tags: tags, CollectedOn: g.maybe(g.date()), Summary: g.maybe(g.text(300))})
		return err
	})
	b.try("add link", func() (err error) {
		link, err = svc.AddEvidence(ctx, a, slug, app.EvidenceInput{Kind: persona.EvidenceWebLink, Title: g.line(100), URL: g.url()})
		return err
	})
	b.try("add study", func() (err error) {
		_, err = svc.AddEvidence(ctx, a, slug, app.EvidenceInput{Kind: persona.EvidenceStudy, Title: g.line(100),
			Method: persona.MethodInterview, Participants: g.r.IntN(50), Summary: g.text(400)})
		return err
	})
	b.try("upload a text document", func() (err error) {
		// Control characters in a file's name are dropped, not refused; its
		// text is the file's own business.
		doc, err = svc.UploadEvidence(ctx, a, slug, app.EvidenceInput{Title: g.line(60)},
			app.Upload{Name: g.line(30) + ".txt", Content: strings.NewReader(strings.ReplaceAll(g.text(2000), "\x00", ""))})
		return err
	})
	field := func(d persona.Definition, c persona.Values) string {
		for _, s := range d.Sections {
			for _, f := range s.Fields {
				if _, ok := c[f.Key]; ok {
					return "values." + f.Key
				}
			}
		}
		return ""
	}
	b.try("link evidence", func() (err error) {
		_, err = svc.LinkEvidence(ctx, a, slug, quote.ID, app.EvidenceLinkInput{PersonaID: ux.ID, Stance: persona.StanceSupports,
			Excerpt: g.maybe(g.text(300)), Page: g.maybe(g.line(10))})
		return err
	})
	_, err = svc.LinkEvidence(ctx, a, slug, quote.ID, app.EvidenceLinkInput{PersonaID: ux.ID, Field: field(uxDef, ux.Values), Stance: persona.StanceContradicts})
	b.must("link evidence to a field", err)
	if f := field(uxDef, variants[1].Values); f != "" {
		_, err := svc.LinkEvidence(ctx, a, slug, doc.ID, app.EvidenceLinkInput{PersonaID: ux.ID, VariantID: variants[1].ID, Field: f, Stance: persona.StanceSupports})
		b.must("link evidence to a variant", err)
	}
	_, err = svc.LinkEvidence(ctx, a, slug, link.ID, app.EvidenceLinkInput{PersonaID: buyer.ID, Stance: persona.StanceSupports})
	b.must("link evidence to the buyer", err)

	// Alignment: the buyer reaches the UX persona; a verdict on a claim.
	_, err = svc.LinkPersonas(ctx, a, slug, buyer.ID, ux.ID)
	b.must("link personas", err)
	claims := persona.ClaimsOf(mktDef, buyer.Content)
	var userField, userItem string
	for _, s := range uxDef.Sections {
		for _, f := range s.Fields {
			if items := persona.ItemsOf(ux.Values[f.Key]); userField == "" && len(items) > 0 && (f.Kind == persona.KindList || f.Kind == persona.KindText) {
				userField, userItem = f.Key, items[0]
			}
		}
	}
	if len(claims) > 0 && userField != "" {
		c := claims[g.r.IntN(len(claims))]
		b.try("map a claim", func() (err error) {
			_, err = svc.MapClaim(ctx, a, slug, buyer.ID, app.ClaimMappingInput{ClaimField: c.Field, Claim: c.Text, UserID: ux.ID,
				UserField: userField, UserItem: userItem, Verdict: persona.VerdictSupported, Note: g.maybe(g.text(300))})
			return err
		})
	}

	// A catalogue and a Launchpad for the archetype.
	b.try("save the catalogue", func() (err error) {
		cat := persona.Catalogue{
			Modules: []persona.Module{
				{Key: "core", Name: g.line(60), Description: g.maybe(g.text(300)), EffortDays: float64(g.r.IntN(20)), Owner: g.maybe(g.line(40)), DoneWhen: g.maybe(g.text(200))},
				{Key: "extra", Name: g.line(60), DependsOn: []string{"core"}, EffortDays: 2.5, Phase: persona.PhaseScale},
			},
			Packs:      []persona.ContentPack{{Key: "pack", Name: g.line(60), Description: g.maybe(g.text(200)), Modules: []string{"core"}, Serves: []string{g.line(30)}}},
			Dashboards: []persona.DashboardTemplate{{Key: "board", Name: g.line(60), Widgets: []string{g.line(40), g.line(40)}, Roles: []string{"ux"}}},
		}
		_, err = svc.ReplaceCatalogue(ctx, a, slug, 0, cat)
		return err
	})
	b.try("create a Launchpad", func() (err error) {
		_, err = svc.CreateLaunchpad(ctx, a, slug, app.LaunchpadRequest{ArchetypeID: arch.ID, RoleIDs: []string{ux.ID}}, g.line(80), g.text(400))
		return err
	})
}
