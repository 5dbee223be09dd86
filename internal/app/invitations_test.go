package app_test

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/store/storetest"
)

// invitationWorld is an organisation on one engine with an owner, an
// admin, an editor and a viewer, a second organisation with its own owner,
// and a clock the test moves.
type invitationWorld struct {
	t      *testing.T
	svc    *app.Service
	db     app.Store
	now    *time.Time
	mu     *sync.Mutex
	org    persona.Org
	owner  app.Actor
	admin  app.Actor
	editor app.Actor
	viewer app.Actor
	other  persona.Org // the second organisation
	boss   app.Actor   // its owner
}

func newInvitationWorld(t *testing.T, eng storetest.Engine, wrap func(app.Store) app.Store) *invitationWorld {
	t.Helper()
	ctx := t.Context()
	db := eng.Open(t)
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	w := &invitationWorld{t: t, now: &now, mu: &sync.Mutex{}}
	clock := app.WithClock(func() time.Time { w.mu.Lock(); defer w.mu.Unlock(); return *w.now })
	quiet := app.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
	var st app.Store = db
	if wrap != nil {
		st = wrap(db)
	}
	w.db = db
	w.svc = app.New(st, clock, quiet, app.WithPasswordHasher(cheap))
	setup := app.New(db, clock, quiet, app.WithPasswordHasher(cheap))
	user := func(email, name string) app.Actor {
		u, err := setup.CreateUser(ctx, email, name, "a-long-password-"+name)
		if err != nil {
			t.Fatal(err)
		}
		return app.Actor{UserID: u.ID, Email: u.Email, Name: u.Name}
	}
	w.owner, w.admin, w.editor, w.viewer = user("olga@example.com", "Olga Owner"), user("ada@example.com", "Ada Admin"),
		user("ed@example.com", "Ed Editor"), user("vera@example.com", "Vera Viewer")
	var err error
	if w.org, err = setup.CreateOrg(ctx, w.owner, "Ledgerline", "ledgerline"); err != nil {
		t.Fatal(err)
	}
	for a, role := range map[app.Actor]persona.Role{w.admin: persona.RoleAdmin, w.editor: persona.RoleEditor, w.viewer: persona.RoleViewer} {
		if _, err := setup.AddMember(ctx, app.System, w.org.Slug, a.Email, role); err != nil {
			t.Fatal(err)
		}
	}
	w.boss = user("bo@example.com", "Bo Boss")
	if w.other, err = setup.CreateOrg(ctx, w.boss, "Other Corp", "other-corp"); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *invitationWorld) advance(d time.Duration) {
	w.mu.Lock()
	*w.now = w.now.Add(d)
	w.mu.Unlock()
}

func (w *invitationWorld) user(email, name string) app.Actor {
	w.t.Helper()
	u, err := w.svc.CreateUser(w.t.Context(), email, name, "a-long-password-"+name)
	if err != nil {
		w.t.Fatal(err)
	}
	return app.Actor{UserID: u.ID, Email: u.Email, Name: u.Name}
}

func (w *invitationWorld) invite(by app.Actor, email string, role persona.Role) persona.Invitation {
	w.t.Helper()
	inv, err := w.svc.InviteMember(w.t.Context(), by, w.org.Slug, email, role)
	if err != nil {
		w.t.Fatalf("invite %s as %s: %v", email, role, err)
	}
	return inv
}

func (w *invitationWorld) roleOf(slug, userID string) persona.Role {
	w.t.Helper()
	ms, err := w.svc.ListMembers(w.t.Context(), app.System, slug)
	if err != nil {
		w.t.Fatal(err)
	}
	for _, m := range ms {
		if m.UserID == userID {
			return m.Role
		}
	}
	return ""
}

func (w *invitationWorld) log(slug string) []persona.AuditEvent {
	w.t.Helper()
	items, err := w.svc.ListAudit(w.t.Context(), app.System, slug, app.AuditQuery{}, 0, 1000)
	if err != nil {
		w.t.Fatal(err)
	}
	slices.Reverse(items)
	return items
}

