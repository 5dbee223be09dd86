package app

import (
	"context"
	"strings"

	"github.com/personapal/personapal/internal/persona"
)

// CreateUser registers a user with a password. It is an administrative act
// (CLI, demo set-up, or an admin adding a new colleague).
func (s *Service) CreateUser(ctx context.Context, email, name, password string) (persona.User, error) {
	var fields []persona.FieldError
	email, err := persona.ValidateEmail(email)
	if err != nil {
		fields = append(fields, persona.FieldError{Field: "email", Message: err.Error()})
	}
	name = strings.TrimSpace(name)
	if name == "" {
		fields = append(fields, persona.FieldError{Field: "name", Message: "is required"})
	} else if msg := persona.LineProblem(name, 200); msg != "" {
		fields = append(fields, persona.FieldError{Field: "name", Message: msg})
	}
	if err := persona.ValidatePassword(password); err != nil {
		fields = append(fields, persona.FieldError{Field: "password", Message: err.Error()})
	}
	if err := persona.Invalid("invalid user", fields); err != nil {
		return persona.User{}, err
	}
	hash, err := s.hashPassword(ctx, password)
	if err != nil {
		return persona.User{}, err
	}
	u := persona.User{ID: newID(), Email: email, Name: name, PasswordHash: hash, CreatedAt: s.timestamp()}
	if err := s.store.CreateUser(ctx, u); err != nil {
		if persona.ErrorCode(err) == persona.CodeConflict {
			return persona.User{}, persona.Errorf(persona.CodeConflict, "a user with email %s already exists", email)
		}
		return persona.User{}, err
	}
	return u, nil
}

// UserByEmail looks a user up (administrative edges only).
func (s *Service) UserByEmail(ctx context.Context, email string) (persona.User, error) {
	norm, err := persona.ValidateEmail(email)
	if err != nil {
		return persona.User{}, persona.ErrNotFound("user")
	}
	return s.store.UserByEmail(ctx, norm)
}

// CheckPassword returns the user whose email and password match. Wrong email
// and wrong password give the same error, and cost the same: each path
// verifies exactly one hash (an unknown email against a dummy hash made
// once per service), so timing does not tell which emails have accounts.
func (s *Service) CheckPassword(ctx context.Context, email, password string) (persona.User, error) {
	release, err := s.verifying.acquire(ctx)
	if err != nil {
		return persona.User{}, err
	}
	defer release()
	u, ok, err := s.verifyCredentials(ctx, email, password)
	if err != nil {
		return persona.User{}, err
	}
	if !ok {
		return persona.User{}, errWrongPassword()
	}
	return u, nil
}

func errWrongPassword() error {
	return persona.Errorf(persona.CodeUnauthenticated, "wrong email or password")
}

// verifyCredentials verifies password for the account of email with
// exactly one verification, in the caller's slot: u is the user when the
// email has an account (whatever the password), ok whether the password is
// theirs.
func (s *Service) verifyCredentials(ctx context.Context, email, password string) (u persona.User, ok bool, err error) {
	u, err = s.UserByEmail(ctx, email)
	hash := u.PasswordHash
	if err != nil {
		if persona.ErrorCode(err) != persona.CodeNotFound {
			return persona.User{}, false, err
		}
		u = persona.User{}
	}
	// An unknown email, and an account without a password (made by single
	// sign-on), verify against the dummy hash: the same cost, never a match.
	noPassword := hash == "" || u.ID == ""
	if noPassword {
		if hash, err = s.dummyHash(); err != nil {
			return persona.User{}, false, err
		}
	}
	ok, err = s.hasher.Verify(hash, password)
	if err != nil {
		return persona.User{}, false, err
	}
	return u, ok && !noPassword, nil
}

// dummyHash is a hash of a password nobody has, with the hasher's own
// parameters, made once (lazily: most processes never need it). It is
// made outside the verification slots, so that a busy moment cannot fail
// it; callers arriving meanwhile wait for the one being made.
func (s *Service) dummyHash() (string, error) {
	s.dummy.Lock()
	defer s.dummy.Unlock()
	if s.dummy.hash == "" {
		h, err := s.hasher.Hash("not a real password: " + newID())
		if err != nil {
			return "", err
		}
		s.dummy.hash = h
	}
	return s.dummy.hash, nil
}

