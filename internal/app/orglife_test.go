package app_test

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/demo"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/seed"
	"github.com/personapal/personapal/internal/store/storetest"
)

var quiet = app.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))

// person creates a user and returns them as an actor.
func person(ctx context.Context, t *testing.T, svc *app.Service, email string) app.Actor {
	t.Helper()
	u, err := svc.CreateUser(ctx, email, strings.SplitN(email, "@", 2)[0], "a-long-password-"+email)
	if err != nil {
		t.Fatal(err)
	}
	return app.Actor{UserID: u.ID, Email: u.Email, Name: u.Name}
}

func join(ctx context.Context, t *testing.T, svc *app.Service, slug string, a app.Actor, role persona.Role) {
	t.Helper()
	if _, err := svc.AddMember(ctx, app.System, slug, a.Email, role); err != nil {
		t.Fatal(err)
	}
}

func mustCode(t *testing.T, err error, code persona.Code, what string) {
	t.Helper()
	if persona.ErrorCode(err) != code {
		t.Fatalf("%s: got %v, want %s", what, err, code)
	}
}

// entriesOf lists an organisation's audit entries with the action, oldest
// first.
func entriesOf(ctx context.Context, t *testing.T, svc *app.Service, slug, action string) []persona.AuditEvent {
	t.Helper()
	items, err := svc.ListAudit(ctx, app.System, slug, app.AuditQuery{Action: action}, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]persona.AuditEvent, 0, len(items))
	for i := len(items) - 1; i >= 0; i-- {
		out = append(out, items[i])
	}
	return out
}

// TestOldSlugsLeadMembersToTheNewOne: owners and admins change the slug;
// the old one finds the organisation for its members only, and no other
// organisation can take it, by creating or by changing.
func TestOldSlugsLeadMembersToTheNewOne(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := t.Context()
			svc := app.New(eng.Open(t), quiet, app.WithPasswordHasher(cheap))
			ada, bo, ed, cy := person(ctx, t, svc, "ada@example.com"), person(ctx, t, svc, "bo@example.com"),
				person(ctx, t, svc, "ed@example.com"), person(ctx, t, svc, "cy@example.com")
			if _, err := svc.CreateOrg(ctx, ada, "Acme", "acme"); err != nil {
				t.Fatal(err)
			}
			join(ctx, t, svc, "acme", bo, persona.RoleAdmin)
			join(ctx, t, svc, "acme", ed, persona.RoleEditor)
			if _, err := svc.CreateOrg(ctx, cy, "Other", "other"); err != nil {
				t.Fatal(err)
			}

			_, err := svc.ChangeSlug(ctx, ed, "acme", "acme-corp")
			mustCode(t, err, persona.CodeForbidden, "an editor changes the slug")
			_, err = svc.ChangeSlug(ctx, bo, "acme", "Acme Corp")
			mustCode(t, err, persona.CodeInvalid, "an invalid slug")
			org, err := svc.ChangeSlug(ctx, bo, "acme", "acme-corp")
			if err != nil || org.Slug != "acme-corp" {
				t.Fatalf("an admin changes the slug: %+v %v", org, err)
			}
			if _, _, err := svc.GetOrg(ctx, ada, "acme-corp"); err != nil {
				t.Fatalf("the new slug: %v", err)
			}
			_, _, err = svc.GetOrg(ctx, ada, "acme")
			mustCode(t, err, persona.CodeNotFound, "the old slug is not the organisation's address any more")
			for _, member := range []app.Actor{ada, bo, ed} {
				moved, err := svc.OrgMovedTo(ctx, member, "acme")
				if err != nil || moved.Slug != "acme-corp" {
					t.Fatalf("%s follows the old slug: %+v %v", member.Email, moved, err)
				}
			}
			_, err = svc.OrgMovedTo(ctx, cy, "acme")
			mustCode(t, err, persona.CodeNotFound, "an outsider learns nothing from an old slug")

			// Reserved: nobody else takes it.
			_, err = svc.ChangeSlug(ctx, cy, "other", "acme")
			mustCode(t, err, persona.CodeConflict, "another organisation takes the old slug")
			_, err = svc.CreateOrg(ctx, cy, "Acme", "acme")
			mustCode(t, err, persona.CodeConflict, "a new organisation takes the old slug")
			derived, err := svc.CreateOrg(ctx, cy, "Acme", "")
			if err != nil || derived.Slug == "acme" || !strings.HasPrefix(derived.Slug, "acme-") {
				t.Fatalf("a derived slug skips the old one: %+v %v", derived, err)
			}

			// Unchanged is no change; the log names who did what.
			if _, err := svc.ChangeSlug(ctx, ada, "acme-corp", "acme-corp"); err != nil {
				t.Fatal(err)
			}
			log := entriesOf(ctx, t, svc, "acme-corp", "change slug")
			if len(log) != 1 || log[0].ActorEmail != bo.Email || log[0].Summary != "acme → acme-corp" {
				t.Fatalf("change slug entries %+v", log)
			}
			// Taking the old slug back.
			if _, err := svc.ChangeSlug(ctx, ada, "acme-corp", "acme"); err != nil {
				t.Fatalf("taking the old slug back: %v", err)
			}
			if moved, err := svc.OrgMovedTo(ctx, ada, "acme-corp"); err != nil || moved.Slug != "acme" {
				t.Fatalf("acme-corp now leads back: %+v %v", moved, err)
			}
		})
	}
}

