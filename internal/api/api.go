// Package api is Persona Pal's JSON API under /api/v1. Routes are declared
// with huma, which also produces the OpenAPI 3.1 document served at
// /api/openapi.json from the very same declarations, so the two cannot drift.
package api

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// Version is the API version reported in the OpenAPI document.
const Version = "1.0.0"

func init() {
	// No collection in an answer is ever null: every list is an array
	// (empty when there is nothing) and the document says so, so that a
	// generated client can type lists as arrays. (huma's default documents
	// every array as "array or null".) The server tests check every JSON
	// answer against the document.
	huma.DefaultArrayNullable = false
	// huma's own errors are our Problems (problem.go's init), so the
	// document describes one error shape.
}

// Server holds what the handlers need.
type Server struct {
	svc *app.Service
	log *slog.Logger
	// bodyLimits holds each operation's body limit by route pattern.
	bodyLimits map[string]int64
	// viewerWrites are the write routes viewers may call (viewerWrite).
	viewerWrites map[string]bool
}

// Mux is the router the API registers on; *http.ServeMux satisfies it.
type Mux interface {
	HandleFunc(pattern string, handler func(http.ResponseWriter, *http.Request))
	ServeHTTP(http.ResponseWriter, *http.Request)
}

// Register adds the JSON API, its OpenAPI document and docs to mux and
// returns the huma API (tests read its OpenAPI document).
func Register(mux Mux, svc *app.Service, log *slog.Logger) huma.API {
	s := &Server{svc: svc, log: log}
	config := huma.DefaultConfig("Persona Pal API", Version)
	config.Info.Description = "One source of truth for UX personas, marketing/sales personas, customer archetypes and AI-agent profiles. " +
		"Authenticate with `Authorization: Bearer <token>`. Errors are RFC 9457 problem documents. " +
		"Personas carry their revision as an ETag; updates must send it back in If-Match."
	config.OpenAPIPath = "/api/openapi"
	config.DocsPath = "/api/docs"
	config.SchemasPath = "/api/openapi/schemas"
	config.Components.Schemas = enumRegistry{huma.NewMapRegistry("#/components/schemas/", schemaNamer)} // openapi.go
	config.Formats["application/json"], config.Formats["json"] = jsonFormat, jsonFormat                 // personas_encoded.go
	config.CreateHooks = nil                                                                            // no $schema links injected into bodies
	config.Transformers = append(config.Transformers, emptyCollections)
	config.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"bearer": {Type: "http", Scheme: "bearer", Description: "An API token (`personapal token create`, or the web app's token page)."},
	}
	config.Security = []map[string][]string{{"bearer": {}}}
	api := humago.New(&authMux{Mux: mux, s: s}, config)

	serveSchemas(mux)
	s.registerAccounts(api)
	s.registerInvitations(api)
	s.registerGroups(api)
	s.registerOrgLife(api) // orglife.go
	s.registerTemplates(api)
	s.registerPersonas(api)
	s.registerRevisions(api)
	s.registerVariants(api)
	s.registerNotes(api)
	s.registerEvidence(api)
	s.registerAlignment(api)
	s.registerTransfer(api)
	s.registerAudit(api)
	s.registerLaunchpads(api)
	s.registerSSO(api)           // sso.go
	s.registerNotifications(api) // notifications.go
	s.registerWebhooks(api)      // webhooks.go
	s.registerReviews(api)       // reviews.go
	s.registerProposals(api)     // proposals.go
	s.registerUsage(api)         // usage.go
	s.registerComments(api)      // comments.go
	s.registerShares(api)        // shares.go
	s.registerAgents(api)        // agents.go
	s.registerPhotos(api)        // photos.go
	s.registerWorkLinks(api)     // worklinks.go
	s.registerDuplicates(api)    // duplicates.go
	s.registerImports(api)       // imports.go
	s.registerRefs(api)          // refs.go
	finishOpenAPI(api)           // openapi.go; after every route
	s.noteBodyLimits(api)
	return api
}

// authMux wraps every /api/v1 handler in bearer-token authentication, so no
// route can be registered without it.
type authMux struct {
	Mux
	s *Server
}

// HandleFunc wraps h. A request passes, in this order: authentication, the organisation gate
// (membership; viewers cannot write), then the body check, which reads at
// most the operation's own limit (huma's MaxBodyBytes, 1 MB unless the
// operation says otherwise). So nobody's body is read before they are
// known and allowed, and no route buffers more than it accepts.
func (m *authMux) HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request)) {
	if strings.Contains(pattern, "/api/v1/") {
		h = m.s.requireUTF8(pattern, h)
	}
	if strings.Contains(pattern, "/orgs/{org}") {
		h = m.s.orgGate(pattern, h)
	}
	if strings.Contains(pattern, "/api/v1/") {
		h = m.s.authenticate(h)
	}
	m.Mux.HandleFunc(pattern, h)
}

// noteBodyLimits records every operation's body limit by its route
// pattern, once all are registered (before anything is served).
func (s *Server) noteBodyLimits(api huma.API) {
	s.bodyLimits, s.viewerWrites = map[string]int64{}, map[string]bool{}
	for path, item := range api.OpenAPI().Paths {
		for method, op := range map[string]*huma.Operation{http.MethodPost: item.Post, http.MethodPut: item.Put,
			http.MethodPatch: item.Patch, http.MethodDelete: item.Delete} {
			if op != nil && op.MaxBodyBytes > 0 {
				s.bodyLimits[method+" "+path] = op.MaxBodyBytes
			}
			if op != nil && op.Metadata[viewerWriteKey] == true {
				s.viewerWrites[method+" "+path] = true
			}
		}
	}
}

