package persona

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"time"
)

// A one-time link is what an e-mail carries to prove that its reader holds
// the mailbox: verifying an address, accepting an invitation, resetting a
// password, confirming an e-mail change. The link holds a secret of 256
// random bits (base64url, 43 characters); the database keeps only the
// secret's SHA-256, with the link's purpose, whom it is for, its expiry
// and when it was used. A link is consumed once, atomically (one instance
// wins however many try at once); an unknown, tampered, expired, used or
// revoked link, or one made for another purpose, are all the same
// not-found error and change nothing.

// LinkPurpose says what a one-time link is for; a link only ever works for
// the purpose it was made for.
type LinkPurpose string

// The purposes of one-time links.
const (
	LinkVerifyEmail   LinkPurpose = "verify_email"
	LinkInvitation    LinkPurpose = "invitation"
	LinkPasswordReset LinkPurpose = "password_reset"
	LinkEmailChange   LinkPurpose = "email_change"
)

// LinkPurposes lists every purpose (the database's CHECK constraint holds
// the same list).
var LinkPurposes = []LinkPurpose{LinkVerifyEmail, LinkInvitation, LinkPasswordReset, LinkEmailChange}

// Lifetime is how long a link of this purpose is valid by default:
// verification 24 hours, invitation 7 days, password reset 1 hour, e-mail
// change 24 hours.
func (p LinkPurpose) Lifetime() time.Duration {
	switch p {
	case LinkInvitation:
		return InvitationLifetime
	case LinkPasswordReset:
		return time.Hour
	default:
		return 24 * time.Hour
	}
}

// Valid reports whether p is a known purpose.
func (p LinkPurpose) Valid() bool {
	for _, q := range LinkPurposes {
		if p == q {
			return true
		}
	}
	return false
}

// Link is a one-time link as stored: everything but its secret.
type Link struct {
	// Hash is the hex SHA-256 of the secret (HashLinkSecret).
	Hash    string
	Purpose LinkPurpose
	// UserID, Email, OrgID and RefID say whom and what the link is for,
	// as its purpose needs: a user (verification, reset), an address (the
	// new one of an e-mail change, an invitee's), an organisation and the
	// invitation's ID (RefID) for an invitation. Empty when not needed.
	UserID    string
	Email     string
	OrgID     string
	RefID     string
	CreatedAt time.Time
	ExpiresAt time.Time
	// UsedAt is set once the link was consumed or revoked.
	UsedAt *time.Time
}

// LinkSecretBytes is the secret's size: 256 bits.
const LinkSecretBytes = 32

// NewLinkSecret returns a fresh secret for a one-time link (base64url
// without padding) and its hash, the only form the database keeps.
func NewLinkSecret() (secret, hash string) {
	var b [LinkSecretBytes]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("crypto/rand: " + err.Error()) // never fails on supported platforms
	}
	secret = base64.RawURLEncoding.EncodeToString(b[:])
	return secret, HashLinkSecret(secret)
}

// HashLinkSecret returns the hex SHA-256 of a link's secret, or "" when
// secret is not shaped like one (43 base64url characters decoding to 32
// bytes): a tampered link is refused before it reaches the database.
func HashLinkSecret(secret string) string {
	if len(secret) != base64.RawURLEncoding.EncodedLen(LinkSecretBytes) {
		return ""
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(secret)
	if err != nil || len(b) != LinkSecretBytes {
		return ""
	}
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// ErrLinkNotFound is the one answer to every link that does not work
// (unknown, tampered, expired, used, revoked or for another purpose).
func ErrLinkNotFound() *Error {
	return &Error{Code: CodeNotFound, Message: "this link is not valid: it may have expired or been used already"}
}
