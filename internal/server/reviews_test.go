package server_test

import (
	"slices"
	"testing"
	"time"
)

// makeOverdue sets a persona's last review 200 days back with a 30-day
// interval, through the API (GET, change, PUT back).
func (e *env) makeOverdue(id string) {
	e.t.Helper()
	var p map[string]any
	res := e.must(200, "GET", e.api("/personas/"+id), e.owner, nil)
	res.json(e.t, &p)
	p["last_reviewed_on"] = time.Now().UTC().AddDate(0, 0, -200).Format(time.DateOnly)
	p["review_interval_days"] = 30
	e.must(200, "PUT", e.api("/personas/"+id), e.owner, p, "If-Match", res.Header.Get("ETag"))
}

func (e *env) reviewList(query string) (ids []string, next string) {
	e.t.Helper()
	var list struct {
		Items []struct {
			ID            string `json:"id"`
			OwnerID       string `json:"owner_id"`
			ReviewOverdue bool   `json:"review_overdue"`
		} `json:"items"`
		NextCursor *string `json:"next_cursor"`
	}
	e.must(200, "GET", e.api("/personas?"+query), e.owner, nil).json(e.t, &list)
	for _, p := range list.Items {
		ids = append(ids, p.ID)
	}
	if list.NextCursor != nil {
		next = *list.NextCursor
	}
	return ids, next
}

