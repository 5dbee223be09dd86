package e2e_test

// The harness: one personapal server with demo data and one headless
// Chromium for the whole package (started in TestMain), a fresh browser
// context (own cookies) per test, and small helpers so that each test reads
// like a user story:
//
//	b := signIn(t)
//	b.step("open System Lead from its card", follow(`a.persona-card[data-persona="System Lead"]`))
//	b.step("see its name", see("#persona-name", "System Lead"))
//
// A failing step fails the test with the page's URL and text and the path of
// a full-page screenshot. A JavaScript dialog that no test expected fails the
// test too (and is dismissed so that the page goes on).

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

const (
	// testTimeout bounds one test (every step of it); failures are about
	// what the page shows, never about how fast it was.
	testTimeout = 60 * time.Second
	// startTimeout bounds building and starting the server and the browser.
	startTimeout = 3 * time.Minute
	// textLimit is how much of the page text a failure report shows.
	textLimit = 4000
)

// env is what TestMain started, shared by every test.
var env struct {
	base                        string // server URL without the trailing slash
	org, email, password, token string
	bin, db                     string // the personapal binary and its database (for CLI set-up)

	browser context.Context // chromedp context of the shared browser

	skip     string // why the tests are skipped (no Chromium, not on CI)
	setupErr error  // why the tests cannot run

	serverLog  *lockedBuffer
	browserLog *lockedBuffer
}

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	chromium, err := findChromium()
	if err != nil {
		if onCI() {
			env.setupErr = fmt.Errorf("%w; CI must run the browser tests (install Debian's chromium package)", err)
		} else {
			env.skip = err.Error() + " (set CHROMIUM to a Chromium binary to run the browser tests)"
		}
		return m.Run()
	}

	tmp, err := os.MkdirTemp("", "personapal-e2e-run-")
	if err != nil {
		env.setupErr = err
		return m.Run()
	}
	defer os.RemoveAll(tmp)

	env.serverLog = &lockedBuffer{}
	env.browserLog = &lockedBuffer{}

	stopServer, err := startServer(tmp)
	if err != nil {
		env.setupErr = err
		return m.Run()
	}
	defer stopServer()

	stopBrowser, err := startBrowser(chromium, filepath.Join(tmp, "chromium-profile"))
	if err != nil {
		env.setupErr = err
		code := m.Run()
		fmt.Fprintf(os.Stderr, "--- chromium output:\n%s\n", env.browserLog.tail(4000))
		return code
	}
	defer stopBrowser()

	code := m.Run()
	if code != 0 {
		fmt.Fprintf(os.Stderr, "--- personapal server log (tail):\n%s\n", env.serverLog.tail(6000))
	}
	return code
}

// onCI reports whether the CI environment variable is set (to anything but
// false or 0).
func onCI() bool {
	v := strings.TrimSpace(os.Getenv("CI"))
	return v != "" && v != "0" && !strings.EqualFold(v, "false")
}

func findChromium() (string, error) {
	if p := os.Getenv("CHROMIUM"); p != "" {
		if _, err := exec.LookPath(p); err != nil {
			return "", fmt.Errorf("CHROMIUM=%s is not an executable: %w", p, err)
		}
		return p, nil
	}
	for _, p := range []string{"/usr/bin/chromium", "chromium", "chromium-browser"} {
		if full, err := exec.LookPath(p); err == nil {
			return full, nil
		}
	}
	return "", errors.New("no Chromium found (looked for $CHROMIUM, /usr/bin/chromium, chromium, chromium-browser)")
}

// moduleRoot finds the directory of go.mod above the test's directory.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found above the test directory")
		}
		dir = parent
	}
}

