package app_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/store"
	"github.com/personapal/personapal/internal/store/storetest"
)

// setupService is a service over a fresh, empty database (no account).
func setupService(t *testing.T, db app.Store, opts ...app.Option) *app.Service {
	t.Helper()
	return app.New(db, append([]app.Option{app.WithLogger(quietLog()), app.WithPasswordHasher(cheap),
		app.WithPasswordConcurrency(64, time.Minute)}, opts...)...)
}

// from is ctx as a request from the client address ip.
func from(ctx context.Context, ip string) context.Context {
	return app.WithClientInfo(ctx, app.ClientInfo{Address: ip, UserAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"})
}

func setupInput(code string, n int) app.SetupInput {
	return app.SetupInput{Code: code, Name: fmt.Sprintf("Owner %d", n), Email: fmt.Sprintf("owner%d@example.com", n),
		Password: "correct horse battery staple", OrgName: fmt.Sprintf("Team %d", n)}
}

func fieldOf(err error) string {
	if e, ok := persona.AsError(err); ok && len(e.Fields) == 1 {
		return e.Fields[0].Field
	}
	return ""
}

// Twenty visitors with the right code set up at once: exactly one wins,
// the others are told the setup is done, and the database holds one
// owner, one organisation and no code. (The claim of the codes is the one
// point of serialisation: checking "no account yet" alone let several
// PostgreSQL transactions through at once.)
func TestSetupRaceHasExactlyOneWinner(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := t.Context()
			db := eng.Open(t)
			// Throttling is another test's: here every racer is let through
			// to the transaction.
			policy := persona.DefaultSignInPolicy
			policy.AccountFree = 1000
			svc := setupService(t, db, app.WithSignInPolicy(policy))
			code, err := svc.IssueSetupCode(ctx)
			if err != nil || code == "" {
				t.Fatalf("IssueSetupCode = %q, %v", code, err)
			}
			const racers = 20
			var (
				wg    sync.WaitGroup
				start = make(chan struct{})
				errs  = make([]error, racers)
				wins  = make([]app.SetupResult, racers)
			)
			for i := range racers {
				wg.Go(func() {
					<-start
					wins[i], errs[i] = svc.Setup(from(ctx, fmt.Sprintf("192.0.2.%d", i+1)), setupInput(code, i))
				})
			}
			close(start)
			wg.Wait()
			winner := -1
			for i, err := range errs {
				switch {
				case err == nil:
					if winner >= 0 {
						t.Fatalf("two setups won: %d and %d", winner, i)
					}
					winner = i
				case !app.IsSetupDone(err):
					t.Errorf("racer %d: %v, want the already-set-up answer", i, err)
				}
			}
			if winner < 0 {
				t.Fatal("no setup won")
			}
			w := wins[winner]
			if w.Session == "" || w.User.EmailVerifiedAt == nil || w.Org.Slug == "" {
				t.Fatalf("winner %+v", w)
			}
			orgs, err := db.CountOrgs(ctx)
			if err != nil || orgs != 1 {
				t.Fatalf("%d organisations (%v), want 1", orgs, err)
			}
			for i := range racers {
				_, err := svc.UserByEmail(ctx, fmt.Sprintf("owner%d@example.com", i))
				if (err == nil) != (i == winner) {
					t.Errorf("owner%d: %v", i, err)
				}
			}
			// The owner is signed in, owns the organisation, and its
			// starter templates are there.
			actor, err := svc.SessionActor(ctx, w.Session)
			if err != nil || actor.UserID != w.User.ID {
				t.Fatalf("the setup's session: %+v, %v", actor, err)
			}
			if _, role, err := svc.GetOrg(ctx, actor, w.Org.Slug); err != nil || role != persona.RoleOwner {
				t.Fatalf("owner's role %q, %v", role, err)
			}
			if tpls, err := svc.ListTemplates(ctx, actor, w.Org.Slug); err != nil || len(tpls) != len(persona.StarterTemplates()) {
				t.Fatalf("%d templates, %v", len(tpls), err)
			}
			// Every code is spent; a restart prints none.
			if hashes, _ := db.SetupCodeHashes(ctx); len(hashes) != 0 {
				t.Fatalf("%d setup codes left", len(hashes))
			}
			if again, err := svc.IssueSetupCode(ctx); again != "" || err != nil {
				t.Fatalf("IssueSetupCode after setup = %q, %v", again, err)
			}
		})
	}
}

