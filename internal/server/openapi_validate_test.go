package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/personapal/personapal/internal/persona"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Every JSON answer the server tests receive is checked against the OpenAPI
// document the server publishes (/api/openapi.json): the schema of the
// operation that answered, for the status it answered with. A body that
// does not match — a null where the document promises an object or an
// array, a missing required property, an undocumented property, a wrong
// type — fails the test with the request and the validation error, so a
// client generated from the document can trust it.
//
// OpenAPI 3.1 schemas are JSON Schema 2020-12; the whole document is one
// resource, so "#/components/schemas/…" references resolve inside it.

// openAPIChecker holds the published document, a router that finds the
// operation a request reached, and the schemas compiled so far.
type openAPIChecker struct {
	mu       sync.Mutex
	doc      map[string]any
	ops      *http.ServeMux // "METHOD /path/{param}" patterns of the document
	compiler *jsonschema.Compiler
	schemas  map[string]*jsonschema.Schema // by JSON pointer
}

var (
	openAPIMu sync.Mutex
	openAPI   *openAPIChecker
)

// loadOpenAPI reads the document from h once per test binary (every test
// server serves the same document); a handler that serves none (a stand-in
// for a broken server) is an error, and the next call tries again.
func loadOpenAPI(h http.Handler) (*openAPIChecker, error) {
	openAPIMu.Lock()
	defer openAPIMu.Unlock()
	if openAPI != nil {
		return openAPI, nil
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/openapi.json", nil))
	if rec.Code != http.StatusOK {
		return nil, fmt.Errorf("GET /api/openapi.json: %d", rec.Code)
	}
	raw, err := jsonschema.UnmarshalJSON(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		return nil, fmt.Errorf("the OpenAPI document is not JSON: %w", err)
	}
	doc, _ := raw.(map[string]any)
	paths, _ := doc["paths"].(map[string]any)
	if len(paths) == 0 {
		return nil, fmt.Errorf("the OpenAPI document has no paths")
	}
	c := &openAPIChecker{doc: doc, ops: http.NewServeMux(), compiler: jsonschema.NewCompiler(), schemas: map[string]*jsonschema.Schema{}}
	c.compiler.DefaultDraft(jsonschema.Draft2020)
	c.compiler.AssertFormat()
	if err := c.compiler.AddResource("openapi.json", raw); err != nil {
		return nil, err
	}
	for p, item := range paths {
		for method := range item.(map[string]any) {
			switch m := strings.ToUpper(method); m {
			case "GET", "PUT", "POST", "DELETE", "PATCH":
				c.ops.HandleFunc(m+" "+p, func(http.ResponseWriter, *http.Request) {})
			}
		}
	}
	openAPI = c
	return c, nil
}

// checkOpenAPI fails t when a JSON response to req does not match the
// schema the document gives for it. Answers that are not JSON (files, CSV,
// Markdown, HTML) and answers outside the API are not checked.
func checkOpenAPI(t testing.TB, h http.Handler, req *http.Request, status int, header http.Header, body []byte) {
	t.Helper()
	if problem := openAPIProblem(h, req, status, header, body); problem != "" {
		t.Errorf("%s %s → %d: %s\nbody: %.600s", req.Method, req.URL.RequestURI(), status, problem, body)
	}
}

// openAPIProblem says what is wrong with a response, or "".
func openAPIProblem(h http.Handler, req *http.Request, status int, header http.Header, body []byte) string {
	if !strings.HasPrefix(req.URL.Path, "/api/") || req.Method == http.MethodHead {
		return ""
	}
	ct, _, _ := mime.ParseMediaType(header.Get("Content-Type"))
	if ct != "application/json" && !strings.HasSuffix(ct, "+json") {
		return "" // files, CSV, Markdown, YAML; and empty answers
	}
	c, err := loadOpenAPI(h)
	if err != nil {
		return "cannot read the OpenAPI document: " + err.Error()
	}
	_, pattern := c.ops.Handler(&http.Request{Method: req.Method, URL: &url.URL{Path: req.URL.Path}, Host: "example.com"})
	var ptr string
	if method, path, ok := strings.Cut(pattern, " "); ok && pattern != "" {
		op := c.doc["paths"].(map[string]any)[path].(map[string]any)[strings.ToLower(method)].(map[string]any)
		responses, _ := op["responses"].(map[string]any)
		code := strconv.Itoa(status)
		resp, ok := responses[code].(map[string]any)
		if !ok {
			if resp, ok = responses["default"].(map[string]any); !ok {
				return fmt.Sprintf("status %d is not documented for %s", status, pattern)
			}
			code = "default"
		}
		at := "/paths/" + pointerEscape(path) + "/" + strings.ToLower(method) + "/responses/" + code
		if ref, ok := resp["$ref"].(string); ok { // a shared answer: #/components/responses/<name>
			name, found := strings.CutPrefix(ref, "#/components/responses/")
			shared, _ := c.doc["components"].(map[string]any)["responses"].(map[string]any)
			if resp, ok = shared[name].(map[string]any); !found || !ok {
				return fmt.Sprintf("%s answers %d with %s, which the document does not hold", pattern, status, ref)
			}
			at = "/components/responses/" + pointerEscape(name)
		}
		content, _ := resp["content"].(map[string]any)
		if _, ok := content[ct]; !ok {
			return fmt.Sprintf("a %s body for status %d is not documented for %s (responses %s)", ct, status, pattern, code)
		}
		ptr = at + "/content/" + pointerEscape(ct) + "/schema"
	} else if ct == "application/problem+json" {
		// No operation (an unknown path, a refused method, a request
		// stopped before routing): still a problem document.
		ptr = "/components/schemas/Problem"
	} else if strings.HasPrefix(req.URL.Path, "/api/v1/") {
		return fmt.Sprintf("a %s answer from a path the document does not describe", ct)
	} else {
		return "" // the document itself, the export schemas
	}
	sch, err := c.schema(ptr)
	if err != nil {
		return "cannot compile the schema at " + ptr + ": " + err.Error()
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return "the body is not JSON: " + err.Error()
	}
	if err := sch.Validate(inst); err != nil {
		return "the body does not match the OpenAPI schema (" + ptr + "): " + validationText(err)
	}
	return ""
}

// schema compiles (once) the schema at a JSON pointer into the document.
func (c *openAPIChecker) schema(ptr string) (*jsonschema.Schema, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.schemas[ptr]; ok {
		return s, nil
	}
	s, err := c.compiler.Compile("openapi.json#" + fragmentEscape(ptr))
	if err != nil {
		return nil, err
	}
	c.schemas[ptr] = s
	return s, nil
}

// pointerEscape escapes one JSON pointer token (RFC 6901).
func pointerEscape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// fragmentEscape percent-encodes a JSON pointer for a URI fragment.
func fragmentEscape(ptr string) string {
	var b strings.Builder
	for i := 0; i < len(ptr); i++ {
		ch := ptr[i]
		if 'a' <= ch && ch <= 'z' || 'A' <= ch && ch <= 'Z' || '0' <= ch && ch <= '9' || strings.IndexByte("/-._~", ch) >= 0 {
			b.WriteByte(ch)
		} else {
			fmt.Fprintf(&b, "%%%02X", ch)
		}
	}
	return b.String()
}

// validationText lists every leaf of a validation error with where in the
// body it is.
func validationText(err error) string {
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		return err.Error()
	}
	var out []string
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			out = append(out, "at /"+strings.Join(e.InstanceLocation, "/")+": "+e.ErrorKind.LocalizedString(message.NewPrinter(language.English)))
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	if len(out) > 10 {
		out = append(out[:10], fmt.Sprintf("… and %d more", len(out)-10))
	}
	return strings.Join(out, "; ")
}

