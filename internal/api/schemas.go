package api

import (
	"embed"
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
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
	// Persona-as-code (`personapal export --dir`): organisation.yaml,
	// templates/*.yaml (template.json) and personas/*.yaml, a persona with
	// the revisions it was written at.
	{"persona-file", reflect.TypeFor[app.PersonaFile]()},
	{"organisation-file", reflect.TypeFor[persona.ExportOrgInfo]()},
}

// GenerateSchemas renders every schema document as indented JSON.
func GenerateSchemas() (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, d := range SchemaDocs {
		reg := huma.NewMapRegistry("#/$defs/", huma.DefaultSchemaNamer)
		root := reg.Schema(d.Type, true, "")
		constrain(reg)
		if d.Name == "persona-file" {
			// A variant or a note added in a file has no id, revision or
			// times yet: the import gives them.
			for _, def := range []string{"VariantFile", "ExportNote"} {
				if s := reg.Map()[def]; s != nil {
					s.Required = slices.DeleteFunc(slices.Clone(s.Required), func(p string) bool {
						return p == "id" || p == "revision" || p == "created_at" || p == "updated_at"
					})
				}
			}
		}
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
		constrain(reg)
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

// constrain adds to the schemas in reg what the Go types alone do not
// say, from the domain's own rules: the enumerations' values (addEnums),
// the export's format and version as constants, and patterns for IDs
// (properties id, *_id and *_ids), slugs and dates (*_on, YYYY-MM-DD), so
// that a validator refuses what an import would refuse for those reasons.
// Only the interchange documents get the patterns: in the API a bad ID is
// a 404 or a named field, not a pattern.
func constrain(reg huma.Registry) {
	addEnums(reg)
	for _, name := range sortedKeys(reg.Map()) {
		s := reg.Map()[name]
		t := reg.TypeFromRef(refPrefix(reg, name) + name)
		if t == nil || s == nil {
			continue
		}
		if deref(t) == reflect.TypeFor[persona.OrgExport]() {
			setConst(s.Properties["format"], persona.ExportFormat)
			setConst(s.Properties["version"], persona.ExportDocVersion)
		}
		eachField(deref(t), func(f reflect.StructField, json string) {
			p := s.Properties[json]
			if p == nil || p.Ref != "" || len(p.Enum) > 0 || p.Pattern != "" {
				return
			}
			ft := deref(f.Type)
			switch {
			case json == "external_id":
				// Another tool's identifier (a CRM's, a spreadsheet's row key):
				// any text, not one of ours.
			case ft.Kind() == reflect.String && (json == "id" || strings.HasSuffix(json, "_id")):
				p.Pattern = persona.IDPattern
			case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.String && strings.HasSuffix(json, "_ids") && p.Items != nil:
				p.Items.Pattern = persona.IDPattern
			case ft.Kind() == reflect.String && json == "slug":
				p.Pattern = persona.SlugPattern
			case ft.Kind() == reflect.String && strings.HasSuffix(json, "_on"):
				p.Pattern, p.Format = datePattern, "date"
			}
		})
	}
}

// datePattern is a calendar date as the domain writes them (YYYY-MM-DD).
const datePattern = `^[0-9]{4}-[0-9]{2}-[0-9]{2}$`

func setConst(s *huma.Schema, v any) {
	if s == nil {
		return
	}
	if s.Extensions == nil {
		s.Extensions = map[string]any{}
	}
	s.Extensions["const"] = v
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
