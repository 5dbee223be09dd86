package app

import (
	"context"
	"net/url"
	"strings"

	"github.com/personapal/personapal/internal/persona"
)

// Sign-up. The server's policy (persona.SignupPolicy, set with
// WithSignupPolicy from serve's --signup and --signup-domains) decides who
// may create an account on the "Join" page: nobody (closed), addresses
// with a pending invitation (invite, the default), or anyone, optionally
// only at some domains (open; invited addresses too). An account made
// there works only once its address is verified by a link valid 24 hours
// (persona.VerificationLifetime); accounts made by operators, the demo,
// the first-run setup and signed-in flows count as verified (CreateUser).
//
// The verification link is a one-time link (purpose verify_email, 24
// hours) issued, and e-mailed with sendMail, in the sign-up's own
// transaction: the account, its link and the message commit together.
//
// The answer never tells whether an address has an account: an existing
// verified account is sent a notice instead of a link ("someone tried to
// create an account with your address: sign in, or reset your password")
// and nothing else changes; for an unverified one the new sign-up's name
// and password replace the old and a new link replaces the old link (the
// last sign-up before verification wins, and only its link works); in
// invite mode an address without an invitation gets the same answer and
// nothing. Every path hashes the password once, and every path the policy
// takes queues one message in one transaction.

// WithSignupPolicy sets who may sign up (the default is invite).
func WithSignupPolicy(p persona.SignupPolicy) Option {
	return func(s *Service) {
		if p.Mode == "" {
			p.Mode = persona.SignupInvite
		}
		s.signup = p
	}
}

// SignupPolicy returns the server's sign-up policy (the web app shows or
// hides its "Join" page by it).
func (s *Service) SignupPolicy() persona.SignupPolicy { return s.signup }

// AllowsSignup reports whether an account may be created for this address
// (by the sign-up page, or on a first single sign-on): never when sign-up
// is closed; an address with a pending invitation always otherwise; and in
// open mode, any address, or with domains one at those domains.
func (s *Service) AllowsSignup(ctx context.Context, email string) (bool, error) {
	if s.signup.Mode == persona.SignupClosed {
		return false, nil
	}
	email, err := persona.ValidateEmail(email)
	if err != nil {
		return false, nil
	}
	if s.signup.DomainAllowed(email) {
		return true, nil
	}
	invs, err := s.store.InvitationsForEmail(ctx, email, s.timestamp())
	return len(invs) > 0, err
}

// SignupInput is what the Join page sends.
type SignupInput struct {
	Email    string
	Name     string
	Password string
}

// VerifyPath is the page a verification link opens; the secret is its
// token parameter.
const VerifyPath = "/signup/verify"

// legacyVerificationPrefix marks the verification secrets made before
// they were one-time links (migration 00021 moved their digests to the
// links table): such a secret is hashed whole. They expire within a day of
// the upgrade; this can go in a later release.
const legacyVerificationPrefix = "ppv_"

