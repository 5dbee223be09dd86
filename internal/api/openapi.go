package api

import (
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/danielgtaylor/huma/v2"

	"github.com/personapal/personapal/internal/persona"
)

// The OpenAPI document is made by huma from the route declarations; what
// huma cannot know is added here, once every route is registered, for
// every route alike (so a new route gets it without asking). Tools other
// than ours check the result (internal/clienttest, docs/OPENAPI.md):
//
//   - servers: the document is served by the server it describes, so its
//     one server is that one ("/").
//   - Every operation declares the problem+json answers it can give: 401
//     and 403 (the token, the role), 422 (invalid input), 404 where the path
//     names something, 400 and 413 where it takes a body, 409 for writes,
//     412 and 428 where it takes If-Match.
//   - An If-Match header documented as "(required)" is required: the server
//     answers 428 without it (huma must not answer 422 instead, so the
//     route itself keeps it optional and the document says the truth).
//   - Properties of a domain enumeration (status, profile type, field
//     kind, role, …) list their values, from the domain's own lists.
//   - The read-only properties a body accepts and ignores (so that a client
//     can GET, change and PUT back) have the type the answer gives them.
//   - No schema is named <OperationId>Response: oapi-codegen names its
//     response types so (schemaNamer).

// enumValues are the domain's enumerations, by Go type.
var enumValues = map[reflect.Type][]any{}

func enum[T ~string](list []T) {
	vals := make([]any, len(list))
	for i, v := range list {
		vals[i] = string(v)
	}
	enumValues[reflect.TypeFor[T]()] = vals
}

func init() {
	enum(persona.Statuses)
	enum(persona.Roles)
	enum(persona.ProfileTypes)
	enum(persona.FieldKinds)
	enum(persona.DimensionKinds)
	enum(persona.EvidenceKinds)
	enum(persona.StudyMethods)
	enum(persona.Stances)
	enum(persona.ItemKinds)
	enum(persona.Ops)
	enum(persona.Phases)
	enum(persona.Decisions)
	enum(persona.NotificationKinds)
	enum(persona.NotifyChannels)
	enum(persona.WorkKinds)
	enum(persona.MessageKinds)
	enum(persona.MessageStatuses)
}

// enumRegistry is huma's registry, except that a schema asked of it for a
// domain enumeration type (or a list of one) lists the values. huma asks
// the API's registry for each parameter's schema (so a query parameter
// typed persona.Status gets its enum); the properties of struct schemas
// are made inside the map registry, and addEnums gives them theirs.
type enumRegistry struct{ huma.Registry }

// MarshalJSON and MarshalYAML write the schemas (the document's
// components), as the map registry does.
func (r enumRegistry) MarshalJSON() ([]byte, error) { return json.Marshal(r.Registry) }
func (r enumRegistry) MarshalYAML() (any, error)    { return r.Registry.Map(), nil }

func (r enumRegistry) Schema(t reflect.Type, allowRef bool, hint string) *huma.Schema {
	s := r.Registry.Schema(t, allowRef, hint)
	et, list := deref(t), false
	if et.Kind() == reflect.Slice {
		et, list = deref(et.Elem()), true
	}
	vals, ok := enumValues[et]
	if !ok || s == nil || s.Ref != "" {
		return s
	}
	target := s
	if list {
		target = s.Items
	}
	if target != nil && target.Ref == "" && len(target.Enum) == 0 {
		target.Enum = slices.Clone(vals)
		target.PrecomputeMessages()
	}
	return s
}

// schemaNamer is huma's namer, except for the bodies of answers declared
// inline: huma names them "<operation-id>Response", which oapi-codegen
// turns into the very name of its own response type for the operation,
// so the client does not compile. They are "<OperationId>Result" instead.
func schemaNamer(t reflect.Type, hint string) string {
	if deref(t).Name() == "" && strings.HasSuffix(hint, "Response") {
		return pascal(strings.TrimSuffix(hint, "Response")) + "Result"
	}
	return huma.DefaultSchemaNamer(t, hint)
}

