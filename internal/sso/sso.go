// Package sso is Persona Pal's OpenID Connect relying party: it sends a
// browser to the provider the operator configured (serve --oidc-issuer)
// with the authorisation code flow — state, nonce and a PKCE (S256)
// challenge — and, on the way back, exchanges the code with the PKCE
// verifier and verifies the ID token with go-oidc (signature against the
// provider's published keys, issuer, audience, expiry and the nonce). It
// keeps no per-sign-in state: the application layer stores each flow in the
// database (app.Service.BeginSSO), so any instance can take the callback.
//
// The provider's discovery document and keys are fetched on first use and
// kept (go-oidc refreshes the keys when it meets an unknown key ID); a
// provider that cannot be reached at start-up is tried again at the next
// sign-in.
package sso

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// Config is the provider's configuration (serve's --oidc-* flags).
type Config struct {
	// Issuer is the provider's issuer URL, exactly as its ID tokens carry
	// it (trailing slash included when it has one).
	Issuer       string
	ClientID     string
	ClientSecret string // empty for a public client (PKCE alone)
	// Name labels the button: "Sign in with <Name>".
	Name string
	// HTTPClient talks to the provider; nil uses one with a 10 s timeout.
	HTTPClient *http.Client
}

// DefaultName is the button's label when no name is configured.
const DefaultName = "single sign-on"

// Provider is the configured OpenID provider.
type Provider struct {
	cfg    Config
	client *http.Client

	mu sync.Mutex
	// Set by the first successful discovery.
	op       *oidc.Provider
	verifier *oidc.IDTokenVerifier
	style    oauth2.AuthStyle
}

// New checks cfg and returns the provider; it does not contact it
// (Discover does). The issuer must be an https URL, or http on a loopback
// address (a provider on the same machine, tests).
func New(cfg Config) (*Provider, error) {
	cfg.Issuer = strings.TrimSpace(cfg.Issuer)
	cfg.ClientID = strings.TrimSpace(cfg.ClientID)
	cfg.Name = strings.TrimSpace(cfg.Name)
	if cfg.Name == "" {
		cfg.Name = DefaultName
	}
	if msg := persona.LineProblem(cfg.Name, 60); msg != "" {
		return nil, fmt.Errorf("the provider's name %s", msg)
	}
	if err := checkIssuer(cfg.Issuer); err != nil {
		return nil, err
	}
	if cfg.ClientID == "" {
		return nil, errors.New("a client ID is required")
	}
	client := cfg.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	return &Provider{cfg: cfg, client: client}, nil
}

func checkIssuer(issuer string) error {
	u, err := url.Parse(issuer)
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("the issuer %q is not a URL such as https://login.example.com", issuer)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		host := u.Hostname()
		if ip := net.ParseIP(host); (ip != nil && ip.IsLoopback()) || host == "localhost" {
			return nil
		}
		return fmt.Errorf("the issuer %q must use https (plain http is accepted only on a loopback address)", issuer)
	}
	return fmt.Errorf("the issuer %q must be an https URL", issuer)
}

// Issuer is the configured issuer URL.
func (p *Provider) Issuer() string { return p.cfg.Issuer }

// Name is the provider's label.
func (p *Provider) Name() string { return p.cfg.Name }

// Discover fetches the provider's discovery document, once it succeeds.
func (p *Provider) Discover(ctx context.Context) error {
	_, err := p.provider(ctx)
	return err
}

func (p *Provider) provider(ctx context.Context) (*oidc.Provider, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.op != nil {
		return p.op, nil
	}
	op, err := oidc.NewProvider(oidc.ClientContext(ctx, p.client), p.cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("discover the OpenID provider %s: %w", p.cfg.Issuer, err)
	}
	var meta struct {
		AuthMethods []string `json:"token_endpoint_auth_methods_supported"`
	}
	_ = op.Claims(&meta)
	// client_secret_basic is the default (OpenID Connect Discovery);
	// a provider that supports only client_secret_post gets the secret in
	// the form, and a public client sends its ID there too.
	p.style = oauth2.AuthStyleInHeader
	if p.cfg.ClientSecret == "" || (len(meta.AuthMethods) > 0 && !slices.Contains(meta.AuthMethods, "client_secret_basic") &&
		slices.Contains(meta.AuthMethods, "client_secret_post")) {
		p.style = oauth2.AuthStyleInParams
	}
	p.verifier = op.VerifierContext(oidc.ClientContext(context.WithoutCancel(ctx), p.client), &oidc.Config{ClientID: p.cfg.ClientID})
	p.op = op
	return op, nil
}

