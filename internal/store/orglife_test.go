package store

import (
	"testing"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

// testOrgSlugs: a slug names one organisation for as long as it exists,
// whether current or old; old slugs lead its members to the current one.
func testOrgSlugs(t *testing.T, db *DB) {
	ctx := t.Context()
	f := mustOrg(t, db, "acme")
	g := mustOrg(t, db, "globex")
	t1 := t0.Add(time.Hour)

	for _, slug := range []string{"acme", "globex"} {
		taken, err := db.SlugTaken(ctx, slug)
		wantNoErr(t, err, "SlugTaken")
		wantEqual(t, taken, true, "current slug "+slug+" taken")
	}
	taken, err := db.SlugTaken(ctx, "acme-corp")
	wantNoErr(t, err, "SlugTaken free")
	wantEqual(t, taken, false, "a free slug")

	wantCode(t, db.ChangeOrgSlug(ctx, f.Org.ID, "acme", "globex", t1), persona.CodeConflict, "another organisation's current slug")
	wantNoErr(t, db.ChangeOrgSlug(ctx, f.Org.ID, "acme", "acme-corp", t1), "ChangeOrgSlug")
	org, role, err := db.OrgForMember(ctx, "acme-corp", f.Owner.ID)
	wantNoErr(t, err, "OrgForMember new slug")
	wantEqual(t, org.Slug, "acme-corp", "new slug")
	wantEqual(t, role, persona.RoleOwner, "role")
	_, _, err = db.OrgForMember(ctx, "acme", f.Owner.ID)
	wantCode(t, err, persona.CodeNotFound, "the old slug is not the organisation's any more")

	moved, role, err := db.OrgMovedFor(ctx, "acme", f.Owner.ID)
	wantNoErr(t, err, "OrgMovedFor member")
	wantEqual(t, moved.Slug, "acme-corp", "moved to")
	wantEqual(t, role, persona.RoleOwner, "moved role")
	_, _, err = db.OrgMovedFor(ctx, "acme", g.Owner.ID)
	wantCode(t, err, persona.CodeNotFound, "OrgMovedFor non-member")
	_, _, err = db.OrgMovedFor(ctx, "acme-corp", f.Owner.ID)
	wantCode(t, err, persona.CodeNotFound, "a current slug has not moved")

	// The old slug stays reserved: nobody else gets it, by change or create.
	wantCode(t, db.ChangeOrgSlug(ctx, g.Org.ID, "globex", "acme", t1), persona.CodeConflict, "another organisation's old slug")
	dup := persona.Org{ID: newID(), Slug: "acme", Name: "New Acme", CreatedAt: t1}
	wantCode(t, db.CreateOrg(ctx, dup, persona.Member{UserID: g.Owner.ID, Role: persona.RoleOwner, CreatedAt: t1}, nil, nil),
		persona.CodeConflict, "CreateOrg with an old slug")
	_, err = db.OrgBySlug(ctx, "acme")
	wantCode(t, err, persona.CodeNotFound, "nothing was created")

	// The organisation itself may take its old slug back.
	wantNoErr(t, db.ChangeOrgSlug(ctx, f.Org.ID, "acme-corp", "acme", t1), "take back an old slug")
	org, err = db.OrgBySlug(ctx, "acme")
	wantNoErr(t, err, "OrgBySlug after taking back")
	wantEqual(t, org.ID, f.Org.ID, "taken back")
	moved, _, err = db.OrgMovedFor(ctx, "acme-corp", f.Owner.ID)
	wantNoErr(t, err, "acme-corp is now the old one")
	wantEqual(t, moved.Slug, "acme", "moved back")
	_, _, err = db.OrgMovedFor(ctx, "acme", f.Owner.ID)
	wantCode(t, err, persona.CodeNotFound, "the current slug again")
	wantCode(t, db.ChangeOrgSlug(ctx, f.Org.ID, "nope", "other", t1), persona.CodeNotFound, "from a slug the organisation does not have")
}

// testOrgDeleteRestorePurge: a deleted organisation is hidden from every
// lookup, its owners see it in their list, a restore brings it back, and
// a purge removes it with its rows and frees its slugs.
func testOrgDeleteRestorePurge(t *testing.T, db *DB) {
	ctx := t.Context()
	f := mustOrg(t, db, "doomed")
	g := mustOrg(t, db, "stays")
	grp := mustGroup(t, db, f.Org.ID, "Nurses")
	p := mustPersona(t, db, f, grp.ID)
	inv := mustInvitation(t, db, f, "nina@example.com", persona.RoleEditor, t0)
	tok := persona.Token{ID: newID(), UserID: f.Owner.ID, Hash: "doomed-hash", CreatedAt: t0}
	wantNoErr(t, db.CreateToken(ctx, tok), "CreateToken")
	deleted := t0.Add(time.Hour)

	wantNoErr(t, db.SoftDeleteOrg(ctx, f.Org.ID, f.Owner.ID, deleted), "SoftDeleteOrg")
	wantCode(t, db.SoftDeleteOrg(ctx, f.Org.ID, f.Owner.ID, deleted), persona.CodeNotFound, "deleting twice")
	_, _, err := db.OrgForMember(ctx, "doomed", f.Owner.ID)
	wantCode(t, err, persona.CodeNotFound, "OrgForMember of a deleted organisation")
	_, err = db.OrgBySlug(ctx, "doomed")
	wantCode(t, err, persona.CodeNotFound, "OrgBySlug of a deleted organisation")
	ms, err := db.OrgsForUser(ctx, f.Owner.ID)
	wantNoErr(t, err, "OrgsForUser")
	wantEqual(t, len(ms), 0, "a deleted organisation is not listed")
	a, err := db.TokenAuth(ctx, "doomed-hash", "doomed")
	wantNoErr(t, err, "TokenAuth")
	wantEqual(t, a.Role, persona.Role(""), "no membership in a deleted organisation")
	invs, err := db.InvitationsForEmail(ctx, "nina@example.com", t0)
	wantNoErr(t, err, "InvitationsForEmail")
	wantEqual(t, len(invs), 0, "invitations into a deleted organisation are hidden")
	_, err = db.InvitationForEmail(ctx, inv.ID, "nina@example.com")
	wantCode(t, err, persona.CodeNotFound, "InvitationForEmail into a deleted organisation")
	wantCode(t, db.UpdateOrg(ctx, persona.Org{ID: f.Org.ID, Name: "Renamed"}), persona.CodeNotFound, "UpdateOrg of a deleted organisation")
	taken, err := db.SlugTaken(ctx, "doomed")
	wantNoErr(t, err, "SlugTaken")
	wantEqual(t, taken, true, "a deleted organisation keeps its slug until the purge")

	list, err := db.DeletedOrgsForUser(ctx, f.Owner.ID, persona.RoleOwner)
	wantNoErr(t, err, "DeletedOrgsForUser")
	wantEqual(t, list, []persona.DeletedOrg{{Org: f.Org, DeletedAt: want(deleted), DeletedBy: f.Owner.ID,
		DeletedByName: f.Owner.Name, DeletedByEmail: f.Owner.Email}}, "deleted organisations")
	none, err := db.DeletedOrgsForUser(ctx, g.Owner.ID, persona.RoleOwner)
	wantNoErr(t, err, "DeletedOrgsForUser other")
	wantEqual(t, len(none), 0, "another organisation's owner sees nothing")
	_, _, err = db.DeletedOrgForMember(ctx, f.Org.ID, g.Owner.ID)
	wantCode(t, err, persona.CodeNotFound, "DeletedOrgForMember non-member")
	_, _, err = db.DeletedOrgForMember(ctx, g.Org.ID, g.Owner.ID)
	wantCode(t, err, persona.CodeNotFound, "DeletedOrgForMember of a live organisation")
	d, role, err := db.DeletedOrgForMember(ctx, f.Org.ID, f.Owner.ID)
	wantNoErr(t, err, "DeletedOrgForMember")
	wantEqual(t, role, persona.RoleOwner, "deleted org role")
	wantEqual(t, d.Org, f.Org, "deleted org")

	// Restore: everything is back.
	wantNoErr(t, db.RestoreOrg(ctx, f.Org.ID), "RestoreOrg")
	wantCode(t, db.RestoreOrg(ctx, f.Org.ID), persona.CodeNotFound, "restoring a live organisation")
	got, err := db.GetPersona(ctx, f.Org.ID, p.ID)
	wantNoErr(t, err, "persona after restore")
	wantEqual(t, got.Name, p.Name, "persona after restore")
	if _, _, err := db.OrgForMember(ctx, "doomed", f.Owner.ID); err != nil {
		t.Fatalf("restored organisation: %v", err)
	}

	// Purge: only once deleted before the cut-off.
	wantNoErr(t, db.SoftDeleteOrg(ctx, f.Org.ID, f.Owner.ID, deleted), "SoftDeleteOrg again")
	due, err := db.DeletedOrgsBefore(ctx, deleted)
	wantNoErr(t, err, "DeletedOrgsBefore")
	wantEqual(t, len(due), 0, "not due yet")
	wantCode(t, db.PurgeOrg(ctx, f.Org.ID, deleted), persona.CodeNotFound, "PurgeOrg before its time")
	wantCode(t, db.PurgeOrg(ctx, g.Org.ID, deleted.Add(time.Hour)), persona.CodeNotFound, "PurgeOrg of a live organisation")
	due, err = db.DeletedOrgsBefore(ctx, deleted.Add(time.Second))
	wantNoErr(t, err, "DeletedOrgsBefore")
	wantEqual(t, len(due), 1, "due")
	wantNoErr(t, db.PurgeOrg(ctx, f.Org.ID, deleted.Add(time.Second)), "PurgeOrg")
	wantCode(t, db.PurgeOrg(ctx, f.Org.ID, deleted.Add(time.Second)), persona.CodeNotFound, "PurgeOrg twice")
	for _, table := range []string{"orgs", "org_slugs", "memberships", "persona_groups", "templates", "template_versions",
		"personas", "persona_revisions", "invitations"} {
		var n int
		if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table+` WHERE `+orgColumn(table)+` = $1`, f.Org.ID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		wantEqual(t, n, 0, "rows of the purged organisation in "+table)
	}
	taken, err = db.SlugTaken(ctx, "doomed")
	wantNoErr(t, err, "SlugTaken after purge")
	wantEqual(t, taken, false, "a purged organisation frees its slug")
	if _, _, err := db.OrgForMember(ctx, "stays", g.Owner.ID); err != nil {
		t.Fatalf("the other organisation: %v", err)
	}
	if _, err := db.UserByID(ctx, f.Owner.ID); err != nil {
		t.Fatalf("the owner's account goes nowhere: %v", err)
	}
}

func orgColumn(table string) string {
	if table == "orgs" {
		return "id"
	}
	return "org_id"
}

// testGroupOrderAndMoves: groups keep the order they are given; a move
// writes the persona's group as a new revision, live or trashed, and only
// on the revision it read.
func testGroupOrderAndMoves(t *testing.T, db *DB) {
	ctx := t.Context()
	f := mustOrg(t, db, "order")
	other := mustOrg(t, db, "other")
	next, err := db.NextGroupPosition(ctx, f.Org.ID)
	wantNoErr(t, err, "NextGroupPosition empty")
	wantEqual(t, next, 1, "first position")
	var ids []string
	for i, name := range []string{"Zulu", "Alpha", "Mike"} {
		g := persona.Group{ID: newID(), OrgID: f.Org.ID, Name: name, Position: i + 1, CreatedAt: t0, UpdatedAt: t0}
		wantNoErr(t, db.CreateGroup(ctx, g), "CreateGroup "+name)
		ids = append(ids, g.ID)
	}
	names := func() []string {
		gs, err := db.ListGroups(ctx, f.Org.ID)
		wantNoErr(t, err, "ListGroups")
		var out []string
		for _, g := range gs {
			out = append(out, g.Name)
		}
		return out
	}
	wantEqual(t, names(), []string{"Zulu", "Alpha", "Mike"}, "in position order, not by name")
	next, err = db.NextGroupPosition(ctx, f.Org.ID)
	wantNoErr(t, err, "NextGroupPosition")
	wantEqual(t, next, 4, "next position")
	wantNoErr(t, db.SetGroupPositions(ctx, f.Org.ID, []string{ids[2], ids[0], ids[1]}), "SetGroupPositions")
	wantEqual(t, names(), []string{"Mike", "Zulu", "Alpha"}, "reordered")
	otherGroup := mustGroup(t, db, other.Org.ID, "Theirs")
	wantCode(t, db.SetGroupPositions(ctx, f.Org.ID, []string{otherGroup.ID}), persona.CodeNotFound, "another organisation's group")

	live := mustPersona(t, db, f, ids[0], named("Live"))
	trashed := mustPersona(t, db, f, ids[0], named("Trashed"))
	wantNoErr(t, db.TrashPersona(ctx, f.Org.ID, trashed.ID, f.Owner.ID, t0), "TrashPersona")
	in, err := db.PersonasInGroup(ctx, f.Org.ID, ids[0])
	wantNoErr(t, err, "PersonasInGroup")
	wantEqual(t, len(in), 2, "live and trashed personas of the group")

	for _, p := range in {
		next := p
		next.GroupID, next.Revision, next.UpdatedAt = ids[1], p.Revision+1, t0.Add(time.Minute)
		rev := persona.Revision{PersonaID: p.ID, OrgID: p.OrgID, Number: next.Revision, AuthorID: f.Owner.ID, CreatedAt: next.UpdatedAt,
			Message: "Moved", Content: next.Content}
		wantNoErr(t, db.MovePersona(ctx, next, rev), "MovePersona "+p.Name)
		wantCode(t, db.MovePersona(ctx, next, rev), persona.CodePreconditionFailed, "MovePersona on a stale revision")
	}
	got, err := db.GetPersona(ctx, f.Org.ID, live.ID)
	wantNoErr(t, err, "GetPersona")
	wantEqual(t, got.GroupID, ids[1], "moved")
	wantEqual(t, got.Revision, 2, "a new revision")
	wantEqual(t, got.Values, live.Values, "nothing else changed")
	revs, err := db.ListRevisions(ctx, f.Org.ID, live.ID)
	wantNoErr(t, err, "ListRevisions")
	wantEqual(t, revs[0].Content.GroupID, ids[1], "the revision holds the new group")
	tr, err := db.GetTrashedPersona(ctx, f.Org.ID, trashed.ID)
	wantNoErr(t, err, "GetTrashedPersona")
	wantEqual(t, tr.GroupID, ids[1], "a trashed persona moves too")
	wantNoErr(t, db.DeleteGroup(ctx, f.Org.ID, ids[0]), "the emptied group can go")

	bad := got
	bad.GroupID, bad.Revision = otherGroup.ID, got.Revision+1
	err = db.MovePersona(ctx, bad, persona.Revision{PersonaID: bad.ID, Number: bad.Revision, CreatedAt: t0, Content: bad.Content})
	wantCode(t, err, persona.CodeInvalid, "MovePersona into another organisation's group")
	got2, _ := db.GetPersona(ctx, f.Org.ID, live.ID)
	wantEqual(t, got2.Revision, got.Revision, "nothing written")
}
