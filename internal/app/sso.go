package app

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"strings"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

// Single sign-on with OpenID Connect. The edge (internal/sso, driven by
// internal/web) talks to the provider: it sends the browser there with a
// state, a nonce and a PKCE challenge made here (BeginSSO), takes the
// callback's flow back (FinishSSO), exchanges the code and verifies the ID
// token — signature, issuer, audience, expiry and nonce — and hands the
// verified claims to SignInWithSSO, which decides who they are.
//
// Who the claims are:
//   - An identity (issuer, subject) linked before is that account, whatever
//     address it now has.
//   - Otherwise the account with the provider's verified address is linked
//     to the identity and signed in, even if it was made with a password.
//     That is a trust decision: the operator chose the issuer
//     (--oidc-issuer), so an address the issuer says it verified is taken
//     as proof of owning it, as an e-mailed link would be. An account that
//     is linked to another subject at the same issuer is refused (an
//     address the provider gave to someone else).
//   - Otherwise a new account (with no password) is made when the sign-up
//     policy allows the address (signupAllows); a refusal creates nothing.
//
// An address the provider does not say is verified never signs anyone in.
// Then every organisation that maps the address's domain (AddSSODomain)
// adds the person with the mapping's role, once per organisation (someone
// removed later stays removed), recorded in its audit log as "add member"
// by single sign-on. The session records that it signed in with single
// sign-on, for the organisations that require it (SetSSORequired).

// ssoConfig is the Service's single sign-on configuration (WithSSO).
type ssoConfig struct {
	issuer string // "" when single sign-on is not configured
	name   string // how the provider is called on pages ("single sign-on")
}

// WithSSO turns single sign-on on for the issuer (the provider's issuer
// URL, exactly as its ID tokens carry it); name is how pages call it.
func WithSSO(issuer, name string) Option {
	return func(s *Service) {
		s.sso.issuer = issuer
		s.sso.name = strings.TrimSpace(name)
	}
}

// SSOEnabled reports whether single sign-on is configured.
func (s *Service) SSOEnabled() bool { return s.sso.issuer != "" }

// SSOName is how pages call the provider ("single sign-on" by default).
func (s *Service) SSOName() string {
	if s.sso.name == "" {
		return "single sign-on"
	}
	return s.sso.name
}

// ssoStore is the part of Store that keeps single sign-on's data.
type ssoStore interface {
	CreateSSOFlow(ctx context.Context, f persona.SSOFlow) error
	// TakeSSOFlow removes and returns the flow, unless it expired at now;
	// not-found when unknown, taken or expired.
	TakeSSOFlow(ctx context.Context, stateHash string, now time.Time) (persona.SSOFlow, error)
	DeleteExpiredSSOFlows(ctx context.Context, now time.Time) (int64, error)

	SSOIdentity(ctx context.Context, issuer, subject string) (persona.SSOIdentity, error)
	SSOIdentityOfUser(ctx context.Context, userID, issuer string) (persona.SSOIdentity, error)
	// LinkSSOIdentity inserts an identity; conflict when it, or one of the
	// user at the issuer, exists.
	LinkSSOIdentity(ctx context.Context, id persona.SSOIdentity) error
	TouchSSOIdentity(ctx context.Context, issuer, subject, email string, at time.Time) error

	OrgSSO(ctx context.Context, orgID string) (persona.OrgSSO, error)
	OrgRequiresSSO(ctx context.Context, orgID string) (bool, error)
	SetOrgSSORequired(ctx context.Context, orgID string, at *time.Time) error
	// AddSSODomain: conflict when the organisation maps it already.
	AddSSODomain(ctx context.Context, d persona.SSODomain) error
	RemoveSSODomain(ctx context.Context, orgID, domain string) error
	SSODomainOrgs(ctx context.Context, domain string) ([]persona.SSODomainMatch, error)
	// RecordSSOJoin: false when the mapping was applied to the user before.
	RecordSSOJoin(ctx context.Context, orgID, userID string, at time.Time) (bool, error)

	MarkTokenSSO(ctx context.Context, tokenID, issuer string) error
	// TokenSSOIssuer is "" for a token not made in a single sign-on session.
	TokenSSOIssuer(ctx context.Context, tokenID string) (string, error)
}

// ---- the flow ----

