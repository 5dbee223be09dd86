package app

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

// Browser sign-in. Sessions and failure counts live in the store, so any
// instance can serve any request.

const (
	// SessionLifetime is how long a session lasts without use; using it in
	// its second half renews it.
	SessionLifetime = 14 * 24 * time.Hour
	// Sign-in throttling: after this many failures in loginWindow for one
	// email (or many more from one client address), sign-in is refused
	// until the window ends, even with the right password.
	loginWindow          = 15 * time.Minute
	maxFailuresPerEmail  = 5
	maxFailuresPerClient = 30
)

const sessionPrefix = "pps_"

// SignIn checks the password and starts a new session, returning its secret
// (the cookie value). Repeated failures are throttled per email and per
// client address with counts kept in the store.
func (s *Service) SignIn(ctx context.Context, email, password, client string) (string, persona.User, error) {
	now := s.timestamp()
	since := now.Add(-loginWindow)
	keys := []struct {
		key   string
		limit int
	}{
		{"email:" + strings.ToLower(strings.TrimSpace(email)), maxFailuresPerEmail},
		{"client:" + client, maxFailuresPerClient},
	}
	for _, k := range keys {
		n, err := s.store.LoginFailures(ctx, k.key, since)
		if err != nil {
			return "", persona.User{}, err
		}
		if n >= k.limit {
			return "", persona.User{}, persona.Errorf(persona.CodeTooMany,
				"too many failed sign-ins; wait %d minutes and try again", int(loginWindow/time.Minute))
		}
	}
	u, err := s.CheckPassword(ctx, email, password)
	if err != nil {
		if persona.ErrorCode(err) == persona.CodeUnauthenticated {
			for _, k := range keys {
				if _, rerr := s.store.RecordLoginFailure(ctx, k.key, now, since); rerr != nil {
					return "", persona.User{}, rerr
				}
			}
		}
		return "", persona.User{}, err
	}
	if err := s.store.ClearLoginFailures(ctx, keys[0].key); err != nil {
		return "", persona.User{}, err
	}
	secret, err := randomSecret(sessionPrefix)
	if err != nil {
		return "", persona.User{}, err
	}
	sess := persona.Session{TokenHash: hashToken(secret), UserID: u.ID, Data: []byte("{}"), ExpiresAt: now.Add(SessionLifetime)}
	if err := s.store.CreateSession(ctx, sess); err != nil {
		return "", persona.User{}, err
	}
	return secret, u, nil
}

// SessionActor returns the signed-in actor for a session secret, renewing
// the session when it is in the second half of its life. Unknown or expired
// secrets are unauthenticated.
func (s *Service) SessionActor(ctx context.Context, secret string) (Actor, error) {
	bad := persona.Errorf(persona.CodeUnauthenticated, "please sign in")
	if !strings.HasPrefix(secret, sessionPrefix) || len(secret) > 200 {
		return Actor{}, bad
	}
	now := s.timestamp()
	sess, err := s.store.SessionByHash(ctx, hashToken(secret), now)
	if err != nil {
		if persona.ErrorCode(err) == persona.CodeNotFound {
			return Actor{}, bad
		}
		return Actor{}, err
	}
	if sess.ExpiresAt.Sub(now) < SessionLifetime/2 {
		sess.ExpiresAt = now.Add(SessionLifetime)
		if err := s.store.UpdateSession(ctx, sess); err != nil {
			return Actor{}, err
		}
	}
	a, err := s.ActorFor(ctx, sess.UserID)
	if persona.ErrorCode(err) == persona.CodeNotFound {
		return Actor{}, bad
	}
	return a, err
}

// SignOut ends the session with this secret.
func (s *Service) SignOut(ctx context.Context, secret string) error {
	if secret == "" {
		return nil
	}
	return s.store.DeleteSession(ctx, hashToken(secret))
}

// DeleteExpiredSessions sweeps expired sessions (run periodically by serve).
func (s *Service) DeleteExpiredSessions(ctx context.Context) (int64, error) {
	return s.store.DeleteExpiredSessions(ctx, s.timestamp())
}

func randomSecret(prefix string) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// SignOutEverywhere ends every session of the caller, on every instance.
func (s *Service) SignOutEverywhere(ctx context.Context, actor Actor) error {
	if actor.UserID == "" {
		return persona.Errorf(persona.CodeUnauthenticated, "please sign in")
	}
	return s.auditUserOK(ctx, s.store.DeleteUserSessions(ctx, actor.UserID), actor, "sign out everywhere", "user", actor.UserID, "")
}
