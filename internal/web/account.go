package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/personapal/personapal/internal/persona"
)

func (h *Handler) accountRoutes() {
	h.signedIn("GET /account", h.accountPage)
	h.signedIn("POST /account/password", h.changePassword)
	h.signedIn("GET /account/tokens", h.tokensPage)
	h.signedIn("POST /account/tokens", h.createToken)
	h.signedIn("POST /account/tokens/{id}/revoke", h.revokeToken)
	h.signedIn("POST /account/sessions/revoke", h.signOutEverywhere)
}

// securityPage is how many security events the account page shows at once.
const securityPage = 20

// accountView is the account page: changing the password, signing out
// everywhere, and the caller's own security log, newest first.
type accountView struct {
	Events     []persona.SecurityEvent
	Before     int64 // the page continues below this seq (0: the newest)
	NextBefore int64 // the next (older) page's before; 0: none
	// The password form, kept when it is refused (never the passwords).
	RevokeTokens bool
	Errors       map[string]string // field → message
	Error        string
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
	return h.render(w, r, c, status, "account", "Your account", v)
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
	Tokens    []persona.Token
	Active    int
	Origin    string // this server as the browser reached it, for the usage example
	Name      string // the create form's name input
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
	v.Tokens = tokens
	for _, t := range tokens {
		if t.RevokedAt == nil {
			v.Active++
		}
	}
	v.Origin = requestOrigin(r)
	return h.render(w, r, c, status, "tokens", "API tokens", v)
}

func (h *Handler) createToken(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	name := strings.TrimSpace(r.PostFormValue("name"))
	secret, tok, err := h.svc.CreateToken(r.Context(), c.Actor, name)
	if err != nil {
		e, ok := persona.AsError(err)
		if !ok || e.Code != persona.CodeInvalid {
			return err
		}
		msg := e.Message
		for _, f := range e.Fields {
			if f.Field == "name" {
				msg = "The name " + f.Message + "."
			}
		}
		return h.renderTokens(w, r, c, http.StatusUnprocessableEntity, tokensView{Name: name, Error: msg})
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
