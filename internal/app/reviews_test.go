package app_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/store/storetest"
)

// TestMarkReviewed, on both engines: an editor's review resets the overdue
// flag without a new revision (an edit form opened before it still saves,
// and keeps the new date); the review is listed with the reviewer's name;
// viewers may not review (403), outsiders do not see the persona (404); a
// long note is refused naming the field.
func TestMarkReviewed(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := t.Context()
			now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
			r := newReviewOrg(ctx, t, eng, now)
			stale := r.persona(ctx, t, r.owner, "Stale Sam", "2026-01-10", 90)
			if !stale.ReviewOverdue(now) {
				t.Fatalf("fixture: %s due %s is not overdue", stale.Name, stale.ReviewDue())
			}
			_, err := r.svc.MarkReviewed(ctx, r.viewer, r.slug, stale.ID, "")
			mustCode(t, err, persona.CodeForbidden, "a viewer marks reviewed")
			_, err = r.svc.MarkReviewed(ctx, r.outsider, r.slug, stale.ID, "")
			mustCode(t, err, persona.CodeNotFound, "an outsider marks reviewed")
			_, err = r.svc.ListReviews(ctx, r.outsider, r.slug, stale.ID)
			mustCode(t, err, persona.CodeNotFound, "an outsider lists reviews")
			_, err = r.svc.MarkReviewed(ctx, r.editor, r.slug, stale.ID, strings.Repeat("x", persona.MaxReviewNote+1))
			mustCode(t, err, persona.CodeInvalid, "a long note")
			if !strings.Contains(err.Error(), "invalid review") {
				t.Errorf("long note: %v", err)
			}

			rev, err := r.svc.MarkReviewed(ctx, r.editor, r.slug, stale.ID, "  Checked against the November interviews  ")
			if err != nil {
				t.Fatal(err)
			}
			if rev.ReviewedOn != "2026-12-02" || rev.Note != "Checked against the November interviews" || rev.ReviewerID != r.editor.UserID {
				t.Errorf("review %+v", rev)
			}
			got, err := r.svc.GetPersona(ctx, r.viewer, r.slug, stale.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.ReviewOverdue(now) || got.LastReviewedOn != "2026-12-02" || got.Revision != stale.Revision {
				t.Errorf("after the review: overdue %v, last reviewed %q, revision %d (was %d)",
					got.ReviewOverdue(now), got.LastReviewedOn, got.Revision, stale.Revision)
			}
			// The owner's edit form, opened before the review, still saves
			// and does not put the old date back.
			saved, err := r.svc.UpdatePersona(ctx, r.owner, r.slug, stale.ID, stale.Revision, app.PersonaInput{Name: "Stale Sam",
				Status: persona.StatusDraft, Values: persona.Values{"role_title": "Nurse"}, LastReviewedOn: "2026-01-10", ReviewIntervalDays: 90, GroupID: r.group})
			if err != nil {
				t.Fatalf("save after a review: %v", err)
			}
			if saved.LastReviewedOn != "2026-12-02" {
				t.Errorf("save after a review set the review date to %q", saved.LastReviewedOn)
			}
			// A date the editor changes on purpose is theirs.
			saved, err = r.svc.UpdatePersona(ctx, r.owner, r.slug, stale.ID, saved.Revision, app.PersonaInput{Name: "Stale Sam",
				Status: persona.StatusDraft, Values: persona.Values{"role_title": "Nurse"}, LastReviewedOn: "2026-11-01", ReviewIntervalDays: 90})
			if err != nil || saved.LastReviewedOn != "2026-11-01" {
				t.Errorf("a chosen review date: %q, %v", saved.LastReviewedOn, err)
			}

			list, err := r.svc.ListReviews(ctx, r.viewer, r.slug, stale.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(list) != 1 || list[0].Reviewer != "editor" || list[0].Note != "Checked against the November interviews" {
				t.Errorf("reviews %+v", list)
			}
			audit, err := r.svc.ListAudit(ctx, r.owner, r.slug, app.AuditQuery{ObjectKind: "persona"}, 0, 10)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, e := range audit {
				found = found || (e.Action == "review" && e.ObjectID == stale.ID && e.ActorID == r.editor.UserID &&
					strings.Contains(e.Summary, "Checked against"))
			}
			if !found {
				t.Errorf("no review in the audit log: %+v", audit)
			}
		})
	}
}