// Authenticate resolves an API bearer token to its actor.
func (s *Service) Authenticate(ctx context.Context, secret string) (Actor, error) {
	bad := persona.Errorf(persona.CodeUnauthenticated, "invalid or revoked API token")
	if !strings.HasPrefix(secret, tokenPrefix) || len(secret) > 200 {
		return Actor{}, bad
	}
	tok, u, err := s.store.TokenUserByHash(ctx, hashToken(secret))
	if err != nil {
		if persona.ErrorCode(err) == persona.CodeNotFound {
			return Actor{}, bad
		}
		return Actor{}, err
	}
	return Actor{UserID: u.ID, Email: u.Email, Name: u.Name, TokenID: tok.ID}, nil
}

// AuthenticateOrg is Authenticate for a request to the organisation with
// this slug: the same query also reads the caller's membership there, and
// a memo in ctx (WithRequestMemo) keeps it for the request's scope checks.
func (s *Service) AuthenticateOrg(ctx context.Context, secret, slug string) (Actor, error) {
	if slug == "" {
		return s.Authenticate(ctx, secret)
	}
	bad := persona.Errorf(persona.CodeUnauthenticated, "invalid or revoked API token")
	if !strings.HasPrefix(secret, tokenPrefix) || len(secret) > 200 {
		return Actor{}, bad
	}
	a, err := s.store.TokenAuth(ctx, hashToken(secret), slug)
	if err != nil {
		if persona.ErrorCode(err) == persona.CodeNotFound {
			return Actor{}, bad
		}
		return Actor{}, err
	}
	if memo, ok := ctx.Value(scopeMemoKey{}).(*scopeMemo); ok {
		*memo = scopeMemo{valid: true, userID: a.User.ID, slug: slug, org: a.Org, role: a.Role, missing: a.Role == ""}
	}
	return Actor{UserID: a.User.ID, Email: a.User.Email, Name: a.User.Name, TokenID: a.TokenID}, nil
}

// ActorFor returns the actor for a known user ID (sessions, CLI).
func (s *Service) ActorFor(ctx context.Context, userID string) (Actor, error) {
	u, err := s.store.UserByID(ctx, userID)
	if err != nil {
		return Actor{}, err
	}
	return Actor{UserID: u.ID, Email: u.Email, Name: u.Name}, nil
}

// Me returns the caller's own user record.
func (s *Service) Me(ctx context.Context, actor Actor) (persona.User, error) {
	if actor.UserID == "" {
		return persona.User{}, persona.Errorf(persona.CodeUnauthenticated, "authentication required")
	}
	return s.store.UserByID(ctx, actor.UserID)
}

// CreateToken creates an API token for the caller. The secret is returned
// once and never stored.
func (s *Service) CreateToken(ctx context.Context, actor Actor, name string) (string, persona.Token, error) {
	if actor.UserID == "" {
		return "", persona.Token{}, persona.Errorf(persona.CodeUnauthenticated, "authentication required")
	}
	name = strings.TrimSpace(name)
	if name == "" {
		name = "API token"
	}
	if msg := persona.LineProblem(name, 100); msg != "" {
		return "", persona.Token{}, persona.Invalid("invalid token", []persona.FieldError{{Field: "name", Message: msg}})
	}
	secret, hash, err := newTokenSecret()
	if err != nil {
		return "", persona.Token{}, err
	}
	t := persona.Token{ID: newID(), UserID: actor.UserID, Name: name, Hash: hash, Prefix: secret[:len(tokenPrefix)+4], CreatedAt: s.timestamp()}
	e := s.securityEvent(ctx, actor.UserID, persona.SecurityTokenCreated, "API token "+quoted(t.Name)+" created")
	err = s.inUserTx(ctx, &e, func(tx Store) error {
		if err := tx.CreateToken(ctx, t); err != nil {
			return err
		}
		return s.markTokenSSO(ctx, tx, actor, t.ID) // made in a single sign-on session (sso.go)
	})
	if err != nil {
		return "", persona.Token{}, err
	}
	return secret, t, nil
}

// ListTokens lists the caller's tokens (never their secrets).
func (s *Service) ListTokens(ctx context.Context, actor Actor) ([]persona.Token, error) {
	if actor.UserID == "" {
		return nil, persona.Errorf(persona.CodeUnauthenticated, "authentication required")
	}
	return s.store.ListTokens(ctx, actor.UserID)
}

