package app_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/store/storetest"
)

// countingStore counts the writes of a token's and a session's last use.
type countingStore struct {
	app.Store
	touches, sessionWrites atomic.Int64
}

func (c *countingStore) TouchToken(ctx context.Context, id string, at, ifBefore time.Time) (bool, error) {
	c.touches.Add(1)
	return c.Store.TouchToken(ctx, id, at, ifBefore)
}

func (c *countingStore) UpdateSession(ctx context.Context, sess persona.Session) error {
	c.sessionWrites.Add(1)
	return c.Store.UpdateSession(ctx, sess)
}

// A read-only token authenticates as a read-only actor that cannot make
// tokens; an expired token is refused as unauthenticated, through both
// ways of authenticating; a token's last use is written at most once a
// minute however often it is used (TouchToken used to be written never).
func TestTokenScopeExpiryAndLastUse(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := t.Context()
			clk := newClock()
			db := &countingStore{Store: eng.Open(t)}
			svc := app.New(db, app.WithLogger(quietLog()), app.WithPasswordHasher(cheap), app.WithClock(clk.Now))
			u, err := svc.CreateUser(ctx, "scripts@example.com", "Scripts", "scripts-password-1")
			if err != nil {
				t.Fatal(err)
			}
			me := app.Actor{UserID: u.ID, Email: u.Email}
			if _, err := svc.CreateOrg(ctx, me, "Acme", "acme"); err != nil {
				t.Fatal(err)
			}
			for name, o := range map[string]app.TokenOptions{
				"scope":   {Scope: "admin"},
				"expires": {ExpiresIn: -time.Hour},
			} {
				if _, _, err := svc.CreateScopedToken(ctx, me, o); fieldOf(err) != name {
					t.Errorf("token with a bad %s: %v", name, err)
				}
			}
			if _, _, err := svc.CreateScopedToken(ctx, me, app.TokenOptions{ExpiresIn: persona.MaxTokenLifetime + time.Hour}); fieldOf(err) != "expires" {
				t.Errorf("token for more than ten years: %v", err)
			}

			ro, tok, err := svc.CreateScopedToken(ctx, me, app.TokenOptions{Name: "Dashboard", Scope: persona.ScopeRead, ExpiresIn: time.Hour})
			if err != nil {
				t.Fatal(err)
			}
			if tok.Scope != persona.ScopeRead || tok.ExpiresAt == nil || !tok.ExpiresAt.Equal(clk.Now().Add(time.Hour)) {
				t.Fatalf("token %+v", tok)
			}
			rw, _, err := svc.CreateToken(ctx, me, "Sync")
			if err != nil {
				t.Fatal(err)
			}
			a, err := svc.AuthenticateOrg(ctx, ro, "acme")
			if err != nil || !a.ReadOnly {
				t.Fatalf("read-only token: %+v, %v", a, err)
			}
			if a, err := svc.Authenticate(ctx, rw); err != nil || a.ReadOnly {
				t.Fatalf("read-write token: %+v, %v", a, err)
			}
			if _, _, err := svc.CreateToken(ctx, a, "escalate"); persona.ErrorCode(err) != persona.CodeForbidden {
				t.Fatalf("a read-only token made a token: %v", err)
			}

			// Both were used once just now (and their use written); 200
			// more uses within a minute write nothing.
			db.touches.Store(0)
			for range 100 {
				clk.Advance(100 * time.Millisecond)
				if _, err := svc.AuthenticateOrg(ctx, ro, "acme"); err != nil {
					t.Fatal(err)
				}
				if _, err := svc.Authenticate(ctx, rw); err != nil {
					t.Fatal(err)
				}
			}
			if n := db.touches.Load(); n != 0 {
				t.Fatalf("%d last-use writes for 200 uses within a minute, want 0", n)
			}
			clk.Advance(time.Minute)
			for range 10 {
				if _, err := svc.Authenticate(ctx, ro); err != nil {
					t.Fatal(err)
				}
			}
			if n := db.touches.Load(); n != 1 {
				t.Fatalf("%d last-use writes for 10 uses a minute later, want 1", n)
			}
			list, _ := svc.ListTokens(ctx, me)
			for _, l := range list {
				if l.LastUsedAt == nil || clk.Now().Sub(*l.LastUsedAt) > 2*time.Minute {
					t.Errorf("token %s last used %v (now %v)", l.Name, l.LastUsedAt, clk.Now())
				}
			}

			// An hour after it was made, the read-only token is refused.
			clk.Advance(time.Hour)
			for name, auth := range map[string]func() error{
				"Authenticate":    func() error { _, err := svc.Authenticate(ctx, ro); return err },
				"AuthenticateOrg": func() error { _, err := svc.AuthenticateOrg(ctx, ro, "acme"); return err },
			} {
				if err := auth(); persona.ErrorCode(err) != persona.CodeUnauthenticated || !strings.Contains(err.Error(), "expired") {
					t.Errorf("%s with an expired token: %v", name, err)
				}
			}
			if _, err := svc.Authenticate(ctx, rw); err != nil {
				t.Fatalf("a token without expiry: %v", err)
			}
		})
	}
}

