package app

import (
	"context"
	"strings"

	"github.com/personapal/personapal/internal/persona"
)

// CreateUser registers a user with a password. It is an administrative act
// (CLI, demo set-up, or an admin adding a new colleague).
func (s *Service) CreateUser(ctx context.Context, email, name, password string) (persona.User, error) {
	var fields []persona.FieldError
	email, err := persona.ValidateEmail(email)
	if err != nil {
		fields = append(fields, persona.FieldError{Field: "email", Message: err.Error()})
	}
	name = strings.TrimSpace(name)
	if name == "" {
		fields = append(fields, persona.FieldError{Field: "name", Message: "is required"})
	} else if len([]rune(name)) > 200 {
		fields = append(fields, persona.FieldError{Field: "name", Message: "must be at most 200 characters"})
	}
	if err := persona.ValidatePassword(password); err != nil {
		fields = append(fields, persona.FieldError{Field: "password", Message: err.Error()})
	}
	if err := persona.Invalid("invalid user", fields); err != nil {
		return persona.User{}, err
	}
	hash, err := s.hasher.Hash(password)
	if err != nil {
		return persona.User{}, err
	}
	u := persona.User{ID: newID(), Email: email, Name: name, PasswordHash: hash, CreatedAt: s.timestamp()}
	if err := s.store.CreateUser(ctx, u); err != nil {
		if persona.ErrorCode(err) == persona.CodeConflict {
			return persona.User{}, persona.Errorf(persona.CodeConflict, "a user with email %s already exists", email)
		}
		return persona.User{}, err
	}
	return u, nil
}

// UserByEmail looks a user up (administrative edges only).
func (s *Service) UserByEmail(ctx context.Context, email string) (persona.User, error) {
	norm, err := persona.ValidateEmail(email)
	if err != nil {
		return persona.User{}, persona.ErrNotFound("user")
	}
	return s.store.UserByEmail(ctx, norm)
}

// CheckPassword returns the user whose email and password match. Wrong email
// and wrong password give the same error.
func (s *Service) CheckPassword(ctx context.Context, email, password string) (persona.User, error) {
	bad := persona.Errorf(persona.CodeUnauthenticated, "wrong email or password")
	u, err := s.UserByEmail(ctx, email)
	if err != nil {
		if persona.ErrorCode(err) == persona.CodeNotFound {
			// Spend the same time as a real check so that timing does not
			// reveal which emails exist.
			_, _ = s.hasher.Verify(dummyHash(s.hasher), password)
			return persona.User{}, bad
		}
		return persona.User{}, err
	}
	ok, err := s.hasher.Verify(u.PasswordHash, password)
	if err != nil {
		return persona.User{}, err
	}
	if !ok {
		return persona.User{}, bad
	}
	return u, nil
}

func dummyHash(h PasswordHasher) string {
	hash, _ := h.Hash("not a real password")
	return hash
}

// Authenticate resolves an API bearer token to its actor.
func (s *Service) Authenticate(ctx context.Context, secret string) (Actor, error) {
	bad := persona.Errorf(persona.CodeUnauthenticated, "invalid or revoked API token")
	if !strings.HasPrefix(secret, tokenPrefix) || len(secret) > 200 {
		return Actor{}, bad
	}
	tok, u, err := s.store.TokenUserByHash(ctx, hashToken(secret))
	if err != nil {
		if persona.ErrorCode(err) == persona.CodeNotFound {
			return Actor{}, bad
		}
		return Actor{}, err
	}
	return Actor{UserID: u.ID, Email: u.Email, Name: u.Name, TokenID: tok.ID}, nil
}

// AuthenticateOrg is Authenticate for a request to the organisation with
// this slug: the same query also reads the caller's membership there, and
// a memo in ctx (WithRequestMemo) keeps it for the request's scope checks.
func (s *Service) AuthenticateOrg(ctx context.Context, secret, slug string) (Actor, error) {
	if slug == "" {
		return s.Authenticate(ctx, secret)
	}
	bad := persona.Errorf(persona.CodeUnauthenticated, "invalid or revoked API token")
	if !strings.HasPrefix(secret, tokenPrefix) || len(secret) > 200 {
		return Actor{}, bad
	}
	a, err := s.store.TokenAuth(ctx, hashToken(secret), slug)
	if err != nil {
		if persona.ErrorCode(err) == persona.CodeNotFound {
			return Actor{}, bad
		}
		return Actor{}, err
	}
	if memo, ok := ctx.Value(scopeMemoKey{}).(*scopeMemo); ok {
		*memo = scopeMemo{valid: true, userID: a.User.ID, slug: slug, org: a.Org, role: a.Role, missing: a.Role == ""}
	}
	return Actor{UserID: a.User.ID, Email: a.User.Email, Name: a.User.Name, TokenID: a.TokenID}, nil
}

