package e2e_test

// Harness for the tests of e-mail: a personapal server of the test's own
// (the harness's binary, a new SQLite file) that sends through a real SMTP
// server started in-process (internal/mailtest: STARTTLS with a
// self-signed certificate trusted through --smtp-ca-file, and AUTH), with
// --base-url set to the address the server listens on, so that the links
// in its messages are the ones a browser opens. The test reads the
// messages the SMTP server accepted and follows their links, and may look
// at the database (to age a link, or to check that nothing changed).

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/personapal/personapal/internal/mailtest"
	"github.com/personapal/personapal/internal/store"
)

// mailWait bounds the wait for a message: the queue looks for work every
// 200 ms here, so a message arrives within a second or two.
const mailWait = 90 * time.Second

// mailServer is a running server with SMTP, and what it printed.
type mailServer struct {
	base string // its URL, which is also its --base-url
	db   string // its SQLite file
	smtp *mailtest.Server
	// org, email, password: the demo's (with demo); code: the setup code
	// (without).
	org, email, password, code string
	log                        *lockedBuffer
}

// startMailServer starts a server of the test's own with SMTP; with demo,
// its database holds the demo data. extra are more serve flags
// (--signup open …).
func startMailServer(t *testing.T, demo bool, extra ...string) *mailServer {
	t.Helper()
	if env.skip != "" {
		t.Skip(env.skip)
	}
	if env.setupErr != nil {
		t.Fatalf("end-to-end harness: %v", env.setupErr)
	}
	smtp := mailtest.Start(t, mailtest.Options{STARTTLS: true, Username: "pp-relay", Password: "relay secret"})
	// The base URL must be known before the server starts: take a free
	// port, close it, and have the server listen there.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	m := &mailServer{base: "http://" + addr, db: filepath.Join(t.TempDir(), "mail.db"), smtp: smtp, log: &lockedBuffer{}}
	args := []string{"serve", "--db", m.db, "--addr", addr, "--base-url", m.base,
		"--smtp-url", smtp.URL(), "--smtp-ca-file", smtp.CAFile, "--mail-from", "Persona Pal <pp@example.test>",
		"--queue-poll", "200ms"}
	if demo {
		args = append(args, "--demo")
	}
	cmd := exec.Command(env.bin, append(args, extra...)...)
	cmd.Stderr = m.log
	dieWithTests(cmd)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("mail server's log:\n%s", m.log.tail(6000))
		}
	})
	lines := make(chan map[string]string, 1)
	go func() {
		printed := map[string]string{}
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			m.log.Write([]byte("stdout: " + sc.Text() + "\n"))
			if k, v, ok := strings.Cut(sc.Text(), ": "); ok && printed["url"] == "" {
				printed[k] = strings.TrimSpace(v)
				if k == "url" {
					lines <- printed
				}
			}
		}
	}()
	select {
	case printed := <-lines:
		if got := strings.TrimSuffix(printed["url"], "/"); got != m.base {
			t.Fatalf("serve listens at %s, want %s", got, m.base)
		}
		m.org, m.email, m.password, m.code = printed["org"], printed["email"], printed["password"], printed["setup code"]
		if demo && (m.org == "" || m.password == "") {
			t.Fatalf("serve --demo printed no credentials:\n%s", m.log.tail(4000))
		}
		if !demo && m.code == "" {
			t.Fatalf("serve on an empty database printed no setup code:\n%s", m.log.tail(4000))
		}
	case err := <-exited:
		t.Fatalf("serve exited (%v):\n%s", err, m.log.tail(4000))
	case <-time.After(startTimeout):
		t.Fatalf("serve printed no url:\n%s", m.log.tail(4000))
	}
	return m
}

func (m *mailServer) open(path string) action { return chromedp.Navigate(m.base + path) }

// signIn opens a new browser and signs in through the form.
func (m *mailServer) signIn(t *testing.T, email, password string) *browser {
	t.Helper()
	b := newBrowser(t)
	b.step("sign in as "+email,
		m.open("/login"), present("#email", 1),
		typeInto("#email", email), typeInto("#password", password),
		follow(`form[action="/login"] button[type="submit"]`))
	b.step("signed in", until("signed in", `() => location.pathname.startsWith("/login") ? "still on " + location.pathname + ": " + document.body.innerText.slice(0, 300) : ""`))
	return b
}