// SignUp creates an account that waits for its address to be verified and
// sends the verification link, when the policy allows the address. Field
// problems are invalid; an address outside open sign-up's domains is a
// field error of email (the domains are no secret); sign-up attempts are
// throttled per address and client like sign-ins (too many: too-many with
// a wait). Otherwise the answer is nil whether or not a link was sent (see
// above).
func (s *Service) SignUp(ctx context.Context, in SignupInput) error {
	if s.signup.Mode == persona.SignupClosed {
		return persona.Errorf(persona.CodeForbidden, "sign-up is closed on this server: ask its administrators for an account")
	}
	if needs, err := s.NeedsSetup(ctx); err != nil || needs {
		if err != nil {
			return err
		}
		return persona.Errorf(persona.CodeForbidden, "this server is not set up yet: its first-run setup comes first")
	}
	email, name, fields := userFields(in.Email, in.Name, in.Password)
	if err := persona.Invalid("invalid sign-up", fields); err != nil {
		return err
	}
	allowed, err := s.AllowsSignup(ctx, email)
	if err != nil {
		return err
	}
	if !allowed && s.signup.Mode == persona.SignupOpen {
		return persona.Invalid("address not allowed", []persona.FieldError{{Field: "email",
			Message: "must be an address at " + s.signup.DomainList() + ": sign-up here is open to those domains only"}})
	}
	if err := s.admit(ctx, throttleKeys("signup", email, clientInfo(ctx).Address)); err != nil {
		if e, ok := persona.AsError(err); ok && e.Code == persona.CodeTooMany {
			return &persona.Error{Code: persona.CodeTooMany, RetryAfter: e.RetryAfter,
				Message: "too many sign-ups from here or for this address; wait " + waitText(e.RetryAfter) + " and try again"}
		}
		return err
	}
	hash, err := s.hashPassword(ctx, in.Password) // on every path: the time taken tells nothing
	if err != nil || !allowed {
		return err
	}
	now := s.timestamp()
	err = s.store.InTx(ctx, func(tx Store) error {
		u, err := tx.UserByEmail(ctx, email)
		switch {
		case err == nil && u.EmailVerifiedAt != nil:
			// The address has an account: tell it so (sign in, or reset
			// the password) instead of sending a link; nothing else
			// changes, and the answer is the same.
			_, err := s.sendMail(ctx, tx, persona.Message{To: u.Email, Kind: persona.MessageSignupExisting,
				Data: persona.MessageData{Name: u.Name, Link: "/login?email=" + url.QueryEscape(u.Email)}})
			return err
		case err == nil:
			if err := tx.ReplaceUnverifiedUser(ctx, u.ID, name, hash); err != nil {
				return err
			}
			u.Name, u.PasswordHash = name, hash
		case persona.ErrorCode(err) == persona.CodeNotFound:
			u = persona.User{ID: newID(), Email: email, Name: name, PasswordHash: hash, CreatedAt: now}
			if err := tx.CreateUser(ctx, u); err != nil {
				return err
			}
		default:
			return err
		}
		// One link works at a time: the last sign-up's.
		if _, err := s.revokeLinks(ctx, tx, persona.LinkVerifyEmail, u.ID, ""); err != nil {
			return err
		}
		secret, err := s.issueLink(ctx, tx, persona.Link{Purpose: persona.LinkVerifyEmail, UserID: u.ID, Email: u.Email})
		if err != nil {
			return err
		}
		if err := tx.AppendSecurityEvent(ctx, s.securityEvent(ctx, u.ID, persona.SecurityAccountCreated,
			"Signed up; a link to verify "+u.Email+" was sent")); err != nil {
			return err
		}
		_, err = s.sendMail(ctx, tx, persona.Message{To: u.Email, Kind: persona.MessageVerifyEmail,
			Data: persona.MessageData{Name: u.Name, Link: VerifyPath + "?token=" + secret, ValidFor: persona.LinkVerifyEmail.Lifetime()}})
		return err
	})
	if persona.ErrorCode(err) == persona.CodeConflict {
		return nil // a sign-up for the same address at the same moment won
	}
	return err
}

// errBadVerification answers a verification link that does not work.
func errBadVerification() error {
	return persona.Errorf(persona.CodeNotFound, "This verification link does not work: it was used already, is more than 24 hours old, or was not copied whole. Nothing was changed. Join again with the same address to get a new one.")
}

// VerifyEmail uses a sign-up's verification link: once, within 24 hours,
// on whichever instance is asked first. It marks the address verified
// (the account can sign in from then on) and records it in the user's
// security log. Unknown, tampered, used and expired links are not found
// and change nothing.
func (s *Service) VerifyEmail(ctx context.Context, secret string) (persona.User, error) {
	secret = strings.TrimSpace(secret)
	var u persona.User
	e := s.securityEvent(ctx, "", persona.SecurityEmailVerified, "")
	err := s.inUserTx(ctx, &e, func(tx Store) error {
		l, err := s.consumeVerification(ctx, tx, secret)
		if err != nil {
			return err
		}
		if u, err = tx.UserByID(ctx, l.UserID); err != nil {
			return err
		}
		if !strings.EqualFold(u.Email, l.Email) {
			return errBadVerification() // made for an address the account no longer has
		}
		now := s.timestamp()
		if err := tx.MarkEmailVerified(ctx, u.ID, now); err != nil {
			return err
		}
		if u.EmailVerifiedAt == nil {
			u.EmailVerifiedAt = &now
		}
		e.UserID, e.Summary = u.ID, "E-mail address "+u.Email+" verified"
		return nil
	})
	return u, err
}

// consumeVerification uses a verification link in tx: a one-time link
// of purpose verify_email, or one made before those (legacy prefix).
func (s *Service) consumeVerification(ctx context.Context, tx Store, secret string) (persona.Link, error) {
	var (
		l   persona.Link
		err error
	)
	if strings.HasPrefix(secret, legacyVerificationPrefix) && len(secret) <= 200 {
		l, err = tx.ConsumeLink(ctx, persona.LinkVerifyEmail, hashToken(secret), s.timestamp())
	} else {
		l, err = s.consumeLink(ctx, tx, persona.LinkVerifyEmail, secret)
	}
	if persona.ErrorCode(err) == persona.CodeNotFound {
		return persona.Link{}, errBadVerification()
	}
	return l, err
}
