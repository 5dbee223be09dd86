package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/personapal/personapal/internal/app"
)

// First-run setup codes and sign-up verification links. Only SHA-256
// digests of their secrets are stored.

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

// ReplaceVerification makes v the user's one verification link: any
// earlier one stops working.
func (s *DB) ReplaceVerification(ctx context.Context, v app.Verification) error {
	return s.InTx(ctx, func(tx app.Store) error {
		t := tx.(*DB)
		if _, err := t.exec(ctx, t.q(), `DELETE FROM signup_verifications WHERE user_id = $1`, v.UserID); err != nil {
			return err
		}
		_, err := t.exec(ctx, t.q(), `INSERT INTO signup_verifications (token_hash, user_id, created_at, expires_at)
			VALUES ($1, $2, $3, $4)`, v.TokenHash, v.UserID, ts(v.CreatedAt), ts(v.ExpiresAt))
		return err
	})
}

// ConsumeVerification uses the verification link with this digest, if it
// is unexpired at now: it is deleted (so it works once, whichever instance
// asks first) and its user's ID returned. Anything else is not found and
// changes nothing.
func (s *DB) ConsumeVerification(ctx context.Context, hash string, now time.Time) (string, error) {
	var userID string
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		return noRows((txQuerier{tx: tx, p: s.db}).QueryRowContext(ctx, `DELETE FROM signup_verifications WHERE token_hash = $1 AND expires_at > $2
			RETURNING user_id`, hash, ts(now)).Scan(&userID), "verification link")
	})
	return userID, err
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
