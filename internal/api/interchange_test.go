package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/demo"
	"github.com/personapal/personapal/internal/seed"
	"github.com/personapal/personapal/internal/store"
)

// The interchange schemas are checked with an independent JSON Schema
// validator (santhosh-tekuri/jsonschema, formats asserted): the demo
// organisation's real export validates against org-export.json, and each
// deliberately broken export in testdata/broken-exports (the real export
// with one change: {"op": replace|remove|add, "path": JSON pointer,
// "value"}) is refused.

// compileSchema compiles one committed schema document.
func compileSchema(t *testing.T, name string) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	b, err := os.ReadFile(filepath.Join("schemas", name+".json"))
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
	s, err := c.Compile(name + ".json")
	if err != nil {
		t.Fatalf("%s does not compile: %v", name, err)
	}
	return s
}

// demoExport is the demo organisation's export as generic JSON.
func demoExport(t *testing.T) any {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "export.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	svc := app.New(db, app.WithPasswordHasher(app.PasswordHasher{Time: 1, Memory: 64, Threads: 1}))
	creds, err := seed.Demo(ctx, svc, demo.Data())
	if err != nil {
		t.Fatal(err)
	}
	e, err := svc.ExportOrg(ctx, app.System, creds.OrgSlug)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

type brokenExport struct {
	Why   string `json:"why"`
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value any    `json:"value"`
}

// patch applies one change to doc (in place), failing when the path does
// not lead anywhere: a broken export that breaks nothing proves nothing.
func patch(t *testing.T, doc any, b brokenExport) {
	t.Helper()
	parts := strings.Split(strings.TrimPrefix(b.Path, "/"), "/")
	cur := doc
	for _, p := range parts[:len(parts)-1] {
		switch c := cur.(type) {
		case map[string]any:
			cur = c[p]
		case []any:
			i, err := strconv.Atoi(p)
			if err != nil || i >= len(c) {
				t.Fatalf("%s: no %q in the demo export", b.Path, p)
			}
			cur = c[i]
		default:
			t.Fatalf("%s: no %q in the demo export", b.Path, p)
		}
	}
	last := parts[len(parts)-1]
	switch c := cur.(type) {
	case map[string]any:
		if _, ok := c[last]; ok == (b.Op == "add") {
			t.Fatalf("%s: %s, but the demo export has %v there", b.Path, b.Op, c[last])
		}
		if b.Op == "remove" {
			delete(c, last)
		} else {
			c[last] = b.Value
		}
	case []any:
		i, err := strconv.Atoi(last)
		if err != nil || i >= len(c) || b.Op != "replace" {
			t.Fatalf("%s: cannot %s in a list here", b.Path, b.Op)
		}
		c[i] = b.Value
	default:
		t.Fatalf("%s: not in the demo export", b.Path)
	}
}

func TestTheDemoExportValidatesAndBrokenExportsDoNot(t *testing.T) {
	schema := compileSchema(t, "org-export")
	if err := schema.Validate(demoExport(t)); err != nil {
		t.Fatalf("the demo organisation's export does not validate against org-export.json: %v", err)
	}
	files, err := filepath.Glob(filepath.Join("testdata", "broken-exports", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 8 {
		t.Fatalf("%d broken exports; want at least 8", len(files))
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".json"), func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var b brokenExport
			if err := json.Unmarshal(raw, &b); err != nil || b.Why == "" || b.Path == "" {
				t.Fatalf("%s: want {why, op, path, value}: %v", f, err)
			}
			doc := demoExport(t)
			patch(t, doc, b)
			err = schema.Validate(doc)
			if err == nil {
				t.Fatalf("%s (%s at %s) validates against org-export.json", b.Why, b.Op, b.Path)
			}
			// Refused for the change, not for something else.
			ve, ok := err.(*jsonschema.ValidationError)
			if !ok {
				t.Fatalf("not a validation error: %v", err)
			}
			if !mentions(ve, b.Path) {
				t.Errorf("%s: refused, but not at %s: %v", b.Why, b.Path, err)
			}
		})
	}
}

// mentions reports whether a validation error (or one of its causes) is
// located at path (or inside it) or at its parent (a missing or unknown property is
// reported on the object).
func mentions(ve *jsonschema.ValidationError, path string) bool {
	loc := "/" + strings.Join(ve.InstanceLocation, "/")
	parent := path[:strings.LastIndex(path, "/")]
	if parent == "" {
		parent = "/"
	}
	if len(ve.Causes) == 0 && (loc == parent || strings.HasPrefix(loc+"/", path+"/")) {
		return true
	}
	for _, c := range ve.Causes {
		if mentions(c, path) {
			return true
		}
	}
	return false
}
