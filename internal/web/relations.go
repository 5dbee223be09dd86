package web

import (
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// The relation map (/o/{org}/relations): the organisation's live personas
// as boxes in one column per profile type, and their persona references as
// arrows labelled with the field — a server-rendered SVG whose layout
// depends only on the personas (sorted by name) and their references, with
// the same references as a text list beside it. The list is the page's
// content for screen readers and keyboards (its names are links); the
// drawing is one image with a title and a description.

func (h *Handler) relationRoutes() {
	h.org("GET /o/{org}/relations", h.relationsPage)
}

type relationsView struct {
	Map template.HTML // the SVG; "" when nothing references anything
	// Items are the referencing personas, each with its references.
	Items    []relationItem
	Personas int
	Links    int
	// Referenced lists the targets that are no live persona (in the
	// trash, deleted), which the map leaves out.
	Missing int
}

type relationItem struct {
	P    persona.Persona
	Refs []relationRef
}

type relationRef struct {
	Label  string
	Target persona.RefName
	ID     string
	Type   persona.ProfileType
}

func (h *Handler) relationsPage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	ps, rels, err := h.svc.Relations(r.Context(), c.Actor, c.Org.Slug)
	if err != nil {
		return err
	}
	v := relationsView{Personas: len(ps), Links: len(rels)}
	byFrom := map[string]int{}
	for _, rel := range rels {
		i, ok := byFrom[rel.From.ID]
		if !ok {
			i = len(v.Items)
			byFrom[rel.From.ID] = i
			v.Items = append(v.Items, relationItem{P: rel.From})
		}
		v.Items[i].Refs = append(v.Items[i].Refs, relationRef{Label: rel.FieldLabel, Target: rel.Target, ID: rel.TargetID, Type: rel.TargetType})
		if rel.Target.Gone || rel.Target.Trashed {
			v.Missing++
		}
	}
	slices.SortStableFunc(v.Items, func(a, b relationItem) int {
		return strings.Compare(strings.ToLower(a.P.Name), strings.ToLower(b.P.Name))
	})
	if len(rels) > 0 {
		v.Map = relationSVG(ps, rels)
	}
	return h.render(w, r, c, http.StatusOK, "relations", "Relation map", v)
}

// Layout of the map, in SVG units.
const (
	relColW   = 290 // a column's width
	relNodeW  = 214 // a box's width
	relNodeH  = 34
	relGapY   = 18
	relTop    = 46 // below the column headings
	relMargin = 16
	relMaxLen = 27 // characters of a name shown in a box
	relLegend = 24 // a legend line's height
)

// relColumns is the order of the map's columns: references mostly run
// left to right (an agent's supervisor is a UX persona, a UX persona works
// for a customer archetype).
var relColumns = []persona.ProfileType{persona.ProfileAgent, persona.ProfileMarketing, persona.ProfileUX, persona.ProfileArchetype}

// relDashes tell the fields apart (with the legend below the drawing).
var relDashes = []string{"", "7 4", "2 3", "10 3 2 3", "4 6"}