// TestTransferOwnershipNeverLeavesNoOwner: two owners on two instances hand
// ownership to each other at the same moment, 50 times, and hand it to a
// third member at once, 50 times: the transfers serialise on the
// organisation, so it always keeps an owner and no transfer fails with
// anything but a refusal.
func TestTransferOwnershipNeverLeavesNoOwner(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := t.Context()
			dsn := eng.DSN(t)
			one := app.New(storetest.OpenDSN(t, dsn), quiet, app.WithPasswordHasher(cheap))
			two := app.New(storetest.OpenDSN(t, dsn), quiet, app.WithPasswordHasher(cheap))
			a, b, c := person(ctx, t, one, "ada@example.com"), person(ctx, t, one, "bo@example.com"), person(ctx, t, one, "cy@example.com")
			org, err := one.CreateOrg(ctx, a, "Handover", "handover")
			if err != nil {
				t.Fatal(err)
			}
			join(ctx, t, one, org.Slug, b, persona.RoleOwner)
			join(ctx, t, one, org.Slug, c, persona.RoleEditor)

			// The rules first.
			_, err = one.TransferOwnership(ctx, c, org.Slug, a.UserID)
			mustCode(t, err, persona.CodeForbidden, "an editor hands on ownership")
			_, err = one.TransferOwnership(ctx, a, org.Slug, a.UserID)
			mustCode(t, err, persona.CodeInvalid, "to oneself")
			_, err = one.TransferOwnership(ctx, a, org.Slug, "no-such-user")
			mustCode(t, err, persona.CodeInvalid, "to a non-member")

			reset := func() {
				for _, u := range []app.Actor{a, b} {
					if _, err := one.SetMemberRole(ctx, app.System, org.Slug, u.UserID, persona.RoleOwner); err != nil {
						t.Fatal(err)
					}
				}
				if _, err := one.SetMemberRole(ctx, app.System, org.Slug, c.UserID, persona.RoleEditor); err != nil {
					t.Fatal(err)
				}
			}
			rounds := []struct {
				name       string
				fromA, toA string
				fromB, toB string
			}{{"to each other", a.UserID, b.UserID, b.UserID, a.UserID}, {"both to a third", a.UserID, c.UserID, b.UserID, c.UserID}}
			for _, r := range rounds {
				for round := range 50 {
					var wg sync.WaitGroup
					errs := make([]error, 2)
					wg.Go(func() { _, errs[0] = one.TransferOwnership(ctx, a, org.Slug, r.toA) })
					wg.Go(func() { _, errs[1] = two.TransferOwnership(ctx, b, org.Slug, r.toB) })
					wg.Wait()
					if n := ownersOf(ctx, t, one, org.Slug); n == 0 {
						t.Fatalf("%s round %d: no owner left (errors %v)", r.name, round, errs)
					}
					for _, err := range errs {
						if err != nil && persona.ErrorCode(err) != persona.CodeForbidden {
							t.Fatalf("%s round %d: %v", r.name, round, err)
						}
					}
					if errs[0] == nil && errs[1] == nil && r.toA == r.toB {
						// Both handed it to c: they are admins now, c the owner.
						if m, _ := one.ListMembers(ctx, app.System, org.Slug); roleOf(m, c.UserID) != persona.RoleOwner {
							t.Fatalf("%s round %d: %+v", r.name, round, m)
						}
					}
					reset()
				}
			}

			// One transfer, as a person sees it.
			m, err := one.TransferOwnership(ctx, a, org.Slug, c.UserID)
			if err != nil || m.Role != persona.RoleOwner || m.UserID != c.UserID {
				t.Fatalf("transfer: %+v %v", m, err)
			}
			ms, _ := one.ListMembers(ctx, app.System, org.Slug)
			if roleOf(ms, a.UserID) != persona.RoleAdmin || roleOf(ms, c.UserID) != persona.RoleOwner {
				t.Fatalf("after the transfer: %+v", ms)
			}
			log := entriesOf(ctx, t, one, org.Slug, "transfer ownership")
			last := log[len(log)-1]
			if last.ActorEmail != a.Email || !strings.Contains(last.Summary, a.Email+" → "+c.Email) {
				t.Fatalf("transfer entry %+v", last)
			}
		})
	}
}