// startServer builds cmd/personapal, starts `personapal serve --demo` on a
// free port and reads the demo credentials it prints.
func startServer(tmp string) (stop func(), err error) {
	root, err := moduleRoot()
	if err != nil {
		return nil, err
	}
	bin := filepath.Join(tmp, "personapal")
	build := exec.Command("go", "build", "-o", bin, "./cmd/personapal")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build ./cmd/personapal: %v\n%s", err, out)
	}

	env.bin, env.db = bin, filepath.Join(tmp, "e2e.db")
	cmd := exec.Command(bin, "serve", "--demo", "--db", env.db, "--addr", "127.0.0.1:0")
	cmd.Stderr = env.serverLog
	dieWithTests(cmd)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start personapal serve: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop = func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}

	// Read "key: value" lines until the url; keep draining stdout after.
	creds := map[string]string{}
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			env.serverLog.Write([]byte("stdout: " + line + "\n"))
			k, v, ok := strings.Cut(line, ": ")
			if !ok || creds["url"] != "" {
				continue
			}
			switch k {
			case "org", "email", "password", "token", "url":
				creds[k] = strings.TrimSpace(v)
				if k == "url" {
					close(ready)
				}
			}
		}
	}()
	select {
	case <-ready:
	case err := <-exited:
		exited <- err
		return nil, fmt.Errorf("personapal serve exited before printing its url (%v):\n%s", err, env.serverLog.tail(4000))
	case <-time.After(startTimeout):
		stop()
		return nil, fmt.Errorf("personapal serve printed no url within %s:\n%s", startTimeout, env.serverLog.tail(4000))
	}
	env.base = strings.TrimSuffix(creds["url"], "/")
	env.org, env.email, env.password, env.token = creds["org"], creds["email"], creds["password"], creds["token"]
	for _, k := range []string{"org", "email", "password", "token"} {
		if creds[k] == "" {
			stop()
			return nil, fmt.Errorf("personapal serve --demo printed no %q line (was the database not empty?):\n%s", k, env.serverLog.tail(4000))
		}
	}
	return stop, nil
}

// startBrowser starts one headless Chromium with a fresh profile directory.
func startBrowser(chromium, profile string) (stop func(), err error) {
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox, // the tests run as root in CI containers
		chromedp.DisableGPU,
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 900),
		chromedp.CombinedOutput(env.browserLog),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	stop = func() {
		cancelBrowser()
		cancelAlloc()
	}
	// The first Do starts the browser and ties it to browserCtx, so it
	// runs without a deadline; a timer stands guard instead.
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(browserCtx) }()
	select {
	case err := <-started:
		if err != nil {
			stop()
			return nil, fmt.Errorf("start Chromium (%s): %w", chromium, err)
		}
	case <-time.After(startTimeout):
		stop()
		return nil, fmt.Errorf("Chromium (%s) did not start within %s", chromium, startTimeout)
	}
	env.browser = browserCtx
	return stop, nil
}

// ---- one browser per test ----

// browser is one test's tab, in a browser context of its own.
type browser struct {
	t   *testing.T
	tab context.Context // the tab; no deadline (failure reports use it)
	ctx context.Context // the test's deadline, for every step

	mu       sync.Mutex
	confirms []string        // expected confirm dialogs (message substrings), in order
	dialogs  []string        // dialogs nobody expected
	console  []string        // console errors and uncaught exceptions
	docs     map[string]bool // URLs of the pages the tab showed
	shots    atomic.Int32
}

// newBrowser opens a new tab in a new browser context (no cookies), or
// skips or fails the test when the harness could not start.
func newBrowser(t *testing.T) *browser {
	t.Helper()
	if env.skip != "" {
		t.Skip(env.skip)
	}
	if env.setupErr != nil {
		t.Fatalf("end-to-end harness: %v", env.setupErr)
	}
	b := &browser{t: t, docs: map[string]bool{}}
	tab, cancelTab := chromedp.NewContext(env.browser,
		chromedp.WithNewBrowserContext(),
		chromedp.WithListener(b.onEvent))
	b.tab = tab
	t.Cleanup(cancelTab)
	if err := chromedp.Do(tab, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatalf("open a browser tab: %v", err)
	}
	go b.watchConsole(chromedp.Console(tab))
	ctx, cancel := context.WithTimeout(tab, testTimeout)
	b.ctx = ctx
	t.Cleanup(func() {
		defer cancel()
		if t.Failed() || t.Skipped() {
			return
		}
		b.settle("end of test")
		b.mu.Lock()
		defer b.mu.Unlock()
		if len(b.confirms) > 0 {
			t.Errorf("expected confirm dialogs never opened: %q", b.confirms)
		}
	})
	return b
}

