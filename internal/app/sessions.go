package app

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

// Browser sign-in. Sessions and failure counts live in the store, so any
// instance can serve any request.

// SessionLifetime is how long a session lasts without use; using it in
// its second half renews it.
const SessionLifetime = 14 * 24 * time.Hour

const sessionPrefix = "pps_"

// SignIn checks the password and starts a new session, returning its secret
// (the cookie value). Each attempt is throttled (persona.SignInPolicy)
// before its password is verified: it waits for one of the bounded
// verification slots, then is counted, atomically in the store, against
// its account, its client address and the pair, or refused as too many
// with the wait in the error's RetryAfter; only then is the password
// verified. So parallel guesses cannot outrun the count, and at most the
// slots' number of verifications run at once.
func (s *Service) SignIn(ctx context.Context, email, password, client string) (string, persona.User, error) {
	if client != "" {
		ctx = WithClientInfo(ctx, ClientInfo{Address: client, UserAgent: clientInfo(ctx).UserAgent})
	}
	var u persona.User
	ok, err := s.throttled(ctx, email, client, func() (bool, error) {
		var (
			ok  bool
			err error
		)
		u, ok, err = s.verifyCredentials(ctx, email, password)
		return ok, err
	})
	if err != nil {
		return "", persona.User{}, err
	}
	if !ok {
		// Only an existing account has a log to record it in.
		s.recordSecurityEvent(ctx, u.ID, persona.SecuritySignInFailed, "Failed sign-in: wrong password")
		return "", persona.User{}, errWrongPassword()
	}
	secret, err := randomSecret(sessionPrefix)
	if err != nil {
		return "", persona.User{}, err
	}
	sess := persona.Session{TokenHash: hashToken(secret), UserID: u.ID, Data: []byte("{}"), ExpiresAt: s.timestamp().Add(SessionLifetime)}
	if err := s.store.CreateSession(ctx, sess); err != nil {
		return "", persona.User{}, err
	}
	s.recordSecurityEvent(ctx, u.ID, persona.SecuritySignIn, "Signed in")
	return secret, u, nil
}

// throttled runs check, a verification of the password of email's
// account, as one throttled sign-in attempt from client: in one of the
// bounded verification slots, after counting the attempt (refused as too
// many, without running check, when a limit says so); a check that
// succeeds clears the account's counts. ok is check's answer.
func (s *Service) throttled(ctx context.Context, email, client string, check func() (bool, error)) (ok bool, err error) {
	release, err := s.verifying.acquire(ctx)
	if err != nil {
		return false, err
	}
	defer release()

	keys := signInKeysFor(email, client)
	now := s.timestamp()
	var refusal *persona.SignInRefusal
	err = s.store.UpdateLoginCounters(ctx, now, keys.list(), func(cs []persona.LoginCounter) ([]persona.LoginCounter, error) {
		next, r := s.signInPolicy.Admit(now, signInCounters(cs))
		refusal = r
		return counterList(next), nil
	})
	if err != nil {
		return false, err
	}
	if refusal != nil {
		return false, tooManySignIns(refusal)
	}
	if ok, err = check(); err != nil || !ok {
		return false, err
	}
	err = s.store.UpdateLoginCounters(ctx, now, keys.list(), func(cs []persona.LoginCounter) ([]persona.LoginCounter, error) {
		return counterList(s.signInPolicy.Succeeded(signInCounters(cs))), nil
	})
	return err == nil, err
}

func tooManySignIns(r *persona.SignInRefusal) error {
	msg := "too many failed sign-ins from here; wait " + waitText(r.Wait) + " and try again"
	if r.Account {
		msg = "too many failed sign-ins for this account; wait " + waitText(r.Wait) + " and try again"
	}
	return &persona.Error{Code: persona.CodeTooMany, Message: msg, RetryAfter: r.Wait}
}

// waitText says how long d is in words: "1 second", "40 seconds",
// "3 minutes" (rounded up).
func waitText(d time.Duration) string {
	secs := int((d + time.Second - 1) / time.Second)
	switch {
	case secs <= 1:
		return "1 second"
	case secs < 90:
		return strconv.Itoa(secs) + " seconds"
	}
	return strconv.Itoa((secs+59)/60) + " minutes"
}

// signInKeys are the throttling counters of one attempt.
type signInKeys struct{ address, accountAddress, account, fresh string }

// signInKeysFor derives the counters' keys. The account is a digest of the
// normalised email (whether or not it has an account: unknown emails are
// throttled alike, and no email is stored); an IPv6 client counts per /64,
// which one subscriber usually holds whole.
func signInKeysFor(email, client string) signInKeys {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(email))))
	account := hex.EncodeToString(sum[:16])
	if a, err := netip.ParseAddr(client); err == nil {
		a = a.Unmap().WithZone("")
		if a.Is6() {
			a = netip.PrefixFrom(a, 64).Masked().Addr()
		}
		client = a.String()
	}
	if len(client) > 100 {
		sum := sha256.Sum256([]byte(client))
		client = hex.EncodeToString(sum[:16])
	}
	return signInKeys{address: "addr:" + client, accountAddress: "acct-addr:" + account + "|" + client,
		account: "acct:" + account, fresh: "acct-fresh:" + account}
}

func (k signInKeys) list() []string { return []string{k.address, k.accountAddress, k.account, k.fresh} }

func signInCounters(cs []persona.LoginCounter) persona.SignInCounters {
	return persona.SignInCounters{Address: cs[0], AccountAddress: cs[1], Account: cs[2], Fresh: cs[3]}
}

func counterList(c persona.SignInCounters) []persona.LoginCounter {
	return []persona.LoginCounter{c.Address, c.AccountAddress, c.Account, c.Fresh}
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
	a.SSO = s.sessionSSO(sess.Data)
	return a, err
}

// SignOut ends the session with this secret.
func (s *Service) SignOut(ctx context.Context, secret string) error {
	if secret == "" {
		return nil
	}
	return s.store.DeleteSession(ctx, hashToken(secret))
}

// DeleteExpiredSessions sweeps expired sessions, and sign-in throttling
// counters that no longer count (run periodically by serve).
func (s *Service) DeleteExpiredSessions(ctx context.Context) (int64, error) {
	now := s.timestamp()
	window := max(s.signInPolicy.Window, s.signInPolicy.AccountWindow)
	if _, err := s.store.DeleteStaleLoginCounters(ctx, now.Add(-window), now); err != nil {
		return 0, err
	}
	if _, err := s.store.DeleteExpiredSSOFlows(ctx, now); err != nil {
		return 0, err
	}
	return s.store.DeleteExpiredSessions(ctx, now)
}

func randomSecret(prefix string) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// SignOutEverywhere ends every session of the caller, on every instance,
// and, with revokeTokens, revokes their API tokens too (in one
// transaction), and records it in their security log. It returns how many
// tokens it revoked.
func (s *Service) SignOutEverywhere(ctx context.Context, actor Actor, revokeTokens bool) (int, error) {
	if actor.UserID == "" || actor.System {
		return 0, persona.Errorf(persona.CodeUnauthenticated, "please sign in")
	}
	summary := "Signed out everywhere"
	if revokeTokens {
		summary += "; API tokens revoked"
	}
	return s.store.ResetAccess(ctx, AccessReset{UserID: actor.UserID, RevokeTokens: revokeTokens, At: s.timestamp(),
		Event: s.securityEvent(ctx, actor.UserID, persona.SecuritySignOutEverywhere, summary)})
}
