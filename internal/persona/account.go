package persona

import (
	"crypto/rand"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Self-service accounts: API token scopes, the sign-up policy, first-run
// setup codes and a readable name for a browser.

// TokenScope is what an API token may do.
type TokenScope string

// The scopes of an API token.
const (
	// ScopeRead tokens read: every write they send is refused (403).
	ScopeRead TokenScope = "read"
	// ScopeWrite tokens read and write with their owner's roles.
	ScopeWrite TokenScope = "write"
)

// Valid reports whether s is a known scope.
func (s TokenScope) Valid() bool { return s == ScopeRead || s == ScopeWrite }

// Label is the scope in words.
func (s TokenScope) Label() string {
	if s == ScopeRead {
		return "read-only"
	}
	return "read and write"
}

// MaxTokenLifetime bounds an API token's expiry.
const MaxTokenLifetime = 10 * 365 * 24 * time.Hour

// ---- sign-up ----

// SignupMode says who may create an account on the sign-up page.
type SignupMode string

// The sign-up modes.
const (
	// SignupClosed: nobody; operators create accounts (personapal user
	// create), and there is no sign-up page.
	SignupClosed SignupMode = "closed"
	// SignupInvite (the default): only addresses with a pending
	// invitation.
	SignupInvite SignupMode = "invite"
	// SignupOpen: anyone, or with domains, addresses at those domains
	// (and invited addresses).
	SignupOpen SignupMode = "open"
)

// SignupPolicy is the server's sign-up configuration.
type SignupPolicy struct {
	Mode SignupMode
	// Domains limit open sign-up to addresses at these domains (exact
	// match, lower case); empty: any domain.
	Domains []string
}

// VerificationLifetime is how long a sign-up's verification link works.
const VerificationLifetime = 24 * time.Hour

// ParseSignupPolicy checks a mode and its domains (the --signup and
// --signup-domains flags). Domains need mode open.
func ParseSignupPolicy(mode string, domains []string) (SignupPolicy, error) {
	p := SignupPolicy{Mode: SignupMode(strings.ToLower(strings.TrimSpace(mode)))}
	if p.Mode == "" {
		p.Mode = SignupInvite
	}
	switch p.Mode {
	case SignupClosed, SignupInvite, SignupOpen:
	default:
		return SignupPolicy{}, fmt.Errorf("sign-up mode %q: use closed, invite or open", mode)
	}
	for _, d := range domains {
		for _, part := range strings.Split(d, ",") {
			part = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(part), "@")))
			if part == "" {
				continue
			}
			if _, err := ValidateEmail("someone@" + part); err != nil || strings.ContainsAny(part, "@/") {
				return SignupPolicy{}, fmt.Errorf("sign-up domain %q is not a domain name such as example.com", part)
			}
			if !slices.Contains(p.Domains, part) {
				p.Domains = append(p.Domains, part)
			}
		}
	}
	if len(p.Domains) > 0 && p.Mode != SignupOpen {
		return SignupPolicy{}, fmt.Errorf("sign-up domains limit open sign-up: they need the open mode (it is %s)", p.Mode)
	}
	return p, nil
}

// DomainAllowed reports whether open sign-up takes the (valid,
// lower-cased) address: the mode is open and the address's domain is one
// of the domains, or there are none.
func (p SignupPolicy) DomainAllowed(email string) bool {
	if p.Mode != SignupOpen {
		return false
	}
	if len(p.Domains) == 0 {
		return true
	}
	at := strings.LastIndexByte(email, '@')
	return at >= 0 && slices.Contains(p.Domains, strings.ToLower(email[at+1:]))
}

// DomainList is the domains as a sentence ("a.com, b.org and c.net").
func (p SignupPolicy) DomainList() string {
	switch n := len(p.Domains); n {
	case 0:
		return ""
	case 1:
		return p.Domains[0]
	default:
		return strings.Join(p.Domains[:n-1], ", ") + " and " + p.Domains[n-1]
	}
}

// ---- first-run setup ----

// setupAlphabet is Crockford's base32: no I, L, O or U, so a code read
// off a console is typed back without confusion.
const setupAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// SetupCodeGroups and SetupCodeGroupLen shape a setup code: 7 groups of 4
// characters, 28 × 5 = 140 random bits.
const (
	SetupCodeGroups   = 7
	SetupCodeGroupLen = 4
)

// NewSetupCode returns a random first-run setup code, such as
// "7K2Q-M9XD-…", of 140 bits.
func NewSetupCode() (string, error) {
	n := SetupCodeGroups * SetupCodeGroupLen
	buf := make([]byte, n)
	if _, err := rand.Read(buf); err != nil {
		return "", err
	}
	var b strings.Builder
	for i, c := range buf {
		if i > 0 && i%SetupCodeGroupLen == 0 {
			b.WriteByte('-')
		}
		b.WriteByte(setupAlphabet[c&31]) // 256 is a multiple of 32: uniform
	}
	return b.String(), nil
}

// NormalizeSetupCode reads a typed setup code: case, spaces and hyphens do
// not matter, and the letters Crockford's alphabet leaves out read as the
// digits they look like (O as 0, I and L as 1). It returns "" for anything
// that cannot be a code.
func NormalizeSetupCode(s string) string {
	if len(s) > 200 {
		return ""
	}
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == ' ' || r == '-' || r == '\t':
			continue
		case r == 'O':
			r = '0'
		case r == 'I' || r == 'L':
			r = '1'
		}
		if !strings.ContainsRune(setupAlphabet, r) {
			return ""
		}
		b.WriteRune(r)
	}
	if b.Len() != SetupCodeGroups*SetupCodeGroupLen {
		return ""
	}
	return b.String()
}

// ---- browsers ----

// BrowserName is a short, readable form of a User-Agent: "Firefox on
// Linux", "Chrome on Android", "Safari on iPhone", "curl". It names only
// what it recognises ("Unknown browser" otherwise) and never echoes the
// header's text, which is the client's to write.
func BrowserName(ua string) string {
	if strings.TrimSpace(ua) == "" {
		return "Unknown browser"
	}
	browser := ""
	for _, b := range []struct{ token, name string }{
		{"Edg/", "Edge"}, {"EdgA/", "Edge"}, {"EdgiOS/", "Edge"}, {"OPR/", "Opera"}, {"Vivaldi/", "Vivaldi"},
		{"SamsungBrowser/", "Samsung Internet"}, {"Firefox/", "Firefox"}, {"FxiOS/", "Firefox"},
		{"CriOS/", "Chrome"}, {"HeadlessChrome/", "Headless Chrome"}, {"Chromium/", "Chromium"}, {"Chrome/", "Chrome"},
		{"Safari/", "Safari"}, {"curl/", "curl"}, {"Wget/", "Wget"}, {"python-requests/", "Python requests"},
		{"Go-http-client/", "Go HTTP client"},
	} {
		if strings.Contains(ua, b.token) {
			browser = b.name
			break
		}
	}
	system := ""
	for _, s := range []struct{ token, name string }{
		{"iPhone", "iPhone"}, {"iPad", "iPad"}, {"Android", "Android"}, {"CrOS", "ChromeOS"},
		{"Windows", "Windows"}, {"Mac OS X", "macOS"}, {"Macintosh", "macOS"}, {"Linux", "Linux"},
	} {
		if strings.Contains(ua, s.token) {
			system = s.name
			break
		}
	}
	switch {
	case browser == "" && system == "":
		return "Unknown browser"
	case browser == "":
		return "A browser on " + system
	case system == "":
		return browser
	}
	return browser + " on " + system
}
