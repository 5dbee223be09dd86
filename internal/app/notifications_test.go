package app_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/store/storetest"
)

// TestNotifications, on both engines: a viewer's comment mentioning an
// editor tells the editor (in the app and by e-mail at once) and the
// persona's owner (in the app, waiting for the digest), never the writer;
// outsiders see nothing and cannot mark another's notification read;
// preferences are applied and bad ones refused naming the kind; the daily
// digest goes out once a day and leaves out what was read.
func TestNotifications(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := t.Context()
			now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
			r := newReviewOrg(ctx, t, eng, now)
			p := r.persona(ctx, t, r.owner, "Nurse Nia", "2026-11-20", 90)
			mention := "@[editor](user:" + r.editor.UserID + ")"
			c, err := r.svc.AddComment(ctx, r.viewer, r.slug, app.CommentInput{Subject: persona.CommentOnPersona, SubjectID: p.ID,
				FieldKey: "role_title", Body: "Is this still right, " + mention + "? Night shifts changed."})
			if err != nil {
				t.Fatal(err)
			}

			ed := notificationsOf(ctx, t, r.svc, r.editor, r.slug, 1)
			if ed.Items[0].Kind != persona.NotifyMention || ed.Items[0].Title != "viewer mentioned you on Nurse Nia" ||
				!strings.HasSuffix(ed.Items[0].Link, "#comment-"+c.ID) || !strings.Contains(ed.Items[0].Excerpt, "Night shifts changed") {
				t.Errorf("editor's notification %+v", ed.Items[0])
			}
			own := notificationsOf(ctx, t, r.svc, r.owner, r.slug, 1)
			if own.Items[0].Kind != persona.NotifyComment || own.Items[0].PersonaID != p.ID {
				t.Errorf("owner's notification %+v", own.Items[0])
			}
			notificationsOf(ctx, t, r.svc, r.viewer, r.slug, 0) // not told of their own comment
			if got := mailTo(ctx, t, r.svc, persona.MessageNotification); !slices.Equal(got, []string{"editor@example.com"}) {
				t.Errorf("mention e-mails went to %v, want the editor only (the owner's comment notice waits for the digest)", got)
			}

			// Outsiders: no list, no count, and another's ID marks nothing.
			_, err = r.svc.Notifications(ctx, r.outsider, r.slug, persona.NotificationFilter{})
			mustCode(t, err, persona.CodeNotFound, "an outsider lists notifications")
			_, err = r.svc.UnreadNotifications(ctx, r.outsider, r.slug)
			mustCode(t, err, persona.CodeNotFound, "an outsider counts notifications")
			if n, err := r.svc.MarkNotificationsRead(ctx, r.viewer, r.slug, []string{ed.Items[0].ID}); err != nil || n != 0 {
				t.Errorf("a viewer marked the editor's notification: %d, %v", n, err)
			}
			if n, _ := r.svc.UnreadNotifications(ctx, r.editor, r.slug); n != 1 {
				t.Errorf("the editor's unread count is %d after another's mark, want 1", n)
			}
			if n, err := r.svc.MarkNotificationsRead(ctx, r.editor, r.slug, []string{ed.Items[0].ID}); err != nil || n != 1 {
				t.Errorf("mark read: %d, %v", n, err)
			}
			if n, _ := r.svc.UnreadNotifications(ctx, r.editor, r.slug); n != 0 {
				t.Errorf("unread after mark read: %d", n)
			}

			// Preferences: defaults, a bad channel named, mentions off.
			prefs, err := r.svc.NotificationPrefs(ctx, r.editor)
			if err != nil || prefs[persona.NotifyMention] != persona.ChannelEmail || prefs[persona.NotifyComment] != persona.ChannelDigest {
				t.Errorf("default prefs %v, %v", prefs, err)
			}
			_, err = r.svc.SetNotificationPrefs(ctx, r.editor, map[string]string{"mention": "sometimes"})
			mustCode(t, err, persona.CodeInvalid, "a bad channel")
			if !strings.Contains(err.Error(), "mention: must be email, digest, app or off") {
				t.Errorf("bad channel error: %v", err)
			}
			if _, err := r.svc.SetNotificationPrefs(ctx, r.editor, map[string]string{"mention": "off"}); err != nil {
				t.Fatal(err)
			}
			if _, err := r.svc.AddComment(ctx, r.viewer, r.slug, app.CommentInput{Subject: persona.CommentOnPersona, SubjectID: p.ID,
				Body: "Again, " + mention}); err != nil {
				t.Fatal(err)
			}
			notificationsOf(ctx, t, r.svc, r.editor, r.slug, 1) // still only the first (read) one

			// The digest: the owner's two comment notices, once a day; one
			// read before the digest is left out.
			own = notificationsOf(ctx, t, r.svc, r.owner, r.slug, 2)
			if _, err := r.svc.MarkNotificationsRead(ctx, r.owner, r.slug, []string{own.Items[0].ID}); err != nil {
				t.Fatal(err)
			}
			if n, err := r.svc.SendNotificationDigests(ctx, now); err != nil || n != 0 {
				t.Errorf("a digest the same day as the notices: %d, %v (they wait for the next day)", n, err)
			}
			tomorrow := now.Add(19 * time.Hour) // 07:00 the next day
			n, err := r.svc.SendNotificationDigests(ctx, tomorrow)
			if err != nil || n != 1 {
				t.Fatalf("digest: %d, %v", n, err)
			}
			if n, err := r.svc.SendNotificationDigests(ctx, tomorrow.Add(3*time.Hour)); err != nil || n != 0 {
				t.Errorf("a second digest the same day: %d, %v", n, err)
			}
			digests := messages(ctx, t, r.svc, persona.MessageNotificationDigest)
			if len(digests) != 1 || digests[0].To != "owner@example.com" || digests[0].Subject != "1 new notification in Review Org" {
				t.Fatalf("digests %+v", digests)
			}
		})
	}
}

