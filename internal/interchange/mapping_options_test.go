package interchange

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// mapCSV compiles text against the demo's UX persona template and maps
// every row of a CSV, returning the inputs and the plan's warnings.
func mapCSV(t *testing.T, svc *app.Service, text, csvText string) ([]app.PersonaInput, []Problem, []string) {
	t.Helper()
	ctx := context.Background()
	m := mapping(t, text)
	im := &Importer{Svc: svc, Actor: app.System, Org: org}
	tmpl, err := im.findTemplate(ctx, m.Template)
	if err != nil {
		t.Fatal(err)
	}
	v, err := svc.GetVersion(ctx, app.System, org, tmpl.ID, tmpl.LatestVersion)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := Compile(m, FormatCSV, v.Definition)
	if err != nil {
		t.Fatal(err)
	}
	rd, err := NewReader(strings.NewReader(csvText), FormatCSV)
	if err != nil {
		t.Fatal(err)
	}
	c := rd.(*csvReader)
	if err := plan.bindHeader(c.cols, c.header); err != nil {
		t.Fatal(err)
	}
	var ins []app.PersonaInput
	var probs []Problem
	for {
		rec, err := rd.Next()
		if err != nil {
			break
		}
		in, p := plan.Map(rec)
		ins = append(ins, in)
		probs = append(probs, p...)
	}
	return ins, probs, plan.Warnings()
}

func TestMappingOptions(t *testing.T) {
	svc := newSvc(t)
	ins, probs, warns := mapCSV(t, svc, `
template: UX persona
group: Product users
name: {columns: [First, Last]}
summary: {columns: [Bio, Notes], join: " — "}
status: {column: State, map: {live: published, WIP: draft}, default: draft}
fields:
  goals: {column: Goals, split: [";", "|", "\n"], strip_bullets: true}
  tools: {column: Tools, split: ",", map: {xl: Excel, none: ""}}
  work_setting: {column: Where, default: Hybrid}
`, "First,Last,Bio,Notes,State,Goals,Tools,Where,Age,Photo URL\n"+
		"Rita,Reconciler,Ops lead,Met in May,Live,\"- - Automate the close|* Fewer matches; • Sleep\n1. Audit trail\",\"xl, SAP,none\",,41,http://x/p.png\n"+
		"Omar,Onboarder,,,,,,Office,29,\n")
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	r, o := ins[0], ins[1]
	if r.Name != "Rita Reconciler" || r.Summary != "Ops lead — Met in May" || r.Status != persona.StatusPublished {
		t.Fatalf("concatenation or value map: %q %q %q", r.Name, r.Summary, r.Status)
	}
	if g := r.Values["goals"].([]string); !slices.Equal(g, []string{"Automate the close", "Fewer matches", "Sleep", "Audit trail"}) {
		t.Fatalf("several separators and bullets: %#v", g)
	}
	if g := r.Values["tools"].([]string); !slices.Equal(trimAll(g), []string{"Excel", "SAP"}) {
		t.Fatalf("value map on list items (none dropped): %#v", g)
	}
	if r.Values["work_setting"] != "Hybrid" || o.Values["work_setting"] != "Office" || o.Status != persona.StatusDraft {
		t.Fatalf("defaults: %v %v %q", r.Values["work_setting"], o.Values["work_setting"], o.Status)
	}
	if o.Summary != "" {
		t.Fatalf("empty concatenation: %q", o.Summary)
	}
	want := []string{`column "Age" is not mapped: its values are not imported`, `column "Photo URL" is not mapped: its values are not imported`}
	if !slices.Equal(warns, want) {
		t.Fatalf("warnings %q", warns)
	}
}

func trimAll(s []string) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = strings.TrimSpace(x)
	}
	return out
}

func TestStripBullets(t *testing.T) {
	for in, want := range map[string]string{
		"- - Automate reports": "Automate reports",
		"* item":               "item",
		"•  item":              "item",
		"12. item":             "item",
		"3) item":              "item",
		"-":                    "",
		"-minus, no space":     "-minus, no space",
		"2024 was good":        "2024 was good",
		"3.5 stars":            "3.5 stars",
	} {
		if got := StripBullets(in); got != want {
			t.Errorf("StripBullets(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMappingOptionsRefusedWhereTheyDoNotApply(t *testing.T) {
	svc := newSvc(t)
	ctx := context.Background()
	tmpl, _ := (&Importer{Svc: svc, Actor: app.System, Org: org}).findTemplate(ctx, "UX persona")
	v, _ := svc.GetVersion(ctx, app.System, org, tmpl.ID, tmpl.LatestVersion)
	for text, want := range map[string]string{
		"name: {value: X, default: Y}":                                                "do not apply to a constant value",
		"name: {column: A, split: [\";\", \",\"]}":                                    "split applies only to list",
		"name: {column: A, columns: [B]}":                                             "exactly one of",
		"name: A\nmode: merge":                                                        "mode: must be create or update",
		"name: A\nfields: {tools: {column: T, escaped: true, split: [\";\", \",\"]}}": "escaped takes one separator",
	} {
		m, err := ParseMapping(strings.NewReader("template: UX persona\ngroup: Product users\n" + text))
		if err == nil {
			_, err = Compile(m, FormatCSV, v.Definition)
		}
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", text, err, want)
		}
	}
}

func TestUnmappedJSONKeysAreWarnings(t *testing.T) {
	svc := newSvc(t)
	rep, err := run(t, svc, mapping(t, "template: UX persona\ngroup: Product users\nname: n\nfields: {role_title: p.role}\n"), FormatJSONL,
		textOpen(`{"n":"Jo Json","p":{"role":"Dev"},"age":3}`+"\n"+`{"n":"Kim Key","p":{"role":"QA"},"photo":"x","age":4}`+"\n"), true)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{`key "age" is not mapped: its values are not imported`, `key "photo" is not mapped: its values are not imported`}
	if !slices.Equal(rep.Warnings, want) {
		t.Fatalf("warnings %q", rep.Warnings)
	}
}

func TestSuggestMatchesHeadersToFields(t *testing.T) {
	targets := []Target{{"name", "Name"}, {"summary", "Summary"}, {"values.role_title", "Role / job title"}, {"values.goals", "Goals"},
		{"values.pain_points", "Pain points"}, {"dimensions.technical_comfort", "Technical comfort"}}
	got := Suggest(targets, []string{"Full name", "Job title", "Goals", "Pains", "Tech comfort", "Age", "pain_points"})
	want := map[string]string{"name": "Full name", "values.role_title": "Job title", "values.goals": "Goals", "values.pain_points": "pain_points",
		"dimensions.technical_comfort": "Tech comfort"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: suggested %q, want %q", k, got[k], v)
		}
	}
	if _, ok := got["summary"]; ok || len(got) != len(want) {
		t.Errorf("suggested %v", got)
	}
	cols, err := SourceColumns(strings.NewReader(`[{"b":1,"a":2},{"c":3,"a":1}]`), FormatJSON)
	if err != nil || !slices.Equal(cols, []string{"a", "b", "c"}) {
		t.Fatalf("JSON keys %v %v", cols, err)
	}
}
