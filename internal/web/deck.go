package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/pdf"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/photo"
)

// The slide deck: the personas of ?ids= as 16:9 slides to present — a
// cover, one slide per persona, a comparison slide with the dimension
// chart when two or more share dimensions, and a slide per customer
// variant with what changes. The page is the deck on screen; deck.pdf
// prints it on 16:9 sheets. Sensitive fields are left out: a deck is made
// to be shown.

func (h *Handler) deckRoutes() {
	h.org("GET /o/{org}/deck", h.deckPage)
	h.org("GET /o/{org}/deck.pdf", h.deckPDF)
}

// MaxDeck is the most personas one deck holds (the comparison's limit,
// so that the comparison slide can show every one of them).
const MaxDeck = persona.MaxCompare

// How much of a persona a slide holds.
const (
	deckBlocks     = 4   // field blocks beside the header
	deckItems      = 3   // items of a list field
	deckBlockRunes = 200 // a block's items together, after the first
	deckItemRunes  = 90  // one item, before an ellipsis
	deckDimensions = 4
	deckChanges    = 6 // overrides on a variant slide
)

type deckView struct {
	Org      string
	OrgName  string
	Title    string
	Made     time.Time
	IDs      string // "a,b,c" for the links
	Personas []deckPersona
	Compare  *deckCompare
	Variants []deckVariant
	Slides   int
	// Sensitive counts the sensitive fields left out.
	Sensitive int
}

type deckPersona struct {
	P          persona.Persona
	Role       string
	Quote      string
	GroupName  string
	Dimensions []dimensionView
	Blocks     []deckBlock
	Variants   int
	Slide      int
	Photo      string // its photo's address (the large size); "" without one
	Face       string // the small size, for the cover
}

// deckBlock is one field on a persona slide: a few items, or a short text.
type deckBlock struct {
	Label string
	Items []string
	Text  string
}

type deckCompare struct {
	Chart    dotChart
	Personas []comparePersona
	Slide    int
}

type deckVariant struct {
	P        persona.Persona
	Customer string
	Note     string
	Changes  []deckChange
	More     int // overrides beyond the ones shown
	Slide    int
}

type deckChange struct {
	Label, Base, Now string
}

func (h *Handler) deckPage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	v, err := h.deckOf(r, c)
	if err != nil {
		return err
	}
	return h.render(w, r, c, http.StatusOK, "deck", "Slides: "+v.Title, v)
}

func (h *Handler) deckPDF(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	v, err := h.deckOf(r, c) // checks access and the selection before a browser starts
	if err != nil {
		return err
	}
	path := "/o/" + url.PathEscape(c.Org.Slug) + "/deck?ids=" + url.QueryEscape(v.IDs)
	return h.printPDF(w, r, c, path, printOut{paper: pdf.PaperSlide,
		filename: "slides-" + fileSlug(v.Title, "personas") + ".pdf"})
}

