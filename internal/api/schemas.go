package api

import (
	"embed"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// JSON Schema (2020-12) documents of the interchange formats: an
// organisation export, a template and a persona as they appear in it, and
// each webhook event's payload (webhook-<type>.json). They
// are generated from the Go types (GenerateSchemas), kept in the repository
// under internal/api/schemas/ and served at /api/schemas/<name>.json. A
// test fails when the committed files differ from what the types give.

//go:embed schemas/*.json
var schemaFiles embed.FS

// SchemaDocs names each schema document and its root type.
var SchemaDocs = []struct {
	Name string
	Type reflect.Type
}{
	{"org-export", reflect.TypeFor[persona.OrgExport]()},
	{"template", reflect.TypeFor[persona.ExportTemplate]()},
	{"persona", reflect.TypeFor[persona.ExportPersona]()},
}

// GenerateSchemas renders every schema document as indented JSON.
func GenerateSchemas() (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, d := range SchemaDocs {
		reg := huma.NewMapRegistry("#/$defs/", huma.DefaultSchemaNamer)
		root := reg.Schema(d.Type, true, "")
		doc := map[string]any{
			"$schema": "https://json-schema.org/draft/2020-12/schema",
			"$id":     "https://personapal.example/api/schemas/" + d.Name + ".json",
			"title":   "Persona Pal " + strings.ReplaceAll(d.Name, "-", " "),
			"$ref":    root.Ref,
			"$defs":   reg.Map(),
		}
		b, err := json.MarshalIndent(doc, "", "  ")
		if err != nil {
			return nil, err
		}
		out[d.Name] = append(b, '\n')
	}
	// One document per webhook event type: the common event shape with
	// its type and its object's kind fixed.
	for _, typ := range append(app.WebhookEventTypes(), "webhook.test") {
		reg := huma.NewMapRegistry("#/$defs/", huma.DefaultSchemaNamer)
		root := reg.Schema(reflect.TypeFor[persona.WebhookEvent](), true, "")
		kind, _, _ := strings.Cut(typ, ".")
		name := "webhook-" + typ
		doc := map[string]any{
			"$schema": "https://json-schema.org/draft/2020-12/schema",
			"$id":     "https://personapal.example/api/schemas/" + name + ".json",
			"title":   "Persona Pal webhook event " + typ,
			"allOf": []any{
				map[string]any{"$ref": root.Ref},
				map[string]any{"properties": map[string]any{
					"type": map[string]any{"const": typ},
					"data": map[string]any{"properties": map[string]any{
						"object": map[string]any{"properties": map[string]any{"kind": map[string]any{"const": kind}}}}},
				}},
			},
			"$defs": reg.Map(),
		}
		b, err := json.MarshalIndent(doc, "", "  ")
		if err != nil {
			return nil, err
		}
		out[name] = append(b, '\n')
	}
	return out, nil
}

// serveSchemas serves the committed schema documents.
func serveSchemas(mux Mux) {
	mux.HandleFunc("GET /api/schemas/{name}", func(w http.ResponseWriter, r *http.Request) {
		b, err := schemaFiles.ReadFile("schemas/" + r.PathValue("name"))
		if err != nil || !strings.HasSuffix(r.PathValue("name"), ".json") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/schema+json")
		w.Header().Set("Cache-Control", "public, max-age=3600")
		_, _ = w.Write(b)
	})
}
