package interchange

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/demo"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/seed"
	"github.com/personapal/personapal/internal/store"
)

const org = "ledgerline-demo"

func newSvc(t testing.TB) *app.Service {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "x.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	svc := app.New(db)
	if _, err := seed.Demo(ctx, svc, demo.Data()); err != nil {
		t.Fatal(err)
	}
	return svc
}

func mapping(t testing.TB, text string) *Mapping {
	t.Helper()
	m, err := ParseMapping(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func mappingFile(t testing.TB, name string) *Mapping {
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return mapping(t, string(raw))
}

func fileOpen(path string) Open { return func() (io.ReadCloser, error) { return os.Open(path) } }

func textOpen(s string) Open {
	return func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(s)), nil }
}

func all(t testing.TB, svc *app.Service) map[string]persona.Persona {
	t.Helper()
	out := map[string]persona.Persona{}
	err := eachPersona(context.Background(), svc, app.System, org, "", func(p persona.Persona) error {
		out[p.Name] = p
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func run(t testing.TB, svc *app.Service, m *Mapping, format string, open Open, dry bool) (Report, error) {
	im := &Importer{Svc: svc, Actor: app.System, Org: org, Message: "test import"}
	return im.Import(context.Background(), m, format, open, dry)
}

func TestImportCSVWithMappingFile(t *testing.T) {
	svc := newSvc(t)
	before := len(all(t, svc))
	m := mappingFile(t, "users.map.yaml")
	rep, err := run(t, svc, m, FormatCSV, fileOpen("testdata/users.csv"), true)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Records != 2 || len(rep.Preview) != 2 || rep.Preview[0].Name != "Rita Reconciler" || len(all(t, svc)) != before {
		t.Fatalf("dry run: %+v", rep)
	}
	rep, err = run(t, svc, m, FormatCSV, fileOpen("testdata/users.csv"), false)
	if err != nil || rep.Created != 2 {
		t.Fatalf("import: %+v %v", rep, err)
	}
	ps := all(t, svc)
	if len(ps) != before+2 {
		t.Fatalf("%d personas, want %d", len(ps), before+2)
	}
	r := ps["Rita Reconciler"]
	if r.Values["role_title"] != "Reconciliation analyst" || r.Values["work_setting"] != "Hybrid" || r.Status != persona.StatusPublished ||
		r.Summary != `Works in ops, "hands-on".` || r.Dimensions["technical_comfort"] != 4.0 {
		t.Fatalf("Rita: %+v", r.Content)
	}
	if g, _ := r.Values["goals"].([]string); !slices.Equal(g, []string{"Close the month on time", "Fewer manual matches"}) {
		t.Fatalf("goals %#v", r.Values["goals"])
	}
	if g, _ := r.Values["tools"].([]string); !slices.Equal(g, []string{"excel", "sap"}) {
		t.Fatalf("tools %#v", r.Values["tools"])
	}
	groups, _ := svc.ListGroups(context.Background(), app.System, org)
	for _, g := range groups {
		if g.Name == "Product users" && g.ID != r.GroupID {
			t.Fatal("wrong group")
		}
	}
	// Importing the same file again: both are duplicates, nothing written.
	_, err = run(t, svc, m, FormatCSV, fileOpen("testdata/users.csv"), false)
	if err == nil || !strings.Contains(err.Error(), `row 2, column "Full name": name: persona "Rita Reconciler" already exists`) {
		t.Fatalf("re-import: %v", err)
	}
	if persona.ErrorCode(err) != persona.CodeInvalid || len(all(t, svc)) != before+2 {
		t.Fatal("re-import changed the database or has the wrong code")
	}
}

func TestImportForeignJSONWithPathsAndNestedList(t *testing.T) {
	svc := newSvc(t)
	before := len(all(t, svc))
	rep, err := run(t, svc, mappingFile(t, "foreign.map.yaml"), "", fileOpen("testdata/foreign.json"), false)
	if err != nil || rep.Created != 2 {
		t.Fatalf("%+v %v", rep, err)
	}
	ps := all(t, svc)
	j := ps["Jade JSON"]
	if len(ps) != before+2 || j.Values["role_title"] != "Treasury analyst" || j.Values["experience_years"] != 7.0 ||
		j.Values["quote"] != "Treasury" || j.Dimensions["technical_comfort"] != 5.0 {
		t.Fatalf("Jade: %+v", j.Content)
	}
	if g, _ := j.Values["goals"].([]string); !slices.Equal(g, []string{"See cash positions live", "Stop re-keying"}) {
		t.Fatalf("goals %#v", j.Values["goals"])
	}
	if g, _ := j.Values["tools"].([]string); !slices.Equal(g, []string{"treasury", "swift"}) {
		t.Fatalf("tools %#v", j.Values["tools"])
	}
	if _, ok := ps["Kai Keyed"].Values["goals"]; ok {
		t.Fatal("an empty nested list should leave goals empty")
	}
}

func TestImportJSONLines(t *testing.T) {
	svc := newSvc(t)
	m := mappingFile(t, "foreign.map.yaml")
	rep, err := run(t, svc, m, FormatJSONL, fileOpen("testdata/foreign.jsonl"), false)
	if err != nil || rep.Created != 2 {
		t.Fatalf("%+v %v", rep, err)
	}
	ps := all(t, svc)
	if ps["Max Lines"].Values["role_title"] != "Auditor" || ps["Lena Lines"].Dimensions["technical_comfort"] != 3.0 {
		t.Fatalf("%+v", ps["Max Lines"].Content)
	}
}

func TestBadInputNamesWhereAndWritesNothing(t *testing.T) {
	svc := newSvc(t)
	before := len(all(t, svc))
	csvMap := mappingFile(t, "users.map.yaml")
	jsonMap := mappingFile(t, "foreign.map.yaml")
	header := "Full name,Job title,Goals,Tech comfort,Bio,Tools\n"
	good := "Ann A,Analyst,Goal,3,,\n"
	long := header + good + "Zed,Analyst,\"" + strings.Repeat("x", 10<<20) + "\",3,,\n"
	cases := []struct {
		name, format, input string
		m                   *Mapping
		want                []string
	}{
		{"bad quoting", FormatCSV, header + good + "Bob B,Analyst,\"Goal \"bad\" quote,3,,\n", csvMap, []string{"row 3 (line 3", "malformed CSV", "extraneous or missing"}},
		{"wrong column count", FormatCSV, header + good + "Cy,Analyst\n", csvMap, []string{"row 3", "has 2 columns, the header has 6"}},
		{"scale out of range", FormatCSV, header + good + good + "Dee D,Analyst,Goal,9,,\n", csvMap, []string{`row 4, column "Tech comfort": dimensions.technical_comfort: must be`}},
		{"missing required", FormatCSV, header + "Eve E,,Goal,3,,\n", csvMap, []string{`row 2, column "Job title": values.role_title: is required`}},
		{"duplicate in file", FormatCSV, header + good + "ann a,Analyst,,3,,\n", csvMap, []string{`row 3, column "Full name": name: duplicate persona "ann a": row 2 has the same name`}},
		{"empty csv", FormatCSV, "", csvMap, []string{"empty file"}},
		{"missing column", FormatCSV, "Full name,Role\nX,Y\n", csvMap, []string{"row 1: the header lacks the mapped column(s)", `"Job title"`, `the header has "Full name", "Role"`}},
		{"10 MB line", FormatCSV, long, csvMap, []string{"row 3", "line 3 is longer than 1048576 bytes"}},
		{"malformed json", FormatJSON, "[\n {\"fullName\": \"A\", \"profile\": {\"role\": \"R\"}},\n {\"fullName\": oops}\n]", jsonMap, []string{"record 2", "malformed JSON at byte"}},
		{"truncated json", FormatJSON, `[{"fullName": "A"`, jsonMap, []string{"record 1", "unexpected end"}},
		{"not an array", FormatJSON, `{"fullName": "A"}`, jsonMap, []string{"expected a JSON array of records, found an object"}},
		{"empty json", FormatJSON, " \n", jsonMap, []string{"empty file"}},
		{"empty array", FormatJSON, "[]", jsonMap, []string{"no records"}},
		{"json value type", FormatJSON, `[{"fullName":"Q","profile":{"role":{"x":1}}}]`, jsonMap, []string{`record 1, path "profile.role": values.role_title: expected a single value, found an object`}},
		{"json 10 MB record", FormatJSON, `[{"fullName":"` + strings.Repeat("y", 10<<20) + `"}]`, jsonMap, []string{"record 1", "larger than 1048576 bytes"}},
		{"jsonl bad line", FormatJSONL, "{\"fullName\":\"A\",\"profile\":{\"role\":\"R\"}}\n{\"fullName\": \n", jsonMap, []string{"line 2", "malformed JSON"}},
		{"jsonl 10 MB line", FormatJSONL, "{\"fullName\":\"A\",\"profile\":{\"role\":\"R\"}}\n\"" + strings.Repeat("z", 10<<20) + "\"\n", jsonMap, []string{"line 2: longer than 1048576 bytes"}},
		{"jsonl empty", FormatJSONL, "\n\n", jsonMap, []string{"empty file"}},
		{"unknown template", FormatCSV, header + good, mapping(t, "template: Nope\ngroup: Product users\nname: Full name\n"), []string{`template "Nope": no such template`, `"UX persona"`}},
		{"unknown group", FormatCSV, header + good, mapping(t, "template: UX persona\ngroup: Nope\nname: Full name\n"), []string{`group "Nope": no such group`}},
		{"unknown field", FormatCSV, header + good, mapping(t, "template: UX persona\ngroup: Product users\nname: Full name\nfields: {favourite_colour: Bio}\n"), []string{"fields.favourite_colour: the template has no such field"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := run(t, svc, c.m, c.format, textOpen(c.input), false)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%.600s", w, err)
				}
			}
			if persona.ErrorCode(err) != persona.CodeInvalid {
				t.Errorf("code %q, want invalid", persona.ErrorCode(err))
			}
			if n := len(all(t, svc)); n != before {
				t.Fatalf("%d personas after a failed import, want %d", n, before)
			}
		})
	}
}

func TestImportStopsCollectingAtMaxErrors(t *testing.T) {
	svc := newSvc(t)
	var b strings.Builder
	b.WriteString("Full name,Job title,Goals,Tech comfort,Bio,Tools\n")
	for i := 0; i < 300; i++ {
		b.WriteString("P" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + ",,,,,\n")
	}
	_, err := run(t, svc, mappingFile(t, "users.map.yaml"), FormatCSV, textOpen(b.String()), false)
	ie := &ImportError{}
	if !errorsAs(err, &ie) || len(ie.Problems) != 100 || !ie.Truncated {
		t.Fatalf("%v", err)
	}
}

func TestMappingValidation(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{"", "empty"},
		{"group: g\nname: n\n", "template: is required"},
		{"template: t\ngroup: g\n", "name: is required"},
		{"template: t\ngroup: g\nname: n\nfeilds: {}\n", "feilds"},
		{"template: t\ngroup: g\nname: {colum: x}\n", `unknown key "colum"`},
		{"template: t\ngroup: g\nname: n\nformat: xml\n", "format: must be one of"},
		{"template: [\n", "mapping:"},
	} {
		_, err := ParseMapping(strings.NewReader(c.text))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.text, err, c.want)
		}
	}
	def := persona.StarterTemplates()[0].Definition
	for _, c := range []struct{ format, text, want string }{
		{FormatCSV, "template: t\ngroup: g\nname: {path: a.b}\n", "name: path \"a.b\" is for JSON input"},
		{FormatJSON, "template: t\ngroup: g\nname: {column: A}\n", "name: column \"A\" is for CSV input"},
		{FormatJSON, "template: t\ngroup: g\nname: \"a..b\"\n", "empty key"},
		{FormatCSV, "template: t\ngroup: g\nname: {column: A, value: x}\n", "exactly one of"},
		{FormatCSV, "template: t\ngroup: g\nname: A\nfields: {role_title: {column: R, split: \";\"}}\n", "split applies only to list"},
		{FormatCSV, "template: t\ngroup: g\nname: A\ndimensions: {nope: X}\n", "dimensions.nope: the template has no such dimension"},
	} {
		_, err := Compile(mapping(t, c.text), c.format, def)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.text, err, c.want)
		}
	}
}

