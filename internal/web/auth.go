package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

type loginView struct {
	Email string
	Next  string
	Error string
	SSO   string // the single sign-on provider's name; "" when none
	// Join links the sign-up page (unless sign-up is closed).
	Join bool
}

func (h *Handler) loginPage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	if c.Actor.UserID != "" {
		return redirect(w, r, safeNext(r.URL.Query().Get("next")), "")
	}
	email := strings.TrimSpace(r.URL.Query().Get("email"))
	if len(email) > 254 || persona.HasControl(email) {
		email = ""
	}
	return h.render(w, r, c, http.StatusOK, "login", "Sign in", loginView{Next: safeNext(r.URL.Query().Get("next")), Email: email,
		Join: h.signupOpen() == nil, SSO: h.ssoLabel()})
}

// login signs in with email and password. A successful sign-in always
// starts a new session (rotation) and ends the one the browser had.
func (h *Handler) login(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	email := strings.TrimSpace(r.PostFormValue("email"))
	next := safeNext(r.PostFormValue("next"))
	secret, _, err := h.svc.SignIn(r.Context(), email, r.PostFormValue("password"), clientAddress(r))
	if err != nil {
		status := statusFor(persona.ErrorCode(err))
		e, ok := persona.AsError(err)
		if !ok || status == http.StatusInternalServerError {
			return err
		}
		if status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", retryAfter(e.RetryAfter))
		}
		return h.render(w, r, &Ctx{}, status, "login", "Sign in", loginView{Email: email, Next: next, Error: e.Message, Join: h.signupOpen() == nil, SSO: h.ssoLabel()})
	}
	if old, err := r.Cookie(sessionCookie); err == nil {
		_ = h.svc.SignOut(r.Context(), old.Value)
	}
	setSessionCookie(w, r, secret, app.SessionLifetime)
	return redirect(w, r, next, "")
}

// retryAfter is a Retry-After value for a wait: whole seconds, rounded up,
// at least 1.
func retryAfter(d time.Duration) string {
	return strconv.Itoa(max(1, int((d+time.Second-1)/time.Second)))
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	if ck, err := r.Cookie(sessionCookie); err == nil {
		if err := h.svc.SignOut(r.Context(), ck.Value); err != nil {
			return err
		}
	}
	setSessionCookie(w, r, "", -1)
	return redirect(w, r, "/login", "You are signed out.")
}

type indexView struct {
	Orgs        []persona.OrgMembership
	Invitations []persona.Invitation // pending, shown first
	Error       string               // why answering an invitation was refused
	Deleted     []persona.DeletedOrg // deleted organisations the caller owns and can restore
}

// index lists the caller's pending invitations and organisations; a member
// of one organisation with no invitation waiting goes straight to it
// (renderIndex, invitations.go).
func (h *Handler) index(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	return h.renderIndex(w, r, c, http.StatusOK, indexView{})
}
