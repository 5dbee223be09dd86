// Package mcpserver serves Persona Pal to AI assistants over the Model
// Context Protocol (github.com/modelcontextprotocol/go-sdk): personas,
// templates and groups as resources, and tools that search, read, compare,
// check alignment and evidence, list Launchpads and propose changes.
//
// It is a thin edge over app.Service, like the JSON API: every read and
// write goes through the application layer as the token's user, so roles
// and organisation walls are the same as over the API. An assistant never
// changes a persona: propose_change records a change proposal that a person
// accepts or declines (docs/proposals.md), and only with a read-write token.
//
// Two transports: streamable HTTP at /mcp (Handler; authenticated with an
// API token per request, stateless, so any instance may answer any request)
// and stdio (Serve; the CLI's "personapal mcp").
package mcpserver

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/personapal/personapal/internal/api"
	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/fault"
	"github.com/personapal/personapal/internal/persona"
)

// Path is where the HTTP handler is mounted.
const Path = "/mcp"

// maxBody bounds a request body over HTTP (a JSON-RPC message).
const maxBody = 1 << 20

// Server builds MCP servers over the application service.
type Server struct {
	svc     *app.Service
	log     *slog.Logger
	schemas *mcp.SchemaCache
	http    *mcp.StreamableHTTPHandler
}

// New returns a Server over svc.
func New(svc *app.Service, log *slog.Logger) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{svc: svc, log: log, schemas: mcp.NewSchemaCache()}
	s.http = mcp.NewStreamableHTTPHandler(func(r *http.Request) *mcp.Server {
		srv, _ := r.Context().Value(serverKey{}).(*mcp.Server)
		return srv
	}, &mcp.StreamableHTTPOptions{
		// Stateless: no session lives in this process's memory, so several
		// instances can serve one database (DESIGN.md) and every request
		// is authenticated on its own.
		Stateless:           true,
		JSONResponse:        true,
		Logger:              log,
		MaxRequestBodyBytes: maxBody,
		// The SDK refuses a request that reached a loopback address with
		// another Host (DNS rebinding). That is every request behind a
		// reverse proxy on the same machine (serve listens on 127.0.0.1),
		// and it protects nothing here: every request needs an API token,
		// which a rebinding page does not have.
		DisableLocalhostProtection: true,
	})
	return s
}

type serverKey struct{}