func wantCode(t *testing.T, err error, code persona.Code, what string) {
	t.Helper()
	if got := persona.ErrorCode(err); got != code {
		t.Errorf("%s: %v (code %q), want code %q", what, err, got, code)
	}
}

// recordingStore notes which store methods a use case calls, inside its
// transaction too, so two runs can be compared call for call.
type recordingStore struct {
	app.Store
	mu    *sync.Mutex
	calls *[]string
}

func (r recordingStore) note(name string) {
	r.mu.Lock()
	*r.calls = append(*r.calls, name)
	r.mu.Unlock()
}

func (r recordingStore) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := *r.calls
	*r.calls = nil
	return out
}

func (r recordingStore) InTx(ctx context.Context, fn func(tx app.Store) error) error {
	r.note("InTx")
	return r.Store.InTx(ctx, func(tx app.Store) error { return fn(recordingStore{tx, r.mu, r.calls}) })
}

func (r recordingStore) UserByEmail(ctx context.Context, email string) (persona.User, error) {
	r.note("UserByEmail")
	return r.Store.UserByEmail(ctx, email)
}

func (r recordingStore) UserByID(ctx context.Context, id string) (persona.User, error) {
	r.note("UserByID")
	return r.Store.UserByID(ctx, id)
}

func (r recordingStore) OrgForMember(ctx context.Context, slug, userID string) (persona.Org, persona.Role, error) {
	r.note("OrgForMember")
	return r.Store.OrgForMember(ctx, slug, userID)
}

func (r recordingStore) LockOrg(ctx context.Context, orgID string) error {
	r.note("LockOrg")
	return r.Store.LockOrg(ctx, orgID)
}

func (r recordingStore) GetMember(ctx context.Context, orgID, userID string) (persona.Member, error) {
	r.note("GetMember")
	return r.Store.GetMember(ctx, orgID, userID)
}

func (r recordingStore) ListMembers(ctx context.Context, orgID string) ([]persona.Member, error) {
	r.note("ListMembers")
	return r.Store.ListMembers(ctx, orgID)
}

func (r recordingStore) AddMember(ctx context.Context, m persona.Member) error {
	r.note("AddMember")
	return r.Store.AddMember(ctx, m)
}

func (r recordingStore) MemberByEmail(ctx context.Context, orgID, email string) (persona.Member, error) {
	r.note("MemberByEmail")
	return r.Store.MemberByEmail(ctx, orgID, email)
}

func (r recordingStore) OpenInvitation(ctx context.Context, orgID, email string) (persona.Invitation, error) {
	r.note("OpenInvitation")
	return r.Store.OpenInvitation(ctx, orgID, email)
}

func (r recordingStore) CreateInvitation(ctx context.Context, inv persona.Invitation) error {
	r.note("CreateInvitation")
	return r.Store.CreateInvitation(ctx, inv)
}

func (r recordingStore) RefreshInvitation(ctx context.Context, inv persona.Invitation) error {
	r.note("RefreshInvitation")
	return r.Store.RefreshInvitation(ctx, inv)
}

func (r recordingStore) GetInvitation(ctx context.Context, orgID, id string) (persona.Invitation, error) {
	r.note("GetInvitation")
	return r.Store.GetInvitation(ctx, orgID, id)
}

func (r recordingStore) AppendAudit(ctx context.Context, e persona.AuditEvent) error {
	r.note("AppendAudit")
	return r.Store.AppendAudit(ctx, e)
}

