package app

import (
	"context"
	"errors"
	"net/url"
	"strings"

	"github.com/personapal/personapal/internal/mail"
	"github.com/personapal/personapal/internal/persona"
)

// E-mail goes through the outbox: a use case renders its message and
// stores it, with the job that sends it, in its own transaction
// (sendMail); the job queue (internal/queue) then calls DeliverMessage
// until the message is delivered or has failed for good.

// DefaultBaseURL is the base URL when none is configured.
const DefaultBaseURL = "http://localhost:8080"

// WithBaseURL sets the URL every link in an e-mail starts with (serve's
// --base-url); it must have passed mail.ParseBaseURL.
func WithBaseURL(u *url.URL) Option { return func(s *Service) { s.baseURL = u } }

func (s *Service) base() *url.URL {
	if s.baseURL != nil {
		return s.baseURL
	}
	u, _ := mail.ParseBaseURL(DefaultBaseURL)
	return u
}

// BaseURL is the URL links in e-mail start with.
func (s *Service) BaseURL() string { return s.base().String() }

// sendMail renders m and queues it in the outbox through tx, the Store of
// the caller's transaction: the message is sent if and only if the
// change it belongs to commits, and is never lost once it has. Links in
// m.Data.Link are paths on this server ("/reset?t=…"); the message holds
// them as absolute URLs on the base URL. Call it inside inTx or inUserTx:
//
//	err := s.inUserTx(ctx, &event, func(tx Store) error {
//		secret, err := s.issueLink(ctx, tx, persona.Link{Purpose: persona.LinkPasswordReset, UserID: u.ID, Email: u.Email})
//		if err != nil {
//			return err
//		}
//		return s.sendMail(ctx, tx, persona.Message{To: u.Email, Kind: persona.MessagePasswordReset,
//			Data: persona.MessageData{Name: u.Name, Link: "/reset?t=" + secret, ValidFor: persona.LinkPasswordReset.Lifetime()}})
//	})
//
// It returns the outbox message's ID.
func (s *Service) sendMail(ctx context.Context, tx Store, m persona.Message) (string, error) {
	m, err := persona.ValidateMessage(m)
	if err != nil {
		return "", err
	}
	out, err := mail.Compose(s.base(), newID(), m, s.timestamp())
	if err != nil {
		return "", err
	}
	if err := tx.QueueMessage(ctx, out); err != nil {
		return "", err
	}
	return out.ID, nil
}

// MailSender delivers an outbox message: an SMTP server (mail.SMTP) or,
// without one, the log (LogSender).
type MailSender interface {
	Send(ctx context.Context, m persona.OutboxMessage) error
}

// Attempt says which attempt at a job this is.
type Attempt struct {
	Number int // 1 for the first
	Max    int
}

// Final reports whether no attempt follows this one.
func (a Attempt) Final() bool { return a.Number >= a.Max }

// DeliverMessage is one attempt at sending outbox message id with sender
// (the job queue's mail worker calls it). A message already marked sent or
// logged is not sent again — the marker is what makes a retried job, a
// rescued one after a crash, or a second instance harmless. After the
// SMTP server accepts the message it is marked sent and its bodies, which
// hold one-time links, are dropped; logged (no SMTP) keeps them for the
// outbox page. A failure is recorded with the message (retrying, or failed
// on the last attempt) and returned, so that the queue tries again with
// back-off.
//
// Exactly once, precisely: the marker is written after the server accepted
// the message. A crash in between (or a lost reply) makes the next attempt
// send it again, with the same Message-ID, so the duplicate is
// recognisable; once the marker is written it is never sent again.
func (s *Service) DeliverMessage(ctx context.Context, id string, a Attempt, sender MailSender, logged bool) error {
	m, err := s.store.OutboxMessage(ctx, id)
	if err != nil {
		return err
	}
	if m.Status == persona.MessageSent || m.Status == persona.MessageLogged {
		return nil
	}
	if err := sender.Send(ctx, m); err != nil {
		permanent := mail.Permanent(err)
		msg := clip(printable(err.Error()), persona.MaxMessageError)
		if rerr := s.store.RecordMessageFailure(context.WithoutCancel(ctx), id, a.Number, msg, a.Final() || permanent, s.timestamp()); rerr != nil {
			return errors.Join(err, rerr)
		}
		if permanent {
			return PermanentError{err}
		}
		return err
	}
	status := persona.MessageSent
	if logged {
		status = persona.MessageLogged
	}
	// The message is out: record it even if the job's time ran out.
	_, err = s.store.MarkMessageSent(context.WithoutCancel(ctx), id, status, a.Number, s.timestamp(), !logged)
	return err
}

// PermanentError is a delivery failure that trying again cannot mend (the
// server refused the recipient for good): the queue stops trying.
type PermanentError struct{ Err error }

func (e PermanentError) Error() string { return e.Err.Error() }
func (e PermanentError) Unwrap() error { return e.Err }

// LogSender "sends" by writing one log line with the recipient, the
// subject and the links: the outbox page keeps the whole message.
type LogSender struct {
	Log interface {
		InfoContext(ctx context.Context, msg string, args ...any)
	}
}

// Send implements MailSender.
func (l LogSender) Send(ctx context.Context, m persona.OutboxMessage) error {
	l.Log.InfoContext(ctx, "mail not sent (no SMTP server configured): kept on the outbox page",
		"to", m.To, "subject", m.Subject, "links", strings.Join(m.Links, " "), "message_id", m.MessageID)
	return nil
}
