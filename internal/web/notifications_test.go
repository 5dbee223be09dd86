package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// A viewer's mention reaches the owner's bell; the list shows it, opening
// it marks it read and lands on the comment; "mark all read" empties the
// bell; an outsider cannot open it, even from their own organisation; the
// preferences form saves and refuses a bad channel.
func TestNotificationsPages(t *testing.T) {
	e := newWebEnv(t)
	ctx := context.Background()
	owner, viewer := e.actor(e.owner), e.actor(e.viewer)
	lead := e.demoPersona("System Lead")
	c, err := e.svc.AddComment(ctx, viewer, e.org, app.CommentInput{Subject: persona.CommentOnPersona, SubjectID: lead.ID,
		Body: "Does this hold for banks, @[" + owner.Name + "](user:" + owner.UserID + ")?"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.AddComment(ctx, viewer, e.org, app.CommentInput{Subject: persona.CommentOnPersona, SubjectID: lead.ID, Body: "And a second thought"})
	if err != nil {
		t.Fatal(err)
	}
	b := e.signedIn(e.owner)
	home := b.get("/o/"+e.org).must(t, http.StatusOK)
	if !strings.Contains(home.Body, `aria-label="Notifications, 2 unread"`) || !strings.Contains(home.Body, `class="bell-count" aria-hidden="true">2<`) {
		t.Fatalf("the bell does not show 2 unread:\n%s", between(home.Body, `id="bell"`, "</a>"))
	}
	list := b.get("/o/"+e.org+"/notifications").must(t, http.StatusOK)
	if !strings.Contains(list.Body, "Vera Viewer mentioned you on System Lead") || !strings.Contains(list.Body, "Vera Viewer commented on System Lead") ||
		!strings.Contains(list.Body, "2 unread notifications") {
		t.Fatalf("list:\n%s", between(list.Body, "<h1>", "</main>"))
	}
	page, err := e.svc.Notifications(ctx, owner, e.org, persona.NotificationFilter{})
	if err != nil || len(page.Items) != 2 {
		t.Fatalf("notifications %v %v", page, err)
	}
	var mention persona.Notification
	for _, n := range page.Items {
		if n.Kind == persona.NotifyMention {
			mention = n
		}
	}

	// An outsider: 404 in the owner's organisation and from their own.
	out := e.signedIn(e.outsider)
	for _, org := range []string{e.org, e.otherOrg} {
		if p := out.post("/o/"+org+"/notifications/"+mention.ID+"/open", url.Values{}); p.Status != http.StatusNotFound {
			t.Errorf("an outsider opened the notification from %s: %d", org, p.Status)
		}
		if p := out.post("/o/"+org+"/notifications/read", url.Values{"id": {mention.ID}}); org == e.org && p.Status != http.StatusNotFound {
			t.Errorf("an outsider marked read in %s: %d", org, p.Status)
		}
	}
	if n, _ := e.svc.UnreadNotifications(ctx, owner, e.org); n != 2 {
		t.Fatalf("after the outsider: %d unread, want 2", n)
	}

	opened := b.post("/o/"+e.org+"/notifications/"+mention.ID+"/open", url.Values{}).must(t, http.StatusOK)
	if want := "/o/" + e.org + "/personas/" + lead.ID; !strings.HasPrefix(opened.URL, want) {
		t.Errorf("opening landed on %s, want %s#comment-%s", opened.URL, want, c.ID)
	}
	if !strings.Contains(opened.Body, `aria-label="Notifications, 1 unread"`) {
		t.Errorf("after opening one the bell is not at 1:\n%s", between(opened.Body, `id="bell"`, "</a>"))
	}
	b.post("/o/"+e.org+"/notifications/read", url.Values{}).must(t, http.StatusOK)
	after := b.get("/o/"+e.org+"/notifications?show=unread").must(t, http.StatusOK)
	if !strings.Contains(after.Body, `aria-label="Notifications"`) || !strings.Contains(after.Body, "Nothing unread.") {
		t.Errorf("after mark all read:\n%s", between(after.Body, "<h1>", "</main>"))
	}

	// Preferences: the account page shows them; a save keeps them; a bad
	// channel is refused naming the kind.
	acct := b.get("/account").must(t, http.StatusOK)
	if !strings.Contains(acct.Body, `id="np-mention"`) || !strings.Contains(acct.Body, `<option value="email" selected>`) {
		t.Fatalf("account page lacks the preferences:\n%s", between(acct.Body, `id="notifications-h"`, "</section>"))
	}
	b.post("/account/notifications", url.Values{"mention": {"digest"}, "comment": {"off"}}).must(t, http.StatusOK)
	prefs, err := e.svc.NotificationPrefs(ctx, owner)
	if err != nil || prefs[persona.NotifyMention] != persona.ChannelDigest || prefs[persona.NotifyComment] != persona.ChannelOff {
		t.Errorf("prefs after save: %v %v", prefs, err)
	}
	bad := b.post("/account/notifications", url.Values{"mention": {"carrier-pigeon"}})
	if bad.Status != http.StatusUnprocessableEntity || !strings.Contains(bad.Body, "mention") {
		t.Errorf("a bad channel: %d\n%s", bad.Status, between(bad.Body, "<main", "</main>"))
	}
}
