package app

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/personapal/personapal/internal/persona"
)

// Hasher hashes and verifies passwords. PasswordHasher (argon2id) is the
// one Persona Pal uses; tests pass cheaper parameters or wrap it.
type Hasher interface {
	// Hash returns a self-describing hash of password.
	Hash(password string) (string, error)
	// Verify reports whether password matches hash.
	Verify(hash, password string) (bool, error)
}

// PasswordHasher hashes and verifies passwords with argon2id. Hashes are
// self-describing (PHC string format), so parameters can be raised later
// without invalidating existing hashes.
type PasswordHasher struct {
	Time    uint32
	Memory  uint32 // KiB
	Threads uint8
}

// DefaultPasswordHasher follows OWASP's argon2id recommendation
// (m=19 MiB, t=2, p=1).
func DefaultPasswordHasher() PasswordHasher {
	return PasswordHasher{Time: 2, Memory: 19 * 1024, Threads: 1}
}

// Hash returns a PHC-formatted argon2id hash of password.
func (h PasswordHasher) Hash(password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, h.Time, h.Memory, h.Threads, 32)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, h.Memory, h.Time, h.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Verify reports whether password matches the PHC-formatted hash.
func (PasswordHasher) Verify(hash, password string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errors.New("unsupported password hash")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errors.New("unsupported argon2 version")
	}
	var memory, time uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &time, &threads); err != nil {
		return false, fmt.Errorf("bad argon2 parameters: %w", err)
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, err
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(password), salt, time, memory, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// Password work is bounded: each argon2id hash or verification holds its
// memory (19 MiB with the default parameters) for its whole run, so a
// flood of sign-ins in parallel once took 2 GB. At most
// DefaultPasswordConcurrency run at once; the others wait up to
// DefaultPasswordWait for a turn and are then refused as too many, with a
// short Retry-After.
const DefaultPasswordWait = 2 * time.Second

// DefaultPasswordConcurrency is one slot per CPU, between 2 and 8.
func DefaultPasswordConcurrency() int { return min(max(runtime.GOMAXPROCS(0), 2), 8) }

// PasswordBusyRetry is the Retry-After of a refusal because every slot was
// busy.
const PasswordBusyRetry = time.Second

type verifySlots struct {
	slots chan struct{}
	wait  time.Duration
}

func newVerifySlots(n int, wait time.Duration) verifySlots {
	return verifySlots{slots: make(chan struct{}, max(n, 1)), wait: max(wait, 0)}
}

// acquire waits for a slot; release gives it back.
func (v verifySlots) acquire(ctx context.Context) (release func(), err error) {
	select {
	case v.slots <- struct{}{}:
		return func() { <-v.slots }, nil
	default:
	}
	t := time.NewTimer(v.wait)
	defer t.Stop()
	select {
	case v.slots <- struct{}{}:
		return func() { <-v.slots }, nil
	case <-t.C:
		return nil, &persona.Error{Code: persona.CodeTooMany, Message: "the server is busy checking passwords; try again in a moment",
			RetryAfter: PasswordBusyRetry}
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// hashPassword hashes in one of the bounded slots.
func (s *Service) hashPassword(ctx context.Context, password string) (string, error) {
	release, err := s.verifying.acquire(ctx)
	if err != nil {
		return "", err
	}
	defer release()
	return s.hasher.Hash(password)
}

// verifyPassword verifies in one of the bounded slots.
func (s *Service) verifyPassword(ctx context.Context, hash, password string) (bool, error) {
	release, err := s.verifying.acquire(ctx)
	if err != nil {
		return false, err
	}
	defer release()
	return s.hasher.Verify(hash, password)
}

// tokenPrefix marks Persona Pal API tokens so that they are recognisable in
// logs and secret scanners.
const tokenPrefix = "pp_"

// newTokenSecret returns a random API token and the hash stored for it. Tokens
// carry 256 bits of entropy, so a fast hash (SHA-256) is enough to store them.
func newTokenSecret() (secret, hash string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", err
	}
	secret = tokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	return secret, hashToken(secret), nil
}

func hashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}