// ActorFor returns the actor for a known user ID (sessions, CLI).
func (s *Service) ActorFor(ctx context.Context, userID string) (Actor, error) {
	u, err := s.store.UserByID(ctx, userID)
	if err != nil {
		return Actor{}, err
	}
	return Actor{UserID: u.ID, Email: u.Email, Name: u.Name}, nil
}

// Me returns the caller's own user record.
func (s *Service) Me(ctx context.Context, actor Actor) (persona.User, error) {
	if actor.UserID == "" {
		return persona.User{}, persona.Errorf(persona.CodeUnauthenticated, "authentication required")
	}
	return s.store.UserByID(ctx, actor.UserID)
}

// CreateToken creates an API token for the caller. The secret is returned
// once and never stored.
func (s *Service) CreateToken(ctx context.Context, actor Actor, name string) (string, persona.Token, error) {
	if actor.UserID == "" {
		return "", persona.Token{}, persona.Errorf(persona.CodeUnauthenticated, "authentication required")
	}
	name = strings.TrimSpace(name)
	if name == "" {
		name = "API token"
	}
	if len([]rune(name)) > 100 {
		return "", persona.Token{}, persona.Invalid("invalid token", []persona.FieldError{{Field: "name", Message: "must be at most 100 characters"}})
	}
	secret, hash, err := newTokenSecret()
	if err != nil {
		return "", persona.Token{}, err
	}
	t := persona.Token{ID: newID(), UserID: actor.UserID, Name: name, Hash: hash, Prefix: secret[:len(tokenPrefix)+4], CreatedAt: s.timestamp()}
	if err := s.store.CreateToken(ctx, t); err != nil {
		return "", persona.Token{}, err
	}
	s.auditUser(ctx, actor, "create", "token", t.ID, t.Name)
	return secret, t, nil
}

// ListTokens lists the caller's tokens (never their secrets).
func (s *Service) ListTokens(ctx context.Context, actor Actor) ([]persona.Token, error) {
	if actor.UserID == "" {
		return nil, persona.Errorf(persona.CodeUnauthenticated, "authentication required")
	}
	return s.store.ListTokens(ctx, actor.UserID)
}

// RevokeToken revokes one of the caller's tokens; effective immediately.
func (s *Service) RevokeToken(ctx context.Context, actor Actor, tokenID string) error {
	if actor.UserID == "" {
		return persona.Errorf(persona.CodeUnauthenticated, "authentication required")
	}
	return s.auditUserOK(ctx, s.store.RevokeToken(ctx, actor.UserID, tokenID, s.timestamp()), actor, "revoke", "token", tokenID, "")
}

// ListMyOrgs lists the organisations the caller belongs to.
func (s *Service) ListMyOrgs(ctx context.Context, actor Actor) ([]persona.OrgMembership, error) {
	if actor.UserID == "" {
		return nil, persona.Errorf(persona.CodeUnauthenticated, "authentication required")
	}
	return s.store.OrgsForUser(ctx, actor.UserID)
}

