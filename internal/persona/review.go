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

// MaxReviewNote is the longest note a review may carry, in characters.
const MaxReviewNote = 1000

// Review is one "mark reviewed" of a persona: someone looked at it on a day
// and found it still right (or noted what should change). It sets the
// persona's LastReviewedOn without making a new revision: a review changes
// no content, so an edit form open meanwhile stays valid.
type Review struct {
	ID         string    `json:"id"`
	OrgID      string    `json:"-"`
	PersonaID  string    `json:"persona_id"`
	ReviewerID string    `json:"reviewer_id"`
	Note       string    `json:"note,omitempty"`
	ReviewedOn string    `json:"reviewed_on"` // YYYY-MM-DD (UTC)
	CreatedAt  time.Time `json:"created_at"`
}

// ReviewDueWithin reports whether the persona is not overdue on the day of
// now but falls due within days.
func (p Persona) ReviewDueWithin(now time.Time, days int) bool {
	if p.ReviewOverdue(now) {
		return false
	}
	y, m, d := now.UTC().Date()
	return !time.Date(y, m, d, 0, 0, 0, 0, time.UTC).AddDate(0, 0, days).Before(p.ReviewDue())
}
