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
	if u.EmailVerifiedAt == nil {
		// Told only to whoever knows the password.
		s.recordSecurityEvent(ctx, u.ID, persona.SecuritySignInFailed, "Sign-in refused: the e-mail address is not verified yet")
		return "", persona.User{}, ErrUnverified(u.Email)
	}
	secret, err := s.startSession(ctx, u)
	if err != nil {
		return "", persona.User{}, err
	}
	s.recordSecurityEvent(ctx, u.ID, persona.SecuritySignIn, "Signed in")
	return secret, u, nil
}

// ErrUnverified refuses signing in to an account whose address has not
// been verified yet.
func ErrUnverified(email string) error {
	return persona.Errorf(persona.CodeForbidden,
		"Your e-mail address %s is not verified yet: open the link we sent to it (it works for 24 hours). No link, or too late? Join again with the same address and a new one is sent.", email)
}

// startSession starts a new browser session for u and returns its secret.
func (s *Service) startSession(ctx context.Context, u persona.User) (string, error) {
	return s.startSessionWith(ctx, u, []byte("{}"))
}

// startSessionWith is startSession with the session's data (how it was
// signed in: sso.go).
func (s *Service) startSessionWith(ctx context.Context, u persona.User, data []byte) (string, error) {
	return s.startSessionIn(ctx, s.store, u, data)
}

// startSessionIn starts the session through st: a use case that signs
// someone in as part of its change (a password reset, joining by
// invitation) passes its transaction's Store, so the session exists only
// if the change commits.
func (s *Service) startSessionIn(ctx context.Context, st Store, u persona.User, data []byte) (string, error) {
	secret, err := randomSecret(sessionPrefix)
	if err != nil {
		return "", err
	}
	now := s.timestamp()
	c := clientInfo(ctx)
	id, err := randomSecret("")
	if err != nil {
		return "", err
	}
	sess := persona.Session{TokenHash: hashToken(secret), UserID: u.ID, Data: data, ExpiresAt: now.Add(SessionLifetime),
		ID: id[:22], CreatedAt: &now, LastSeenAt: &now,
		Client:    clip(printable(c.Address), persona.MaxSecurityClient),
		UserAgent: clip(printable(c.UserAgent), persona.MaxSecurityUserAgent)}
	if err := st.CreateSession(ctx, sess); err != nil {
		return "", err
	}
	return secret, nil
}

// throttled runs check, a verification of the password of email's
// account, as one throttled sign-in attempt from client: in one of the
// bounded verification slots, after counting the attempt (refused as too
// many, without running check, when a limit says so); a check that
// succeeds clears the account's counts. ok is check's answer.
func (s *Service) throttled(ctx context.Context, email, client string, check func() (bool, error)) (ok bool, err error) {
	return s.throttledKeys(ctx, signInKeysFor(email, client), check)
}

// throttledKeys is throttled with the counters keys (throttleKeys): the
// sign-in ones, or another kind of attempt's (setup codes, sign-ups).
func (s *Service) throttledKeys(ctx context.Context, keys signInKeys, check func() (bool, error)) (ok bool, err error) {
	release, err := s.verifying.acquire(ctx)
	if err != nil {
		return false, err
	}
	defer release()

	if err := s.admit(ctx, keys); err != nil {
		return false, err
	}
	if ok, err = check(); err != nil || !ok {
		return false, err
	}
	now := s.timestamp()
	err = s.store.UpdateLoginCounters(ctx, now, keys.list(), func(cs []persona.LoginCounter) ([]persona.LoginCounter, error) {
		return counterList(s.signInPolicy.Succeeded(signInCounters(cs))), nil
	})
	return err == nil, err
}

// admit counts one attempt on keys, or refuses it as too many (with its
// wait) when a limit says so.
func (s *Service) admit(ctx context.Context, keys signInKeys) error {
	now := s.timestamp()
	var refusal *persona.SignInRefusal
	err := s.store.UpdateLoginCounters(ctx, now, keys.list(), func(cs []persona.LoginCounter) ([]persona.LoginCounter, error) {
		next, r := s.signInPolicy.Admit(now, signInCounters(cs))
		refusal = r
		return counterList(next), nil
	})
	if err != nil {
		return err
	}
	if refusal != nil {
		return tooManySignIns(refusal)
	}
	return nil
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
	return throttleKeys("", email, client)
}

