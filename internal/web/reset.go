package web

import (
	"net/http"
	"strings"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// Forgot password: the sign-in page links the form (/forgot), whose
// answer reads the same whether or not the address has an account
// (app.RequestPasswordReset), and the e-mailed link's page (app.ResetPath)
// sets a new password and signs in.

func (h *Handler) passwordResetRoutes() {
	h.public("GET /forgot", h.forgotPage)
	h.public("POST /forgot", h.forgot)
	h.public("GET "+app.ResetPath, h.resetPage)
	h.public("POST "+app.ResetPath, h.reset)
}

// forgotView is the forgot-password form and, once sent, its answer.
type forgotView struct {
	Email string
	Error string // why the form was refused
	Sent  bool   // the same answer for every address
}

func (h *Handler) forgotPage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	email := strings.TrimSpace(r.URL.Query().Get("email"))
	if len(email) > 254 || persona.HasControl(email) {
		email = ""
	}
	return h.render(w, r, c, http.StatusOK, "forgot", "Forgot your password?", forgotView{Email: email})
}

func (h *Handler) forgot(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	email := strings.TrimSpace(r.PostFormValue("email"))
	v := forgotView{Email: email}
	if err := h.svc.RequestPasswordReset(r.Context(), email); err != nil {
		e, ok := persona.AsError(err)
		switch {
		case ok && e.Code == persona.CodeInvalid:
			v.Error = "The email " + e.Fields[0].Message + "."
			if v.Email == "" {
				v.Error = "Type the email address of your account."
			}
			return h.render(w, r, c, http.StatusUnprocessableEntity, "forgot", "Forgot your password?", v)
		case ok && e.Code == persona.CodeTooMany:
			w.Header().Set("Retry-After", retryAfter(e.RetryAfter))
			v.Error = sentence(e.Message)
			return h.render(w, r, c, http.StatusTooManyRequests, "forgot", "Forgot your password?", v)
		}
		return err
	}
	return h.render(w, r, c, http.StatusOK, "forgot", "Check your inbox", forgotView{Email: email, Sent: true})
}

// resetView is a reset link's page.
type resetView struct {
	Token string
	Email string // whose password the link sets
	// Error is why the link does not work; Other that it is another
	// account's; FormError and Errors why the form was refused.
	Error, Other string
	FormError    string
	Errors       map[string]string
	RevokeTokens bool
}

func (h *Handler) renderReset(w http.ResponseWriter, r *http.Request, c *Ctx, status int, v resetView) error {
	rl, err := h.svc.OpenResetLink(r.Context(), v.Token)
	if err != nil {
		if persona.ErrorCode(err) == persona.CodeNotFound {
			return h.render(w, r, c, http.StatusNotFound, "reset", "Reset your password", resetView{Error: err.Error()})
		}
		return err
	}
	v.Email = rl.Email
	if c.Actor.UserID != "" && c.Actor.UserID != rl.UserID {
		v.Other = c.Actor.Email
		status = http.StatusForbidden
	}
	if v.Errors == nil {
		v.Errors = map[string]string{}
	}
	return h.render(w, r, c, status, "reset", "Reset your password", v)
}

func (h *Handler) resetPage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	return h.renderReset(w, r, c, http.StatusOK, resetView{Token: linkToken(r), RevokeTokens: true})
}

func (h *Handler) reset(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	token := linkToken(r)
	password := r.PostFormValue("new_password")
	revoke := r.PostFormValue("revoke_tokens") != ""
	v := resetView{Token: token, RevokeTokens: revoke, Errors: map[string]string{}}
	if password != r.PostFormValue("confirm_password") {
		v.Errors["confirm_password"] = "The two passwords differ; type the same one twice."
		v.FormError = "Your password was not changed."
		return h.renderReset(w, r, c, http.StatusUnprocessableEntity, v)
	}
	res, err := h.svc.ResetPassword(r.Context(), c.Actor, token, password, revoke)
	if err != nil {
		e, ok := persona.AsError(err)
		switch {
		case ok && e.Code == persona.CodeInvalid:
			for _, f := range e.Fields {
				if f.Field == "new_password" {
					v.Errors["new_password"] = "The new password " + f.Message + "."
				}
			}
			v.FormError = "Your password was not changed."
			return h.renderReset(w, r, c, http.StatusUnprocessableEntity, v)
		case ok && e.Code == persona.CodeNotFound:
			return h.render(w, r, c, http.StatusNotFound, "reset", "Reset your password", resetView{Error: e.Message})
		case ok && e.Code == persona.CodeForbidden:
			return h.renderReset(w, r, c, http.StatusForbidden, v)
		}
		return err
	}
	setSessionCookie(w, r, res.Session, app.SessionLifetime)
	msg := "Your password was reset and every other session was signed out."
	if revoke {
		msg = "Your password was reset, every other session was signed out and " + tokenCount(res.Revoked) + " revoked."
	}
	return redirect(w, r, "/", msg)
}
