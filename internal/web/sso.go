package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// Single sign-on with OpenID Connect: "Sign in with …" on the sign-in page
// leads to /auth/oidc/start, which starts a flow (app.BeginSSO: state,
// nonce and PKCE verifier in the database) and sends the browser to the
// provider; the provider sends it back to /auth/oidc/callback, which takes
// the flow (once, and only in the browser that started it: a cookie holds
// the flow's binding secret), exchanges the code, verifies the ID token
// (internal/sso) and signs in (app.SignInWithSSO). Both are plain GETs: a
// form post would be stopped on its way to the provider by our CSP's
// form-action 'self'.
//
// Organisation admins map e-mail domains to automatic membership and may
// require single sign-on at /o/{org}/sso.

// SSO is the OpenID provider the web app signs in with (internal/sso).
type SSO interface {
	Name() string
	AuthCodeURL(ctx context.Context, redirectURL, state, nonce, verifier string) (string, error)
	Exchange(ctx context.Context, redirectURL, code, verifier, nonce string) (app.SSOClaims, error)
}

// Option configures the web application.
type Option func(*Handler)

// WithSSO offers single sign-on with p. redirectURL is the callback
// address registered at the provider; "" derives it from each request
// (scheme and Host, then /auth/oidc/callback).
func WithSSO(p SSO, redirectURL string) Option {
	return func(h *Handler) { h.sso, h.ssoRedirect = p, redirectURL }
}

// ssoCookie holds a flow's browser-binding secret between start and
// callback.
const ssoCookie = "pp_sso"

// CallbackPath is where the provider sends the browser back.
const CallbackPath = "/auth/oidc/callback"

func (h *Handler) ssoRoutes() {
	h.public("GET /auth/oidc/start", h.ssoStart)
	h.public("GET "+CallbackPath, h.ssoCallback)
	h.org("GET /o/{org}/sso", h.ssoSettingsPage)
	form := func() int64 { return smallBody }
	h.upload("POST /o/{org}/sso/domains", persona.RoleAdmin, form, true, h.addSSODomain)
	h.upload("POST /o/{org}/sso/domains/remove", persona.RoleAdmin, form, true, h.removeSSODomain)
	h.upload("POST /o/{org}/sso/require", persona.RoleAdmin, form, true, h.setSSORequired)
}

// ssoLabel is the provider's name for the sign-in button, "" without one.
func (h *Handler) ssoLabel() string {
	if h.sso == nil {
		return ""
	}
	return h.sso.Name()
}

func (h *Handler) ssoRedirectURL(r *http.Request) string {
	if h.ssoRedirect != "" {
		return h.ssoRedirect
	}
	scheme := "http"
	if isHTTPS(r) {
		scheme = "https"
	}
	return scheme + "://" + r.Host + CallbackPath
}

func setSSOCookie(w http.ResponseWriter, r *http.Request, value string, maxAge int) {
	// Lax: the provider's redirect back is a top-level GET from its site.
	http.SetCookie(w, &http.Cookie{Name: ssoCookie, Value: value, Path: "/auth/oidc/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: isHTTPS(r), MaxAge: maxAge})
}

// ssoStart sends the browser to the provider with a new flow.
func (h *Handler) ssoStart(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	if h.sso == nil {
		return persona.ErrNotFound("page")
	}
	next := safeNext(r.URL.Query().Get("next"))
	redirectURL := h.ssoRedirectURL(r)
	st, err := h.svc.BeginSSO(r.Context(), next, redirectURL)
	if err != nil {
		return err
	}
	to, err := h.sso.AuthCodeURL(r.Context(), redirectURL, st.State, st.Nonce, st.Verifier)
	if err != nil {
		return h.ssoFailed(w, r, next, err)
	}
	setSSOCookie(w, r, st.Browser, int(persona.SSOFlowLifetime/time.Second))
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// ssoCallback finishes a flow: nothing is signed in or created unless the
// flow is this browser's, the code and its verifier are accepted, the ID
// token verifies with the flow's nonce, and the app accepts the person.
func (h *Handler) ssoCallback(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	if h.sso == nil {
		return persona.ErrNotFound("page")
	}
	q := r.URL.Query()
	browser := ""
	if ck, err := r.Cookie(ssoCookie); err == nil {
		browser = ck.Value
	}
	setSSOCookie(w, r, "", -1)
	if e := q.Get("error"); e != "" {
		// The provider refused or the person cancelled; the flow is used up.
		_, _ = h.svc.FinishSSO(r.Context(), q.Get("state"), browser)
		why := providerText(q.Get("error_description"))
		if why == "" {
			why = providerText(e)
		}
		return h.ssoFailed(w, r, "/", persona.Errorf(persona.CodeForbidden,
			"Signing in with %s did not finish there (%s), so nobody was signed in.", h.sso.Name(), why))
	}
	flow, err := h.svc.FinishSSO(r.Context(), q.Get("state"), browser)
	if err != nil {
		return h.ssoFailed(w, r, "/", err)
	}
	claims, err := h.sso.Exchange(r.Context(), flow.RedirectURL, q.Get("code"), flow.Verifier, flow.Nonce)
	if err != nil {
		return h.ssoFailed(w, r, flow.Next, err)
	}
	res, err := h.svc.SignInWithSSO(r.Context(), claims)
	if err != nil {
		return h.ssoFailed(w, r, flow.Next, err)
	}
	if old, err := r.Cookie(sessionCookie); err == nil {
		_ = h.svc.SignOut(r.Context(), old.Value)
	}
	setSessionCookie(w, r, res.Secret, app.SessionLifetime)
	flash := ""
	if len(res.Joined) > 0 {
		names := make([]string, len(res.Joined))
		for i, m := range res.Joined {
			names[i] = m.Org.Name + " (" + string(m.Role) + ")"
		}
		flash = "Welcome! Your e-mail domain made you a member of " + strings.Join(names, ", ") + "."
	}
	return redirect(w, r, safeNext(flow.Next), flash)
}

// providerText is what the provider wrote about a refusal, safe and short.
func providerText(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, ""))
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > 200 {
		s = string(r[:199]) + "…"
	}
	return s
}

// ssoFailed shows the sign-in page with why single sign-on did not sign
// anyone in, with the error's status (400, 403, 503…). Internal errors go
// to the generic error page.
func (h *Handler) ssoFailed(w http.ResponseWriter, r *http.Request, next string, err error) error {
	e, ok := persona.AsError(err)
	status := statusFor(persona.ErrorCode(err))
	if !ok || status == http.StatusInternalServerError || e.Code == persona.CodeUnauthenticated {
		return err
	}
	if ra := retryAfterOf(e); ra != "" {
		w.Header().Set("Retry-After", ra)
	}
	return h.render(w, r, &Ctx{}, status, "login", "Sign in", loginView{Next: safeNext(next), Error: e.Message, SSO: h.ssoLabel()})
}

func retryAfterOf(e *persona.Error) string {
	if e.RetryAfter > 0 {
		return retryAfter(e.RetryAfter)
	}
	if e.Code == persona.CodeUnavailable {
		return "5"
	}
	return ""
}

// ---- "this organisation requires single sign-on" ----

type ssoRequiredView struct {
	Message string
	SSO     string // the provider's name; "" when none is configured
	Next    string
}

// renderSSORequired answers a member whose session did not sign in with
// single sign-on in an organisation that requires it: a page that says so
// and offers the button, which comes back to the same page.
func (h *Handler) renderSSORequired(w http.ResponseWriter, r *http.Request, c *Ctx, err error) error {
	e, _ := persona.AsError(err)
	next := "/"
	if r.Method == http.MethodGet && localPath(r.URL.RequestURI()) {
		next = r.URL.RequestURI()
	}
	return h.render(w, r, c, http.StatusForbidden, "sso_required", "Single sign-on required",
		ssoRequiredView{Message: e.Message, SSO: h.ssoLabel(), Next: next})
}

// ---- organisation settings ----

type ssoSettingsView struct {
	app.OrgSSOSettings
	Roles     []persona.Role
	OwnDomain string // the caller's address's domain, offered to map
	Form      ssoDomainForm
	Error     string
	Errors    map[string]string
	Notice    string
}

type ssoDomainForm struct {
	Domain string
	Role   persona.Role
}

func (h *Handler) ssoSettingsPage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	return h.renderSSOSettings(w, r, c, http.StatusOK, ssoSettingsView{})
}