// throttleKeys are the counters of an attempt of some kind ("" for a
// sign-in; "setup", "signup") on subject (an email) from client: each kind
// has counters of its own, so a burst of one kind does not slow another.
func throttleKeys(kind, subject, client string) signInKeys {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(subject))))
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
	p := ""
	if kind != "" {
		p = kind + "-"
	}
	return signInKeys{address: p + "addr:" + client, accountAddress: p + "acct-addr:" + account + "|" + client,
		account: p + "acct:" + account, fresh: p + "acct-fresh:" + account}
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
	renew := sess.ExpiresAt.Sub(now) < SessionLifetime/2
	touch := sess.LastSeenAt == nil || now.Sub(*sess.LastSeenAt) >= SessionTouchInterval
	if renew || touch {
		// At most one write a minute however busy the browser: the last
		// use, the client it came from, and the renewal when it is due.
		if renew {
			sess.ExpiresAt = now.Add(SessionLifetime)
		}
		sess.LastSeenAt = &now
		if c := clientInfo(ctx); c.Address != "" || c.UserAgent != "" {
			sess.Client = clip(printable(c.Address), persona.MaxSecurityClient)
			sess.UserAgent = clip(printable(c.UserAgent), persona.MaxSecurityUserAgent)
		}
		if err := s.store.UpdateSession(ctx, sess); err != nil {
			if persona.ErrorCode(err) == persona.CodeNotFound {
				return Actor{}, bad // signed out meanwhile
			}
			if renew {
				return Actor{}, err
			}
			if ctx.Err() == nil {
				s.log.WarnContext(ctx, "recording a session's use failed", "err", err)
			}
		}
	}
	a, err := s.ActorFor(ctx, sess.UserID)
	if persona.ErrorCode(err) == persona.CodeNotFound {
		return Actor{}, bad
	}
	a.SSO = s.sessionSSO(sess.Data)
	a.SessionID = sess.ID
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

// SessionInfo is one of the caller's browser sessions as the account page
// lists it.
type SessionInfo struct {
	ID         string
	Browser    string // a short form of its User-Agent ("Firefox on Linux")
	Client     string // the address it was last used from
	CreatedAt  *time.Time
	LastSeenAt *time.Time // written at most once a minute
	ExpiresAt  time.Time
	Current    bool // the session of this request
}

// ListSessions lists the caller's active browser sessions, the most
// recently used first, marking the one the request came with.
func (s *Service) ListSessions(ctx context.Context, actor Actor) ([]SessionInfo, error) {
	if actor.UserID == "" || actor.System {
		return nil, persona.Errorf(persona.CodeUnauthenticated, "please sign in")
	}
	list, err := s.store.ListSessions(ctx, actor.UserID, s.timestamp())
	if err != nil {
		return nil, err
	}
	out := make([]SessionInfo, 0, len(list))
	for _, sess := range list {
		out = append(out, SessionInfo{ID: sess.ID, Browser: persona.BrowserName(sess.UserAgent), Client: sess.Client,
			CreatedAt: sess.CreatedAt, LastSeenAt: sess.LastSeenAt, ExpiresAt: sess.ExpiresAt,
			Current: sess.ID != "" && sess.ID == actor.SessionID})
	}
	return out, nil
}

// RevokeSession ends one of the caller's sessions, on every instance at
// once, and records it in their security log. Someone else's session, or
// one that has ended, is not found.
func (s *Service) RevokeSession(ctx context.Context, actor Actor, id string) error {
	if actor.UserID == "" || actor.System {
		return persona.Errorf(persona.CodeUnauthenticated, "please sign in")
	}
	if id == "" || len(id) > 64 {
		return persona.ErrNotFound("session")
	}
	e := s.securityEvent(ctx, actor.UserID, persona.SecuritySessionRevoked, "")
	return s.inUserTx(ctx, &e, func(tx Store) error {
		list, err := tx.ListSessions(ctx, actor.UserID, s.timestamp())
		if err != nil {
			return err
		}
		what := "a browser session"
		for _, sess := range list {
			if sess.ID == id {
				what = "the session of " + persona.BrowserName(sess.UserAgent)
				if sess.Client != "" {
					what += " at " + sess.Client
				}
			}
		}
		e.Summary = "Signed out " + what
		return tx.DeleteUserSession(ctx, actor.UserID, id)
	})
}

// SignOutOtherSessions ends every session of the caller but the one of
// this request (all of them when the request has none, as with an API
// token), records it, and returns how many it ended.
func (s *Service) SignOutOtherSessions(ctx context.Context, actor Actor) (int, error) {
	if actor.UserID == "" || actor.System {
		return 0, persona.Errorf(persona.CodeUnauthenticated, "please sign in")
	}
	var n int
	e := s.securityEvent(ctx, actor.UserID, persona.SecuritySessionRevoked, "")
	err := s.inUserTx(ctx, &e, func(tx Store) error {
		var err error
		n, err = tx.DeleteOtherSessions(ctx, actor.UserID, actor.SessionID)
		e.Summary = "Signed out every other session (" + strconv.Itoa(n) + ")"
		return err
	})
	return n, err
}
