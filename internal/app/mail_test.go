package app_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/mail"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/store/storetest"
)

type countingSender struct {
	mu   sync.Mutex
	sent []persona.OutboxMessage
	err  error
}

func (c *countingSender) Send(_ context.Context, m persona.OutboxMessage) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return c.err
	}
	c.sent = append(c.sent, m)
	return nil
}

// The sent marker: once a delivery is recorded, a retried or rescued job
// (or another instance) never sends the message again; a failure is kept
// with the message, and the last attempt fails it.
func TestDeliverMessageSendsUntilMarkedThenNever(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := t.Context()
			base, _ := mail.ParseBaseURL("https://pp.example.test")
			svc := app.New(e.Open(t), app.WithLogger(quietLog()), app.WithBaseURL(base))
			id, err := svc.SendMailForTest(ctx, persona.Message{To: "Reset@Example.com", Kind: persona.MessagePasswordReset,
				Data: persona.MessageData{Name: "Ada", Link: "/reset?t=SECRET", ValidFor: persona.LinkPasswordReset.Lifetime()}})
			if err != nil {
				t.Fatal(err)
			}
			s := &countingSender{err: errors.New("connect to smtp: connection refused")}
			err = svc.DeliverMessage(ctx, id, app.Attempt{Number: 1, Max: 3}, s, false)
			if err == nil {
				t.Fatal("a failed send was not reported to the queue")
			}
			m, _ := svc.OutboxMessage(ctx, app.System, id)
			if m.Status != persona.MessageRetrying || m.Attempts != 1 || !strings.Contains(m.LastError, "connection refused") {
				t.Errorf("after a failure: %s, %d, %q", m.Status, m.Attempts, m.LastError)
			}
			s.err = nil
			for n := 2; n <= 3; n++ { // the second succeeds; the third is a re-run of a job whose completion was lost
				if err := svc.DeliverMessage(ctx, id, app.Attempt{Number: n, Max: 3}, s, false); err != nil {
					t.Fatal(err)
				}
			}
			if len(s.sent) != 1 {
				t.Fatalf("sent %d times, want once", len(s.sent))
			}
			got := s.sent[0]
			if got.To != "reset@example.com" || !strings.Contains(got.Text, "https://pp.example.test/reset?t=SECRET") || got.Subject != "Reset your Persona Pal password" {
				t.Errorf("sent %+v", got)
			}
			m, _ = svc.OutboxMessage(ctx, app.System, id)
			if m.Status != persona.MessageSent || m.Attempts != 2 || strings.Contains(m.Text+m.HTML, "SECRET") || len(m.Links) != 0 {
				t.Errorf("after delivery the outbox keeps %+v (the link is a secret)", m)
			}

			// The last attempt's failure fails the message; a refused
			// recipient would fail it at once.
			id2, err := svc.SendMailForTest(ctx, persona.Message{To: "x@example.com", Kind: persona.MessageTest})
			if err != nil {
				t.Fatal(err)
			}
			s.err = errors.New("451 try later")
			_ = svc.DeliverMessage(ctx, id2, app.Attempt{Number: 3, Max: 3}, s, false)
			if m, _ := svc.OutboxMessage(ctx, app.System, id2); m.Status != persona.MessageFailed || m.LastError != "451 try later" {
				t.Errorf("after the last attempt: %s %q", m.Status, m.LastError)
			}
		})
	}
}

// Messages are checked before they are queued: an address, a known kind,
// a link that is a path on this server (never another site), clean text.
func TestSendMailRefusesBadMessagesAndQueuesNothing(t *testing.T) {
	ctx := t.Context()
	svc := app.New(storetest.OpenSQLite(t), app.WithLogger(quietLog()))
	for name, m := range map[string]persona.Message{
		"no address":                      {Kind: persona.MessageTest},
		"bad address":                     {To: "not an address", Kind: persona.MessageTest},
		"unknown kind":                    {To: "a@example.com", Kind: "spam"},
		"missing link":                    {To: "a@example.com", Kind: persona.MessagePasswordReset},
		"absolute link":                   {To: "a@example.com", Kind: persona.MessagePasswordReset, Data: persona.MessageData{Link: "https://evil.example/"}},
		"scheme-relative":                 {To: "a@example.com", Kind: persona.MessagePasswordReset, Data: persona.MessageData{Link: "//evil.example/"}},
		"control in name":                 {To: "a@example.com", Kind: persona.MessageVerifyEmail, Data: persona.MessageData{Link: "/v", Name: "Ada\r\nBcc: x@evil.example"}},
		"invitation without organisation": {To: "a@example.com", Kind: persona.MessageInvitation, Data: persona.MessageData{Link: "/i"}},
	} {
		if _, err := svc.SendMailForTest(ctx, m); persona.ErrorCode(err) != persona.CodeInvalid {
			t.Errorf("%s: %v, want invalid", name, err)
		}
	}
	out, err := svc.ListOutbox(ctx, app.System, persona.OutboxFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Messages) != 0 {
		t.Errorf("%d messages queued from bad input", len(out.Messages))
	}
}

// Only operators (and the command line) see the outbox; to anyone else it
// does not exist.
func TestOnlyOperatorsSeeTheOutbox(t *testing.T) {
	ctx := t.Context()
	svc := app.New(storetest.OpenSQLite(t), app.WithLogger(quietLog()))
	u, err := svc.CreateUser(ctx, "user@example.com", "User", "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	actor := app.Actor{UserID: u.ID, Email: u.Email}
	if _, err := svc.ListOutbox(ctx, actor, persona.OutboxFilter{}); persona.ErrorCode(err) != persona.CodeNotFound {
		t.Errorf("a user lists the outbox: %v", err)
	}
	if _, err := svc.QueueTestMessage(ctx, actor, "x@example.com"); persona.ErrorCode(err) != persona.CodeNotFound {
		t.Errorf("a user queues a test message: %v", err)
	}
	if _, err := svc.ListOutbox(ctx, app.Actor{}, persona.OutboxFilter{}); persona.ErrorCode(err) != persona.CodeUnauthenticated {
		t.Errorf("anonymous: %v", err)
	}
	if _, err := svc.SetOperator(ctx, actor, u.Email, true); persona.ErrorCode(err) != persona.CodeForbidden {
		t.Errorf("a user makes themself an operator: %v", err)
	}
	if _, err := svc.SetOperator(ctx, app.System, u.Email, true); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.QueueTestMessage(ctx, actor, "x@example.com"); err != nil {
		t.Errorf("an operator queues a test message: %v", err)
	}
	out, err := svc.ListOutbox(ctx, actor, persona.OutboxFilter{})
	if err != nil || len(out.Messages) != 1 {
		t.Errorf("an operator lists %d messages, %v", len(out.Messages), err)
	}
	events, _ := svc.ListSecurityEvents(ctx, actor, 0, 10)
	if len(events) == 0 || events[0].Kind != persona.SecurityOperatorGranted {
		t.Errorf("security log %+v, want the operator grant", events)
	}
	op, err := svc.CreateOperator(ctx, "op@example.com", "Op", "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := svc.IsOperator(ctx, app.Actor{UserID: op.ID}); !ok {
		t.Error("CreateOperator made no operator")
	}
}
