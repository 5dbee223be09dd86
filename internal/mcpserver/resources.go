package mcpserver

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// Resources: one URI per persona, template and group,
//
//	personapal://orgs/{org}/personas/{id}   text/markdown
//	personapal://orgs/{org}/templates/{id}  application/json
//	personapal://orgs/{org}/groups/{id}     text/markdown
//
// served through resource templates; resources/list lists the concrete
// URIs of the session's organisation (or of each of the caller's
// organisations when the session has none).

const uriPrefix = "personapal://orgs/"

// Resource kinds, as they appear in URIs.
const (
	kindPersonas  = "personas"
	kindTemplates = "templates"
	kindGroups    = "groups"
)

// resourceURI is the URI of an organisation's object.
func resourceURI(org, kind, id string) string {
	return uriPrefix + url.PathEscape(org) + "/" + kind + "/" + url.PathEscape(id)
}

// parseURI splits a resource URI into organisation, kind and ID.
func parseURI(uri string) (org, kind, id string, ok bool) {
	rest, found := strings.CutPrefix(uri, uriPrefix)
	if !found {
		return "", "", "", false
	}
	parts := strings.Split(rest, "/")
	if len(parts) != 3 {
		return "", "", "", false
	}
	var err error
	if org, err = url.PathUnescape(parts[0]); err != nil || org == "" {
		return "", "", "", false
	}
	if id, err = url.PathUnescape(parts[2]); err != nil || id == "" {
		return "", "", "", false
	}
	return org, parts[1], id, true
}

// maxListed bounds the resources listed per organisation and kind.
const maxListed = 1000

func (s *session) addResources(srv *mcp.Server) {
	srv.AddResourceTemplate(&mcp.ResourceTemplate{Name: "persona", Title: "Persona",
		URITemplate: uriPrefix + "{org}/personas/{id}", MIMEType: "text/markdown",
		Description: "A persona as Markdown: its facts, its template's sections labelled for its profile type, dimensions, customer variants and evidence footnotes"},
		s.readResource)
	srv.AddResourceTemplate(&mcp.ResourceTemplate{Name: "template", Title: "Template",
		URITemplate: uriPrefix + "{org}/templates/{id}", MIMEType: "application/json",
		Description: "A persona template as JSON: its profile type and the definition (sections, fields, dimensions) of its latest published version"},
		s.readResource)
	srv.AddResourceTemplate(&mcp.ResourceTemplate{Name: "group", Title: "Persona group",
		URITemplate: uriPrefix + "{org}/groups/{id}", MIMEType: "text/markdown",
		Description: "A persona group as Markdown: its description and a table of its personas"},
		s.readResource)
	srv.AddReceivingMiddleware(func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			if method != "resources/list" {
				return next(ctx, method, req)
			}
			rs, err := s.listResources(ctx)
			if err != nil {
				return nil, &jsonrpc.Error{Code: jsonrpc.CodeInternalError, Message: s.toolError(ctx, err).Error()}
			}
			return &mcp.ListResourcesResult{Resources: rs}, nil
		}
	})
}

// listResources lists the concrete resources the caller can read.
func (s *session) listResources(ctx context.Context) ([]*mcp.Resource, error) {
	var orgs []string
	if s.org != "" {
		orgs = []string{s.org}
	} else {
		ms, err := s.svc.ListMyOrgs(ctx, s.actor)
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			orgs = append(orgs, m.Org.Slug)
		}
	}
	out := []*mcp.Resource{}
	for _, org := range orgs {
		ps, err := s.allPersonas(ctx, org, persona.PersonaFilter{})
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			out = append(out, &mcp.Resource{URI: resourceURI(org, kindPersonas, p.ID), Name: p.Name, Title: p.Name,
				MIMEType: "text/markdown", Description: p.ProfileType.Label() + ": " + oneLine(p.Summary)})
		}
		ts, err := s.svc.ListTemplates(ctx, s.actor, org)
		if err != nil {
			return nil, err
		}
		for _, t := range ts {
			out = append(out, &mcp.Resource{URI: resourceURI(org, kindTemplates, t.ID), Name: t.Name, Title: t.Name,
				MIMEType: "application/json", Description: "Template for " + t.ProfileType.Label() + " personas"})
		}
		gs, err := s.svc.ListGroups(ctx, s.actor, org)
		if err != nil {
			return nil, err
		}
		for _, g := range gs {
			out = append(out, &mcp.Resource{URI: resourceURI(org, kindGroups, g.ID), Name: g.Name, Title: g.Name,
				MIMEType: "text/markdown", Description: "Persona group: " + oneLine(g.Description)})
		}
	}
	return out, nil
}

// allPersonas lists an organisation's live personas (up to maxListed).
func (s *session) allPersonas(ctx context.Context, org string, f persona.PersonaFilter) ([]persona.Persona, error) {
	var out []persona.Persona
	cursor := ""
	f.Limit = app.MaxPageSize
	for len(out) < maxListed {
		page, err := s.svc.ListPersonas(ctx, s.actor, org, f, cursor)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Items...)
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	return out, nil
}

// notFound is the answer to a resource that is missing or not the
// caller's. Unlike mcp.ResourceNotFoundError it does not repeat the URI.
var notFound = &jsonrpc.Error{Code: mcp.CodeResourceNotFound, Message: "Resource not found"}

