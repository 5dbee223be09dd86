package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// ---- users ----

const userCols = `id, email, name, password_hash, created_at, email_verified_at`

func scanUser(row interface{ Scan(...any) error }) (persona.User, error) {
	var u persona.User
	err := row.Scan(&u.ID, &u.Email, &u.Name, &u.PasswordHash, timeCol{&u.CreatedAt}, nullTimeCol{&u.EmailVerifiedAt})
	return u, err
}

// CreateUser inserts a user; conflict when the email is taken. The email is
// stored as given (the app lower-cases it).
func (s *DB) CreateUser(ctx context.Context, u persona.User) error {
	_, err := s.exec(ctx, s.q(), `INSERT INTO users (`+userCols+`) VALUES ($1, $2, $3, $4, $5, $6)`,
		u.ID, u.Email, u.Name, u.PasswordHash, ts(u.CreatedAt), nullTS(u.EmailVerifiedAt))
	return withMessage(err, persona.CodeConflict, "a user with this email already exists")
}

// UserByEmail finds a user by (lower-cased) email.
func (s *DB) UserByEmail(ctx context.Context, email string) (persona.User, error) {
	u, err := scanUser(s.q().QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE email = $1`, strings.ToLower(email)))
	return u, noRows(err, "user")
}

// UserByID finds a user by ID.
func (s *DB) UserByID(ctx context.Context, id string) (persona.User, error) {
	u, err := scanUser(s.q().QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE id = $1`, id))
	return u, noRows(err, "user")
}

// SetUserName changes a user's display name.
func (s *DB) SetUserName(ctx context.Context, userID, name string) error {
	return s.execOne(ctx, s.q(), "user", `UPDATE users SET name = $2 WHERE id = $1`, userID, name)
}

