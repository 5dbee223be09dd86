package app

import (
	"context"

	"github.com/personapal/personapal/internal/persona"
)

// Operators run the instance: they read the outbox (its page and
// personapal outbox list) and queue test messages. It is a flag on the
// account, granted from the command line only (personapal user create
// --operator, personapal user set-operator); it gives no rights inside any
// organisation. To anyone else the operator's pages do not exist (not
// found).

// IsOperator reports whether the actor may operate the instance.
func (s *Service) IsOperator(ctx context.Context, actor Actor) (bool, error) {
	if actor.System {
		return true, nil
	}
	if actor.UserID == "" {
		return false, nil
	}
	return s.store.IsOperator(ctx, actor.UserID)
}

func (s *Service) needOperator(ctx context.Context, actor Actor) error {
	if actor.UserID == "" && !actor.System {
		return persona.Errorf(persona.CodeUnauthenticated, "authentication required")
	}
	ok, err := s.IsOperator(ctx, actor)
	if err != nil {
		return err
	}
	if !ok {
		return persona.ErrNotFound("page")
	}
	return nil
}

// SetOperator grants (on) or withdraws the operator flag of the account
// with this email; trusted local administration only. The change and its
// security-log entry commit together.
func (s *Service) SetOperator(ctx context.Context, actor Actor, email string, on bool) (persona.User, error) {
	if !actor.System {
		return persona.User{}, persona.Errorf(persona.CodeForbidden, "only the command line makes operators")
	}
	u, err := s.UserByEmail(ctx, email)
	if err != nil {
		return persona.User{}, err
	}
	kind, summary := persona.SecurityOperatorGranted, "Made an operator of this instance"
	if !on {
		kind, summary = persona.SecurityOperatorWithdrawn, "No longer an operator of this instance"
	}
	e := s.securityEvent(ctx, u.ID, kind, summary)
	return u, s.inUserTx(ctx, &e, func(tx Store) error { return tx.SetOperator(ctx, u.ID, on) })
}

// CreateOperator creates a user who is an operator, in one transaction.
func (s *Service) CreateOperator(ctx context.Context, email, name, password string) (persona.User, error) {
	var u persona.User
	err := s.inOneTx(ctx, func(s *Service) error {
		var err error
		if u, err = s.CreateUser(ctx, email, name, password); err != nil {
			return err
		}
		_, err = s.SetOperator(ctx, System, u.Email, true)
		return err
	})
	return u, err
}

// Outbox is the outbox as an operator sees it.
type Outbox struct {
	Messages []persona.OutboxMessage
	Counts   map[persona.MessageStatus]int
	// BaseURL is the URL links start with.
	BaseURL string
}

// ListOutbox lists the outbox newest first (operators).
func (s *Service) ListOutbox(ctx context.Context, actor Actor, f persona.OutboxFilter) (Outbox, error) {
	if err := s.needOperator(ctx, actor); err != nil {
		return Outbox{}, err
	}
	if f.Status != "" {
		known := false
		for _, st := range persona.MessageStatuses {
			known = known || st == f.Status
		}
		if !known {
			return Outbox{}, persona.Invalid("invalid filter", []persona.FieldError{{Field: "status", Message: "must be one of queued, retrying, sent, logged, failed"}})
		}
	}
	msgs, err := s.store.ListOutbox(ctx, f)
	if err != nil {
		return Outbox{}, err
	}
	counts, err := s.store.CountOutbox(ctx)
	if err != nil {
		return Outbox{}, err
	}
	return Outbox{Messages: msgs, Counts: counts, BaseURL: s.BaseURL()}, nil
}

// OutboxMessage returns one outbox message (operators).
func (s *Service) OutboxMessage(ctx context.Context, actor Actor, id string) (persona.OutboxMessage, error) {
	if err := s.needOperator(ctx, actor); err != nil {
		return persona.OutboxMessage{}, err
	}
	if !persona.ValidID(id) {
		return persona.OutboxMessage{}, persona.ErrNotFound("message")
	}
	return s.store.OutboxMessage(ctx, id)
}

// QueueTestMessage queues a test message to the address (operators; the
// command line's personapal outbox test) and returns its outbox ID.
func (s *Service) QueueTestMessage(ctx context.Context, actor Actor, to string) (string, error) {
	if err := s.needOperator(ctx, actor); err != nil {
		return "", err
	}
	var id string
	err := s.store.InTx(ctx, func(tx Store) error {
		var err error
		id, err = s.sendMail(ctx, tx, persona.Message{To: to, Kind: persona.MessageTest, Data: persona.MessageData{Link: "/"}})
		return err
	})
	return id, err
}
