package persona

import (
	"testing"
	"time"
)

func TestReviewOverdue(t *testing.T) {
	updated := time.Date(2026, 6, 1, 15, 0, 0, 0, time.UTC)
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d.Add(13 * time.Hour) }
	tests := []struct {
		name     string
		reviewed string
		interval int
		now      time.Time
		due      string
		overdue  bool
	}{
		{"never reviewed, default interval, not yet", "", 0, day("2026-11-28"), "2026-11-28", false},
		{"never reviewed, default interval, one day late", "", 0, day("2026-11-29"), "2026-11-28", true},
		{"reviewed, own interval, on the due day", "2026-10-01", 30, day("2026-10-31"), "2026-10-31", false},
		{"reviewed, own interval, past due", "2026-10-01", 30, day("2026-11-01"), "2026-10-31", true},
		{"bad review date falls back to the update", "yesterday", 10, day("2026-06-12"), "2026-06-11", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Persona{UpdatedAt: updated, Content: Content{LastReviewedOn: tt.reviewed, ReviewIntervalDays: tt.interval}}
			if got := p.ReviewDue().Format(time.DateOnly); got != tt.due {
				t.Errorf("due %s, want %s", got, tt.due)
			}
			if got := p.ReviewOverdue(tt.now); got != tt.overdue {
				t.Errorf("overdue %v, want %v", got, tt.overdue)
			}
		})
	}
}