func TestJSONPath(t *testing.T) {
	doc := map[string]any{"a": map[string]any{"b": "x"}, "goals": []any{map[string]any{"text": "g1"}, map[string]any{"text": "g2"}, "bare"},
		"tags": []any{"t0", "t1"}, "odd key": 5.0}
	for _, c := range []struct {
		path string
		want []any
	}{
		{"a.b", []any{"x"}}, {"goals[*].text", []any{"g1", "g2"}}, {"tags[0]", []any{"t0"}}, {"tags[5]", nil},
		{`["odd key"]`, []any{5.0}}, {"missing.x", nil}, {"tags[*]", []any{"t0", "t1"}},
	} {
		p, err := ParsePath(c.path)
		if err != nil {
			t.Fatalf("%s: %v", c.path, err)
		}
		if got := p.Eval(doc); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.path, got, c.want)
		}
	}
	for _, bad := range []string{"", ".a", "a.", "a..b", "a[", "a[x]", "a[*", `a["x`, "a]b", "a.[0]", "a[0]b"} {
		if _, err := ParsePath(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestExportGroupCSV(t *testing.T) {
	svc := newSvc(t)
	var buf bytes.Buffer
	n, err := ExportGroupCSV(context.Background(), svc, app.System, org, "Product users", &buf, CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 || len(rows) != n+1 || !slices.Equal(rows[0][:4], []string{"name", "summary", "status", "role_title"}) ||
		!slices.Contains(rows[0], "dimension:technical_comfort") {
		t.Fatalf("%d personas, header %v", n, rows[0])
	}
	found := false
	for _, r := range rows[1:] {
		if r[0] == "System Lead" && r[3] == "Reconciliation System Lead" {
			found = true
		}
	}
	if !found {
		t.Fatal("System Lead row missing")
	}
	if _, err := ExportGroupCSV(context.Background(), svc, app.System, org, "Nope", io.Discard, CSVOptions{}); err == nil {
		t.Fatal("unknown group exported")
	}
}
