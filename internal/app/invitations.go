package app

import (
	"context"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

// People join an organisation by invitation: an admin invites an email
// address with a role, the address is sent an e-mail with a one-time link
// (persona.LinkInvitation, 7 days, revoked with the invitation; sending
// it again makes a new link and revokes the old one), and the person with
// that address accepts or declines once signed in — from the link's page
// (invitelinks.go), which also lets someone without an account make one,
// or from their home page. Nobody is added without accepting (AddMember,
// the way round it, is for trusted local administration only). The answer
// to an invitation is the same whether or not the address has an account,
// so inviting tells an admin nothing about who has one; an address that is
// already a member is refused, which the admin can see in the member list
// anyway.

// invitationStore is the part of Store that keeps invitations.
type invitationStore interface {
	// CreateInvitation inserts an open invitation; conflict when the
	// address already has one in the organisation.
	CreateInvitation(ctx context.Context, inv persona.Invitation) error
	// RefreshInvitation sends an open invitation again with inv's role,
	// inviter, token hash and times; not-found when it is not open.
	RefreshInvitation(ctx context.Context, inv persona.Invitation) error
	GetInvitation(ctx context.Context, orgID, id string) (persona.Invitation, error)
	// OpenInvitation is the organisation's open invitation for the
	// address (expired or not).
	OpenInvitation(ctx context.Context, orgID, email string) (persona.Invitation, error)
	// ListInvitations lists the organisation's open invitations, expired
	// ones included, newest first.
	ListInvitations(ctx context.Context, orgID string) ([]persona.Invitation, error)
	// InvitationsForEmail lists the invitations the address can accept at
	// now, in every organisation it does not belong to yet.
	InvitationsForEmail(ctx context.Context, email string, now time.Time) ([]persona.Invitation, error)
	// InvitationForEmail finds an invitation by ID among those addressed
	// to email (any organisation, any state).
	InvitationForEmail(ctx context.Context, id, email string) (persona.Invitation, error)
	// CloseInvitation marks an open invitation accepted (by the user
	// by), declined or revoked; not-found when it is not open.
	CloseInvitation(ctx context.Context, orgID, id string, how persona.InvitationStatus, by string, at time.Time) error
	// MemberByEmail finds a member of the organisation by email.
	MemberByEmail(ctx context.Context, orgID, email string) (persona.Member, error)
}

// InviteMember invites an email address into the organisation with a role
// (admins; only owners invite owners). Inviting an address that already
// has an open invitation sends that one again — new role, inviter and
// expiry — rather than a second one. The answer does not depend on whether
// the address has an account; an address that is already a member is a
// conflict.
func (s *Service) InviteMember(ctx context.Context, actor Actor, slug, email string, role persona.Role) (persona.Invitation, error) {
	org, myRole, err := s.scope(ctx, actor, slug, persona.RoleAdmin)
	if err != nil {
		return persona.Invitation{}, err
	}
	email, err = persona.ValidateInvitation(email, role, myRole)
	if err != nil {
		return persona.Invitation{}, err
	}
	now := s.timestamp()
	inv := persona.Invitation{OrgID: org.ID, ID: newID(), Email: email, Role: role, InvitedBy: actor.UserID,
		CreatedAt: now, ExpiresAt: now.Add(persona.InvitationLifetime)}
	entry := s.entry(org.ID, actor, "invite", "invitation", inv.ID, email+" as "+string(role))
	err = s.inTx(ctx, entry, func(tx Store) error {
		myRole, err := lockedRole(ctx, tx, org.ID, actor, myRole)
		if err != nil {
			return err
		}
		if role == persona.RoleOwner && myRole != persona.RoleOwner {
			return persona.Errorf(persona.CodeForbidden, "only an owner can invite an owner")
		}
		switch _, err := tx.MemberByEmail(ctx, org.ID, email); persona.ErrorCode(err) {
		case "":
			if err != nil {
				return err
			}
			return &persona.Error{Code: persona.CodeConflict, Message: email + " is already a member of " + org.Name,
				Fields: []persona.FieldError{{Field: "email", Message: "is already a member"}}}
		case persona.CodeNotFound:
		default:
			return err
		}
		old, err := tx.OpenInvitation(ctx, org.ID, email)
		switch persona.ErrorCode(err) {
		case "":
			if err != nil {
				return err
			}
			inv.ID = old.ID
			entry.ObjectID = old.ID
			entry.Summary += " (sent again)"
			if err := tx.RefreshInvitation(ctx, inv); err != nil {
				return err
			}
		case persona.CodeNotFound:
			if err := tx.CreateInvitation(ctx, inv); err != nil {
				return err
			}
		default:
			return err
		}
		return s.mailInvitation(ctx, tx, inv, org.Name, actor)
	})
	if err != nil {
		return persona.Invitation{}, err
	}
	return s.store.GetInvitation(ctx, org.ID, inv.ID)
}

// mailInvitation e-mails an invitation through tx, the transaction that
// records it: a new one-time link (the invitation's earlier links stop
// working) valid as long as the invitation, in a message naming the
// organisation, the role and who invites. The message is the same whether
// or not the address has an account (the link's page tells them apart).
func (s *Service) mailInvitation(ctx context.Context, tx Store, inv persona.Invitation, orgName string, inviter Actor) error {
	if _, err := s.revokeLinks(ctx, tx, persona.LinkInvitation, "", inv.ID); err != nil {
		return err
	}
	secret, err := s.issueLink(ctx, tx, persona.Link{Purpose: persona.LinkInvitation, Email: inv.Email, OrgID: inv.OrgID,
		RefID: inv.ID, ExpiresAt: inv.ExpiresAt})
	if err != nil {
		return err
	}
	name := ""
	if !inviter.System {
		name = clip(inviter.Name, 200)
	}
	_, err = s.sendMail(ctx, tx, persona.Message{To: inv.Email, Kind: persona.MessageInvitation, OrgID: inv.OrgID,
		Data: persona.MessageData{Link: InvitationPath + "?token=" + secret, ValidFor: inv.ExpiresAt.Sub(inv.CreatedAt),
			OrgName: orgName, InviterName: name, Role: inv.Role}})
	return err
}

// ResendInvitation sends an open invitation again (admins; an invitation
// to become an owner, owners only): a new e-mail with a new link, valid 7
// days from now, with the caller as the inviter; the old link stops
// working. Recorded as "invite" (sent again). An answered or withdrawn
// invitation is a conflict, and so is one whose address has become a
// member meanwhile.
func (s *Service) ResendInvitation(ctx context.Context, actor Actor, slug, id string) (persona.Invitation, error) {
	org, myRole, err := s.scope(ctx, actor, slug, persona.RoleAdmin)
	if err != nil {
		return persona.Invitation{}, err
	}
	entry := s.entry(org.ID, actor, "invite", "invitation", id, "")
	err = s.inTx(ctx, entry, func(tx Store) error {
		myRole, err := lockedRole(ctx, tx, org.ID, actor, myRole)
		if err != nil {
			return err
		}
		inv, err := tx.GetInvitation(ctx, org.ID, id)
		if err != nil {
			return err
		}
		switch {
		case inv.AcceptedAt != nil:
			return persona.Errorf(persona.CodeConflict, "%s already accepted this invitation", inv.Email)
		case inv.DeclinedAt != nil:
			return persona.Errorf(persona.CodeConflict, "%s declined this invitation: invite them again to ask once more", inv.Email)
		case inv.RevokedAt != nil:
			return persona.Errorf(persona.CodeConflict, "this invitation was withdrawn: invite %s again instead", inv.Email)
		case inv.Role == persona.RoleOwner && myRole != persona.RoleOwner:
			return persona.Errorf(persona.CodeForbidden, "only an owner can send an invitation to become an owner")
		}
		switch _, err := tx.MemberByEmail(ctx, org.ID, inv.Email); persona.ErrorCode(err) {
		case "":
			if err != nil {
				return err
			}
			return persona.Errorf(persona.CodeConflict, "%s is already a member of %s", inv.Email, org.Name)
		case persona.CodeNotFound:
		default:
			return err
		}
		now := s.timestamp()
		inv.InvitedBy, inv.CreatedAt, inv.ExpiresAt = actor.UserID, now, now.Add(persona.InvitationLifetime)
		entry.Summary = inv.Email + " as " + string(inv.Role) + " (sent again)"
		if err := tx.RefreshInvitation(ctx, inv); err != nil {
			return err
		}
		return s.mailInvitation(ctx, tx, inv, org.Name, actor)
	})
	if err != nil {
		return persona.Invitation{}, err
	}
	return s.store.GetInvitation(ctx, org.ID, id)
}

// ListInvitations lists the organisation's open invitations, newest first,
// expired ones included (admins).
func (s *Service) ListInvitations(ctx context.Context, actor Actor, slug string) ([]persona.Invitation, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleAdmin)
	if err != nil {
		return nil, err
	}
	return s.store.ListInvitations(ctx, org.ID)
}

