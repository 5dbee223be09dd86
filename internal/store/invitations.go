package store

import (
	"context"
	"strings"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

// Invitations into an organisation. The table keys on (org_id, id) like
// every organisation's data; the invitee, who is not a member yet, finds
// theirs by email across organisations. At most one invitation per address
// and organisation is open (unanswered and not revoked, expired or not): a
// partial unique index holds it.

// openInvitation is the condition of an invitation nobody has answered or
// revoked (it may have expired).
const openInvitation = `i.accepted_at IS NULL AND i.declined_at IS NULL AND i.revoked_at IS NULL`

const invitationSelect = `SELECT i.org_id, i.id, i.email, i.role, i.invited_by, COALESCE(u.name, ''), COALESCE(u.email, ''),
	i.token_hash, i.created_at, i.expires_at, i.accepted_at, i.accepted_by, i.declined_at, i.revoked_at, o.slug, o.name
	FROM invitations i
	JOIN orgs o ON o.id = i.org_id AND o.deleted_at IS NULL
	LEFT JOIN users u ON u.id = i.invited_by`

func scanInvitation(row interface{ Scan(...any) error }) (persona.Invitation, error) {
	var inv persona.Invitation
	err := row.Scan(&inv.OrgID, &inv.ID, &inv.Email, &inv.Role, strCol{&inv.InvitedBy}, &inv.InvitedByName, &inv.InvitedByEmail,
		strCol{&inv.TokenHash}, timeCol{&inv.CreatedAt}, timeCol{&inv.ExpiresAt}, nullTimeCol{&inv.AcceptedAt}, strCol{&inv.AcceptedBy},
		nullTimeCol{&inv.DeclinedAt}, nullTimeCol{&inv.RevokedAt}, &inv.OrgSlug, &inv.OrgName)
	return inv, err
}

// CreateInvitation inserts an open invitation; conflict when the address
// already has an open one in the organisation (or the token hash is
// taken).
func (s *DB) CreateInvitation(ctx context.Context, inv persona.Invitation) error {
	_, err := s.exec(ctx, s.q(), `INSERT INTO invitations (org_id, id, email, role, invited_by, token_hash, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		inv.OrgID, inv.ID, strings.ToLower(inv.Email), string(inv.Role), nullStr(inv.InvitedBy), nullStr(inv.TokenHash),
		ts(inv.CreatedAt), ts(inv.ExpiresAt))
	return withMessage(err, persona.CodeConflict, "this address already has an open invitation")
}

// RefreshInvitation sends an open invitation again: it takes inv's role,
// inviter, token hash, creation and expiry times. Not-found when the
// invitation is not open any more.
func (s *DB) RefreshInvitation(ctx context.Context, inv persona.Invitation) error {
	return s.execOne(ctx, s.q(), "invitation", `UPDATE invitations SET role = $3, invited_by = $4, token_hash = $5,
		created_at = $6, expires_at = $7
		WHERE org_id = $1 AND id = $2 AND accepted_at IS NULL AND declined_at IS NULL AND revoked_at IS NULL`,
		inv.OrgID, inv.ID, string(inv.Role), nullStr(inv.InvitedBy), nullStr(inv.TokenHash), ts(inv.CreatedAt), ts(inv.ExpiresAt))
}

// GetInvitation returns one of the organisation's invitations, in any
// state.
func (s *DB) GetInvitation(ctx context.Context, orgID, id string) (persona.Invitation, error) {
	inv, err := scanInvitation(s.q().QueryRowContext(ctx, invitationSelect+` WHERE i.org_id = $1 AND i.id = $2`, orgID, id))
	return inv, noRows(err, "invitation")
}

// OpenInvitation returns the organisation's open invitation for the
// (normalised) address, expired or not.
func (s *DB) OpenInvitation(ctx context.Context, orgID, email string) (persona.Invitation, error) {
	inv, err := scanInvitation(s.q().QueryRowContext(ctx, invitationSelect+` WHERE i.org_id = $1 AND i.email = $2 AND `+openInvitation,
		orgID, strings.ToLower(email)))
	return inv, noRows(err, "invitation")
}

// ListInvitations lists the organisation's open invitations (expired ones
// included), newest first.
func (s *DB) ListInvitations(ctx context.Context, orgID string) ([]persona.Invitation, error) {
	rows, err := s.q().QueryContext(ctx, invitationSelect+` WHERE i.org_id = $1 AND `+openInvitation+`
		ORDER BY i.created_at DESC, i.id DESC`, orgID)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanInvitation)
}

// InvitationsForEmail lists the invitations an address can accept at now,
// in every organisation: open, unexpired, and into an organisation the
// address's account (if any) does not belong to yet. Oldest first.
func (s *DB) InvitationsForEmail(ctx context.Context, email string, now time.Time) ([]persona.Invitation, error) {
	rows, err := s.q().QueryContext(ctx, invitationSelect+` WHERE i.email = $1 AND `+openInvitation+` AND i.expires_at > $2
		AND NOT EXISTS (SELECT 1 FROM memberships m JOIN users mu ON mu.id = m.user_id
			WHERE m.org_id = i.org_id AND mu.email = i.email)
		ORDER BY i.created_at, i.id`, strings.ToLower(email), ts(now))
	if err != nil {
		return nil, err
	}
	return collect(rows, scanInvitation)
}

// InvitationForEmail returns the invitation with this ID addressed to
// email, in whichever organisation and state; not-found when there is
// none (another address's invitation included).
func (s *DB) InvitationForEmail(ctx context.Context, id, email string) (persona.Invitation, error) {
	inv, err := scanInvitation(s.q().QueryRowContext(ctx, invitationSelect+` WHERE i.id = $1 AND i.email = $2`, id, strings.ToLower(email)))
	return inv, noRows(err, "invitation")
}

// CloseInvitation answers or revokes an open invitation: how is accepted
// (by is the accepting user), declined or revoked. Not-found when it is
// not open any more, so two answers cannot both succeed.
func (s *DB) CloseInvitation(ctx context.Context, orgID, id string, how persona.InvitationStatus, by string, at time.Time) error {
	set := ""
	args := []any{orgID, id, ts(at)}
	switch how {
	case persona.InvitationAccepted:
		set, args = `accepted_at = $3, accepted_by = $4`, append(args, nullStr(by))
	case persona.InvitationDeclined:
		set = `declined_at = $3`
	case persona.InvitationRevoked:
		set = `revoked_at = $3`
	default:
		return persona.Errorf(persona.CodeInvalid, "an invitation cannot become %q", how)
	}
	return s.execOne(ctx, s.q(), "invitation", `UPDATE invitations SET `+set+`
		WHERE org_id = $1 AND id = $2 AND accepted_at IS NULL AND declined_at IS NULL AND revoked_at IS NULL`, args...)
}

// MemberByEmail returns the organisation's member with this (normalised)
// email.
func (s *DB) MemberByEmail(ctx context.Context, orgID, email string) (persona.Member, error) {
	m, err := scanMember(s.q().QueryRowContext(ctx, memberSelect+` WHERE m.org_id = $1 AND u.email = $2`, orgID, strings.ToLower(email)))
	return m, noRows(err, "member")
}
