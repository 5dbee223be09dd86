package app

import (
	"context"
	"strings"
	"time"

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
// The answer never tells whether an address has an account: for an
// existing verified account nothing is sent, for an unverified one the new
// sign-up's name and password replace the old and a new link replaces the
// old link (the last sign-up before verification wins, and only its link
// works), and in invite mode an address without an invitation gets the
// same answer and nothing. Every path hashes the password once.

// WithSignupPolicy sets who may sign up (the default is invite).
func WithSignupPolicy(p persona.SignupPolicy) Option {
	return func(s *Service) {
		if p.Mode == "" {
			p.Mode = persona.SignupInvite
		}
		s.signup = p
	}
}

// VerificationLink is a sign-up's verification link to send to the
// address.
type VerificationLink struct {
	User persona.User
	// Path is the link on this server, without scheme and host:
	// "/signup/verify?token=…". The secret is in it and nowhere else.
	Path      string
	ExpiresAt time.Time
}

// VerificationSender sends a verification link. SendVerification runs in
// the sign-up's transaction (tx), so a sender that queues a message with
// tx commits it with the account or not at all.
//
// TODO(lead): wire the e-mail queue (branch queue): a sender that enqueues
// a "verify e-mail" message through tx with --base-url + Path. Until then
// the default logs the link for an operator to pass on.
type VerificationSender interface {
	SendVerification(ctx context.Context, tx Store, link VerificationLink) error
}

// WithVerificationSender replaces the default sender, which logs the link.
func WithVerificationSender(v VerificationSender) Option { return func(s *Service) { s.verifier = v } }

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

const verificationPrefix = "ppv_"

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
	secret, err := randomSecret(verificationPrefix)
	if err != nil {
		return err
	}
	now := s.timestamp()
	err = s.store.InTx(ctx, func(tx Store) error {
		u, err := tx.UserByEmail(ctx, email)
		switch {
		case err == nil && u.EmailVerifiedAt != nil:
			// TODO(lead): with the e-mail queue, tell the address that
			// someone tried to sign up with it ("sign in or reset").
			return nil
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
		v := Verification{TokenHash: hashToken(secret), UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(persona.VerificationLifetime)}
		if err := tx.ReplaceVerification(ctx, v); err != nil {
			return err
		}
		if err := tx.AppendSecurityEvent(ctx, s.securityEvent(ctx, u.ID, persona.SecurityAccountCreated,
			"Signed up; a link to verify "+u.Email+" was sent")); err != nil {
			return err
		}
		return s.sendVerification(ctx, tx, VerificationLink{User: u, Path: "/signup/verify?token=" + secret, ExpiresAt: v.ExpiresAt})
	})
	if persona.ErrorCode(err) == persona.CodeConflict {
		return nil // a sign-up for the same address at the same moment won
	}
	return err
}

func (s *Service) sendVerification(ctx context.Context, tx Store, link VerificationLink) error {
	if s.verifier != nil {
		return s.verifier.SendVerification(ctx, tx, link)
	}
	s.log.InfoContext(ctx, "sign-up verification link (not e-mailed: no mail is configured yet); open it on this server",
		"to", link.User.Email, "path", link.Path, "expires", link.ExpiresAt.UTC().Format("2006-01-02 15:04 MST"))
	return nil
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
	if !strings.HasPrefix(secret, verificationPrefix) || len(secret) > 200 {
		return persona.User{}, errBadVerification()
	}
	var u persona.User
	e := s.securityEvent(ctx, "", persona.SecurityEmailVerified, "")
	err := s.store.InTx(ctx, func(tx Store) error {
		now := s.timestamp()
		id, err := tx.ConsumeVerification(ctx, hashToken(secret), now)
		if err != nil {
			if persona.ErrorCode(err) == persona.CodeNotFound {
				return errBadVerification()
			}
			return err
		}
		if err := tx.MarkEmailVerified(ctx, id, now); err != nil {
			return err
		}
		if u, err = tx.UserByID(ctx, id); err != nil {
			return err
		}
		e.UserID, e.Summary = id, "E-mail address "+u.Email+" verified"
		return tx.AppendSecurityEvent(ctx, e)
	})
	return u, err
}