func (p *Provider) oauth(op *oidc.Provider, redirectURL string) *oauth2.Config {
	ep := op.Endpoint()
	ep.AuthStyle = p.style
	return &oauth2.Config{ClientID: p.cfg.ClientID, ClientSecret: p.cfg.ClientSecret, Endpoint: ep, RedirectURL: redirectURL,
		Scopes: []string{oidc.ScopeOpenID, "email", "profile"}}
}

// unreachable is the error of a provider that does not answer.
func (p *Provider) unreachable(err error) error {
	return &persona.Error{Code: persona.CodeUnavailable, Err: err,
		Message: fmt.Sprintf("%s cannot be reached just now, so nobody was signed in. Try again in a minute.", p.cfg.Name)}
}

// AuthCodeURL is the provider's authorisation address for a new flow: the
// authorisation code flow with state, nonce and the S256 challenge of
// verifier, returning to redirectURL.
func (p *Provider) AuthCodeURL(ctx context.Context, redirectURL, state, nonce, verifier string) (string, error) {
	op, err := p.provider(ctx)
	if err != nil {
		return "", p.unreachable(err)
	}
	return p.oauth(op, redirectURL).AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), nil
}

// Exchange trades the callback's code for tokens (sending the PKCE
// verifier and the same redirect address), verifies the ID token and its
// nonce, and returns the claims. E-mail claims the ID token lacks are read
// from the userinfo endpoint, whose subject must be the ID token's.
// A refusal (a tampered or used code, a wrong verifier or nonce, a bad
// token) is a bad request; a provider that does not answer is unavailable.
func (p *Provider) Exchange(ctx context.Context, redirectURL, code, verifier, nonce string) (app.SSOClaims, error) {
	refused := func(why string, err error) error {
		return &persona.Error{Code: persona.CodeBadRequest, Err: err,
			Message: fmt.Sprintf("%s did not confirm this sign-in (%s), so nobody was signed in. Start again from the sign-in page.", p.cfg.Name, why)}
	}
	if code == "" || len(code) > 2000 {
		return app.SSOClaims{}, refused("no code came back", nil)
	}
	op, err := p.provider(ctx)
	if err != nil {
		return app.SSOClaims{}, p.unreachable(err)
	}
	ctx = oidc.ClientContext(ctx, p.client)
	tok, err := p.oauth(op, redirectURL).Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			return app.SSOClaims{}, refused("the code was refused", err)
		}
		return app.SSOClaims{}, p.unreachable(err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return app.SSOClaims{}, refused("no ID token came back", nil)
	}
	idt, err := p.verifier.Verify(ctx, raw)
	if err != nil {
		return app.SSOClaims{}, refused("its ID token did not verify", err)
	}
	if idt.Nonce == "" || idt.Nonce != nonce {
		return app.SSOClaims{}, refused("its ID token was issued for another sign-in", nil)
	}
	var claims struct {
		Email         string          `json:"email"`
		EmailVerified json.RawMessage `json:"email_verified"`
		Name          string          `json:"name"`
		Preferred     string          `json:"preferred_username"`
	}
	if err := idt.Claims(&claims); err != nil {
		return app.SSOClaims{}, refused("its ID token could not be read", err)
	}
	c := app.SSOClaims{Issuer: idt.Issuer, Subject: idt.Subject, Email: claims.Email, EmailVerified: truthy(claims.EmailVerified),
		Name: firstNonEmpty(claims.Name, claims.Preferred)}
	if c.Email == "" && op.UserInfoEndpoint() != "" {
		info, err := op.UserInfo(ctx, oauth2.StaticTokenSource(tok))
		if err != nil {
			return app.SSOClaims{}, p.unreachable(err)
		}
		if info.Subject != idt.Subject {
			return app.SSOClaims{}, refused("its user information is about someone else", nil)
		}
		var extra struct {
			Name      string `json:"name"`
			Preferred string `json:"preferred_username"`
		}
		_ = info.Claims(&extra)
		c.Email, c.EmailVerified = info.Email, info.EmailVerified
		if c.Name == "" {
			c.Name = firstNonEmpty(extra.Name, extra.Preferred)
		}
	}
	return c, nil
}

// truthy reads email_verified, which some providers send as a string.
func truthy(raw json.RawMessage) bool {
	var b bool
	if json.Unmarshal(raw, &b) == nil {
		return b
	}
	var s string
	return json.Unmarshal(raw, &s) == nil && strings.EqualFold(s, "true")
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}
