package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

// Invitations: admins invite an address from the members page (the answer
// reads the same whatever the address; the address gets an e-mail with a
// one-time link, whose page is invitelink.go), see the open invitations
// there and can send them again or withdraw them; the invitee answers
// from the link's page or finds theirs on the signed-in home page.

func (h *Handler) invitationRoutes() {
	h.org("POST /o/{org}/invitations", h.inviteMember)
	h.org("POST /o/{org}/invitations/{id}/revoke", h.revokeInvitation)
	h.org("POST /o/{org}/invitations/{id}/resend", h.resendInvitation)
	h.signedIn("POST /invitations/{id}/accept", h.acceptInvitation)
	h.signedIn("POST /invitations/{id}/decline", h.declineInvitation)
}

// invitationRow is an open invitation on the members page.
type invitationRow struct {
	persona.Invitation
	Expired bool
	// Revocable: the caller may withdraw it (an invitation to become an
	// owner, owners only).
	Revocable bool
}

func invitationRows(invs []persona.Invitation, role persona.Role, now time.Time) []invitationRow {
	rows := make([]invitationRow, 0, len(invs))
	for _, inv := range invs {
		rows = append(rows, invitationRow{Invitation: inv, Expired: inv.Status(now) == persona.InvitationExpired,
			Revocable: role.AtLeast(persona.RoleAdmin) && (inv.Role != persona.RoleOwner || role == persona.RoleOwner)})
	}
	return rows
}

// inviteMember records an invitation. The flash is the same whether or not
// the address has an account, or had an invitation already.
func (h *Handler) inviteMember(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	form := inviteForm{Email: strings.TrimSpace(r.PostFormValue("email")), Role: persona.Role(r.PostFormValue("role"))}
	inv, err := h.svc.InviteMember(r.Context(), c.Actor, c.Org.Slug, form.Email, form.Role)
	if err != nil {
		return h.memberRefused(w, r, c, err, membersView{Invite: form})
	}
	return redirect(w, r, membersPath(c), "Invitation sent to "+inv.Email+".")
}

// resendInvitation sends an open invitation again: a new e-mail with a
// new link (the old one stops working), open for 7 days from now.
func (h *Handler) resendInvitation(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id := r.PathValue("id")
	inv, err := h.svc.ResendInvitation(r.Context(), c.Actor, c.Org.Slug, id)
	if err != nil {
		if persona.ErrorCode(err) == persona.CodeNotFound {
			err = persona.Errorf(persona.CodeNotFound, "That invitation does not exist (any more).")
		}
		return h.memberRefused(w, r, c, err, membersView{ErrorInvitation: id})
	}
	return redirect(w, r, membersPath(c), "The invitation to "+inv.Email+" was sent again with a new link, open until "+inv.ExpiresAt.Format(dayLayout)+"; the earlier link no longer works.")
}

func (h *Handler) revokeInvitation(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id := r.PathValue("id")
	email := ""
	if invs, err := h.svc.ListInvitations(r.Context(), c.Actor, c.Org.Slug); err == nil {
		for _, inv := range invs {
			if inv.ID == id {
				email = inv.Email
			}
		}
	}
	if err := h.svc.RevokeInvitation(r.Context(), c.Actor, c.Org.Slug, id); err != nil {
		if persona.ErrorCode(err) == persona.CodeNotFound {
			err = persona.Errorf(persona.CodeNotFound, "That invitation does not exist (any more).")
		}
		return h.memberRefused(w, r, c, err, membersView{ErrorInvitation: id})
	}
	if email == "" {
		return redirect(w, r, membersPath(c), "The invitation was withdrawn.")
	}
	return redirect(w, r, membersPath(c), "The invitation for "+email+" was withdrawn.")
}

// renderIndex is the signed-in home page: the caller's pending invitations
// first, then their organisations. A member of exactly one organisation
// with nothing to answer goes straight to it.
func (h *Handler) renderIndex(w http.ResponseWriter, r *http.Request, c *Ctx, status int, v indexView) error {
	orgs, err := h.svc.ListMyOrgs(r.Context(), c.Actor)
	if err != nil {
		return err
	}
	invs, err := h.svc.MyInvitations(r.Context(), c.Actor)
	if err != nil {
		return err
	}
	deleted, err := h.svc.ListDeletedOrgs(r.Context(), c.Actor) // orgs.go
	if err != nil {
		return err
	}
	if len(orgs) == 1 && len(invs) == 0 && len(deleted) == 0 && v.Error == "" {
		return redirect(w, r, "/o/"+url.PathEscape(orgs[0].Org.Slug), c.Flash)
	}
	v.Orgs, v.Invitations, v.Deleted = orgs, invs, deleted
	title := "Your organisations"
	if len(invs) > 0 {
		title = "Your invitations"
	}
	return h.render(w, r, c, status, "index", title, v)
}

func (h *Handler) acceptInvitation(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	m, err := h.svc.AcceptInvitation(r.Context(), c.Actor, r.PathValue("id"))
	if err != nil {
		return h.invitationRefused(w, r, c, err)
	}
	return redirect(w, r, "/o/"+url.PathEscape(m.Org.Slug), "Welcome to "+m.Org.Name+": you joined as "+string(m.Role)+".")
}

func (h *Handler) declineInvitation(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	inv, err := h.svc.DeclineInvitation(r.Context(), c.Actor, r.PathValue("id"))
	if err != nil {
		return h.invitationRefused(w, r, c, err)
	}
	return redirect(w, r, "/", "You declined the invitation to join "+inv.OrgName+".")
}

// invitationRefused shows the home page again with why an answer was
// refused (expired, withdrawn, not yours…) and the matching status.
func (h *Handler) invitationRefused(w http.ResponseWriter, r *http.Request, c *Ctx, err error) error {
	e, ok := persona.AsError(err)
	status := statusFor(persona.ErrorCode(err))
	if !ok || e.Code == persona.CodeUnauthenticated || status == http.StatusInternalServerError {
		return err
	}
	msg := e.Message
	if msg == "invitation not found" {
		msg = "That invitation was not found: it may be meant for another address."
	}
	return h.renderIndex(w, r, c, status, indexView{Error: sentence(msg)})
}
