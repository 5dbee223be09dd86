package queue

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// River's logger keeps warnings and errors, each at most once a minute
// with a count of the ones left out; info lines are dropped.
func TestRiverLogIsQuietAndBounded(t *testing.T) {
	var buf bytes.Buffer
	l := riverLog(slog.New(slog.NewTextHandler(&buf, nil)))
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l.Handler().(*limited).st.now = func() time.Time { return now }
	l.Info("River client started")
	for range 100 {
		l.Error("producer: error fetching jobs", "err", "connection refused")
	}
	now = now.Add(61 * time.Second)
	l.Error("producer: error fetching jobs", "err", "connection refused")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 || strings.Contains(buf.String(), "River client started") || !strings.Contains(lines[1], "more_in_the_last_minute=99") {
		t.Fatalf("logged:\n%s", buf.String())
	}
}