func (s *session) readResource(ctx context.Context, req *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
	uri := req.Params.URI
	org, kind, id, ok := parseURI(uri)
	if !ok {
		return nil, notFound
	}
	var (
		text, mime string
		err        error
	)
	switch kind {
	case kindPersonas:
		mime = "text/markdown"
		var p persona.Persona
		if p, err = s.svc.GetPersona(ctx, s.actor, org, id); err == nil {
			text, err = s.personaMarkdown(ctx, org, p, nil)
		}
	case kindTemplates:
		mime = "application/json"
		text, err = s.templateJSON(ctx, org, id)
	case kindGroups:
		mime = "text/markdown"
		text, err = s.groupMarkdown(ctx, org, id)
	default:
		return nil, notFound
	}
	if err != nil {
		switch persona.ErrorCode(err) {
		case persona.CodeNotFound, persona.CodeInvalid:
			return nil, notFound
		}
		return nil, &jsonrpc.Error{Code: jsonrpc.CodeInternalError, Message: s.toolError(ctx, err).Error()}
	}
	return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{URI: uri, MIMEType: mime, Text: text}}}, nil
}

// personaMarkdown renders p as its Markdown export does, without a link
// back; with a variant, p is its effective persona and the variant's
// customer type is named.
func (s *session) personaMarkdown(ctx context.Context, org string, p persona.Persona, variant *app.VariantDetail) (string, error) {
	ver, err := s.svc.PersonaDefinition(ctx, s.actor, org, p)
	if err != nil {
		return "", err
	}
	tmpl, err := s.svc.GetTemplate(ctx, s.actor, org, p.TemplateID)
	if err != nil {
		return "", err
	}
	in := persona.MarkdownPersona{Persona: p, Definition: ver.Definition, TemplateName: tmpl.Name}
	if g, err := s.svc.GetGroup(ctx, s.actor, org, p.GroupID); err == nil {
		in.GroupName = g.Name
	}
	// Persona references read as the targets' names (docs/references.md).
	if in.RefNames, err = s.svc.RefNames(ctx, s.actor, org, ver.Definition, p); err != nil {
		return "", err
	}
	members, err := s.svc.ListMembers(ctx, s.actor, org)
	if err != nil {
		return "", err
	}
	in.OwnerName = "former member"
	for _, m := range members {
		if m.UserID == p.OwnerID {
			in.OwnerName = cmpOr(m.Name, m.Email)
		}
	}
	ev, err := s.svc.PersonaEvidence(ctx, s.actor, org, p.ID)
	if err != nil {
		return "", err
	}
	links := ev.Links
	if variant != nil {
		for _, v := range ev.Variants {
			if v.Detail.Variant.ID == variant.Variant.ID {
				links = append(links, v.Links...)
			}
		}
	}
	for _, l := range links {
		in.Citations = append(in.Citations, persona.MarkdownCitation{Field: l.FieldKey(), Title: l.EvidenceTitle,
			Kind: l.EvidenceKind, Stance: l.Stance, Excerpt: l.Excerpt, Page: l.Page})
	}
	if variant == nil {
		for _, v := range ev.Variants {
			d := v.Detail
			in.Variants = append(in.Variants, persona.MarkdownVariant{Customer: d.CustomerName(), Note: d.Variant.Note,
				Overrides: len(d.Variant.Values) + len(d.Variant.Dimensions)})
		}
	} else {
		in.Variants = []persona.MarkdownVariant{{Customer: "For " + variant.CustomerName() + " (shown above)", Note: variant.Variant.Note,
			Overrides: len(variant.Variant.Values) + len(variant.Variant.Dimensions)}}
	}
	return persona.PersonaMarkdown(in), nil
}

// templateJSON is a template with the definition of its latest published
// version (its draft while it has none).
func (s *session) templateJSON(ctx context.Context, org, id string) (string, error) {
	t, err := s.svc.GetTemplate(ctx, s.actor, org, id)
	if err != nil {
		return "", err
	}
	out := struct {
		ID          string             `json:"id"`
		Name        string             `json:"name"`
		ProfileType string             `json:"profile_type"`
		Description string             `json:"description"`
		Version     int                `json:"version"`
		Draft       bool               `json:"draft,omitempty"`
		Definition  persona.Definition `json:"definition"`
	}{ID: t.ID, Name: t.Name, ProfileType: string(t.ProfileType), Description: t.Description, Version: t.LatestVersion}
	if t.LatestVersion > 0 {
		v, err := s.svc.GetVersion(ctx, s.actor, org, id, t.LatestVersion)
		if err != nil {
			return "", err
		}
		out.Definition = v.Definition
	} else {
		out.Definition, out.Draft = t.Draft, true
	}
	b, err := json.MarshalIndent(out, "", "  ")
	return string(b), err
}

func (s *session) groupMarkdown(ctx context.Context, org, id string) (string, error) {
	g, err := s.svc.GetGroup(ctx, s.actor, org, id)
	if err != nil {
		return "", err
	}
	ps, err := s.allPersonas(ctx, org, persona.PersonaFilter{GroupID: g.ID})
	if err != nil {
		return "", err
	}
	items := make([]persona.MarkdownGroupItem, len(ps))
	for i, p := range ps {
		items[i] = persona.MarkdownGroupItem{Persona: p}
	}
	return persona.GroupMarkdown(g, items, time.Time{}), nil
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
