package app

import (
	"context"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

// One-time links (persona.Link): issueLink makes one in the caller's
// transaction and returns its secret (put it in the e-mail, nowhere
// else); peekLink reads a link without using it (a page that shows what
// the link is for before the person confirms); consumeLink uses it, once.
// Whatever is wrong with a link — unknown, tampered, expired, used,
// revoked, made for another purpose — the answer is the same not-found
// error, and nothing changes.

// issueLink stores a link for l's purpose and returns its secret. l says
// whom it is for (UserID, Email, OrgID, RefID as the purpose needs); its
// expiry is l.ExpiresAt, or the purpose's lifetime from now. Call it with
// the Store of the use case's transaction (tx), so the link exists only
// if the change (and the message carrying it) commits.
func (s *Service) issueLink(ctx context.Context, tx Store, l persona.Link) (string, error) {
	if !l.Purpose.Valid() {
		return "", persona.Errorf(persona.CodeInvalid, "unknown link purpose %q", l.Purpose)
	}
	secret, hash := persona.NewLinkSecret()
	l.Hash = hash
	l.CreatedAt = s.timestamp()
	if l.ExpiresAt.IsZero() {
		l.ExpiresAt = l.CreatedAt.Add(l.Purpose.Lifetime())
	}
	l.UsedAt = nil
	if err := tx.CreateLink(ctx, l); err != nil {
		return "", err
	}
	return secret, nil
}

// peekLink returns the valid link of the purpose with this secret without
// using it; persona.ErrLinkNotFound otherwise.
func (s *Service) peekLink(ctx context.Context, tx Store, purpose persona.LinkPurpose, secret string) (persona.Link, error) {
	hash := persona.HashLinkSecret(secret)
	if hash == "" {
		return persona.Link{}, persona.ErrLinkNotFound()
	}
	l, err := tx.PeekLink(ctx, purpose, hash, s.timestamp())
	if persona.ErrorCode(err) == persona.CodeNotFound {
		return persona.Link{}, persona.ErrLinkNotFound()
	}
	return l, err
}

// consumeLink uses the link of the purpose with this secret and returns
// it; persona.ErrLinkNotFound when it does not work. Call it with the
// Store of the transaction that makes the link's change, so that a change
// that fails leaves the link unused: of concurrent attempts with one
// secret, on any instance, exactly one gets the link.
func (s *Service) consumeLink(ctx context.Context, tx Store, purpose persona.LinkPurpose, secret string) (persona.Link, error) {
	hash := persona.HashLinkSecret(secret)
	if hash == "" {
		return persona.Link{}, persona.ErrLinkNotFound()
	}
	l, err := tx.ConsumeLink(ctx, purpose, hash, s.timestamp())
	if persona.ErrorCode(err) == persona.CodeNotFound {
		return persona.Link{}, persona.ErrLinkNotFound()
	}
	return l, err
}

// revokeLinks makes the unused links of the purpose for a user and/or a
// reference unusable (a new reset link replaces the old ones; a revoked
// invitation takes its link along).
func (s *Service) revokeLinks(ctx context.Context, tx Store, purpose persona.LinkPurpose, userID, refID string) (int, error) {
	return tx.RevokeLinks(ctx, purpose, userID, refID, s.timestamp())
}

// PruneLinksAndOutbox deletes links that expired more than a day ago and
// outbox messages done (sent, logged or failed) more than keep ago; the
// queue runs it daily.
func (s *Service) PruneLinksAndOutbox(ctx context.Context, keep time.Duration) (links, messages int, err error) {
	now := s.timestamp()
	if links, err = s.store.DeleteLinksBefore(ctx, now.Add(-24*time.Hour)); err != nil {
		return 0, 0, err
	}
	messages, err = s.store.DeleteOutboxBefore(ctx, now.Add(-keep))
	return links, messages, err
}