// TestInviteAnswersTheSameWhateverTheAddress: inviting an address that has
// an account, one that has none, and one that already has a pending
// invitation gives the same kind of answer, and the first two take the
// very same path through the store (no account is looked up at all), so
// neither the answer nor the work done tells them apart.
func TestInviteAnswersTheSameWhateverTheAddress(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := t.Context()
			var rec recordingStore
			w := newInvitationWorld(t, eng, func(db app.Store) app.Store {
				rec = recordingStore{Store: db, mu: &sync.Mutex{}, calls: &[]string{}}
				return rec
			})
			w.user("has-account@example.com", "Hana Account")
			rec.take()

			answers := map[string]persona.Invitation{}
			paths := map[string][]string{}
			for _, email := range []string{"has-account@example.com", "no-account@example.com"} {
				inv, err := w.svc.InviteMember(ctx, w.admin, w.org.Slug, email, persona.RoleEditor)
				if err != nil {
					t.Fatalf("invite %s: %v", email, err)
				}
				answers[email], paths[email] = inv, rec.take()
			}
			if !slices.Equal(paths["has-account@example.com"], paths["no-account@example.com"]) {
				t.Errorf("the store calls differ:\n with an account:    %v\n without an account: %v",
					paths["has-account@example.com"], paths["no-account@example.com"])
			}
			if slices.Contains(paths["has-account@example.com"], "UserByEmail") {
				t.Errorf("inviting looked the address's account up: %v", paths["has-account@example.com"])
			}
			// A pending invitation is sent again: the same answer, for the
			// same invitation.
			w.advance(time.Hour)
			again, err := w.svc.InviteMember(ctx, w.admin, w.org.Slug, "has-account@example.com", persona.RoleEditor)
			if err != nil {
				t.Fatal(err)
			}
			answers["again"] = again

			first := answers["has-account@example.com"]
			for name, inv := range answers {
				if inv.ID == "" || inv.Role != persona.RoleEditor || inv.Status(*w.now) != persona.InvitationPending ||
					inv.InvitedBy != w.admin.UserID || inv.InvitedByName != "Ada Admin" || inv.InvitedByEmail != w.admin.Email ||
					inv.ExpiresAt.Sub(inv.CreatedAt) != persona.InvitationLifetime || inv.OrgSlug != w.org.Slug ||
					inv.AcceptedAt != nil || inv.DeclinedAt != nil || inv.RevokedAt != nil || inv.TokenHash != "" || inv.AcceptedBy != "" {
					t.Errorf("%s: answer %+v", name, inv)
				}
			}
			if again.ID != first.ID || !again.CreatedAt.Equal(w.now.UTC()) {
				t.Errorf("sent again: %+v, want invitation %s refreshed at %s", again, first.ID, w.now)
			}
			if answers["no-account@example.com"].Email != "no-account@example.com" {
				t.Errorf("the address without an account: %+v", answers["no-account@example.com"])
			}
		})
	}
}