// onEvent runs in the tab's event loop, in order of arrival: it records a
// dialog before any later reply reaches a step, and answers it from another
// goroutine (the loop must not run commands).
func (b *browser) onEvent(ev any) {
	if nav, ok := ev.(*page.EventFrameNavigated); ok {
		b.mu.Lock()
		b.docs[nav.Frame.URL] = true
		b.mu.Unlock()
		return
	}
	d, ok := ev.(*page.EventJavascriptDialogOpening)
	if !ok {
		return
	}
	accept := false
	b.mu.Lock()
	if d.Type == page.DialogTypeConfirm && len(b.confirms) > 0 && strings.Contains(d.Message, b.confirms[0]) {
		accept = true
		b.confirms = b.confirms[1:]
	} else {
		b.dialogs = append(b.dialogs, fmt.Sprintf("%s(%q) on %s", d.Type, d.Message, d.URL))
	}
	b.mu.Unlock()
	go func() {
		_, _ = chromedp.Call(b.tab, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: accept})
	}()
}

func (b *browser) watchConsole(messages iter.Seq2[chromedp.ConsoleMessage, error]) {
	for m, err := range messages {
		if err != nil {
			return
		}
		if m.Type != chromedp.ConsoleError && !m.IsException() {
			continue
		}
		where := m.URL
		if where != "" {
			where = fmt.Sprintf(" (%s:%d)", where, m.Line+1)
		}
		b.mu.Lock()
		// An error page (404, 422…) is a page like any other: its status
		// is logged as a failed load, but the steps check what it shows.
		if b.docs[m.URL] && strings.HasPrefix(m.Text, "Failed to load resource: the server responded with a status of") {
			b.mu.Unlock()
			continue
		}
		b.console = append(b.console, fmt.Sprintf("%s: %s%s", m.Type, m.Text, where))
		b.mu.Unlock()
	}
}

// expectConfirm lets the next confirm dialog whose message contains substr
// be accepted (as a user clicking OK).
func (b *browser) expectConfirm(substr string) {
	b.mu.Lock()
	b.confirms = append(b.confirms, substr)
	b.mu.Unlock()
}

// step runs a user's step; on error it fails the test with what the page
// showed. It also fails on any dialog or console error seen so far.
func (b *browser) step(name string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	b.t.Logf("step: %s", name)
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.fail(name, err.Error())
	}
	b.checkProblems(name)
}

// settle waits until the page answers (a dialog would block it), then fails
// on any unexpected dialog or console error.
func (b *browser) settle(name string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.tab, 15*time.Second)
	defer cancel()
	_, _ = chromedp.Run(ctx, chromedp.Evaluate[int](`1`))
	b.checkProblems(name)
}

func (b *browser) checkProblems(name string) {
	b.t.Helper()
	b.mu.Lock()
	dialogs, console := slices.Clone(b.dialogs), slices.Clone(b.console)
	b.mu.Unlock()
	switch {
	case len(dialogs) > 0:
		b.fail(name, fmt.Sprintf("a JavaScript dialog opened that no step expected: %s", strings.Join(dialogs, "; ")))
	case len(console) > 0:
		b.fail(name, fmt.Sprintf("the page logged errors: %s", strings.Join(console, "; ")))
	}
}

// fail stops the test with the step's name, the reason, and what the page
// showed: its URL, its text and a screenshot file.
func (b *browser) fail(step, reason string) {
	b.t.Helper()
	b.t.Fatalf("step %q failed: %s\n%s", step, reason, b.report(step))
}