// SSOStart is a new sign-in's secrets: State and Nonce go to the provider,
// the PKCE challenge of Verifier too (the verifier itself only with the
// code, from the server), and Browser into a short-lived cookie that binds
// the flow to the browser that started it.
type SSOStart struct {
	State, Browser, Nonce, Verifier string
}

// The lengths the flow's inputs may have (they come back from the browser).
const maxSSOSecret = 200

// BeginSSO starts a sign-in that returns to next (a local path; the edge
// checked it) through redirectURL, the callback address sent to the
// provider. The flow is kept in the database — never in this process's
// memory — so any instance can take the callback.
func (s *Service) BeginSSO(ctx context.Context, next, redirectURL string) (SSOStart, error) {
	if !s.SSOEnabled() {
		return SSOStart{}, persona.ErrNotFound("single sign-on")
	}
	var st SSOStart
	for _, p := range []*string{&st.State, &st.Browser, &st.Nonce, &st.Verifier} {
		v, err := randomSecret("")
		if err != nil {
			return SSOStart{}, err
		}
		*p = v // 256 bits, base64url: a valid PKCE verifier too (43 characters)
	}
	f := persona.SSOFlow{StateHash: hashToken(st.State), BrowserHash: hashToken(st.Browser), Nonce: st.Nonce, Verifier: st.Verifier,
		Next: next, RedirectURL: redirectURL, ExpiresAt: s.timestamp().Add(persona.SSOFlowLifetime)}
	if err := s.store.CreateSSOFlow(ctx, f); err != nil {
		return SSOStart{}, err
	}
	return st, nil
}

// FinishSSO takes the flow of a callback's state (once: a second callback
// with the same state finds nothing) and checks that browser, the
// callback's binding cookie, is the one that started it. Each refusal is a
// bad request saying what to do.
func (s *Service) FinishSSO(ctx context.Context, state, browser string) (persona.SSOFlow, error) {
	if !s.SSOEnabled() {
		return persona.SSOFlow{}, persona.ErrNotFound("single sign-on")
	}
	again := " Start again from the sign-in page."
	if state == "" || len(state) > maxSSOSecret {
		return persona.SSOFlow{}, persona.Errorf(persona.CodeBadRequest, "The answer from %s did not say which sign-in it belongs to.%s", s.SSOName(), again)
	}
	f, err := s.store.TakeSSOFlow(ctx, hashToken(state), s.timestamp())
	if persona.ErrorCode(err) == persona.CodeNotFound {
		return persona.SSOFlow{}, persona.Errorf(persona.CodeBadRequest,
			"This sign-in is unknown, was finished already or took longer than %d minutes.%s", int(persona.SSOFlowLifetime/time.Minute), again)
	}
	if err != nil {
		return persona.SSOFlow{}, err
	}
	if browser == "" || len(browser) > maxSSOSecret || subtle.ConstantTimeCompare([]byte(hashToken(browser)), []byte(f.BrowserHash)) != 1 {
		return persona.SSOFlow{}, persona.Errorf(persona.CodeBadRequest,
			"This sign-in was started in another browser, or this browser lost its cookie, so it was not finished.%s", again)
	}
	return f, nil
}

// ---- signing in ----

// SSOClaims is what the provider says about the person signing in, after
// the edge verified the ID token (signature, issuer, audience, expiry,
// nonce) and, for claims the ID token lacked, read the userinfo endpoint
// with the same subject.
type SSOClaims struct {
	Issuer        string
	Subject       string
	Email         string
	EmailVerified bool
	Name          string
}

// SSOSignIn is a finished single sign-on.
type SSOSignIn struct {
	Secret  string       // the new session's secret (the cookie value)
	User    persona.User // who signed in
	Created bool         // the account was made now
	Linked  bool         // the identity was linked to the account now
	// Joined are the organisations a domain mapping added the person to.
	Joined []persona.OrgMembership
}

// ssoActor is who domain mappings add members as, in the audit log.
var ssoActor = Actor{Email: "(single sign-on)", Name: "single sign-on"}

