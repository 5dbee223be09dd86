package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// Sign-up ("Join", app.SignUp) and the verification link it sends. With
// sign-up closed there is no page and no link to it.

func (h *Handler) signupRoutes() {
	h.public("GET /signup", h.signupPage)
	h.public("POST /signup", h.signup)
	h.public("GET /signup/verify", h.verifyPage)
	h.public("POST /signup/verify", h.verify)
}

// signupView is the Join page and, once sent, its answer.
type signupView struct {
	Name, Email string
	Errors      map[string]string
	Error       string
	Invite      bool   // only invited addresses may join
	Domains     string // open sign-up's domains, as a sentence ("" for any)
	Sent        bool   // the form was taken: the same answer for every address
}

func (h *Handler) signupView(v signupView) signupView {
	p := h.svc.SignupPolicy()
	v.Invite, v.Domains = p.Mode == persona.SignupInvite, p.DomainList()
	return v
}

// signupOpen refuses the sign-up pages when sign-up is closed: they do
// not exist then.
func (h *Handler) signupOpen() error {
	if h.svc.SignupPolicy().Mode == persona.SignupClosed {
		return persona.ErrNotFound("page")
	}
	return nil
}

func (h *Handler) signupPage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	if err := h.signupOpen(); err != nil {
		return err
	}
	if c.Actor.UserID != "" {
		return redirect(w, r, "/", "")
	}
	return h.render(w, r, c, http.StatusOK, "signup", "Join Persona Pal", h.signupView(signupView{}))
}

var signupLabels = map[string]string{"name": "Your name", "email": "Your email", "password": "The password"}

func (h *Handler) signup(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	if err := h.signupOpen(); err != nil {
		return err
	}
	in := app.SignupInput{Name: r.PostFormValue("name"), Email: r.PostFormValue("email"), Password: r.PostFormValue("password")}
	v := h.signupView(signupView{Name: strings.TrimSpace(in.Name), Email: strings.TrimSpace(in.Email), Errors: map[string]string{}})
	if err := h.svc.SignUp(r.Context(), in); err != nil {
		e, ok := persona.AsError(err)
		switch {
		case ok && e.Code == persona.CodeInvalid:
			for _, f := range e.Fields {
				if label, known := signupLabels[f.Field]; known {
					v.Errors[f.Field] = label + " " + f.Message + "."
				}
			}
			v.Error = "No account was made: correct what is marked below."
			return h.render(w, r, c, http.StatusUnprocessableEntity, "signup", "Join Persona Pal", v)
		case ok && e.Code == persona.CodeTooMany:
			w.Header().Set("Retry-After", retryAfter(e.RetryAfter))
			v.Error = "No account was made: " + e.Message + "."
			return h.render(w, r, c, http.StatusTooManyRequests, "signup", "Join Persona Pal", v)
		}
		return err
	}
	// The same page whatever became of the address.
	return h.render(w, r, c, http.StatusOK, "signup", "Check your inbox", signupView{Email: v.Email, Sent: true, Invite: v.Invite})
}

// verifyView is the verification link's page: a button that uses it (a
// GET changes nothing, so a mail scanner opening the link spends
// nothing), or why the link does not work.
type verifyView struct {
	Token string
	Error string
	Join  bool // sign-up is open: offer to join again
}

func (h *Handler) verifyPage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	token := r.URL.Query().Get("token")
	if token == "" || len(token) > 200 {
		return h.render(w, r, c, http.StatusNotFound, "verify", "Verify your address", verifyView{Error: verificationProblem(), Join: h.signupOpen() == nil})
	}
	return h.render(w, r, c, http.StatusOK, "verify", "Verify your address", verifyView{Token: token})
}

func (h *Handler) verify(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	u, err := h.svc.VerifyEmail(r.Context(), r.PostFormValue("token"))
	if err != nil {
		if e, ok := persona.AsError(err); ok && e.Code == persona.CodeNotFound {
			return h.render(w, r, c, http.StatusNotFound, "verify", "Verify your address", verifyView{Error: e.Message, Join: h.signupOpen() == nil})
		}
		return err
	}
	return redirect(w, r, "/login?email="+url.QueryEscape(u.Email), "Your address "+u.Email+" is verified. Sign in to start.")
}

func verificationProblem() string {
	return "This verification link does not work: it was used already, is more than 24 hours old, or was not copied whole. Nothing was changed. Join again with the same address to get a new one."
}