// CreateOrg creates an organisation owned by the caller, with the built-in
// starter templates copied into it (each published as version 1). An empty
// slug is derived from the name.
func (s *Service) CreateOrg(ctx context.Context, actor Actor, name, slug string) (persona.Org, error) {
	if actor.UserID == "" {
		return persona.Org{}, persona.Errorf(persona.CodeUnauthenticated, "authentication required")
	}
	owner, err := s.store.UserByID(ctx, actor.UserID)
	if err != nil {
		return persona.Org{}, err
	}
	name = strings.TrimSpace(name)
	slug = strings.TrimSpace(slug)
	if slug == "" {
		slug = persona.Slugify(name)
	}
	var fields []persona.FieldError
	if name == "" {
		fields = append(fields, persona.FieldError{Field: "name", Message: "is required"})
	} else if len([]rune(name)) > 200 {
		fields = append(fields, persona.FieldError{Field: "name", Message: "must be at most 200 characters"})
	}
	if !persona.ValidSlug(slug) {
		fields = append(fields, persona.FieldError{Field: "slug", Message: "must be 1-63 lower-case letters, digits and hyphens, not starting or ending with a hyphen"})
	}
	if err := persona.Invalid("invalid organisation", fields); err != nil {
		return persona.Org{}, err
	}
	now := s.timestamp()
	org := persona.Org{ID: newID(), Slug: slug, Name: name, CreatedAt: now}
	member := persona.Member{OrgID: org.ID, UserID: owner.ID, Email: owner.Email, Name: owner.Name, Role: persona.RoleOwner, CreatedAt: now}
	var templates []persona.Template
	var versions []persona.TemplateVersion
	for _, st := range persona.StarterTemplates() {
		t := persona.Template{
			ID: newID(), OrgID: org.ID, Name: st.Name, ProfileType: st.ProfileType, Description: st.Description,
			LatestVersion: 1, Draft: st.Definition, DraftUpdatedAt: now, CreatedAt: now, UpdatedAt: now,
		}
		templates = append(templates, t)
		versions = append(versions, persona.TemplateVersion{
			TemplateID: t.ID, OrgID: org.ID, Version: 1, Definition: st.Definition,
			PublishedAt: now, PublishedBy: owner.ID,
		})
	}
	if err := s.store.CreateOrg(ctx, org, member, templates, versions); err != nil {
		if persona.ErrorCode(err) == persona.CodeConflict {
			return persona.Org{}, &persona.Error{Code: persona.CodeConflict, Message: "an organisation with this slug already exists",
				Fields: []persona.FieldError{{Field: "slug", Message: "is taken"}}}
		}
		return persona.Org{}, err
	}
	s.audit(ctx, org.ID, actor, "create", "organisation", org.ID, org.Name)
	return org, nil
}

// GetOrg returns an organisation the caller belongs to, with the caller's role.
func (s *Service) GetOrg(ctx context.Context, actor Actor, slug string) (persona.Org, persona.Role, error) {
	return s.scope(ctx, actor, slug, persona.RoleViewer)
}

// RenameOrg changes an organisation's display name (owners only).
func (s *Service) RenameOrg(ctx context.Context, actor Actor, slug, name string) (persona.Org, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleOwner)
	if err != nil {
		return persona.Org{}, err
	}
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > 200 {
		return persona.Org{}, persona.Invalid("invalid organisation", []persona.FieldError{{Field: "name", Message: "is required and at most 200 characters"}})
	}
	org.Name = name
	forgetScope(ctx)
	if err := s.store.UpdateOrg(ctx, org); err != nil {
		return persona.Org{}, err
	}
	s.audit(ctx, org.ID, actor, "update", "organisation", org.ID, "name: "+org.Name)
	return org, nil
}

// ListMembers lists an organisation's members.
func (s *Service) ListMembers(ctx context.Context, actor Actor, slug string) ([]persona.Member, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return nil, err
	}
	return s.store.ListMembers(ctx, org.ID)
}

// AddMember adds an existing user, found by email, with a role. Only owners
// may make owners.
func (s *Service) AddMember(ctx context.Context, actor Actor, slug, email string, role persona.Role) (persona.Member, error) {
	org, myRole, err := s.scope(ctx, actor, slug, persona.RoleAdmin)
	if err != nil {
		return persona.Member{}, err
	}
	if !role.Valid() {
		return persona.Member{}, persona.Invalid("invalid member", []persona.FieldError{{Field: "role", Message: "must be one of: viewer, editor, admin, owner"}})
	}
	if role == persona.RoleOwner && myRole != persona.RoleOwner {
		return persona.Member{}, persona.Errorf(persona.CodeForbidden, "only an owner can add an owner")
	}
	u, err := s.UserByEmail(ctx, email)
	if err != nil {
		if persona.ErrorCode(err) == persona.CodeNotFound {
			return persona.Member{}, persona.Invalid("invalid member", []persona.FieldError{{Field: "email", Message: "no user with this email; create the account first"}})
		}
		return persona.Member{}, err
	}
	m := persona.Member{OrgID: org.ID, UserID: u.ID, Email: u.Email, Name: u.Name, Role: role, CreatedAt: s.timestamp()}
	forgetScope(ctx)
	if err := s.store.AddMember(ctx, m); err != nil {
		if persona.ErrorCode(err) == persona.CodeConflict {
			return persona.Member{}, persona.Errorf(persona.CodeConflict, "%s is already a member", u.Email)
		}
		return persona.Member{}, err
	}
	s.audit(ctx, org.ID, actor, "add", "member", u.ID, u.Email+" as "+string(role))
	return m, nil
}

