package app_test

import (
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/store/storetest"
)

// TestProposalComments, on both engines: a proposal has a thread; a viewer
// comments and the persona's owner and the proposer are told (once each,
// the writer never); a proposer's comment that mentions the owner tells
// them once, as a mention; outsiders read and write nothing (404), and a
// proposal comment takes no field.
func TestProposalComments(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := t.Context()
			o := newProposalOrg(ctx, t, eng)
			pr, err := o.svc.CreateProposal(ctx, o.editor, o.slug, o.p.ID,
				app.ProposalInput{Persona: o.input(o.p, persona.Values{"role_title": "Charge nurse"}), Message: "Promoted"})
			if err != nil {
				t.Fatal(err)
			}
			on := app.CommentInput{Subject: persona.CommentOnProposal, SubjectID: pr.ID, Body: "Is March right?"}

			_, err = o.svc.AddComment(ctx, o.outside, o.slug, on)
			mustCode(t, err, persona.CodeNotFound, "an outsider comments on a proposal")
			_, err = o.svc.AddComment(ctx, o.outside, "elsewhere", on)
			mustCode(t, err, persona.CodeNotFound, "a comment on a proposal through another organisation")
			_, err = o.svc.ListComments(ctx, o.outside, o.slug, persona.CommentOnProposal, pr.ID, "")
			mustCode(t, err, persona.CodeNotFound, "an outsider reads a proposal's thread")
			missing := on
			missing.SubjectID = "no-such-proposal"
			_, err = o.svc.AddComment(ctx, o.viewer, o.slug, missing)
			mustCode(t, err, persona.CodeNotFound, "a comment on a missing proposal")
			field := on
			field.FieldKey = "goals"
			_, err = o.svc.AddComment(ctx, o.viewer, o.slug, field)
			mustCode(t, err, persona.CodeInvalid, "a field on a proposal")

			c, err := o.svc.AddComment(ctx, o.viewer, o.slug, on)
			if err != nil {
				t.Fatalf("a viewer comments on a proposal: %v", err)
			}
			if c.PersonaID != o.p.ID || c.Subject != persona.CommentOnProposal {
				t.Errorf("comment %+v", c)
			}
			told := func(a app.Actor) []persona.Notification {
				t.Helper()
				page, err := o.svc.Notifications(ctx, a, o.slug, persona.NotificationFilter{})
				if err != nil {
					t.Fatal(err)
				}
				var out []persona.Notification
				for _, n := range page.Items {
					if n.ObjectKind == "comment" {
						out = append(out, n)
					}
				}
				return out
			}
			for who, a := range map[string]app.Actor{"owner": o.owner, "proposer": o.editor} {
				ns := told(a)
				if len(ns) != 1 || ns[0].Kind != persona.NotifyComment || ns[0].ObjectID != c.ID ||
					!strings.HasSuffix(ns[0].Link, "/proposals/"+pr.ID+"#comment-"+c.ID) || !strings.Contains(ns[0].Title, "the proposal on Nora") {
					t.Errorf("%s's comment notices: %+v", who, ns)
				}
			}
			if ns := told(o.viewer); len(ns) != 0 {
				t.Errorf("the writer is told of their own comment: %+v", ns)
			}

			// The proposer answers and mentions the owner: one notice, the mention.
			reply, err := o.svc.AddComment(ctx, o.editor, o.slug, app.CommentInput{ParentID: c.ID,
				Body: "Yes — " + persona.MentionToken("owner", o.owner.UserID) + " confirmed it"})
			if err != nil {
				t.Fatal(err)
			}
			var toOwner []persona.Notification
			for _, n := range told(o.owner) {
				if n.ObjectID == reply.ID {
					toOwner = append(toOwner, n)
				}
			}
			if len(toOwner) != 1 || toOwner[0].Kind != persona.NotifyMention {
				t.Errorf("the owner's notices of the reply: %+v", toOwner)
			}
			for _, n := range told(o.editor) {
				if n.ObjectID == reply.ID {
					t.Errorf("the proposer is told of their own reply: %+v", n)
				}
			}

			ts, err := o.svc.ListComments(ctx, o.viewer, o.slug, persona.CommentOnProposal, pr.ID, "")
			if err != nil {
				t.Fatal(err)
			}
			if len(ts) != 1 || ts[0].Root.ID != c.ID || len(ts[0].Replies) != 1 || ts[0].Replies[0].ID != reply.ID {
				t.Errorf("threads %+v", ts)
			}
		})
	}
}