// SignInWithSSO signs in the person the verified claims describe (see the
// rules at the top of this file) and starts a session that records it was
// made by single sign-on. The account, its identity, its memberships by
// domain, the session and the security-log entries are written in one
// transaction: a refusal or failure leaves nothing behind.
func (s *Service) SignInWithSSO(ctx context.Context, c SSOClaims) (SSOSignIn, error) {
	if !s.SSOEnabled() {
		return SSOSignIn{}, persona.ErrNotFound("single sign-on")
	}
	name := s.SSOName()
	if c.Issuer != s.sso.issuer {
		return SSOSignIn{}, persona.Errorf(persona.CodeForbidden, "The sign-in came from another provider than %s.", name)
	}
	if c.Subject == "" || len(c.Subject) > 255 || persona.HasControl(c.Subject) {
		return SSOSignIn{}, persona.Errorf(persona.CodeBadRequest, "%s did not say who signed in.", name)
	}
	if strings.TrimSpace(c.Email) == "" {
		return SSOSignIn{}, persona.Errorf(persona.CodeForbidden,
			"%s did not give an e-mail address, so nobody was signed in. Persona Pal needs the address (the “email” scope).", name)
	}
	if !c.EmailVerified {
		return SSOSignIn{}, persona.Errorf(persona.CodeForbidden,
			"%s has not verified the address %s, so it cannot sign you in here. Verify the address there, then try again.", name, clip(c.Email, 100))
	}
	email, err := persona.ValidateEmail(c.Email)
	if err != nil {
		return SSOSignIn{}, persona.Errorf(persona.CodeForbidden, "%s gave an address Persona Pal cannot use, so nobody was signed in.", name)
	}
	display := strings.TrimSpace(c.Name)
	if display == "" || persona.LineProblem(display, 200) != "" {
		display, _, _ = strings.Cut(email, "@")
	}
	c.Email, c.Name = email, display

	var out SSOSignIn
	err = s.inOneTx(ctx, func(b *Service) error { return b.ssoSignIn(ctx, c, &out) })
	if persona.ErrorCode(err) == persona.CodeConflict {
		// Someone signed in with the same identity or address at the same
		// moment (a double click): the second attempt finds it.
		out = SSOSignIn{}
		err = s.inOneTx(ctx, func(b *Service) error { return b.ssoSignIn(ctx, c, &out) })
	}
	if err != nil {
		return SSOSignIn{}, err
	}
	forgetScope(ctx)
	return out, nil
}

// ssoSignIn is SignInWithSSO's transaction; s is bound to it.
func (s *Service) ssoSignIn(ctx context.Context, c SSOClaims, out *SSOSignIn) error {
	now := s.timestamp()
	name := s.SSOName()
	var u persona.User
	id, err := s.store.SSOIdentity(ctx, c.Issuer, c.Subject)
	switch persona.ErrorCode(err) {
	case "":
		if err != nil {
			return err
		}
		if u, err = s.store.UserByID(ctx, id.UserID); err != nil {
			return err
		}
		if err := s.store.TouchSSOIdentity(ctx, c.Issuer, c.Subject, c.Email, now); err != nil {
			return err
		}
	case persona.CodeNotFound:
		u, err = s.store.UserByEmail(ctx, c.Email)
		switch persona.ErrorCode(err) {
		case "":
			if err != nil {
				return err
			}
			// The account exists (perhaps with a password): the verified
			// address links it, unless it is linked to someone else there.
			switch linked, err := s.store.SSOIdentityOfUser(ctx, u.ID, c.Issuer); persona.ErrorCode(err) {
			case "":
				if err != nil {
					return err
				}
				if linked.Subject == c.Subject {
					// Linked by a sign-in that committed between our two
					// reads: the retry finds it by its subject.
					return persona.Errorf(persona.CodeConflict, "signed in at the same moment")
				}
				return persona.Errorf(persona.CodeForbidden,
					"The Persona Pal account for %s is linked to another person at %s, so nobody was signed in. Ask an administrator.", c.Email, name)
			case persona.CodeNotFound:
			default:
				return err
			}
		case persona.CodeNotFound:
			allowed, err := s.signupAllows(ctx, c.Email)
			if err != nil {
				return err
			}
			if !allowed {
				return persona.Errorf(persona.CodeForbidden,
					"No Persona Pal account uses %s, and this server does not let new accounts be made with it. Ask an administrator of your organisation to invite you, then sign in with %s again.",
					c.Email, name)
			}
			// No password: single sign-on only; the provider verified the address.
			u = persona.User{ID: newID(), Email: c.Email, Name: c.Name, CreatedAt: now, EmailVerifiedAt: &now}
			if err := s.store.CreateUser(ctx, u); err != nil {
				return err
			}
			out.Created = true
		default:
			return err
		}
		link := persona.SSOIdentity{Issuer: c.Issuer, Subject: c.Subject, UserID: u.ID, Email: c.Email, CreatedAt: now, LastUsedAt: now}
		if err := s.store.LinkSSOIdentity(ctx, link); err != nil {
			return err
		}
		out.Linked = true
	default:
		return err
	}

	joined, err := s.ssoDomainJoins(ctx, u, c.Email)
	if err != nil {
		return err
	}
	data, err := json.Marshal(sessionData{SSO: c.Issuer})
	if err != nil {
		return err
	}
	secret, err := s.startSessionWith(ctx, u, data)
	if err != nil {
		return err
	}
	if out.Linked {
		summary := "Single sign-on with " + name + " linked to this account (" + c.Email + ")"
		if out.Created {
			summary = "Account created with single sign-on (" + name + ", " + c.Email + ")"
		}
		if err := s.store.AppendSecurityEvent(ctx, s.securityEvent(ctx, u.ID, persona.SecuritySSOLinked, summary)); err != nil {
			return err
		}
	}
	if err := s.store.AppendSecurityEvent(ctx, s.securityEvent(ctx, u.ID, persona.SecuritySignInSSO, "Signed in with "+name)); err != nil {
		return err
	}
	*out = SSOSignIn{Secret: secret, User: u, Created: out.Created, Linked: out.Linked, Joined: joined}
	return nil
}