// report describes the page as it is now.
func (b *browser) report(step string) string {
	ctx, cancel := context.WithTimeout(b.tab, 15*time.Second)
	defer cancel()
	var r strings.Builder
	if loc, err := chromedp.Run(ctx, chromedp.Location()); err == nil {
		fmt.Fprintf(&r, "page URL: %s\n", loc)
	} else {
		fmt.Fprintf(&r, "page URL unknown: %v\n", err)
	}
	if title, err := chromedp.Run(ctx, chromedp.Title()); err == nil {
		fmt.Fprintf(&r, "page title: %s\n", title)
	}
	text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : "(no body)"`))
	if err != nil {
		fmt.Fprintf(&r, "page text unavailable: %v\n", err)
	} else {
		fmt.Fprintf(&r, "page text:\n-----\n%s\n-----\n", trim(text, textLimit))
	}
	b.mu.Lock()
	if len(b.dialogs) > 0 {
		fmt.Fprintf(&r, "dialogs: %s\n", strings.Join(b.dialogs, "; "))
	}
	if len(b.console) > 0 {
		fmt.Fprintf(&r, "console: %s\n", strings.Join(b.console, "; "))
	}
	b.mu.Unlock()
	if path, err := b.screenshot(ctx, step); err != nil {
		fmt.Fprintf(&r, "screenshot failed: %v\n", err)
	} else {
		fmt.Fprintf(&r, "screenshot: %s\n", path)
	}
	return r.String()
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func (b *browser) screenshot(ctx context.Context, step string) (string, error) {
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		return "", err
	}
	dir := filepath.Join(os.TempDir(), "personapal-e2e")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	n := b.shots.Add(1)
	name := unsafeName.ReplaceAllString(fmt.Sprintf("%s-%d-%s", b.t.Name(), n, step), "_")
	path := filepath.Join(dir, trim(name, 120)+".png")
	return path, os.WriteFile(path, png, 0o644)
}

func trim(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && (s[cut]&0xC0) == 0x80 { // do not split a UTF-8 sequence
		cut--
	}
	return s[:cut] + fmt.Sprintf("\n… (%d more bytes)", len(s)-cut)
}

// run reads a value from the page inside a step of the test.
func run[T any](b *browser, step string, a chromedp.Action[T]) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, a)
	if err != nil {
		b.fail(step, err.Error())
	}
	return v
}

// ---- actions (each a chromedp.Action[chromedp.Void]) ----

type action = chromedp.Action[chromedp.Void]

// open loads a page of the server (path starts with /) and waits for it.
func open(path string) action {
	return chromedp.Navigate(env.base + path)
}

// follow clicks what sel matches (a link or a submit button) and waits for
// the page it leads to.
func follow(sel string) action {
	return waitLoad(click(sel))
}

// click clicks the first element sel matches with the mouse, as a user: it
// scrolls the element to the middle of the window first, and waits until
// nothing (a sticky bar, a dialog) covers it there.
func click(sel string) action {
	return chromedp.Steps(
		until("a clickable "+sel, `(sel) => {
			const el = document.querySelector(sel);
			if (!el) return "no element matches " + sel;
			el.scrollIntoView({block: "center", inline: "center"});
			const r = el.getBoundingClientRect();
			if (r.width === 0 || r.height === 0) return sel + " is not visible";
			const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
			if (!hit || !el.contains(hit)) {
				const who = hit ? hit.outerHTML.slice(0, 200) : "nothing";
				return "the middle of " + sel + " is covered by " + who;
			}
			return "";
		}`, sel),
		chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible),
	)
}

// waitLoad runs trigger and waits for the next page load.
func waitLoad(trigger action) action {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := chromedp.WaitEvent(page.LoadEventFired, nil, trigger)(ctx, t); err != nil {
			return fmt.Errorf("waiting for the next page to load: %w", err)
		}
		return nil
	})
}

// typeInto replaces the text of an input or textarea, typing it as a user.
// A "\n" in text is the Enter key (a new line in a textarea, a submit in an
// input).
func typeInto(sel, text string) action {
	return chromedp.Steps(
		js(`(sel) => { const el = document.querySelector(sel); if (!el) return "no element " + sel;
			el.focus(); el.value = ""; el.dispatchEvent(new Event("input", {bubbles: true})); return ""; }`, sel),
		chromedp.SendKeys(chromedp.CSS(sel), text, chromedp.NodeVisible),
	)
}

// choose picks the option of a select whose label is label.
func choose(sel, label string) action {
	return js(`(sel, label) => {
		const el = document.querySelector(sel);
		if (!el) return "no element " + sel;
		const opts = [...el.options];
		const i = opts.findIndex(o => o.textContent.trim() === label);
		if (i < 0) return "no option " + JSON.stringify(label) + " in " + sel + "; options: " + JSON.stringify(opts.map(o => o.textContent.trim()));
		el.selectedIndex = i;
		el.dispatchEvent(new Event("input", {bubbles: true}));
		el.dispatchEvent(new Event("change", {bubbles: true}));
		return "";
	}`, sel, label)
}

// js runs a JavaScript function once with args; it fails the step with the
// string it returns unless that is empty.
func js(fn string, args ...any) action {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		msg, err := chromedp.Evaluate[string](call(fn, args...))(ctx, t)
		if err != nil {
			return err
		}
		if msg != "" {
			return errors.New(msg)
		}
		return nil
	})
}

// until calls the JavaScript function fn with args until it returns "";
// what it returns otherwise says what the page shows instead, and is the
// error when the test's time runs out. Page loads in between are fine.
func until(what, fn string, args ...any) action {
	expr := call(fn, args...)
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		last := "(not checked yet)"
		for {
			msg, err := chromedp.Evaluate[string](expr)(ctx, t)
			switch {
			case err == nil && msg == "":
				return nil
			case err == nil:
				last = msg
			case ctx.Err() == nil:
				last = "page not ready: " + err.Error()
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("%s: gave up waiting (%v); last seen: %s", what, ctx.Err(), last)
			case <-time.After(50 * time.Millisecond):
			}
		}
	})
}

func call(fn string, args ...any) string {
	enc := make([]string, len(args))
	for i, a := range args {
		j, err := json.Marshal(a)
		if err != nil {
			panic(err)
		}
		enc[i] = string(j)
	}
	return "(" + fn + ")(" + strings.Join(enc, ", ") + ")"
}

// see waits until the element sel shows text containing every want.
func see(sel string, want ...string) action {
	return until(fmt.Sprintf("%s shows %q", sel, want), `(sel, want) => {
		const el = document.querySelector(sel);
		if (!el) return "no element matches " + sel;
		const text = el.innerText;
		const missing = want.filter(w => !text.includes(w));
		return missing.length ? "missing " + JSON.stringify(missing) + " in its text " + JSON.stringify(text.slice(0, 600)) : "";
	}`, sel, want)
}

// seeExactly waits until the element sel's trimmed text is want.
func seeExactly(sel, want string) action {
	return until(fmt.Sprintf("%s reads %q", sel, want), `(sel, want) => {
		const el = document.querySelector(sel);
		if (!el) return "no element matches " + sel;
		const text = el.innerText.trim();
		return text === want ? "" : "its text is " + JSON.stringify(text.slice(0, 600));
	}`, sel, want)
}

// present waits until sel matches at least n elements.
func present(sel string, n int) action {
	return until(fmt.Sprintf("at least %d of %s", n, sel), `(sel, n) => {
		const got = document.querySelectorAll(sel).length;
		return got >= n ? "" : got + " element(s) match " + sel;
	}`, sel, n)
}

// atPath waits until the page's path (and query) matches the regexp re.
func atPath(re string) action {
	return until("the page path matches "+re, `(re) => {
		const here = location.pathname + location.search;
		return new RegExp(re).test(here) ? "" : "the page is " + here;
	}`, re)
}

// ---- the JSON API, for test data ----

// apiDo calls the JSON API with the demo token and decodes the answer into
// out (unless nil); any non-2xx status fails the test.
func apiDo(t *testing.T, method, path string, body, out any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		j, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, env.base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+env.token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	client := &http.Client{Timeout: 30 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		t.Fatalf("%s %s: %s\n%s", method, path, resp.Status, trim(string(raw), 2000))
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: decode %T: %v\n%s", method, path, out, err, trim(string(raw), 2000))
		}
	}
}

var uniqueN atomic.Int64

// unique returns a word no other test (or run) uses: lower-case letters and
// digits only, so that search sees it as one term.
func unique(prefix string) string {
	return fmt.Sprintf("%s%x%d", prefix, time.Now().UnixNano()&0xffffffff, uniqueN.Add(1))
}

// lockedBuffer collects a process's output for failure reports.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *lockedBuffer) tail(n int) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.buf.String()
	if len(s) > n {
		s = "…" + s[len(s)-n:]
	}
	return s
}