// RevokeInvitation withdraws an open invitation (admins; an invitation to
// become an owner, owners only). One that was answered already is a
// conflict.
func (s *Service) RevokeInvitation(ctx context.Context, actor Actor, slug, id string) error {
	org, myRole, err := s.scope(ctx, actor, slug, persona.RoleAdmin)
	if err != nil {
		return err
	}
	entry := s.entry(org.ID, actor, "revoke", "invitation", id, "")
	return s.inTx(ctx, entry, func(tx Store) error {
		myRole, err := lockedRole(ctx, tx, org.ID, actor, myRole)
		if err != nil {
			return err
		}
		inv, err := tx.GetInvitation(ctx, org.ID, id)
		if err != nil {
			return err
		}
		switch {
		case inv.AcceptedAt != nil:
			return persona.Errorf(persona.CodeConflict, "%s already accepted this invitation", inv.Email)
		case inv.DeclinedAt != nil:
			return persona.Errorf(persona.CodeConflict, "%s already declined this invitation", inv.Email)
		case inv.RevokedAt != nil:
			return persona.Errorf(persona.CodeConflict, "this invitation was already withdrawn")
		case inv.Role == persona.RoleOwner && myRole != persona.RoleOwner:
			return persona.Errorf(persona.CodeForbidden, "only an owner can withdraw an invitation to become an owner")
		}
		entry.Summary = inv.Email + " as " + string(inv.Role)
		if _, err := s.revokeLinks(ctx, tx, persona.LinkInvitation, "", id); err != nil {
			return err
		}
		return tx.CloseInvitation(ctx, org.ID, id, persona.InvitationRevoked, "", s.timestamp())
	})
}

