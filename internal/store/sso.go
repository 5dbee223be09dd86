package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

// Single sign-on: linked identities, sign-ins in progress, organisations'
// settings and domain mappings, and which API tokens were made in a
// single sign-on session (migration 00019).

// CreateSSOFlow stores a sign-in in progress.
func (s *DB) CreateSSOFlow(ctx context.Context, f persona.SSOFlow) error {
	_, err := s.exec(ctx, s.q(), `INSERT INTO sso_flows (state_hash, browser_hash, nonce, verifier, next_path, redirect_url, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, f.StateHash, f.BrowserHash, f.Nonce, f.Verifier, f.Next, f.RedirectURL, ts(f.ExpiresAt))
	return err
}

// TakeSSOFlow removes the flow with this state hash and returns it, when it
// had not expired at now: a flow is taken once, by one callback on one
// instance (the DELETE is atomic). An unknown, taken or expired flow is
// not-found (an expired one is removed too).
func (s *DB) TakeSSOFlow(ctx context.Context, stateHash string, now time.Time) (persona.SSOFlow, error) {
	var f persona.SSOFlow
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `DELETE FROM sso_flows WHERE state_hash = $1
			RETURNING state_hash, browser_hash, nonce, verifier, next_path, redirect_url, expires_at`, stateHash).
			Scan(&f.StateHash, &f.BrowserHash, &f.Nonce, &f.Verifier, &f.Next, &f.RedirectURL, timeCol{&f.ExpiresAt})
		if err != nil {
			return noRows(s.d.mapErr(err), "sign-in")
		}
		return nil
	})
	if err != nil {
		return persona.SSOFlow{}, err
	}
	if !f.ExpiresAt.After(ts(now)) {
		return persona.SSOFlow{}, notFound("sign-in")
	}
	return f, nil
}

// DeleteExpiredSSOFlows removes sign-ins that were never finished.
func (s *DB) DeleteExpiredSSOFlows(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.exec(ctx, s.q(), `DELETE FROM sso_flows WHERE expires_at <= $1`, ts(now))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

const ssoIdentitySelect = `SELECT issuer, subject, user_id, email, created_at, last_used_at FROM sso_identities`

func scanSSOIdentity(row interface{ Scan(...any) error }) (persona.SSOIdentity, error) {
	var id persona.SSOIdentity
	err := row.Scan(&id.Issuer, &id.Subject, &id.UserID, &id.Email, timeCol{&id.CreatedAt}, timeCol{&id.LastUsedAt})
	return id, err
}

// SSOIdentity returns the identity (issuer, subject).
func (s *DB) SSOIdentity(ctx context.Context, issuer, subject string) (persona.SSOIdentity, error) {
	id, err := scanSSOIdentity(s.q().QueryRowContext(ctx, ssoIdentitySelect+` WHERE issuer = $1 AND subject = $2`, issuer, subject))
	return id, noRows(err, "identity")
}

// SSOIdentityOfUser returns the user's identity at the issuer.
func (s *DB) SSOIdentityOfUser(ctx context.Context, userID, issuer string) (persona.SSOIdentity, error) {
	id, err := scanSSOIdentity(s.q().QueryRowContext(ctx, ssoIdentitySelect+` WHERE user_id = $1 AND issuer = $2`, userID, issuer))
	return id, noRows(err, "identity")
}

// LinkSSOIdentity stores a new identity; conflict when the identity, or an
// identity of the user at the issuer, exists.
func (s *DB) LinkSSOIdentity(ctx context.Context, id persona.SSOIdentity) error {
	_, err := s.exec(ctx, s.q(), `INSERT INTO sso_identities (issuer, subject, user_id, email, created_at, last_used_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, id.Issuer, id.Subject, id.UserID, id.Email, ts(id.CreatedAt), ts(id.LastUsedAt))
	return withMessage(err, persona.CodeConflict, "this identity or this account is already linked")
}

// TouchSSOIdentity records a use of the identity and the address it came
// with.
func (s *DB) TouchSSOIdentity(ctx context.Context, issuer, subject, email string, at time.Time) error {
	return s.execOne(ctx, s.q(), "identity", `UPDATE sso_identities SET email = $3, last_used_at = $4 WHERE issuer = $1 AND subject = $2`,
		issuer, subject, email, ts(at))
}

// OrgSSO returns the organisation's settings and domains (oldest first).
func (s *DB) OrgSSO(ctx context.Context, orgID string) (persona.OrgSSO, error) {
	var o persona.OrgSSO
	err := s.q().QueryRowContext(ctx, `SELECT required_at FROM org_sso WHERE org_id = $1`, orgID).Scan(nullTimeCol{&o.RequiredAt})
	if err != nil && err != sql.ErrNoRows {
		return o, err
	}
	rows, err := s.q().QueryContext(ctx, `SELECT org_id, domain, role, created_at, created_by FROM org_sso_domains
		WHERE org_id = $1 ORDER BY created_at, domain`, orgID)
	if err != nil {
		return o, err
	}
	o.Domains, err = collect(rows, func(row interface{ Scan(...any) error }) (persona.SSODomain, error) {
		var d persona.SSODomain
		err := row.Scan(&d.OrgID, &d.Domain, &d.Role, timeCol{&d.CreatedAt}, &d.CreatedBy)
		return d, err
	})
	if o.Domains == nil {
		o.Domains = []persona.SSODomain{}
	}
	return o, err
}

// OrgRequiresSSO reports whether the organisation requires single sign-on
// (one primary-key read: it is asked on requests to the organisation).
func (s *DB) OrgRequiresSSO(ctx context.Context, orgID string) (bool, error) {
	var n int
	err := s.q().QueryRowContext(ctx, `SELECT COUNT(*) FROM org_sso WHERE org_id = $1 AND required_at IS NOT NULL`, orgID).Scan(&n)
	return n > 0, err
}

// SetOrgSSORequired sets (at) or clears (nil) the requirement.
func (s *DB) SetOrgSSORequired(ctx context.Context, orgID string, at *time.Time) error {
	_, err := s.exec(ctx, s.q(), `INSERT INTO org_sso (org_id, required_at) VALUES ($1, $2)
		ON CONFLICT (org_id) DO UPDATE SET required_at = excluded.required_at`, orgID, nullTS(at))
	return err
}

// AddSSODomain maps a domain; conflict when the organisation maps it
// already.
func (s *DB) AddSSODomain(ctx context.Context, d persona.SSODomain) error {
	_, err := s.exec(ctx, s.q(), `INSERT INTO org_sso_domains (org_id, domain, role, created_at, created_by) VALUES ($1, $2, $3, $4, $5)`,
		d.OrgID, d.Domain, string(d.Role), ts(d.CreatedAt), d.CreatedBy)
	return withMessage(err, persona.CodeConflict, "this domain is mapped already")
}

// RemoveSSODomain removes a mapping; not-found when there is none.
func (s *DB) RemoveSSODomain(ctx context.Context, orgID, domain string) error {
	return s.execOne(ctx, s.q(), "domain", `DELETE FROM org_sso_domains WHERE org_id = $1 AND domain = $2`, orgID, domain)
}

// SSODomainOrgs lists the organisations that map the domain, by name.
func (s *DB) SSODomainOrgs(ctx context.Context, domain string) ([]persona.SSODomainMatch, error) {
	rows, err := s.q().QueryContext(ctx, `SELECT o.id, o.slug, o.name, d.domain, d.role FROM org_sso_domains d
		JOIN orgs o ON o.id = d.org_id WHERE d.domain = $1 ORDER BY o.name, o.id`, domain)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(row interface{ Scan(...any) error }) (persona.SSODomainMatch, error) {
		var m persona.SSODomainMatch
		err := row.Scan(&m.OrgID, &m.OrgSlug, &m.OrgName, &m.Domain, &m.Role)
		return m, err
	})
}

// RecordSSOJoin notes that the organisation's domain mapping was applied
// to the user; false when it had been already (nothing changes then).
func (s *DB) RecordSSOJoin(ctx context.Context, orgID, userID string, at time.Time) (bool, error) {
	res, err := s.exec(ctx, s.q(), `INSERT INTO org_sso_joins (org_id, user_id, at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
		orgID, userID, ts(at))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// MarkTokenSSO records that the token was created in a single sign-on
// session at the issuer.
func (s *DB) MarkTokenSSO(ctx context.Context, tokenID, issuer string) error {
	_, err := s.exec(ctx, s.q(), `INSERT INTO sso_tokens (token_id, issuer) VALUES ($1, $2)`, tokenID, issuer)
	return err
}

// TokenSSOIssuer is the issuer of the single sign-on session the token was
// created in, "" when it was not.
func (s *DB) TokenSSOIssuer(ctx context.Context, tokenID string) (string, error) {
	var issuer string
	err := s.q().QueryRowContext(ctx, `SELECT issuer FROM sso_tokens WHERE token_id = $1`, tokenID).Scan(&issuer)
	if err == sql.ErrNoRows {
		return "", nil
	}
	return issuer, err
}