// ssoDomainJoins adds u to every organisation that maps the domain of
// email (the provider-verified address) and has not applied its mapping to
// u before; each addition is an "add member" in that organisation's log.
// s is bound to the sign-in's transaction.
func (s *Service) ssoDomainJoins(ctx context.Context, u persona.User, email string) ([]persona.OrgMembership, error) {
	matches, err := s.store.SSODomainOrgs(ctx, persona.EmailDomain(email))
	if err != nil {
		return nil, err
	}
	var joined []persona.OrgMembership
	for _, m := range matches {
		if err := s.store.LockOrg(ctx, m.OrgID); err != nil {
			return nil, err
		}
		fresh, err := s.store.RecordSSOJoin(ctx, m.OrgID, u.ID, s.timestamp())
		if err != nil {
			return nil, err
		}
		if !fresh {
			continue // applied before: a removal stays
		}
		switch _, err := s.store.GetMember(ctx, m.OrgID, u.ID); persona.ErrorCode(err) {
		case "":
			if err != nil {
				return nil, err
			}
			continue // a member already
		case persona.CodeNotFound:
		default:
			return nil, err
		}
		now := s.timestamp()
		member := persona.Member{OrgID: m.OrgID, UserID: u.ID, Email: u.Email, Name: u.Name, Role: m.Role, CreatedAt: now}
		entry := s.entry(m.OrgID, ssoActor, "add", "member", u.ID,
			u.Email+" as "+string(m.Role)+", by the e-mail domain "+m.Domain+" (single sign-on as "+email+")")
		if err := s.inTx(ctx, entry, func(tx Store) error { return tx.AddMember(ctx, member) }); err != nil {
			return nil, err
		}
		joined = append(joined, persona.OrgMembership{Org: persona.Org{ID: m.OrgID, Slug: m.OrgSlug, Name: m.OrgName}, Role: m.Role})
	}
	return joined, nil
}

// sessionData is what a session records beyond its user (Session.Data).
type sessionData struct {
	// SSO is the issuer the session signed in with; "" for a password.
	SSO string `json:"sso,omitempty"`
}

// sessionSSO reports whether a session signed in with the configured
// single sign-on (a session of a provider configured before is not).
func (s *Service) sessionSSO(data []byte) bool {
	if s.sso.issuer == "" || len(data) <= 2 {
		return false
	}
	var d sessionData
	return json.Unmarshal(data, &d) == nil && d.SSO == s.sso.issuer
}

// actorSSO reports whether the actor signed in with the configured single
// sign-on: a browser session that did, or an API token created in such a
// session (or by such a token).
func (s *Service) actorSSO(ctx context.Context, actor Actor) (bool, error) {
	if actor.SSO || s.sso.issuer == "" || actor.TokenID == "" {
		return actor.SSO && s.sso.issuer != "", nil
	}
	issuer, err := s.store.TokenSSOIssuer(ctx, actor.TokenID)
	return issuer != "" && issuer == s.sso.issuer, err
}

