package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

// notificationStore is the persistence of notifications and their
// preferences (internal/store/notifications.go).
type notificationStore interface {
	CreateNotification(ctx context.Context, n persona.Notification, digest bool) error
	ListNotifications(ctx context.Context, orgID, userID string, f persona.NotificationFilter) ([]persona.Notification, error)
	CountUnreadNotifications(ctx context.Context, orgID, userID string) (int, error)
	MarkNotificationsRead(ctx context.Context, orgID, userID string, ids []string, at time.Time) (int, error)
	NotificationPrefs(ctx context.Context, userID string) (persona.NotifyPrefs, error)
	SetNotificationPrefs(ctx context.Context, userID string, p persona.NotifyPrefs, at time.Time) error
	DigestNotifications(ctx context.Context, before time.Time) ([]persona.Notification, error)
	ClearDigest(ctx context.Context, orgID, userID string, ids []string) error
	ClaimNotificationDigest(ctx context.Context, period string, at time.Time) (bool, error)
	ClaimReviewDueNotice(ctx context.Context, orgID, personaID, dueOn string, at time.Time) (bool, error)
	OrgByID(ctx context.Context, orgID string) (persona.Org, error)
}

// notify records notifications inside the caller's transaction tx (the
// change that causes them), so they exist exactly when the change does.
// Callers fill Kind, UserID, ActorID, the object, PersonaID, Title,
// Excerpt and Link; notify sets ID, OrgID and CreatedAt, drops
// notifications of people about their own actions and of people who are
// not (or no longer) members, and applies each member's preference for
// the kind: off drops it, email also queues an e-mail at once (in the
// same transaction, through the outbox), digest marks it for the daily
// digest (SendNotificationDigests).
func (s *Service) notify(ctx context.Context, tx Store, orgID string, ns ...persona.Notification) error {
	var org *persona.Org
	type key struct {
		user string
		kind persona.NotificationKind
		obj  string
	}
	seen := map[key]bool{}
	for _, n := range ns {
		k := key{n.UserID, n.Kind, n.ObjectKind + "/" + n.ObjectID}
		if n.UserID == "" || n.UserID == n.ActorID || seen[k] || !n.Kind.Known() {
			continue
		}
		seen[k] = true
		m, err := tx.GetMember(ctx, orgID, n.UserID)
		if persona.ErrorCode(err) == persona.CodeNotFound {
			continue // a former member (an owner who left) is told nothing
		}
		if err != nil {
			return err
		}
		prefs, err := tx.NotificationPrefs(ctx, n.UserID)
		if err != nil {
			return err
		}
		ch := prefs.Channel(n.Kind)
		if ch == persona.ChannelOff {
			continue
		}
		n.ID, n.OrgID, n.CreatedAt, n.ReadAt = newID(), orgID, s.timestamp(), nil
		n.Title = oneLine(n.Title)
		n.Excerpt = clip(oneLine(n.Excerpt), persona.MaxNotificationExcerpt)
		if err := tx.CreateNotification(ctx, n, ch == persona.ChannelDigest); err != nil {
			return err
		}
		if ch != persona.ChannelEmail {
			continue
		}
		if org == nil {
			o, err := tx.OrgByID(ctx, orgID)
			if err != nil {
				return err
			}
			org = &o
		}
		if _, err := s.sendMail(ctx, tx, persona.Message{To: m.Email, Kind: persona.MessageNotification, OrgID: orgID,
			Data: persona.MessageData{Name: m.Name, OrgName: org.Name, Link: n.Link,
				Notices: []persona.NoticeItem{{Title: n.Title, Excerpt: n.Excerpt, Path: n.Link}}}}); err != nil {
			return err
		}
	}
	return nil
}

// notifyBaseChanged tells whoever made and last edited each variant of a
// persona that this save changed a field the variant overrides (its
// override may now be out of date), in the save's transaction.
func (s *Service) notifyBaseChanged(ctx context.Context, tx Store, actor Actor, before, after persona.Persona) error {
	vs, err := tx.ListVariants(ctx, after.OrgID, after.ID)
	if err != nil {
		return err
	}
	var ns []persona.Notification
	var org *persona.Org
	for _, v := range vs {
		paths := persona.NewlyBaseChanged(before.Content, after.Content, v.VariantContent)
		if len(paths) == 0 {
			continue
		}
		if org == nil {
			o, err := tx.OrgByID(ctx, after.OrgID)
			if err != nil {
				return err
			}
			org = &o
		}
		label := v.CustomerLabel
		if v.CustomerID != "" {
			if c, err := tx.GetPersona(ctx, after.OrgID, v.CustomerID); err == nil {
				label = c.Name
			}
		}
		what := "a field"
		if len(paths) > 1 {
			what = fmt.Sprintf("%d fields", len(paths))
		}
		title := fmt.Sprintf("%s changed %s of %s that the %s variant overrides", nameOr(actor.Name, "Someone"), what, after.Name, nameOr(label, "customer"))
		for _, u := range []string{v.UpdatedBy, v.CreatedBy} {
			ns = append(ns, persona.Notification{UserID: u, Kind: persona.NotifyBaseChanged, ActorID: actor.UserID,
				ObjectKind: "variant", ObjectID: v.ID, PersonaID: after.ID, Title: title,
				Excerpt: strings.Join(overrideKeys(paths), ", "), Link: "/o/" + org.Slug + "/variants/" + v.ID})
		}
	}
	return s.notify(ctx, tx, after.OrgID, ns...)
}

// overrideKeys turns override paths ("values.goals") into their keys.
func overrideKeys(paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		_, k, _ := strings.Cut(p, ".")
		out[i] = k
	}
	return out
}
