package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// The mail outbox (persona.OutboxMessage). A message is stored with its
// sending job in one transaction (QueueMessage); the worker reads it,
// sends it and marks it sent, the marker that keeps it from being sent
// again.

const outboxCols = `id, kind, COALESCE(org_id, ''), to_addr, message_id, subject, COALESCE(text_body, ''), COALESCE(html_body, ''),
	links, status, attempts, last_error, created_at, updated_at, sent_at`

func scanOutbox(row interface{ Scan(...any) error }) (persona.OutboxMessage, error) {
	var (
		m     persona.OutboxMessage
		links string
	)
	err := row.Scan(&m.ID, &m.Kind, &m.OrgID, &m.To, &m.MessageID, &m.Subject, &m.Text, &m.HTML,
		&links, &m.Status, &m.Attempts, &m.LastError, timeCol{&m.CreatedAt}, timeCol{&m.UpdatedAt}, nullTimeCol{&m.SentAt})
	if links != "" {
		m.Links = strings.Split(links, "\n")
	}
	return m, err
}

// QueueMessage stores m in the outbox (status queued) and queues the job
// that sends it, in one transaction — the caller's, on a view made by
// InTx, so the message exists if and only if the change that caused it
// committed.
func (s *DB) QueueMessage(ctx context.Context, m persona.OutboxMessage) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		v := s.view(tx)
		if _, err := v.exec(ctx, tx, `INSERT INTO outbox_messages (id, kind, org_id, to_addr, message_id, subject, text_body, html_body,
			links, status, attempts, last_error, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, '', $11, $11)`,
			m.ID, string(m.Kind), nullStr(m.OrgID), m.To, m.MessageID, m.Subject, m.Text, m.HTML,
			strings.Join(m.Links, "\n"), string(persona.MessageQueued), ts(m.CreatedAt)); err != nil {
			return err
		}
		return v.Enqueue(ctx, app.SendMessageJob{MessageID: m.ID})
	})
}

// OutboxMessage returns one outbox message.
func (s *DB) OutboxMessage(ctx context.Context, id string) (persona.OutboxMessage, error) {
	m, err := scanOutbox(s.q().QueryRowContext(ctx, `SELECT `+outboxCols+` FROM outbox_messages WHERE id = $1`, id))
	return m, noRows(err, "message")
}

// ListOutbox lists outbox messages newest first.
func (s *DB) ListOutbox(ctx context.Context, f persona.OutboxFilter) ([]persona.OutboxMessage, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	q := `SELECT ` + outboxCols + ` FROM outbox_messages`
	args := []any{f.Limit}
	if f.Status != "" {
		q += ` WHERE status = $2`
		args = append(args, string(f.Status))
	}
	rows, err := s.q().QueryContext(ctx, q+` ORDER BY created_at DESC, id DESC LIMIT $1`, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanOutbox)
}

// CountOutbox counts the outbox's messages by status.
func (s *DB) CountOutbox(ctx context.Context) (map[persona.MessageStatus]int, error) {
	rows, err := s.q().QueryContext(ctx, `SELECT status, count(*) FROM outbox_messages GROUP BY status`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[persona.MessageStatus]int{}
	for rows.Next() {
		var (
			st persona.MessageStatus
			n  int
		)
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[st] = n
	}
	return out, rows.Err()
}

// MarkMessageSent records a delivery: status (sent or logged), the
// attempt count and time; with dropBodies the bodies and links are
// removed (they hold one-time secrets the recipient now has). It changes
// only a message that is not sent or logged yet and reports whether it
// did: false means another attempt recorded it first.
func (s *DB) MarkMessageSent(ctx context.Context, id string, status persona.MessageStatus, attempts int, at time.Time, dropBodies bool) (bool, error) {
	q := `UPDATE outbox_messages SET status = $2, attempts = $3, sent_at = $4, updated_at = $4, last_error = ''`
	if dropBodies {
		q += `, text_body = NULL, html_body = NULL, links = ''`
	}
	res, err := s.exec(ctx, s.q(), q+` WHERE id = $1 AND status NOT IN ('sent', 'logged')`, id, string(status), attempts, ts(at))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// RecordMessageFailure records a failed attempt: retrying, or failed when
// final. A message already sent or logged is left alone.
func (s *DB) RecordMessageFailure(ctx context.Context, id string, attempts int, errText string, final bool, at time.Time) error {
	status := persona.MessageRetrying
	if final {
		status = persona.MessageFailed
	}
	_, err := s.exec(ctx, s.q(), `UPDATE outbox_messages SET status = $2, attempts = $3, last_error = $4, updated_at = $5
		WHERE id = $1 AND status NOT IN ('sent', 'logged')`, id, string(status), attempts, errText, ts(at))
	return err
}

// DeleteOutboxBefore deletes the messages created before t that are done
// (sent, logged or failed), and returns how many.
func (s *DB) DeleteOutboxBefore(ctx context.Context, t time.Time) (int, error) {
	res, err := s.exec(ctx, s.q(), `DELETE FROM outbox_messages WHERE created_at < $1 AND status IN ('sent', 'logged', 'failed')`, ts(t))
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// ---- operators ----

// SetOperator grants or withdraws the operator flag; not found when the
// user does not exist.
func (s *DB) SetOperator(ctx context.Context, userID string, on bool) error {
	return s.execOne(ctx, s.q(), "user", `UPDATE users SET operator = $2 WHERE id = $1`, userID, on)
}

// IsOperator reports whether the user is an operator (false for a user
// that does not exist).
func (s *DB) IsOperator(ctx context.Context, userID string) (bool, error) {
	var on bool
	err := s.q().QueryRowContext(ctx, `SELECT operator FROM users WHERE id = $1`, userID).Scan(&on)
	if err == sql.ErrNoRows {
		return false, nil
	}
	return on, err
}
