package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// First-run setup codes and the accounts made by sign-up. Only SHA-256
// digests of the codes are stored. (Sign-up verification links are
// one-time links: links.go.)

// AddSetupCode stores a new setup code's digest, after removing the codes
// made before staleBefore.
func (s *DB) AddSetupCode(ctx context.Context, hash string, at, staleBefore time.Time) error {
	return s.InTx(ctx, func(tx app.Store) error {
		t := tx.(*DB)
		if _, err := t.exec(ctx, t.q(), `DELETE FROM setup_codes WHERE created_at < $1`, ts(staleBefore)); err != nil {
			return err
		}
		_, err := t.exec(ctx, t.q(), `INSERT INTO setup_codes (code_hash, created_at) VALUES ($1, $2)`, hash, ts(at))
		return err
	})
}

// SetupCodeHashes lists the digests of the setup codes that work.
func (s *DB) SetupCodeHashes(ctx context.Context) ([]string, error) {
	rows, err := s.q().QueryContext(ctx, `SELECT code_hash FROM setup_codes ORDER BY created_at, code_hash`)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(r interface{ Scan(...any) error }) (string, error) {
		var h string
		return h, r.Scan(&h)
	})
}

// ClaimSetupCodes deletes every setup code and returns the digests it
// deleted. Called in a transaction, it is the setup's one point of
// serialisation: a second transaction claiming at the same time waits for
// the first (PostgreSQL's row locks; SQLite's write lock) and then finds
// nothing left to claim, unless the first rolled back.
func (s *DB) ClaimSetupCodes(ctx context.Context) ([]string, error) {
	var out []string
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := (txQuerier{tx: tx, p: s.db}).QueryContext(ctx, `DELETE FROM setup_codes RETURNING code_hash`)
		if err != nil {
			return s.d.mapErr(err)
		}
		out, err = collect(rows, func(r interface{ Scan(...any) error }) (string, error) {
			var h string
			return h, r.Scan(&h)
		})
		return err
	})
	return out, err
}

// MarkEmailVerified records that the user's address was verified at at;
// an address verified already keeps its first time.
func (s *DB) MarkEmailVerified(ctx context.Context, userID string, at time.Time) error {
	_, err := s.exec(ctx, s.q(), `UPDATE users SET email_verified_at = $2 WHERE id = $1 AND email_verified_at IS NULL`, userID, ts(at))
	return err
}

// ReplaceUnverifiedUser gives an account whose address is not verified yet
// a new name and password (a new sign-up for the address); not found when
// the account is verified or gone.
func (s *DB) ReplaceUnverifiedUser(ctx context.Context, userID, name, passwordHash string) error {
	return s.execOne(ctx, s.q(), "unverified user", `UPDATE users SET name = $2, password_hash = $3
		WHERE id = $1 AND email_verified_at IS NULL`, userID, name, passwordHash)
}

// SetUserEmail gives the user a new address (confirmed by a link sent to
// it, so it counts as verified from at on, unless it was already): a
// conflict when another account has it.
func (s *DB) SetUserEmail(ctx context.Context, userID, email string, at time.Time) error {
	res, err := s.exec(ctx, s.q(), `UPDATE users SET email = $2, email_verified_at = COALESCE(email_verified_at, $3) WHERE id = $1`,
		userID, strings.ToLower(email), ts(at))
	if err != nil {
		return withMessage(err, persona.CodeConflict, "another account has the address "+strings.ToLower(email))
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		if err != nil {
			return err
		}
		return notFound("user")
	}
	return nil
}
