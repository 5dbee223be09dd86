package app

import (
	"context"
	"strings"

	"github.com/personapal/personapal/internal/persona"
)

// An invitation's e-mail holds a one-time link to InvitationPath. Its page
// (OpenInvitationLink) shows the organisation, the role and who invites,
// and then, by who opens it:
//
//   - signed in with the invited address: Accept or Decline
//     (AcceptInvitationLink, DeclineInvitationLink);
//   - signed in as someone else: why that does not work (nothing changes);
//   - signed out, the address has an account: sign in first;
//   - signed out, no account (or only a sign-up never verified): a form for
//     a name and a password that makes the account — verified, since the
//     link proves the address — accepts and signs in, in one transaction
//     (JoinByInvitation).
//
// Only the holder of the link learns whether the address has an account:
// the admin's answer to "invite" is the same either way. A link that does
// not work — unknown, tampered, expired, used, or its invitation answered
// or withdrawn — gets one answer (errBadInvitationLink) and changes
// nothing; using it happens in the transaction of what it does, so of two
// uses at once one wins.

// InvitationPath is the page an invitation's link opens; the secret is its
// token parameter.
const InvitationPath = "/invite"

// errBadInvitationLink is the one answer to an invitation link that does
// not work.
func errBadInvitationLink() error {
	return persona.Errorf(persona.CodeNotFound, "This invitation link does not work: it may have expired (links work for 7 days), "+
		"been used already, been replaced by a newer e-mail or withdrawn, or not been copied whole. Nothing was changed. "+
		"Ask whoever invited you to send the invitation again.")
}

// errOtherAccount refuses a link made for another account than the one
// signed in.
func errOtherAccount(linkFor, signedInAs string) error {
	return persona.Errorf(persona.CodeForbidden, "This link is for %s, but you are signed in as %s. Nothing was changed: "+
		"sign out, then open the link again.", linkFor, signedInAs)
}

// InvitationLink is what an invitation's link shows.
type InvitationLink struct {
	Invitation persona.Invitation
	// HasAccount: the invited address has an account that signs in (a
	// sign-up whose address was never verified does not count: the link
	// lets its owner set it up afresh).
	HasAccount bool
}

// OpenInvitationLink reads an invitation link without using it.
func (s *Service) OpenInvitationLink(ctx context.Context, secret string) (InvitationLink, error) {
	return s.invitationLink(ctx, s.store, secret)
}

func (s *Service) invitationLink(ctx context.Context, st Store, secret string) (InvitationLink, error) {
	l, err := s.peekLink(ctx, st, persona.LinkInvitation, strings.TrimSpace(secret))
	if err != nil {
		return InvitationLink{}, badInvitation(err)
	}
	inv, err := st.GetInvitation(ctx, l.OrgID, l.RefID)
	if err != nil {
		return InvitationLink{}, badInvitation(err)
	}
	if answerable(inv, s.timestamp()) != nil || !strings.EqualFold(inv.Email, l.Email) {
		return InvitationLink{}, errBadInvitationLink()
	}
	u, err := st.UserByEmail(ctx, inv.Email)
	if err != nil && persona.ErrorCode(err) != persona.CodeNotFound {
		return InvitationLink{}, err
	}
	return InvitationLink{Invitation: inv, HasAccount: err == nil && u.EmailVerifiedAt != nil}, nil
}

// badInvitation turns a not-found into the one answer to a bad link.
func badInvitation(err error) error {
	if persona.ErrorCode(err) == persona.CodeNotFound {
		return errBadInvitationLink()
	}
	return err
}

// useInvitationLink consumes the invitation's link with this secret in tx
// ("" when the invitation is answered from the home page, without a
// link): a link that does not work, or that belongs to another
// invitation, refuses the whole change.
func (s *Service) useInvitationLink(ctx context.Context, tx Store, secret, invitationID string) error {
	if secret == "" {
		return nil
	}
	l, err := s.consumeLink(ctx, tx, persona.LinkInvitation, strings.TrimSpace(secret))
	if err != nil {
		return badInvitation(err)
	}
	if l.RefID != invitationID {
		return errBadInvitationLink()
	}
	return nil
}

// linkInvitee is the signed-in invitee of an invitation link: refused
// unless signed in with the invited address.
func (s *Service) linkInvitee(ctx context.Context, actor Actor, secret string) (persona.User, InvitationLink, error) {
	il, err := s.OpenInvitationLink(ctx, secret)
	if err != nil {
		return persona.User{}, InvitationLink{}, err
	}
	u, err := s.invitee(ctx, actor)
	if err != nil {
		return persona.User{}, InvitationLink{}, err
	}
	if !strings.EqualFold(u.Email, il.Invitation.Email) {
		return persona.User{}, InvitationLink{}, errOtherAccount(il.Invitation.Email, u.Email)
	}
	return u, il, nil
}

// AcceptInvitationLink accepts the invitation of the link for the
// signed-in user, who must have the invited address; the link is used in
// the transaction that adds the member (see AcceptInvitation).
func (s *Service) AcceptInvitationLink(ctx context.Context, actor Actor, secret string) (persona.OrgMembership, error) {
	u, il, err := s.linkInvitee(ctx, actor, secret)
	if err != nil {
		return persona.OrgMembership{}, err
	}
	return s.acceptInvitation(ctx, actor, u, il.Invitation.ID, secret)
}

