package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

func (h *Handler) accountRoutes() {
	h.signedIn("GET /account", h.accountPage)
	h.signedIn("POST /account/password", h.changePassword)
	h.signedIn("GET /account/tokens", h.tokensPage)
	h.signedIn("POST /account/tokens", h.createToken)
	h.signedIn("POST /account/tokens/{id}/revoke", h.revokeToken)
	h.signedIn("POST /account/sessions/revoke", h.signOutEverywhere)
	h.signedIn("POST /account/name", h.changeName)
	h.signedIn("POST /account/sessions/others/revoke", h.signOutOthers)
	h.signedIn("POST /account/sessions/{id}/revoke", h.revokeSession)
}

// securityPage is how many security events the account page shows at once.
const securityPage = 20

// accountView is the account page: changing the password, signing out
// everywhere, and the caller's own security log, newest first.
type accountView struct {
	// Notify is the notification preferences (notifications.go).
	Notify      notificationPrefsView
	NotifyError string
	// Name is the name form's value; NameError why it was refused.
	Name      string
	NameError string
	// Sessions are the caller's browser sessions, this one marked.
	Sessions   []app.SessionInfo
	Events     []persona.SecurityEvent
	Before     int64 // the page continues below this seq (0: the newest)
	NextBefore int64 // the next (older) page's before; 0: none
	// Email is the account's address and PendingEmail a change waiting
	// for its confirmation (nil: none); SSO: signed in with single
	// sign-on (the change needs no password). NewEmail, EmailError and
	// EmailErrors keep a refused change form (emailchange.go).
	Email        string
	PendingEmail *app.EmailChange
	SSO          bool
	NewEmail     string
	EmailError   string
	EmailErrors  map[string]string
	// The password form, kept when it is refused (never the passwords).
	RevokeTokens bool
	Errors       map[string]string // field → message
	Error        string
	// ReviewDigest: the caller gets the weekly review digest (reviews.go).
	ReviewDigest bool
}

func (h *Handler) accountPage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	before := int64(0)
	if v := r.URL.Query().Get("before"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return persona.Invalid("invalid page", []persona.FieldError{{Field: "before", Message: "must be a whole number"}})
		}
		before = n
	}
	return h.renderAccount(w, r, c, http.StatusOK, accountView{Before: before})
}

func (h *Handler) renderAccount(w http.ResponseWriter, r *http.Request, c *Ctx, status int, v accountView) error {
	events, err := h.svc.ListSecurityEvents(r.Context(), c.Actor, v.Before, securityPage+1)
	if err != nil {
		return err
	}
	if len(events) > securityPage {
		events = events[:securityPage]
		v.NextBefore = events[len(events)-1].Seq
	}
	v.Events = events
	if v.Sessions, err = h.svc.ListSessions(r.Context(), c.Actor); err != nil {
		return err
	}
	if v.Name == "" {
		v.Name = c.Actor.Name
	}
	if v.PendingEmail, err = h.svc.PendingEmailChange(r.Context(), c.Actor); err != nil {
		return err
	}
	v.Email, v.SSO = c.Actor.Email, c.Actor.SSO
	if v.Notify, err = h.notificationPrefsView(r, c); err != nil {
		return err
	}
	if v.ReviewDigest, err = h.svc.ReviewDigestOn(r.Context(), c.Actor); err != nil {
		return err
	}
	if v.EmailErrors == nil {
		v.EmailErrors = map[string]string{}
	}
	return h.render(w, r, c, status, "account", "Your account", v)
}

// changeName changes the caller's display name.
func (h *Handler) changeName(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	name := r.PostFormValue("name")
	u, err := h.svc.ChangeName(r.Context(), c.Actor, name)
	if err != nil {
		e, ok := persona.AsError(err)
		if !ok || e.Code != persona.CodeInvalid {
			return err
		}
		msg := "Your name " + e.Message + "."
		for _, f := range e.Fields {
			msg = "Your name " + f.Message + "."
		}
		return h.renderAccount(w, r, c, http.StatusUnprocessableEntity, accountView{Name: strings.TrimSpace(name), NameError: msg})
	}
	return redirect(w, r, "/account", "Your name is now "+u.Name+".")
}

