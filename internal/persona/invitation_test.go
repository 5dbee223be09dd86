package persona

import (
	"testing"
	"time"
)

func TestValidateInvitation(t *testing.T) {
	for _, tc := range []struct {
		name    string
		email   string
		role    Role
		inviter Role
		want    string // normalised email, when accepted
		code    Code
		fields  []string
	}{
		{"admin invites an editor", "  Nina@Example.COM ", RoleEditor, RoleAdmin, "nina@example.com", "", nil},
		{"owner invites an owner", "olga@example.com", RoleOwner, RoleOwner, "olga@example.com", "", nil},
		{"admin invites an admin", "ada@example.com", RoleAdmin, RoleAdmin, "ada@example.com", "", nil},
		{"admin invites an owner", "olga@example.com", RoleOwner, RoleAdmin, "", CodeForbidden, nil},
		{"empty email", " ", RoleViewer, RoleOwner, "", CodeInvalid, []string{"email"}},
		{"not an email", "nina", RoleViewer, RoleOwner, "", CodeInvalid, []string{"email"}},
		{"two at signs", "a@b@example.com", RoleViewer, RoleOwner, "", CodeInvalid, []string{"email"}},
		{"control character", "nina\x00@example.com", RoleViewer, RoleOwner, "", CodeInvalid, []string{"email"}},
		{"markup", "<script>@example.com", RoleViewer, RoleOwner, "", CodeInvalid, []string{"email"}},
		{"unknown role", "nina@example.com", Role("boss"), RoleOwner, "", CodeInvalid, []string{"role"}},
		{"empty role", "nina@example.com", Role(""), RoleOwner, "", CodeInvalid, []string{"role"}},
		{"both wrong", "nina", Role("boss"), RoleOwner, "", CodeInvalid, []string{"email", "role"}},
		// Bad input is reported before the owner rule.
		{"bad email, owner role, admin", "nina", RoleOwner, RoleAdmin, "", CodeInvalid, []string{"email"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ValidateInvitation(tc.email, tc.role, tc.inviter)
			if ErrorCode(err) != tc.code {
				t.Fatalf("error %v (code %q), want code %q", err, ErrorCode(err), tc.code)
			}
			if got != tc.want {
				t.Errorf("email %q, want %q", got, tc.want)
			}
			e, _ := AsError(err)
			var fields []string
			if e != nil {
				for _, f := range e.Fields {
					fields = append(fields, f.Field)
				}
			}
			if len(fields) != len(tc.fields) {
				t.Fatalf("fields %v, want %v", fields, tc.fields)
			}
			for i := range fields {
				if fields[i] != tc.fields[i] {
					t.Errorf("fields %v, want %v", fields, tc.fields)
				}
			}
		})
	}
}

func TestInvitationStatus(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	at := now.Add(-time.Hour)
	pending := Invitation{CreatedAt: now.Add(-24 * time.Hour), ExpiresAt: now.Add(-24 * time.Hour).Add(InvitationLifetime)}
	for _, tc := range []struct {
		name string
		inv  Invitation
		want InvitationStatus
		open bool
	}{
		{"fresh", pending, InvitationPending, true},
		{"expires this instant", Invitation{ExpiresAt: now}, InvitationExpired, true},
		{"expired", Invitation{ExpiresAt: now.Add(-time.Second)}, InvitationExpired, true},
		{"accepted", Invitation{ExpiresAt: now.Add(time.Hour), AcceptedAt: &at}, InvitationAccepted, false},
		{"accepted, since expired", Invitation{ExpiresAt: now.Add(-time.Hour), AcceptedAt: &at}, InvitationAccepted, false},
		{"declined", Invitation{ExpiresAt: now.Add(time.Hour), DeclinedAt: &at}, InvitationDeclined, false},
		{"revoked", Invitation{ExpiresAt: now.Add(time.Hour), RevokedAt: &at}, InvitationRevoked, false},
	} {
		if got := tc.inv.Status(now); got != tc.want {
			t.Errorf("%s: status %q, want %q", tc.name, got, tc.want)
		}
		if got := tc.inv.Open(); got != tc.open {
			t.Errorf("%s: open %v, want %v", tc.name, got, tc.open)
		}
	}
	if InvitationLifetime != 7*24*time.Hour {
		t.Errorf("invitations last %s, want 7 days", InvitationLifetime)
	}
	for _, tc := range []struct {
		inv  Invitation
		want string
	}{
		{Invitation{InvitedBy: "u1", InvitedByName: "Ada Admin", InvitedByEmail: "ada@example.com"}, "Ada Admin"},
		{Invitation{InvitedBy: "u1", InvitedByEmail: "ada@example.com"}, "ada@example.com"},
		{Invitation{}, "an administrator"},
		{Invitation{InvitedBy: "gone"}, "a former user"},
	} {
		if got := tc.inv.InviterLabel(); got != tc.want {
			t.Errorf("InviterLabel(%+v) = %q, want %q", tc.inv, got, tc.want)
		}
	}
}