// TestInvitingAgainRefreshesThePendingInvitation: a second invitation to
// the same address updates the open one (role, inviter, a new week) rather
// than making another; each is recorded.
func TestInvitingAgainRefreshesThePendingInvitation(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := t.Context()
			w := newInvitationWorld(t, eng, nil)
			first := w.invite(w.admin, "Nina@Example.com", persona.RoleViewer)
			if first.Email != "nina@example.com" {
				t.Errorf("stored address %q, want it normalised", first.Email)
			}
			w.advance(8 * 24 * time.Hour) // expired meanwhile
			second := w.invite(w.owner, "nina@example.com", persona.RoleOwner)
			if second.ID != first.ID || second.Role != persona.RoleOwner || second.InvitedBy != w.owner.UserID ||
				second.Status(*w.now) != persona.InvitationPending || !second.ExpiresAt.Equal(w.now.Add(persona.InvitationLifetime)) {
				t.Errorf("refreshed %+v from %+v", second, first)
			}
			list, err := w.svc.ListInvitations(ctx, w.admin, w.org.Slug)
			if err != nil || len(list) != 1 || list[0].ID != first.ID {
				t.Fatalf("open invitations: %+v %v", list, err)
			}
			var got []string
			for _, e := range w.log(w.org.Slug) {
				if e.ObjectKind == "invitation" {
					got = append(got, e.Action+" "+e.ObjectID+" "+e.Summary+" by "+e.ActorEmail)
				}
			}
			want := []string{
				"invite " + first.ID + " nina@example.com as viewer by ada@example.com",
				"invite " + first.ID + " nina@example.com as owner (sent again) by olga@example.com",
			}
			if !slices.Equal(got, want) {
				t.Errorf("audit entries:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// TestInviteRefusals: who may invite whom, and bad input.
func TestInviteRefusals(t *testing.T) {
	w := newInvitationWorld(t, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite}, nil)
	ctx := t.Context()
	invite := func(by app.Actor, slug, email string, role persona.Role) error {
		_, err := w.svc.InviteMember(ctx, by, slug, email, role)
		return err
	}
	wantCode(t, invite(w.viewer, w.org.Slug, "x@example.com", persona.RoleViewer), persona.CodeForbidden, "a viewer invites")
	wantCode(t, invite(w.editor, w.org.Slug, "x@example.com", persona.RoleViewer), persona.CodeForbidden, "an editor invites")
	wantCode(t, invite(w.admin, w.org.Slug, "x@example.com", persona.RoleOwner), persona.CodeForbidden, "an admin invites an owner")
	wantCode(t, invite(w.boss, w.org.Slug, "x@example.com", persona.RoleViewer), persona.CodeNotFound, "an outsider invites")
	wantCode(t, invite(app.Actor{}, w.org.Slug, "x@example.com", persona.RoleViewer), persona.CodeUnauthenticated, "nobody invites")
	err := invite(w.admin, w.org.Slug, "not an address", persona.Role("boss"))
	wantCode(t, err, persona.CodeInvalid, "bad address and role")
	if e, _ := persona.AsError(err); e == nil || len(e.Fields) != 2 || e.Fields[0].Field != "email" || e.Fields[1].Field != "role" {
		t.Errorf("bad input names %+v", e)
	}
	err = invite(w.admin, w.org.Slug, " VERA@example.com ", persona.RoleEditor)
	wantCode(t, err, persona.CodeConflict, "inviting a member")
	if err == nil || !strings.Contains(err.Error(), "already a member") {
		t.Errorf("inviting a member: %v", err)
	}
	if list, _ := w.svc.ListInvitations(ctx, w.owner, w.org.Slug); len(list) != 0 {
		t.Errorf("refused invitations were stored: %+v", list)
	}
	for _, e := range w.log(w.org.Slug) {
		if e.ObjectKind == "invitation" {
			t.Errorf("a refused invitation was recorded: %+v", e)
		}
	}
	// The lists are for admins of the organisation.
	_, err = w.svc.ListInvitations(ctx, w.editor, w.org.Slug)
	wantCode(t, err, persona.CodeForbidden, "an editor lists invitations")
	_, err = w.svc.ListInvitations(ctx, w.boss, w.org.Slug)
	wantCode(t, err, persona.CodeNotFound, "an outsider lists invitations")
}

// TestAddingWithoutConsentIsForTheCommandLineOnly: AddMember works for the
// System actor and is forbidden to everyone else, owners included.
func TestAddingWithoutConsentIsForTheCommandLineOnly(t *testing.T) {
	w := newInvitationWorld(t, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite}, nil)
	ctx := t.Context()
	nina := w.user("nina@example.com", "Nina")
	for _, by := range []app.Actor{w.owner, w.admin, w.boss} {
		_, err := w.svc.AddMember(ctx, by, w.org.Slug, nina.Email, persona.RoleViewer)
		wantCode(t, err, persona.CodeForbidden, "AddMember by "+by.Email)
	}
	if r := w.roleOf(w.org.Slug, nina.UserID); r != "" {
		t.Fatalf("added without consent as %s", r)
	}
	if _, err := w.svc.AddMember(ctx, app.System, w.org.Slug, nina.Email, persona.RoleViewer); err != nil {
		t.Fatalf("AddMember from the command line: %v", err)
	}
	if r := w.roleOf(w.org.Slug, nina.UserID); r != persona.RoleViewer {
		t.Fatalf("after the command line added Nina: %q", r)
	}
}

// TestAcceptAddsTheMembershipExactlyOnce: the invitee sees the invitation,
// accepts it — the membership is created with the invited role, recorded
// as "add member" with the invitee as actor — and accepting again, even
// many times at once, adds nothing more.
func TestAcceptAddsTheMembershipExactlyOnce(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := t.Context()
			w := newInvitationWorld(t, eng, nil)
			nina := w.user("nina@example.com", "Nina Newcomer")
			inv := w.invite(w.admin, "nina@example.com", persona.RoleEditor)
			// An invitation into the second organisation too.
			other, err := w.svc.InviteMember(ctx, w.boss, w.other.Slug, "NINA@example.com", persona.RoleViewer)
			if err != nil {
				t.Fatal(err)
			}

			mine, err := w.svc.MyInvitations(ctx, app.Actor{UserID: nina.UserID})
			if err != nil {
				t.Fatal(err)
			}
			if len(mine) != 2 || mine[0].ID != inv.ID || mine[0].OrgName != "Ledgerline" || mine[0].InviterLabel() != "Ada Admin" ||
				mine[1].ID != other.ID || mine[1].OrgSlug != w.other.Slug {
				t.Fatalf("Nina's invitations: %+v", mine)
			}

			// Twenty accepts at once: one wins.
			var wg sync.WaitGroup
			errs := make([]error, 20)
			joined := make([]persona.OrgMembership, 20)
			for i := range errs {
				wg.Go(func() { joined[i], errs[i] = w.svc.AcceptInvitation(ctx, nina, inv.ID) })
			}
			wg.Wait()
			ok := 0
			for i, err := range errs {
				switch {
				case err == nil:
					ok++
					if joined[i].Org.Slug != w.org.Slug || joined[i].Role != persona.RoleEditor {
						t.Errorf("joined %+v", joined[i])
					}
				case persona.ErrorCode(err) == persona.CodeNotFound && strings.Contains(err.Error(), "already accepted"):
				default:
					t.Errorf("accept %d: %v", i, err)
				}
			}
			if ok != 1 {
				t.Fatalf("%d accepts succeeded, want exactly one", ok)
			}
			if r := w.roleOf(w.org.Slug, nina.UserID); r != persona.RoleEditor {
				t.Fatalf("Nina's role after accepting: %q", r)
			}
			var adds []persona.AuditEvent
			for _, e := range w.log(w.org.Slug) {
				if e.Action == "add" && e.ObjectKind == "member" && e.ObjectID == nina.UserID {
					adds = append(adds, e)
				}
			}
			if len(adds) != 1 || adds[0].ActorID != nina.UserID || adds[0].ActorEmail != nina.Email || adds[0].ObjectID != nina.UserID ||
				adds[0].Summary != "nina@example.com as editor, invited by Ada Admin" {
				t.Errorf("add member entries: %+v", adds)
			}
			got, err := w.svc.ListInvitations(ctx, w.admin, w.org.Slug)
			if err != nil || len(got) != 0 {
				t.Errorf("open invitations after the accept: %+v %v", got, err)
			}
			mine, _ = w.svc.MyInvitations(ctx, nina)
			if len(mine) != 1 || mine[0].ID != other.ID {
				t.Errorf("Nina's invitations after accepting one: %+v", mine)
			}
			// Once a member, the address cannot be invited again.
			_, err = w.svc.InviteMember(ctx, w.owner, w.org.Slug, nina.Email, persona.RoleAdmin)
			wantCode(t, err, persona.CodeConflict, "inviting Nina once she is a member")
			// The other organisation's invitation is still hers to answer:
			// she declines it.
			declined, err := w.svc.DeclineInvitation(ctx, nina, other.ID)
			if err != nil {
				t.Fatal(err)
			}
			if declined.ID != other.ID || declined.OrgName != "Other Corp" || declined.Status(*w.now) != persona.InvitationDeclined {
				t.Errorf("declined %+v", declined)
			}
			if r := w.roleOf(w.other.Slug, nina.UserID); r != "" {
				t.Errorf("declining made Nina a member as %s", r)
			}
			_, err = w.svc.AcceptInvitation(ctx, nina, other.ID)
			wantCode(t, err, persona.CodeNotFound, "accept a declined invitation")
			last := w.log(w.other.Slug)
			if e := last[len(last)-1]; e.Action != "decline" || e.ObjectKind != "invitation" || e.ObjectID != other.ID || e.ActorID != nina.UserID {
				t.Errorf("the decline was recorded as %+v", e)
			}
			if mine, _ = w.svc.MyInvitations(ctx, nina); len(mine) != 0 {
				t.Errorf("Nina's invitations after answering both: %+v", mine)
			}
		})
	}
}

