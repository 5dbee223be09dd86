package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// The pages of the links sent by e-mail (an invitation, a password reset,
// an e-mail change; sign-up verification is in signup.go). Opening a link
// (GET) never uses it: a mail scanner that follows links spends nothing.
// Its page shows what it is for and a form whose button uses it (POST,
// the secret in a hidden field). A link that does not work gets one clear
// page (404) whatever is wrong with it, and nothing changes.

func (h *Handler) mailLinkRoutes() {
	h.public("GET "+app.InvitationPath, h.invitationLinkPage)
	h.public("POST "+app.InvitationPath+"/accept", h.acceptInvitationLink)
	h.public("POST "+app.InvitationPath+"/decline", h.declineInvitationLink)
	h.public("POST "+app.InvitationPath+"/join", h.joinByInvitation)
	h.passwordResetRoutes() // reset.go
	h.emailChangeRoutes()   // emailchange.go
}

// linkToken reads a link's secret from the query or the form (a bounded,
// printable string; the app decides whether it works).
func linkToken(r *http.Request) string {
	t := r.FormValue("token")
	if len(t) > 200 || persona.HasControl(t) {
		return ""
	}
	return strings.TrimSpace(t)
}

// inviteView is an invitation link's page.
type inviteView struct {
	Token string
	// Error is why the link does not work (the page then shows nothing
	// else).
	Error string
	Inv   persona.Invitation
	// State is what the visitor can do: "answer" (signed in with the
	// invited address), "other" (signed in as someone else), "signin"
	// (the address has an account), "join" (it has none: the form).
	State      string
	SignedInAs string
	LoginURL   string
	// Refusal is why the last answer was refused (the page stays).
	Refusal string
	// The join form, kept when it is refused (never the password).
	Name   string
	Errors map[string]string
}

func (h *Handler) renderInvitationLink(w http.ResponseWriter, r *http.Request, c *Ctx, status int, v inviteView) error {
	title := "Your invitation"
	if v.Error != "" {
		return h.render(w, r, c, status, "invite", title, v)
	}
	il, err := h.svc.OpenInvitationLink(r.Context(), v.Token)
	if err != nil {
		if persona.ErrorCode(err) == persona.CodeNotFound {
			return h.render(w, r, c, http.StatusNotFound, "invite", title, inviteView{Error: sentence(err.Error())})
		}
		return err
	}
	v.Inv = il.Invitation
	v.SignedInAs = c.Actor.Email
	self := app.InvitationPath + "?token=" + url.QueryEscape(v.Token)
	v.LoginURL = "/login?email=" + url.QueryEscape(il.Invitation.Email) + "&next=" + url.QueryEscape(self)
	switch {
	case c.Actor.UserID != "" && strings.EqualFold(c.Actor.Email, il.Invitation.Email):
		v.State = "answer"
	case c.Actor.UserID != "":
		v.State = "other"
		if status == http.StatusOK {
			status = http.StatusForbidden
		}
	case il.HasAccount:
		v.State = "signin"
	default:
		v.State = "join"
	}
	if v.Errors == nil {
		v.Errors = map[string]string{}
	}
	return h.render(w, r, c, status, "invite", "Join "+il.Invitation.OrgName, v)
}

func (h *Handler) invitationLinkPage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	return h.renderInvitationLink(w, r, c, http.StatusOK, inviteView{Token: linkToken(r)})
}

// invitationLinkRefused shows the link's page again with why an answer
// was refused: a link that does not work gets its one page, another
// account its explanation, an existing membership its conflict.
func (h *Handler) invitationLinkRefused(w http.ResponseWriter, r *http.Request, c *Ctx, token string, err error) error {
	e, ok := persona.AsError(err)
	if !ok {
		return err
	}
	switch e.Code {
	case persona.CodeNotFound:
		return h.render(w, r, c, http.StatusNotFound, "invite", "Your invitation", inviteView{Error: sentence(e.Message)})
	case persona.CodeUnauthenticated:
		return redirect(w, r, "/login?next="+url.QueryEscape(app.InvitationPath+"?token="+url.QueryEscape(token)), "Sign in to answer the invitation.")
	case persona.CodeForbidden, persona.CodeConflict:
		return h.renderInvitationLink(w, r, c, statusFor(e.Code), inviteView{Token: token, Refusal: sentence(e.Message)})
	}
	return err
}

func (h *Handler) acceptInvitationLink(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	token := linkToken(r)
	m, err := h.svc.AcceptInvitationLink(r.Context(), c.Actor, token)
	if err != nil {
		return h.invitationLinkRefused(w, r, c, token, err)
	}
	return redirect(w, r, "/o/"+url.PathEscape(m.Org.Slug), "Welcome to "+m.Org.Name+": you joined as "+string(m.Role)+".")
}

func (h *Handler) declineInvitationLink(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	token := linkToken(r)
	inv, err := h.svc.DeclineInvitationLink(r.Context(), c.Actor, token)
	if err != nil {
		return h.invitationLinkRefused(w, r, c, token, err)
	}
	return redirect(w, r, "/", "You declined the invitation to join "+inv.OrgName+".")
}

var joinLabels = map[string]string{"name": "Your name", "password": "The password", "confirm_password": "The password again"}

// joinByInvitation makes the account from the link's form, accepts and
// signs in (app.JoinByInvitation: one transaction).
func (h *Handler) joinByInvitation(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	token := linkToken(r)
	name, password := r.PostFormValue("name"), r.PostFormValue("password")
	v := inviteView{Token: token, Name: strings.TrimSpace(name), Errors: map[string]string{}}
	if password != r.PostFormValue("confirm_password") {
		v.Errors["confirm_password"] = "The two passwords differ; type the same one twice."
		v.Refusal = "No account was made: correct what is marked below."
		return h.renderInvitationLink(w, r, c, http.StatusUnprocessableEntity, v)
	}
	j, err := h.svc.JoinByInvitation(r.Context(), c.Actor, token, name, password)
	if err != nil {
		if e, ok := persona.AsError(err); ok && e.Code == persona.CodeInvalid {
			for _, f := range e.Fields {
				if label, known := joinLabels[f.Field]; known {
					v.Errors[f.Field] = label + " " + f.Message + "."
				}
			}
			v.Refusal = "No account was made: correct what is marked below."
			return h.renderInvitationLink(w, r, c, http.StatusUnprocessableEntity, v)
		}
		return h.invitationLinkRefused(w, r, c, token, err)
	}
	if old, err := r.Cookie(sessionCookie); err == nil {
		_ = h.svc.SignOut(r.Context(), old.Value)
	}
	setSessionCookie(w, r, j.Session, app.SessionLifetime)
	return redirect(w, r, "/o/"+url.PathEscape(j.Membership.Org.Slug),
		"Welcome to "+j.Membership.Org.Name+", "+j.User.Name+": your account is ready and you joined as "+string(j.Membership.Role)+".")
}