// RevokeToken revokes one of the caller's tokens; effective immediately.
func (s *Service) RevokeToken(ctx context.Context, actor Actor, tokenID string) error {
	if actor.UserID == "" {
		return persona.Errorf(persona.CodeUnauthenticated, "authentication required")
	}
	e := s.securityEvent(ctx, actor.UserID, persona.SecurityTokenRevoked, "")
	return s.inUserTx(ctx, &e, func(tx Store) error {
		name := tokenID
		tokens, err := tx.ListTokens(ctx, actor.UserID)
		if err != nil {
			return err
		}
		for _, t := range tokens {
			if t.ID == tokenID {
				name = t.Name
			}
		}
		e.Summary = "API token " + quoted(name) + " revoked"
		return tx.RevokeToken(ctx, actor.UserID, tokenID, s.timestamp())
	})
}

// ListMyOrgs lists the organisations the caller belongs to.
func (s *Service) ListMyOrgs(ctx context.Context, actor Actor) ([]persona.OrgMembership, error) {
	if actor.UserID == "" {
		return nil, persona.Errorf(persona.CodeUnauthenticated, "authentication required")
	}
	return s.store.OrgsForUser(ctx, actor.UserID)
}

// SetPassword replaces a user's password (administrative edges: the CLI's
// reset). It signs the user out of every browser and, with revokeTokens
// (the CLI's default), revokes their API tokens too, all in one
// transaction, and records the reset in their security log. It returns
// how many tokens it revoked.
func (s *Service) SetPassword(ctx context.Context, email, password string, revokeTokens bool) (int, error) {
	u, err := s.UserByEmail(ctx, email)
	if err != nil {
		return 0, err
	}
	if err := persona.ValidatePassword(password); err != nil {
		return 0, persona.Invalid("invalid password", []persona.FieldError{{Field: "password", Message: err.Error()}})
	}
	hash, err := s.hashPassword(ctx, password)
	if err != nil {
		return 0, err
	}
	summary := "Password reset by an administrator; signed out everywhere"
	if revokeTokens {
		summary += "; API tokens revoked"
	}
	return s.store.ResetAccess(ctx, AccessReset{UserID: u.ID, PasswordHash: hash, RevokeTokens: revokeTokens, At: s.timestamp(),
		Event: s.securityEvent(ctx, u.ID, persona.SecurityPasswordReset, summary)})
}

// ChangePassword replaces the caller's password after checking their
// current one (a check throttled like a sign-in: it is one). It signs them
// out of every browser, this one included, and, with revokeTokens,
// revokes their API tokens too, in one transaction, and records the change
// in their security log. It returns how many tokens it revoked. A wrong
// current password is a field error of current_password.
func (s *Service) ChangePassword(ctx context.Context, actor Actor, current, next string, revokeTokens bool) (int, error) {
	if actor.UserID == "" || actor.System {
		return 0, persona.Errorf(persona.CodeUnauthenticated, "authentication required")
	}
	if err := persona.ValidatePassword(next); err != nil {
		return 0, persona.Invalid("invalid password", []persona.FieldError{{Field: "new_password", Message: err.Error()}})
	}
	if current == next {
		return 0, persona.Invalid("invalid password", []persona.FieldError{{Field: "new_password", Message: "must differ from your current password"}})
	}
	u, err := s.store.UserByID(ctx, actor.UserID)
	if err != nil {
		return 0, err
	}
	ok, err := s.throttled(ctx, u.Email, clientInfo(ctx).Address, func() (bool, error) {
		_, ok, err := s.verifyCredentials(ctx, u.Email, current)
		return ok, err
	})
	if err != nil {
		return 0, err
	}
	if !ok {
		s.recordSecurityEvent(ctx, u.ID, persona.SecuritySignInFailed, "Password change refused: the current password was wrong")
		return 0, persona.Invalid("wrong password", []persona.FieldError{{Field: "current_password", Message: "is not your current password"}})
	}
	hash, err := s.hashPassword(ctx, next)
	if err != nil {
		return 0, err
	}
	summary := "Password changed; signed out everywhere"
	if revokeTokens {
		summary += "; API tokens revoked"
	}
	return s.store.ResetAccess(ctx, AccessReset{UserID: u.ID, PasswordHash: hash, RevokeTokens: revokeTokens, At: s.timestamp(),
		Event: s.securityEvent(ctx, u.ID, persona.SecurityPasswordChanged, summary)})
}
