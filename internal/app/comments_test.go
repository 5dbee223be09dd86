package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/store/storetest"
)

// TestCommentThreads, on both engines: a viewer comments on a persona's
// field and mentions an editor (resolved) and an outsider (plain text);
// outsiders see and write nothing (404); edit and delete by the author or
// an admin only; a deleted top-level comment with replies stays as a
// tombstone; resolve and reopen (viewers only their own threads); every
// change is in the audit log; counts leave tombstones out.
func TestCommentThreads(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := t.Context()
			now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
			r := newReviewOrg(ctx, t, eng, now)
			p := r.persona(ctx, t, r.owner, "Nora Nurse", "2026-11-01", 90)
			on := app.CommentInput{Subject: persona.CommentOnPersona, SubjectID: p.ID, FieldKey: "goals"}

			// Outsiders: 404 on reading, writing and suggesting.
			_, err := r.svc.ListComments(ctx, r.outsider, r.slug, persona.CommentOnPersona, p.ID, "")
			mustCode(t, err, persona.CodeNotFound, "an outsider lists comments")
			in := on
			in.Body = "hello"
			_, err = r.svc.AddComment(ctx, r.outsider, r.slug, in)
			mustCode(t, err, persona.CodeNotFound, "an outsider comments")
			_, err = r.svc.SuggestMembers(ctx, r.outsider, r.slug, "")
			mustCode(t, err, persona.CodeNotFound, "an outsider asks for members")
			// A subject of nobody's: 404, like one of another organisation.
			in.SubjectID = "no-such-persona"
			_, err = r.svc.AddComment(ctx, r.viewer, r.slug, in)
			mustCode(t, err, persona.CodeNotFound, "a comment on a missing persona")
			// Empty and too long: invalid, naming the body.
			for _, body := range []string{"   ", strings.Repeat("x", persona.MaxCommentLength+1)} {
				in = on
				in.Body = body
				_, err = r.svc.AddComment(ctx, r.viewer, r.slug, in)
				mustCode(t, err, persona.CodeInvalid, "a bad body")
				if e, _ := persona.AsError(err); len(e.Fields) == 0 || e.Fields[0].Field != "body" {
					t.Errorf("bad body: fields %+v", e.Fields)
				}
			}

			// The autocomplete offers members only.
			ms, err := r.svc.SuggestMembers(ctx, r.viewer, r.slug, "")
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range ms {
				if m.UserID == r.outsider.UserID {
					t.Error("the outsider is suggested for a mention")
				}
			}
			if ed, _ := r.svc.SuggestMembers(ctx, r.viewer, r.slug, "EDIT"); len(ed) != 1 || ed[0].UserID != r.editor.UserID {
				t.Errorf("suggest \"EDIT\": %+v", ed)
			}

			// A viewer comments on a field, mentioning the editor and the outsider.
			in = on
			in.Body = "Is this still true, " + persona.MentionToken("editor", r.editor.UserID) + "? Ask " + persona.MentionToken("Otto", r.outsider.UserID) + "."
			root, err := r.svc.AddComment(ctx, r.viewer, r.slug, in)
			if err != nil {
				t.Fatal(err)
			}
			if len(root.Mentions) != 1 || root.Mentions[0] != r.editor.UserID {
				t.Errorf("mentions %v, want the editor only", root.Mentions)
			}
			if !strings.Contains(root.Body, "@Otto") || strings.Contains(root.Body, "user:"+r.outsider.UserID) {
				t.Errorf("the outsider's mention stayed a token: %q", root.Body)
			}
			// The editor is told of the mention; the persona's owner of the
			// comment; the outsider (no member) of nothing.
			for who, want := range map[string]struct {
				a    app.Actor
				kind persona.NotificationKind
			}{"editor": {r.editor, persona.NotifyMention}, "owner": {r.owner, persona.NotifyComment}} {
				page, err := r.svc.Notifications(ctx, want.a, r.slug, persona.NotificationFilter{})
				if err != nil {
					t.Fatal(err)
				}
				if len(page.Items) != 1 || page.Items[0].Kind != want.kind || page.Items[0].ObjectID != root.ID || page.Unread != 1 ||
					!strings.HasSuffix(page.Items[0].Link, "/personas/"+p.ID+"#comment-"+root.ID) {
					t.Errorf("%s's notifications: %+v", who, page)
				}
			}
			if page, err := r.svc.Notifications(ctx, r.viewer, r.slug, persona.NotificationFilter{}); err != nil || len(page.Items) != 0 {
				t.Errorf("the author is told of their own comment: %+v %v", page, err)
			}

			// The editor replies; a reply to the reply joins the thread.
			reply, err := r.svc.AddComment(ctx, r.editor, r.slug, app.CommentInput{ParentID: root.ID, Body: "Yes, checked last week."})
			if err != nil {
				t.Fatal(err)
			}
			deeper, err := r.svc.AddComment(ctx, r.viewer, r.slug, app.CommentInput{ParentID: reply.ID, Body: "Thanks!"})
			if err != nil {
				t.Fatal(err)
			}
			if reply.ParentID != root.ID || deeper.ParentID != root.ID || deeper.FieldKey != "goals" {
				t.Errorf("replies: %+v / %+v", reply, deeper)
			}
			general, err := r.svc.AddComment(ctx, r.owner, r.slug, app.CommentInput{Subject: persona.CommentOnPersona, SubjectID: p.ID, Body: "Overall fine."})
			if err != nil {
				t.Fatal(err)
			}
			ts, err := r.svc.ListComments(ctx, r.viewer, r.slug, persona.CommentOnPersona, p.ID, "goals")
			if err != nil {
				t.Fatal(err)
			}
			if len(ts) != 1 || ts[0].Root.ID != root.ID || len(ts[0].Replies) != 2 {
				t.Fatalf("field thread: %+v", ts)
			}
			if all, _ := r.svc.ListComments(ctx, r.viewer, r.slug, persona.CommentOnPersona, p.ID, ""); len(all) != 2 {
				t.Errorf("all threads: %d, want 2", len(all))
			}

			// Edit: the author and an admin; not another member.
			_, err = r.svc.EditComment(ctx, r.editor, r.slug, root.ID, "taken over")
			mustCode(t, err, persona.CodeForbidden, "an editor edits a viewer's comment")
			_, err = r.svc.EditComment(ctx, r.viewer, r.slug, root.ID, "")
			mustCode(t, err, persona.CodeInvalid, "an edit to nothing")
			ed, err := r.svc.EditComment(ctx, r.viewer, r.slug, root.ID, "Is this still true?")
			if err != nil || ed.Body != "Is this still true?" || len(ed.Mentions) != 0 {
				t.Fatalf("author's edit: %+v %v", ed, err)
			}
			if _, err := r.svc.EditComment(ctx, r.owner, r.slug, reply.ID, "Yes, checked on Monday."); err != nil {
				t.Fatalf("an owner edits a reply: %v", err)
			}
			_, err = r.svc.EditComment(ctx, r.outsider, r.slug, root.ID, "x")
			mustCode(t, err, persona.CodeNotFound, "an outsider edits")

			// Resolve: a viewer not their own thread; an editor any; reopen.
			_, err = r.svc.ResolveThread(ctx, r.viewer, r.slug, general.ID, true)
			mustCode(t, err, persona.CodeForbidden, "a viewer resolves another's thread")
			res, err := r.svc.ResolveThread(ctx, r.editor, r.slug, deeper.ID, true) // a reply resolves its thread
			if err != nil || res.ID != root.ID || res.ResolvedAt == nil || res.ResolvedBy != r.editor.UserID {
				t.Fatalf("resolve: %+v %v", res, err)
			}
			if res, err = r.svc.ResolveThread(ctx, r.viewer, r.slug, root.ID, false); err != nil || res.ResolvedAt != nil {
				t.Fatalf("the author reopens: %+v %v", res, err)
			}

			// Delete: not by another viewer; by the author. The root with
			// replies becomes a tombstone; a reply goes for good.
			_, err = r.svc.DeleteComment(ctx, r.editor, r.slug, root.ID)
			mustCode(t, err, persona.CodeForbidden, "an editor deletes a viewer's comment")
			if _, err := r.svc.DeleteComment(ctx, r.viewer, r.slug, root.ID); err != nil {
				t.Fatal(err)
			}
			tomb, err := r.svc.GetComment(ctx, r.viewer, r.slug, root.ID)
			if err != nil || !tomb.Deleted || tomb.Body != "" {
				t.Fatalf("tombstone: %+v %v", tomb, err)
			}
			_, err = r.svc.EditComment(ctx, r.viewer, r.slug, root.ID, "back")
			mustCode(t, err, persona.CodeNotFound, "an edit of a deleted comment")
			if _, err := r.svc.DeleteComment(ctx, r.owner, r.slug, deeper.ID); err != nil {
				t.Fatalf("an owner deletes a reply: %v", err)
			}
			_, err = r.svc.GetComment(ctx, r.viewer, r.slug, deeper.ID)
			mustCode(t, err, persona.CodeNotFound, "a deleted reply")
			counts, err := r.svc.CountPersonaComments(ctx, r.viewer, r.slug)
			if err != nil || counts[p.ID] != 2 { // the editor's reply and the owner's comment
				t.Errorf("counts %v %v, want 2", counts, err)
			}

			// The audit log has every change, by whom.
			for action, want := range map[string]int{"create": 4, "update": 2, "delete": 2, "resolve": 1, "reopen": 1} {
				n := 0
				for _, ev := range entriesOf(ctx, t, r.svc, r.slug, action) {
					if ev.ObjectKind == "comment" {
						n++
					}
				}
				if n != want {
					t.Errorf("audit %s on comments: %d, want %d", action, n, want)
				}
			}
		})
	}
}

// TestCommentSubjects: a variant and a Launchpad take threads, without
// fields; a field on them is refused.
func TestCommentSubjects(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := context.Background()
			r := newReviewOrg(ctx, t, eng, time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC))
			_, err := r.svc.AddComment(ctx, r.viewer, r.slug, app.CommentInput{Subject: persona.CommentOnLaunchpad, SubjectID: "none", FieldKey: "x", Body: "hi"})
			mustCode(t, err, persona.CodeInvalid, "a field on a Launchpad")
			_, err = r.svc.AddComment(ctx, r.viewer, r.slug, app.CommentInput{Subject: persona.CommentOnVariant, SubjectID: "none", Body: "hi"})
			mustCode(t, err, persona.CodeNotFound, "a missing variant")
			_, err = r.svc.AddComment(ctx, r.viewer, r.slug, app.CommentInput{Subject: "group", SubjectID: "none", Body: "hi"})
			mustCode(t, err, persona.CodeNotFound, "an unknown kind of subject")
		})
	}
}
