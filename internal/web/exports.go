package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/personapal/personapal/internal/pdf"
	"github.com/personapal/personapal/internal/persona"
)

// exportRoutes registers the Markdown and PDF downloads. Every member,
// viewers included, may export what they can read.
func (h *Handler) exportRoutes() {
	h.org("GET /o/{org}/personas/{id}/export.md", h.exportPersonaMarkdown)
	h.org("GET /o/{org}/groups/{id}/export.md", h.exportGroupMarkdown)
	h.org("GET /o/{org}/compare/export.md", h.exportCompareMarkdown)
	h.org("GET /o/{org}/personas/{id}/export.pdf", h.exportPersonaPDF)
	h.org("GET /o/{org}/compare/export.pdf", h.exportComparePDF)
	h.org("GET /o/{org}/personas/{id}/export.png", h.exportPersonaPNG)
	h.org("GET /o/{org}/compare/export.png", h.exportComparePNG)
	h.org("GET /o/{org}/personas/{id}/agent-card.json", h.exportAgentCard)
	h.org("GET /o/{org}/personas/{id}/system-prompt.md", h.exportAgentPrompt)
}

// exportAgentCard downloads an AI-agent profile as an A2A AgentCard.
func (h *Handler) exportAgentCard(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	card, err := h.svc.AgentCard(r.Context(), c.Actor, c.Org.Slug, r.PathValue("id"))
	if err != nil {
		return err
	}
	body, err := json.MarshalIndent(card, "", "  ")
	if err != nil {
		return err
	}
	return download(w, "application/json", fileSlug(card.Name, "agent")+"-agent-card.json", append(body, '\n'))
}

// exportAgentPrompt downloads an AI-agent profile as a system prompt.
func (h *Handler) exportAgentPrompt(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	md, p, err := h.svc.AgentSystemPrompt(r.Context(), c.Actor, c.Org.Slug, r.PathValue("id"))
	if err != nil {
		return err
	}
	return download(w, "text/markdown; charset=utf-8", fileSlug(p.Name, "agent")+"-system-prompt.md", []byte(md))
}

func init() { funcs["compareExportURL"] = compareExportURL }

// compareExportURL is the download address of a comparison as ext ("md"
// or "pdf"), for the comparison page's export links.
func compareExportURL(org string, ps []comparePersona, ext string) string {
	esc := make([]string, len(ps))
	for i, p := range ps {
		esc[i] = url.QueryEscape(p.ID)
	}
	return "/o/" + url.PathEscape(org) + "/compare/export." + ext + "?ids=" + strings.Join(esc, ",")
}

// renderPDF prints a page of this server and renderPNG takes its picture;
// variables so that the server can be built without Chromium.
var (
	renderPDF = pdf.Render
	renderPNG = pdf.RenderPNG
)

// printOut is what printPage makes of a page.
type printOut struct {
	png       bool
	landscape bool
	paper     pdf.Paper
	fitPage   bool // a one-pager: scaled to one sheet (pdf.Options.FitPage)
	filename  string
}

func (h *Handler) exportPersonaMarkdown(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	ctx := r.Context()
	p, err := h.svc.GetPersona(ctx, c.Actor, c.Org.Slug, r.PathValue("id"))
	if err != nil {
		return err
	}
	ver, err := h.svc.PersonaDefinition(ctx, c.Actor, c.Org.Slug, p)
	if err != nil {
		return err
	}
	tmpl, err := h.svc.GetTemplate(ctx, c.Actor, c.Org.Slug, p.TemplateID)
	if err != nil {
		return err
	}
	in := persona.MarkdownPersona{Persona: p, Definition: ver.Definition, TemplateName: tmpl.Name,
		URL: baseURL(r) + "/o/" + url.PathEscape(c.Org.Slug) + "/personas/" + url.PathEscape(p.ID), Exported: time.Now()}
	if g, err := h.svc.GetGroup(ctx, c.Actor, c.Org.Slug, p.GroupID); err == nil {
		in.GroupName = g.Name
	}
	if in.RefNames, err = h.svc.RefNames(ctx, c.Actor, c.Org.Slug, ver.Definition, p); err != nil { // refs.go
		return err
	}
	if in.OwnerName, err = h.memberName(r, c, p.OwnerID); err != nil {
		return err
	}
	ev, err := h.svc.PersonaEvidence(ctx, c.Actor, c.Org.Slug, p.ID)
	if err != nil {
		return err
	}
	for _, l := range ev.Links {
		in.Citations = append(in.Citations, persona.MarkdownCitation{Field: l.FieldKey(), Title: l.EvidenceTitle,
			Kind: l.EvidenceKind, Stance: l.Stance, Excerpt: l.Excerpt, Page: l.Page})
	}
	variants, err := h.svc.ListVariants(ctx, c.Actor, c.Org.Slug, p.ID)
	if err != nil {
		return err
	}
	for _, v := range variants {
		in.Variants = append(in.Variants, persona.MarkdownVariant{Customer: v.CustomerName(), Note: v.Variant.Note,
			Overrides: len(v.Variant.Values) + len(v.Variant.Dimensions)})
	}
	return download(w, "text/markdown; charset=utf-8", fileSlug(p.Name, "persona")+".md", []byte(persona.PersonaMarkdown(in)))
}