func roleOf(ms []persona.Member, userID string) persona.Role {
	for _, m := range ms {
		if m.UserID == userID {
			return m.Role
		}
	}
	return ""
}

// TestDeleteRestoreAndPurge: an owner deletes an organisation by typing
// its slug or name; it disappears for everyone (pages, API tokens,
// invitations); its owners see it in their list and can restore it for 30
// days, the audit log saying who deleted and who restored it; after 30
// days the sweep purges it, and the database is exactly as it was before
// the organisation existed: every row of every table.
func TestDeleteRestoreAndPurge(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := t.Context()
			db := eng.Open(t)
			var clock atomic.Int64
			clock.Store(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC).UnixNano())
			now := func() time.Time { return time.Unix(0, clock.Load()) }
			svc := app.New(db, quiet, app.WithPasswordHasher(cheap), app.WithClock(now))
			creds, err := seed.Demo(ctx, svc, demo.Data())
			if err != nil {
				t.Fatal(err)
			}
			ou, _ := svc.UserByEmail(ctx, creds.Email)
			owner := app.Actor{UserID: ou.ID, Email: ou.Email, Name: ou.Name}
			admin, outsider, invitee := person(ctx, t, svc, "admin@example.com"), person(ctx, t, svc, "out@example.com"),
				person(ctx, t, svc, "nina@example.com")
			secret, _, err := svc.CreateToken(ctx, owner, "doomed")
			if err != nil {
				t.Fatal(err)
			}
			doc, err := svc.ExportOrg(ctx, owner, creds.OrgSlug)
			if err != nil {
				t.Fatal(err)
			}
			// Mail is not the organisation's data: the invitation's e-mail
			// stays in the outbox and the queue (the organisation's
			// reference nulled) until it is sent and pruned.
			skipFTS := func(table string) bool {
				return strings.Contains(table, "_fts") || table == "outbox_messages" || strings.HasPrefix(table, "river_")
			}
			before := tableDigests(t, db.SQL(), eng.Name, skipFTS)

			// A full copy of the demo organisation, and more.
			if _, err := svc.ImportOrg(ctx, owner, "doomed", "Doomed Copy", doc, false); err != nil {
				t.Fatal(err)
			}
			slug := "doomed"
			join(ctx, t, svc, slug, admin, persona.RoleAdmin)
			if _, err := svc.InviteMember(ctx, owner, slug, invitee.Email, persona.RoleEditor); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.ChangeSlug(ctx, owner, slug, "doomed-2"); err != nil {
				t.Fatal(err)
			}
			slug = "doomed-2"
			groups, _ := svc.ListGroups(ctx, owner, slug)
			ps, _ := svc.ListPersonas(ctx, owner, slug, persona.PersonaFilter{GroupID: groups[0].ID}, "")
			if _, err := svc.MovePersonas(ctx, owner, slug, []string{ps.Items[0].ID}, groups[1].ID); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.MoveGroup(ctx, owner, slug, groups[1].ID, -1); err != nil {
				t.Fatal(err)
			}
			doomed, _, err := svc.GetOrg(ctx, owner, slug)
			if err != nil {
				t.Fatal(err)
			}

			// Deleting takes an owner and the typed slug or name.
			_, err = svc.DeleteOrg(ctx, admin, slug, slug)
			mustCode(t, err, persona.CodeForbidden, "an admin deletes")
			_, err = svc.DeleteOrg(ctx, outsider, slug, slug)
			mustCode(t, err, persona.CodeNotFound, "an outsider deletes")
			for _, typed := range []string{"", "doomed", "Doomed", "doomed-2x"} {
				_, err = svc.DeleteOrg(ctx, owner, slug, typed)
				mustCode(t, err, persona.CodeInvalid, "deleting confirmed with "+typed)
			}
			d, err := svc.DeleteOrg(ctx, owner, slug, " Doomed Copy ")
			if err != nil {
				t.Fatal(err)
			}
			if !d.PurgeAt().Equal(now().UTC().Truncate(time.Microsecond).Add(30 * 24 * time.Hour)) {
				t.Fatalf("purge at %v", d.PurgeAt())
			}

			// Gone for everyone.
			for _, a := range []app.Actor{owner, admin} {
				_, _, err := svc.GetOrg(ctx, a, slug)
				mustCode(t, err, persona.CodeNotFound, a.Email+" opens the deleted organisation")
				_, err = svc.OrgMovedTo(ctx, a, "doomed")
				mustCode(t, err, persona.CodeNotFound, "an old slug of the deleted organisation")
				orgs, _ := svc.ListMyOrgs(ctx, a)
				for _, m := range orgs {
					if m.Org.ID == doomed.ID {
						t.Fatalf("%s still lists it", a.Email)
					}
				}
			}
			_, _, err = svc.GetOrg(ctx, app.System, slug)
			mustCode(t, err, persona.CodeNotFound, "the command line opens the deleted organisation")
			if a, err := svc.AuthenticateOrg(app.WithRequestMemo(ctx), secret, slug); err != nil {
				t.Fatal(err)
			} else if _, _, err := svc.GetOrg(ctx, a, slug); persona.ErrorCode(err) != persona.CodeNotFound {
				t.Fatalf("an API token still reaches it: %v", err)
			}
			if invs, _ := svc.MyInvitations(ctx, invitee); len(invs) != 0 {
				t.Fatalf("an invitation into a deleted organisation: %+v", invs)
			}
			if _, err := svc.CreateOrg(ctx, outsider, "Squatter", "doomed-2"); persona.ErrorCode(err) != persona.CodeConflict {
				t.Fatalf("its slug is taken while it can be restored: %v", err)
			}

			// Its owners see it and restore it; nobody else can.
			list, err := svc.ListDeletedOrgs(ctx, owner)
			if err != nil || len(list) != 1 || list[0].Org.ID != doomed.ID || list[0].DeletedByEmail != owner.Email {
				t.Fatalf("deleted organisations: %+v %v", list, err)
			}
			if l, _ := svc.ListDeletedOrgs(ctx, admin); len(l) != 0 {
				t.Fatalf("an admin sees %+v", l)
			}
			for _, a := range []app.Actor{admin, outsider} {
				_, err := svc.RestoreOrg(ctx, a, doomed.ID)
				mustCode(t, err, persona.CodeNotFound, a.Email+" restores")
			}
			clock.Add(int64(29 * 24 * time.Hour))
			if _, err := svc.RestoreOrg(ctx, owner, doomed.ID); err != nil {
				t.Fatalf("restore on day 29: %v", err)
			}
			if _, _, err := svc.GetOrg(ctx, admin, slug); err != nil {
				t.Fatalf("restored for its members: %v", err)
			}
			if moved, err := svc.OrgMovedTo(ctx, admin, "doomed"); err != nil || moved.Slug != slug {
				t.Fatalf("the old slug leads there again: %+v %v", moved, err)
			}
			del, res := entriesOf(ctx, t, svc, slug, "delete"), entriesOf(ctx, t, svc, slug, "restore")
			if len(res) != 1 || res[0].ObjectKind != "organisation" || res[0].ActorEmail != owner.Email ||
				!strings.Contains(res[0].Summary, "deleted by "+owner.Email) {
				t.Fatalf("restore entry %+v", res)
			}
			if e := del[len(del)-1]; e.ObjectKind != "organisation" || e.ActorEmail != owner.Email || e.ObjectID != doomed.ID {
				t.Fatalf("delete entry %+v", e)
			}

			// Deleted again: restorable until day 30, then purged.
			if _, err := svc.DeleteOrg(ctx, owner, slug, slug); err != nil {
				t.Fatal(err)
			}
			clock.Add(int64(30*24*time.Hour - time.Second))
			if n, err := svc.PurgeDeletedOrgs(ctx); err != nil || n != 0 {
				t.Fatalf("purged %d before its time: %v", n, err)
			}
			clock.Add(int64(2 * time.Second))
			if _, err := svc.RestoreOrg(ctx, owner, doomed.ID); persona.ErrorCode(err) != persona.CodeNotFound {
				t.Fatalf("restore after 30 days: %v", err)
			}
			if l, _ := svc.ListDeletedOrgs(ctx, owner); len(l) != 0 {
				t.Fatalf("listed after 30 days: %+v", l)
			}
			if n, err := svc.PurgeDeletedOrgs(ctx); err != nil || n != 1 {
				t.Fatalf("purged %d: %v", n, err)
			}
			if n, err := svc.PurgeDeletedOrgs(ctx); err != nil || n != 0 {
				t.Fatalf("purged again %d: %v", n, err)
			}
			// The only trace the test leaves outside the organisation is the
			// token's last use (it tried to reach the deleted organisation).
			if _, err := db.SQL().ExecContext(ctx, `UPDATE api_tokens SET last_used_at = NULL`); err != nil {
				t.Fatal(err)
			}
			after := tableDigests(t, db.SQL(), eng.Name, skipFTS)
			for table, digest := range before {
				if after[table] != digest {
					t.Errorf("%s: %s before the organisation, %s after its purge", table, digest, after[table])
				}
			}
			if len(after) != len(before) {
				t.Errorf("%d tables before, %d after", len(before), len(after))
			}
			if eng.Name == "sqlite" {
				checkFTS(ctx, t, db.SQL())
			}
			if _, err := svc.CreateOrg(ctx, outsider, "Now free", "doomed-2"); err != nil {
				t.Fatalf("a purged organisation's slug is free again: %v", err)
			}
		})
	}
}

