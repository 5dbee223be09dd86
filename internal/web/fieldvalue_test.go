package web

import (
	"html/template"
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/persona"
)

// referenceFieldValue is the "fieldvalue" partial as it was before
// fieldValueHTML replaced it; the scale partial it calls is the live one.
const referenceFieldValue = `{{define "fieldvalue-reference"}}{{/* dict "Field" persona.Field "Value" any */}}
{{- $v := .Value -}}
{{- if not (present $v)}}<span class="empty">Not filled in yet</span>
{{- else if eq .Field.Kind "markdown"}}<div class="md">{{markdown (value $v)}}</div>
{{- else if or (eq .Field.Kind "list")}}<ul class="value-list">{{range list $v}}<li>{{.}}</li>{{end}}</ul>
{{- else if or (eq .Field.Kind "tags") (eq .Field.Kind "multi_choice")}}<ul class="chips">{{range list $v}}<li>{{.}}</li>{{end}}</ul>
{{- else if eq .Field.Kind "url"}}<a href="{{value $v}}" rel="noopener noreferrer nofollow" target="_blank">{{value $v}}</a>
{{- else if eq .Field.Kind "scale"}}{{template "scale" (dict "Value" $v "Min" .Field.Min "Max" .Field.Max "Low" .Field.LowLabel "High" .Field.HighLabel "Label" .Field.Label)}}
{{- else if eq .Field.Kind "date"}}<span class="value-text">{{day (value $v)}}</span>
{{- else}}<span class="value-text">{{value $v}}</span>{{end -}}
{{end}}
`

// TestFieldValueHTMLMatchesTheTemplate renders values of every field kind,
// hostile ones included, with the old template and with fieldValueHTML, and
// wants the same bytes.
func TestFieldValueHTMLMatchesTheTemplate(t *testing.T) {
	partials, err := files.ReadFile("templates/partials.html")
	if err != nil {
		t.Fatal(err)
	}
	ref := template.Must(template.New("ref").Funcs(funcs).Parse(string(partials) + referenceFieldValue))
	lo, hi := 1.0, 5.0
	hostile := []string{`<script>alert(1)</script>`, `" onmouseover="alert(1)`, "a & b + c's <d>", "x\x00y", "plain"}
	var cases []struct {
		f persona.Field
		v any
	}
	add := func(f persona.Field, vs ...any) {
		for _, v := range vs {
			cases = append(cases, struct {
				f persona.Field
				v any
			}{f, v})
		}
	}
	for _, kind := range persona.FieldKinds {
		if kind == persona.KindImage {
			// Newer than the reference template: "Picture" without a
			// persona to address it by (imageFieldHTML has one).
			if got := fieldValueHTML(persona.Field{Kind: kind}, persona.ImageID(nil)); got != `<span class="value-text">Picture</span>` {
				t.Errorf("image: %q", got)
			}
			continue
		}
		if kind == persona.KindPersona {
			// Newer too: a count without the names (refsHTML has them).
			id := "0197f3c2-5b1e-7a3d-9c4e-2f6a8b1d0e37"
			if got := fieldValueHTML(persona.Field{Kind: kind, Multiple: true}, []string{id, id[:35] + "8"}); got != `<span class="value-text">2 personas</span>` {
				t.Errorf("persona: %q", got)
			}
			continue
		}
		f := persona.Field{Key: "k", Label: `Label "<b>"`, Kind: kind}
		add(f, nil, "", "   ", []any{}, []string{})
		for _, h := range hostile {
			add(f, h, []any{h, "second"}, []string{h})
		}
		add(f, 3.0, 2.5, 1e21, -0.5, []any{1.0, "two"}, true)
	}
	for _, f := range []persona.Field{
		{Key: "s", Label: "Risk <tolerance>", Kind: persona.KindScale, Min: &lo, Max: &hi, LowLabel: "Cautious & slow", HighLabel: `"Bold"`},
		{Key: "s", Label: "No bounds", Kind: persona.KindScale},
	} {
		add(f, nil, 1.0, 3.0, 5.0, 7.0, 2.25, "x")
	}
	for _, u := range []string{"https://example.com/a b?c=<d>&e='f'", "javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,x", "/relative", "mailto:a@b.c"} {
		add(persona.Field{Key: "u", Label: "Link", Kind: persona.KindURL}, u)
	}
	add(persona.Field{Key: "m", Label: "Notes", Kind: persona.KindMarkdown}, "**bold** <script>x</script> [a](javascript:alert(1))")
	add(persona.Field{Key: "d", Label: "Since", Kind: persona.KindDate}, "2026-06-20", "2026-13-40", "last spring")
	for _, c := range cases {
		var want strings.Builder
		if err := ref.ExecuteTemplate(&want, "fieldvalue-reference", map[string]any{"Field": c.f, "Value": c.v}); err != nil {
			t.Fatal(err)
		}
		if got := string(fieldValueHTML(c.f, c.v)); got != want.String() {
			t.Errorf("%s %#v:\n got %q\nwant %q", c.f.Kind, c.v, got, want.String())
		}
	}
}

