package app

import (
	"context"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

// selfServiceStore is the part of Store behind first-run setup, sign-up,
// the sessions on the account page and name changes (setup.go, signup.go,
// sessions.go, accounts.go).
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

	// ReplaceVerification makes v the user's one sign-up verification
	// link (an earlier one stops working).
	ReplaceVerification(ctx context.Context, v Verification) error
	// ConsumeVerification deletes the link with this digest if it is
	// unexpired at now and returns its user; not found otherwise.
	ConsumeVerification(ctx context.Context, hash string, now time.Time) (string, error)
	// MarkEmailVerified records the verification (the first one stays).
	MarkEmailVerified(ctx context.Context, userID string, at time.Time) error
	// ReplaceUnverifiedUser sets the name and password of an account whose
	// address is not verified; not found when it is.
	ReplaceUnverifiedUser(ctx context.Context, userID, name, passwordHash string) error
	// SetUserName changes a user's display name.
	SetUserName(ctx context.Context, userID, name string) error

	// ListSessions lists the user's sessions unexpired at now, the most
	// recently used first.
	ListSessions(ctx context.Context, userID string, now time.Time) ([]persona.Session, error)
	// DeleteUserSession ends one of the user's sessions by its ID.
	DeleteUserSession(ctx context.Context, userID, id string) error
	// DeleteOtherSessions ends every session of the user but keep (an ID)
	// and returns how many.
	DeleteOtherSessions(ctx context.Context, userID, keep string) (int, error)
}

// Verification is a sign-up's verification link as stored: the digest of
// its secret, whose account it verifies, and until when.
type Verification struct {
	TokenHash string
	UserID    string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// How often the last use of a token or session is written, at most: a
// request inside the interval reads it and writes nothing.
const (
	TokenTouchInterval   = time.Minute
	SessionTouchInterval = time.Minute
)