// TestOpenAPICheckerCatchesMismatches shows that the check can fail: a null
// where the document promises an object, a missing required property and
// an undocumented status are each reported.
func TestOpenAPICheckerCatchesMismatches(t *testing.T) {
	e := newEnv(t)
	r := e.must(200, "GET", e.api("/personas?limit=1"), e.owner, nil)
	var list map[string]any
	r.json(t, &list)
	item := list["items"].([]any)[0].(map[string]any)
	id := item["id"].(string)
	get := httptest.NewRequest("GET", e.api("/personas/"+id), nil)
	good := e.do("GET", e.api("/personas/"+id), e.owner, nil)
	if p := openAPIProblem(e.h, get, 200, good.Header, good.Body); p != "" {
		t.Fatalf("a good answer fails the check: %s", p)
	}
	edit := func(f func(m map[string]any)) []byte {
		var m map[string]any
		if err := json.Unmarshal(good.Body, &m); err != nil {
			t.Fatal(err)
		}
		f(m)
		b, _ := json.Marshal(m)
		return b
	}
	for name, body := range map[string][]byte{
		"null dimensions":        edit(func(m map[string]any) { m["dimensions"] = nil }),
		"missing values":         edit(func(m map[string]any) { delete(m, "values") }),
		"undocumented property":  edit(func(m map[string]any) { m["surprise"] = 1 }),
		"revision as a string":   edit(func(m map[string]any) { m["revision"] = "2" }),
		"null list of a listing": []byte(`{"items": null, "next_cursor": null}`),
	} {
		req := get
		if strings.HasPrefix(name, "null list") {
			req = httptest.NewRequest("GET", e.api("/personas"), nil)
		}
		if p := openAPIProblem(e.h, req, 200, good.Header, body); p == "" {
			t.Errorf("%s passed the check", name)
		}
	}
	if p := openAPIProblem(e.h, get, 299, good.Header, good.Body); !strings.Contains(p, "not documented") {
		t.Errorf("an undocumented status: %q", p)
	}
}

