// Package web is Persona Pal's server-rendered web application: html/template
// pages enhanced with htmx, over the same application layer as the JSON API
// (same validation, same roles, same organisation scoping).
//
// Each resource has its own file with its handlers and a typed view struct
// per page; each page has its own template in templates/pages.
package web

import (
	"context"
	"errors"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/fault"
	"github.com/personapal/personapal/internal/persona"
)

// Handler serves the web application.
type Handler struct {
	// orgRoutes lists the organisation pages' patterns (for the isolation
	// tests).
	orgRoutes []string
	// patterns lists every pattern registered through public, signedIn and
	// orgRoute (for the browser walk of every page).
	patterns []string
	svc      *app.Service
	log      *slog.Logger
	pages    *pageSet
	mux      *http.ServeMux
	csrf     *http.CrossOriginProtection
	// sso is the OpenID provider of "Sign in with …" (nil: none), and
	// ssoRedirect its configured callback address (sso.go).
	sso         SSO
	ssoRedirect string
	// setUp is set once an account exists (setup.go: firstRun).
	setUp    atomic.Bool
	presence presenceHub // presence.go: this instance's open streams
}

// New builds the web application. It parses every page template up front so
// that a broken template stops the server at start-up, not at first use.
func New(svc *app.Service, log *slog.Logger, opts ...Option) (*Handler, error) {
	pages, err := loadPages()
	if err != nil {
		return nil, err
	}
	h := &Handler{svc: svc, log: log, pages: pages, mux: http.NewServeMux(), csrf: http.NewCrossOriginProtection()}
	for _, o := range opts {
		o(h)
	}
	h.csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.renderError(w, r, &Ctx{}, http.StatusForbidden, "This form was sent from another site, so it was refused. Reload the page and try again.")
	}))
	h.routes()
	return h, nil
}

// Register mounts the web application on mux, next to the API.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.Handle("/", h.csrf.Handler(h.firstRun(h.mux)))
}

func (h *Handler) routes() {
	h.mux.Handle("GET /static/", staticHandler())
	h.mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, assetPath("favicon.svg"), http.StatusMovedPermanently)
	})

	h.public("GET /login", h.loginPage)
	h.public("POST /login", h.login)
	h.public("POST /logout", h.logout)
	h.signedIn("GET /{$}", h.index)

	h.org("GET /o/{org}", h.home)
	h.personaRoutes()      // persona.go, persona_form.go, history.go, trash.go
	h.templateRoutes()     // builder.go
	h.searchRoutes()       // search.go
	h.compareRoutes()      // compare.go
	h.deckRoutes()         // deck.go
	h.memberRoutes()       // members.go
	h.accountRoutes()      // account.go
	h.variantRoutes()      // variants.go
	h.noteRoutes()         // notes.go
	h.evidenceRoutes()     // evidence.go
	h.alignmentRoutes()    // alignment.go
	h.launchpadRoutes()    // launchpad.go
	h.exportRoutes()       // exports.go
	h.ssoRoutes()          // sso.go
	h.setupRoutes()        // setup.go
	h.signupRoutes()       // signup.go
	h.orgLifeRoutes()      // orgs.go, groups.go
	h.outboxRoutes()       // outbox.go (operators)
	h.mailLinkRoutes()     // invitelink.go, reset.go, emailchange.go
	h.presenceRoutes()     // presence.go (an event stream, not a page)
	h.reviewRoutes()       // reviews.go
	h.usageRoutes()        // usage.go
	h.notificationRoutes() // notifications.go
	h.webhookRoutes()      // webhooks.go
	h.proposalRoutes()     // proposals.go
	h.commentRoutes()      // comments.go
	h.shareRoutes()        // shares.go (members)
	h.sharedRoutes()       // shared.go (a share link's audience: no session)
	h.photoRoutes()        // photos.go
	h.fieldImageRoutes()   // fieldimages.go
	h.workLinkRoutes()     // worklinks.go
	h.duplicateRoutes()    // duplicates.go
	h.importRoutes()       // imports.go
	h.orgTransferRoutes()  // orgtransfer.go
	h.relationRoutes()     // relations.go
}

// Ctx is what a page handler knows about its request beyond the request
// itself: who is asking and, on organisation pages, in which organisation.
type Ctx struct {
	Actor app.Actor
	Org   persona.Org  // zero outside /o/{org}
	Role  persona.Role // the actor's role in Org
	// Flash is a one-time message carried across a redirect.
	Flash string
	// photos finds a persona's photo address for the page's avatars,
	// reading the organisation's photo versions once, when first asked.
	photos func(personaID string) string
}

// Photo is the address of a persona's photo in the small size, "" when it
// has none: the avatars of lists show it instead of the initials.
func (c *Ctx) Photo(personaID string) string {
	if c.photos == nil {
		return ""
	}
	return c.photos(personaID)
}