// checkFTS: SQLite's full-text tables hold one entry per row of the tables
// they index, so a purge left no words behind.
func checkFTS(ctx context.Context, t *testing.T, db *sql.DB) {
	t.Helper()
	for _, pair := range [][2]string{{"personas_fts_docsize", "personas"}, {"search_entries_fts_docsize", "search_entries"}} {
		var indexed, rows int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+pair[0]).Scan(&indexed); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+pair[1]).Scan(&rows); err != nil {
			t.Fatal(err)
		}
		if indexed != rows {
			t.Fatalf("%s has %d entries for %d rows of %s", pair[0], indexed, rows, pair[1])
		}
	}
}

// lifeOrg is an organisation with a UX template, for the group tests.
type lifeOrg struct {
	svc      *app.Service
	db       interface{ SQL() *sql.DB }
	owner    app.Actor
	viewer   app.Actor
	slug     string
	template string
}

func newLifeOrg(ctx context.Context, t *testing.T, eng storetest.Engine) lifeOrg {
	t.Helper()
	db := eng.Open(t)
	svc := app.New(db, quiet, app.WithPasswordHasher(cheap))
	o := lifeOrg{svc: svc, db: db, owner: person(ctx, t, svc, "owner@example.com"), slug: "groups"}
	if _, err := svc.CreateOrg(ctx, o.owner, "Groups", o.slug); err != nil {
		t.Fatal(err)
	}
	o.viewer = person(ctx, t, svc, "viewer@example.com")
	join(ctx, t, svc, o.slug, o.viewer, persona.RoleViewer)
	ts, _ := svc.ListTemplates(ctx, o.owner, o.slug)
	for _, tm := range ts {
		if tm.ProfileType == persona.ProfileUX {
			o.template = tm.ID
		}
	}
	return o
}