// DeclineInvitationLink declines the invitation of the link for the
// signed-in user, who must have the invited address.
func (s *Service) DeclineInvitationLink(ctx context.Context, actor Actor, secret string) (persona.Invitation, error) {
	u, il, err := s.linkInvitee(ctx, actor, secret)
	if err != nil {
		return persona.Invitation{}, err
	}
	return s.declineInvitation(ctx, actor, u, il.Invitation.ID, secret)
}

// Joined is the outcome of JoinByInvitation: the new account, its
// membership and the secret of the browser session it is signed in with.
type Joined struct {
	User       persona.User
	Membership persona.OrgMembership
	Session    string
}

// JoinByInvitation makes an account for the invited address with name and
// password, accepts the invitation and signs the new account in, all in
// one transaction with the link's use, the "add member" audit entry (the
// newcomer is the actor) and the newcomer's security log ("account
// created", "signed in"). The address counts as verified: the link was
// sent to it. A sign-up for the address that was never verified is taken
// over (its name, password and pending link replaced). Refused: when
// someone is signed in (errOtherAccount: sign out first), when the
// address has an account (a conflict: sign in and accept), field errors
// of name and password, and links that do not work.
func (s *Service) JoinByInvitation(ctx context.Context, actor Actor, secret, name, password string) (Joined, error) {
	il, err := s.OpenInvitationLink(ctx, secret)
	if err != nil {
		return Joined{}, err
	}
	inv := il.Invitation
	if actor.UserID != "" || actor.System {
		return Joined{}, errOtherAccount(inv.Email, actor.Email)
	}
	email, name, fields := userFields(inv.Email, name, password)
	if err := persona.Invalid("invalid account", fields); err != nil {
		return Joined{}, err
	}
	if il.HasAccount {
		return Joined{}, errHasAccount(email)
	}
	hash, err := s.hashPassword(ctx, password)
	if err != nil {
		return Joined{}, err
	}
	now := s.timestamp()
	u := persona.User{ID: newID(), Email: email, Name: name, PasswordHash: hash, CreatedAt: now, EmailVerifiedAt: &now}
	entry := s.entry(inv.OrgID, Actor{UserID: u.ID, Email: u.Email, Name: u.Name}, "add", "member", u.ID, "")
	var out Joined
	forgetScope(ctx)
	err = s.inTx(ctx, entry, func(tx Store) error {
		if err := tx.LockOrg(ctx, inv.OrgID); err != nil {
			return err
		}
		if err := s.useInvitationLink(ctx, tx, secret, inv.ID); err != nil {
			return err
		}
		created := "Account created with an invitation to " + inv.OrgName
		switch old, err := tx.UserByEmail(ctx, email); {
		case err == nil && old.EmailVerifiedAt != nil:
			return errHasAccount(email)
		case err == nil:
			// A sign-up never verified: the link proves the address.
			if err := tx.ReplaceUnverifiedUser(ctx, old.ID, name, hash); err != nil {
				return err
			}
			if err := tx.MarkEmailVerified(ctx, old.ID, now); err != nil {
				return err
			}
			if _, err := s.revokeLinks(ctx, tx, persona.LinkVerifyEmail, old.ID, ""); err != nil {
				return err
			}
			u.ID, u.CreatedAt = old.ID, old.CreatedAt
			entry.ActorID, entry.ObjectID = u.ID, u.ID
			created = "Account set up with an invitation to " + inv.OrgName + " (the address is verified)"
		case persona.ErrorCode(err) == persona.CodeNotFound:
			if err := tx.CreateUser(ctx, u); err != nil {
				if persona.ErrorCode(err) == persona.CodeConflict {
					return errHasAccount(email)
				}
				return err
			}
		default:
			return err
		}
		if err := tx.AppendSecurityEvent(ctx, s.securityEvent(ctx, u.ID, persona.SecurityAccountCreated, created)); err != nil {
			return err
		}
		cur, err := tx.InvitationForEmail(ctx, inv.ID, email)
		if err != nil {
			return badInvitation(err)
		}
		if err := answerable(cur, now); err != nil {
			return err
		}
		m := persona.Member{OrgID: cur.OrgID, UserID: u.ID, Email: u.Email, Name: u.Name, Role: cur.Role, CreatedAt: now}
		if err := tx.AddMember(ctx, m); err != nil {
			return err
		}
		if err := s.closeInvitation(ctx, tx, cur, persona.InvitationAccepted, u.ID, now); err != nil {
			return err
		}
		entry.Summary = u.Email + " as " + string(cur.Role) + ", invited by " + cur.InviterLabel() + " (new account)"
		out.Membership = persona.OrgMembership{Org: persona.Org{ID: cur.OrgID, Slug: cur.OrgSlug, Name: cur.OrgName}, Role: cur.Role}
		if out.Session, err = s.startSessionIn(ctx, tx, u, []byte("{}")); err != nil {
			return err
		}
		return tx.AppendSecurityEvent(ctx, s.securityEvent(ctx, u.ID, persona.SecuritySignIn, "Signed in"))
	})
	if err != nil {
		return Joined{}, err
	}
	out.User = u
	out.User.PasswordHash = ""
	return out, nil
}

// errHasAccount refuses making an account for an address that has one.
func errHasAccount(email string) error {
	return persona.Errorf(persona.CodeConflict, "%s already has an account here: sign in with it to accept the invitation. Nothing was changed.", email)
}
