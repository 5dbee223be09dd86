package app

import (
	"context"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

// selfServiceStore is the part of Store behind first-run setup, sign-up,
// the sessions on the account page and name and address changes (setup.go,
// signup.go, sessions.go, accounts.go, emailchange.go).
type selfServiceStore interface {
	// HasUsers reports whether any account exists.
	HasUsers(ctx context.Context) (bool, error)
	// AddSetupCode stores a new setup code's digest, removing the codes
	// made before staleBefore.
	AddSetupCode(ctx context.Context, hash string, at, staleBefore time.Time) error
	// SetupCodeHashes lists the digests of the codes that work.
	SetupCodeHashes(ctx context.Context) ([]string, error)
	// ClaimSetupCodes deletes every setup code and returns their digests;
	// in a transaction, a concurrent claim waits and then finds none.
	ClaimSetupCodes(ctx context.Context) ([]string, error)

	// MarkEmailVerified records the verification (the first one stays).
	MarkEmailVerified(ctx context.Context, userID string, at time.Time) error
	// ReplaceUnverifiedUser sets the name and password of an account whose
	// address is not verified; not found when it is.
	ReplaceUnverifiedUser(ctx context.Context, userID, name, passwordHash string) error
	// SetUserName changes a user's display name.
	SetUserName(ctx context.Context, userID, name string) error
	// SetUserEmail changes a user's address (confirmed by a link sent to
	// it: it counts as verified); conflict when another account has it.
	SetUserEmail(ctx context.Context, userID, email string, at time.Time) error

	// ListSessions lists the user's sessions unexpired at now, the most
	// recently used first.
	ListSessions(ctx context.Context, userID string, now time.Time) ([]persona.Session, error)
	// DeleteUserSession ends one of the user's sessions by its ID.
	DeleteUserSession(ctx context.Context, userID, id string) error
	// DeleteOtherSessions ends every session of the user but keep (an ID)
	// and returns how many.
	DeleteOtherSessions(ctx context.Context, userID, keep string) (int, error)
}

// How often the last use of a token or session is written, at most: a
// request inside the interval reads it and writes nothing.
const (
	TokenTouchInterval   = time.Minute
	SessionTouchInterval = time.Minute
)
