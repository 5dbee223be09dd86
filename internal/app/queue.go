package app

import (
	"context"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

// Job is work for the job queue (internal/queue runs it, river underneath;
// this package never imports river). Kind names the worker; the job is
// stored as JSON, so its fields need json tags. A job may also have a
// method MaxAttempts() int.
//
// Enqueue a job through the transaction of the change that causes it, so
// that it exists if and only if the change committed:
//
//	err := s.inTx(ctx, entry, func(tx Store) error {
//		if err := tx.UpdateSomething(ctx, …); err != nil {
//			return err
//		}
//		return tx.Enqueue(ctx, NotifyJob{…})
//	})
type Job interface {
	Kind() string
}

// SendMessageJob sends one outbox message (Store.QueueMessage queues it).
// It carries only the message's ID: the message, with its one-time links,
// lives in the outbox table, never in the queue's.
type SendMessageJob struct {
	MessageID string `json:"message_id"`
}

// SendMessageKind is SendMessageJob's kind.
const SendMessageKind = "send_message"

// Kind implements Job.
func (SendMessageJob) Kind() string { return SendMessageKind }

// MessageMaxAttempts is how often a message is tried before it fails: with
// the queue's back-off (attempt⁴ seconds plus jitter) the last attempt is
// about a day after the first.
const MessageMaxAttempts = 12

// MaxAttempts implements the queue's per-job attempt limit.
func (SendMessageJob) MaxAttempts() int { return MessageMaxAttempts }

type queueStore interface {
	// Enqueue inserts a job; on a Store bound to a transaction (InTx) it
	// joins it.
	Enqueue(ctx context.Context, job Job) error
}

type linkStore interface {
	// CreateLink stores a one-time link (its hash).
	CreateLink(ctx context.Context, l persona.Link) error
	// PeekLink returns the unused link of the purpose with the hash
	// unexpired at now, without using it; not found otherwise.
	PeekLink(ctx context.Context, purpose persona.LinkPurpose, hash string, now time.Time) (persona.Link, error)
	// ConsumeLink marks that link used in one statement and returns it:
	// of concurrent consumers exactly one succeeds, the others get not
	// found.
	ConsumeLink(ctx context.Context, purpose persona.LinkPurpose, hash string, now time.Time) (persona.Link, error)
	// PendingLink returns the user's newest unused link of the purpose
	// unexpired at now; not found when there is none.
	PendingLink(ctx context.Context, purpose persona.LinkPurpose, userID string, now time.Time) (persona.Link, error)
	// RevokeLinks marks the unused links of the purpose for userID and/or
	// refID used; it returns how many.
	RevokeLinks(ctx context.Context, purpose persona.LinkPurpose, userID, refID string, now time.Time) (int, error)
	// DeleteLinksBefore deletes links that expired before t.
	DeleteLinksBefore(ctx context.Context, t time.Time) (int, error)
}

type outboxStore interface {
	// QueueMessage stores a rendered message (status queued) and queues
	// its SendMessageJob, in one transaction (the caller's on a bound
	// Store).
	QueueMessage(ctx context.Context, m persona.OutboxMessage) error
	OutboxMessage(ctx context.Context, id string) (persona.OutboxMessage, error)
	ListOutbox(ctx context.Context, f persona.OutboxFilter) ([]persona.OutboxMessage, error)
	CountOutbox(ctx context.Context) (map[persona.MessageStatus]int, error)
	// MarkMessageSent records a delivery (sent or logged), dropping the
	// bodies when asked; false when the message was already recorded as
	// delivered.
	MarkMessageSent(ctx context.Context, id string, status persona.MessageStatus, attempts int, at time.Time, dropBodies bool) (bool, error)
	// RecordMessageFailure records a failed attempt (failed when final).
	RecordMessageFailure(ctx context.Context, id string, attempts int, errText string, final bool, at time.Time) error
	// DeleteOutboxBefore deletes delivered or failed messages created
	// before t.
	DeleteOutboxBefore(ctx context.Context, t time.Time) (int, error)

	// SetOperator grants or withdraws the instance operator flag.
	SetOperator(ctx context.Context, userID string, on bool) error
	// IsOperator reports whether a user is an operator.
	IsOperator(ctx context.Context, userID string) (bool, error)
}
