package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

func (h *Handler) memberRoutes() {
	h.org("GET /o/{org}/members", h.membersPage)
	h.org("POST /o/{org}/members/{user}/role", h.setMemberRole)
	h.org("POST /o/{org}/members/{user}/remove", h.removeMember)
	h.invitationRoutes() // invitations.go
}

// membersView is the members page: everyone in the organisation and, for
// admins, the open invitations and the forms to invite people, change
// roles, remove members and withdraw invitations.
type membersView struct {
	Members   []memberRow
	Owners    int  // how many owners the organisation has
	CanManage bool // the caller is an admin or owner
	// Grantable are the roles the caller may give (only owners make owners).
	Grantable []persona.Role
	// Invitations are the open invitations (admins only), newest first.
	Invitations []invitationRow
	// Error is why the last change was refused; FieldErrors say which
	// input of the invite form was wrong.
	Error       string
	FieldErrors []memberFieldError
	Invite      inviteForm
	// ErrorUser is the member whose row the refused change was about;
	// ErrorInvitation the invitation's.
	ErrorUser       string
	ErrorInvitation string
}

// memberRow is one member as the caller sees them.
type memberRow struct {
	persona.Member
	You bool
	// Editable: the caller may change this member's role and remove them
	// (admins cannot touch owners; the app enforces it either way).
	Editable bool
}

// inviteForm is what the invite form holds.
type inviteForm struct {
	Email string
	Role  persona.Role
}

// memberFieldError is one input's problem, worded for the page.
type memberFieldError struct {
	Field   string
	Message string
}

func (h *Handler) membersPage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	return h.renderMembers(w, r, c, http.StatusOK, membersView{Invite: inviteForm{Role: persona.RoleEditor}})
}

// renderMembers fills in the member list and renders the page with whatever
// form state and error v already carries.
func (h *Handler) renderMembers(w http.ResponseWriter, r *http.Request, c *Ctx, status int, v membersView) error {
	members, err := h.svc.ListMembers(r.Context(), c.Actor, c.Org.Slug)
	if err != nil {
		return err
	}
	v.CanManage = c.Can(persona.RoleAdmin)
	v.Grantable = grantableRoles(c.Role)
	v.Members = make([]memberRow, 0, len(members))
	for _, m := range members {
		if m.Role == persona.RoleOwner {
			v.Owners++
		}
		v.Members = append(v.Members, memberRow{
			Member:   m,
			You:      m.UserID == c.Actor.UserID,
			Editable: v.CanManage && (m.Role != persona.RoleOwner || c.Role == persona.RoleOwner),
		})
	}
	if v.CanManage {
		invs, err := h.svc.ListInvitations(r.Context(), c.Actor, c.Org.Slug)
		if err != nil {
			return err
		}
		v.Invitations = invitationRows(invs, c.Role, time.Now())
	}
	if v.Invite.Role == "" {
		v.Invite.Role = persona.RoleEditor
	}
	return h.render(w, r, c, status, "members", "Members", v)
}

// grantableRoles are the roles someone with role may hand out.
func grantableRoles(role persona.Role) []persona.Role {
	switch role {
	case persona.RoleOwner:
		return []persona.Role{persona.RoleViewer, persona.RoleEditor, persona.RoleAdmin, persona.RoleOwner}
	case persona.RoleAdmin:
		return []persona.Role{persona.RoleViewer, persona.RoleEditor, persona.RoleAdmin}
	}
	return nil
}

func (h *Handler) setMemberRole(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	userID := r.PathValue("user")
	m, err := h.svc.SetMemberRole(r.Context(), c.Actor, c.Org.Slug, userID, persona.Role(r.PostFormValue("role")))
	if err != nil {
		return h.memberRefused(w, r, c, err, membersView{ErrorUser: userID})
	}
	return redirect(w, r, membersPath(c), memberDisplayName(m)+" is now "+string(m.Role)+".")
}

func (h *Handler) removeMember(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	userID := r.PathValue("user")
	name := ""
	if members, err := h.svc.ListMembers(r.Context(), c.Actor, c.Org.Slug); err == nil {
		for _, m := range members {
			if m.UserID == userID {
				name = memberDisplayName(m)
			}
		}
	}
	if err := h.svc.RemoveMember(r.Context(), c.Actor, c.Org.Slug, userID); err != nil {
		return h.memberRefused(w, r, c, err, membersView{ErrorUser: userID})
	}
	if userID == c.Actor.UserID {
		// Having left, the caller can no longer see this organisation.
		return redirect(w, r, "/", "You left "+c.Org.Name+".")
	}
	if name == "" {
		name = "The member"
	}
	return redirect(w, r, membersPath(c), name+" was removed from "+c.Org.Name+".")
}

// memberRefused shows the members page again with the app's reason for
// refusing a change (bad address, already a member, last owner, not
// allowed…) and the matching status. Internal errors go to the generic
// error page.
func (h *Handler) memberRefused(w http.ResponseWriter, r *http.Request, c *Ctx, err error, v membersView) error {
	e, ok := persona.AsError(err)
	if !ok || e.Code == "" || e.Code == persona.CodeUnauthenticated {
		return err
	}
	status := statusFor(e.Code)
	if status == http.StatusInternalServerError {
		return err
	}
	v.Error = e.Message
	if e.Code == persona.CodeNotFound && v.ErrorInvitation == "" {
		v.Error = "That person is not a member of " + c.Org.Name + " (any more)."
	}
	for _, f := range e.Fields {
		v.FieldErrors = append(v.FieldErrors, memberFieldError{Field: f.Field, Message: f.Message})
	}
	if e.Code == persona.CodeInvalid && len(e.Fields) > 0 {
		parts := make([]string, len(e.Fields))
		for i, f := range e.Fields {
			parts[i] = memberFieldSentence(f)
		}
		v.Error = strings.Join(parts, " ")
	}
	return h.renderMembers(w, r, c, status, v)
}

// memberFieldSentence words one input problem as a sentence.
func memberFieldSentence(f persona.FieldError) string {
	msg := f.Message
	switch f.Field {
	case "email":
		return "The email address " + msg + "."
	case "role":
		return "The role " + msg + "."
	}
	return f.Field + " " + msg + "."
}

func membersPath(c *Ctx) string { return "/o/" + url.PathEscape(c.Org.Slug) + "/members" }

func memberDisplayName(m persona.Member) string {
	if m.Name != "" {
		return m.Name
	}
	return m.Email
}

// FieldError returns the message for one input, if the last post got one.
func (v membersView) FieldError(field string) string {
	for _, f := range v.FieldErrors {
		if f.Field == field {
			return f.Message
		}
	}
	return ""
}

func init() { funcs["memberLabel"] = memberDisplayName }