// revokeSession signs one of the caller's browser sessions out.
func (h *Handler) revokeSession(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id := r.PathValue("id")
	if err := h.svc.RevokeSession(r.Context(), c.Actor, id); err != nil {
		if persona.ErrorCode(err) == persona.CodeNotFound {
			return redirect(w, r, "/account", "That session had ended already.")
		}
		return err
	}
	if id == c.Actor.SessionID {
		setSessionCookie(w, r, "", -1)
		return redirect(w, r, "/login", "You are signed out.")
	}
	return redirect(w, r, "/account", "That session is signed out; it no longer works.")
}

// signOutOthers signs out every session of the caller but this browser's.
func (h *Handler) signOutOthers(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	n, err := h.svc.SignOutOtherSessions(r.Context(), c.Actor)
	if err != nil {
		return err
	}
	msg := "Every other session is signed out (" + strconv.Itoa(n) + "); this browser stays signed in."
	if n == 0 {
		msg = "No other session was signed in."
	}
	return redirect(w, r, "/account", msg)
}

// changePassword replaces the caller's password; every session ends with
// it (this one too), so the browser signs in again with the new one.
func (h *Handler) changePassword(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	current, next := r.PostFormValue("current_password"), r.PostFormValue("new_password")
	revoke := r.PostFormValue("revoke_tokens") != ""
	v := accountView{RevokeTokens: revoke, Errors: map[string]string{}}
	if next != r.PostFormValue("confirm_password") {
		v.Errors["confirm_password"] = "The two new passwords differ; type the same one twice."
		v.Error = "Your password was not changed."
		return h.renderAccount(w, r, c, http.StatusUnprocessableEntity, v)
	}
	revoked, err := h.svc.ChangePassword(r.Context(), c.Actor, current, next, revoke)
	if err != nil {
		e, ok := persona.AsError(err)
		if !ok || e.Code != persona.CodeInvalid {
			return err
		}
		labels := map[string]string{"current_password": "Your current password", "new_password": "The new password"}
		for _, f := range e.Fields {
			if label, ok := labels[f.Field]; ok {
				v.Errors[f.Field] = label + " " + f.Message + "."
			}
		}
		v.Error = "Your password was not changed."
		return h.renderAccount(w, r, c, http.StatusUnprocessableEntity, v)
	}
	setSessionCookie(w, r, "", -1)
	msg := "Your password was changed and you were signed out everywhere. Sign in with the new password."
	if revoke {
		msg = "Your password was changed, you were signed out everywhere and " + tokenCount(revoked) + " revoked. Sign in with the new password."
	}
	return redirect(w, r, "/login", msg)
}

// signOutEverywhere ends all of the caller's sessions (this browser's too)
// and, when asked, revokes their API tokens.
func (h *Handler) signOutEverywhere(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	revoke := r.PostFormValue("revoke_tokens") != ""
	revoked, err := h.svc.SignOutEverywhere(r.Context(), c.Actor, revoke)
	if err != nil {
		return err
	}
	setSessionCookie(w, r, "", -1)
	msg := "You are signed out on every device."
	if revoke {
		msg = "You are signed out on every device, and " + tokenCount(revoked) + " revoked."
	}
	return redirect(w, r, "/login", msg)
}

// tokenCount says how many API tokens were revoked, as a subject.
func tokenCount(n int) string {
	switch n {
	case 0:
		return "no API token needed to be"
	case 1:
		return "your API token was"
	}
	return "your " + strconv.Itoa(n) + " API tokens were"
}