// The sessions of an account: listed with their browser and address, the
// request's own marked; one can be ended (it stops working at once),
// another user's cannot; "every other" ends all but this one. Last use is
// written at most once a minute.
func TestSessionsListedAndEndedOneByOne(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := t.Context()
			clk := newClock()
			db := &countingStore{Store: eng.Open(t)}
			svc := app.New(db, app.WithLogger(quietLog()), app.WithPasswordHasher(cheap), app.WithClock(clk.Now))
			for _, email := range []string{"ana@example.com", "bo@example.com"} {
				if _, err := svc.CreateUser(ctx, email, "User", "correct horse battery"); err != nil {
					t.Fatal(err)
				}
			}
			agents := []struct{ ip, ua, browser string }{
				{"192.0.2.10", "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0", "Firefox on Linux"},
				{"198.51.100.20", "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1", "Safari on iPhone"},
				{"2001:db8::30", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0", "Edge on Windows"},
			}
			var secrets []string
			for _, ag := range agents {
				clk.Advance(time.Hour)
				c := app.WithClientInfo(ctx, app.ClientInfo{Address: ag.ip, UserAgent: ag.ua})
				s, _, err := svc.SignIn(c, "ana@example.com", "correct horse battery", ag.ip)
				if err != nil {
					t.Fatal(err)
				}
				secrets = append(secrets, s)
			}
			bo, _, err := svc.SignIn(ctx, "bo@example.com", "correct horse battery", "203.0.113.1")
			if err != nil {
				t.Fatal(err)
			}
			me, err := svc.SessionActor(ctx, secrets[0])
			if err != nil {
				t.Fatal(err)
			}
			list, err := svc.ListSessions(ctx, me)
			if err != nil || len(list) != 3 {
				t.Fatalf("%d sessions, %v", len(list), err)
			}
			byBrowser := map[string]app.SessionInfo{}
			for _, s := range list {
				byBrowser[s.Browser] = s
			}
			for i, ag := range agents {
				s, ok := byBrowser[ag.browser]
				if !ok || s.Client != ag.ip || s.CreatedAt == nil || s.LastSeenAt == nil || s.Current != (i == 0) {
					t.Errorf("session %d: %+v (have %v)", i, s, list)
				}
			}

			// Using a session many times within a minute of its sign-in
			// writes nothing; after a minute, one write records the last use.
			db.sessionWrites.Store(0)
			for range 50 {
				clk.Advance(time.Second)
				if _, err := svc.SessionActor(ctx, secrets[2]); err != nil {
					t.Fatal(err)
				}
			}
			if n := db.sessionWrites.Load(); n != 0 {
				t.Fatalf("%d session writes for 50 uses within a minute of the sign-in", n)
			}
			clk.Advance(11 * time.Second)
			for range 5 {
				if _, err := svc.SessionActor(ctx, secrets[2]); err != nil {
					t.Fatal(err)
				}
			}
			if n := db.sessionWrites.Load(); n != 1 {
				t.Fatalf("%d session writes after a minute, want 1", n)
			}

			// Bo cannot end Ana's session, nor Ana one that is not hers.
			boActor, _ := svc.SessionActor(ctx, bo)
			iphone := byBrowser["Safari on iPhone"].ID
			if err := svc.RevokeSession(ctx, boActor, iphone); persona.ErrorCode(err) != persona.CodeNotFound {
				t.Fatalf("another user's session: %v", err)
			}
			if err := svc.RevokeSession(ctx, me, boActor.SessionID); persona.ErrorCode(err) != persona.CodeNotFound {
				t.Fatalf("ending Bo's session as Ana: %v", err)
			}
			if err := svc.RevokeSession(ctx, me, iphone); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.SessionActor(ctx, secrets[1]); persona.ErrorCode(err) != persona.CodeUnauthenticated {
				t.Fatalf("the ended session still works: %v", err)
			}
			if n, err := svc.SignOutOtherSessions(ctx, me); err != nil || n != 1 {
				t.Fatalf("SignOutOtherSessions = %d, %v", n, err)
			}
			if _, err := svc.SessionActor(ctx, secrets[2]); persona.ErrorCode(err) != persona.CodeUnauthenticated {
				t.Fatalf("another session survived: %v", err)
			}
			if _, err := svc.SessionActor(ctx, secrets[0]); err != nil {
				t.Fatalf("this session was ended: %v", err)
			}
			if _, err := svc.SessionActor(ctx, bo); err != nil {
				t.Fatalf("Bo's session was ended: %v", err)
			}
			events, _ := svc.ListSecurityEvents(ctx, me, 0, 2)
			if len(events) != 2 || events[0].Kind != persona.SecuritySessionRevoked || !strings.Contains(events[1].Summary, "Safari on iPhone at 198.51.100.20") {
				t.Fatalf("security log %+v", events)
			}
		})
	}
}

// A name change shows wherever the name does and is in the security log;
// names with control characters are refused.
func TestChangeName(t *testing.T) {
	ctx := t.Context()
	svc := app.New(storetest.OpenSQLite(t), app.WithLogger(quietLog()), app.WithPasswordHasher(cheap))
	u, err := svc.CreateUser(ctx, "ana@example.com", "Ana", "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	me := app.Actor{UserID: u.ID, Email: u.Email}
	org, err := svc.CreateOrg(ctx, me, "Acme", "acme")
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"", "   ", "Ana\x1b[2J", "Ana\nSmith", strings.Repeat("a", 201)} {
		if _, err := svc.ChangeName(ctx, me, bad); fieldOf(err) != "name" {
			t.Errorf("name %q: %v", bad, err)
		}
	}
	if _, err := svc.ChangeName(ctx, me, "  Ana Lima  "); err != nil {
		t.Fatal(err)
	}
	members, _ := svc.ListMembers(ctx, me, org.Slug)
	if len(members) != 1 || members[0].Name != "Ana Lima" {
		t.Fatalf("members %+v", members)
	}
	events, _ := svc.ListSecurityEvents(ctx, me, 0, 1)
	if len(events) != 1 || events[0].Kind != persona.SecurityNameChanged || events[0].Summary != "Name changed from “Ana” to “Ana Lima”" {
		t.Fatalf("security log %+v", events)
	}
}
