package app

import (
	"context"
	"strings"
	"unicode"

	"github.com/personapal/personapal/internal/persona"
)

// The security log: events about a user's own account (sign-ins and failed
// sign-ins, API tokens, password changes and resets, signing out
// everywhere) go to that user's log, which only they read. They never go
// to an organisation's audit log: an organisation that adds a member must
// not learn the names of their tokens or when they sign in.

// ClientInfo is what an edge knows about the client making a request,
// kept with the security events the request causes.
type ClientInfo struct {
	Address   string
	UserAgent string
}

type clientInfoKey struct{}

// WithClientInfo records the request's client for the security log (the
// HTTP server sets it on every request).
func WithClientInfo(ctx context.Context, c ClientInfo) context.Context {
	return context.WithValue(ctx, clientInfoKey{}, c)
}

func clientInfo(ctx context.Context) ClientInfo {
	c, _ := ctx.Value(clientInfoKey{}).(ClientInfo)
	return c
}

// securityEvent builds an event of userID's log from the request's client.
func (s *Service) securityEvent(ctx context.Context, userID, kind, summary string) persona.SecurityEvent {
	c := clientInfo(ctx)
	return persona.SecurityEvent{UserID: userID, At: s.timestamp(), Kind: kind,
		Summary:   clip(summary, persona.MaxSecuritySummary),
		Client:    clip(printable(c.Address), persona.MaxSecurityClient),
		UserAgent: clip(printable(c.UserAgent), persona.MaxSecurityUserAgent)}
}

// inUserTx makes a change to a user's own account (tokens) through tx and
// appends e, its event, to the user's security log in the same
// transaction — the user-level counterpart of inTx. fn may complete e.
func (s *Service) inUserTx(ctx context.Context, e *persona.SecurityEvent, fn func(tx Store) error) error {
	return s.store.InTx(ctx, func(tx Store) error {
		if err := fn(tx); err != nil {
			return err
		}
		e.Summary = clip(e.Summary, persona.MaxSecuritySummary)
		return tx.AppendSecurityEvent(ctx, *e)
	})
}

// recordSecurityEvent appends an event to userID's security log after the
// change it describes has happened. A failure to record is logged, not
// returned: the change itself has happened.
func (s *Service) recordSecurityEvent(ctx context.Context, userID, kind, summary string) {
	if userID == "" {
		return
	}
	e := s.securityEvent(ctx, userID, kind, summary)
	if err := s.store.AppendSecurityEvent(ctx, e); err != nil {
		s.log.ErrorContext(ctx, "security log write failed", "kind", kind, "err", err)
	}
}

// ListSecurityEvents lists the caller's own security log, newest first;
// before is the seq to continue below (0: the newest). Nobody else's log
// is reachable: there is no user to name.
func (s *Service) ListSecurityEvents(ctx context.Context, actor Actor, before int64, limit int) ([]persona.SecurityEvent, error) {
	if actor.UserID == "" {
		return nil, persona.Errorf(persona.CodeUnauthenticated, "authentication required")
	}
	if before < 0 {
		return nil, persona.Invalid("invalid page", []persona.FieldError{{Field: "before", Message: "must not be negative"}})
	}
	return s.store.ListSecurityEvents(ctx, actor.UserID, before, limit)
}

// clip shortens s to at most n runes, marking the cut.
func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// printable drops control and format characters (a user agent is the
// client's to write) and trims the rest.
func printable(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r) || r == unicode.ReplacementChar {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, "")))
}

// quoted is a name as the security log quotes it.
func quoted(name string) string { return "“" + name + "”" }
