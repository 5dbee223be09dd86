package bench

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/personapal/personapal/internal/store/storetest"
)

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
)

// personapal builds the real binary once: the harness runs its serve as
// the measured child process.
func personapal(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "personapal-bench-test-")
		if err != nil {
			buildErr = err
			return
		}
		binary = filepath.Join(dir, "personapal")
		out, err := exec.Command("go", "build", "-o", binary, "github.com/personapal/personapal/cmd/personapal").CombinedOutput()
		if err != nil {
			buildErr = errors.New(err.Error() + ": " + string(out))
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binary
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binary != "" {
		os.RemoveAll(filepath.Dir(binary))
	}
	os.Exit(code)
}

// gone reports whether no process pid exists any more (stopped and reaped).
func gone(pid int) bool {
	return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}

// A small run end to end against the server as a child process: every
// scenario answers without errors with a positive server CPU time per
// request, the mixed run's peaks are sampled, and the server process is
// stopped at the end. (Figures come from `personapal bench`; no timing is
// asserted.)
func TestHarnessRunsEveryScenario(t *testing.T) {
	var out bytes.Buffer
	rep, err := Run(context.Background(), Config{Orgs: 2, PerOrg: 20, Duration: 150 * time.Millisecond, MixedDuration: 300 * time.Millisecond,
		Clients: 4, Out: &out, Executable: personapal(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(out.String())
	want := []string{"baseline (fixed body)", "get persona (JSON)", "conditional get (If-None-Match)", "list 50 of the org (JSON)",
		"list group (JSON)", "search rare word", "search common word", "persona page (HTML)", "compare five (HTML)",
		"create persona", "update persona (If-Match)", "mixed 80/20 reads/writes"}
	if len(rep.Results) != len(want) {
		t.Fatalf("%d scenarios, want %d", len(rep.Results), len(want))
	}
	for i, r := range rep.Results {
		if r.Name != want[i] {
			t.Errorf("scenario %d is %q, want %q", i, r.Name, want[i])
		}
		if r.Requests == 0 || r.Errors > 0 {
			t.Errorf("%s: %d requests, %d errors", r.Name, r.Requests, r.Errors)
		}
		if r.CPUPerRequest <= 0 {
			t.Errorf("%s: server CPU per request %s", r.Name, r.CPUPerRequest)
		}
	}
	if rep.Mixed == nil || rep.Mixed.Samples < 2 || rep.Mixed.RSS <= 0 || rep.Mixed.WAL <= 0 {
		t.Errorf("mixed-run peaks: %+v", rep.Mixed)
	}
	if rep.ServerPID == 0 || !gone(rep.ServerPID) {
		t.Errorf("server process %d still runs after the harness", rep.ServerPID)
	}
	for _, w := range append(want, "dataset: 2 organisations", "CPU/req", "peak RSS: server process", "mixed run, sampled every", "0 of") {
		if !strings.Contains(out.String(), w) {
			t.Errorf("report lacks %q:\n%s", w, out.String())
		}
	}
}

// On PostgreSQL the server's backends are found and their CPU counted.
func TestHarnessOnPostgres(t *testing.T) {
	db := storetest.PostgresDSN(t) // a schema of its own; skipped without PostgreSQL, failing under CI
	var out bytes.Buffer
	rep, err := Run(context.Background(), Config{Orgs: 1, PerOrg: 20, Duration: 150 * time.Millisecond, MixedDuration: 300 * time.Millisecond,
		Clients: 2, Out: &out, DB: db, Executable: personapal(t), Only: regexp.MustCompile(`^get persona|^mixed`)})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(out.String())
	if len(rep.Results) != 3 {
		t.Fatalf("%d scenarios", len(rep.Results))
	}
	for _, r := range rep.Results[1:] {
		if r.Errors > 0 || r.PGCPUPerRequest <= 0 || r.CPUPerRequest <= r.PGCPUPerRequest {
			t.Errorf("%s: %d errors, CPU/req %s of which PG %s", r.Name, r.Errors, r.CPUPerRequest, r.PGCPUPerRequest)
		}
	}
	if !gone(rep.ServerPID) {
		t.Errorf("server process %d still runs", rep.ServerPID)
	}
}

// The usage A/B: both scenarios measured off and on, every round, without
// errors, with medians and a ratio in the report; usage is left on.
func TestHarnessUsageAB(t *testing.T) {
	var out bytes.Buffer
	_, err := Run(context.Background(), Config{Orgs: 1, PerOrg: 10, Duration: 100 * time.Millisecond, Clients: 2, Out: &out,
		Only: regexp.MustCompile(`^$`), UsageAB: true, Rounds: 2, Executable: personapal(t)})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"usage off (before) and on (after), 2 rounds", "persona page (HTML) rounds (off/on req/s):", "get persona (JSON) rounds"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "errors; the first") {
		t.Errorf("errors:\n%s", out.String())
	}
}