// Handler is the streamable HTTP endpoint. Every request must carry an API
// token (Authorization: Bearer pp_…); without one, or with a bad one, it is
// answered 401 before any MCP processing. ?org=SLUG names the
// organisation tools use when they are not given one (404 unless the
// token's user is a member).
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
		token = strings.TrimSpace(token)
		if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="personapal"`)
			writeProblem(w, persona.Errorf(persona.CodeUnauthenticated, "send an API token as Authorization: Bearer <token>"))
			return
		}
		org := r.URL.Query().Get("org")
		ctx := app.WithRequestMemo(r.Context())
		actor, err := s.svc.AuthenticateOrg(ctx, token, org)
		if err != nil {
			if persona.ErrorCode(err) == persona.CodeUnauthenticated {
				w.Header().Set("WWW-Authenticate", `Bearer realm="personapal", error="invalid_token"`)
			}
			s.logInternal(ctx, err)
			writeProblem(w, err)
			return
		}
		if org != "" {
			if _, _, err := s.svc.GetOrg(ctx, actor, org); err != nil {
				s.logInternal(ctx, err)
				writeProblem(w, err)
				return
			}
		}
		srv := s.NewMCPServer(actor, org)
		s.http.ServeHTTP(w, r.WithContext(context.WithValue(ctx, serverKey{}, srv)))
	})
}

// Serve runs one MCP session over t (stdio) as actor, with org as the
// organisation tools use when they are not given one.
func (s *Server) Serve(ctx context.Context, t mcp.Transport, actor app.Actor, org string) error {
	return s.NewMCPServer(actor, org).Run(ctx, t)
}

// AuthenticateToken checks an API token and, when org is set, the token
// user's membership there: the stdio server's counterpart of Handler's
// checks.
func (s *Server) AuthenticateToken(ctx context.Context, token, org string) (app.Actor, error) {
	token = strings.TrimSpace(token)
	if token == "" {
		return app.Actor{}, persona.Errorf(persona.CodeUnauthenticated, "an API token is required: pass --token or set PERSONAPAL_TOKEN")
	}
	actor, err := s.svc.Authenticate(ctx, token)
	if err != nil {
		return app.Actor{}, err
	}
	if org != "" {
		if _, _, err := s.svc.GetOrg(ctx, actor, org); err != nil {
			return app.Actor{}, err
		}
	}
	return actor, nil
}

// instructions tell the assistant how to use the server.
const instructions = "Persona Pal holds an organisation's personas: UX personas, marketing/sales (buyer) personas, " +
	"customer archetypes and AI-agent profiles. Read personas as Markdown resources " +
	"(personapal://orgs/{org}/personas/{id}) or with get_persona; find them with search_personas. " +
	"You cannot change a persona: propose_change records a proposal that a person accepts or declines."

// NewMCPServer returns an MCP server whose tools and resources act as
// actor. org is the default organisation slug ("" when none).
func (s *Server) NewMCPServer(actor app.Actor, org string) *mcp.Server {
	srv := mcp.NewServer(&mcp.Implementation{Name: "personapal", Title: "Persona Pal", Version: api.Version},
		&mcp.ServerOptions{Instructions: instructions, Logger: s.log, SchemaCache: s.schemas, HasResources: true, HasTools: true})
	sess := &session{Server: s, actor: actor, org: org}
	sess.addResources(srv)
	sess.addTools(srv)
	return srv
}

// session is one caller: who they are and their default organisation.
type session struct {
	*Server
	actor app.Actor
	org   string
}

// orgOf picks the organisation of a call: the tool's argument, else the
// session's default, else the caller's only organisation.
func (s *session) orgOf(ctx context.Context, arg string) (string, error) {
	if arg = strings.TrimSpace(arg); arg != "" {
		return arg, nil
	}
	if s.org != "" {
		return s.org, nil
	}
	orgs, err := s.svc.ListMyOrgs(ctx, s.actor)
	if err != nil {
		return "", err
	}
	if len(orgs) == 1 {
		return orgs[0].Org.Slug, nil
	}
	return "", persona.Errorf(persona.CodeInvalid, "give org: the slug of one of your organisations (list_organisations lists them)")
}

// toolError turns an application error into a message safe to show the
// assistant: the error's own message for the codes that have one (not
// found reads the same whether the object is missing or another
// organisation's), the table's message for internal errors, which are
// logged.
func (s *Server) toolError(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if e, ok := persona.AsError(err); ok && e.Code != "" {
		if k := fault.For(e.Code); !k.Internal() {
			return errors.New(e.Error())
		}
	}
	s.log.ErrorContext(ctx, "mcp tool failed", "err", err)
	return errors.New(fault.For(persona.CodeInternal).Message)
}

func (s *Server) logInternal(ctx context.Context, err error) {
	if k, _ := fault.Of(err); k.Internal() {
		s.log.ErrorContext(ctx, "mcp request failed", "err", err)
	}
}

// writeProblem answers an HTTP request that never reached MCP with an
// RFC 9457 problem, as the JSON API does.
func writeProblem(w http.ResponseWriter, err error) {
	k, msg := fault.Of(err)
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(k.Status)
	_ = json.NewEncoder(w).Encode(map[string]any{"type": k.Type, "title": k.Title, "status": k.Status, "detail": msg})
}

// invalid is a bad-input error naming the argument.
func invalid(arg, msg string) error {
	return persona.Invalid("invalid arguments", []persona.FieldError{{Field: arg, Message: msg}})
}