// referenceCompareSections is the comparison table's sections as the page
// template rendered them before compareSectionHTML.
const referenceCompareSections = `{{define "compare-sections-reference"}}      {{range .Sections}}
      <tbody class="{{if .AnyDiffers}}has-differences{{else}}all-same{{end}}" data-section="{{.Key}}">
        <tr class="section-row"><th scope="colgroup" colspan="{{add (len $.Page.Personas) 1}}">{{.Label}}</th></tr>
        {{range $row := .Rows}}
        <tr class="{{if .Differs}}row-differs{{else}}row-same{{end}}" data-field="{{.Key}}">
          <th scope="row">{{.Label}}{{if .Differs}} <span class="differs-flag" aria-hidden="true">≠</span><span class="visually-hidden"> (differs)</span>{{end}}</th>
          {{range .Cells}}{{if .Has}}
          <td{{if and $row.Differs (present .Value)}} class="differs"{{end}}>{{if ne .Field.Label $row.Label}}<small class="field-alias muted">{{.Field.Label}}</small>{{end}}{{fieldHTML .Field .Value}}</td>
          {{- else}}
          <td class="absent"><span class="not-in-template">not in this template</span></td>
          {{- end}}{{end}}
        </tr>
        {{end}}
      </tbody>
      {{end}}
{{end}}`

func TestCompareSectionHTMLMatchesTheTemplate(t *testing.T) {
	partials, err := files.ReadFile("templates/partials.html")
	if err != nil {
		t.Fatal(err)
	}
	ref := template.Must(template.New("ref").Funcs(funcs).Parse(string(partials) + referenceCompareSections))
	evil := `<img src=x onerror=alert(1)> & "q" + 'a'`
	text := persona.Field{Key: "bio", Label: "Bio", Kind: persona.KindText}
	alias := persona.Field{Key: "bio", Label: evil, Kind: persona.KindText}
	tags := persona.Field{Key: "tags", Label: "Tags", Kind: persona.KindTags}
	data := struct {
		Page     struct{ Personas []comparePersona }
		Sections []compareSection
	}{}
	data.Page.Personas = make([]comparePersona, 3)
	data.Sections = []compareSection{
		{AnyDiffers: true, CompareSection: persona.CompareSection{Key: evil, Label: evil, Rows: []persona.CompareRow{
			{Key: "bio", Label: "Bio", Differs: true, Cells: []persona.CompareCell{
				{Has: true, Field: text, Value: evil}, {Has: true, Field: alias, Value: "x"}, {Has: false}}},
			{Key: evil, Label: evil, Cells: []persona.CompareCell{
				{Has: true, Field: tags, Value: []any{evil, "b"}}, {Has: true, Field: tags, Value: nil}, {Has: true, Field: tags, Value: []string{"c"}}}},
		}}},
		{CompareSection: persona.CompareSection{Key: "empty", Label: "No rows"}},
	}
	var want strings.Builder
	if err := ref.ExecuteTemplate(&want, "compare-sections-reference", data); err != nil {
		t.Fatal(err)
	}
	var got strings.Builder
	for _, s := range data.Sections {
		got.WriteString(string(compareSectionHTML(s, len(data.Page.Personas), nil)))
	}
	// The page keeps the indentation before the loop and the newline after it.
	if got := "      " + got.String() + "\n"; got != want.String() {
		t.Errorf("compareSectionHTML differs from the template:\n got %q\nwant %q", got, want.String())
	}
}
