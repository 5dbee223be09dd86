package app

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"slices"
	"strings"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

// First-run setup. A database without any account (a server started
// without --demo) is claimed from the browser: the setup page creates the
// first owner and organisation. So that a server exposed by mistake cannot
// be claimed by a stranger, the page asks for a one-time setup code that
// serve prints on its console (IssueSetupCode): 140 random bits in
// Crockford base32, only its SHA-256 kept in the database, so any instance
// over the same database accepts it. Each start while no account exists
// adds a code (codes older than a day are dropped then); every code works
// until the setup is done, which deletes them all. Wrong codes are
// throttled per client address with the sign-in counters. The setup is
// one transaction — claim the codes, check that no account exists, create
// the owner, the organisation (with its audit entry) and the membership —
// so of two visitors racing, exactly one wins and the other is told that
// the setup was done.

// setupCodeStale is how old a code may be when a later start drops it.
const setupCodeStale = 24 * time.Hour

// NeedsSetup reports whether no account exists yet: until one does, the
// web app shows only the setup page.
func (s *Service) NeedsSetup(ctx context.Context) (bool, error) {
	has, err := s.store.HasUsers(ctx)
	return !has, err
}

// IssueSetupCode makes a new setup code when no account exists and returns
// it (to print once); "" when the instance is set up already.
func (s *Service) IssueSetupCode(ctx context.Context) (string, error) {
	needs, err := s.NeedsSetup(ctx)
	if err != nil || !needs {
		return "", err
	}
	code, err := persona.NewSetupCode()
	if err != nil {
		return "", err
	}
	now := s.timestamp()
	if err := s.store.AddSetupCode(ctx, setupDigest(persona.NormalizeSetupCode(code)), now, now.Add(-setupCodeStale)); err != nil {
		return "", err
	}
	return code, nil
}

// setupDigest is what is stored of a (normalised) setup code.
func setupDigest(code string) string {
	sum := sha256.Sum256([]byte("personapal setup code\x00" + code))
	return hex.EncodeToString(sum[:])
}

// SetupInput is what the setup page sends.
type SetupInput struct {
	Code     string // the setup code serve printed
	Name     string // the first owner's
	Email    string
	Password string
	OrgName  string // the first organisation's
}

// SetupResult is the outcome of a setup: the owner, signed in (Session
// is the cookie's secret), and the organisation.
type SetupResult struct {
	User    persona.User
	Org     persona.Org
	Session string
}

// errSetupDone answers a setup once an account exists (or while another
// setup is being completed).
func errSetupDone() error {
	return persona.Errorf(persona.CodeConflict, "Persona Pal is already set up on this server, so nothing was changed. Sign in instead.")
}

// IsSetupDone reports whether err is the answer to a setup attempted after
// the instance was set up.
func IsSetupDone(err error) bool {
	e, ok := persona.AsError(err)
	return ok && e.Code == persona.CodeConflict && strings.HasPrefix(e.Message, "Persona Pal is already set up")
}

// Setup creates the first owner (verified: the code proves the console)
// and organisation, signs the owner in, and spends every setup code, in
// one transaction; only while no account exists. A wrong code is a field
// error of "code", counted like a failed sign-in from the client's address
// (too many answer too-many with a wait).
func (s *Service) Setup(ctx context.Context, in SetupInput) (SetupResult, error) {
	needs, err := s.NeedsSetup(ctx)
	if err != nil {
		return SetupResult{}, err
	}
	if !needs {
		return SetupResult{}, errSetupDone()
	}
	var fields []persona.FieldError
	code := persona.NormalizeSetupCode(in.Code)
	if strings.TrimSpace(in.Code) == "" {
		fields = append(fields, persona.FieldError{Field: "code", Message: "is required: serve printed it when it started"})
	}
	email, name, uf := userFields(in.Email, in.Name, in.Password)
	fields = append(fields, uf...)
	orgName, fields := nameField(fields, "org_name", in.OrgName)
	if err := persona.Invalid("invalid setup", fields); err != nil {
		return SetupResult{}, err
	}

	wrongCode := persona.Invalid("wrong setup code", []persona.FieldError{{Field: "code",
		Message: "is not a setup code this server printed; copy it from the console where serve started (restarting serve prints a new one)"}})
	digest := setupDigest(code)
	keys := throttleKeys("setup", "first-run setup", clientInfo(ctx).Address)
	ok, err := s.throttledKeys(ctx, keys, func() (bool, error) {
		if code == "" {
			return false, nil
		}
		hashes, err := s.store.SetupCodeHashes(ctx)
		if err != nil {
			return false, err
		}
		match := 0
		for _, h := range hashes { // every stored code, each in constant time
			match |= subtle.ConstantTimeCompare([]byte(h), []byte(digest))
		}
		return match == 1, nil
	})
	if err != nil {
		if e, isErr := persona.AsError(err); isErr && e.Code == persona.CodeTooMany {
			return SetupResult{}, &persona.Error{Code: persona.CodeTooMany, RetryAfter: e.RetryAfter,
				Message: "too many wrong setup codes from here; wait " + waitText(e.RetryAfter) + " and try again"}
		}
		return SetupResult{}, err
	}
	if !ok {
		if again, err := s.NeedsSetup(ctx); err == nil && !again {
			return SetupResult{}, errSetupDone()
		}
		return SetupResult{}, wrongCode
	}
	hash, err := s.hashPassword(ctx, in.Password)
	if err != nil {
		return SetupResult{}, err
	}

	now := s.timestamp()
	u := persona.User{ID: newID(), Email: email, Name: name, PasswordHash: hash, CreatedAt: now, EmailVerifiedAt: &now}
	var org persona.Org
	err = s.inOneTx(ctx, func(tx *Service) error {
		claimed, err := tx.store.ClaimSetupCodes(ctx)
		if err != nil {
			return err
		}
		if !slices.Contains(claimed, digest) {
			if len(claimed) == 0 {
				return errSetupDone() // someone else's setup spent the codes first
			}
			return wrongCode // dropped as stale meanwhile
		}
		if has, err := tx.store.HasUsers(ctx); err != nil || has {
			if err != nil {
				return err
			}
			return errSetupDone()
		}
		if err := tx.store.CreateUser(ctx, u); err != nil {
			return err
		}
		owner := Actor{UserID: u.ID, Email: u.Email, Name: u.Name}
		if org, err = tx.CreateOrg(ctx, owner, orgName, ""); err != nil {
			if e, ok := persona.AsError(err); ok && e.Code == persona.CodeInvalid {
				for i := range e.Fields {
					if e.Fields[i].Field == "name" {
						e.Fields[i].Field = "org_name"
					}
				}
			}
			return err
		}
		return tx.store.AppendSecurityEvent(ctx, tx.securityEvent(ctx, u.ID, persona.SecurityAccountCreated,
			"Account created by the first-run setup, as owner of "+quoted(org.Name)))
	})
	if err != nil {
		return SetupResult{}, err
	}
	secret, err := s.startSession(ctx, u)
	if err != nil {
		return SetupResult{User: u, Org: org}, err
	}
	s.recordSecurityEvent(ctx, u.ID, persona.SecuritySignIn, "Signed in")
	return SetupResult{User: u, Org: org, Session: secret}, nil
}