// TestAnInvitationForAnotherAddressCannotBeAnswered: another user who
// learns the invitation's ID (a member of another organisation, even an
// admin of the inviting one) gets not-found, and nothing changes.
func TestAnInvitationForAnotherAddressCannotBeAnswered(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := t.Context()
			w := newInvitationWorld(t, eng, nil)
			inv := w.invite(w.owner, "nina@example.com", persona.RoleOwner)
			mallory := w.user("mallory@example.com", "Mallory")
			for _, by := range []app.Actor{mallory, w.boss, w.admin} {
				_, err := w.svc.AcceptInvitation(ctx, by, inv.ID)
				wantCode(t, err, persona.CodeNotFound, "accept by "+by.Email)
				_, err = w.svc.DeclineInvitation(ctx, by, inv.ID)
				wantCode(t, err, persona.CodeNotFound, "decline by "+by.Email)
				if mine, _ := w.svc.MyInvitations(ctx, by); len(mine) != 0 {
					t.Errorf("%s sees %+v", by.Email, mine)
				}
			}
			if r := w.roleOf(w.org.Slug, mallory.UserID); r != "" {
				t.Fatalf("Mallory joined as %s", r)
			}
			_, err := w.svc.AcceptInvitation(ctx, app.Actor{}, inv.ID)
			wantCode(t, err, persona.CodeUnauthenticated, "accept without signing in")
			_, err = w.svc.AcceptInvitation(ctx, app.System, inv.ID)
			wantCode(t, err, persona.CodeUnauthenticated, "accept from the command line")
			// An admin of another organisation cannot revoke it either.
			wantCode(t, w.svc.RevokeInvitation(ctx, w.boss, w.other.Slug, inv.ID), persona.CodeNotFound, "revoke through another organisation")
			wantCode(t, w.svc.RevokeInvitation(ctx, w.boss, w.org.Slug, inv.ID), persona.CodeNotFound, "revoke as an outsider")
			list, err := w.svc.ListInvitations(ctx, w.owner, w.org.Slug)
			if err != nil || len(list) != 1 || list[0].Status(*w.now) != persona.InvitationPending {
				t.Fatalf("the invitation after all that: %+v %v", list, err)
			}
			if list, _ := w.svc.ListInvitations(ctx, w.boss, w.other.Slug); len(list) != 0 {
				t.Errorf("the other organisation lists %+v", list)
			}
			// Nina herself can.
			nina := w.user("nina@example.com", "Nina")
			if _, err := w.svc.AcceptInvitation(ctx, nina, inv.ID); err != nil {
				t.Fatal(err)
			}
			if r := w.roleOf(w.org.Slug, nina.UserID); r != persona.RoleOwner {
				t.Fatalf("Nina's role %q", r)
			}
		})
	}
}

