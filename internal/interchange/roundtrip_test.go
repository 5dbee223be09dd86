package interchange

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/csvout"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/store/storetest"
)

// hostile values: formula triggers, separators, quotes, line breaks,
// backslashes, apostrophes and other scripts.
var hostile = []string{
	"=cmd|' /C calc'!A0", "+1+1", "-2", "@SUM(A1)", "semi; colon", "a;b;c", "comma, here", `quote "x" 'y'`,
	"multi\nline\nthree", `back\slash`, `ends with \`, `\;`, "王芳", "Мария Иванова", "Nguyễn Thị Minh", "Łódź",
	"'=already quoted", "'tis", "tab\tinside", " =spaced", "＝full-width", "עברית", "العربية",
}

var roundTripOptions = []string{"=SUM(1)", "a; b", "c, d", `say "hi"`, "Ünïcødé", "-minus", "@at", "plain", `x\y`}

func roundTripDefinition() persona.Definition {
	f := func(v float64) *float64 { return &v }
	return persona.Definition{
		Sections: []persona.Section{{Key: "all", Label: "All kinds", Fields: []persona.Field{
			{Key: "title", Label: "Title", Kind: persona.KindText},
			{Key: "notes", Label: "Notes", Kind: persona.KindMarkdown},
			{Key: "goals", Label: "Goals", Kind: persona.KindList},
			{Key: "tags", Label: "Tags", Kind: persona.KindTags},
			{Key: "channels", Label: "Channels", Kind: persona.KindMultiChoice, Options: roundTripOptions},
			{Key: "tier", Label: "Tier", Kind: persona.KindChoice, Options: roundTripOptions},
			{Key: "size", Label: "Size", Kind: persona.KindNumber},
			{Key: "comfort", Label: "Comfort", Kind: persona.KindScale, Min: f(1), Max: f(5)},
			{Key: "site", Label: "Site", Kind: persona.KindURL},
			{Key: "since", Label: "Since", Kind: persona.KindDate},
		}}},
		Dimensions: []persona.Dimension{
			{Key: "autonomy", Label: "Autonomy", Kind: persona.DimensionScale, Min: 1, Max: 5},
			{Key: "style", Label: "Style", Kind: persona.DimensionChoice, Options: []string{"+plus", "x; y", "-z"}},
		},
	}
}

const roundTripMapping = `template: Everything
group: Imported
name: name
summary: summary
status: status
fields:
  title: title
  notes: notes
  goals: {column: goals, escaped: true}
  tags: {column: tags, escaped: true}
  channels: {column: channels, escaped: true}
  tier: tier
  size: size
  comfort: comfort
  site: site
  since: since
dimensions:
  autonomy: "dimension:autonomy"
  style: "dimension:style"
`

// setUpOrg creates an organisation with the all-kinds template and a group.
func setUpOrg(t *testing.T, svc *app.Service, actor app.Actor, slug, group string) (persona.Template, persona.Group) {
	t.Helper()
	ctx := context.Background()
	if _, err := svc.CreateOrg(ctx, actor, "Org "+slug, slug); err != nil {
		t.Fatal(err)
	}
	def := roundTripDefinition()
	tmpl, err := svc.CreateTemplate(ctx, actor, slug, app.TemplateInput{Name: "Everything", ProfileType: persona.ProfileUX, Definition: &def})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Publish(ctx, actor, slug, tmpl.ID); err != nil {
		t.Fatal(err)
	}
	g, err := svc.CreateGroup(ctx, actor, slug, app.GroupInput{Name: group})
	if err != nil {
		t.Fatal(err)
	}
	return tmpl, g
}

// formulaLike reports whether a spreadsheet would read the cell as a formula.
func formulaLike(c string) bool {
	r, _ := utf8.DecodeRuneInString(strings.TrimLeftFunc(c, unicode.IsSpace))
	first, _ := utf8.DecodeRuneInString(c)
	return c != "" && (strings.ContainsRune("=+-@\t\r\n\x00＝＋－＠", first) || strings.ContainsRune("=+-@＝＋－＠", r))
}

// TestExportCSVThenImportGivesIdenticalPersonas writes 28 personas full of
// hostile values of every field kind, exports their group as CSV (with a
// BOM), imports the file into a new organisation and compares: every
// value comes back exactly, and no cell of the file reads as a formula.
func TestExportCSVThenImportGivesIdenticalPersonas(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := context.Background()
			svc := app.New(eng.Open(t), app.WithPasswordHasher(app.PasswordHasher{Time: 1, Memory: 64, Threads: 1}))
			u, err := svc.CreateUser(ctx, "owner@example.com", "Owner", "a long and unusual passphrase")
			if err != nil {
				t.Fatal(err)
			}
			actor, err := svc.ActorFor(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			tmpl, group := setUpOrg(t, svc, actor, "source", "Hostile")
			setUpOrg(t, svc, actor, "copy", "Imported")

			h := func(i int) string { return hostile[i%len(hostile)] }
			// Single-line text refuses tabs and line breaks (multi-line
			// text, the summary and Markdown, keeps them).
			l := func(i int) string { return strings.NewReplacer("\n", " ", "\t", " ").Replace(h(i)) }
			o := func(i int) string { return roundTripOptions[i%len(roundTripOptions)] }
			const n = 28
			for i := range n {
				status := persona.StatusDraft
				if i%2 == 1 {
					status = persona.StatusPublished
				}
				in := app.PersonaInput{Name: fmt.Sprintf("%s %d", l(i), i), Summary: h(i + 1), GroupID: group.ID, TemplateID: tmpl.ID,
					Status: status, Message: "hostile",
					Values: persona.Values{
						"title": l(i + 2), "notes": "  " + h(i+3) + "\n\n- " + h(i+4),
						"goals": []any{l(i), l(i + 5), l(i + 9)}, "tags": []any{l(i + 4), l(i + 10)},
						"channels": []any{o(i), o(i + 1), o(i + 3)}, "tier": o(i + 2),
						"size": -3.25 + float64(i)*1e6, "comfort": float64(i%5 + 1),
						"site": "https://example.com/?q=a;b,c&x=" + fmt.Sprint(i), "since": "2024-01-15",
					},
					Dimensions: persona.Values{"autonomy": float64(i%5 + 1), "style": []string{"+plus", "x; y", "-z"}[i%3]},
				}
				if i == n-1 { // one persona with almost nothing
					in.Values, in.Dimensions, in.Summary = persona.Values{"notes": "\t=indented code"}, nil, ""
				}
				if _, err := svc.CreatePersona(ctx, actor, "source", in); err != nil {
					t.Fatalf("persona %d: %v", i, err)
				}
			}

			var buf bytes.Buffer
			written, err := ExportGroupCSV(ctx, svc, actor, "source", "Hostile", &buf, CSVOptions{BOM: true})
			if err != nil || written != n {
				t.Fatalf("export: %d, %v", written, err)
			}
			raw := buf.String()
			if !strings.HasPrefix(raw, csvout.BOM+"name,summary,status,title,") {
				t.Fatalf("no BOM and header: %.80q", raw)
			}
			rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(raw, csvout.BOM))).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			for i, r := range rows {
				for j, c := range r {
					if formulaLike(c) {
						t.Errorf("row %d column %s: %q would run as a formula", i+1, rows[0][j], c)
					}
				}
			}

			im := &Importer{Svc: svc, Actor: actor, Org: "copy", Message: "round trip"}
			m, err := ParseMapping(strings.NewReader(roundTripMapping))
			if err != nil {
				t.Fatal(err)
			}
			rep, err := im.Import(ctx, m, FormatCSV, func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(raw)), nil }, false)
			if err != nil || rep.Created != n {
				t.Fatalf("import: %+v %v", rep, err)
			}

			byName := func(slug string) map[string]persona.Persona {
				out := map[string]persona.Persona{}
				if err := eachPersona(ctx, svc, actor, slug, "", func(p persona.Persona) error { out[p.Name] = p; return nil }); err != nil {
					t.Fatal(err)
				}
				return out
			}
			src, dst := byName("source"), byName("copy")
			if len(src) != n || len(dst) != n {
				t.Fatalf("%d personas exported, %d imported", len(src), len(dst))
			}
			js := func(v any) string { b, _ := json.Marshal(v); return string(b) }
			changed := 0
			for name, a := range src {
				b, ok := dst[name]
				if !ok {
					t.Errorf("%q did not come back", name)
					changed++
					continue
				}
				for _, k := range append(roundTripDefinition().FieldKeys(), "autonomy", "style") {
					av, bv := js(a.Values[k]), js(b.Values[k])
					if k == "autonomy" || k == "style" {
						av, bv = js(a.Dimensions[k]), js(b.Dimensions[k])
					}
					if av != bv {
						t.Errorf("%q %s: %s came back as %s", name, k, av, bv)
						changed++
					}
				}
				if a.Summary != b.Summary || a.Status != b.Status {
					t.Errorf("%q: summary %q status %s came back as %q %s", name, a.Summary, a.Status, b.Summary, b.Status)
					changed++
				}
			}
			if changed > 0 {
				t.Fatalf("%d fields changed in the round trip", changed)
			}
		})
	}
}
