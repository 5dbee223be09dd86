package app

import (
	"context"
	"errors"
	"strings"

	"github.com/personapal/personapal/internal/persona"
)

// Forgotten passwords. "Forgot password?" on the sign-in page asks for an
// address (RequestPasswordReset); the account with it, if any, is sent a
// one-time link (persona.LinkPasswordReset: 1 hour, single use; a new
// request revokes the earlier links) to ResetPath, whose page sets a new
// password (ResetPassword): every session ends, the API tokens are revoked
// unless the person unticks it, the security log records it, and the
// browser is signed in afresh — in one transaction with the link's use.
//
// The answer never tells whether the address has an account, and neither
// should the time it takes. Both paths do the same work: count the
// request against the throttling counters of the address and the client
// (kind "reset", like sign-ins: so nobody floods an inbox with links),
// look the address up, render the message and run one transaction that
// revokes the earlier links, stores the new link, queues the message with
// its job and records the request in the security log. For an address
// without an account the same statements run — with an ID that matches
// nothing, an unowned link and the message to that address — and the
// transaction is rolled back instead of committed: nothing is stored or
// sent. Neither path hashes a password. (The rest that differs is a
// commit against a rollback, and the one security-log row.)
//
// An account made by single sign-on has no password; a reset link sets
// its first one (the link proves the address just as the provider's
// verified address did, and an organisation that requires single sign-on
// still refuses password sessions). A sign-up whose address was never
// verified is verified by it, too.

// ResetPath is the page a password-reset link opens; the secret is its
// token parameter.
const ResetPath = "/reset"

// errResetNotFound is the one answer to a reset link that does not work.
func errResetNotFound() error {
	return persona.Errorf(persona.CodeNotFound, "This password reset link does not work: links work once, for one hour, "+
		"and only the newest one sent works; it may also not have been copied whole. Nothing was changed. Ask for a new link.")
}

// errNoAccount rolls back the transaction of a reset request for an
// address without an account (the same work, nothing kept).
var errNoAccount = errors.New("no account: roll back")

// RequestPasswordReset sends a password-reset link to the address's
// account, if it has one. The answer is nil either way (too many requests
// are refused, as sign-ins are, with the wait; an address that is not an
// address at all is a field error of email).
func (s *Service) RequestPasswordReset(ctx context.Context, email string) error {
	email, err := persona.ValidateEmail(email)
	if err != nil {
		return persona.Invalid("invalid address", []persona.FieldError{{Field: "email", Message: err.Error()}})
	}
	if err := s.admit(ctx, throttleKeys("reset", email, clientInfo(ctx).Address)); err != nil {
		if e, ok := persona.AsError(err); ok && e.Code == persona.CodeTooMany {
			return &persona.Error{Code: persona.CodeTooMany, RetryAfter: e.RetryAfter,
				Message: "too many reset requests from here or for this address; wait " + waitText(e.RetryAfter) + " and try again"}
		}
		return err
	}
	u, err := s.store.UserByEmail(ctx, email)
	found := err == nil
	switch {
	case persona.ErrorCode(err) == persona.CodeNotFound:
		u = persona.User{ID: newID(), Email: email} // matches nothing
	case err != nil:
		return err
	}
	e := s.securityEvent(ctx, u.ID, persona.SecurityPasswordResetRequested, "A link to reset the password was sent to "+email)
	err = s.store.InTx(ctx, func(tx Store) error {
		if _, err := s.revokeLinks(ctx, tx, persona.LinkPasswordReset, u.ID, ""); err != nil {
			return err
		}
		l := persona.Link{Purpose: persona.LinkPasswordReset, UserID: u.ID, Email: email}
		if !found {
			l.UserID = "" // no account to point at
		}
		secret, err := s.issueLink(ctx, tx, l)
		if err != nil {
			return err
		}
		if _, err := s.sendMail(ctx, tx, persona.Message{To: email, Kind: persona.MessagePasswordReset,
			Data: persona.MessageData{Name: u.Name, Link: ResetPath + "?token=" + secret, ValidFor: persona.LinkPasswordReset.Lifetime()}}); err != nil {
			return err
		}
		if !found {
			return errNoAccount
		}
		return tx.AppendSecurityEvent(ctx, e)
	})
	if errors.Is(err, errNoAccount) {
		return nil
	}
	return err
}

