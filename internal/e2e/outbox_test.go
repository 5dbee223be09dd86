package e2e_test

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// An operator of a server without SMTP queues a test message from the
// outbox page, sees it logged, and finds its whole text and the link (on
// the server's own address) to copy; the pages fit 390 and 1440 px. A
// member who is no operator gets "not found".
func TestOperatorReadsTheOutbox(t *testing.T) {
	id := unique("")
	email := "olga-" + id + "@example.com"
	password := "operator-password-" + id
	if env.bin == "" {
		newBrowser(t) // skips or fails the test as the harness says
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, env.bin, "user", "create", "--db", env.db, "--email", email, "--name", "Olga Operator "+id,
		"--password", password, "--operator").CombinedOutput()
	if err != nil {
		t.Fatalf("personapal user create --operator: %v\n%s", err, out)
	}

	demo := signIn(t, "/account")
	demo.step("a member who is no operator finds no outbox", open("/admin/outbox"), see("main h1", "Not found"), see("#error-message", "nothing here"))

	b := newBrowser(t)
	b.step("open the outbox signed out: the sign-in form", open("/admin/outbox"), atPath(`^/login\?`), present("#email", 1))
	b.step("sign in as the operator",
		typeInto("#email", email),
		typeInto("#password", password),
		follow(`form[action="/login"] button[type="submit"]`))
	b.step("land on the outbox", atPath(`^/admin/outbox$`), see("main h1", "Outbox"), present("form#outbox-test", 1))
	to := "check-" + id + "@example.com"
	b.step("queue a test message", typeInto("#test-to", to), follow("#outbox-test-button"))
	b.step("the message's page, queued or already logged",
		atPath(`^/admin/outbox/[0-9a-f-]{36}$`), see(".flash", "A test message to "+to+" is queued."),
		see("main h1", "Test message from Persona Pal"), see("main", "To "+to))
	b.step("without SMTP the queue logs it: reload until it says so", reloadUntil("#message-status", "logged"))
	b.step("its whole text and the link to copy are there",
		see("#message-text", "Hello,", "e-mail works", env.base+"/"),
		see("#message-links", env.base+"/"))
	for _, width := range []int64{390, 1440} {
		b.step(fmt.Sprintf("the message page fits %dpx", width),
			chromedp.EmulateViewport(width, 900), present("#message-text", 1), noSidewaysScroll("the outbox message page"))
		b.shot(fmt.Sprintf("outbox-message-%d", width))
	}
	b.step("the outbox lists it as logged",
		open("/admin/outbox"), see("#outbox", to, "Test message from Persona Pal", "logged"),
		present(`#outbox tr[data-status="logged"]`, 1))
	for _, width := range []int64{390, 1440} {
		b.step(fmt.Sprintf("the outbox fits %dpx", width),
			chromedp.EmulateViewport(width, 900), present("#outbox", 1), noSidewaysScroll("the outbox"))
		b.shot(fmt.Sprintf("outbox-%d", width))
	}
	if !strings.HasPrefix(env.base, "http://127.0.0.1:") {
		t.Errorf("base %q", env.base)
	}
}

// reloadUntil reloads the page, from Go and one load at a time, until the
// element sel reads want. (A reload scheduled by the page itself could
// still fire after the check passed and abort the next navigation.)
func reloadUntil(sel, want string) action {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		last := "(not read yet)"
		for {
			got, err := chromedp.Evaluate[string](call(`(sel) => { const el = document.querySelector(sel); return el ? el.innerText.trim() : "(no element " + sel + ")"; }`, sel))(ctx, t)
			if err == nil && got == want {
				return nil
			}
			if err == nil {
				last = got
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("%s never read %q (last %q): %v", sel, want, last, ctx.Err())
			case <-time.After(200 * time.Millisecond):
			}
			if _, err := chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Reload())(ctx, t); err != nil {
				return fmt.Errorf("reloading: %w", err)
			}
		}
	})
}
