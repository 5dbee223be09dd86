package persona

import (
	"strings"
	"time"
)

// Single sign-on with an OpenID Connect provider the operator configured
// (serve --oidc-issuer). People are matched by the e-mail address the
// provider says it has verified, or by the provider's stable subject once
// an identity is linked; an organisation may map e-mail domains to
// automatic membership and may require its members to have signed in with
// single sign-on.

// SSOIdentity links a user of the provider (issuer, subject) to an
// account. An account has at most one identity per issuer.
type SSOIdentity struct {
	Issuer     string
	Subject    string
	UserID     string
	Email      string // the verified address the provider gave when last used
	CreatedAt  time.Time
	LastUsedAt time.Time
}

// SSOFlow is a sign-in in progress, kept in the database between the
// redirect to the provider and its callback (so any instance can take the
// callback). Only hashes of the state and of the browser's binding secret
// are stored; the nonce and the PKCE verifier are needed in clear to finish
// the flow, which is single use and expires after SSOFlowLifetime.
type SSOFlow struct {
	StateHash   string
	BrowserHash string
	Nonce       string
	Verifier    string
	Next        string // where to go after signing in (a local path)
	RedirectURL string // the redirect_uri sent to the provider
	ExpiresAt   time.Time
}

// SSOFlowLifetime is how long a sign-in may take at the provider.
const SSOFlowLifetime = 10 * time.Minute

// OrgSSO is an organisation's single sign-on settings.
type OrgSSO struct {
	// RequiredAt is when the organisation began to require single sign-on
	// of its members; nil when it does not.
	RequiredAt *time.Time
	Domains    []SSODomain
}

// Required reports whether the organisation requires single sign-on.
func (o OrgSSO) Required() bool { return o.RequiredAt != nil }

// SSODomain maps an e-mail domain to automatic membership: a person whose
// provider-verified address is at Domain joins the organisation with Role
// the first time they sign in with single sign-on.
type SSODomain struct {
	OrgID     string    `json:"-"`
	Domain    string    `json:"domain"`
	Role      Role      `json:"role" enum:"viewer,editor"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by,omitempty" doc:"The e-mail address of the admin who added it"`
}

// SSODomainMatch is an organisation whose domain mapping matches an
// address.
type SSODomainMatch struct {
	OrgID, OrgSlug, OrgName string
	Domain                  string
	Role                    Role
}

// SSODomainRoles are the roles a domain mapping may give: admins and
// owners are made by hand.
var SSODomainRoles = []Role{RoleViewer, RoleEditor}

// ValidateSSODomain normalises an e-mail domain for a mapping: lower-case
// ASCII letters, digits and hyphens in at least two dot-separated labels
// (no wildcard, no "@"). A leading "@" is dropped.
func ValidateSSODomain(s string) (string, error) {
	d := strings.ToLower(strings.TrimSpace(s))
	d = strings.TrimPrefix(d, "@")
	bad := &Error{Code: CodeInvalid, Message: "must be an e-mail domain such as example.com (letters, digits, hyphens and dots)"}
	if d == "" {
		return "", &Error{Code: CodeInvalid, Message: "is required"}
	}
	if len(d) > 253 {
		return "", bad
	}
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		return "", bad
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || strings.HasPrefix(l, "-") || strings.HasSuffix(l, "-") {
			return "", bad
		}
		for _, r := range l {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				return "", bad
			}
		}
	}
	return d, nil
}

// EmailDomain is the domain of a (normalised) e-mail address, "" when it
// has none.
func EmailDomain(email string) string {
	i := strings.LastIndexByte(email, '@')
	if i < 0 {
		return ""
	}
	return strings.ToLower(email[i+1:])
}