// SetMemberRole changes a member's role. Owners alone grant or take away the
// owner role, and the last owner cannot be demoted.
func (s *Service) SetMemberRole(ctx context.Context, actor Actor, slug, userID string, role persona.Role) (persona.Member, error) {
	org, myRole, err := s.scope(ctx, actor, slug, persona.RoleAdmin)
	if err != nil {
		return persona.Member{}, err
	}
	if !role.Valid() {
		return persona.Member{}, persona.Invalid("invalid member", []persona.FieldError{{Field: "role", Message: "must be one of: viewer, editor, admin, owner"}})
	}
	m, err := s.store.GetMember(ctx, org.ID, userID)
	if err != nil {
		return persona.Member{}, err
	}
	if (role == persona.RoleOwner || m.Role == persona.RoleOwner) && myRole != persona.RoleOwner {
		return persona.Member{}, persona.Errorf(persona.CodeForbidden, "only an owner can grant or remove the owner role")
	}
	if m.Role == persona.RoleOwner && role != persona.RoleOwner {
		if err := s.ensureAnotherOwner(ctx, org.ID, userID); err != nil {
			return persona.Member{}, err
		}
	}
	forgetScope(ctx)
	if err := s.store.SetMemberRole(ctx, org.ID, userID, role); err != nil {
		return persona.Member{}, err
	}
	s.audit(ctx, org.ID, actor, "change role", "member", userID, m.Email+": "+string(m.Role)+" → "+string(role))
	m.Role = role
	return m, nil
}

// RemoveMember removes a member; the last owner stays.
func (s *Service) RemoveMember(ctx context.Context, actor Actor, slug, userID string) error {
	org, myRole, err := s.scope(ctx, actor, slug, persona.RoleAdmin)
	if err != nil {
		return err
	}
	m, err := s.store.GetMember(ctx, org.ID, userID)
	if err != nil {
		return err
	}
	if m.Role == persona.RoleOwner {
		if myRole != persona.RoleOwner {
			return persona.Errorf(persona.CodeForbidden, "only an owner can remove an owner")
		}
		if err := s.ensureAnotherOwner(ctx, org.ID, userID); err != nil {
			return err
		}
	}
	forgetScope(ctx)
	if err := s.store.RemoveMember(ctx, org.ID, userID); err != nil {
		return err
	}
	s.audit(ctx, org.ID, actor, "remove", "member", userID, "")
	return nil
}

func (s *Service) ensureAnotherOwner(ctx context.Context, orgID, userID string) error {
	members, err := s.store.ListMembers(ctx, orgID)
	if err != nil {
		return err
	}
	for _, m := range members {
		if m.Role == persona.RoleOwner && m.UserID != userID {
			return nil
		}
	}
	return persona.Errorf(persona.CodeConflict, "an organisation needs at least one owner")
}

// SetPassword replaces a user's password (administrative edges).
func (s *Service) SetPassword(ctx context.Context, email, password string) error {
	u, err := s.UserByEmail(ctx, email)
	if err != nil {
		return err
	}
	if err := persona.ValidatePassword(password); err != nil {
		return persona.Invalid("invalid password", []persona.FieldError{{Field: "password", Message: err.Error()}})
	}
	hash, err := s.hasher.Hash(password)
	if err != nil {
		return err
	}
	if err := s.store.SetPassword(ctx, u.ID, hash); err != nil {
		return err
	}
	// A new password signs the user out of every browser.
	return s.store.DeleteUserSessions(ctx, u.ID)
}
