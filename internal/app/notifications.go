package app

import (
	"context"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

// NotificationPage is a member's notifications in one organisation.
type NotificationPage struct {
	Items  []persona.Notification
	Unread int
	// Next is the ID to pass as Before for the following page; "" on the
	// last.
	Next string
}

// Notifications lists the actor's notifications in the organisation,
// newest first. Every member (viewers too) has them.
func (s *Service) Notifications(ctx context.Context, actor Actor, slug string, f persona.NotificationFilter) (NotificationPage, error) {
	org, _, err := s.memberScope(ctx, actor, slug)
	if err != nil {
		return NotificationPage{}, err
	}
	if f.Limit <= 0 || f.Limit > 100 {
		f.Limit = 50
	}
	want := f.Limit
	f.Limit++ // one more says whether another page follows
	items, err := s.store.ListNotifications(ctx, org.ID, actor.UserID, f)
	if err != nil {
		return NotificationPage{}, err
	}
	page := NotificationPage{Items: items}
	if len(items) > want {
		page.Items, page.Next = items[:want], items[want-1].ID
	}
	page.Unread, err = s.store.CountUnreadNotifications(ctx, org.ID, actor.UserID)
	return page, err
}

// UnreadNotifications counts the actor's unread notifications in the
// organisation (the bell).
func (s *Service) UnreadNotifications(ctx context.Context, actor Actor, slug string) (int, error) {
	org, _, err := s.memberScope(ctx, actor, slug)
	if err != nil {
		return 0, err
	}
	return s.store.CountUnreadNotifications(ctx, org.ID, actor.UserID)
}

// MarkNotificationsRead marks the actor's notifications read: those named
// by ids, or all of them when ids is empty. Reading one is the member's
// own business, not a change to the organisation, so it is not audited.
// It returns how many were unread and now are read.
func (s *Service) MarkNotificationsRead(ctx context.Context, actor Actor, slug string, ids []string) (int, error) {
	org, _, err := s.memberScope(ctx, actor, slug)
	if err != nil {
		return 0, err
	}
	if len(ids) > 100 {
		return 0, persona.Invalid("too many notifications", []persona.FieldError{{Field: "ids", Message: "at most 100 at a time"}})
	}
	return s.store.MarkNotificationsRead(ctx, org.ID, actor.UserID, ids, s.timestamp())
}

// OpenNotification marks one of the actor's notifications read and
// returns it (its Link is where it points).
func (s *Service) OpenNotification(ctx context.Context, actor Actor, slug, id string) (persona.Notification, error) {
	org, _, err := s.memberScope(ctx, actor, slug)
	if err != nil {
		return persona.Notification{}, err
	}
	n, err := s.store.GetNotification(ctx, org.ID, actor.UserID, id)
	if err != nil {
		return persona.Notification{}, err
	}
	if n.ReadAt == nil {
		if _, err := s.store.MarkNotificationsRead(ctx, org.ID, actor.UserID, []string{id}, s.timestamp()); err != nil {
			return persona.Notification{}, err
		}
	}
	return n, nil
}

// memberScope is scope for what every member may do with their own
// things; API tokens act for their user here too.
func (s *Service) memberScope(ctx context.Context, actor Actor, slug string) (persona.Org, persona.Role, error) {
	if actor.UserID == "" {
		return persona.Org{}, "", persona.Errorf(persona.CodeUnauthenticated, "authentication required")
	}
	return s.scope(ctx, actor, slug, persona.RoleViewer)
}

// NotificationPrefs returns the actor's channel for every kind (the
// defaults for kinds never chosen).
func (s *Service) NotificationPrefs(ctx context.Context, actor Actor) (persona.NotifyPrefs, error) {
	if actor.UserID == "" {
		return nil, persona.Errorf(persona.CodeUnauthenticated, "authentication required")
	}
	chosen, err := s.store.NotificationPrefs(ctx, actor.UserID)
	if err != nil {
		return nil, err
	}
	out := persona.NotifyPrefs{}
	for _, k := range persona.NotificationKinds {
		out[k] = chosen.Channel(k)
	}
	return out, nil
}

// SetNotificationPrefs sets the actor's channels. Kinds left out keep
// their current channel; an unknown kind or channel is refused, naming
// it.
func (s *Service) SetNotificationPrefs(ctx context.Context, actor Actor, in map[string]string) (persona.NotifyPrefs, error) {
	cur, err := s.NotificationPrefs(ctx, actor)
	if err != nil {
		return nil, err
	}
	var fields []persona.FieldError
	for k, c := range in {
		kind := persona.NotificationKind(k)
		ch, ok := persona.ParseChannel(c)
		switch {
		case !kind.Known():
			fields = append(fields, persona.FieldError{Field: k, Message: "is not a kind of notification"})
		case !ok:
			fields = append(fields, persona.FieldError{Field: k, Message: "must be email, digest, app or off"})
		default:
			cur[kind] = ch
		}
	}
	if err := persona.Invalid("invalid notification settings", fields); err != nil {
		return nil, err
	}
	if err := s.store.SetNotificationPrefs(ctx, actor.UserID, cur, s.timestamp()); err != nil {
		return nil, err
	}
	return cur, nil
}

// NotificationDigestKind is the kind of the queue's daily notification
// job (review-due notices, then the digest).
const NotificationDigestKind = "notification_digest"

// digestDayStart is when a digest day begins (UTC): the first run of the
// daily job after it sends the day's digest, so it lands in the morning
// in Europe rather than at midnight.
const digestDayStart = 6 * time.Hour

// SendNotificationDigests queues, once per digest day of now, one e-mail
// per member and organisation listing the unread notifications made before
// the day began that wait for the digest, and takes them out of the queue — all in one
// transaction that also claims the day, so a run again that day (a
// restart, another instance, a retry) queues nothing twice and a failed
// run leaves everything for the next. Notifications of former members
// are dropped from the queue. It returns how many e-mails it queued.
func (s *Service) SendNotificationDigests(ctx context.Context, now time.Time) (int, error) {
	day := now.UTC().Add(-digestDayStart).Truncate(24 * time.Hour)
	period, dayStart := day.Format(time.DateOnly), day.Add(digestDayStart)
	queued := 0
	err := s.store.InTx(ctx, func(tx Store) error {
		first, err := tx.ClaimNotificationDigest(ctx, period, s.timestamp())
		if err != nil || !first {
			return err
		}
		pending, err := tx.DigestNotifications(ctx, dayStart)
		if err != nil {
			return err
		}
		type who struct{ org, user string }
		var order []who
		byWho := map[who][]persona.Notification{}
		for _, n := range pending {
			w := who{n.OrgID, n.UserID}
			if _, ok := byWho[w]; !ok {
				order = append(order, w)
			}
			byWho[w] = append(byWho[w], n)
		}
		orgs := map[string]persona.Org{}
		for _, w := range order {
			ns := byWho[w]
			ids := make([]string, len(ns))
			for i, n := range ns {
				ids[i] = n.ID
			}
			if err := tx.ClearDigest(ctx, w.org, w.user, ids); err != nil {
				return err
			}
			m, err := tx.GetMember(ctx, w.org, w.user)
			if persona.ErrorCode(err) == persona.CodeNotFound {
				continue
			}
			if err != nil {
				return err
			}
			org, ok := orgs[w.org]
			if !ok {
				if org, err = tx.OrgByID(ctx, w.org); persona.ErrorCode(err) == persona.CodeNotFound {
					continue // an organisation being deleted
				} else if err != nil {
					return err
				}
				orgs[w.org] = org
			}
			msg := persona.Message{To: m.Email, Kind: persona.MessageNotificationDigest, OrgID: org.ID,
				Data: persona.MessageData{Name: m.Name, OrgName: org.Name, Link: "/o/" + org.Slug + "/notifications"}}
			for _, n := range ns {
				msg.Data.Notices = append(msg.Data.Notices, persona.NoticeItem{Title: n.Title, Excerpt: n.Excerpt, Path: n.Link})
			}
			if _, err := s.sendMail(ctx, tx, msg); err != nil {
				return err
			}
			queued++
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return queued, nil
}

// NotifyReviewsDue tells each owner, once per persona and due date, that
// a persona they own is due (or overdue) for review at now. Marking it
// reviewed sets a new due date, so the next one is told again. It
// returns how many it told.
func (s *Service) NotifyReviewsDue(ctx context.Context, now time.Time) (int, error) {
	orgs, err := s.store.AllOrgs(ctx)
	if err != nil {
		return 0, err
	}
	told := 0
	for _, org := range orgs {
		ps, err := s.allPersonaHeads(ctx, org.ID)
		if err != nil {
			return told, err
		}
		var due []persona.Persona
		for _, p := range ps {
			if p.OwnerID != "" && (p.ReviewOverdue(now) || p.ReviewDueWithin(now, 0)) {
				due = append(due, p)
			}
		}
		if len(due) == 0 {
			continue
		}
		n := 0
		err = s.store.InTx(ctx, func(tx Store) error {
			n = 0
			for _, p := range due {
				dueOn := p.ReviewDue().Format(time.DateOnly)
				first, err := tx.ClaimReviewDueNotice(ctx, org.ID, p.ID, dueOn, s.timestamp())
				if err != nil {
					return err
				}
				if !first {
					continue
				}
				if err := s.notify(ctx, tx, org.ID, persona.Notification{UserID: p.OwnerID, Kind: persona.NotifyReviewDue,
					ObjectKind: "persona", ObjectID: p.ID, PersonaID: p.ID,
					Title: p.Name + " is due for review (due " + p.ReviewDue().Format("2 Jan 2006") + ")",
					Link:  "/o/" + org.Slug + "/personas/" + p.ID}); err != nil {
					return err
				}
				n++
			}
			return nil
		})
		if err != nil {
			return told, err
		}
		told += n
	}
	return told, nil
}