// TestNoNullCollectionsInAnswers: a persona saved without dimension values,
// a variant that only has a note, and an organisation with nothing in it
// answer with {} and [] — never null — and every one of these answers
// matches the document (checked by the helper).
func TestNoNullCollectionsInAnswers(t *testing.T) {
	e := newEnv(t)
	api := func(p string) string { return "/api/v1/orgs/" + e.otherOr + p }
	// An organisation with nothing in it yet: every list is [].
	for _, p := range []string{"/groups", "/personas", "/trash", "/trash/variants", "/evidence", "/evidence/tags",
		"/launchpads", "/notes", "/alignment", "/coverage", "/variants?customer_label=Nobody", "/search?q=nothing"} {
		r := e.must(200, "GET", api(p), e.other, nil)
		if bytes.Contains(bytes.ReplaceAll(r.Body, []byte(`"next_cursor":null`), nil), []byte("null")) {
			t.Errorf("GET %s: %s", p, r.Body)
		}
	}
	var g persona.Group
	e.must(201, "POST", api("/groups"), e.other, map[string]any{"name": "Imported"}).json(t, &g)
	var tmpl templateJSON
	for _, tm := range func() listJSON[templateJSON] {
		var l listJSON[templateJSON]
		e.must(200, "GET", api("/templates"), e.other, nil).json(t, &l)
		return l
	}().Items {
		if tm.ProfileType == string(persona.ProfileUX) {
			tmpl = tm
		}
	}
	// Saved without dimension values, as an import of a sparse file does.
	var p personaJSON
	e.must(201, "POST", api("/personas"), e.other, map[string]any{"name": "Sparse", "group_id": g.ID, "template_id": tmpl.ID,
		"values": map[string]any{"role_title": "Analyst"}}).json(t, &p)
	v := e.must(201, "POST", api("/personas/"+p.ID+"/variants"), e.other, map[string]any{"customer_label": "Credit Union", "note": "Smaller team"})
	var vj struct {
		ID string `json:"id"`
	}
	v.json(t, &vj)
	for _, path := range []string{"/personas/" + p.ID, "/personas", "/personas/" + p.ID + "/revisions/1",
		"/personas/" + p.ID + "/variants", "/variants/" + vj.ID, "/variants/" + vj.ID + "/revisions", "/export"} {
		r := e.must(200, "GET", api(path), e.other, nil)
		if bytes.Contains(r.Body, []byte(`"dimensions":null`)) || bytes.Contains(r.Body, []byte(`"values":null`)) {
			t.Errorf("GET %s answers null: %.400s", path, r.Body)
		}
		if !bytes.Contains(r.Body, []byte(`"dimensions":{}`)) && !bytes.Contains(r.Body, []byte(`"dimensions": {}`)) {
			t.Errorf("GET %s has no empty dimensions object: %.400s", path, r.Body)
		}
	}
}