// invitee is the signed-in user answering invitations, read afresh: the
// address invitations are matched by is the account's current email.
func (s *Service) invitee(ctx context.Context, actor Actor) (persona.User, error) {
	if actor.UserID == "" || actor.System {
		return persona.User{}, persona.Errorf(persona.CodeUnauthenticated, "authentication required")
	}
	return s.store.UserByID(ctx, actor.UserID)
}

// MyInvitations lists the signed-in user's pending, unexpired invitations
// (matched by the account's email), oldest first, into organisations they
// do not belong to yet.
func (s *Service) MyInvitations(ctx context.Context, actor Actor) ([]persona.Invitation, error) {
	u, err := s.invitee(ctx, actor)
	if err != nil {
		return nil, err
	}
	return s.store.InvitationsForEmail(ctx, u.Email, s.timestamp())
}

// answerable refuses an invitation that cannot be answered at now. Each
// refusal is not-found, like an invitation addressed to someone else, with
// a message for the invitee.
func answerable(inv persona.Invitation, now time.Time) error {
	switch inv.Status(now) {
	case persona.InvitationPending:
		return nil
	case persona.InvitationAccepted:
		return persona.Errorf(persona.CodeNotFound, "this invitation was already accepted")
	case persona.InvitationDeclined:
		return persona.Errorf(persona.CodeNotFound, "this invitation was declined")
	case persona.InvitationRevoked:
		return persona.Errorf(persona.CodeNotFound, "this invitation was withdrawn")
	}
	return persona.Errorf(persona.CodeNotFound, "this invitation expired on %s; ask %s to invite you again",
		inv.ExpiresAt.Format("2 Jan 2006"), inv.InviterLabel())
}

// AcceptInvitation accepts one of the signed-in user's pending invitations:
// the membership is created with the invitation's role and the invitation
// is marked accepted, in one transaction that also records "add member"
// in the organisation's log (the invitee is the actor). Another address's
// invitation, and an expired, withdrawn or answered one, is not-found;
// accepting into an organisation one already belongs to is a conflict.
func (s *Service) AcceptInvitation(ctx context.Context, actor Actor, id string) (persona.OrgMembership, error) {
	u, err := s.invitee(ctx, actor)
	if err != nil {
		return persona.OrgMembership{}, err
	}
	return s.acceptInvitation(ctx, actor, u, id, "")
}