// TestReviewFiltersAndPage: the filters pick mine / overdue / due within
// 30 days / unowned; the review page groups and counts.
func TestReviewFiltersAndPage(t *testing.T) {
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	owned := func(owner, last string) persona.Persona {
		return persona.Persona{Content: persona.Content{OwnerID: owner, LastReviewedOn: last, ReviewIntervalDays: 30}, UpdatedAt: now}
	}
	cases := []struct {
		p                             persona.Persona
		mine, overdue, due30, unowned bool
	}{
		{owned("me", "2026-10-01"), true, true, false, false},
		{owned("you", "2026-11-20"), false, false, true, false},
		{persona.Persona{Content: persona.Content{LastReviewedOn: "2026-12-02", ReviewIntervalDays: 60}}, false, false, false, true},
		{persona.Persona{Content: persona.Content{OwnerID: "me", LastReviewedOn: "2026-12-01", ReviewIntervalDays: 90}}, true, false, false, false},
	}
	for i, c := range cases {
		for f, want := range map[app.ReviewFilter]bool{app.ReviewMine: c.mine, app.ReviewOverdue: c.overdue, app.ReviewDue30: c.due30,
			app.ReviewUnowned: c.unowned, app.ReviewAny: true} {
			if got := f.Match(c.p, "me", now); got != want {
				t.Errorf("case %d filter %q: %v, want %v", i, f, got, want)
			}
		}
	}
	if _, err := app.ParseReviewFilter("stale"); persona.ErrorCode(err) != persona.CodeInvalid {
		t.Errorf("unknown filter: %v", err)
	}

	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := t.Context()
			r := newReviewOrg(ctx, t, eng, now)
			g, err := r.svc.CreateGroup(ctx, r.owner, r.slug, app.GroupInput{Name: "Clinicians"})
			if err != nil {
				t.Fatal(err)
			}
			late := r.persona(ctx, t, r.owner, "Late Lou", "2026-01-01", 30)
			soon := r.persona(ctx, t, r.editor, "Soon Sue", "2026-11-20", 30)
			fresh := r.persona(ctx, t, r.owner, "Fresh Fay", "2026-12-01", 180)
			if _, err := r.svc.UpdatePersona(ctx, r.owner, r.slug, fresh.ID, fresh.Revision, app.PersonaInput{Name: fresh.Name, GroupID: g.ID,
				Status: persona.StatusDraft, Values: fresh.Values, LastReviewedOn: fresh.LastReviewedOn, ReviewIntervalDays: 180}); err != nil {
				t.Fatal(err)
			}
			ov, err := r.svc.ReviewOverview(ctx, r.viewer, r.slug)
			if err != nil {
				t.Fatal(err)
			}
			if ov.Total != 3 || ov.Overdue != 1 || ov.DueSoon != 1 || ov.Recent != 2 || ov.Unowned != 0 || ov.Mine != 0 {
				t.Errorf("counts %+v", ov)
			}
			if len(ov.Groups) != 2 || ov.Groups[0].Name != "Clinicians" || ov.Groups[1].Name != "Nurses" {
				t.Fatalf("groups %+v", ov.Groups)
			}
			rows := ov.Groups[1].Rows // overdue first, then by due date
			if len(rows) != 2 || rows[0].Persona.ID != late.ID || rows[1].Persona.ID != soon.ID || rows[0].Owner != "owner" || rows[1].Owner != "editor" {
				t.Errorf("Nurses rows: %+v", rows)
			}
			_, err = r.svc.ReviewOverview(ctx, r.outsider, r.slug)
			mustCode(t, err, persona.CodeNotFound, "an outsider's review page")
		})
	}
}

