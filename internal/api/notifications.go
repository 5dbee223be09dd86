package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/personapal/personapal/internal/persona"
)

var tagNotifications = []string{"Notifications"}

type notificationPage struct {
	Body struct {
		Items  []persona.Notification `json:"items"`
		Unread int                    `json:"unread" doc:"Unread notifications of yours in this organisation"`
		Next   string                 `json:"next_before,omitempty" doc:"Pass as before for the next (older) page; absent on the last"`
	}
}

// notifyPrefs is a member's channel per kind of notification: email (in
// the app and e-mailed at once), digest (in the app and the daily
// digest), app (in the app only) or off.
type notifyPrefs struct {
	Mention         string `json:"mention,omitempty" enum:"email,digest,app,off" doc:"Someone mentions you in a comment (default email)"`
	Comment         string `json:"comment,omitempty" enum:"email,digest,app,off" doc:"A comment on a persona you own (default digest)"`
	ReviewDue       string `json:"review_due,omitempty" enum:"email,digest,app,off" doc:"A persona you own is due for review (default digest)"`
	BaseChanged     string `json:"base_changed,omitempty" enum:"email,digest,app,off" doc:"A persona changes under a variant's override you made (default digest)"`
	ProposalAwaits  string `json:"proposal_awaits,omitempty" enum:"email,digest,app,off" doc:"A change proposal awaits your decision (default digest)"`
	ProposalDecided string `json:"proposal_decided,omitempty" enum:"email,digest,app,off" doc:"Your change proposal is accepted or declined (default digest)"`
}

func (p *notifyPrefs) fields() map[persona.NotificationKind]*string {
	return map[persona.NotificationKind]*string{persona.NotifyMention: &p.Mention, persona.NotifyComment: &p.Comment,
		persona.NotifyReviewDue: &p.ReviewDue, persona.NotifyBaseChanged: &p.BaseChanged,
		persona.NotifyProposalAwaits: &p.ProposalAwaits, persona.NotifyProposalDecided: &p.ProposalDecided}
}

func prefsOut(p persona.NotifyPrefs) *struct{ Body notifyPrefs } {
	out := &struct{ Body notifyPrefs }{}
	for k, f := range out.Body.fields() {
		*f = string(p.Channel(k))
	}
	return out
}

func (s *Server) registerNotifications(api huma.API) {
	huma.Register(api, op("list-notifications", http.MethodGet, "/api/v1/orgs/{org}/notifications",
		"Your notifications in this organisation, newest first", tagNotifications, 0),
		func(ctx context.Context, in *struct {
			OrgPath
			Unread bool   `query:"unread" doc:"Only unread ones"`
			Before string `query:"before" maxLength:"64" doc:"Continue below this notification (next_before of the previous page)"`
			Limit  int    `query:"limit" minimum:"0" maximum:"100" doc:"Page size (default 50)"`
		}) (*notificationPage, error) {
			page, err := s.svc.Notifications(ctx, actorFrom(ctx), in.Org, persona.NotificationFilter{UnreadOnly: in.Unread, Before: in.Before, Limit: in.Limit})
			if err != nil {
				return nil, s.failQuery(ctx, err)
			}
			out := &notificationPage{}
			out.Body.Items, out.Body.Unread, out.Body.Next = nonNil(page.Items), page.Unread, page.Next
			return out, nil
		})

	huma.Register(api, viewerWrite(op("mark-notifications-read", http.MethodPost, "/api/v1/orgs/{org}/notifications/read",
		"Mark your notifications read: those listed, or all of them when ids is empty (viewers too)", tagNotifications, 0)),
		func(ctx context.Context, in *struct {
			OrgPath
			Body struct {
				IDs []string `json:"ids,omitempty" maxItems:"100" doc:"The notifications to mark; empty or absent: every unread one"`
			}
		}) (*struct {
			Body struct {
				Marked int `json:"marked" doc:"How many were unread and now are read"`
			}
		}, error) {
			n, err := s.svc.MarkNotificationsRead(ctx, actorFrom(ctx), in.Org, in.Body.IDs)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			out := &struct {
				Body struct {
					Marked int `json:"marked" doc:"How many were unread and now are read"`
				}
			}{}
			out.Body.Marked = n
			return out, nil
		})

	huma.Register(api, op("get-notification-preferences", http.MethodGet, "/api/v1/me/notification-preferences",
		"How each kind of notification reaches you", tagNotifications, 0),
		func(ctx context.Context, _ *struct{}) (*struct{ Body notifyPrefs }, error) {
			p, err := s.svc.NotificationPrefs(ctx, actorFrom(ctx))
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return prefsOut(p), nil
		})

	huma.Register(api, op("set-notification-preferences", http.MethodPut, "/api/v1/me/notification-preferences",
		"Choose how kinds of notification reach you (kinds left out keep theirs)", tagNotifications, 0),
		func(ctx context.Context, in *struct{ Body notifyPrefs }) (*struct{ Body notifyPrefs }, error) {
			set := map[string]string{}
			for k, f := range in.Body.fields() {
				if *f != "" {
					set[string(k)] = *f
				}
			}
			p, err := s.svc.SetNotificationPrefs(ctx, actorFrom(ctx), set)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return prefsOut(p), nil
		})
}
