package store

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

// Notifications: each row tells one member about one event in one
// organisation; the member's reads are scoped by (org_id, user_id).

const notificationCols = `org_id, id, user_id, kind, actor_id, object_kind, object_id, persona_id,
	title, excerpt, link, created_at, read_at`

func scanNotification(row interface{ Scan(...any) error }) (persona.Notification, error) {
	var n persona.Notification
	var kind string
	err := row.Scan(&n.OrgID, &n.ID, &n.UserID, &kind, &n.ActorID, &n.ObjectKind, &n.ObjectID, &n.PersonaID,
		&n.Title, &n.Excerpt, &n.Link, timeCol{&n.CreatedAt}, nullTimeCol{&n.ReadAt})
	n.Kind = persona.NotificationKind(kind)
	return n, err
}

// CreateNotification stores a notification; digest says it waits for the
// member's daily digest.
func (s *DB) CreateNotification(ctx context.Context, n persona.Notification, digest bool) error {
	_, err := s.exec(ctx, s.q(), `INSERT INTO notifications (org_id, id, user_id, kind, actor_id, object_kind, object_id,
		persona_id, title, excerpt, link, digest, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		n.OrgID, n.ID, n.UserID, string(n.Kind), n.ActorID, n.ObjectKind, n.ObjectID, n.PersonaID,
		n.Title, n.Excerpt, n.Link, digest, ts(n.CreatedAt))
	return s.d.mapErr(err)
}

// ListNotifications returns a member's notifications in an organisation,
// newest first.
func (s *DB) ListNotifications(ctx context.Context, orgID, userID string, f persona.NotificationFilter) ([]persona.Notification, error) {
	limit := f.Limit
	if limit <= 0 || limit > 100 {
		limit = 50
	}
	q := `SELECT ` + notificationCols + ` FROM notifications WHERE org_id = $1 AND user_id = $2`
	args := []any{orgID, userID}
	if f.UnreadOnly {
		q += ` AND read_at IS NULL`
	}
	if f.Before != "" { // keyset: strictly older than the given one (same org and member)
		q += ` AND (created_at, id) < (SELECT created_at, id FROM notifications WHERE org_id = $1 AND user_id = $2 AND id = $3)`
		args = append(args, f.Before)
	}
	q += ` ORDER BY created_at DESC, id DESC LIMIT ` + strconv.Itoa(limit)
	rows, err := s.q().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanNotification)
}

// CountUnreadNotifications counts a member's unread notifications in an
// organisation (the bell).
func (s *DB) CountUnreadNotifications(ctx context.Context, orgID, userID string) (int, error) {
	var n int
	err := s.q().QueryRowContext(ctx, `SELECT COUNT(*) FROM notifications
		WHERE org_id = $1 AND user_id = $2 AND read_at IS NULL`, orgID, userID).Scan(&n)
	return n, err
}

// MarkNotificationsRead marks a member's notifications read: those named
// by ids, or every unread one when ids is empty. It returns how many it
// marked; an ID that is not the member's in this organisation marks
// nothing.
func (s *DB) MarkNotificationsRead(ctx context.Context, orgID, userID string, ids []string, at time.Time) (int, error) {
	q := `UPDATE notifications SET read_at = $3 WHERE org_id = $1 AND user_id = $2 AND read_at IS NULL`
	args := []any{orgID, userID, ts(at)}
	if len(ids) > 0 {
		q += ` AND id IN (` + placeholders(4, len(ids)) + `)`
		for _, id := range ids {
			args = append(args, id)
		}
	}
	res, err := s.exec(ctx, s.q(), q, args...)
	if err != nil {
		return 0, s.d.mapErr(err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// NotificationPrefs returns a member's chosen channels (kinds not chosen
// are absent).
func (s *DB) NotificationPrefs(ctx context.Context, userID string) (persona.NotifyPrefs, error) {
	rows, err := s.q().QueryContext(ctx, `SELECT kind, channel FROM notification_prefs WHERE user_id = $1`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := persona.NotifyPrefs{}
	for rows.Next() {
		var k, c string
		if err := rows.Scan(&k, &c); err != nil {
			return nil, err
		}
		if ch, ok := persona.ParseChannel(c); ok {
			out[persona.NotificationKind(k)] = ch
		}
	}
	return out, rows.Err()
}

// SetNotificationPrefs replaces a member's chosen channels.
func (s *DB) SetNotificationPrefs(ctx context.Context, userID string, p persona.NotifyPrefs, at time.Time) error {
	if _, err := s.exec(ctx, s.q(), `DELETE FROM notification_prefs WHERE user_id = $1`, userID); err != nil {
		return err
	}
	for _, k := range persona.NotificationKinds {
		c, ok := p[k]
		if !ok {
			continue
		}
		if _, err := s.exec(ctx, s.q(), `INSERT INTO notification_prefs (user_id, kind, channel, updated_at)
			VALUES ($1, $2, $3, $4)`, userID, string(k), string(c), ts(at)); err != nil {
			return s.d.mapErr(err)
		}
	}
	return nil
}

// DigestNotifications returns every unread notification made before
// before and waiting for a daily digest, across organisations (the digest
// job works instance-wide, then one organisation at a time), oldest first.
func (s *DB) DigestNotifications(ctx context.Context, before time.Time) ([]persona.Notification, error) {
	rows, err := s.q().QueryContext(ctx, `SELECT `+notificationCols+` FROM notifications
		WHERE digest = $1 AND read_at IS NULL AND created_at < $2 ORDER BY org_id, user_id, created_at, id`, true, ts(before))
	if err != nil {
		return nil, err
	}
	return collect(rows, scanNotification)
}

// ClearDigest takes the named notifications of a member out of the digest
// queue (they were sent, or read first).
func (s *DB) ClearDigest(ctx context.Context, orgID, userID string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	args := []any{orgID, userID, false}
	for _, id := range ids {
		args = append(args, id)
	}
	_, err := s.exec(ctx, s.q(), `UPDATE notifications SET digest = $3 WHERE org_id = $1 AND user_id = $2
		AND id IN (`+placeholders(4, len(ids))+`)`, args...)
	return err
}

// ClaimNotificationDigest records that the notification digest of period
// (a day) is being sent; false when another run already claimed it.
func (s *DB) ClaimNotificationDigest(ctx context.Context, period string, at time.Time) (bool, error) {
	res, err := s.exec(ctx, s.q(), `INSERT INTO notification_digest_runs (period, created_at) VALUES ($1, $2)
		ON CONFLICT (period) DO NOTHING`, period, ts(at))
	if err != nil {
		return false, s.d.mapErr(err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// ClaimReviewDueNotice records that the owner of a persona was told its
// review is due on dueOn; false when they already were.
func (s *DB) ClaimReviewDueNotice(ctx context.Context, orgID, personaID, dueOn string, at time.Time) (bool, error) {
	res, err := s.exec(ctx, s.q(), `INSERT INTO review_due_notices (org_id, persona_id, due_on, created_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT (org_id, persona_id, due_on) DO NOTHING`, orgID, personaID, dueOn, ts(at))
	if err != nil {
		return false, s.d.mapErr(err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// placeholders writes n placeholders from $from: "$4, $5, $6".
func placeholders(from, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(ph(from + i))
	}
	return b.String()
}

// OrgByID returns a live organisation by its ID (jobs and notifications
// name the organisation in their e-mail).
func (s *DB) OrgByID(ctx context.Context, orgID string) (persona.Org, error) {
	o, err := scanOrg(s.q().QueryRowContext(ctx, `SELECT `+orgCols+` FROM orgs o WHERE o.id = $1 AND o.deleted_at IS NULL`, orgID))
	return o, noRows(err, "organisation")
}
