package bench

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
	"time"
)

// A small run end to end: every scenario answers without errors and the
// report has a row for each. (Figures come from `personapal bench`; no
// timing is asserted.)
func TestHarnessRunsEveryScenario(t *testing.T) {
	var out bytes.Buffer
	rs, err := Run(context.Background(), Config{Orgs: 2, PerOrg: 20, Duration: 150 * time.Millisecond, Clients: 4, Out: &out})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 8 {
		t.Fatalf("%d scenarios", len(rs))
	}
	for _, r := range rs {
		if r.Requests == 0 || r.Errors > 0 {
			t.Errorf("%s: %d requests, %d errors", r.Name, r.Requests, r.Errors)
		}
	}
	for _, want := range []string{"dataset: 2 organisations", "get persona (JSON)", "compare five (HTML)", "peak RSS"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

// The usage A/B: both scenarios measured off and on, every round, without
// errors, with medians and a ratio in the report; usage is left on.
func TestHarnessUsageAB(t *testing.T) {
	var out bytes.Buffer
	_, err := Run(context.Background(), Config{Orgs: 1, PerOrg: 10, Duration: 100 * time.Millisecond, Clients: 2, Out: &out,
		Only: regexp.MustCompile(`^$`), UsageAB: true, Rounds: 2})
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
