package server_test

import (
	"context"
	"testing"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// The notifications API: a viewer's mention of the owner is in the owner's
// list (and nobody else's), marking it read counts it, and the
// preferences read back what was set; a channel that does not exist is a
// 422 naming the field.
func TestNotificationsAPI(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ids := e.ids()
	owner, err := e.svc.UserByEmail(ctx, "demo@example.com")
	if err != nil {
		t.Fatal(err)
	}
	viewer, err := e.svc.UserByEmail(ctx, "viewer@example.com")
	if err != nil {
		t.Fatal(err)
	}
	va, err := e.svc.ActorFor(ctx, viewer.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.AddComment(ctx, va, e.org, app.CommentInput{Subject: persona.CommentOnPersona, SubjectID: ids.persona,
		Body: "Over to you, @[" + owner.Name + "](user:" + owner.ID + ")"}); err != nil {
		t.Fatal(err)
	}
	type page struct {
		Items []struct {
			ID, Kind, Title, Link string
		} `json:"items"`
		Unread int `json:"unread"`
	}
	var got page
	e.must(200, "GET", e.api("/notifications?unread=true"), e.owner, nil).json(t, &got)
	if got.Unread != 1 || len(got.Items) != 1 || got.Items[0].Kind != "mention" || got.Items[0].Title != "Vera Viewer mentioned you on "+personaName(t, e, ids.persona) {
		t.Fatalf("owner's notifications %+v", got)
	}
	var theirs page
	e.must(200, "GET", e.api("/notifications"), e.viewer, nil).json(t, &theirs)
	if len(theirs.Items) != 0 {
		t.Errorf("the viewer sees %+v", theirs.Items)
	}
	var marked struct{ Marked int }
	e.must(200, "POST", e.api("/notifications/read"), e.viewer, map[string]any{"ids": []string{got.Items[0].ID}}).json(t, &marked)
	if marked.Marked != 0 {
		t.Errorf("a viewer marked the owner's notification")
	}
	e.must(200, "POST", e.api("/notifications/read"), e.owner, map[string]any{"ids": []string{got.Items[0].ID}}).json(t, &marked)
	if marked.Marked != 1 {
		t.Errorf("marked %d", marked.Marked)
	}

	var prefs map[string]string
	e.must(200, "GET", "/api/v1/me/notification-preferences", e.owner, nil).json(t, &prefs)
	if prefs["mention"] != "email" || prefs["review_due"] != "digest" || len(prefs) != 6 {
		t.Errorf("default prefs %v", prefs)
	}
	e.must(200, "PUT", "/api/v1/me/notification-preferences", e.owner, map[string]any{"review_due": "off"}).json(t, &prefs)
	if prefs["review_due"] != "off" || prefs["mention"] != "email" {
		t.Errorf("prefs after PUT %v", prefs)
	}
	bad := e.do("PUT", "/api/v1/me/notification-preferences", e.owner, map[string]any{"mention": "fax"})
	if bad.Status != 422 {
		t.Fatalf("a bad channel: %d %s", bad.Status, bad.Body)
	}
	if p := bad.problem(t); len(p.Errors) == 0 || p.Errors[0].Location != "body.mention" {
		t.Errorf("problem %+v", p)
	}
}

func personaName(t *testing.T, e *env, id string) string {
	t.Helper()
	var p personaJSON
	e.must(200, "GET", e.api("/personas/"+id), e.owner, nil).json(t, &p)
	return p.Name
}