// markTokenSSO records, in the token's creation transaction, that a token
// made by actor was made in a single sign-on session.
func (s *Service) markTokenSSO(ctx context.Context, tx Store, actor Actor, tokenID string) error {
	ok, err := s.actorSSO(ctx, actor)
	if err != nil || !ok {
		return err
	}
	return tx.MarkTokenSSO(ctx, tokenID, s.sso.issuer)
}

// checkSSO refuses a member of an organisation that requires single
// sign-on whose session (or token) did not sign in with it. memo, when
// set, remembers a pass for the rest of the request.
func (s *Service) checkSSO(ctx context.Context, actor Actor, org persona.Org, memo *scopeMemo) error {
	if actor.System || (actor.SSO && s.sso.issuer != "") || (memo != nil && memo.valid && memo.ssoOK) {
		return nil
	}
	required, err := s.store.OrgRequiresSSO(ctx, org.ID)
	if err != nil {
		return err
	}
	ok := !required
	if required {
		if ok, err = s.actorSSO(ctx, actor); err != nil {
			return err
		}
	}
	if ok {
		if memo != nil && memo.valid {
			memo.ssoOK = true
		}
		return nil
	}
	switch {
	case !s.SSOEnabled():
		return persona.Errorf(persona.CodeSSORequired,
			"%s requires its members to sign in with single sign-on, but this server has none configured. Ask its operator.", org.Name)
	case actor.TokenID != "":
		return persona.Errorf(persona.CodeSSORequired,
			"%s requires single sign-on: use an API token created while signed in with %s.", org.Name, s.SSOName())
	}
	return persona.Errorf(persona.CodeSSORequired,
		"%s requires its members to sign in with %s; this browser signed in with a password.", org.Name, s.SSOName())
}

// ---- organisation settings ----

// OrgSSOSettings is an organisation's single sign-on settings as its
// admins see them.
type OrgSSOSettings struct {
	persona.OrgSSO
	// Available: this server has single sign-on configured.
	Available bool
	// Provider is how pages call it.
	Provider string
	// SSOSession: the caller signed in with single sign-on (needed to
	// turn the requirement on).
	SSOSession bool
}

// GetOrgSSO returns the organisation's settings (admins).
func (s *Service) GetOrgSSO(ctx context.Context, actor Actor, slug string) (OrgSSOSettings, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleAdmin)
	if err != nil {
		return OrgSSOSettings{}, err
	}
	return s.orgSSOSettings(ctx, actor, org.ID)
}

func (s *Service) orgSSOSettings(ctx context.Context, actor Actor, orgID string) (OrgSSOSettings, error) {
	o, err := s.store.OrgSSO(ctx, orgID)
	if err != nil {
		return OrgSSOSettings{}, err
	}
	mine, err := s.actorSSO(ctx, actor)
	if err != nil {
		return OrgSSOSettings{}, err
	}
	return OrgSSOSettings{OrgSSO: o, Available: s.SSOEnabled(), Provider: s.SSOName(), SSOSession: mine || actor.System}, nil
}

// AddSSODomain maps an e-mail domain to automatic membership with role
// (viewer or editor) at single sign-on (admins). An admin maps only the
// domain of their own account's address: an organisation cannot claim
// the people of a domain it does not belong to.
func (s *Service) AddSSODomain(ctx context.Context, actor Actor, slug, domain string, role persona.Role) (persona.SSODomain, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleAdmin)
	if err != nil {
		return persona.SSODomain{}, err
	}
	var fields []persona.FieldError
	d, err := persona.ValidateSSODomain(domain)
	if err != nil {
		fields = append(fields, persona.FieldError{Field: "domain", Message: err.Error()})
	}
	if role != persona.RoleViewer && role != persona.RoleEditor {
		fields = append(fields, persona.FieldError{Field: "role", Message: "must be viewer or editor (admins and owners are made by hand)"})
	}
	by := "(command line)"
	if !actor.System {
		me, err := s.store.UserByID(ctx, actor.UserID)
		if err != nil {
			return persona.SSODomain{}, err
		}
		by = me.Email
		if own := persona.EmailDomain(me.Email); d != "" && d != own {
			fields = append(fields, persona.FieldError{Field: "domain",
				Message: "must be the domain of your own address (" + own + "): an organisation maps only a domain its admin belongs to"})
		}
	}
	if err := persona.Invalid("invalid domain", fields); err != nil {
		return persona.SSODomain{}, err
	}
	m := persona.SSODomain{OrgID: org.ID, Domain: d, Role: role, CreatedAt: s.timestamp(), CreatedBy: by}
	entry := s.entry(org.ID, actor, "add", "sso domain", d, d+" → "+string(role))
	if err := s.inTx(ctx, entry, func(tx Store) error { return tx.AddSSODomain(ctx, m) }); err != nil {
		if persona.ErrorCode(err) == persona.CodeConflict {
			return persona.SSODomain{}, &persona.Error{Code: persona.CodeConflict, Message: d + " is mapped already",
				Fields: []persona.FieldError{{Field: "domain", Message: "is mapped already; remove it first to change its role"}}}
		}
		return persona.SSODomain{}, err
	}
	return m, nil
}

