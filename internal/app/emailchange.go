package app

import (
	"context"
	"strings"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

// Changing one's e-mail address. On the account page, the new address and
// the current password (not needed in a session signed in with single
// sign-on, which the provider authenticated) ask for the change
// (RequestEmailChange): a one-time link (persona.LinkEmailChange, 24 hours)
// goes to the NEW address, and a notice to the OLD one, with a link to the
// account page (no secret in it: whoever reads it signs in first) where a
// pending change can be cancelled and sessions signed out. Nothing changes
// until the link is used (ConfirmEmailChange); then, in one transaction,
// the address is checked to be free (another account may have taken it
// meanwhile: the change is refused and nothing changes) and the account
// moves to it, verified. A new request replaces the pending one (its link
// stops working). Every step is in the account's security log.
//
// The request always sends the link, whether or not the new address has
// an account: the signed-in person learns that only when confirming,
// from the address's own inbox.

// EmailChangePath is the page an e-mail change's link opens; the secret is
// its token parameter.
const EmailChangePath = "/account/email/confirm"

// errEmailChangeNotFound is the one answer to a confirmation link that
// does not work.
func errEmailChangeNotFound() error {
	return persona.Errorf(persona.CodeNotFound, "This confirmation link does not work: links work once, for 24 hours, "+
		"and only the newest one sent works (cancelling the change ends it); it may also not have been copied whole. "+
		"Nothing was changed. Ask for the change again from your account page.")
}

// EmailChange is a pending change of address, as the account page shows
// it.
type EmailChange struct {
	NewEmail  string
	ExpiresAt time.Time
}

// RequestEmailChange asks to move the caller's account to newEmail (see
// above). Field errors: email (not an address, or the current one) and
// current_password (wrong). Requests are counted like sign-ins, per
// account and client (kind "email"), so that nobody sends an inbox a
// flood of links; a wrong password counts as a failed sign-in too.
func (s *Service) RequestEmailChange(ctx context.Context, actor Actor, newEmail, currentPassword string) (EmailChange, error) {
	if actor.UserID == "" || actor.System {
		return EmailChange{}, persona.Errorf(persona.CodeUnauthenticated, "authentication required")
	}
	if actor.ReadOnly {
		return EmailChange{}, persona.Errorf(persona.CodeForbidden, "a read-only token cannot change the account")
	}
	u, err := s.store.UserByID(ctx, actor.UserID)
	if err != nil {
		return EmailChange{}, err
	}
	email, err := persona.ValidateEmail(newEmail)
	switch {
	case err != nil:
		return EmailChange{}, persona.Invalid("invalid address", []persona.FieldError{{Field: "email", Message: err.Error()}})
	case email == u.Email:
		return EmailChange{}, persona.Invalid("invalid address", []persona.FieldError{{Field: "email", Message: "is already your address"}})
	}
	if err := s.admit(ctx, throttleKeys("email", u.Email, clientInfo(ctx).Address)); err != nil {
		if e, ok := persona.AsError(err); ok && e.Code == persona.CodeTooMany {
			return EmailChange{}, &persona.Error{Code: persona.CodeTooMany, RetryAfter: e.RetryAfter,
				Message: "too many address changes asked for; wait " + waitText(e.RetryAfter) + " and try again"}
		}
		return EmailChange{}, err
	}
	if !actor.SSO {
		ok, err := s.throttled(ctx, u.Email, clientInfo(ctx).Address, func() (bool, error) {
			_, ok, err := s.verifyCredentials(ctx, u.Email, currentPassword)
			return ok, err
		})
		if err != nil {
			return EmailChange{}, err
		}
		if !ok {
			s.recordSecurityEvent(ctx, u.ID, persona.SecuritySignInFailed, "E-mail change refused: the current password was wrong")
			return EmailChange{}, persona.Invalid("wrong password", []persona.FieldError{{Field: "current_password", Message: "is not your current password"}})
		}
	}
	var out EmailChange
	e := s.securityEvent(ctx, u.ID, persona.SecurityEmailChangeRequested,
		"Asked to change the e-mail address from "+u.Email+" to "+email+"; a link to confirm it was sent there, a notice to "+u.Email)
	err = s.inUserTx(ctx, &e, func(tx Store) error {
		if _, err := s.revokeLinks(ctx, tx, persona.LinkEmailChange, u.ID, ""); err != nil {
			return err
		}
		l := persona.Link{Purpose: persona.LinkEmailChange, UserID: u.ID, Email: email}
		secret, err := s.issueLink(ctx, tx, l)
		if err != nil {
			return err
		}
		if _, err := s.sendMail(ctx, tx, persona.Message{To: email, Kind: persona.MessageEmailChange,
			Data: persona.MessageData{Name: u.Name, Link: EmailChangePath + "?token=" + secret, ValidFor: persona.LinkEmailChange.Lifetime()}}); err != nil {
			return err
		}
		if _, err := s.sendMail(ctx, tx, persona.Message{To: u.Email, Kind: persona.MessageEmailChangeNotice,
			Data: persona.MessageData{Name: u.Name, NewEmail: email, Link: "/account"}}); err != nil {
			return err
		}
		pending, err := tx.PendingLink(ctx, persona.LinkEmailChange, u.ID, s.timestamp())
		out = EmailChange{NewEmail: pending.Email, ExpiresAt: pending.ExpiresAt}
		return err
	})
	if err != nil {
		return EmailChange{}, err
	}
	return out, nil
}

// PendingEmailChange is the caller's change of address waiting for its
// confirmation, or nil.
func (s *Service) PendingEmailChange(ctx context.Context, actor Actor) (*EmailChange, error) {
	if actor.UserID == "" || actor.System {
		return nil, persona.Errorf(persona.CodeUnauthenticated, "authentication required")
	}
	l, err := s.store.PendingLink(ctx, persona.LinkEmailChange, actor.UserID, s.timestamp())
	switch {
	case persona.ErrorCode(err) == persona.CodeNotFound:
		return nil, nil
	case err != nil:
		return nil, err
	}
	return &EmailChange{NewEmail: l.Email, ExpiresAt: l.ExpiresAt}, nil
}

// CancelEmailChange ends the caller's pending change of address: its link
// stops working. Not found when none is pending.
func (s *Service) CancelEmailChange(ctx context.Context, actor Actor) (EmailChange, error) {
	if actor.UserID == "" || actor.System {
		return EmailChange{}, persona.Errorf(persona.CodeUnauthenticated, "authentication required")
	}
	var out EmailChange
	e := s.securityEvent(ctx, actor.UserID, persona.SecurityEmailChangeCancelled, "")
	err := s.inUserTx(ctx, &e, func(tx Store) error {
		l, err := tx.PendingLink(ctx, persona.LinkEmailChange, actor.UserID, s.timestamp())
		if persona.ErrorCode(err) == persona.CodeNotFound {
			return persona.Errorf(persona.CodeNotFound, "no change of address is waiting for its confirmation")
		}
		if err != nil {
			return err
		}
		out = EmailChange{NewEmail: l.Email, ExpiresAt: l.ExpiresAt}
		e.Summary = "Cancelled the change of the e-mail address to " + l.Email
		_, err = s.revokeLinks(ctx, tx, persona.LinkEmailChange, actor.UserID, "")
		return err
	})
	return out, err
}

// EmailChangeLink is what a confirmation link's page shows.
type EmailChangeLink struct {
	UserID   string
	NewEmail string
}

// OpenEmailChangeLink reads a confirmation link without using it.
func (s *Service) OpenEmailChangeLink(ctx context.Context, secret string) (EmailChangeLink, error) {
	l, err := s.peekLink(ctx, s.store, persona.LinkEmailChange, strings.TrimSpace(secret))
	if persona.ErrorCode(err) == persona.CodeNotFound || (err == nil && l.UserID == "") {
		return EmailChangeLink{}, errEmailChangeNotFound()
	}
	if err != nil {
		return EmailChangeLink{}, err
	}
	return EmailChangeLink{UserID: l.UserID, NewEmail: l.Email}, nil
}

// ConfirmEmailChange uses a confirmation link: in one transaction the link
// is used, the new address is checked to be free (a conflict otherwise:
// nothing changes, and the link stays unused until it expires or is
// replaced), the account moves to it (verified) and the security log
// records it. It needs no sign-in (the link proves the new address), but
// someone signed in as another account is refused (errOtherAccount).
func (s *Service) ConfirmEmailChange(ctx context.Context, actor Actor, secret string) (persona.User, error) {
	secret = strings.TrimSpace(secret)
	cl, err := s.OpenEmailChangeLink(ctx, secret)
	if err != nil {
		return persona.User{}, err
	}
	if actor.System || (actor.UserID != "" && actor.UserID != cl.UserID) {
		return persona.User{}, errOtherAccount("the account that asked to move to "+cl.NewEmail, actor.Email)
	}
	var u persona.User
	e := s.securityEvent(ctx, cl.UserID, persona.SecurityEmailChanged, "")
	err = s.inUserTx(ctx, &e, func(tx Store) error {
		l, err := s.consumeLink(ctx, tx, persona.LinkEmailChange, secret)
		if err != nil {
			return errEmailChangeNotFound()
		}
		if u, err = tx.UserByID(ctx, l.UserID); err != nil {
			if persona.ErrorCode(err) == persona.CodeNotFound {
				return errEmailChangeNotFound()
			}
			return err
		}
		switch other, err := tx.UserByEmail(ctx, l.Email); {
		case err == nil && other.ID != u.ID:
			return errAddressTaken(l.Email)
		case err != nil && persona.ErrorCode(err) != persona.CodeNotFound:
			return err
		}
		now := s.timestamp()
		if err := tx.SetUserEmail(ctx, u.ID, l.Email, now); err != nil {
			if persona.ErrorCode(err) == persona.CodeConflict {
				return errAddressTaken(l.Email) // taken at the same moment
			}
			return err
		}
		e.Summary = "E-mail address changed from " + u.Email + " to " + l.Email
		u.Email = l.Email
		if u.EmailVerifiedAt == nil {
			u.EmailVerifiedAt = &now
		}
		u.PasswordHash = ""
		return nil
	})
	if err != nil {
		return persona.User{}, err
	}
	return u, nil
}

func errAddressTaken(email string) error {
	return &persona.Error{Code: persona.CodeConflict,
		Message: email + " is the address of another account by now, so your address was not changed. Nothing was changed; choose another address from your account page."}
}