func (h *Handler) exportGroupMarkdown(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	g, err := h.svc.GetGroup(r.Context(), c.Actor, c.Org.Slug, r.PathValue("id"))
	if err != nil {
		return err
	}
	ps, err := h.allPersonas(r, c, persona.PersonaFilter{GroupID: g.ID})
	if err != nil {
		return err
	}
	base := baseURL(r) + "/o/" + url.PathEscape(c.Org.Slug) + "/personas/"
	items := make([]persona.MarkdownGroupItem, len(ps))
	for i, p := range ps {
		items[i] = persona.MarkdownGroupItem{Persona: p, URL: base + url.PathEscape(p.ID)}
	}
	return download(w, "text/markdown; charset=utf-8", fileSlug(g.Name, "group")+".md",
		[]byte(persona.GroupMarkdown(g, items, time.Now())))
}

// comparedPersonas loads the personas of ?ids= for a comparison export.
func (h *Handler) comparedPersonas(r *http.Request, c *Ctx) ([]persona.MarkdownCompared, error) {
	ids := compareIDs(r.URL.Query()["ids"])
	if len(ids) < persona.MinCompare || len(ids) > persona.MaxCompare {
		return nil, persona.Errorf(persona.CodeInvalid, "compare between %d and %d personas, not %d",
			persona.MinCompare, persona.MaxCompare, len(ids))
	}
	ctx := r.Context()
	templates, err := h.svc.ListTemplates(ctx, c.Actor, c.Org.Slug)
	if err != nil {
		return nil, err
	}
	templateNames := map[string]string{}
	for _, t := range templates {
		templateNames[t.ID] = t.Name
	}
	base := baseURL(r) + "/o/" + url.PathEscape(c.Org.Slug) + "/personas/"
	out := make([]persona.MarkdownCompared, 0, len(ids))
	for _, id := range ids {
		p, err := h.svc.GetPersona(ctx, c.Actor, c.Org.Slug, id)
		if err != nil {
			return nil, err
		}
		ver, err := h.svc.PersonaDefinition(ctx, c.Actor, c.Org.Slug, p)
		if err != nil {
			return nil, err
		}
		out = append(out, persona.MarkdownCompared{CompareInput: persona.CompareInput{Persona: p, Definition: ver.Definition},
			TemplateName: templateNames[p.TemplateID], URL: base + url.PathEscape(p.ID)})
	}
	return out, nil
}

func (h *Handler) exportCompareMarkdown(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	in, err := h.comparedPersonas(r, c)
	if err != nil {
		return err
	}
	md, err := persona.ComparisonMarkdown(in, time.Now())
	if err != nil {
		return err
	}
	return download(w, "text/markdown; charset=utf-8", compareFileSlug(in)+".md", []byte(md))
}

func (h *Handler) exportPersonaPDF(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	return h.exportPersona(w, r, c, false)
}

func (h *Handler) exportPersonaPNG(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	return h.exportPersona(w, r, c, true)
}