// TestReviewDigests: each owner's digest lists their overdue personas and
// those due within a week, not the ones reviewed, nor anyone's with
// nothing due; an opt-out is respected; the week's digests are queued
// once however often the job runs.
func TestReviewDigests(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := t.Context()
			now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
			r := newReviewOrg(ctx, t, eng, now)
			late := r.persona(ctx, t, r.owner, "Late Lou", "2026-01-01", 30)
			week := r.persona(ctx, t, r.owner, "Week Wes", "2026-11-06", 30) // due 6 Dec
			r.persona(ctx, t, r.owner, "Month Mo", "2026-11-20", 30)         // due 20 Dec: not yet
			ed := r.persona(ctx, t, r.editor, "Editor Ed", "2026-10-01", 30)
			r.persona(ctx, t, r.viewer, "Viewer Vi", "2026-12-01", 30) // nothing due

			byUser := func() map[string][]persona.DigestItem {
				ds, err := r.svc.ReviewDigests(ctx, now)
				if err != nil {
					t.Fatal(err)
				}
				out := map[string][]persona.DigestItem{}
				for _, d := range ds {
					if d.OrgSlug != r.slug || d.OrgName == "" {
						t.Errorf("digest %+v", d)
					}
					out[d.Email] = d.Items
				}
				return out
			}
			ds := byUser()
			if len(ds) != 2 {
				t.Fatalf("digests for %d people, want 2 (owner, editor): %+v", len(ds), ds)
			}
			own := ds[r.owner.Email]
			if len(own) != 2 || own[0].Name != late.Name || !own[0].Overdue || own[1].Name != week.Name || own[1].Overdue ||
				own[1].Due != "6 Dec 2026" || own[0].Path != "/o/"+r.slug+"/personas/"+late.ID {
				t.Errorf("owner's digest %+v", own)
			}
			if e := ds[r.editor.Email]; len(e) != 1 || e[0].Name != ed.Name {
				t.Errorf("editor's digest %+v", e)
			}

			if _, err := r.svc.MarkReviewed(ctx, r.owner, r.slug, late.ID, ""); err != nil {
				t.Fatal(err)
			}
			if err := r.svc.SetReviewDigest(ctx, r.editor, false); err != nil {
				t.Fatal(err)
			}
			if on, _ := r.svc.ReviewDigestOn(ctx, r.editor); on {
				t.Error("the editor's digest is still on")
			}
			ds = byUser()
			if len(ds) != 1 || len(ds[r.owner.Email]) != 1 || ds[r.owner.Email][0].Name != week.Name {
				t.Errorf("after a review and an opt-out: %+v", ds)
			}

			n, err := r.svc.SendReviewDigests(ctx, now)
			if err != nil || n != 1 {
				t.Fatalf("SendReviewDigests: %d, %v", n, err)
			}
			n, err = r.svc.SendReviewDigests(ctx, now.Add(48*time.Hour))
			if err != nil || n != 0 {
				t.Errorf("the same week again: %d, %v", n, err)
			}
			msgs, err := r.db.ListOutbox(ctx, persona.OutboxFilter{})
			if err != nil {
				t.Fatal(err)
			}
			var digests []persona.OutboxMessage
			for _, m := range msgs {
				if m.Kind == persona.MessageReviewDigest {
					digests = append(digests, m)
				}
			}
			if len(digests) != 1 || digests[0].To != r.owner.Email || !strings.Contains(digests[0].Text, "Week Wes") ||
				strings.Contains(digests[0].Text, "Late Lou") || !strings.Contains(digests[0].Text, "http://localhost:8080/o/"+r.slug+"/personas/"+week.ID) ||
				!strings.Contains(digests[0].HTML, "Week Wes") {
				t.Errorf("digest messages %+v", digests)
			}
		})
	}
}

type reviewOrg struct {
	svc                             *app.Service
	db                              app.Store
	owner, editor, viewer, outsider app.Actor
	slug, template, group           string
}

