package web

import (
	"net/http"
	"strings"

	"github.com/personapal/personapal/internal/persona"
)

func (h *Handler) accountRoutes() {
	h.signedIn("GET /account/tokens", h.tokensPage)
	h.signedIn("POST /account/tokens", h.createToken)
	h.signedIn("POST /account/tokens/{id}/revoke", h.revokeToken)
	h.signedIn("POST /account/sessions/revoke", h.signOutEverywhere)
}

// signOutEverywhere ends all of the caller's sessions (this browser's too).
func (h *Handler) signOutEverywhere(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	if err := h.svc.SignOutEverywhere(r.Context(), c.Actor); err != nil {
		return err
	}
	setSessionCookie(w, r, "", -1)
	return redirect(w, r, "/login", "You are signed out on every device.")
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