// exportPersona prints the persona's page: a one-pager PDF (scaled to one
// sheet) or a PNG of it.
func (h *Handler) exportPersona(w http.ResponseWriter, r *http.Request, c *Ctx, png bool) error {
	p, err := h.svc.GetPersona(r.Context(), c.Actor, c.Org.Slug, r.PathValue("id"))
	if err != nil {
		return err
	}
	path := "/o/" + url.PathEscape(c.Org.Slug) + "/personas/" + url.PathEscape(p.ID)
	out := printOut{fitPage: true, filename: fileSlug(p.Name, "persona") + ".pdf"}
	if png {
		out = printOut{png: true, filename: fileSlug(p.Name, "persona") + ".png"}
	}
	return h.printPDF(w, r, c, path, out)
}

func (h *Handler) exportComparePDF(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	return h.exportCompare(w, r, c, false)
}

func (h *Handler) exportComparePNG(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	return h.exportCompare(w, r, c, true)
}

func (h *Handler) exportCompare(w http.ResponseWriter, r *http.Request, c *Ctx, png bool) error {
	in, err := h.comparedPersonas(r, c) // checks access before a browser starts
	if err != nil {
		return err
	}
	ids := make([]string, len(in))
	for i, x := range in {
		ids[i] = x.Persona.ID
	}
	out := printOut{png: png, landscape: true, filename: compareFileSlug(in) + ".pdf"}
	if png {
		out.filename = compareFileSlug(in) + ".png"
	}
	return h.printPDF(w, r, c, compareURL(c.Org.Slug, ids), out)
}

// printPDF has headless Chromium print one of this server's pages as the
// caller sees it (with their session), through the print stylesheet.
//
// The browser is sent to the address this request came in on (the
// listener's own address, as seen from this machine), not to the Host
// header: a Host header is the client's to choose, and following it would
// let any member point the server's browser, with its network position, at
// another host. Only because of that may the browser accept the listener's
// certificate, which names the public host rather than this address.
func (h *Handler) printPDF(w http.ResponseWriter, r *http.Request, c *Ctx, path string, out printOut) error {
	ck, err := r.Cookie(sessionCookie)
	if err != nil || ck.Value == "" {
		return errNoSession
	}
	return h.printPage(w, r, c, path, []pdf.Cookie{{Name: sessionCookie, Value: ck.Value}}, out)
}

// printPage is printPDF with the cookies the page needs (a member's
// session, or a share link's unlock).
func (h *Handler) printPage(w http.ResponseWriter, r *http.Request, c *Ctx, path string, cookies []pdf.Cookie, out printOut) error {
	local, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if !ok || local == nil {
		return errors.New("pdf export: no local address for the request")
	}
	// The listener's own protocol: r.TLS, not isHTTPS, since behind a
	// TLS-terminating proxy the listener itself speaks plain HTTP.
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	opt := pdf.Options{
		Cookies:     cookies,
		Landscape:   out.landscape,
		Paper:       out.paper,
		FitPage:     out.fitPage,
		OwnListener: true, // accept our own certificate at our own address
	}
	render, kind, contentType := renderPDF, "pdf", "application/pdf"
	if out.png {
		render, kind, contentType = renderPNG, "png", "image/png"
	}
	body, err := render(r.Context(), scheme+"://"+local.String()+path, opt)
	if errors.Is(err, pdf.ErrNoChromium) {
		h.renderError(w, r, c, http.StatusServiceUnavailable, pdf.ErrNoChromium.Error())
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s export of %s: %w", kind, path, err)
	}
	return download(w, contentType, out.filename, body)
}

// download answers a file to save rather than show.
func download(w http.ResponseWriter, contentType, filename string, body []byte) error {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(http.StatusOK)
	w.Write(body) // an error here means the client went away
	return nil
}

// fileSlug is a safe ASCII file name (without extension) for a name
// (persona.ASCIISlug: Latin without accents, Greek and Cyrillic
// transliterated), or fallback when nothing of the name is left.
func fileSlug(name, fallback string) string {
	if s := persona.ASCIISlug(name); s != "" {
		return s
	}
	return fallback
}

func compareFileSlug(in []persona.MarkdownCompared) string {
	parts := make([]string, 0, len(in))
	for _, x := range in {
		parts = append(parts, fileSlug(x.Persona.Name, "persona"))
	}
	s := "comparison-" + strings.Join(parts, "-")
	if len(s) > 80 {
		s = strings.TrimRight(s[:80], "-")
	}
	return s
}

// baseURL is the scheme and host the caller used, for links back to the
// app in exported documents.
func baseURL(r *http.Request) string {
	scheme := "http"
	if isHTTPS(r) {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