func (o lifeOrg) group(ctx context.Context, t *testing.T, name string) persona.Group {
	t.Helper()
	g, err := o.svc.CreateGroup(ctx, o.owner, o.slug, app.GroupInput{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func (o lifeOrg) persona(ctx context.Context, t *testing.T, name, groupID string) persona.Persona {
	t.Helper()
	p, err := o.svc.CreatePersona(ctx, o.owner, o.slug, app.PersonaInput{Name: name, GroupID: groupID, TemplateID: o.template,
		Status: persona.StatusDraft, Values: persona.Values{"role_title": "Tester"}})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (o lifeOrg) groupNames(ctx context.Context, t *testing.T) string {
	t.Helper()
	gs, err := o.svc.ListGroups(ctx, o.owner, o.slug)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, g := range gs {
		names = append(names, g.Name)
	}
	return strings.Join(names, ", ")
}

// TestGroupsKeepTheirOrder: new groups go last; moving one up or down and
// reordering the whole list change the order everyone sees; a list that
// does not name every group once is refused.
func TestGroupsKeepTheirOrder(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := t.Context()
			o := newLifeOrg(ctx, t, eng)
			z, a, m := o.group(ctx, t, "Zulu"), o.group(ctx, t, "Alpha"), o.group(ctx, t, "Mike")
			if got := o.groupNames(ctx, t); got != "Zulu, Alpha, Mike" {
				t.Fatalf("new groups go last: %s", got)
			}
			if _, err := o.svc.MoveGroup(ctx, o.owner, o.slug, m.ID, -1); err != nil {
				t.Fatal(err)
			}
			if got := o.groupNames(ctx, t); got != "Zulu, Mike, Alpha" {
				t.Fatalf("moved up: %s", got)
			}
			if _, err := o.svc.MoveGroup(ctx, o.owner, o.slug, z.ID, -1); err != nil {
				t.Fatal(err)
			}
			if got := o.groupNames(ctx, t); got != "Zulu, Mike, Alpha" {
				t.Fatalf("the first stays first: %s", got)
			}
			if _, err := o.svc.MoveGroup(ctx, o.owner, o.slug, z.ID, 1); err != nil {
				t.Fatal(err)
			}
			if got := o.groupNames(ctx, t); got != "Mike, Zulu, Alpha" {
				t.Fatalf("moved down: %s", got)
			}
			gs, err := o.svc.ReorderGroups(ctx, o.owner, o.slug, []string{a.ID, m.ID, z.ID})
			if err != nil || len(gs) != 3 || gs[0].Position != 1 || gs[2].ID != z.ID {
				t.Fatalf("reorder: %+v %v", gs, err)
			}
			if got := o.groupNames(ctx, t); got != "Alpha, Mike, Zulu" {
				t.Fatalf("reordered: %s", got)
			}
			_, err = o.svc.ReorderGroups(ctx, o.owner, o.slug, []string{a.ID, m.ID})
			mustCode(t, err, persona.CodeConflict, "a list without every group")
			_, err = o.svc.ReorderGroups(ctx, o.owner, o.slug, []string{a.ID, a.ID, z.ID})
			mustCode(t, err, persona.CodeInvalid, "a group twice")
			_, err = o.svc.ReorderGroups(ctx, o.viewer, o.slug, []string{z.ID, m.ID, a.ID})
			mustCode(t, err, persona.CodeForbidden, "a viewer reorders")
			_, err = o.svc.MoveGroup(ctx, o.viewer, o.slug, z.ID, -1)
			mustCode(t, err, persona.CodeForbidden, "a viewer moves a group")
			if got := o.groupNames(ctx, t); got != "Alpha, Mike, Zulu" {
				t.Fatalf("refusals changed the order: %s", got)
			}
			if n := o.group(ctx, t, "November"); n.Position != 4 {
				t.Fatalf("a new group after a reorder: position %d", n.Position)
			}
		})
	}
}

// TestDeleteGroupMovesItsPersonas: a group that holds personas (one of
// them in the trash) is deleted only with somewhere to move them; they
// move, each with a new revision and its own entry, and the group goes, in
// one transaction.
func TestDeleteGroupMovesItsPersonas(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := t.Context()
			o := newLifeOrg(ctx, t, eng)
			old, dest := o.group(ctx, t, "Old"), o.group(ctx, t, "New home")
			p1, p2, gone := o.persona(ctx, t, "One", old.ID), o.persona(ctx, t, "Two", old.ID), o.persona(ctx, t, "Trashed", old.ID)
			if err := o.svc.TrashPersona(ctx, o.owner, o.slug, gone.ID); err != nil {
				t.Fatal(err)
			}
			mustCode(t, o.svc.DeleteGroup(ctx, o.owner, o.slug, old.ID), persona.CodeConflict, "deleting a group that holds personas")
			mustCode(t, o.svc.DeleteGroupMoving(ctx, o.owner, o.slug, old.ID, old.ID), persona.CodeInvalid, "moving to itself")
			mustCode(t, o.svc.DeleteGroupMoving(ctx, o.owner, o.slug, old.ID, "no-such-group"), persona.CodeInvalid, "moving nowhere")
			mustCode(t, o.svc.DeleteGroupMoving(ctx, o.viewer, o.slug, old.ID, dest.ID), persona.CodeForbidden, "a viewer deletes")
			if n := len(entriesOf(ctx, t, o.svc, o.slug, "move")); n != 0 {
				t.Fatalf("refusals moved %d personas", n)
			}

			if err := o.svc.DeleteGroupMoving(ctx, o.owner, o.slug, old.ID, dest.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := o.svc.GetGroup(ctx, o.owner, o.slug, old.ID); persona.ErrorCode(err) != persona.CodeNotFound {
				t.Fatalf("the group is still there: %v", err)
			}
			for _, p := range []persona.Persona{p1, p2} {
				got, err := o.svc.GetPersona(ctx, o.owner, o.slug, p.ID)
				if err != nil || got.GroupID != dest.ID || got.Revision != p.Revision+1 {
					t.Fatalf("%s: %+v %v", p.Name, got, err)
				}
				revs, _ := o.svc.ListRevisions(ctx, o.owner, o.slug, p.ID)
				if revs[0].Message != "Moved from Old to New home" || revs[0].Content.GroupID != dest.ID {
					t.Fatalf("%s revision %+v", p.Name, revs[0])
				}
			}
			restored, err := o.svc.RestorePersona(ctx, o.owner, o.slug, gone.ID)
			if err != nil || restored.GroupID != dest.ID {
				t.Fatalf("the trashed persona moved too: %+v %v", restored, err)
			}
			moves := entriesOf(ctx, t, o.svc, o.slug, "move")
			if len(moves) != 3 {
				t.Fatalf("%d move entries, want one per persona", len(moves))
			}
			del := entriesOf(ctx, t, o.svc, o.slug, "delete")
			if len(del) != 1 || del[0].ObjectID != old.ID || del[0].Summary != "Old; its 3 personas moved to New home" {
				t.Fatalf("delete entry %+v", del)
			}
			if del[0].Seq < moves[2].Seq {
				t.Fatal("the group's entry comes after its personas' moves")
			}
		})
	}
}