// bodyLimit is the most a route reads of a body.
func (s *Server) bodyLimit(pattern string) int64 {
	if n, ok := s.bodyLimits[pattern]; ok {
		return n
	}
	return defaultBodyLimit
}

// defaultBodyLimit is huma's default MaxBodyBytes.
const defaultBodyLimit = 1 << 20

// orgGate runs before any organisation route's own decoding: non-members get
// 404 whatever they send, and viewers get 403 on every write. The
// application layer checks the precise role again for each use case.
// Operations marked with viewerWrite (a member's own notifications, a
// comment) are open to viewers too.
func (s *Server) orgGate(pattern string, next func(http.ResponseWriter, *http.Request)) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		_, role, err := s.svc.GetOrg(r.Context(), actorFrom(r.Context()), r.PathValue("org"))
		if err != nil {
			writeProblem(w, problemFor(r.Context(), s.log, err, ""))
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead && !role.AtLeast(persona.RoleEditor) && !s.viewerWrites[pattern] {
			writeProblem(w, newProblem(persona.CodeForbidden, "viewers can read but not change anything"))
			return
		}
		next(w, r)
	}
}

// requireUTF8 refuses JSON bodies that are not valid UTF-8: encoding/json
// would quietly turn the bad bytes into U+FFFD and store mangled text. It
// reads at most the route's body limit.
func (s *Server) requireUTF8(pattern string, next func(http.ResponseWriter, *http.Request)) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			next(w, r)
			return
		}
		limit := s.bodyLimit(pattern)
		var body []byte
		err := error(&http.MaxBytesError{Limit: limit})
		if r.ContentLength <= limit {
			body, err = io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
		}
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeProblem(w, newProblem(persona.CodeTooLarge, "the request body is larger than the "+persona.FormatBytes(limit)+" this route accepts"))
			return
		}
		if err != nil {
			writeProblem(w, newProblem(persona.CodeBadRequest, "the request body could not be read"))
			return
		}
		if !utf8.Valid(body) {
			writeProblem(w, newProblem(persona.CodeBadRequest, "the request body is not valid UTF-8"))
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next(w, r)
	}
}

// maxJSONBody bounds JSON request bodies (an organisation import with its
// evidence files is the largest).
const maxJSONBody = 64 << 20

type actorKey struct{}

func (s *Server) authenticate(next func(http.ResponseWriter, *http.Request)) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get("Authorization")
		scheme, token, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="personapal"`)
			writeProblem(w, newProblem(persona.CodeUnauthenticated, "send an API token as Authorization: Bearer <token>"))
			return
		}
		ctx := app.WithRequestMemo(r.Context())
		actor, err := s.svc.AuthenticateOrg(ctx, strings.TrimSpace(token), r.PathValue("org"))
		if err != nil {
			p := problemFor(r.Context(), s.log, err, "")
			if p.Status == http.StatusUnauthorized {
				w.Header().Set("WWW-Authenticate", `Bearer realm="personapal", error="invalid_token"`)
			}
			writeProblem(w, p)
			return
		}
		if actor.ReadOnly && r.Method != http.MethodGet && r.Method != http.MethodHead {
			// Before any body is read or any route's own check runs.
			writeProblem(w, newProblem(persona.CodeForbidden, "this API token is read-only: it can read but not change anything"))
			return
		}
		next(w, r.WithContext(context.WithValue(ctx, actorKey{}, actor)))
	}
}

func actorFrom(ctx context.Context) app.Actor {
	a, _ := ctx.Value(actorKey{}).(app.Actor)
	return a
}

// fail converts err for huma, locating field errors in the body.
func (s *Server) fail(ctx context.Context, err error) error {
	return problemFor(ctx, s.log, err, "body")
}

// failQuery converts err for huma, locating field errors in the query.
func (s *Server) failQuery(ctx context.Context, err error) error {
	return problemFor(ctx, s.log, err, "query")
}

// etag formats a revision as a strong entity tag.
func etag(revision int) string { return `"` + strconv.Itoa(revision) + `"` }

// parseIfMatch reads the revision from an If-Match header: `"3"`, `W/"3"` or
// a bare 3. Missing gives 0 (precondition required); anything unreadable is
// an invalid request.
func parseIfMatch(h string) (int, error) {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0, nil
	}
	h = strings.TrimPrefix(h, "W/")
	h = strings.Trim(h, `"`)
	n, err := strconv.Atoi(h)
	if err != nil || n <= 0 {
		return 0, &persona.Error{Code: persona.CodeInvalid, Message: "If-Match must hold a persona revision such as \"3\"",
			Fields: []persona.FieldError{{Field: "header.If-Match", Message: "must be a revision number"}}}
	}
	return n, nil
}

var (
	tagAccounts  = []string{"Account and organisations"}
	tagGroups    = []string{"Groups"}
	tagTemplates = []string{"Templates"}
	tagPersonas  = []string{"Personas"}
	tagHistory   = []string{"Revisions"}
)

// viewerWriteKey marks an operation (in its Metadata) that viewers may
// call although it is not a read.
const viewerWriteKey = "viewer-write"

// viewerWrite marks o as open to viewers: what a member does for
// themselves (marking their notifications read) or as a reader
// (commenting, proposing). Its use case still checks the role.
func viewerWrite(o huma.Operation) huma.Operation {
	if o.Metadata == nil {
		o.Metadata = map[string]any{}
	}
	o.Metadata[viewerWriteKey] = true
	return o
}

func op(id, method, path, summary string, tags []string, status int) huma.Operation {
	o := huma.Operation{OperationID: id, Method: method, Path: path, Summary: summary, Tags: tags}
	if status != 0 {
		o.DefaultStatus = status
	}
	return o
}