// Can reports whether the actor's role in the organisation is at least min.
func (c *Ctx) Can(min persona.Role) bool { return c.Role.AtLeast(min) }

type pageHandler func(w http.ResponseWriter, r *http.Request, c *Ctx) error

// Request bodies. Every route's limit is declared where it is registered,
// and the body is read only after the checks before it: public routes
// (sign-in, sign-out) read a few KB; signed-in forms are read after the
// session (and on organisation pages the membership) check, parsed by the
// registration itself so that a handler's FormValue cannot hide a
// too-large body as an empty field; uploads are read only after the role
// check, up to their own limit. Over the limit the answer is 413, and
// nothing goes to disk: a form is parsed in memory (it is never larger
// than its limit), only uploads may spool their file.
const (
	// smallBody bounds what anyone may send before signing in.
	smallBody int64 = 16 << 10
	// formBody bounds every signed-in form (a persona with long Markdown
	// fields is the largest; the JSON API takes 1 MB of JSON for one).
	formBody int64 = 2 << 20
)

// body is how a route reads its request body.
type body struct {
	limit func() int64
	// parse: the registration parses the form; otherwise the handler
	// reads the (bounded) body itself.
	parse bool
	// minRole is checked before an organisation route's body is read.
	minRole persona.Role
}

func formOf(limit int64) body { return body{limit: func() int64 { return limit }, parse: true} }

// public registers a page anyone may reach.
func (h *Handler) public(pattern string, fn pageHandler) {
	h.patterns = append(h.patterns, pattern)
	h.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		c := &Ctx{}
		if a, err := h.actorFromCookie(r); err == nil {
			c.Actor = a
		}
		h.serve(w, r, c, formOf(smallBody), fn)
	})
}

// signedIn registers a page that needs a signed-in user.
func (h *Handler) signedIn(pattern string, fn pageHandler) {
	h.patterns = append(h.patterns, pattern)
	h.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		a, err := h.actorFromCookie(r)
		if err != nil {
			h.fail(w, r, &Ctx{}, err)
			return
		}
		h.serve(w, r, &Ctx{Actor: a}, formOf(formBody), fn)
	})
}

// org registers a page inside an organisation: the actor must be a member
// (others get 404, as if it did not exist). A form that changes something
// (any method but GET) needs at least the editor role before its body is
// read or checked, so a viewer is refused alike everywhere and learns
// nothing from validation; the app layer checks the finer roles.
func (h *Handler) org(pattern string, fn pageHandler) {
	b := formOf(formBody)
	if method, _, _ := strings.Cut(pattern, " "); method != http.MethodGet && method != http.MethodHead {
		b.minRole = persona.RoleEditor
	}
	h.orgRoute(pattern, b, fn)
}

// upload registers an organisation route that takes a file (or another
// body with a limit of its own): the actor's
// role must be at least min before a byte of the body is read, and the
// body is bounded by limit (read at request time: the configured upload
// size). With parse the registration parses the form in memory; without,
// the handler reads the bounded body (and answers an oversized one with
// its own page).
func (h *Handler) upload(pattern string, min persona.Role, limit func() int64, parse bool, fn pageHandler) {
	h.orgRoute(pattern, body{limit: limit, minRole: min, parse: parse}, fn)
}

func (h *Handler) orgRoute(pattern string, b body, fn pageHandler) {
	if strings.HasPrefix(pattern, "GET /o/{org}/personas/{id}") {
		fn = h.followMerge(fn) // a merged persona's pages redirect (duplicates.go)
	}
	h.orgRoutes = append(h.orgRoutes, pattern)
	h.patterns = append(h.patterns, pattern)
	h.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		r = r.WithContext(app.WithRequestMemo(r.Context()))
		a, err := h.actorFromCookie(r)
		if err != nil {
			h.fail(w, r, &Ctx{}, err)
			return
		}
		c := &Ctx{Actor: a}
		c.Org, c.Role, err = h.svc.GetOrg(r.Context(), a, r.PathValue("org"))
		if err != nil {
			if h.redirectMoved(w, r, a, err) { // orgs.go: an old slug, for a member
				return
			}
			h.fail(w, r, c, err)
			return
		}
		if b.minRole != "" && !c.Role.AtLeast(b.minRole) {
			h.fail(w, r, c, persona.Errorf(persona.CodeForbidden, "This needs the %s role; yours is %s. Nothing was read or changed.", b.minRole, c.Role))
			return
		}
		c.photos = h.lazyPhotos(r, c) // photos.go
		h.serve(w, r, c, b, fn)
	})
}

