package app

import (
	"context"
	"strings"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

// CreateUser registers a user with a password. It is an administrative act
// (CLI, demo set-up, or an admin adding a new colleague).
//
// Its address counts as verified: an operator, the demo set-up or a
// signed-in flow (an accepted invitation, single sign-on) made it. Only
// the sign-up page makes accounts that wait for their address to be
// verified (SignUp).
func (s *Service) CreateUser(ctx context.Context, email, name, password string) (persona.User, error) {
	email, name, fields := userFields(email, name, password)
	if err := persona.Invalid("invalid user", fields); err != nil {
		return persona.User{}, err
	}
	hash, err := s.hashPassword(ctx, password)
	if err != nil {
		return persona.User{}, err
	}
	now := s.timestamp()
	u := persona.User{ID: newID(), Email: email, Name: name, PasswordHash: hash, CreatedAt: now, EmailVerifiedAt: &now}
	if err := s.store.CreateUser(ctx, u); err != nil {
		if persona.ErrorCode(err) == persona.CodeConflict {
			return persona.User{}, persona.Errorf(persona.CodeConflict, "a user with email %s already exists", email)
		}
		return persona.User{}, err
	}
	return u, nil
}

// userFields checks a new account's email, name and password, returning
// the normalised email and name and a field error for each problem.
func userFields(email, name, password string) (string, string, []persona.FieldError) {
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
	return email, name, fields
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

// Authenticate resolves an API bearer token to its actor. An expired
// token is unauthenticated; a read-only one gives a ReadOnly actor. The
// token's last use is recorded at most once a minute (TokenTouchInterval).
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
	if err := s.usable(ctx, tok.ID, tok.ExpiresAt, tok.LastUsedAt); err != nil {
		return Actor{}, err
	}
	return Actor{UserID: u.ID, Email: u.Email, Name: u.Name, TokenID: tok.ID, ReadOnly: tok.Scope == persona.ScopeRead}, nil
}

// usable refuses an expired token and records the use of a good one,
// unless its last use recorded is less than TokenTouchInterval ago (so a
// busy token costs one write a minute, not one a request). A failure to
// record is logged: the request goes on.
func (s *Service) usable(ctx context.Context, tokenID string, expires, lastUsed *time.Time) error {
	now := s.timestamp()
	if expires != nil && !now.Before(*expires) {
		return persona.Errorf(persona.CodeUnauthenticated, "this API token expired on %s; create a new one", expires.UTC().Format("2 Jan 2006, 15:04 UTC"))
	}
	if lastUsed != nil && now.Sub(*lastUsed) < TokenTouchInterval {
		return nil
	}
	if _, err := s.store.TouchToken(ctx, tokenID, now, now.Add(-TokenTouchInterval)); err != nil && ctx.Err() == nil {
		s.log.WarnContext(ctx, "recording an API token's use failed", "err", err)
	}
	return nil
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
	if err := s.usable(ctx, a.TokenID, a.ExpiresAt, a.LastUsedAt); err != nil {
		return Actor{}, err
	}
	if memo, ok := ctx.Value(scopeMemoKey{}).(*scopeMemo); ok {
		*memo = scopeMemo{valid: true, userID: a.User.ID, slug: slug, org: a.Org, role: a.Role, missing: a.Role == ""}
	}
	return Actor{UserID: a.User.ID, Email: a.User.Email, Name: a.User.Name, TokenID: a.TokenID, ReadOnly: a.Scope == persona.ScopeRead}, nil
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

// CreateToken creates a read-write API token without expiry for the
// caller (CreateScopedToken chooses). The secret is returned once and
// never stored.
func (s *Service) CreateToken(ctx context.Context, actor Actor, name string) (string, persona.Token, error) {
	return s.CreateScopedToken(ctx, actor, TokenOptions{Name: name})
}

// TokenOptions describe a new API token.
type TokenOptions struct {
	Name string // "" is "API token"
	// Scope is read or write ("" is write).
	Scope persona.TokenScope
	// ExpiresIn ends the token that long after its creation (at most
	// persona.MaxTokenLifetime); 0: never.
	ExpiresIn time.Duration
}

// CreateScopedToken creates an API token for the caller with a scope and
// an optional expiry. The secret is returned once and never stored. A
// read-only token cannot make another token: only a session or a
// read-write token reach here (the API refuses a read-only token's writes).
func (s *Service) CreateScopedToken(ctx context.Context, actor Actor, o TokenOptions) (string, persona.Token, error) {
	if actor.UserID == "" {
		return "", persona.Token{}, persona.Errorf(persona.CodeUnauthenticated, "authentication required")
	}
	if actor.ReadOnly {
		return "", persona.Token{}, persona.Errorf(persona.CodeForbidden, "a read-only token cannot create tokens")
	}
	name := strings.TrimSpace(o.Name)
	if name == "" {
		name = "API token"
	}
	var fields []persona.FieldError
	if msg := persona.LineProblem(name, 100); msg != "" {
		fields = append(fields, persona.FieldError{Field: "name", Message: msg})
	}
	if o.Scope == "" {
		o.Scope = persona.ScopeWrite
	}
	if !o.Scope.Valid() {
		fields = append(fields, persona.FieldError{Field: "scope", Message: "must be read or write"})
	}
	switch {
	case o.ExpiresIn < 0:
		fields = append(fields, persona.FieldError{Field: "expires", Message: "must be in the future"})
	case o.ExpiresIn > persona.MaxTokenLifetime:
		fields = append(fields, persona.FieldError{Field: "expires", Message: "must be at most 10 years away"})
	}
	if err := persona.Invalid("invalid token", fields); err != nil {
		return "", persona.Token{}, err
	}
	secret, hash, err := newTokenSecret()
	if err != nil {
		return "", persona.Token{}, err
	}
	now := s.timestamp()
	t := persona.Token{ID: newID(), UserID: actor.UserID, Name: name, Hash: hash, Prefix: secret[:len(tokenPrefix)+4], CreatedAt: now, Scope: o.Scope}
	var details []string
	if t.Scope == persona.ScopeRead {
		details = append(details, t.Scope.Label())
	}
	if o.ExpiresIn > 0 {
		exp := now.Add(o.ExpiresIn)
		t.ExpiresAt = &exp
		details = append(details, "until "+exp.Format("2 Jan 2006"))
	}
	summary := "API token " + quoted(t.Name) + " created"
	if len(details) > 0 {
		summary = "API token " + quoted(t.Name) + " (" + strings.Join(details, ", ") + ") created"
	}
	e := s.securityEvent(ctx, actor.UserID, persona.SecurityTokenCreated, summary)
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

// ChangeName changes the caller's display name (what members and the
// audit log show) and records it in their security log.
func (s *Service) ChangeName(ctx context.Context, actor Actor, name string) (persona.User, error) {
	if actor.UserID == "" || actor.System {
		return persona.User{}, persona.Errorf(persona.CodeUnauthenticated, "authentication required")
	}
	name = strings.TrimSpace(name)
	var fields []persona.FieldError
	if name == "" {
		fields = append(fields, persona.FieldError{Field: "name", Message: "is required"})
	} else if msg := persona.LineProblem(name, 200); msg != "" {
		fields = append(fields, persona.FieldError{Field: "name", Message: msg})
	}
	if err := persona.Invalid("invalid name", fields); err != nil {
		return persona.User{}, err
	}
	var u persona.User
	e := s.securityEvent(ctx, actor.UserID, persona.SecurityNameChanged, "")
	err := s.inUserTx(ctx, &e, func(tx Store) error {
		var err error
		if u, err = tx.UserByID(ctx, actor.UserID); err != nil {
			return err
		}
		e.Summary = "Name changed from " + quoted(u.Name) + " to " + quoted(name)
		u.Name = name
		return tx.SetUserName(ctx, actor.UserID, name)
	})
	return u, err
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
