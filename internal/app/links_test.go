package app_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/store/storetest"
)

// A one-time link works once, before it expires, for its purpose only;
// tampered, unknown, expired, used and other-purpose links all give the
// same not-found answer, and none of them changes anything (the valid
// link still works afterwards). A change that fails after consuming
// leaves the link unused.
func TestLinksWorkOnceForTheirPurposeOnly(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := t.Context()
			var mu sync.Mutex
			now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
			clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
			advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
			svc := app.New(e.Open(t), app.WithLogger(quietLog()), app.WithClock(clock))
			u, err := svc.CreateUser(ctx, "link@example.com", "Link Owner", "correct horse battery staple")
			if err != nil {
				t.Fatal(err)
			}
			secret, err := svc.IssueLinkForTest(ctx, persona.Link{Purpose: persona.LinkPasswordReset, UserID: u.ID, Email: u.Email})
			if err != nil {
				t.Fatal(err)
			}
			if len(secret) != 43 || strings.ContainsAny(secret, "+/=") {
				t.Fatalf("secret %q is not 256 bits in base64url", secret)
			}
			notFound := func(what string, err error) {
				t.Helper()
				if persona.ErrorCode(err) != persona.CodeNotFound || err.Error() != persona.ErrLinkNotFound().Error() {
					t.Errorf("%s: %v, want the one not-found answer", what, err)
				}
			}
			noop := func() error { return nil }
			other, _ := persona.NewLinkSecret()
			for what, s := range map[string]string{
				"tampered": flip(secret), "truncated": secret[:42], "longer": secret + "A", "empty": "",
				"unknown": other, "not base64": strings.Repeat("!", 43),
			} {
				_, err := svc.ConsumeLinkForTest(ctx, persona.LinkPasswordReset, s, noop)
				notFound(what, err)
			}
			_, err = svc.ConsumeLinkForTest(ctx, persona.LinkVerifyEmail, secret, noop)
			notFound("other purpose", err)

			boom := errors.New("the change failed")
			if _, err := svc.ConsumeLinkForTest(ctx, persona.LinkPasswordReset, secret, func() error { return boom }); !errors.Is(err, boom) {
				t.Fatalf("consume then fail: %v", err)
			}
			if l, err := svc.PeekLinkForTest(ctx, persona.LinkPasswordReset, secret); err != nil || l.UserID != u.ID {
				t.Fatalf("after a failed change the link is gone: %+v, %v", l, err)
			}
			l, err := svc.ConsumeLinkForTest(ctx, persona.LinkPasswordReset, secret, noop)
			if err != nil || l.UserID != u.ID || l.Email != u.Email || !l.ExpiresAt.Equal(now.Add(time.Hour)) {
				t.Fatalf("consume: %+v, %v (reset links last an hour)", l, err)
			}
			_, err = svc.ConsumeLinkForTest(ctx, persona.LinkPasswordReset, secret, noop)
			notFound("used", err)
			_, err = svc.PeekLinkForTest(ctx, persona.LinkPasswordReset, secret)
			notFound("peek used", err)

			// Expiry: an invitation link lasts 7 days.
			inv, err := svc.IssueLinkForTest(ctx, persona.Link{Purpose: persona.LinkInvitation, Email: "guest@example.com", RefID: "inv"})
			if err != nil {
				t.Fatal(err)
			}
			advance(7*24*time.Hour - time.Second)
			if _, err := svc.PeekLinkForTest(ctx, persona.LinkInvitation, inv); err != nil {
				t.Fatalf("an invitation link a second before its expiry: %v", err)
			}
			advance(time.Second)
			_, err = svc.ConsumeLinkForTest(ctx, persona.LinkInvitation, inv, noop)
			notFound("expired", err)

			if _, err := svc.IssueLinkForTest(ctx, persona.Link{Purpose: "launch_codes"}); persona.ErrorCode(err) != persona.CodeInvalid {
				t.Errorf("unknown purpose: %v", err)
			}
		})
	}
}

// Twenty consumers of one link on two instances (two pools over one
// database): exactly one wins.
func TestALinkIsConsumedOnceAcrossInstances(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			dsn := e.DSN(t)
			svcs := []*app.Service{
				app.New(storetest.OpenDSN(t, dsn), app.WithLogger(quietLog())),
				app.New(storetest.OpenDSN(t, dsn), app.WithLogger(quietLog())),
			}
			ctx := context.Background()
			u, err := svcs[0].CreateUser(ctx, "race@example.com", "Racer", "correct horse battery staple")
			if err != nil {
				t.Fatal(err)
			}
			secret, err := svcs[0].IssueLinkForTest(ctx, persona.Link{Purpose: persona.LinkVerifyEmail, UserID: u.ID, Email: u.Email})
			if err != nil {
				t.Fatal(err)
			}
			var (
				wg         sync.WaitGroup
				mu         sync.Mutex
				wins, lost int
				errs       []error
			)
			start := make(chan struct{})
			for i := range 20 {
				wg.Go(func() {
					<-start
					_, err := svcs[i%2].ConsumeLinkForTest(ctx, persona.LinkVerifyEmail, secret, func() error { return nil })
					mu.Lock()
					defer mu.Unlock()
					switch {
					case err == nil:
						wins++
					case persona.ErrorCode(err) == persona.CodeNotFound:
						lost++
					default:
						errs = append(errs, err)
					}
				})
			}
			close(start)
			wg.Wait()
			if wins != 1 || lost != 19 || len(errs) > 0 {
				t.Fatalf("%d won, %d not found, errors %v", wins, lost, errs)
			}
		})
	}
}

// flip changes the secret's first character.
func flip(s string) string {
	c := byte('A')
	if s[0] == 'A' {
		c = 'B'
	}
	return string(c) + s[1:]
}