// acceptInvitation is AcceptInvitation for the invitee u; with a secret,
// the invitation's link is used in the same transaction (answering from
// the link's page), and a link that does not work refuses it all.
func (s *Service) acceptInvitation(ctx context.Context, actor Actor, u persona.User, id, secret string) (persona.OrgMembership, error) {
	var joined persona.OrgMembership
	forgetScope(ctx)
	err := s.answerInvitation(ctx, actor, u, id, secret, "add", "member", u.ID,
		func(tx Store, cur persona.Invitation, now time.Time) error {
			m := persona.Member{OrgID: cur.OrgID, UserID: u.ID, Email: u.Email, Name: u.Name, Role: cur.Role, CreatedAt: now}
			if err := tx.AddMember(ctx, m); err != nil {
				if persona.ErrorCode(err) == persona.CodeConflict {
					return persona.Errorf(persona.CodeConflict, "you are already a member of %s", cur.OrgName)
				}
				return err
			}
			joined = persona.OrgMembership{Org: persona.Org{ID: cur.OrgID, Slug: cur.OrgSlug, Name: cur.OrgName}, Role: cur.Role}
			return s.closeInvitation(ctx, tx, cur, persona.InvitationAccepted, u.ID, now)
		})
	if err != nil {
		return persona.OrgMembership{}, err
	}
	org, role, err := s.store.OrgForMember(ctx, joined.Org.Slug, u.ID)
	if err != nil {
		return persona.OrgMembership{}, err
	}
	return persona.OrgMembership{Org: org, Role: role}, nil
}

// answerInvitation runs the invitee u's answer to invitation id in one
// transaction with its audit entry (action on kind objectID; the invitee
// is the actor): it locks the organisation, uses the link when answering
// from it (secret; a link that does not work refuses it all), reads the
// invitation again under the lock — it may have been revoked, answered
// or sent again with another role meanwhile — checks it can still be
// answered, and then lets answer make the change.
func (s *Service) answerInvitation(ctx context.Context, actor Actor, u persona.User, id, secret, action, kind, objectID string,
	answer func(tx Store, cur persona.Invitation, now time.Time) error) error {
	inv, err := s.store.InvitationForEmail(ctx, id, u.Email)
	if err != nil {
		return err
	}
	me := Actor{UserID: u.ID, Email: u.Email, Name: u.Name, TokenID: actor.TokenID}
	entry := s.entry(inv.OrgID, me, action, kind, objectID, "")
	return s.inTx(ctx, entry, func(tx Store) error {
		if err := tx.LockOrg(ctx, inv.OrgID); err != nil {
			return err
		}
		if err := s.useInvitationLink(ctx, tx, secret, inv.ID); err != nil {
			return err
		}
		cur, err := tx.InvitationForEmail(ctx, id, u.Email)
		if err != nil {
			return err
		}
		now := s.timestamp()
		if err := answerable(cur, now); err != nil {
			return err
		}
		entry.Summary = u.Email + " as " + string(cur.Role) + ", invited by " + cur.InviterLabel()
		return answer(tx, cur, now)
	})
}

// closeInvitation marks an invitation answered (or withdrawn) and makes
// its links unusable, in tx.
func (s *Service) closeInvitation(ctx context.Context, tx Store, inv persona.Invitation, how persona.InvitationStatus, by string, at time.Time) error {
	if _, err := s.revokeLinks(ctx, tx, persona.LinkInvitation, "", inv.ID); err != nil {
		return err
	}
	return tx.CloseInvitation(ctx, inv.OrgID, inv.ID, how, by, at)
}

// DeclineInvitation declines one of the signed-in user's pending
// invitations and returns it; it is recorded in the organisation's log.
// Refusals are those of AcceptInvitation.
func (s *Service) DeclineInvitation(ctx context.Context, actor Actor, id string) (persona.Invitation, error) {
	u, err := s.invitee(ctx, actor)
	if err != nil {
		return persona.Invitation{}, err
	}
	return s.declineInvitation(ctx, actor, u, id, "")
}

// declineInvitation is DeclineInvitation for the invitee u; with a
// secret, the invitation's link is used in the same transaction.
func (s *Service) declineInvitation(ctx context.Context, actor Actor, u persona.User, id, secret string) (persona.Invitation, error) {
	var inv persona.Invitation
	err := s.answerInvitation(ctx, actor, u, id, secret, "decline", "invitation", id,
		func(tx Store, cur persona.Invitation, now time.Time) error {
			inv = cur
			inv.DeclinedAt = &now
			return s.closeInvitation(ctx, tx, cur, persona.InvitationDeclined, u.ID, now)
		})
	if err != nil {
		return persona.Invitation{}, err
	}
	return inv, nil
}