func deref(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// pascal turns "list-launchpads" into "ListLaunchpads".
func pascal(s string) string {
	var b strings.Builder
	up := true
	for _, r := range s {
		if r == '-' || r == '_' || r == ' ' || r == '.' {
			up = true
			continue
		}
		if up {
			r = unicode.ToUpper(r)
			up = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// finishOpenAPI completes the document (see above). It runs once, after
// every route is registered and before anything is served.
func finishOpenAPI(api huma.API) {
	oapi := api.OpenAPI()
	oapi.Servers = []*huma.Server{{URL: "/", Description: "The server that serves this document"}}
	reg := oapi.Components.Schemas
	addEnums(reg)
	declareProblemResponses(oapi)
	for path, item := range oapi.Paths {
		for method, o := range operations(item) {
			requireIfMatch(o)
			declareNotModified(method, o)
			declareProblems(path, method, o)
			typeReadOnly(reg, o)
		}
	}
}

// operations are the operations of a path item by method.
func operations(item *huma.PathItem) map[string]*huma.Operation {
	out := map[string]*huma.Operation{}
	for m, o := range map[string]*huma.Operation{http.MethodGet: item.Get, http.MethodPost: item.Post,
		http.MethodPut: item.Put, http.MethodPatch: item.Patch, http.MethodDelete: item.Delete, http.MethodHead: item.Head} {
		if o != nil {
			out[m] = o
		}
	}
	return out
}

func ifMatchParam(o *huma.Operation) *huma.Param {
	for _, p := range o.Parameters {
		if p != nil && p.In == "header" && strings.EqualFold(p.Name, "If-Match") {
			return p
		}
	}
	return nil
}

// declareNotModified documents the conditional get of a GET whose answer
// carries an ETag: If-None-Match, and 304 Not Modified when it names the
// current one (internal/server/notmodified.go answers it for every route).
func declareNotModified(method string, o *huma.Operation) {
	ok := o.Responses["200"]
	if method != http.MethodGet || ok == nil || ok.Headers["ETag"] == nil {
		return
	}
	has := false
	for _, p := range o.Parameters {
		has = has || (p != nil && p.In == "header" && strings.EqualFold(p.Name, "If-None-Match"))
	}
	if !has {
		o.Parameters = append(o.Parameters, &huma.Param{Name: "If-None-Match", In: "header",
			Description: "The ETag of the version you hold: 304 Not Modified, without a body, while it is the current one",
			Schema:      &huma.Schema{Type: huma.TypeString}})
	}
	o.Responses["304"] = &huma.Response{Description: "Not Modified: the ETag you sent in If-None-Match is still the current one",
		Headers: map[string]*huma.Param{"ETag": ok.Headers["ETag"]}}
}

// requireIfMatch marks an If-Match documented as "(required)" required.
func requireIfMatch(o *huma.Operation) {
	if p := ifMatchParam(o); p != nil && strings.HasSuffix(strings.TrimSpace(p.Description), "(required)") {
		p.Required = true
	}
}

// problemStatuses are the problem answers o can give.
func problemStatuses(path, method string, o *huma.Operation) []int {
	codes := []int{http.StatusUnprocessableEntity}
	if strings.HasPrefix(path, "/api/v1/") { // every one of them authenticates
		codes = append(codes, http.StatusUnauthorized, http.StatusForbidden)
	}
	if strings.Contains(path, "{") {
		codes = append(codes, http.StatusNotFound)
	}
	if o.RequestBody != nil {
		codes = append(codes, http.StatusBadRequest, http.StatusRequestEntityTooLarge)
	}
	if method != http.MethodGet && method != http.MethodHead {
		codes = append(codes, http.StatusConflict)
	}
	if ifMatchParam(o) != nil {
		codes = append(codes, http.StatusPreconditionFailed, http.StatusPreconditionRequired)
	}
	sort.Ints(codes)
	return codes
}

var problemWhy = map[int]string{
	http.StatusBadRequest:            "The body could not be read (not JSON, not UTF-8)",
	http.StatusUnauthorized:          "No valid API token",
	http.StatusForbidden:             "The token or the member's role does not allow it",
	http.StatusNotFound:              "Nothing of that name in an organisation the caller belongs to",
	http.StatusConflict:              "It conflicts with what is there (a name or state)",
	http.StatusPreconditionFailed:    "If-Match names an older revision (current_revision has the current one)",
	http.StatusRequestEntityTooLarge: "The body is larger than the route accepts",
	http.StatusUnprocessableEntity:   "Invalid input; errors names each bad field",
	http.StatusPreconditionRequired:  "If-Match is missing (current_revision has the current one)",
}

// declareProblems adds o's problem answers it does not declare yet.
func declareProblems(path, method string, o *huma.Operation) {
	if o.Responses == nil {
		o.Responses = map[string]*huma.Response{}
	}
	for _, code := range problemStatuses(path, method, o) {
		key := strconv.Itoa(code)
		if _, ok := o.Responses[key]; ok {
			continue
		}
		o.Responses[key] = &huma.Response{Ref: "#/components/responses/" + problemResponseName(code)}
	}
}

// problemResponseName names the shared description of a problem answer
// (components.responses): Problem422 and so on.
func problemResponseName(code int) string { return "Problem" + strconv.Itoa(code) }

// declareProblemResponses adds the shared problem answers to the
// document's components.
func declareProblemResponses(oapi *huma.OpenAPI) {
	if oapi.Components.Responses == nil {
		oapi.Components.Responses = map[string]*huma.Response{}
	}
	for code, why := range problemWhy {
		oapi.Components.Responses[problemResponseName(code)] = &huma.Response{
			Description: why,
			Content: map[string]*huma.MediaType{
				"application/problem+json": {Schema: &huma.Schema{Ref: "#/components/schemas/Problem"}},
			},
		}
	}
}

// addEnums gives every property of a domain enumeration type (or a list
// of one) in reg's struct schemas the enumeration's values.
func addEnums(reg huma.Registry) {
	for _, name := range sortedKeys(reg.Map()) {
		s := reg.Map()[name]
		t := reg.TypeFromRef(refPrefix(reg, name) + name)
		if t == nil || s == nil {
			continue
		}
		eachField(deref(t), func(f reflect.StructField, jsonName string) {
			ft, list := deref(f.Type), false
			if ft.Kind() == reflect.Slice || ft.Kind() == reflect.Array {
				ft, list = deref(ft.Elem()), true
			}
			vals, ok := enumValues[ft]
			if !ok {
				return
			}
			p := s.Properties[jsonName]
			if p != nil && list {
				p = p.Items
			}
			if p == nil || p.Ref != "" || len(p.Enum) > 0 {
				return
			}
			p.Enum = slices.Clone(vals)
			p.PrecomputeMessages()
		})
	}
}

// refPrefix is the prefix of reg's references, read off any one of them.
func refPrefix(reg huma.Registry, name string) string {
	for _, prefix := range []string{"#/components/schemas/", "#/$defs/"} {
		if reg.SchemaFromRef(prefix+name) != nil {
			return prefix
		}
	}
	return ""
}

// eachField calls fn for every JSON property of struct t, embedded
// structs' included (huma flattens them; a shallower field wins).
func eachField(t reflect.Type, fn func(f reflect.StructField, jsonName string)) {
	if t.Kind() != reflect.Struct {
		return
	}
	seen := map[string]bool{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		var embedded []reflect.Type
		for i := range t.NumField() {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			name, _, _ := strings.Cut(tag, ",")
			if name == "-" {
				continue
			}
			if f.Anonymous && name == "" {
				if et := deref(f.Type); et.Kind() == reflect.Struct {
					embedded = append(embedded, et)
				}
				continue
			}
			if !f.IsExported() {
				continue
			}
			if name == "" {
				name = f.Name
			}
			if seen[name] {
				continue
			}
			seen[name] = true
			fn(f, name)
		}
		for _, et := range embedded {
			walk(et)
		}
	}
	walk(t)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// resolve follows s's reference in reg.
func resolve(reg huma.Registry, s *huma.Schema) *huma.Schema {
	for i := 0; s != nil && s.Ref != "" && i < 8; i++ {
		s = reg.SchemaFromRef(s.Ref)
	}
	return s
}

// untyped reports whether s says nothing about its values (an `any`).
func untyped(s *huma.Schema) bool {
	return s != nil && s.Type == "" && s.Ref == "" && len(s.OneOf)+len(s.AnyOf)+len(s.AllOf) == 0 && len(s.Enum) == 0
}

// typeReadOnly gives the read-only properties of o's JSON body (declared
// `any`, documented "Read-only…", accepted and ignored) the schema that
// o's successful answer gives the same property, marked readOnly.
func typeReadOnly(reg huma.Registry, o *huma.Operation) {
	if o.RequestBody == nil {
		return
	}
	mt := o.RequestBody.Content["application/json"]
	if mt == nil {
		return
	}
	body := resolve(reg, mt.Schema)
	if body == nil {
		return
	}
	var answers []*huma.Schema
	for code, r := range o.Responses {
		if r != nil && strings.HasPrefix(code, "2") && r.Content["application/json"] != nil {
			if a := resolve(reg, r.Content["application/json"].Schema); a != nil {
				answers = append(answers, a)
			}
		}
	}
	for name, p := range body.Properties {
		if !untyped(p) || !strings.HasPrefix(p.Description, "Read-only") {
			continue
		}
		for _, a := range answers {
			src := a.Properties[name]
			if src == nil {
				continue
			}
			c := *src
			if c.Ref != "" {
				c = huma.Schema{Ref: src.Ref}
			}
			c.ReadOnly = true
			c.Description = p.Description
			body.Properties[name] = &c
			break
		}
	}
}