// relationSVG draws the personas that take part in a reference (as source
// or live target), a column per profile type in relColumns order, each
// column sorted by name; arrows go from the referencing persona to the
// referenced one, one line style per field (the legend names them).
func relationSVG(ps []persona.Persona, rels []app.Relation) template.HTML {
	involved := map[string]bool{}
	live := map[string]persona.Persona{}
	for _, p := range ps {
		live[p.ID] = p
	}
	for _, r := range rels {
		involved[r.From.ID] = true
		if _, ok := live[r.TargetID]; ok {
			involved[r.TargetID] = true
		}
	}
	type node struct {
		p    persona.Persona
		x, y int
	}
	var cols [][]persona.Persona
	var colTypes []persona.ProfileType
	for _, t := range relColumns {
		var col []persona.Persona
		for _, p := range ps {
			if p.ProfileType == t && involved[p.ID] {
				col = append(col, p)
			}
		}
		if len(col) == 0 {
			continue
		}
		slices.SortStableFunc(col, func(a, b persona.Persona) int {
			if c := strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)); c != 0 {
				return c
			}
			return strings.Compare(a.ID, b.ID)
		})
		cols = append(cols, col)
		colTypes = append(colTypes, t)
	}
	nodes := map[string]node{}
	rows := 0
	for ci, col := range cols {
		for ri, p := range col {
			nodes[p.ID] = node{p: p, x: relMargin + ci*relColW, y: relTop + ri*(relNodeH+relGapY)}
		}
		rows = max(rows, len(col))
	}
	// The fields, in order of first use, each with its line style.
	var fields []string
	for _, r := range rels {
		if _, ok := nodes[r.TargetID]; ok && !slices.Contains(fields, r.FieldLabel) {
			fields = append(fields, r.FieldLabel)
		}
	}
	style := func(label string) string {
		i := slices.Index(fields, label)
		if d := relDashes[i%len(relDashes)]; d != "" {
			return ` stroke-dasharray="` + d + `"`
		}
		return ""
	}
	width := relMargin*2 + (len(cols)-1)*relColW + relNodeW
	legendTop := relTop + rows*(relNodeH+relGapY) + 8
	height := legendTop + len(fields)*relLegend + relMargin

	var b strings.Builder
	drawn := 0
	for _, r := range rels {
		if _, ok := nodes[r.TargetID]; ok {
			drawn++
		}
	}
	fmt.Fprintf(&b, `<svg class="relation-map" role="img" aria-labelledby="rel-title rel-desc" viewBox="0 0 %d %d" width="%d" height="%d" xmlns="http://www.w3.org/2000/svg">`, width, height, width, height)
	fmt.Fprintf(&b, `<title id="rel-title">Relation map</title><desc id="rel-desc">%d personas in %d columns by profile type, joined by %d references; the list beside the map names them all.</desc>`, len(nodes), len(cols), drawn)
	b.WriteString(`<defs><marker id="rel-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="currentColor"/></marker></defs>`)
	for ci, t := range colTypes {
		fmt.Fprintf(&b, `<text class="rel-head t-%s" x="%d" y="24">%s</text>`, t, relMargin+ci*relColW, escapeHTML(t.Label()))
	}
	// Arrows first, so the boxes sit on top of their ends.
	b.WriteString(`<g class="rel-edges">`)
	for i, r := range rels {
		from, ok1 := nodes[r.From.ID]
		to, ok2 := nodes[r.TargetID]
		if !ok1 || !ok2 {
			continue
		}
		x1, y1 := from.x+relNodeW, from.y+relNodeH/2
		x2, y2 := to.x, to.y+relNodeH/2
		var d string
		switch {
		case to.x > from.x:
			d = fmt.Sprintf("M%d %d C%d %d %d %d %d %d", x1, y1, x1+50, y1, x2-50, y2, x2, y2)
		case to.x < from.x:
			x1, x2 = from.x, to.x+relNodeW
			d = fmt.Sprintf("M%d %d C%d %d %d %d %d %d", x1, y1, x1-50, y1, x2+50, y2, x2, y2)
		default: // the same column: a loop out to the right
			x2 = to.x + relNodeW
			bend := 30 + 6*(i%4)
			d = fmt.Sprintf("M%d %d C%d %d %d %d %d %d", x1, y1, x1+bend, y1, x2+bend, y2, x2, y2)
		}
		fmt.Fprintf(&b, `<path d="%s"%s marker-end="url(#rel-arrow)"/>`, d, style(r.FieldLabel))
	}
	b.WriteString(`</g>`)
	for i, f := range fields {
		y := legendTop + i*relLegend + relLegend/2
		fmt.Fprintf(&b, `<g class="rel-legend"><path d="M%d %d H%d"%s marker-end="url(#rel-arrow)"/><text x="%d" y="%d">%s</text></g>`,
			relMargin, y, relMargin+44, style(f), relMargin+56, y+4, escapeHTML(shorten(f, 60)))
	}
	for _, col := range cols {
		for _, p := range col {
			n := nodes[p.ID]
			fmt.Fprintf(&b, `<g class="rel-node t-%s"><rect x="%d" y="%d" width="%d" height="%d" rx="6"/><text x="%d" y="%d">%s</text></g>`,
				p.ProfileType, n.x, n.y, relNodeW, relNodeH, n.x+10, n.y+relNodeH/2+5, escapeHTML(shorten(p.Name, relMaxLen)))
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// shorten cuts s to n characters, with an ellipsis.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