// RemoveSSODomain removes a domain mapping (admins). People it added stay
// members.
func (s *Service) RemoveSSODomain(ctx context.Context, actor Actor, slug, domain string) error {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleAdmin)
	if err != nil {
		return err
	}
	d := strings.ToLower(strings.TrimSpace(domain))
	if len(d) > 253 || d == "" {
		return persona.ErrNotFound("domain")
	}
	return s.inTx(ctx, s.entry(org.ID, actor, "remove", "sso domain", d, d), func(tx Store) error {
		return tx.RemoveSSODomain(ctx, org.ID, d)
	})
}

// SetSSORequired makes the organisation require single sign-on of its
// members, or stop requiring it (admins). Turning it on needs a server
// with single sign-on configured and a caller signed in with it, so that
// whoever turns it on keeps access. Setting what is already set changes
// nothing.
func (s *Service) SetSSORequired(ctx context.Context, actor Actor, slug string, required bool) (OrgSSOSettings, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleAdmin)
	if err != nil {
		return OrgSSOSettings{}, err
	}
	cur, err := s.store.OrgSSO(ctx, org.ID)
	if err != nil {
		return OrgSSOSettings{}, err
	}
	if cur.Required() != required {
		var at *time.Time
		summary := "required for members: off"
		if required {
			if !s.SSOEnabled() {
				return OrgSSOSettings{}, persona.Invalid("single sign-on is not configured", []persona.FieldError{{Field: "require_sso",
					Message: "cannot be turned on: this server has no single sign-on configured"}})
			}
			mine, err := s.actorSSO(ctx, actor)
			if err != nil {
				return OrgSSOSettings{}, err
			}
			if !mine && !actor.System {
				return OrgSSOSettings{}, persona.Errorf(persona.CodeForbidden,
					"Sign in with %s first: single sign-on can be required only from a session that signed in with it, so that you keep access.", s.SSOName())
			}
			now := s.timestamp()
			at, summary = &now, "required for members: on"
		}
		forgetScope(ctx)
		err = s.inTx(ctx, s.entry(org.ID, actor, "update", "single sign-on", org.ID, summary), func(tx Store) error {
			return tx.SetOrgSSORequired(ctx, org.ID, at)
		})
		if err != nil {
			return OrgSSOSettings{}, err
		}
	}
	return s.orgSSOSettings(ctx, actor, org.ID)
}

// DeleteExpiredSSOFlows sweeps sign-ins that were never finished.
func (s *Service) DeleteExpiredSSOFlows(ctx context.Context) (int64, error) {
	return s.store.DeleteExpiredSSOFlows(ctx, s.timestamp())
}

// ---- sign-up policy ----

// signupAllows decides whether a verified address with no account may get
// one at its first single sign-on: as the server's sign-up policy allows
// (AllowsSignup: open sign-up, its domains, or a pending invitation), or —
// unless sign-up is closed — when an organisation maps the address's
// domain to automatic membership (AddSSODomain), a standing invitation.
func (s *Service) signupAllows(ctx context.Context, email string) (bool, error) {
	ok, err := s.AllowsSignup(ctx, email)
	if err != nil || ok || s.signup.Mode == persona.SignupClosed {
		return ok, err
	}
	orgs, err := s.store.SSODomainOrgs(ctx, persona.EmailDomain(email))
	return len(orgs) > 0, err
}