// TestEventNotifications, on both engines: a review falling due tells the
// owner once per due date; a base change under a variant's override tells
// whoever made the variant.
func TestEventNotifications(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := t.Context()
			now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
			r := newReviewOrg(ctx, t, eng, now)
			stale := r.persona(ctx, t, r.owner, "Stale Sam", "2026-01-10", 90)
			r.persona(ctx, t, r.owner, "Fresh Fay", "2026-11-30", 90)
			n, err := r.svc.NotifyReviewsDue(ctx, now)
			if err != nil || n != 1 {
				t.Fatalf("review-due notices: %d, %v", n, err)
			}
			if n, err := r.svc.NotifyReviewsDue(ctx, now.Add(time.Hour)); err != nil || n != 0 {
				t.Errorf("told twice for one due date: %d, %v", n, err)
			}
			own := notificationsOf(ctx, t, r.svc, r.owner, r.slug, 1)
			if own.Items[0].Kind != persona.NotifyReviewDue || own.Items[0].PersonaID != stale.ID || !strings.Contains(own.Items[0].Title, "Stale Sam is due for review") {
				t.Errorf("review-due notice %+v", own.Items[0])
			}

			v, err := r.svc.CreateVariant(ctx, r.editor, r.slug, stale.ID, app.VariantInput{CustomerLabel: "Big Bank",
				Values: persona.Values{"role_title": "Night nurse"}})
			if err != nil {
				t.Fatal(err)
			}
			cur, err := r.svc.GetPersona(ctx, r.owner, r.slug, stale.ID)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := r.svc.UpdatePersona(ctx, r.owner, r.slug, stale.ID, cur.Revision, app.PersonaInput{Name: "Stale Sam", GroupID: r.group,
				OwnerID: r.owner.UserID, Status: persona.StatusDraft, Values: persona.Values{"role_title": "Ward nurse"},
				LastReviewedOn: "2026-01-10", ReviewIntervalDays: 90}); err != nil {
				t.Fatal(err)
			}
			ed := notificationsOf(ctx, t, r.svc, r.editor, r.slug, 1)
			if ed.Items[0].Kind != persona.NotifyBaseChanged || ed.Items[0].ObjectID != v.ID || ed.Items[0].Excerpt != "role_title" ||
				!strings.Contains(ed.Items[0].Title, "Big Bank variant overrides") {
				t.Errorf("base-changed notice %+v", ed.Items[0])
			}
		})
	}
}

func notificationsOf(ctx context.Context, t *testing.T, svc *app.Service, a app.Actor, slug string, want int) app.NotificationPage {
	t.Helper()
	page, err := svc.Notifications(ctx, a, slug, persona.NotificationFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != want {
		t.Fatalf("%s has %d notifications, want %d: %+v", a.Email, len(page.Items), want, page.Items)
	}
	return page
}

func messages(ctx context.Context, t *testing.T, svc *app.Service, kind persona.MessageKind) []persona.OutboxMessage {
	t.Helper()
	out, err := svc.ListOutbox(ctx, app.System, persona.OutboxFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var ms []persona.OutboxMessage
	for _, m := range out.Messages {
		if m.Kind == kind {
			ms = append(ms, m)
		}
	}
	return ms
}

func mailTo(ctx context.Context, t *testing.T, svc *app.Service, kind persona.MessageKind) []string {
	t.Helper()
	var to []string
	for _, m := range messages(ctx, t, svc, kind) {
		to = append(to, m.To)
	}
	slices.Sort(to)
	return to
}
