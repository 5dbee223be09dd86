package persona

import "time"

// Invitations are how people join an organisation: an admin invites an
// email address with a role, and the person with that address accepts (or
// declines) after signing in. Nobody is added to an organisation without
// accepting. The answer to "invite" is the same whether or not the address
// has an account, so inviting cannot be used to find out who has one.

// InvitationLifetime is how long an invitation can be accepted.
const InvitationLifetime = 7 * 24 * time.Hour

// InvitationStatus is where an invitation stands. Only a pending one can be
// accepted or declined.
type InvitationStatus string

const (
	InvitationPending  InvitationStatus = "pending"
	InvitationExpired  InvitationStatus = "expired"
	InvitationAccepted InvitationStatus = "accepted"
	InvitationDeclined InvitationStatus = "declined"
	InvitationRevoked  InvitationStatus = "revoked"
)

// Invitation invites an email address into an organisation with a role.
type Invitation struct {
	OrgID string `json:"-"`
	ID    string `json:"id"`
	// Email is the invited address, normalised (ValidateEmail).
	Email string `json:"email"`
	Role  Role   `json:"role"`
	// InvitedBy is the inviting user's ID ("" for the command line); the
	// name and email are read with it, for display.
	InvitedBy      string `json:"invited_by_id"`
	InvitedByName  string `json:"invited_by_name"`
	InvitedByEmail string `json:"invited_by_email"`
	// CreatedAt is when the invitation was (last) sent: inviting the same
	// address again refreshes the pending invitation and its expiry.
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  time.Time  `json:"expires_at"`
	AcceptedAt *time.Time `json:"accepted_at,omitempty"`
	AcceptedBy string     `json:"-"` // the user who accepted
	DeclinedAt *time.Time `json:"declined_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
	// TokenHash is the hash of the one-time secret of an e-mailed link
	// ("" while invitations are not sent by e-mail).
	TokenHash string `json:"-"`
	// OrgSlug and OrgName describe the organisation, for the invitee.
	OrgSlug string `json:"-"`
	OrgName string `json:"-"`
}

// Status derives where the invitation stands at now.
func (i Invitation) Status(now time.Time) InvitationStatus {
	switch {
	case i.AcceptedAt != nil:
		return InvitationAccepted
	case i.DeclinedAt != nil:
		return InvitationDeclined
	case i.RevokedAt != nil:
		return InvitationRevoked
	case !now.Before(i.ExpiresAt):
		return InvitationExpired
	}
	return InvitationPending
}

// Open reports whether nobody has answered or revoked the invitation yet
// (it may have expired).
func (i Invitation) Open() bool {
	return i.AcceptedAt == nil && i.DeclinedAt == nil && i.RevokedAt == nil
}

// InviterLabel is how the invitation names who sent it: their name, else
// their email; "an administrator" for the command line.
func (i Invitation) InviterLabel() string {
	switch {
	case i.InvitedByName != "":
		return i.InvitedByName
	case i.InvitedByEmail != "":
		return i.InvitedByEmail
	case i.InvitedBy == "":
		return "an administrator"
	}
	return "a former user"
}

// ValidateInvitation checks an invitation's address and role and normalises
// the address. inviter is the inviting member's role: only owners invite
// owners (forbidden otherwise). Field errors name "email" and "role".
func ValidateInvitation(email string, role Role, inviter Role) (string, error) {
	var fields []FieldError
	norm, err := ValidateEmail(email)
	if err != nil {
		msg := "must be a valid email address"
		if e, ok := AsError(err); ok {
			msg = e.Message
		}
		fields = append(fields, FieldError{Field: "email", Message: msg})
	}
	if !role.Valid() {
		fields = append(fields, FieldError{Field: "role", Message: "must be one of: viewer, editor, admin, owner"})
	}
	if err := Invalid("invalid invitation", fields); err != nil {
		return "", err
	}
	if role == RoleOwner && inviter != RoleOwner {
		return "", Errorf(CodeForbidden, "only an owner can invite an owner")
	}
	return norm, nil
}