// user creates an account with the CLI on the server's database, as an
// operator would.
func (m *mailServer) user(t *testing.T, email, name, password string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, env.bin, "user", "create", "--db", m.db, "--email", email, "--name", name, "--password", password).CombinedOutput()
	if err != nil {
		t.Fatalf("personapal user create: %v\n%s", err, out)
	}
}

// mail waits for the nth message (1 for the first) to addr whose subject
// holds subject, checks that it came over TLS with authentication and
// that its link is on the base URL, and returns it with that link.
func (m *mailServer) mail(t *testing.T, addr, subject string, n int) (mailtest.Message, string) {
	t.Helper()
	var got []mailtest.Message
	m.smtp.WaitUntil(t, mailWait, fmt.Sprintf("message %d to %s about %q", n, addr, subject), func(s *mailtest.Server) bool {
		got = got[:0]
		for _, msg := range s.Messages() {
			for _, to := range msg.To {
				if strings.EqualFold(to, addr) && strings.Contains(msg.Subject, subject) {
					got = append(got, msg)
				}
			}
		}
		return len(got) >= n
	})
	msg := got[n-1]
	if !msg.TLS || !msg.Auth {
		t.Errorf("the message to %s came with TLS %v and authentication %v", addr, msg.TLS, msg.Auth)
	}
	link := mailtest.FirstLink(msg)
	if !strings.HasPrefix(link, m.base+"/") || !strings.Contains(msg.HTML, `href="`+strings.ReplaceAll(link, "&", "&amp;")+`"`) {
		t.Fatalf("the message to %s has link %q (want one on %s, in its HTML too):\n%s", addr, link, m.base, msg.Text)
	}
	return msg, link
}

// count is how many messages to addr the SMTP server accepted.
func (m *mailServer) count(addr string) int {
	n := 0
	for _, msg := range m.smtp.Messages() {
		for _, to := range msg.To {
			if strings.EqualFold(to, addr) {
				n++
			}
		}
	}
	return n
}

// sql opens the server's database (WAL: alongside the running server).
func (m *mailServer) sql(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), m.db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// expire makes the one-time link with this URL an hour past its expiry,
// as if the test had waited (there is no clock to move in a real binary).
func (m *mailServer) expire(t *testing.T, link string) {
	t.Helper()
	_, secret, ok := strings.Cut(link, "token=")
	if !ok {
		t.Fatalf("link %q has no token", link)
	}
	sum := sha256.Sum256([]byte(secret))
	res, err := m.sql(t).SQL().ExecContext(context.Background(), `UPDATE links SET expires_at = $1 WHERE token_hash = $2`,
		time.Now().UTC().Add(-time.Hour).Truncate(time.Microsecond), hex.EncodeToString(sum[:]))
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("no link row for %s", link)
	}
}

// state digests the accounts, memberships, invitations and links, so that
// a test can tell that a refused link changed nothing.
func (m *mailServer) state(t *testing.T) string {
	t.Helper()
	db := m.sql(t)
	h := sha256.New()
	for _, q := range []string{
		`SELECT id, email, name, password_hash, COALESCE(CAST(email_verified_at AS TEXT), '') FROM users ORDER BY id`,
		`SELECT org_id, user_id, role FROM memberships ORDER BY org_id, user_id`,
		`SELECT id, email, role, COALESCE(CAST(accepted_at AS TEXT), ''), COALESCE(CAST(declined_at AS TEXT), ''), COALESCE(CAST(revoked_at AS TEXT), '') FROM invitations ORDER BY id`,
		`SELECT token_hash, COALESCE(CAST(used_at AS TEXT), '') FROM links ORDER BY token_hash`,
	} {
		rows, err := db.SQL().QueryContext(context.Background(), q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(h, "%q\n", vals)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		fmt.Fprintln(h, "--")
	}
	return hex.EncodeToString(h.Sum(nil))
}

// unchanged runs the steps and fails unless the state is the same after.
func (m *mailServer) unchanged(b *browser, name string, actions ...action) {
	b.t.Helper()
	before := m.state(b.t)
	b.step(name, actions...)
	if after := m.state(b.t); after != before {
		b.t.Fatalf("step %q changed the accounts, memberships, invitations or links", name)
	}
}
