package app

import (
	"context"

	"github.com/personapal/personapal/internal/persona"
)

// Test access to the link and mail helpers the use cases call.

func (s *Service) IssueLinkForTest(ctx context.Context, l persona.Link) (string, error) {
	var secret string
	err := s.store.InTx(ctx, func(tx Store) error {
		var err error
		secret, err = s.issueLink(ctx, tx, l)
		return err
	})
	return secret, err
}

// ConsumeLinkForTest consumes the link in a transaction that then runs
// after (a use case's change); an error from after rolls it all back.
func (s *Service) ConsumeLinkForTest(ctx context.Context, purpose persona.LinkPurpose, secret string, after func() error) (persona.Link, error) {
	var l persona.Link
	err := s.store.InTx(ctx, func(tx Store) error {
		var err error
		if l, err = s.consumeLink(ctx, tx, purpose, secret); err != nil {
			return err
		}
		return after()
	})
	return l, err
}

func (s *Service) PeekLinkForTest(ctx context.Context, purpose persona.LinkPurpose, secret string) (persona.Link, error) {
	return s.peekLink(ctx, s.store, purpose, secret)
}

func (s *Service) SendMailForTest(ctx context.Context, m persona.Message) (string, error) {
	var id string
	err := s.store.InTx(ctx, func(tx Store) error {
		var err error
		id, err = s.sendMail(ctx, tx, m)
		return err
	})
	return id, err
}