// A wrong code is a field error and changes nothing; wrong codes are
// counted per client address in the database, so the sixth attempt from
// one address is refused with a wait even with the right code, while
// another address still gets in.
func TestWrongSetupCodesAreRefusedAndThrottled(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := t.Context()
			db := eng.Open(t)
			clk := newClock()
			svc := setupService(t, db, app.WithClock(clk.Now))
			code, err := svc.IssueSetupCode(ctx)
			if err != nil {
				t.Fatal(err)
			}
			other, _ := persona.NewSetupCode()
			another, _ := persona.NewSetupCode()
			last := "X"
			if strings.HasSuffix(code, "X") {
				last = "Y"
			}
			attacker := from(ctx, "203.0.113.9")
			if _, err := svc.Setup(attacker, setupInput("", 0)); fieldOf(err) != "code" {
				t.Fatalf("no code: %v", err)
			}
			for i, guess := range []string{other, "not a code", strings.Repeat("0", 28), code[:len(code)-1] + last, another} {
				_, err := svc.Setup(attacker, setupInput(guess, i))
				if persona.ErrorCode(err) != persona.CodeInvalid || fieldOf(err) != "code" {
					t.Fatalf("guess %d %q: %v, want a field error of code", i, guess, err)
				}
			}
			// A second instance over the same database sees the same counts.
			svc2 := setupService(t, db, app.WithClock(clk.Now))
			_, err = svc2.Setup(attacker, setupInput(code, 9))
			wait := tooMany(t, err, "the sixth attempt from one address")
			if !strings.Contains(err.Error(), "setup code") {
				t.Errorf("refusal %q does not say what was refused", err)
			}
			if needs, _ := svc.NeedsSetup(ctx); !needs {
				t.Fatal("a throttled attempt set the server up")
			}
			if _, err := svc.UserByEmail(ctx, "owner9@example.com"); persona.ErrorCode(err) != persona.CodeNotFound {
				t.Fatalf("a refused setup made its user: %v", err)
			}
			// The owner's own address is not slowed down by the attacker.
			if _, err := svc.Setup(from(ctx, "198.51.100.7"), setupInput(strings.ToLower(code), 1)); err != nil {
				t.Fatalf("the right code (lower case) from another address: %v", err)
			}
			// Past the window the attacker's address may try again, and is
			// told the setup is done.
			clk.Advance(wait + time.Second)
			if _, err := svc.Setup(attacker, setupInput(code, 2)); !app.IsSetupDone(err) {
				t.Fatalf("after the setup: %v", err)
			}
		})
	}
}

// Setup works only while no account exists: an account made by an
// operator first ends it (its code too), and a completed setup cannot run
// again with the same code.
func TestSetupOnlyWhileNoAccountExists(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := t.Context()
			db := eng.Open(t)
			svc := setupService(t, db)
			code, err := svc.IssueSetupCode(ctx)
			if err != nil {
				t.Fatal(err)
			}
			// Field problems are named, each, before the code is looked at.
			_, err = svc.Setup(ctx, app.SetupInput{Code: code, Email: "not an address", Password: "short", OrgName: "\x1b[31m"})
			e, ok := persona.AsError(err)
			if !ok || e.Code != persona.CodeInvalid || len(e.Fields) != 4 {
				t.Fatalf("bad fields: %v", err)
			}
			if _, err := svc.CreateUser(ctx, "operator@example.com", "Operator", "operator-password-1"); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Setup(ctx, setupInput(code, 1)); !app.IsSetupDone(err) {
				t.Fatalf("setup after an operator made an account: %v", err)
			}
			if again, err := svc.IssueSetupCode(ctx); again != "" || err != nil {
				t.Fatalf("IssueSetupCode with an account: %q, %v", again, err)
			}
			if n, _ := db.CountOrgs(ctx); n != 0 {
				t.Fatalf("%d organisations", n)
			}
		})
	}
	t.Run("twice", func(t *testing.T) {
		ctx := t.Context()
		svc := setupService(t, storetest.OpenSQLite(t))
		code, _ := svc.IssueSetupCode(ctx)
		second, _ := svc.IssueSetupCode(ctx) // a second instance's start
		if code == second || code == "" {
			t.Fatalf("codes %q and %q", code, second)
		}
		if _, err := svc.Setup(ctx, setupInput(second, 1)); err != nil {
			t.Fatalf("the second instance's code: %v", err)
		}
		for _, c := range []string{code, second} {
			if _, err := svc.Setup(ctx, setupInput(c, 2)); !app.IsSetupDone(err) {
				t.Fatalf("setup again: %v", err)
			}
		}
	})
}

// The setup is one transaction with the organisation's audit entry: while
// the database refuses audit entries it fails and changes no table (the
// code still works); then it records exactly one entry, by the new owner.
func TestSetupCommitsWithItsAuditEntry(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := t.Context()
			db := eng.Open(t)
			svc := setupService(t, db)
			code, err := svc.IssueSetupCode(ctx)
			if err != nil {
				t.Fatal(err)
			}
			refuseAudit(t, db, eng.Name, true)
			before := fingerprint(t, db.SQL(), eng.Name)
			if _, err := svc.Setup(ctx, setupInput(code, 1)); err == nil || !strings.Contains(err.Error(), "audit refused") {
				t.Fatalf("setup while audit entries are refused: %v", err)
			}
			if after := fingerprint(t, db.SQL(), eng.Name); after != before {
				t.Fatal("a refused setup changed the database")
			}
			refuseAudit(t, db, eng.Name, false)
			res, err := svc.Setup(ctx, setupInput(code, 1))
			if err != nil {
				t.Fatal(err)
			}
			got := auditTail(t, svc, res.Org.Slug, 0)
			if len(got) != 1 || got[0].Action != "create" || got[0].ObjectKind != "organisation" || got[0].ActorID != res.User.ID {
				t.Fatalf("audit entries %+v", got)
			}
			events, err := svc.ListSecurityEvents(ctx, app.Actor{UserID: res.User.ID}, 0, 10)
			if err != nil || len(events) != 2 || events[1].Kind != persona.SecurityAccountCreated || events[0].Kind != persona.SecuritySignIn {
				t.Fatalf("security log %+v, %v", events, err)
			}
		})
	}
}

// refuseAudit makes the database refuse audit entries (a trigger), or
// accept them again.
func refuseAudit(t *testing.T, db *store.DB, engine string, refuse bool) {
	t.Helper()
	q := `CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'audit refused'); END`
	if !refuse {
		q = `DROP TRIGGER refuse_audit`
	}
	if engine == "postgres" {
		q = `CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit refused'; END $$;
			CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse_audit()`
		if !refuse {
			q = `DROP TRIGGER refuse_audit ON audit_log; DROP FUNCTION refuse_audit()`
		}
	}
	if _, err := db.SQL().ExecContext(t.Context(), q); err != nil {
		t.Fatal(err)
	}
}