// HasUsers reports whether any account exists.
func (s *DB) HasUsers(ctx context.Context) (bool, error) {
	var n int
	err := s.q().QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM users LIMIT 1) u`).Scan(&n)
	return n > 0, err
}

// SetPassword replaces a user's password hash.
func (s *DB) SetPassword(ctx context.Context, userID, hash string) error {
	return s.execOne(ctx, s.q(), "user", `UPDATE users SET password_hash = $2 WHERE id = $1`, userID, hash)
}

// ---- API tokens ----

const tokenCols = `id, user_id, name, hash, prefix, created_at, last_used_at, revoked_at, scope, expires_at`

func scanToken(row interface{ Scan(...any) error }) (persona.Token, error) {
	var t persona.Token
	err := row.Scan(&t.ID, &t.UserID, &t.Name, &t.Hash, &t.Prefix, timeCol{&t.CreatedAt},
		nullTimeCol{&t.LastUsedAt}, nullTimeCol{&t.RevokedAt}, &t.Scope, nullTimeCol{&t.ExpiresAt})
	return t, err
}

// tokenScope is the scope stored for t: read and write unless it says
// read.
func tokenScope(t persona.Token) string {
	if t.Scope == persona.ScopeRead {
		return string(persona.ScopeRead)
	}
	return string(persona.ScopeWrite)
}

// CreateToken inserts an API token; conflict when its hash exists.
func (s *DB) CreateToken(ctx context.Context, t persona.Token) error {
	_, err := s.exec(ctx, s.q(), `INSERT INTO api_tokens (`+tokenCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		t.ID, t.UserID, t.Name, t.Hash, t.Prefix, ts(t.CreatedAt), nullTS(t.LastUsedAt), nullTS(t.RevokedAt),
		tokenScope(t), nullTS(t.ExpiresAt))
	return withMessage(withMessage(err, persona.CodeConflict, "a token with this secret already exists"),
		persona.CodeInvalid, "user not found")
}

// TokenByHash returns an unrevoked token.
func (s *DB) TokenByHash(ctx context.Context, hash string) (persona.Token, error) {
	t, err := scanToken(s.q().QueryRowContext(ctx,
		`SELECT `+tokenCols+` FROM api_tokens WHERE hash = $1 AND revoked_at IS NULL`, hash))
	return t, noRows(err, "token")
}

// TokenUserByHash returns an unrevoked token and its user in one query:
// it runs before every API request.
func (s *DB) TokenUserByHash(ctx context.Context, hash string) (persona.Token, persona.User, error) {
	var (
		t persona.Token
		u persona.User
	)
	err := s.q().QueryRowContext(ctx, `SELECT t.id, t.user_id, t.name, t.hash, t.prefix, t.created_at, t.last_used_at, t.revoked_at,
		t.scope, t.expires_at, u.id, u.email, u.name, u.password_hash, u.created_at, u.email_verified_at
		FROM api_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.hash = $1 AND t.revoked_at IS NULL`, hash).
		Scan(&t.ID, &t.UserID, &t.Name, &t.Hash, &t.Prefix, timeCol{&t.CreatedAt}, nullTimeCol{&t.LastUsedAt}, nullTimeCol{&t.RevokedAt},
			&t.Scope, nullTimeCol{&t.ExpiresAt}, &u.ID, &u.Email, &u.Name, &u.PasswordHash, timeCol{&u.CreatedAt}, nullTimeCol{&u.EmailVerifiedAt})
	if err != nil {
		return persona.Token{}, persona.User{}, noRows(err, "token")
	}
	return t, u, nil
}

// TokenAuth reads what authenticating an API request to the organisation
// with this slug needs, in one query: the unrevoked token's ID, its user,
// and the user's membership there (Role "" when none, or no such
// organisation). It reads no more columns than that: it runs before every
// API request.
func (s *DB) TokenAuth(ctx context.Context, hash, slug string) (app.TokenAuth, error) {
	var (
		a                   app.TokenAuth
		orgID, oslug, oname sql.NullString
		role                sql.NullString
		created             *time.Time
	)
	err := s.q().QueryRowContext(ctx, `SELECT t.id, t.scope, t.expires_at, t.last_used_at, u.id, u.email, u.name, o.id, o.slug, o.name, o.created_at, m.role
		FROM api_tokens t JOIN users u ON u.id = t.user_id
		LEFT JOIN orgs o ON o.slug = $2 AND o.deleted_at IS NULL
		LEFT JOIN memberships m ON m.org_id = o.id AND m.user_id = u.id
		WHERE t.hash = $1 AND t.revoked_at IS NULL`, hash, slug).
		Scan(&a.TokenID, &a.Scope, nullTimeCol{&a.ExpiresAt}, nullTimeCol{&a.LastUsedAt},
			&a.User.ID, &a.User.Email, &a.User.Name, &orgID, &oslug, &oname, nullTimeCol{&created}, &role)
	if err != nil {
		return app.TokenAuth{}, noRows(err, "token")
	}
	if orgID.Valid && role.Valid && created != nil {
		a.Org = persona.Org{ID: orgID.String, Slug: oslug.String, Name: oname.String, CreatedAt: *created}
		a.Role = persona.Role(role.String)
	}
	return a, nil
}

// ListTokens lists a user's tokens, revoked ones included, newest first.
func (s *DB) ListTokens(ctx context.Context, userID string) ([]persona.Token, error) {
	rows, err := s.q().QueryContext(ctx,
		`SELECT `+tokenCols+` FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC, id`, userID)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanToken)
}

// RevokeToken revokes one of the user's tokens; not-found when the token is
// not the user's or is already revoked.
func (s *DB) RevokeToken(ctx context.Context, userID, tokenID string, at time.Time) error {
	return s.execOne(ctx, s.q(), "token",
		`UPDATE api_tokens SET revoked_at = $3 WHERE id = $2 AND user_id = $1 AND revoked_at IS NULL`,
		userID, tokenID, ts(at))
}

// TouchToken records that a token was used at at, unless its last use
// recorded is after ifBefore (so concurrent requests on every instance
// write it at most once per interval). It reports whether it wrote.
func (s *DB) TouchToken(ctx context.Context, tokenID string, at, ifBefore time.Time) (bool, error) {
	res, err := s.exec(ctx, s.q(), `UPDATE api_tokens SET last_used_at = $2
		WHERE id = $1 AND (last_used_at IS NULL OR last_used_at <= $3)`, tokenID, ts(at), ts(ifBefore))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// ---- organisations ----

const orgCols = `o.id, o.slug, o.name, o.created_at`

func scanOrg(row interface{ Scan(...any) error }) (persona.Org, error) {
	var o persona.Org
	err := row.Scan(&o.ID, &o.Slug, &o.Name, timeCol{&o.CreatedAt})
	return o, err
}

// CreateOrg writes the organisation, its owner membership, its templates and
// their versions in one transaction. Conflict when the slug is taken.
func (s *DB) CreateOrg(ctx context.Context, org persona.Org, owner persona.Member, templates []persona.Template, versions []persona.TemplateVersion) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := s.exec(ctx, tx, `INSERT INTO orgs (id, slug, name, created_at) VALUES ($1, $2, $3, $4)`,
			org.ID, org.Slug, org.Name, ts(org.CreatedAt))
		if err != nil {
			return withMessage(err, persona.CodeConflict, "an organisation with this slug already exists")
		}
		if err := s.reserveSlug(ctx, tx, org.ID, org.Slug, org.CreatedAt); err != nil {
			return err
		}
		owner.OrgID = org.ID
		if err := s.insertMember(ctx, tx, owner); err != nil {
			return err
		}
		for _, t := range templates {
			t.OrgID = org.ID
			if err := s.insertTemplate(ctx, tx, t); err != nil {
				return err
			}
		}
		for _, v := range versions {
			v.OrgID = org.ID
			if err := s.publishVersion(ctx, tx, v); err != nil {
				return err
			}
		}
		return nil
	})
}

// OrgForMember returns the organisation with the slug and the user's role.
func (s *DB) OrgForMember(ctx context.Context, slug, userID string) (persona.Org, persona.Role, error) {
	var (
		o    persona.Org
		role persona.Role
	)
	err := s.q().QueryRowContext(ctx, `SELECT `+orgCols+`, m.role FROM orgs o
		JOIN memberships m ON m.org_id = o.id AND m.user_id = $2
		WHERE o.slug = $1 AND o.deleted_at IS NULL`, slug, userID).
		Scan(&o.ID, &o.Slug, &o.Name, timeCol{&o.CreatedAt}, &role)
	if err != nil {
		return persona.Org{}, "", noRows(err, "organisation")
	}
	return o, role, nil
}

// OrgsForUser lists the user's organisations by name.
func (s *DB) OrgsForUser(ctx context.Context, userID string) ([]persona.OrgMembership, error) {
	rows, err := s.q().QueryContext(ctx, `SELECT `+orgCols+`, m.role FROM orgs o
		JOIN memberships m ON m.org_id = o.id
		WHERE m.user_id = $1 AND o.deleted_at IS NULL ORDER BY o.name, o.slug`, userID)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(r interface{ Scan(...any) error }) (persona.OrgMembership, error) {
		var om persona.OrgMembership
		err := r.Scan(&om.Org.ID, &om.Org.Slug, &om.Org.Name, timeCol{&om.Org.CreatedAt}, &om.Role)
		return om, err
	})
}

// OrgBySlug finds a live organisation without a membership check (a
// deleted one is not found).
func (s *DB) OrgBySlug(ctx context.Context, slug string) (persona.Org, error) {
	o, err := scanOrg(s.q().QueryRowContext(ctx, `SELECT `+orgCols+` FROM orgs o WHERE o.slug = $1 AND o.deleted_at IS NULL`, slug))
	return o, noRows(err, "organisation")
}

// CountOrgs counts organisations.
func (s *DB) CountOrgs(ctx context.Context) (int, error) {
	var n int
	err := s.q().QueryRowContext(ctx, `SELECT COUNT(*) FROM orgs`).Scan(&n)
	return n, err
}

// UpdateOrg writes the organisation's name. Its slug changes only through
// ChangeOrgSlug, which keeps the old one (orglife.go).
func (s *DB) UpdateOrg(ctx context.Context, org persona.Org) error {
	return s.execOne(ctx, s.q(), "organisation", `UPDATE orgs SET name = $2 WHERE id = $1 AND deleted_at IS NULL`,
		org.ID, org.Name)
}

// ---- members ----

const memberSelect = `SELECT m.org_id, m.user_id, u.email, u.name, m.role, m.created_at
	FROM memberships m JOIN users u ON u.id = m.user_id`

func scanMember(row interface{ Scan(...any) error }) (persona.Member, error) {
	var m persona.Member
	err := row.Scan(&m.OrgID, &m.UserID, &m.Email, &m.Name, &m.Role, timeCol{&m.CreatedAt})
	return m, err
}

// ListMembers lists an organisation's members by email.
func (s *DB) ListMembers(ctx context.Context, orgID string) ([]persona.Member, error) {
	rows, err := s.q().QueryContext(ctx, memberSelect+` WHERE m.org_id = $1 ORDER BY u.email`, orgID)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanMember)
}

// GetMember returns one membership.
func (s *DB) GetMember(ctx context.Context, orgID, userID string) (persona.Member, error) {
	m, err := scanMember(s.q().QueryRowContext(ctx, memberSelect+` WHERE m.org_id = $1 AND m.user_id = $2`, orgID, userID))
	return m, noRows(err, "member")
}

// AddMember adds a user to an organisation; conflict when already a member,
// not-found when the user or organisation does not exist.
func (s *DB) AddMember(ctx context.Context, m persona.Member) error {
	return s.insertMember(ctx, s.q(), m)
}

func (s *DB) insertMember(ctx context.Context, q querier, m persona.Member) error {
	_, err := q.ExecContext(ctx, `INSERT INTO memberships (org_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)`,
		m.OrgID, m.UserID, string(m.Role), ts(m.CreatedAt))
	switch s.d.errKind(err) {
	case errUnique:
		return persona.Errorf(persona.CodeConflict, "already a member")
	case errForeignKey:
		return notFound("user")
	case errCheck:
		return persona.Errorf(persona.CodeInvalid, "invalid role %q", m.Role)
	}
	return err
}

// SetMemberRole changes a member's role.
func (s *DB) SetMemberRole(ctx context.Context, orgID, userID string, role persona.Role) error {
	return s.execOne(ctx, s.q(), "member", `UPDATE memberships SET role = $3 WHERE org_id = $1 AND user_id = $2`,
		orgID, userID, string(role))
}

// RemoveMember removes a membership.
func (s *DB) RemoveMember(ctx context.Context, orgID, userID string) error {
	return s.execOne(ctx, s.q(), "member", `DELETE FROM memberships WHERE org_id = $1 AND user_id = $2`, orgID, userID)
}

// ---- helpers ----

// collect scans every row with scan and closes rows.
func collect[T any](rows *sql.Rows, scan func(interface{ Scan(...any) error }) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
