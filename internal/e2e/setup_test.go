package e2e_test

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// freshServer is a personapal server of its own on an empty database,
// started without --demo, and the setup code it printed.
type freshServer struct {
	base, code string
}

// startFreshServer runs the harness's binary on a new database without
// --demo until the test ends, reading the setup code and the url it
// prints.
func startFreshServer(t *testing.T) freshServer {
	t.Helper()
	if env.skip != "" {
		t.Skip(env.skip)
	}
	if env.setupErr != nil {
		t.Fatalf("end-to-end harness: %v", env.setupErr)
	}
	log := &lockedBuffer{}
	cmd := exec.Command(env.bin, "serve", "--db", filepath.Join(t.TempDir(), "fresh.db"), "--addr", "127.0.0.1:0")
	cmd.Stderr = log
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
			t.Logf("fresh server's log:\n%s", log.tail(4000))
		}
	})
	lines := make(chan map[string]string, 1)
	go func() {
		printed := map[string]string{}
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			log.Write([]byte("stdout: " + sc.Text() + "\n"))
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
		if printed["setup code"] == "" {
			t.Fatalf("serve on an empty database printed no setup code:\n%s", log.tail(4000))
		}
		return freshServer{base: strings.TrimSuffix(printed["url"], "/"), code: printed["setup code"]}
	case err := <-exited:
		t.Fatalf("serve exited (%v):\n%s", err, log.tail(4000))
	case <-time.After(startTimeout):
		t.Fatalf("serve printed no url:\n%s", log.tail(4000))
	}
	return freshServer{}
}

func (f freshServer) open(path string) action { return chromedp.Navigate(f.base + path) }

// From a fresh database and the browser alone: the first visit leads to
// the setup page, which takes the code the server printed, the owner's
// name, e-mail and password and the organisation's name, and lands signed
// in on the new organisation. A second setup attempt — a form opened in
// another browser before, sent after — gets a clear page and changes
// nothing; the setup page then only says it is done. The page fits a
// phone and a wide screen.
func TestFirstRunSetupFromTheBrowser(t *testing.T) {
	srv := startFreshServer(t)
	b := newBrowser(t)
	late := newBrowser(t)

	b.step("the first visit leads to the setup page", srv.open("/"), atPath(`^/setup$`), present("#setup-code", 1))
	for _, width := range []int64{390, 1440} {
		b.step(fmt.Sprintf("the setup page fits %d px", width),
			chromedp.EmulateViewport(width, 900),
			until("the page fits its width", `() => {
				const d = document.documentElement;
				return d.scrollWidth <= d.clientWidth ? "" : "the page is " + d.scrollWidth + " px wide in a " + d.clientWidth + " px window";
			}`))
	}
	b.step("back to a wide window", chromedp.EmulateViewport(1280, 900))
	late.step("another browser opens the setup form too", srv.open("/o/whatever"), atPath(`^/setup$`), present("#setup-submit", 1))

	b.step("a wrong code is refused, naming the field",
		typeInto("#setup-code", "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG"),
		typeInto("#setup-name", "Olga Owner"),
		typeInto("#setup-email", "olga@example.com"),
		typeInto("#setup-password", "correct horse battery staple"),
		typeInto("#setup-org", "Olga & Partners"),
		follow("#setup-submit"),
		see("#setup-code-error", "not a setup code this server printed"))
	b.step("enter the printed code (what was typed is kept) and set up",
		typeInto("#setup-code", strings.ToLower(srv.code)),
		typeInto("#setup-password", "correct horse battery staple"),
		follow("#setup-submit"))
	b.step("land signed in on the new organisation",
		atPath(`^/o/olga-partners$`),
		see(".flash", "Persona Pal is set up and you own Olga & Partners"),
		see(".org-name", "Olga & Partners"),
		see(".user-menu summary", "Olga Owner"))

	late.step("the form opened earlier, sent now, changes nothing and says why",
		typeInto("#setup-code", srv.code),
		typeInto("#setup-name", "Mallory"),
		typeInto("#setup-email", "mallory@example.com"),
		typeInto("#setup-password", "correct horse battery staple"),
		typeInto("#setup-org", "Mallory Inc"),
		follow("#setup-submit"),
		see("#setup-done", "already set up"),
		see("#setup-error", "your form changed nothing"))
	late.step("opening the setup page again only says it is done",
		srv.open("/setup"), see("#setup-done-text", "nothing to set up"), present("#setup-form", 0), count("#setup-form", 0))
	late.step("Mallory cannot sign in: no account was made",
		follow("#setup-sign-in"),
		typeInto("#email", "mallory@example.com"),
		typeInto("#password", "correct horse battery staple"),
		follow(`form[action="/login"] button[type="submit"]`),
		see("#login-error", "wrong email or password"))
	b.step("the owner's organisation is intact", srv.open("/o/olga-partners/members"), see("main", "olga@example.com"))
}
