package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"
)

// TestPersonaAsCodeFilesValidate checks every file `export --dir` writes
// for the demo organisation against its JSON Schema (internal/api/schemas,
// docs/OPENAPI.md) with an independent validator: organisation.yaml,
// templates/*.yaml and personas/*.yaml.
func TestPersonaAsCodeFilesValidate(t *testing.T) {
	_, tree := demoTree(t)
	schemas := map[string]*jsonschema.Schema{}
	for _, name := range []string{"organisation-file", "template", "persona-file"} {
		c := jsonschema.NewCompiler()
		c.DefaultDraft(jsonschema.Draft2020)
		c.AssertFormat()
		b, err := os.ReadFile(filepath.Join("..", "..", "internal", "api", "schemas", name+".json"))
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if err := c.AddResource(name+".json", doc); err != nil {
			t.Fatal(err)
		}
		if schemas[name], err = c.Compile(name + ".json"); err != nil {
			t.Fatal(err)
		}
	}
	validate := func(path, schema string) error {
		t.Helper()
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var v any
		if err := yaml.Unmarshal(raw, &v); err != nil {
			t.Fatal(err)
		}
		// As JSON, the way a schema validator reads it (YAML times and
		// dates are strings there too).
		j, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
		if err != nil {
			t.Fatal(err)
		}
		return schemas[schema].Validate(doc)
	}
	check := func(path, schema string) {
		t.Helper()
		if err := validate(path, schema); err != nil {
			t.Errorf("%s does not validate against %s.json: %v", path, schema, err)
		}
	}
	check(filepath.Join(tree, "organisation.yaml"), "organisation-file")
	n := 0
	for sub, schema := range map[string]string{"templates": "template", "personas": "persona-file"} {
		files, err := filepath.Glob(filepath.Join(tree, sub, "*.yaml"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no %s files: %v", sub, err)
		}
		for _, f := range files {
			check(f, schema)
			n++
		}
	}
	if n < 15 {
		t.Fatalf("only %d template and persona files", n)
	}

	// And the schema refuses what an import refuses: a status that does
	// not exist, an ID that is not one, a revision that is no number.
	files, _ := filepath.Glob(filepath.Join(tree, "personas", "*.yaml"))
	for _, edit := range []func(m map[string]any){
		func(m map[string]any) { m["status"] = "live" },
		func(m map[string]any) { m["id"] = "../secrets" },
		func(m map[string]any) { m["revision"] = "two" },
	} {
		bad := filepath.Join(t.TempDir(), "bad.yaml")
		raw, err := os.ReadFile(files[0])
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(bad, raw, 0o644); err != nil {
			t.Fatal(err)
		}
		editYAML(t, bad, edit)
		if validate(bad, "persona-file") == nil {
			b, _ := os.ReadFile(bad)
			t.Errorf("a broken persona file validates:\n%s", b)
		}
	}
}
