package server_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

func TestExportImportOverTheAPI(t *testing.T) {
	e := newEnv(t)
	e.must(403, "GET", e.api("/export"), e.viewer, nil)
	r := e.must(200, "GET", e.api("/export"), e.owner, nil)
	var doc map[string]any
	r.json(t, &doc)
	if doc["format"] != "personapal/org-export" || len(doc["personas"].([]any)) < 15 {
		t.Fatalf("export: %.300s", r.Body)
	}
	var rep struct {
		DryRun   bool `json:"dry_run"`
		Personas int  `json:"personas"`
		Org      struct {
			Slug string `json:"slug"`
		} `json:"organisation"`
	}
	e.must(201, "POST", "/api/v1/orgs/import?slug=copy&dry_run=true", e.other, json.RawMessage(r.Body)).json(t, &rep)
	if !rep.DryRun || rep.Personas < 15 {
		t.Fatalf("dry run %+v", rep)
	}
	e.must(404, "GET", "/api/v1/orgs/copy", e.other, nil)
	e.must(201, "POST", "/api/v1/orgs/import?slug=copy", e.other, json.RawMessage(r.Body)).json(t, &rep)
	var list listJSON[personaJSON]
	e.must(200, "GET", "/api/v1/orgs/copy/personas?limit=200", e.other, nil).json(t, &list)
	if len(list.Items) != rep.Personas {
		t.Fatalf("copy has %d personas, report %d", len(list.Items), rep.Personas)
	}
	// The importer owns the copy; the original's owner is not let in.
	e.must(404, "GET", "/api/v1/orgs/copy", e.owner, nil)
	var warned struct {
		Warnings []string `json:"warnings"`
	}
	e.must(201, "POST", "/api/v1/orgs/import?slug=copy3&dry_run=true", e.other, json.RawMessage(r.Body)).json(t, &warned)
	if len(warned.Warnings) == 0 {
		t.Fatal("no warning that the original owner's work is reassigned")
	}
	doc["version"] = 99
	bad, _ := json.Marshal(doc)
	p := e.must(422, "POST", "/api/v1/orgs/import?slug=copy2", e.other, json.RawMessage(bad)).problem(t)
	if len(p.Errors) == 0 {
		t.Fatal("no field errors")
	}
	e.must(404, "GET", "/api/v1/orgs/copy2", e.other, nil)
}

func TestExportsValidateAgainstTheServedSchemas(t *testing.T) {
	e := newEnv(t)
	compile := func(name string) *jsonschema.Schema {
		t.Helper()
		r := e.must(200, "GET", "/api/schemas/"+name+".json", "", nil)
		if ct := r.Header.Get("Content-Type"); ct != "application/schema+json" {
			t.Fatalf("%s content type %q", name, ct)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(r.Body))
		if err != nil {
			t.Fatal(err)
		}
		c := jsonschema.NewCompiler()
		if err := c.AddResource(name+".json", doc); err != nil {
			t.Fatal(err)
		}
		s, err := c.Compile(name + ".json")
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	orgSchema, personaSchema, templateSchema := compile("org-export"), compile("persona"), compile("template")
	body := e.must(200, "GET", e.api("/export"), e.owner, nil).Body
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if err := orgSchema.Validate(inst); err != nil {
		t.Fatalf("the export does not match its schema: %v", err)
	}
	doc := inst.(map[string]any)
	for _, p := range doc["personas"].([]any) {
		if err := personaSchema.Validate(p); err != nil {
			t.Fatalf("a persona does not match its schema: %v", err)
		}
	}
	for _, tm := range doc["templates"].([]any) {
		if err := templateSchema.Validate(tm); err != nil {
			t.Fatalf("a template does not match its schema: %v", err)
		}
	}
	// The schema can fail: a wrong type and an unknown property are refused.
	doc["personas"].([]any)[0].(map[string]any)["status"] = 5
	if orgSchema.Validate(doc) == nil {
		t.Fatal("a numeric status passed the schema")
	}
	doc["personas"].([]any)[0].(map[string]any)["status"] = "draft"
	doc["surprise"] = true
	if orgSchema.Validate(doc) == nil {
		t.Fatal("an unknown property passed the schema")
	}
	e.must(404, "GET", "/api/schemas/nope.json", "", nil)
}
