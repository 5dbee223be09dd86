package web_test

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// The home page's review filter: each choice is in the address, shows the
// matching cards only, is marked chosen and says how many it holds (of
// the whole organisation, whatever the other filters); an unknown value
// is refused naming the filter; "mark reviewed" takes a persona out of
// "Overdue".
func TestHomeReviewFilters(t *testing.T) {
	e := newWebEnv(t)
	ctx := context.Background()
	owner := e.actor(e.owner)
	viewer := e.actor(e.viewer)
	// Give the viewer one persona (so "Mine" differs by who asks). The
	// demo has no persona without an owner: "No owner" shows none.
	lead := e.demoPersona("System Lead")
	lead.OwnerID = viewer.UserID
	if _, err := e.svc.UpdatePersona(ctx, owner, e.org, lead.ID, lead.Revision, inputOf(lead)); err != nil {
		t.Fatal(err)
	}
	all, err := e.svc.ListPersonas(ctx, owner, e.org, persona.PersonaFilter{Limit: 200}, "")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	want := map[app.ReviewFilter][]string{}
	for _, p := range all.Items {
		for _, f := range []app.ReviewFilter{app.ReviewMine, app.ReviewOverdue, app.ReviewDue30, app.ReviewUnowned} {
			if f.Match(p, owner.UserID, now) {
				want[f] = append(want[f], p.Name)
			}
		}
	}
	if len(want[app.ReviewOverdue]) == 0 || len(want[app.ReviewUnowned]) != 0 || len(want[app.ReviewMine]) != len(all.Items)-1 {
		t.Fatalf("fixture: %v", want)
	}

	b := e.signedIn(e.owner)
	cards := regexp.MustCompile(`class="card persona-card hub-card t-[a-z]+"`)
	for _, f := range []app.ReviewFilter{app.ReviewMine, app.ReviewOverdue, app.ReviewDue30, app.ReviewUnowned} {
		names := want[f]
		body := b.get("/o/"+e.org+"?review="+string(f)).must(t, 200).Body
		if n := len(cards.FindAllString(body, -1)); n != len(names) {
			t.Errorf("?review=%s shows %d cards, want %d (%v)", f, n, len(names), names)
		}
		for _, name := range names {
			if cardText(body, name) == "" {
				t.Errorf("?review=%s lacks %s", f, name)
			}
		}
		chosen := fmt.Sprintf(`name="review" value="%s" id="filter-review-%s" checked`, f, f)
		if !strings.Contains(body, chosen) {
			t.Errorf("?review=%s: the choice is not marked", f)
		}
		// The chip's count, here and with another filter on.
		for _, q := range []string{"?review=" + string(f), "?type=agent"} {
			page := b.get("/o/"+e.org+q).must(t, 200).Body
			count := regexp.MustCompile(`id="filter-review-` + string(f) + `"[^>]*> [^<]+<small class="chip-n">(\d+)</small>`).FindStringSubmatch(page)
			if count == nil || count[1] != fmt.Sprint(len(names)) {
				t.Errorf("%s: the %s chip counts %v, want %d", q, f, count, len(names))
			}
		}
	}
	// "Mine" is the caller's: the viewer owns the System Lead alone.
	vb := e.signedIn(e.viewer)
	mine := vb.get("/o/"+e.org+"?review=mine").must(t, 200).Body
	if n := len(cards.FindAllString(mine, -1)); n != 1 || cardText(mine, "System Lead") == "" {
		t.Errorf("the viewer's Mine shows %d cards", n)
	}
	// Filters combine.
	agents := b.get("/o/"+e.org+"?review=overdue&type=agent").must(t, 200).Body
	for _, m := range cards.FindAllString(agents, -1) {
		if !strings.Contains(m, "t-agent") {
			t.Errorf("overdue agents shows %s", m)
		}
	}
	if p := b.get("/o/" + e.org + "?review=stale"); p.Status != 422 || !strings.Contains(p.Body, "review") {
		t.Errorf("?review=stale answers %d", p.Status)
	}

	// Marking reviewed takes a persona out of Overdue.
	late := e.demoPersona(want[app.ReviewOverdue][0])
	p := b.post("/o/"+e.org+"/personas/"+late.ID+"/reviews", url.Values{"note": {"Checked after the workshop"}}).must(t, 200)
	if !strings.Contains(p.Body, "marked reviewed today") {
		t.Errorf("after marking reviewed: %s", p.URL)
	}
	od := b.get("/o/"+e.org+"?review=overdue").must(t, 200).Body
	if cardText(od, late.Name) != "" {
		t.Errorf("%s is still in Overdue after its review", late.Name)
	}
	hist := b.get("/o/"+e.org+"/personas/"+late.ID+"/history").must(t, 200).Body
	if !strings.Contains(hist, "Checked after the workshop") {
		t.Error("the history does not show the review")
	}
	// A long note is refused naming the field and keeping the text.
	long := strings.Repeat("a", persona.MaxReviewNote+1)
	p = b.post("/o/"+e.org+"/personas/"+late.ID+"/reviews", url.Values{"note": {long}})
	if p.Status != 422 || !strings.Contains(p.Body, "Note is 1001 characters") || !strings.Contains(p.Body, long) {
		t.Errorf("a long note: %d", p.Status)
	}

	// The review page: table rows for every persona, the overdue marked.
	rv := vb.get("/o/"+e.org+"/reviews").must(t, 200).Body
	if n := strings.Count(rv, `class="rv-row`); n != len(all.Items) {
		t.Errorf("the review page has %d rows, want %d", n, len(all.Items))
	}
	if !strings.Contains(rv, `id="org-reviews-link"`) || !strings.Contains(rv, "Checked after the workshop") {
		t.Error("the review page lacks the menu link or the latest note")
	}
}

// The account page's digest switch: ticked by default, off and on again
// through its form, each user's own.
func TestAccountReviewDigestSwitch(t *testing.T) {
	e := newWebEnv(t)
	b := e.signedIn(e.owner)
	acc := b.get("/account").must(t, 200).Body
	if !strings.Contains(acc, `name="review_digest" value="1" role="switch" checked`) {
		t.Fatal("the digest switch is not on by default")
	}
	p := b.post("/account/review-digest", url.Values{}).must(t, 200)
	if !strings.Contains(p.Body, "No more weekly review digests") || strings.Contains(p.Body, `role="switch" checked`) {
		t.Error("turning the digest off did not show")
	}
	if on, _ := e.svc.ReviewDigestOn(context.Background(), e.actor(e.owner)); on {
		t.Error("the digest is still on")
	}
	if on, _ := e.svc.ReviewDigestOn(context.Background(), e.actor(e.viewer)); !on {
		t.Error("the owner's switch turned the viewer's off")
	}
	p = b.post("/account/review-digest", url.Values{"review_digest": {"1"}}).must(t, 200)
	if !strings.Contains(p.Body, `role="switch" checked`) {
		t.Error("turning the digest on again did not show")
	}
	if p := e.browser().post("/account/review-digest", url.Values{}); strings.Contains(p.URL, "/account") && !strings.Contains(p.URL, "login") {
		t.Errorf("signed out, the switch answered %d at %s", p.Status, p.URL)
	}
}

// inputOf is the persona as a save of its current content.
func inputOf(p persona.Persona) app.PersonaInput {
	return app.PersonaInput{Name: p.Name, Summary: p.Summary, GroupID: p.GroupID, Status: p.Status, OwnerID: p.OwnerID,
		Values: p.Values, Dimensions: p.Dimensions, LastReviewedOn: p.LastReviewedOn, ReviewIntervalDays: p.ReviewIntervalDays}
}
