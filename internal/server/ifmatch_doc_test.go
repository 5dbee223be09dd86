package server_test

import (
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"

	"github.com/personapal/personapal/internal/api"
)

// Where the OpenAPI document says If-Match is required, the server means
// it: every such route, called by the owner without If-Match, answers 428
// with the current revision (and a route that answers 428 without it must
// say it is required: docs/OPENAPI.md).
func TestRequiredIfMatchIsRequired(t *testing.T) {
	e := newEnv(t)
	doc := api.Register(http.NewServeMux(), e.svc, slog.New(slog.NewTextHandler(io.Discard, nil))).OpenAPI()
	ids := e.ids()
	n := 0
	for _, rt := range documentedRoutes(doc) {
		item := doc.Paths[rt.Path]
		op := map[string]*huma.Operation{http.MethodPut: item.Put, http.MethodPost: item.Post,
			http.MethodPatch: item.Patch, http.MethodDelete: item.Delete, http.MethodGet: item.Get}[rt.Method]
		required := false
		for _, p := range op.Parameters {
			if p.In == "header" && strings.EqualFold(p.Name, "If-Match") && p.Required {
				required = true
			}
		}
		if !required {
			continue
		}
		n++
		body := any(map[string]any{})
		if op.RequestBody != nil && op.RequestBody.Content["application/json"] != nil {
			body = minimalBody(doc.Components.Schemas, op.RequestBody.Content["application/json"].Schema, 0)
		}
		res := e.do(rt.Method, ids.fill(rt.Path, e.org), e.owner, body)
		if res.Status != http.StatusPreconditionRequired {
			t.Errorf("%s without If-Match: %d %s; the document says If-Match is required", rt, res.Status, res.Body)
		}
	}
	if n < 5 {
		t.Fatalf("only %d routes require If-Match", n)
	}
}

// minimalBody is a value of schema s with only its required properties,
// each the simplest of its type: enough to get past body validation to
// the route's own checks.
func minimalBody(reg huma.Registry, s *huma.Schema, depth int) any {
	for s != nil && s.Ref != "" {
		s = reg.SchemaFromRef(s.Ref)
	}
	if s == nil || depth > 6 {
		return nil
	}
	if len(s.Enum) > 0 {
		return s.Enum[0]
	}
	switch s.Type {
	case "string":
		return "x"
	case "integer", "number":
		return 1
	case "boolean":
		return false
	case "array":
		return []any{}
	}
	out := map[string]any{}
	for _, name := range s.Required {
		out[name] = minimalBody(reg, s.Properties[name], depth+1)
	}
	return out
}
