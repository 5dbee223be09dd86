package persona

import "time"

// DefaultReviewIntervalDays applies when a persona sets no review interval:
// research goes stale, and a persona nobody has looked at for half a year
// deserves a flag.
const DefaultReviewIntervalDays = 180

// ReviewDue returns the date by which the persona should be reviewed again:
// its last review (or, never reviewed, its last update) plus its interval.
func (p Persona) ReviewDue() time.Time {
	interval := p.ReviewIntervalDays
	if interval <= 0 {
		interval = DefaultReviewIntervalDays
	}
	base := p.UpdatedAt
	if d, err := time.Parse(time.DateOnly, p.LastReviewedOn); err == nil {
		base = d
	}
	y, m, d := base.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).AddDate(0, 0, interval)
}

// ReviewOverdue reports whether the persona's review date has passed on the
// day of now.
func (p Persona) ReviewOverdue(now time.Time) bool {
	y, m, d := now.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).After(p.ReviewDue())
}
