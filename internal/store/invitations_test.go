package store

import (
	"testing"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

// mustInvitation stores an open invitation into f's organisation, sent by
// its owner at at.
func mustInvitation(t *testing.T, db *DB, f orgFixture, email string, role persona.Role, at time.Time) persona.Invitation {
	t.Helper()
	inv := persona.Invitation{OrgID: f.Org.ID, ID: newID(), Email: email, Role: role, InvitedBy: f.Owner.ID,
		CreatedAt: at, ExpiresAt: at.Add(persona.InvitationLifetime)}
	wantNoErr(t, db.CreateInvitation(t.Context(), inv), "CreateInvitation "+email)
	inv.CreatedAt, inv.ExpiresAt = want(inv.CreatedAt), want(inv.ExpiresAt)
	inv.InvitedByName, inv.InvitedByEmail = f.Owner.Name, f.Owner.Email
	inv.OrgSlug, inv.OrgName = f.Org.Slug, f.Org.Name
	return inv
}

func testInvitations(t *testing.T, db *DB) {
	ctx := t.Context()
	f := mustOrg(t, db, "invites")
	nina := mustInvitation(t, db, f, "nina@example.com", persona.RoleEditor, t0)
	ada := mustInvitation(t, db, f, "ada@example.com", persona.RoleAdmin, t0.Add(time.Minute))

	got, err := db.GetInvitation(ctx, f.Org.ID, nina.ID)
	wantNoErr(t, err, "GetInvitation")
	wantEqual(t, got, nina, "stored invitation")
	if got.Status(t0) != persona.InvitationPending || got.ExpiresAt.Sub(got.CreatedAt) != 7*24*time.Hour {
		t.Errorf("a new invitation: %s, lasting %s", got.Status(t0), got.ExpiresAt.Sub(got.CreatedAt))
	}
	list, err := db.ListInvitations(ctx, f.Org.ID)
	wantNoErr(t, err, "ListInvitations")
	wantEqual(t, list, []persona.Invitation{ada, nina}, "open invitations, newest first")

	// One open invitation per address: a second is refused, whatever its
	// role; the refresh updates the one there is.
	dup := persona.Invitation{OrgID: f.Org.ID, ID: newID(), Email: "nina@example.com", Role: persona.RoleViewer,
		CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
	wantCode(t, db.CreateInvitation(ctx, dup), persona.CodeConflict, "a second open invitation for one address")
	open, err := db.OpenInvitation(ctx, f.Org.ID, "NINA@example.com")
	wantNoErr(t, err, "OpenInvitation")
	wantEqual(t, open.ID, nina.ID, "the open invitation")
	_, err = db.OpenInvitation(ctx, f.Org.ID, "nobody@example.com")
	wantCode(t, err, persona.CodeNotFound, "OpenInvitation of an uninvited address")

	later := t0.Add(48 * time.Hour)
	admin := mustUser(t, db, "second-admin@example.com")
	refreshed := nina
	refreshed.Role, refreshed.InvitedBy, refreshed.CreatedAt, refreshed.ExpiresAt = persona.RoleViewer, admin.ID, later, later.Add(persona.InvitationLifetime)
	refreshed.TokenHash = "hash-of-a-link-secret"
	wantNoErr(t, db.RefreshInvitation(ctx, refreshed), "RefreshInvitation")
	refreshed.CreatedAt, refreshed.ExpiresAt = want(later), want(later.Add(persona.InvitationLifetime))
	refreshed.InvitedByName, refreshed.InvitedByEmail = admin.Name, admin.Email
	got, _ = db.GetInvitation(ctx, f.Org.ID, nina.ID)
	wantEqual(t, got, refreshed, "refreshed invitation")

	// The invitee's view: by address, across organisations, unexpired and
	// open only.
	g := mustOrg(t, db, "invites-too")
	ninaToo := mustInvitation(t, db, g, "nina@example.com", persona.RoleViewer, t0.Add(time.Hour))
	mine, err := db.InvitationsForEmail(ctx, "Nina@Example.com", later)
	wantNoErr(t, err, "InvitationsForEmail")
	wantEqual(t, mine, []persona.Invitation{ninaToo, refreshed}, "Nina's invitations, oldest first")
	mine, _ = db.InvitationsForEmail(ctx, "nina@example.com", t0.Add(time.Hour).Add(persona.InvitationLifetime))
	wantEqual(t, mine, []persona.Invitation{refreshed}, "Nina's invitations once the second organisation's expired")
	mine, _ = db.InvitationsForEmail(ctx, "nina@example.com", later.Add(persona.InvitationLifetime))
	wantEqual(t, len(mine), 0, "Nina's invitations once all expired")
	list, _ = db.ListInvitations(ctx, g.Org.ID)
	wantEqual(t, list, []persona.Invitation{ninaToo}, "expired invitations stay in the admins' list")

	got, err = db.InvitationForEmail(ctx, nina.ID, "nina@example.com")
	wantNoErr(t, err, "InvitationForEmail")
	wantEqual(t, got, refreshed, "Nina's invitation by ID")
	_, err = db.InvitationForEmail(ctx, nina.ID, "ada@example.com")
	wantCode(t, err, persona.CodeNotFound, "someone else's invitation by ID")
	_, err = db.InvitationForEmail(ctx, newID(), "nina@example.com")
	wantCode(t, err, persona.CodeNotFound, "an unknown invitation")

	// Accepting closes it, once; a member of the organisation no longer
	// sees invitations into it.
	u := mustUser(t, db, "nina@example.com")
	at := t0.Add(72 * time.Hour)
	wantNoErr(t, db.AddMember(ctx, persona.Member{OrgID: f.Org.ID, UserID: u.ID, Role: persona.RoleViewer, CreatedAt: at}), "AddMember")
	wantNoErr(t, db.CloseInvitation(ctx, f.Org.ID, nina.ID, persona.InvitationAccepted, u.ID, at), "accept")
	wantCode(t, db.CloseInvitation(ctx, f.Org.ID, nina.ID, persona.InvitationAccepted, u.ID, at), persona.CodeNotFound, "accept twice")
	wantCode(t, db.CloseInvitation(ctx, f.Org.ID, nina.ID, persona.InvitationDeclined, u.ID, at), persona.CodeNotFound, "decline an accepted one")
	wantCode(t, db.CloseInvitation(ctx, f.Org.ID, nina.ID, persona.InvitationRevoked, "", at), persona.CodeNotFound, "revoke an accepted one")
	wantCode(t, db.RefreshInvitation(ctx, refreshed), persona.CodeNotFound, "refresh an accepted one")
	got, _ = db.GetInvitation(ctx, f.Org.ID, nina.ID)
	if got.Status(at) != persona.InvitationAccepted || got.AcceptedBy != u.ID || !got.AcceptedAt.Equal(want(at)) {
		t.Errorf("accepted invitation: %+v", got)
	}
	list, _ = db.ListInvitations(ctx, f.Org.ID)
	wantEqual(t, list, []persona.Invitation{ada}, "open invitations after one was accepted")
	// A new one for the same address can be made now (the index covers
	// open invitations only), and is hidden from the member.
	again := mustInvitation(t, db, f, "nina@example.com", persona.RoleAdmin, at)
	mine, _ = db.InvitationsForEmail(ctx, "nina@example.com", at)
	wantEqual(t, mine, []persona.Invitation{ninaToo}, "a member's invitations into their own organisation are hidden")
	wantNoErr(t, db.CloseInvitation(ctx, f.Org.ID, again.ID, persona.InvitationRevoked, "", at), "revoke")
	wantNoErr(t, db.CloseInvitation(ctx, g.Org.ID, ninaToo.ID, persona.InvitationDeclined, u.ID, at), "decline")
	got, _ = db.GetInvitation(ctx, g.Org.ID, ninaToo.ID)
	wantEqual(t, got.Status(at), persona.InvitationDeclined, "declined invitation")
	if got.AcceptedBy != "" {
		t.Errorf("a declined invitation names who accepted it: %q", got.AcceptedBy)
	}
	got, _ = db.GetInvitation(ctx, f.Org.ID, again.ID)
	wantEqual(t, got.Status(at), persona.InvitationRevoked, "revoked invitation")
	mine, _ = db.InvitationsForEmail(ctx, "nina@example.com", at)
	wantEqual(t, len(mine), 0, "Nina's invitations after answering them all")
	wantCode(t, db.CloseInvitation(ctx, f.Org.ID, ada.ID, persona.InvitationPending, "", at), persona.CodeInvalid, "close as pending")

	// Members found by email.
	m, err := db.MemberByEmail(ctx, f.Org.ID, "NINA@example.com")
	wantNoErr(t, err, "MemberByEmail")
	wantEqual(t, m.UserID, u.ID, "member by email")
	_, err = db.MemberByEmail(ctx, g.Org.ID, "nina@example.com")
	wantCode(t, err, persona.CodeNotFound, "MemberByEmail in an organisation one does not belong to")
	_, err = db.MemberByEmail(ctx, f.Org.ID, "nobody@example.com")
	wantCode(t, err, persona.CodeNotFound, "MemberByEmail of an address without an account")

	// A link token is unique; an invitation from the command line has no
	// inviter.
	tok := persona.Invitation{OrgID: f.Org.ID, ID: newID(), Email: "tok@example.com", Role: persona.RoleViewer,
		TokenHash: "hash-of-a-link-secret", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
	wantCode(t, db.CreateInvitation(ctx, tok), persona.CodeConflict, "a second invitation with the same link token")
	tok.TokenHash = ""
	wantNoErr(t, db.CreateInvitation(ctx, tok), "an invitation from the command line (no inviter, no token)")
	got, _ = db.GetInvitation(ctx, f.Org.ID, tok.ID)
	if got.InvitedBy != "" || got.InviterLabel() != "an administrator" || got.TokenHash != "" {
		t.Errorf("command-line invitation: %+v", got)
	}
}

// testInvitationsCrossOrg: one organisation's invitations cannot be read,
// refreshed, answered or revoked through another organisation's ID.
func testInvitationsCrossOrg(t *testing.T, db *DB) {
	ctx := t.Context()
	a := mustOrg(t, db, "inv-alpha")
	b := mustOrg(t, db, "inv-beta")
	inv := mustInvitation(t, db, a, "nina@example.com", persona.RoleEditor, t0)
	other := b.Org.ID

	_, err := db.GetInvitation(ctx, other, inv.ID)
	wantCode(t, err, persona.CodeNotFound, "GetInvitation through beta")
	_, err = db.OpenInvitation(ctx, other, inv.Email)
	wantCode(t, err, persona.CodeNotFound, "OpenInvitation through beta")
	list, err := db.ListInvitations(ctx, other)
	wantNoErr(t, err, "ListInvitations of beta")
	wantEqual(t, len(list), 0, "beta's invitations")
	hijack := inv
	hijack.OrgID, hijack.Role = other, persona.RoleOwner
	wantCode(t, db.RefreshInvitation(ctx, hijack), persona.CodeNotFound, "RefreshInvitation through beta")
	for _, how := range []persona.InvitationStatus{persona.InvitationAccepted, persona.InvitationDeclined, persona.InvitationRevoked} {
		wantCode(t, db.CloseInvitation(ctx, other, inv.ID, how, b.Owner.ID, t0), persona.CodeNotFound, "CloseInvitation through beta: "+string(how))
	}
	// The same ID in beta is another row (tables key on (org_id, id)).
	same := persona.Invitation{OrgID: other, ID: inv.ID, Email: "olga@example.com", Role: persona.RoleViewer, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
	wantNoErr(t, db.CreateInvitation(ctx, same), "beta's invitation with alpha's ID")
	_, err = db.InvitationForEmail(ctx, inv.ID, "olga@example.com")
	wantNoErr(t, err, "Olga's invitation by the shared ID")
	got, err := db.InvitationForEmail(ctx, inv.ID, "nina@example.com")
	wantNoErr(t, err, "Nina's invitation by the shared ID")
	wantEqual(t, got.OrgID, a.Org.ID, "Nina's invitation's organisation")
	// Alpha's invitation is untouched.
	got, _ = db.GetInvitation(ctx, a.Org.ID, inv.ID)
	wantEqual(t, got, inv, "alpha's invitation")
	// An invitation into an organisation that does not exist is refused.
	ghost := persona.Invitation{OrgID: newID(), ID: newID(), Email: "x@example.com", Role: persona.RoleViewer, CreatedAt: t0, ExpiresAt: t0}
	if err := db.CreateInvitation(ctx, ghost); err == nil {
		t.Error("an invitation into no organisation was stored")
	}
}
