package persona

import "time"

// SecurityEvent is one entry of a user's own security log: something that
// happened to their account (a sign-in, a failed one, an API token, a
// password change, signing out everywhere). It belongs to the user alone:
// no organisation's audit log ever holds it.
type SecurityEvent struct {
	Seq       int64     `json:"seq"`
	UserID    string    `json:"-"`
	At        time.Time `json:"at"`
	Kind      string    `json:"kind" enum:"sign_in,sign_in_failed,sign_out_everywhere,token_created,token_revoked,password_changed,password_reset,sign_in_sso,sso_linked,account_created,email_verified,session_revoked,name_changed,operator_granted,operator_withdrawn,password_reset_requested,email_change_requested,email_change_cancelled,email_changed"`
	Summary   string    `json:"summary" doc:"What happened, in a sentence"`
	Client    string    `json:"client_address,omitempty" doc:"The client's address as the server saw it"`
	UserAgent string    `json:"user_agent,omitempty" doc:"The client's User-Agent, shortened"`
}

// The kinds of security event.
const (
	SecuritySignIn            = "sign_in"
	SecuritySignInFailed      = "sign_in_failed"
	SecuritySignOutEverywhere = "sign_out_everywhere"
	SecurityTokenCreated      = "token_created"
	SecurityTokenRevoked      = "token_revoked"
	SecurityPasswordChanged   = "password_changed"
	SecurityPasswordReset     = "password_reset"
	// SecuritySignInSSO is a sign-in with single sign-on (OpenID Connect).
	SecuritySignInSSO = "sign_in_sso"
	// SecuritySSOLinked: an identity at the OpenID provider was linked to
	// the account (its first single sign-on).
	SecuritySSOLinked = "sso_linked"
	// Self-service accounts: made by first-run setup or sign-up, the
	// sign-up's address verified, one browser session (or every other)
	// ended, the name changed.
	SecurityAccountCreated = "account_created"
	SecurityEmailVerified  = "email_verified"
	SecuritySessionRevoked = "session_revoked"
	SecurityNameChanged    = "name_changed"
	// The account was made an operator of the instance, or no longer is.
	SecurityOperatorGranted   = "operator_granted"
	SecurityOperatorWithdrawn = "operator_withdrawn"
	// A password-reset link was sent to the account's address (the reset
	// itself is SecurityPasswordReset).
	SecurityPasswordResetRequested = "password_reset_requested"
	// An e-mail change: asked for (a link went to the new address, a
	// notice to the old one), cancelled, or confirmed with the link.
	SecurityEmailChangeRequested = "email_change_requested"
	SecurityEmailChangeCancelled = "email_change_cancelled"
	SecurityEmailChanged         = "email_changed"
)

// Bounds of a security event's texts: the user agent is the client's to
// write (a failed sign-in records it too), so it is kept short.
const (
	MaxSecuritySummary   = 500
	MaxSecurityUserAgent = 200
	MaxSecurityClient    = 100
)