// readBody bounds r's body by b's limit and, for forms, parses it in
// memory. A body over the limit is refused (too large) before or while it
// is read; an unreadable form is a bad request.
func readBody(w http.ResponseWriter, r *http.Request, b body) error {
	limit := b.limit()
	tooLarge := persona.Errorf(persona.CodeTooLarge, "What was sent is larger than the %s this page accepts, so nothing was saved.", persona.FormatBytes(limit))
	if b.parse && r.ContentLength > limit {
		return tooLarge
	}
	if r.Body != nil && r.Body != http.NoBody {
		r.Body = http.MaxBytesReader(w, r.Body, limit)
	}
	if !b.parse || r.Method == http.MethodGet || r.Method == http.MethodHead {
		return nil
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var err error
	switch mt {
	case "multipart/form-data":
		// The whole body fits in maxMemory, so no part goes to disk.
		err = r.ParseMultipartForm(limit)
	case "application/x-www-form-urlencoded":
		err = r.ParseForm()
	default:
		return nil
	}
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return tooLarge
	case err != nil:
		return persona.Errorf(persona.CodeBadRequest, "The form could not be read. Reload the page and try again.")
	}
	return nil
}

func (h *Handler) serve(w http.ResponseWriter, r *http.Request, c *Ctx, b body, fn pageHandler) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
	c.Flash = takeFlash(w, r)
	if err := readBody(w, r, b); err != nil {
		h.fail(w, r, c, err)
		return
	}
	if err := fn(w, r, c); err != nil {
		h.fail(w, r, c, err)
	}
}

// fail answers an error: sign-in for the unauthenticated, an error page with
// the error's safe message otherwise. Internal errors are logged, not shown.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, c *Ctx, err error) {
	code := persona.ErrorCode(err)
	if code == persona.CodeUnauthenticated {
		target := "/login?next=" + url.QueryEscape(r.URL.RequestURI())
		if r.Method != http.MethodGet {
			target = "/login"
		}
		if r.Header.Get("HX-Request") != "" {
			w.Header().Set("HX-Redirect", target)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		http.Redirect(w, r, target, http.StatusSeeOther)
		return
	}
	if code == persona.CodeSSORequired && r.Header.Get("HX-Request") == "" {
		if err := h.renderSSORequired(w, r, c, err); err != nil {
			h.log.ErrorContext(r.Context(), "page failed", "path", r.URL.Path, "err", err)
		}
		return
	}
	k, msg := fault.Of(err)
	if k.Internal() && r.Context().Err() != nil {
		k, msg = fault.For(persona.CodeCancelled), "" // nobody is waiting for the page
	} else if k.Internal() {
		msg = "Something went wrong on our side. It has been logged; please try again."
		h.log.ErrorContext(r.Context(), "page failed", "path", r.URL.Path, "err", err)
	}
	if e, ok := persona.AsError(err); ok && e.RetryAfter > 0 { // the error knows its wait
		w.Header().Set("Retry-After", retryAfter(e.RetryAfter))
	} else if ra := k.RetryAfterHeader(); ra != "" {
		w.Header().Set("Retry-After", ra)
	}
	h.renderError(w, r, c, k.Status, msg)
}

// ServeError answers err as the web app's error page (sign-in for the
// unauthenticated), the same way every page does.
func (h *Handler) ServeError(w http.ResponseWriter, r *http.Request, err error) {
	h.fail(w, r, &Ctx{}, err)
}

// statusFor maps an error code to its page's status (the error table,
// internal/fault).
func statusFor(code persona.Code) int { return fault.For(code).Status }

// ---- sessions and flash messages ----

const (
	sessionCookie = "pp_session"
	flashCookie   = "pp_flash"
)

var errNoSession = persona.Errorf(persona.CodeUnauthenticated, "please sign in")

func (h *Handler) actorFromCookie(r *http.Request) (app.Actor, error) {
	ck, err := r.Cookie(sessionCookie)
	if err != nil || ck.Value == "" {
		return app.Actor{}, errNoSession
	}
	return h.svc.SessionActor(r.Context(), ck.Value)
}

// setSessionCookie sets the session cookie; a negative maxAge deletes it.
func setSessionCookie(w http.ResponseWriter, r *http.Request, secret string, maxAge time.Duration) {
	seconds := int(maxAge / time.Second)
	if maxAge < 0 {
		seconds = -1
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: secret, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: isHTTPS(r), MaxAge: seconds,
	})
}

// Client is what the server established about a request's client: its
// address and whether it reached us over HTTPS, directly or through a
// trusted proxy (internal/server decides which proxies to believe).
type Client struct {
	IP    string
	HTTPS bool
}

type clientKey struct{}

// WithClient records the request's client for the web handlers.
func WithClient(ctx context.Context, c Client) context.Context {
	return context.WithValue(ctx, clientKey{}, c)
}