// TestReviewsAPI: the review filter on the persona list (with paging and
// a 422 naming the parameter), marking reviewed (editors; the note kept,
// checked; the persona leaves the overdue filter), the review list, the
// overview and the digest switch.
func TestReviewsAPI(t *testing.T) {
	e := newEnv(t)
	lead, buyer := e.demoByName("System Lead"), e.demoByName("Branch Manager")
	e.makeOverdue(lead.ID)
	e.makeOverdue(buyer.ID)

	overdue, _ := e.reviewList("review=overdue&limit=200")
	if !slices.Contains(overdue, lead.ID) || !slices.Contains(overdue, buyer.ID) {
		t.Fatalf("review=overdue lists %v, want %s and %s among them", overdue, lead.ID, buyer.ID)
	}
	// Paging through the filter gives the same personas, one at a time.
	var paged []string
	for cursor, n := "", 0; n < 50; n++ {
		q := "review=overdue&limit=1"
		if cursor != "" {
			q += "&cursor=" + cursor
		}
		ids, next := e.reviewList(q)
		paged = append(paged, ids...)
		if cursor = next; cursor == "" {
			break
		}
	}
	if !slices.Equal(paged, overdue) {
		t.Errorf("paged %v, all at once %v", paged, overdue)
	}
	if due30, _ := e.reviewList("review=due30&limit=200"); slices.Contains(due30, lead.ID) {
		t.Errorf("an overdue persona is in due30: %v", due30)
	}
	var me struct {
		ID string `json:"id"`
	}
	e.must(200, "GET", "/api/v1/me", e.owner, nil).json(t, &me)
	all, _ := e.reviewList("limit=200")
	mine, _ := e.reviewList("review=mine&limit=200")
	unowned, _ := e.reviewList("review=unowned&limit=200")
	if len(mine)+len(unowned) > len(all) || len(all) == 0 {
		t.Errorf("mine %d + unowned %d of %d", len(mine), len(unowned), len(all))
	}
	for _, id := range mine {
		if slices.Contains(unowned, id) {
			t.Errorf("%s is both mine and unowned", id)
		}
	}

	p := e.must(422, "GET", e.api("/personas?review=stale"), e.owner, nil).problem(t)
	if !slices.Contains(p.locations(), "query.review") {
		t.Errorf("unknown filter: problem names %v, want query.review", p.locations())
	}

	// Marking reviewed.
	e.must(403, "POST", e.api("/personas/"+lead.ID+"/reviews"), e.viewer, map[string]any{"note": "x"}).problem(t)
	e.must(404, "POST", e.api("/personas/"+lead.ID+"/reviews"), e.other, map[string]any{"note": "x"}).problem(t)
	e.must(404, "POST", e.api("/personas/no-such/reviews"), e.owner, map[string]any{}).problem(t)
	long := make([]byte, 1001)
	for i := range long {
		long[i] = 'x'
	}
	p = e.must(422, "POST", e.api("/personas/"+lead.ID+"/reviews"), e.owner, map[string]any{"note": string(long)}).problem(t)
	if !slices.Contains(p.locations(), "body.note") {
		t.Errorf("a long note: problem names %v, want body.note", p.locations())
	}
	var rev struct {
		PersonaID  string `json:"persona_id"`
		Note       string `json:"note"`
		ReviewedOn string `json:"reviewed_on"`
	}
	e.must(201, "POST", e.api("/personas/"+lead.ID+"/reviews"), e.owner, map[string]any{"note": "Checked with support"}).json(t, &rev)
	if rev.Note != "Checked with support" || rev.ReviewedOn != time.Now().UTC().Format(time.DateOnly) || rev.PersonaID != lead.ID {
		t.Errorf("review %+v", rev)
	}
	e.must(201, "POST", e.api("/personas/"+buyer.ID+"/reviews"), e.owner, map[string]any{}) // the note is optional
	var got struct {
		ReviewOverdue bool   `json:"review_overdue"`
		ReviewDue     string `json:"review_due"`
	}
	e.must(200, "GET", e.api("/personas/"+lead.ID), e.viewer, nil).json(t, &got)
	if want := time.Now().UTC().AddDate(0, 0, 30).Format(time.DateOnly); got.ReviewOverdue || got.ReviewDue != want {
		t.Errorf("after the review: overdue %v, due %s (want %s)", got.ReviewOverdue, got.ReviewDue, want)
	}
	if overdue, _ := e.reviewList("review=overdue&limit=200"); slices.Contains(overdue, lead.ID) {
		t.Errorf("a reviewed persona is still in the overdue filter")
	}
	var reviews struct {
		Items []struct {
			Note     string `json:"note"`
			Reviewer string `json:"reviewer"`
		} `json:"items"`
	}
	e.must(200, "GET", e.api("/personas/"+lead.ID+"/reviews"), e.viewer, nil).json(t, &reviews)
	if len(reviews.Items) != 1 || reviews.Items[0].Note != "Checked with support" || reviews.Items[0].Reviewer == "" {
		t.Errorf("reviews %+v", reviews.Items)
	}
	e.must(404, "GET", e.api("/personas/"+lead.ID+"/reviews"), e.other, nil).problem(t)

	// The overview.
	var ov struct {
		Total, Overdue int
		Groups         []struct {
			Name     string `json:"name"`
			Personas []struct {
				PersonaID    string `json:"persona_id"`
				Overdue      bool   `json:"overdue"`
				LatestReview *struct {
					Note string `json:"note"`
				} `json:"latest_review"`
			} `json:"personas"`
		}
	}
	e.must(200, "GET", e.api("/reviews"), e.viewer, nil).json(t, &ov)
	seen := 0
	for _, g := range ov.Groups {
		for _, row := range g.Personas {
			seen++
			if row.PersonaID == lead.ID && (row.Overdue || row.LatestReview == nil || row.LatestReview.Note != "Checked with support") {
				t.Errorf("overview row of the lead: %+v", row)
			}
		}
	}
	if ov.Total != len(all) || seen != ov.Total {
		t.Errorf("overview: total %d, rows %d, personas %d", ov.Total, seen, len(all))
	}
	e.must(404, "GET", e.api("/reviews"), e.other, nil).problem(t)

	// The digest switch is the caller's own.
	digest := func(token string) bool {
		var d struct {
			Enabled bool `json:"enabled"`
		}
		e.must(200, "GET", "/api/v1/me/review-digest", token, nil).json(t, &d)
		return d.Enabled
	}
	if !digest(e.owner) {
		t.Error("the digest is off by default")
	}
	e.must(200, "PUT", "/api/v1/me/review-digest", e.owner, map[string]any{"enabled": false})
	if digest(e.owner) || !digest(e.viewer) {
		t.Errorf("after the owner's opt-out: owner %v, viewer %v", digest(e.owner), digest(e.viewer))
	}
	e.must(200, "PUT", "/api/v1/me/review-digest", e.owner, map[string]any{"enabled": true})
	if !digest(e.owner) {
		t.Error("the digest did not come back on")
	}
	e.must(401, "GET", "/api/v1/me/review-digest", "", nil).problem(t)
	e.must(422, "PUT", "/api/v1/me/review-digest", e.owner, map[string]any{"enabled": "sometimes"}).problem(t)
}