func newReviewOrg(ctx context.Context, t *testing.T, eng storetest.Engine, now time.Time) reviewOrg {
	t.Helper()
	db := eng.Open(t)
	svc := app.New(db, quiet, app.WithPasswordHasher(cheap), app.WithClock(func() time.Time { return now }))
	r := reviewOrg{svc: svc, db: db, slug: "reviews", owner: person(ctx, t, svc, "owner@example.com")}
	if _, err := svc.CreateOrg(ctx, r.owner, "Review Org", r.slug); err != nil {
		t.Fatal(err)
	}
	r.editor, r.viewer, r.outsider = person(ctx, t, svc, "editor@example.com"), person(ctx, t, svc, "viewer@example.com"), person(ctx, t, svc, "outsider@example.com")
	join(ctx, t, svc, r.slug, r.editor, persona.RoleEditor)
	join(ctx, t, svc, r.slug, r.viewer, persona.RoleViewer)
	ts, _ := svc.ListTemplates(ctx, r.owner, r.slug)
	for _, tm := range ts {
		if tm.ProfileType == persona.ProfileUX {
			r.template = tm.ID
		}
	}
	g, err := svc.CreateGroup(ctx, r.owner, r.slug, app.GroupInput{Name: "Nurses"})
	if err != nil {
		t.Fatal(err)
	}
	r.group = g.ID
	return r
}