// TestMovingPersonasIsAllOrNothing: several personas move in one
// transaction. If any of them cannot move — one is missing, or the write
// of one of them fails half-way — none moves: no revision, no entry.
func TestMovingPersonasIsAllOrNothing(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := t.Context()
			o := newLifeOrg(ctx, t, eng)
			from, to := o.group(ctx, t, "From"), o.group(ctx, t, "To")
			p1, p2, p3 := o.persona(ctx, t, "One", from.ID), o.persona(ctx, t, "Two", from.ID), o.persona(ctx, t, "Three", from.ID)
			gone := o.persona(ctx, t, "Gone", from.ID)
			if err := o.svc.TrashPersona(ctx, o.owner, o.slug, gone.ID); err != nil {
				t.Fatal(err)
			}
			unchanged := func(what string) {
				t.Helper()
				for _, p := range []persona.Persona{p1, p2, p3} {
					got, _ := o.svc.GetPersona(ctx, o.owner, o.slug, p.ID)
					if got.GroupID != from.ID || got.Revision != p.Revision {
						t.Fatalf("%s: %s moved (%+v)", what, p.Name, got)
					}
				}
				if n := len(entriesOf(ctx, t, o.svc, o.slug, "move")); n != 0 {
					t.Fatalf("%s: %d move entries", what, n)
				}
			}
			_, err := o.svc.MovePersonas(ctx, o.owner, o.slug, []string{p1.ID, p2.ID, gone.ID}, to.ID)
			mustCode(t, err, persona.CodeNotFound, "a trashed persona among them")
			unchanged("with a trashed persona")
			_, err = o.svc.MovePersonas(ctx, o.owner, o.slug, []string{p1.ID, p1.ID}, to.ID)
			mustCode(t, err, persona.CodeInvalid, "a persona twice")
			_, err = o.svc.MovePersonas(ctx, o.owner, o.slug, nil, to.ID)
			mustCode(t, err, persona.CodeInvalid, "nobody")
			_, err = o.svc.MovePersonas(ctx, o.owner, o.slug, []string{p1.ID}, "no-such-group")
			mustCode(t, err, persona.CodeInvalid, "to no group")
			_, err = o.svc.MovePersonas(ctx, o.viewer, o.slug, []string{p1.ID}, to.ID)
			mustCode(t, err, persona.CodeForbidden, "a viewer moves")
			unchanged("refused moves")

			// The third persona's write fails after two were written.
			refuse, allow := `CREATE TRIGGER refuse_move BEFORE INSERT ON audit_log WHEN NEW.object_id = '`+p3.ID+`'
				BEGIN SELECT RAISE(ABORT, 'move refused'); END`, `DROP TRIGGER refuse_move`
			if eng.Name == "postgres" {
				refuse = `CREATE FUNCTION refuse_move() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
					IF NEW.object_id = '` + p3.ID + `' THEN RAISE EXCEPTION 'move refused'; END IF; RETURN NEW; END $$;
					CREATE TRIGGER refuse_move BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse_move()`
				allow = `DROP TRIGGER refuse_move ON audit_log; DROP FUNCTION refuse_move()`
			}
			if _, err := o.db.SQL().ExecContext(ctx, refuse); err != nil {
				t.Fatal(err)
			}
			_, err = o.svc.MovePersonas(ctx, o.owner, o.slug, []string{p1.ID, p2.ID, p3.ID}, to.ID)
			if err == nil || !strings.Contains(err.Error(), "move refused") {
				t.Fatalf("the failing move: %v", err)
			}
			unchanged("a move that failed half-way")
			if _, err := o.db.SQL().ExecContext(ctx, allow); err != nil {
				t.Fatal(err)
			}

			moved, err := o.svc.MovePersonas(ctx, o.owner, o.slug, []string{p3.ID, p1.ID}, to.ID)
			if err != nil || len(moved) != 2 || moved[0].ID != p3.ID || moved[0].GroupID != to.ID || moved[1].Revision != p1.Revision+1 {
				t.Fatalf("moved %+v %v", moved, err)
			}
			entries := entriesOf(ctx, t, o.svc, o.slug, "move")
			if len(entries) != 2 || entries[0].ObjectID != p3.ID || entries[1].ObjectID != p1.ID ||
				entries[0].Summary != "Three: From → To (revision 2)" {
				t.Fatalf("one entry per persona: %+v", entries)
			}
			// Already there: nothing to write.
			again, err := o.svc.MovePersonas(ctx, o.owner, o.slug, []string{p1.ID}, to.ID)
			if err != nil || again[0].Revision != p1.Revision+1 {
				t.Fatalf("moving to where it is: %+v %v", again, err)
			}
			if n := len(entriesOf(ctx, t, o.svc, o.slug, "move")); n != 2 {
				t.Fatalf("a no-op move wrote %d entries", n-2)
			}
		})
	}
}