// deckOf reads the personas of ?ids= and lays out their slides.
func (h *Handler) deckOf(r *http.Request, c *Ctx) (deckView, error) {
	ids := compareIDs(r.URL.Query()["ids"])
	if len(ids) < 1 || len(ids) > MaxDeck {
		return deckView{}, persona.Invalid(fmt.Sprintf("a deck holds 1 to %d personas, not %d", MaxDeck, len(ids)),
			[]persona.FieldError{{Field: "ids", Message: fmt.Sprintf("pick 1 to %d personas", MaxDeck)}})
	}
	ctx := r.Context()
	labels, err := h.svc.Names(ctx, c.Actor, c.Org.Slug)
	if err != nil {
		return deckView{}, err
	}
	ps, err := h.svc.GetPersonas(ctx, c.Actor, c.Org.Slug, ids)
	if err != nil {
		return deckView{}, err
	}
	photos, err := h.photoVersions(r, c)
	if err != nil {
		return deckView{}, err
	}
	v := deckView{Org: c.Org.Slug, OrgName: c.Org.Name, Made: time.Now(), IDs: strings.Join(ids, ",")}
	in := make([]persona.CompareInput, 0, len(ps))
	var names []string
	var variants []app.VariantDetail
	var defs = map[string]persona.Definition{}
	for _, p := range ps {
		ver, err := h.svc.PersonaDefinition(ctx, c.Actor, c.Org.Slug, p)
		if err != nil {
			return deckView{}, err
		}
		defs[p.ID] = ver.Definition
		in = append(in, persona.CompareInput{Persona: p, Definition: ver.Definition})
		names = append(names, p.Name)
		vs, err := h.svc.ListVariants(ctx, c.Actor, c.Org.Slug, p.ID)
		if err != nil {
			return deckView{}, err
		}
		dp, hidden := deckPersonaOf(p, ver.Definition)
		dp.GroupName, dp.Variants = labels.Groups[p.GroupID], len(vs)
		dp.Photo = photoURL(c.Org.Slug, p.ID, photos[p.ID], photo.Large)
		dp.Face = photoURL(c.Org.Slug, p.ID, photos[p.ID], photo.Small)
		v.Sensitive += hidden
		v.Personas = append(v.Personas, dp)
		variants = append(variants, vs...)
	}
	v.Title = joinNames(names)
	if len(ps) >= persona.MinCompare {
		cmp, err := persona.Compare(in)
		if err != nil {
			return deckView{}, err
		}
		if len(cmp.Dimensions) > 0 {
			dc := &deckCompare{}
			for i, p := range ps {
				cp := comparePersona{ID: p.ID, Name: p.Name, Type: p.ProfileType, Photo: photoURL(c.Org.Slug, p.ID, photos[p.ID], photo.Small)}
				cp.Series, cp.Shape = seriesOf(i)
				dc.Personas = append(dc.Personas, cp)
			}
			dc.Chart = chartOf(cmp.Dimensions, dc.Personas)
			v.Compare = dc
		}
	}
	for _, vd := range variants {
		dv, hidden := deckVariantOf(vd, defs[vd.Base.ID])
		v.Sensitive += hidden
		v.Variants = append(v.Variants, dv)
	}
	// Number the slides: the cover is 1.
	n := 1
	for i := range v.Personas {
		n++
		v.Personas[i].Slide = n
	}
	if v.Compare != nil {
		n++
		v.Compare.Slide = n
	}
	for i := range v.Variants {
		n++
		v.Variants[i].Slide = n
	}
	v.Slides = n
	return v, nil
}

// deckPersonaOf picks what a persona's slide shows: the header fields,
// the scale dimensions and the first filled fields that read as a few
// words or items. It returns how many sensitive fields it left out.
func deckPersonaOf(p persona.Persona, def persona.Definition) (deckPersona, int) {
	dp := deckPersona{P: p}
	hidden := 0
	var lists, texts []deckBlock
	for _, s := range def.Sections {
		for _, f := range s.Fields {
			val := p.Values[f.Key]
			if !present(val) {
				continue
			}
			if f.Sensitive {
				hidden++
				continue
			}
			switch f.Key {
			case headerRoleKey:
				dp.Role = clip(valueText(val), deckItemRunes)
				continue
			case headerQuoteKey:
				dp.Quote = clip(valueText(val), 2*deckItemRunes)
				continue
			}
			if b, ok := deckBlockOf(f, val); ok && b.Items != nil {
				lists = append(lists, b)
			} else if ok {
				texts = append(texts, b)
			}
		}
	}
	// Lists say the most in the least room (goals, pains, jobs): they go
	// first, in template order, then text fields if there is room.
	dp.Blocks = append(lists, texts...)
	if len(dp.Blocks) > deckBlocks {
		dp.Blocks = dp.Blocks[:deckBlocks]
	}
	for _, d := range dimensionsOf(def, p.Dimensions) {
		if d.Dimension.Kind == persona.DimensionScale && present(d.Value) && len(dp.Dimensions) < deckDimensions {
			dp.Dimensions = append(dp.Dimensions, d)
		}
	}
	return dp, hidden
}