// tokensView is the API tokens page: the caller's tokens, the form to make
// one and, right after making one, its secret (shown this once only: it is
// in this response's body and nowhere else, and the response is no-store).
type tokensView struct {
	Tokens    []tokenRow
	Active    int
	Origin    string // this server as the browser reached it, for the usage example
	Name      string // the create form's name input
	Scope     string // the create form's scope ("write" or "read")
	Expires   string // the create form's expiry in days ("" never)
	Error     string // why creating a token was refused
	NewSecret string
	NewToken  persona.Token
}

func (h *Handler) tokensPage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	return h.renderTokens(w, r, c, http.StatusOK, tokensView{})
}

func (h *Handler) renderTokens(w http.ResponseWriter, r *http.Request, c *Ctx, status int, v tokensView) error {
	tokens, err := h.svc.ListTokens(r.Context(), c.Actor)
	if err != nil {
		return err
	}
	now := time.Now()
	for _, t := range tokens {
		row := tokenRow{Token: t, Expired: t.ExpiresAt != nil && !now.Before(*t.ExpiresAt)}
		if t.RevokedAt == nil && !row.Expired {
			v.Active++
		}
		v.Tokens = append(v.Tokens, row)
	}
	if v.Scope == "" {
		v.Scope = string(persona.ScopeWrite)
	}
	v.Origin = requestOrigin(r)
	return h.render(w, r, c, status, "tokens", "API tokens", v)
}

// tokenRow is a token on the tokens page.
type tokenRow struct {
	persona.Token
	Expired bool
}

// tokenExpiries are the expiry choices of the create form, in days.
var tokenExpiries = map[string]int{"": 0, "7": 7, "30": 30, "90": 90, "365": 365}

func (h *Handler) createToken(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	name := strings.TrimSpace(r.PostFormValue("name"))
	scope, expires := r.PostFormValue("scope"), r.PostFormValue("expires")
	days, ok := tokenExpiries[expires]
	if !ok {
		return h.renderTokens(w, r, c, http.StatusUnprocessableEntity, tokensView{Name: name, Scope: scope,
			Error: "Choose when the token expires from the list."})
	}
	secret, tok, err := h.svc.CreateScopedToken(r.Context(), c.Actor, app.TokenOptions{Name: name, Scope: persona.TokenScope(scope),
		ExpiresIn: time.Duration(days) * 24 * time.Hour})
	if err != nil {
		e, ok := persona.AsError(err)
		if !ok || e.Code != persona.CodeInvalid {
			return err
		}
		msg := e.Message
		labels := map[string]string{"name": "The name", "scope": "What the token may do", "expires": "The expiry"}
		for _, f := range e.Fields {
			if label, known := labels[f.Field]; known {
				msg = label + " " + f.Message + "."
			}
		}
		return h.renderTokens(w, r, c, http.StatusUnprocessableEntity, tokensView{Name: name, Scope: scope, Expires: expires, Error: msg})
	}
	// The secret goes into this page only: never a cookie, URL or flash.
	// serve() has already marked the response no-store.
	return h.renderTokens(w, r, c, http.StatusCreated, tokensView{NewSecret: secret, NewToken: tok})
}

func (h *Handler) revokeToken(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id := r.PathValue("id")
	name := ""
	if tokens, err := h.svc.ListTokens(r.Context(), c.Actor); err == nil {
		for _, t := range tokens {
			if t.ID == id {
				name = t.Name
				if t.RevokedAt != nil {
					// A second click on Revoke: nothing left to do.
					return redirect(w, r, "/account/tokens", "“"+name+"” was already revoked.")
				}
			}
		}
	}
	if err := h.svc.RevokeToken(r.Context(), c.Actor, id); err != nil {
		return err
	}
	msg := "The token was revoked; it no longer works."
	if name != "" {
		msg = "“" + name + "” was revoked; it no longer works."
	}
	return redirect(w, r, "/account/tokens", msg)
}

// requestOrigin is the scheme and host the browser used to reach us.
func requestOrigin(r *http.Request) string {
	scheme := "http"
	if isHTTPS(r) {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