func (h *Handler) renderSSOSettings(w http.ResponseWriter, r *http.Request, c *Ctx, status int, v ssoSettingsView) error {
	settings, err := h.svc.GetOrgSSO(r.Context(), c.Actor, c.Org.Slug)
	if err != nil {
		return err
	}
	v.OrgSSOSettings = settings
	v.Roles = persona.SSODomainRoles
	v.OwnDomain = persona.EmailDomain(c.Actor.Email)
	if v.Form.Domain == "" && status == http.StatusOK {
		v.Form.Domain = v.OwnDomain
	}
	if v.Form.Role == "" {
		v.Form.Role = persona.RoleViewer
	}
	return h.render(w, r, c, status, "sso_settings", "Single sign-on", v)
}

// ssoRefused shows the settings page again with the app's reason.
func (h *Handler) ssoRefused(w http.ResponseWriter, r *http.Request, c *Ctx, err error, v ssoSettingsView) error {
	e, ok := persona.AsError(err)
	if !ok || e.Code == "" || e.Code == persona.CodeUnauthenticated || statusFor(e.Code) >= 500 {
		return err
	}
	v.Error = e.Message
	v.Errors = map[string]string{}
	for _, f := range e.Fields {
		v.Errors[f.Field] = f.Message
	}
	return h.renderSSOSettings(w, r, c, statusFor(e.Code), v)
}

func ssoPath(c *Ctx) string { return "/o/" + url.PathEscape(c.Org.Slug) + "/sso" }

func (h *Handler) addSSODomain(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	form := ssoDomainForm{Domain: strings.TrimSpace(r.PostFormValue("domain")), Role: persona.Role(r.PostFormValue("role"))}
	d, err := h.svc.AddSSODomain(r.Context(), c.Actor, c.Org.Slug, form.Domain, form.Role)
	if err != nil {
		return h.ssoRefused(w, r, c, err, ssoSettingsView{Form: form})
	}
	return redirect(w, r, ssoPath(c), "People at "+d.Domain+" now join "+c.Org.Name+" as "+string(d.Role)+" when they sign in with single sign-on.")
}

func (h *Handler) removeSSODomain(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	domain := strings.TrimSpace(r.PostFormValue("domain"))
	if err := h.svc.RemoveSSODomain(r.Context(), c.Actor, c.Org.Slug, domain); err != nil {
		return h.ssoRefused(w, r, c, err, ssoSettingsView{})
	}
	return redirect(w, r, ssoPath(c), domain+" no longer gives automatic membership. People it added stay members.")
}

func (h *Handler) setSSORequired(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	required := r.PostFormValue("require_sso") == "on"
	if _, err := h.svc.SetSSORequired(r.Context(), c.Actor, c.Org.Slug, required); err != nil {
		return h.ssoRefused(w, r, c, err, ssoSettingsView{})
	}
	msg := "Members of " + c.Org.Name + " may sign in with a password or with single sign-on."
	if required {
		msg = "Members of " + c.Org.Name + " must now sign in with single sign-on to open it."
	}
	return redirect(w, r, ssoPath(c), msg)
}
