// Package app holds Persona Pal's use cases. It is the only thing the edges
// (JSON API, web pages, CLI) call: it authenticates callers, scopes every
// operation to an organisation the caller belongs to, enforces roles and
// validates input with the domain core before anything reaches the store.
package app

import (
	"context"
	"log/slog"
	"net/url"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/personapal/personapal/internal/persona"
)

// Service implements the use cases on top of a Store.
type Service struct {
	store  Store
	now    func() time.Time
	log    *slog.Logger
	hasher Hasher
	// dummy is a hash of a password nobody has, made once (dummyHash):
	// checking a password for an unknown email verifies against it.
	dummy *dummyHash
	// verifying bounds the password hashes and verifications running at
	// once (each argon2id call holds its memory, 19 MiB by default).
	verifying verifySlots
	// signInPolicy throttles sign-in attempts (WithSignInPolicy).
	signInPolicy persona.SignInPolicy
	// maxUpload bounds evidence files (WithMaxUpload); 0 is the default.
	maxUpload int64
	// versions caches published template versions (immutable).
	versions *versionCache
	// sso is single sign-on's configuration and the sign-up policy (sso.go).
	sso ssoConfig
	// signup is who may create an account (WithSignupPolicy).
	signup persona.SignupPolicy
	// baseURL makes the links in e-mail absolute (WithBaseURL, mail.go).
	baseURL *url.URL
	// usage records persona views off the request path (usage.go).
	usage *usageRecorder
	// webhooksAllowPrivate admits plain-http endpoints (webhooks.go).
	webhooksAllowPrivate bool
}

// dummyHash is the hash checked for an unknown email, made on first use.
type dummyHash struct {
	sync.Mutex
	hash string
}

// Option configures a Service.
type Option func(*Service)

// WithClock replaces the clock (tests).
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// WithLogger sets the logger for internal errors.
func WithLogger(l *slog.Logger) Option { return func(s *Service) { s.log = l } }

// WithPasswordHasher replaces the password hasher (tests use cheaper
// parameters, or wrap it to count its calls).
func WithPasswordHasher(h Hasher) Option { return func(s *Service) { s.hasher = h } }

// WithPasswordConcurrency sets how many password hashes or verifications
// may run at once (at least 1) and how long one waits for its turn before
// it is refused as too many (a 429); the defaults are DefaultPasswordConcurrency
// and DefaultPasswordWait.
func WithPasswordConcurrency(n int, wait time.Duration) Option {
	return func(s *Service) { s.verifying = newVerifySlots(n, wait) }
}

// WithSignInPolicy replaces the sign-in throttling limits.
func WithSignInPolicy(p persona.SignInPolicy) Option { return func(s *Service) { s.signInPolicy = p } }

// New returns a Service over store.
func New(store Store, opts ...Option) *Service {
	s := &Service{
		store:    store,
		now:      time.Now,
		log:      slog.Default(),
		hasher:   DefaultPasswordHasher(),
		versions: &versionCache{},
		dummy:    &dummyHash{},
		usage:    newUsageRecorder(),

		signInPolicy: persona.DefaultSignInPolicy,
		signup:       persona.SignupPolicy{Mode: persona.SignupInvite},
	}
	s.verifying = newVerifySlots(DefaultPasswordConcurrency(), DefaultPasswordWait)
	for _, o := range opts {
		o(s)
	}
	return s
}

// inOneTx runs fn with a Service whose every use case joins one store
// transaction, for a use case made of several others that must happen
// together or not at all (applying a directory of persona files). Each
// inner use case still writes its own audit entry, in that transaction.
// The template-version cache is fn's own: a version read inside the
// transaction is not known to others before it commits.
func (s *Service) inOneTx(ctx context.Context, fn func(s *Service) error) error {
	return s.store.InTx(ctx, func(tx Store) error {
		bound := *s
		bound.store, bound.versions = tx, &versionCache{}
		return fn(&bound)
	})
}

// Store exposes the underlying store for administrative edges (migrations,
// health checks).
func (s *Service) Store() Store { return s.store }

// Actor is an authenticated caller.
type Actor struct {
	UserID  string
	Email   string
	Name    string
	TokenID string // set when authenticated by API token
	// SSO: the browser session signed in with the configured single
	// sign-on (for a token it is looked up when needed: sso.go).
	SSO bool
	// ReadOnly is set for a read-only API token: the API refuses its
	// writes (403) before reading them.
	ReadOnly bool
	// SessionID names the browser session it came with ("" otherwise).
	SessionID string
	// System marks trusted local administration (the CLI working on the
	// database directly): it acts as an owner of every organisation.
	System bool
}

// System is the actor of trusted local administration (the CLI acting on the
// database file directly). Edges reachable over the network never use it.
var System = Actor{Name: "system", System: true}

func (s *Service) timestamp() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// scope resolves an organisation by slug for actor and checks that the
// actor's role is at least min. Non-members get not-found: from outside,
// "not yours" and "does not exist" look the same.
func (s *Service) scope(ctx context.Context, actor Actor, slug string, min persona.Role) (persona.Org, persona.Role, error) {
	if actor.System {
		org, err := s.store.OrgBySlug(ctx, slug)
		return org, persona.RoleOwner, err
	}
	if actor.UserID == "" {
		return persona.Org{}, "", persona.Errorf(persona.CodeUnauthenticated, "authentication required")
	}
	memo, _ := ctx.Value(scopeMemoKey{}).(*scopeMemo)
	var (
		org  persona.Org
		role persona.Role
		err  error
	)
	if memo != nil && memo.valid && memo.userID == actor.UserID && memo.slug == slug {
		if memo.missing {
			return persona.Org{}, "", persona.ErrNotFound("organisation")
		}
		org, role = memo.org, memo.role
	} else {
		org, role, err = s.store.OrgForMember(ctx, slug, actor.UserID)
		if err != nil {
			return persona.Org{}, "", err
		}
		if memo != nil {
			*memo = scopeMemo{valid: true, userID: actor.UserID, slug: slug, org: org, role: role}
		}
	}
	// A member of an organisation that requires single sign-on must have
	// signed in with it (memo, when set, is this user's and slug's now).
	if err := s.checkSSO(ctx, actor, org, memo); err != nil {
		return persona.Org{}, "", err
	}
	if !role.AtLeast(min) {
		return persona.Org{}, "", persona.Errorf(persona.CodeForbidden, "this needs the %s role or higher; you are %s", min, role)
	}
	return org, role, nil
}

// A request checks the caller's membership several times (the edge's gate,
// then each use case it calls); the memo lets those checks share one query.
// It lives for one request only, so a membership change is seen by the
// next request on any instance, and the writes that change membership or
// the organisation forget it at once.
type scopeMemoKey struct{}

type scopeMemo struct {
	valid        bool
	userID, slug string
	org          persona.Org
	role         persona.Role
	missing      bool // not a member (or no such organisation)
	ssoOK        bool // the single sign-on rule let this request through
}

// WithRequestMemo returns a context whose membership checks are memoised
// for the rest of one request. The HTTP edges call it per request.
func WithRequestMemo(ctx context.Context) context.Context {
	return context.WithValue(ctx, scopeMemoKey{}, &scopeMemo{})
}

// forgetScope drops the memoised membership after a write that changes it.
func forgetScope(ctx context.Context) {
	if memo, ok := ctx.Value(scopeMemoKey{}).(*scopeMemo); ok {
		*memo = scopeMemo{}
	}
}