// deckBlockOf is a field as a slide block: lists and tags as up to
// deckItems items, text and Markdown as its first paragraph; numbers,
// scales, dates and links stay on the persona's page.
func deckBlockOf(f persona.Field, v any) (deckBlock, bool) {
	b := deckBlock{Label: f.Label}
	switch f.Kind {
	case persona.KindList, persona.KindTags, persona.KindMultiChoice:
		runes := 0
		for _, it := range valueList(v) {
			if it = clip(strings.TrimSpace(it), deckItemRunes); it == "" {
				continue
			}
			runes += utf8.RuneCountInString(it)
			if len(b.Items) == deckItems || (len(b.Items) > 0 && runes > deckBlockRunes) {
				break
			}
			b.Items = append(b.Items, it)
		}
		return b, len(b.Items) > 0
	case persona.KindText, persona.KindMarkdown, persona.KindChoice:
		para, _, _ := strings.Cut(strings.TrimSpace(valueText(v)), "\n\n")
		b.Text = clip(plainMarkdown(para), 2*deckItemRunes)
		return b, b.Text != ""
	}
	return b, false
}

// deckVariantOf is a variant's slide: its note and its overrides, each
// with the base's value beside the variant's.
func deckVariantOf(vd app.VariantDetail, def persona.Definition) (deckVariant, int) {
	dv := deckVariant{P: vd.Base, Customer: vd.CustomerName(), Note: vd.Variant.Note}
	hidden := 0
	for _, s := range def.Sections {
		for _, f := range s.Fields {
			now, ok := vd.Variant.Values[f.Key]
			if !ok {
				continue
			}
			if f.Sensitive {
				hidden++
				continue
			}
			dv.add(f.Label, vd.Base.Values[f.Key], now)
		}
	}
	for _, d := range def.Dimensions {
		if now, ok := vd.Variant.Dimensions[d.Key]; ok {
			base := vd.Base.Dimensions[d.Key]
			if d.Kind == persona.DimensionScale {
				of := func(v any) any {
					if !present(v) {
						return nil
					}
					return fmt.Sprintf("%s of %d", valueText(v), d.Max)
				}
				base, now = of(base), of(now)
			}
			dv.add(d.Label, base, now)
		}
	}
	return dv, hidden
}

func (dv *deckVariant) add(label string, base, now any) {
	if len(dv.Changes) == deckChanges {
		dv.More++
		return
	}
	text := func(v any) string {
		if !present(v) {
			return "—"
		}
		return clip(plainMarkdown(valueText(v)), deckItemRunes)
	}
	dv.Changes = append(dv.Changes, deckChange{Label: label, Base: text(base), Now: text(now)})
}

// clip shortens s to at most n runes at a word boundary, with an ellipsis.
func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n]
	cut := string(r)
	if i := strings.LastIndexByte(cut, ' '); i > n/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:.–—") + "…"
}

// plainMarkdown drops the Markdown marks a slide would show as characters
// (emphasis, code, list bullets, heading hashes, link brackets).
func plainMarkdown(s string) string {
	var lines []string
	for l := range strings.SplitSeq(s, "\n") {
		l = strings.TrimSpace(l)
		l = strings.TrimLeft(l, "#>")
		if t, ok := strings.CutPrefix(strings.TrimSpace(l), "- "); ok {
			l = t
		} else if t, ok := strings.CutPrefix(strings.TrimSpace(l), "* "); ok {
			l = t
		}
		lines = append(lines, strings.TrimSpace(l))
	}
	return markdownMarks.Replace(strings.Join(lines, " "))
}

var markdownMarks = strings.NewReplacer("**", "", "__", "", "`", "", "](", " (", "[", "", "\\", "")

func init() { funcs["maxDeck"] = func() int { return MaxDeck } }
