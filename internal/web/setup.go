package web

import (
	"net/http"
	"strings"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// First-run setup (app.Setup): while no account exists, every page leads
// to /setup, where the code serve printed creates the first owner and
// organisation.

func (h *Handler) setupRoutes() {
	h.public("GET /setup", h.setupPage)
	h.public("POST /setup", h.setup)
}

// firstRun sends every request but the setup page's and static files to
// /setup while the database holds no account. Once one exists it stays
// (accounts are not deleted), so each instance remembers that and asks
// the database no more.
func (h *Handler) firstRun(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h.setUp.Load() || r.URL.Path == "/setup" || strings.HasPrefix(r.URL.Path, "/static/") || r.URL.Path == "/favicon.ico" {
			next.ServeHTTP(w, r)
			return
		}
		needs, err := h.svc.NeedsSetup(r.Context())
		if err != nil {
			h.fail(w, r, &Ctx{}, err)
			return
		}
		if !needs {
			h.setUp.Store(true)
			next.ServeHTTP(w, r)
			return
		}
		if r.Header.Get("HX-Request") != "" {
			w.Header().Set("HX-Redirect", "/setup")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		http.Redirect(w, r, "/setup", http.StatusSeeOther)
	})
}

// setupView is the setup page: the form (never the code or the password
// back), or, once the server is set up, a page that says so.
type setupView struct {
	Name, Email, OrgName string
	Errors               map[string]string // field → message
	Error                string
	Done                 bool // already set up: nothing to do here
}

func (h *Handler) setupPage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	needs, err := h.svc.NeedsSetup(r.Context())
	if err != nil {
		return err
	}
	if !needs {
		return h.render(w, r, c, http.StatusOK, "setup", "Already set up", setupView{Done: true})
	}
	return h.render(w, r, c, http.StatusOK, "setup", "Set up Persona Pal", setupView{})
}

// setupLabels name the setup form's fields in its error messages.
var setupLabels = map[string]string{"code": "The setup code", "name": "Your name", "email": "Your email",
	"password": "The password", "org_name": "The organisation's name"}

func (h *Handler) setup(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	in := app.SetupInput{Code: r.PostFormValue("code"), Name: r.PostFormValue("name"), Email: r.PostFormValue("email"),
		Password: r.PostFormValue("password"), OrgName: r.PostFormValue("org_name")}
	res, err := h.svc.Setup(r.Context(), in)
	if err != nil {
		v := setupView{Name: strings.TrimSpace(in.Name), Email: strings.TrimSpace(in.Email), OrgName: strings.TrimSpace(in.OrgName),
			Errors: map[string]string{}}
		e, ok := persona.AsError(err)
		switch {
		case app.IsSetupDone(err):
			return h.render(w, r, &Ctx{}, http.StatusConflict, "setup", "Already set up",
				setupView{Done: true, Error: "This Persona Pal was set up meanwhile (by someone else, or in another tab), so your form changed nothing."})
		case ok && e.Code == persona.CodeInvalid:
			for _, f := range e.Fields {
				if label, known := setupLabels[f.Field]; known {
					v.Errors[f.Field] = label + " " + f.Message + "."
				}
			}
			v.Error = "Nothing was set up yet: correct what is marked below."
			return h.render(w, r, &Ctx{}, http.StatusUnprocessableEntity, "setup", "Set up Persona Pal", v)
		case ok && e.Code == persona.CodeTooMany:
			w.Header().Set("Retry-After", retryAfter(e.RetryAfter))
			v.Error = "Nothing was set up: " + e.Message + "."
			return h.render(w, r, &Ctx{}, http.StatusTooManyRequests, "setup", "Set up Persona Pal", v)
		}
		return err
	}
	h.setUp.Store(true)
	if res.Session == "" {
		return redirect(w, r, "/login", "Persona Pal is set up. Sign in with the email and password you chose.")
	}
	setSessionCookie(w, r, res.Session, app.SessionLifetime)
	return redirect(w, r, "/o/"+res.Org.Slug, "Welcome! Persona Pal is set up and you own "+res.Org.Name+". Invite your team from Members.")
}
