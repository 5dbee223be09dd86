package server_test

import (
	"bytes"
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/persona"

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

// TestImportAcceptsYAMLLikeTheCLI posts the organisation's export as YAML
// under each YAML media type: each creates a copy, as the CLI's import
// does; and a YAML document with an unknown key is refused naming its line.
func TestImportAcceptsYAMLLikeTheCLI(t *testing.T) {
	e := newEnv(t)
	var doc persona.OrgExport
	e.must(200, "GET", e.api("/export"), e.owner, nil).json(t, &doc)
	var buf bytes.Buffer
	if err := persona.EncodeExport(&buf, doc, "yaml"); err != nil {
		t.Fatal(err)
	}
	yml := buf.String()
	for i, ct := range []string{"application/yaml", "application/x-yaml", "text/yaml; charset=utf-8"} {
		var rep struct {
			Personas int `json:"personas"`
		}
		slug := fmt.Sprintf("yaml-copy-%d", i)
		e.must(201, "POST", "/api/v1/orgs/import?slug="+slug, e.other, yml, "Content-Type", ct).json(t, &rep)
		if rep.Personas != len(doc.Personas) || rep.Personas < 15 {
			t.Fatalf("%s: %d personas imported, the export has %d", ct, rep.Personas, len(doc.Personas))
		}
		e.must(200, "GET", "/api/v1/orgs/"+slug, e.other, nil)
	}
	typo := strings.Replace(yml, "\nformat:", "\nformatt: x\nformat:", 1)
	line := strings.Count(typo[:strings.Index(typo, "formatt:")], "\n") + 1
	p := e.must(422, "POST", "/api/v1/orgs/import?slug=typo", e.other, typo, "Content-Type", "application/yaml").problem(t)
	if !strings.Contains(p.Detail, fmt.Sprintf(`line %d: unknown key "formatt"`, line)) {
		t.Fatalf("typo: %+v", p)
	}
	e.must(404, "GET", "/api/v1/orgs/typo", e.other, nil)
}

// TestBadBodiesAreNeverEchoed sends 231 KB of bad body under every media
// type, to the import and to an ordinary JSON route: each answer is a
// problem document under 2 KB that holds no 20-byte run of the body — a key
// of the body is named by at most its first 64 bytes.
func TestBadBodiesAreNeverEchoed(t *testing.T) {
	e := newEnv(t)
	random := func(n int) string {
		b := make([]byte, n*5/8+1)
		rand.Read(b)
		return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)[:n]
	}
	const size = 231 << 10
	bodies := []struct{ name, contentType, body string }{
		{"malformed JSON", "application/json", `{"format": "personapal/org-export", "organisation": {"name": "` + random(size)},
		{"JSON with a huge value", "application/json", `{"format": "personapal/org-export", "version": 1, "organisation": {"name": "` + random(size) + `"}}`},
		{"JSON with a huge key", "application/json", `{"` + random(size) + `": 1}`},
		{"JSON of the wrong shape", "application/json", `[` + strings.Repeat(`"`+random(40)+`",`, size/43) + `1]`},
		{"no content type", "", `{"x": "` + random(size)},
		{"malformed YAML", "application/yaml", "format: personapal/org-export\norganisation:\n  name: \"" + random(size) + "\n  slug: x\n"},
		{"YAML with a huge key", "application/x-yaml", "format: personapal/org-export\n" + random(size) + ": 1\n"},
		{"YAML of the wrong type", "text/yaml", "format: personapal/org-export\nversion: " + random(size) + "\n"},
		{"plain text", "text/plain", random(size)},
		{"XML", "application/xml", "<export>" + random(size) + "</export>"},
		{"CBOR", "application/cbor", random(size)},
		{"a bad media type", "appl/ication/;;", random(size)},
	}
	targets := []string{"/api/v1/orgs/import?slug=echo", e.api("/groups")}
	for _, b := range bodies {
		for _, target := range targets {
			r := e.do("POST", target, e.owner, b.body, "Content-Type", b.contentType)
			where := fmt.Sprintf("%s to %s", b.name, target)
			if r.Status < 400 || r.Status >= 500 {
				t.Errorf("%s: status %d", where, r.Status)
				continue
			}
			if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
				t.Errorf("%s: content type %q", where, ct)
			}
			if len(r.Body) >= 2048 {
				t.Errorf("%s: a %d-byte answer: %.300s…", where, len(r.Body), r.Body)
			}
			w := 20
			if strings.Contains(b.name, "key") {
				w = 66 // 64 bytes and the quotes around them
			}
			runs := map[string]bool{}
			for i := 0; i+w <= len(r.Body); i++ {
				runs[string(r.Body[i:i+w])] = true
			}
			for i := 0; i+w <= len(b.body); i++ {
				if runs[b.body[i:i+w]] {
					t.Errorf("%s: the answer repeats the body (%q): %s", where, b.body[i:i+w], r.Body)
					break
				}
			}
		}
	}
	e.must(404, "GET", "/api/v1/orgs/echo", e.owner, nil)
}