// isHTTPS reports whether the browser talks to us over HTTPS. Without the
// server's word only the connection counts: a bare X-Forwarded-Proto header
// is the client's to forge.
func isHTTPS(r *http.Request) bool {
	if c, ok := r.Context().Value(clientKey{}).(Client); ok {
		return c.HTTPS
	}
	return r.TLS != nil
}

// setFlash leaves a short message for the next page the browser shows.
func setFlash(w http.ResponseWriter, r *http.Request, msg string) {
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: url.QueryEscape(msg), Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: isHTTPS(r), MaxAge: 60})
}

func takeFlash(w http.ResponseWriter, r *http.Request) string {
	ck, err := r.Cookie(flashCookie)
	if err != nil {
		return ""
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	msg, err := url.QueryUnescape(ck.Value)
	if err != nil || len(msg) > 300 {
		return ""
	}
	return msg
}

// redirect sends the browser on after a successful form post (303, so a
// reload does not post again), with an optional flash message.
func redirect(w http.ResponseWriter, r *http.Request, to, flash string) error {
	if flash != "" {
		setFlash(w, r, flash)
	}
	if r.Header.Get("HX-Request") != "" {
		w.Header().Set("HX-Redirect", to)
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// clientAddress is the key for per-client sign-in throttling: the client
// address the server established (the peer's, unless it is a trusted proxy).
func clientAddress(r *http.Request) string {
	if c, ok := r.Context().Value(clientKey{}).(Client); ok && c.IP != "" {
		return c.IP
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// safeNext returns next when it is a path on this server, and "/"
// otherwise. Nothing is stripped or repaired: a browser reading a Location
// header drops tabs and line breaks and treats a backslash as a slash, so
// "/<TAB>/evil.example" would land on //evil.example. See localPath.
func safeNext(next string) string {
	if !localPath(next) {
		return "/"
	}
	return next
}

// maxNextLength bounds a post-sign-in destination (a URL the server made).
const maxNextLength = 2000

// localPath reports whether next is a path on this server: one "/"
// followed by anything but "/" or a backslash; no scheme, no host; no
// control, format or space characters, backslashes or look-alikes of a
// slash anywhere. Percent-decoded, it must still start that way and hold
// no control, format or slash-like character (%09, %2F, %5C hide there).
func localPath(next string) bool {
	if next == "" || len(next) > maxNextLength || !utf8.ValidString(next) {
		return false
	}
	if !pathStart(next) || hasUnsafeRune(next, true) {
		return false
	}
	decoded, err := url.PathUnescape(next)
	if err != nil || !utf8.ValidString(decoded) || !pathStart(decoded) || hasUnsafeRune(decoded, false) {
		return false
	}
	if r, _ := utf8.DecodeRuneInString(decoded[1:]); len(decoded) > 1 && unicode.IsSpace(r) {
		return false
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || !strings.HasPrefix(u.Path, "/") {
		return false
	}
	return true
}

// pathStart reports whether s starts with exactly one slash followed by a
// character that is neither a slash nor a backslash (or is just "/").
func pathStart(s string) bool {
	if !strings.HasPrefix(s, "/") {
		return false
	}
	return len(s) == 1 || (s[1] != '/' && s[1] != '\\')
}

// hasUnsafeRune reports control characters (C0, DEL, C1), invisible format
// characters (bidi overrides, zero-width spaces), backslashes and the
// Unicode look-alikes of slashes and backslashes; with spaces, also any
// space or line separator.
func hasUnsafeRune(s string, spaces bool) bool {
	for _, r := range s {
		switch {
		case r == '\\', unicode.Is(unicode.Cc, r), unicode.Is(unicode.Cf, r), strings.ContainsRune(slashLookalikes, r):
			return true
		case spaces && (unicode.IsSpace(r) || unicode.In(r, unicode.Zs, unicode.Zl, unicode.Zp)):
			return true
		}
	}
	return false
}

// slashLookalikes are characters that some URL parsers or IDNA mappings
// turn into a slash or a backslash (fraction slash, division slash, fullwidth and
// small forms, big solidus, mathematical rising diagonal, set minus…).
const slashLookalikes = "\u2044\u2215\uFF0F\uFE68\uFF3C\u29F8\u29F9\u2571\u2572\u2216\u29F5\u27CB\u27CD\u1735\u2CC6\u3033"

// OrgRoutes lists the patterns of every organisation page, so that tests
// can walk them all.
func (h *Handler) OrgRoutes() []string { return slices.Clone(h.orgRoutes) }

// Routes lists the patterns of every page and form (public, signed-in and
// organisation routes; not the static files), so that tests can check that
// they cover them all.
func (h *Handler) Routes() []string { return slices.Clone(h.patterns) }