// ResetLink is what a reset link's page shows: whose password it sets.
type ResetLink struct {
	UserID string
	Email  string
}

// OpenResetLink reads a reset link without using it.
func (s *Service) OpenResetLink(ctx context.Context, secret string) (ResetLink, error) {
	l, err := s.peekLink(ctx, s.store, persona.LinkPasswordReset, strings.TrimSpace(secret))
	if err != nil || l.UserID == "" {
		if err == nil || persona.ErrorCode(err) == persona.CodeNotFound {
			return ResetLink{}, errResetNotFound()
		}
		return ResetLink{}, err
	}
	return ResetLink{UserID: l.UserID, Email: l.Email}, nil
}

// PasswordReset is the outcome of ResetPassword.
type PasswordReset struct {
	User    persona.User
	Revoked int    // API tokens revoked
	Session string // the new browser session's secret
}

// ResetPassword sets a new password with a reset link: in one
// transaction it uses the link, sets the password, ends every session of
// the account, revokes its API tokens (with revokeTokens), records the
// reset in its security log, verifies the address if it was not, makes
// the account's other reset links unusable, and starts a new session,
// whose secret it returns. Someone signed in as another account is
// refused (errOtherAccount); the new password must pass
// persona.ValidatePassword (a field error of new_password); a link that
// does not work changes nothing.
func (s *Service) ResetPassword(ctx context.Context, actor Actor, secret, password string, revokeTokens bool) (PasswordReset, error) {
	secret = strings.TrimSpace(secret)
	rl, err := s.OpenResetLink(ctx, secret)
	if err != nil {
		return PasswordReset{}, err
	}
	if actor.System || (actor.UserID != "" && actor.UserID != rl.UserID) {
		return PasswordReset{}, errOtherAccount(rl.Email, actor.Email)
	}
	if err := persona.ValidatePassword(password); err != nil {
		return PasswordReset{}, persona.Invalid("invalid password", []persona.FieldError{{Field: "new_password", Message: err.Error()}})
	}
	hash, err := s.hashPassword(ctx, password)
	if err != nil {
		return PasswordReset{}, err
	}
	summary := "Password reset with a link e-mailed to " + rl.Email + "; signed out everywhere"
	if revokeTokens {
		summary += "; API tokens revoked"
	}
	var out PasswordReset
	signIn := s.securityEvent(ctx, rl.UserID, persona.SecuritySignIn, "Signed in with the new password")
	err = s.inUserTx(ctx, &signIn, func(tx Store) error {
		l, err := s.consumeLink(ctx, tx, persona.LinkPasswordReset, secret)
		if err != nil {
			return errResetNotFound()
		}
		u, err := tx.UserByID(ctx, l.UserID)
		if err != nil {
			return badReset(err)
		}
		if !strings.EqualFold(u.Email, l.Email) {
			return errResetNotFound() // sent to an address the account no longer has
		}
		now := s.timestamp()
		if out.Revoked, err = tx.ResetAccess(ctx, AccessReset{UserID: u.ID, PasswordHash: hash, RevokeTokens: revokeTokens, At: now,
			Event: s.securityEvent(ctx, u.ID, persona.SecurityPasswordReset, summary)}); err != nil {
			return err
		}
		if err := tx.MarkEmailVerified(ctx, u.ID, now); err != nil {
			return err
		}
		if _, err := s.revokeLinks(ctx, tx, persona.LinkPasswordReset, u.ID, ""); err != nil {
			return err
		}
		if u.EmailVerifiedAt == nil {
			u.EmailVerifiedAt = &now
		}
		u.PasswordHash = ""
		out.User = u
		out.Session, err = s.startSessionIn(ctx, tx, u, []byte("{}"))
		return err
	})
	if err != nil {
		return PasswordReset{}, err
	}
	return out, nil
}

func badReset(err error) error {
	if persona.ErrorCode(err) == persona.CodeNotFound {
		return errResetNotFound()
	}
	return err
}