func (r reviewOrg) persona(ctx context.Context, t *testing.T, by app.Actor, name, lastReviewed string, interval int) persona.Persona {
	t.Helper()
	p, err := r.svc.CreatePersona(ctx, r.owner, r.slug, app.PersonaInput{Name: name, TemplateID: r.template, GroupID: r.group, OwnerID: by.UserID,
		Status: persona.StatusDraft, Values: persona.Values{"role_title": "Tester"}, LastReviewedOn: lastReviewed, ReviewIntervalDays: interval})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestReviewFilteredListAndOnceAWeek, on both engines: the persona list's
// review filter with real dates (paged by ID), a review moving the due
// date to today plus the interval, and two digest runs at the same moment
// queueing one set of messages; --again (ResendReviewDigests) queues
// another, and the opt-out holds for it too.
func TestReviewFilteredListAndOnceAWeek(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := t.Context()
			now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
			r := newReviewOrg(ctx, t, eng, now)
			late1 := r.persona(ctx, t, r.owner, "Late One", "2026-06-01", 90)  // due 30 Aug
			late2 := r.persona(ctx, t, r.editor, "Late Two", "2026-11-01", 30) // due 1 Dec: yesterday
			soon := r.persona(ctx, t, r.owner, "Soon Sam", "2026-11-03", 30)   // due 3 Dec: tomorrow
			month := r.persona(ctx, t, r.editor, "Month Mo", "2026-12-01", 31) // due 1 Jan: 30 days on
			later := r.persona(ctx, t, r.owner, "Later Liv", "2026-12-01", 32) // due 2 Jan: 31 days on
			today := r.persona(ctx, t, r.owner, "Today Tia", "2026-11-02", 30) // due 2 Dec: today, not overdue
			ids := func(f app.ReviewFilter, by app.Actor, limit int) []string {
				var out []string
				cursor := ""
				for range 20 {
					page, err := r.svc.ListPersonasByReview(ctx, by, r.slug, persona.PersonaFilter{Limit: limit}, f, cursor)
					if err != nil {
						t.Fatal(err)
					}
					for _, p := range page.Items {
						out = append(out, p.Name)
					}
					if cursor = page.NextCursor; cursor == "" {
						break
					}
				}
				slices.Sort(out)
				return out
			}
			names := func(ps ...persona.Persona) []string {
				var out []string
				for _, p := range ps {
					out = append(out, p.Name)
				}
				slices.Sort(out)
				return out
			}
			for _, c := range []struct {
				f    app.ReviewFilter
				by   app.Actor
				want []string
			}{
				{app.ReviewOverdue, r.viewer, names(late1, late2)},
				{app.ReviewDue30, r.viewer, names(soon, month, today)},
				{app.ReviewMine, r.owner, names(late1, soon, later, today)},
				{app.ReviewMine, r.editor, names(late2, month)},
				{app.ReviewMine, r.viewer, nil},
				{app.ReviewUnowned, r.viewer, nil},
				{app.ReviewAny, r.viewer, names(late1, late2, soon, month, later, today)},
			} {
				for _, limit := range []int{1, 2, 50} {
					if got := ids(c.f, c.by, limit); !slices.Equal(got, c.want) {
						t.Errorf("filter %q by %s, pages of %d: %v, want %v", c.f, c.by.Email, limit, got, c.want)
					}
				}
			}
			_, err := r.svc.ListPersonasByReview(ctx, r.viewer, r.slug, persona.PersonaFilter{Limit: 500}, app.ReviewOverdue, "")
			mustCode(t, err, persona.CodeInvalid, "a page of 500")
			_, err = r.svc.ListPersonasByReview(ctx, r.outsider, r.slug, persona.PersonaFilter{}, app.ReviewOverdue, "")
			mustCode(t, err, persona.CodeNotFound, "an outsider's filtered list")

			// A review moves the due date to today plus the interval.
			if _, err := r.svc.MarkReviewed(ctx, r.owner, r.slug, late1.ID, ""); err != nil {
				t.Fatal(err)
			}
			got, err := r.svc.GetPersona(ctx, r.viewer, r.slug, late1.ID)
			if err != nil {
				t.Fatal(err)
			}
			if due := got.ReviewDue().Format(time.DateOnly); due != "2027-03-02" || got.ReviewOverdue(now) {
				t.Errorf("after the review: due %s (want 2027-03-02), overdue %v", due, got.ReviewOverdue(now))
			}
			if got := ids(app.ReviewOverdue, r.viewer, 50); !slices.Equal(got, names(late2)) {
				t.Errorf("overdue after the review: %v", got)
			}

			// Two runs at once: one set of messages.
			var wg sync.WaitGroup
			counts := make([]int, 4)
			errs := make([]error, 4)
			for i := range counts {
				wg.Go(func() { counts[i], errs[i] = r.svc.SendReviewDigests(ctx, now) })
			}
			wg.Wait()
			total := 0
			for i := range counts {
				if errs[i] != nil {
					t.Fatalf("run %d: %v", i, errs[i])
				}
				total += counts[i]
			}
			digests := func() map[string]int {
				msgs, err := r.db.ListOutbox(ctx, persona.OutboxFilter{})
				if err != nil {
					t.Fatal(err)
				}
				out := map[string]int{}
				for _, m := range msgs {
					if m.Kind == persona.MessageReviewDigest {
						out[m.To]++
					}
				}
				return out
			}
			if d := digests(); total != 2 || len(d) != 2 || d[r.owner.Email] != 1 || d[r.editor.Email] != 1 {
				t.Errorf("four runs at once queued %d (%v), want one each for the owner and the editor", total, d)
			}
			// Again, on purpose, after the editor opted out.
			if err := r.svc.SetReviewDigest(ctx, r.editor, false); err != nil {
				t.Fatal(err)
			}
			n, err := r.svc.ResendReviewDigests(ctx, now)
			if err != nil || n != 1 {
				t.Errorf("resend: %d, %v", n, err)
			}
			if d := digests(); d[r.owner.Email] != 2 || d[r.editor.Email] != 1 {
				t.Errorf("after the resend: %v", d)
			}
			if n, err := r.svc.SendReviewDigests(ctx, now.Add(24*time.Hour)); n != 0 || err != nil {
				t.Errorf("the job after the resend: %d, %v", n, err)
			}
			// Next week is a new week.
			if n, err := r.svc.SendReviewDigests(ctx, now.AddDate(0, 0, 7)); n != 1 || err != nil {
				t.Errorf("next week: %d, %v", n, err)
			}
		})
	}
}