// TestExpiredAndRevokedInvitationsAreRefused: after seven days, or once an
// admin withdrew it, an invitation can be neither accepted nor declined,
// and the invitee no longer sees it.
func TestExpiredAndRevokedInvitationsAreRefused(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := t.Context()
			w := newInvitationWorld(t, eng, nil)
			nina := w.user("nina@example.com", "Nina")
			old := w.invite(w.admin, nina.Email, persona.RoleViewer)
			w.advance(persona.InvitationLifetime - time.Second)
			if mine, _ := w.svc.MyInvitations(ctx, nina); len(mine) != 1 {
				t.Fatalf("a second before expiry: %+v", mine)
			}
			w.advance(time.Second)
			if mine, _ := w.svc.MyInvitations(ctx, nina); len(mine) != 0 {
				t.Fatalf("expired invitations listed: %+v", mine)
			}
			_, err := w.svc.AcceptInvitation(ctx, nina, old.ID)
			wantCode(t, err, persona.CodeNotFound, "accept an expired invitation")
			if err == nil || !strings.Contains(err.Error(), "expired on 9 Mar 2026; ask Ada Admin to invite you again") {
				t.Errorf("expired: %v", err)
			}
			_, err = w.svc.DeclineInvitation(ctx, nina, old.ID)
			wantCode(t, err, persona.CodeNotFound, "decline an expired invitation")
			// The admins still see it, expired, and may revoke it.
			list, _ := w.svc.ListInvitations(ctx, w.admin, w.org.Slug)
			if len(list) != 1 || list[0].Status(*w.now) != persona.InvitationExpired {
				t.Fatalf("the admins' list: %+v", list)
			}
			if err := w.svc.RevokeInvitation(ctx, w.admin, w.org.Slug, old.ID); err != nil {
				t.Fatal(err)
			}

			fresh := w.invite(w.admin, nina.Email, persona.RoleEditor)
			if fresh.ID == old.ID {
				t.Fatal("a revoked invitation was sent again instead of a new one")
			}
			if err := w.svc.RevokeInvitation(ctx, w.admin, w.org.Slug, fresh.ID); err != nil {
				t.Fatal(err)
			}
			_, err = w.svc.AcceptInvitation(ctx, nina, fresh.ID)
			wantCode(t, err, persona.CodeNotFound, "accept a revoked invitation")
			if err == nil || !strings.Contains(err.Error(), "withdrawn") {
				t.Errorf("revoked: %v", err)
			}
			wantCode(t, w.svc.RevokeInvitation(ctx, w.admin, w.org.Slug, fresh.ID), persona.CodeConflict, "revoke twice")
			if r := w.roleOf(w.org.Slug, nina.UserID); r != "" {
				t.Fatalf("Nina joined as %s", r)
			}
			if list, _ := w.svc.ListInvitations(ctx, w.admin, w.org.Slug); len(list) != 0 {
				t.Errorf("revoked invitations listed: %+v", list)
			}
			// Only owners withdraw an invitation to become an owner.
			boss := w.invite(w.owner, "future-owner@example.com", persona.RoleOwner)
			wantCode(t, w.svc.RevokeInvitation(ctx, w.admin, w.org.Slug, boss.ID), persona.CodeForbidden, "an admin revokes an owner invitation")
			wantCode(t, w.svc.RevokeInvitation(ctx, w.editor, w.org.Slug, boss.ID), persona.CodeForbidden, "an editor revokes")
			if err := w.svc.RevokeInvitation(ctx, w.owner, w.org.Slug, boss.ID); err != nil {
				t.Fatal(err)
			}
			var revokes []string
			for _, e := range w.log(w.org.Slug) {
				if e.Action == "revoke" && e.ObjectKind == "invitation" {
					revokes = append(revokes, e.ObjectID+" "+e.Summary)
				}
			}
			want := []string{old.ID + " nina@example.com as viewer", fresh.ID + " nina@example.com as editor", boss.ID + " future-owner@example.com as owner"}
			if !slices.Equal(revokes, want) {
				t.Errorf("revocations recorded: %q, want %q", revokes, want)
			}
		})
	}
}
