package web

import (
	"fmt"
	"html/template"
	"strings"

	"github.com/personapal/personapal/internal/persona"
)

// fieldValueHTML renders one field's value for display: what the
// "fieldvalue" partial did with a dozen template calls per value, which made
// it the bulk of a comparison page's rendering time. Every piece of user
// text goes through escapeHTML (html/template's own escaping for text and
// quoted attributes); Markdown goes through the sanitising renderer; links
// go through html/template itself, so its URL filtering stays in force.
// TestFieldValueHTMLMatchesTheTemplate checks the output against the
// template it replaced, hostile values included.
func fieldValueHTML(f persona.Field, v any) template.HTML {
	var b strings.Builder
	switch {
	case !present(v):
		b.WriteString(`<span class="empty">Not filled in yet</span>`)
	case f.Kind == persona.KindMarkdown:
		b.WriteString(`<div class="md">`)
		b.WriteString(string(renderMarkdown(valueText(v))))
		b.WriteString(`</div>`)
	case f.Kind == persona.KindList:
		writeItems(&b, "value-list", v)
	case f.Kind == persona.KindTags || f.Kind == persona.KindMultiChoice:
		writeItems(&b, "chips", v)
	case f.Kind == persona.KindURL:
		var buf strings.Builder
		if err := linkTemplate.Execute(&buf, valueText(v)); err != nil {
			return template.HTML(escapeHTML(valueText(v)))
		}
		b.WriteString(buf.String())
	case f.Kind == persona.KindScale:
		writeScale(&b, v, f.Min, f.Max, f.LowLabel, f.HighLabel, f.Label)
	case f.Kind == persona.KindImage:
		// No persona here to address the picture by: views that have one
		// use imageFieldHTML (fieldimages.go).
		b.WriteString(`<span class="value-text">Picture</span>`)
	case f.Kind == persona.KindPersona:
		// No names here: views that have them use refsHTML (refs.go).
		n := len(persona.RefIDs(f, v))
		b.WriteString(`<span class="value-text">` + fmt.Sprint(n) + ` persona`)
		if n != 1 {
			b.WriteString("s")
		}
		b.WriteString(`</span>`)
	case f.Kind == persona.KindDate:
		b.WriteString(`<span class="value-text">`)
		b.WriteString(string(dayHTML(valueText(v))))
		b.WriteString(`</span>`)
	default:
		b.WriteString(`<span class="value-text">`)
		b.WriteString(escapeHTML(valueText(v)))
		b.WriteString(`</span>`)
	}
	return template.HTML(b.String())
}

var linkTemplate = template.Must(template.New("link").Parse(
	`<a href="{{.}}" rel="noopener noreferrer nofollow" target="_blank">{{.}}</a>`))

func writeItems(b *strings.Builder, class string, v any) {
	b.WriteString(`<ul class="` + class + `">`)
	for _, it := range valueList(v) {
		b.WriteString("<li>")
		b.WriteString(escapeHTML(it))
		b.WriteString("</li>")
	}
	b.WriteString("</ul>")
}

// writeScale draws a labelled scale (the "scale" partial's markup).
func writeScale(b *strings.Builder, v any, lo, hi *float64, low, high, label string) {
	set := present(v)
	state := "not set"
	if set {
		state = valueText(v)
	}
	b.WriteString("\n" + `<div class="scale" role="img" aria-label="`)
	b.WriteString(escapeHTML(label + ": " + state + " on a scale from " + numberText(lo) + " to " + numberText(hi)))
	b.WriteString(`">` + "\n  " + `<div class="scale-track">`)
	if set {
		b.WriteString(`<span class="scale-dot" style="left: ` + fmt.Sprint(pct(v, lo, hi)) + `%"></span>`)
	}
	b.WriteString(`</div>` + "\n  " + `<div class="scale-ends"><span>`)
	if low == "" {
		low = numberText(lo)
	}
	if high == "" {
		high = numberText(hi)
	}
	b.WriteString(escapeHTML(low) + `</span><span>` + escapeHTML(high) + `</span></div>` + "\n</div>\n")
}

// htmlEscapes is html/template's replacement table for text and quoted
// attribute values.
var htmlEscapes = strings.NewReplacer(
	"\x00", "\uFFFD", `"`, "&#34;", "&", "&amp;", "'", "&#39;", "+", "&#43;", "<", "&lt;", ">", "&gt;")

// escapeHTML escapes s for HTML text and quoted attributes exactly as
// html/template does.
func escapeHTML(s string) string { return htmlEscapes.Replace(s) }

func init() { funcs["fieldHTML"] = fieldValueHTML }

// compareSectionHTML renders one section of the comparison table (a
// <tbody>): per row and persona a cell, which as template calls made up
// most of the page's rendering time. TestCompareSectionHTMLMatchesTheTemplate
// checks it against the template it replaced.
//
// bases, when not nil, are the address prefixes of the personas' pictures
// (fieldImageBase), one per column: image fields show their picture.
func compareSectionHTML(s compareSection, personas int, bases []string) template.HTML {
	var b strings.Builder
	b.WriteString("\n      <tbody class=\"")
	if s.AnyDiffers {
		b.WriteString("has-differences")
	} else {
		b.WriteString("all-same")
	}
	b.WriteString(`" data-section="` + escapeHTML(s.Key) + "\">\n        ")
	b.WriteString(`<tr class="section-row"><th scope="colgroup" colspan="` + fmt.Sprint(personas+1) + `">` + escapeHTML(s.Label) + "</th></tr>\n        ")
	for _, row := range s.Rows {
		b.WriteString("\n        <tr class=\"")
		if row.Differs {
			b.WriteString("row-differs")
		} else {
			b.WriteString("row-same")
		}
		b.WriteString(`" data-field="` + escapeHTML(row.Key) + "\">\n          ")
		b.WriteString(`<th scope="row">` + escapeHTML(row.Label))
		if row.Differs {
			b.WriteString(` <span class="differs-flag" aria-hidden="true">≠</span><span class="visually-hidden"> (differs)</span>`)
		}
		b.WriteString("</th>\n          ")
		for i, cell := range row.Cells {
			if cell.Has {
				b.WriteString("\n          <td")
				if row.Differs && present(cell.Value) {
					b.WriteString(` class="differs"`)
				}
				b.WriteString(">")
				if cell.Field.Label != row.Label {
					b.WriteString(`<small class="field-alias muted">` + escapeHTML(cell.Field.Label) + `</small>`)
				}
				if id, ok := cell.Value.(string); ok && cell.Field.Kind == persona.KindImage && id != "" && i < len(bases) {
					b.WriteString(string(imageFieldHTML(bases[i], id, cell.Field.Label, 0, 0)) + "</td>")
				} else if cell.Field.Kind == persona.KindPersona && s.RefNames != nil && present(cell.Value) {
					b.WriteString(string(refsHTML(s.Org, cell.Field, cell.Value, s.RefNames)) + "</td>")
				} else {
					b.WriteString(string(fieldValueHTML(cell.Field, cell.Value)) + "</td>")
				}
			} else {
				b.WriteString("\n          <td class=\"absent\"><span class=\"not-in-template\">not in this template</span></td>")
			}
		}
		b.WriteString("\n        </tr>\n        ")
	}
	b.WriteString("\n      </tbody>\n      ")
	return template.HTML(b.String())
}

func init() { funcs["compareSectionHTML"] = compareSectionHTML }
