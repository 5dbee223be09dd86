package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// Changing one's e-mail address (app.RequestEmailChange): the form on the
// account page, Cancel for a pending change, and the page of the link sent
// to the new address, whose button confirms it.

func (h *Handler) emailChangeRoutes() {
	h.signedIn("POST /account/email", h.requestEmailChange)
	h.signedIn("POST /account/email/cancel", h.cancelEmailChange)
	h.public("GET "+app.EmailChangePath, h.emailConfirmPage)
	h.public("POST "+app.EmailChangePath, h.confirmEmailChange)
}

func (h *Handler) requestEmailChange(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	email := strings.TrimSpace(r.PostFormValue("email"))
	pc, err := h.svc.RequestEmailChange(r.Context(), c.Actor, email, r.PostFormValue("current_password"))
	if err != nil {
		e, ok := persona.AsError(err)
		if !ok || (e.Code != persona.CodeInvalid && e.Code != persona.CodeTooMany) {
			return err
		}
		v := accountView{NewEmail: email, EmailErrors: map[string]string{}, EmailError: "Your address was not changed."}
		labels := map[string]string{"email": "The new address", "current_password": "Your current password"}
		for _, f := range e.Fields {
			if label, known := labels[f.Field]; known {
				v.EmailErrors[f.Field] = label + " " + f.Message + "."
			}
		}
		status := http.StatusUnprocessableEntity
		if e.Code == persona.CodeTooMany {
			w.Header().Set("Retry-After", retryAfter(e.RetryAfter))
			v.EmailError, status = "Your address was not changed: "+e.Message+".", http.StatusTooManyRequests
		}
		return h.renderAccount(w, r, c, status, v)
	}
	return redirect(w, r, "/account", "A link to confirm "+pc.NewEmail+" is on its way there; until it is opened, your address stays "+c.Actor.Email+".")
}

func (h *Handler) cancelEmailChange(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	pc, err := h.svc.CancelEmailChange(r.Context(), c.Actor)
	if err != nil {
		if persona.ErrorCode(err) == persona.CodeNotFound {
			return redirect(w, r, "/account", "No change of address was waiting.")
		}
		return err
	}
	return redirect(w, r, "/account", "The change to "+pc.NewEmail+" is cancelled: its link no longer works.")
}

// emailConfirmView is the confirmation link's page.
type emailConfirmView struct {
	Token    string
	NewEmail string
	// Error is why the link does not work or the change was refused;
	// Other that another account is signed in.
	Error, Other string
}

func (h *Handler) renderEmailConfirm(w http.ResponseWriter, r *http.Request, c *Ctx, status int, v emailConfirmView) error {
	title := "Confirm your new address"
	cl, err := h.svc.OpenEmailChangeLink(r.Context(), v.Token)
	if err != nil {
		if persona.ErrorCode(err) == persona.CodeNotFound {
			return h.render(w, r, c, http.StatusNotFound, "email_confirm", title, emailConfirmView{Error: err.Error()})
		}
		return err
	}
	v.NewEmail = cl.NewEmail
	if c.Actor.UserID != "" && c.Actor.UserID != cl.UserID {
		v.Other, status = c.Actor.Email, http.StatusForbidden
	}
	return h.render(w, r, c, status, "email_confirm", title, v)
}

func (h *Handler) emailConfirmPage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	return h.renderEmailConfirm(w, r, c, http.StatusOK, emailConfirmView{Token: linkToken(r)})
}

func (h *Handler) confirmEmailChange(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	token := linkToken(r)
	u, err := h.svc.ConfirmEmailChange(r.Context(), c.Actor, token)
	if err != nil {
		e, ok := persona.AsError(err)
		switch {
		case ok && e.Code == persona.CodeNotFound:
			return h.render(w, r, c, http.StatusNotFound, "email_confirm", "Confirm your new address", emailConfirmView{Error: e.Message})
		case ok && e.Code == persona.CodeConflict:
			return h.render(w, r, c, http.StatusConflict, "email_confirm", "Confirm your new address", emailConfirmView{Error: e.Message})
		case ok && e.Code == persona.CodeForbidden:
			return h.renderEmailConfirm(w, r, c, http.StatusForbidden, emailConfirmView{Token: token})
		}
		return err
	}
	if c.Actor.UserID == u.ID {
		return redirect(w, r, "/account", "Your address is now "+u.Email+".")
	}
	return redirect(w, r, "/login?email="+url.QueryEscape(u.Email), "Your address is now "+u.Email+". Sign in with it.")
}
