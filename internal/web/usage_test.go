package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/persona"
)

// usageRowOf finds a persona's row in the usage report: its section
// ("used" or "never") and its people count ("" in the never list).
func usageRowOf(t *testing.T, body, personaID string) (section, viewers string) {
	t.Helper()
	used, never, _ := strings.Cut(body, `id="usage-never"`)
	if i := strings.Index(used, `data-persona="`+personaID+`"`); i >= 0 {
		m := regexp.MustCompile(`data-viewers>(\d+)<`).FindStringSubmatch(used[i:])
		if m == nil {
			t.Fatalf("row of %s has no people count", personaID)
		}
		return "used", m[1]
	}
	if strings.Contains(never, `data-persona="`+personaID+`"`) {
		return "never", ""
	}
	return "", ""
}

// The persona page counts its viewers (once per member a day, the page and
// its variants alike); the usage report lists the opened personas by use,
// most or least first, and the rest as not opened; a viewer may read it;
// a token's API read is not a view; a bad window falls back to 30 days.
func TestUsagePageAndLine(t *testing.T) {
	e := newWebEnv(t)
	ctx := context.Background()
	owner, viewer := e.signedIn(e.owner), e.signedIn(e.viewer)
	lead, bank := e.demoPersona("System Lead"), e.demoPersona("Big Bank")
	leadURL := "/o/" + e.org + "/personas/" + lead.ID

	p := owner.get(leadURL)
	if p.Status != http.StatusOK || !strings.Contains(p.Body, `id="persona-usage"`) {
		t.Fatalf("persona page: %d, no usage line", p.Status)
	}
	for range 3 {
		owner.get(leadURL) // the same member the same day: one view
	}
	viewer.get(leadURL)
	viewer.get("/o/" + e.org + "/personas/" + bank.ID)
	token := e.apiToken(e.owner)
	if res := e.apiCall("GET", "/personas/"+bank.ID, token, nil, ""); res.Status != http.StatusOK {
		t.Fatalf("API read: %d", res.Status)
	}
	e.svc.FlushUsage(ctx)

	if p := viewer.get(leadURL); !strings.Contains(p.Body, "Viewed by 2 people in the last 30 days") {
		t.Errorf("persona page line: %q", between(p.Body, `id="persona-usage"`, "</p>"))
	}

	rep := viewer.get("/o/" + e.org + "/usage")
	if rep.Status != http.StatusOK {
		t.Fatalf("usage report as a viewer: %d", rep.Status)
	}
	if s, n := usageRowOf(t, rep.Body, lead.ID); s != "used" || n != "2" {
		t.Errorf("System Lead: %s, %s people", s, n)
	}
	if s, n := usageRowOf(t, rep.Body, bank.ID); s != "used" || n != "1" {
		t.Errorf("Big Bank (one browser view, the token's read not counted): %s, %s people", s, n)
	}
	never := 0
	for _, other := range e.allDemoPersonas() {
		if other == lead.ID || other == bank.ID {
			continue
		}
		if s, _ := usageRowOf(t, rep.Body, other); s != "never" {
			t.Errorf("persona %s not opened is in %q", other, s)
		}
		never++
	}
	if !strings.Contains(rep.Body, "2 of ") || !strings.Contains(rep.Body, "not opened") || never == 0 {
		t.Errorf("summary: %q", between(rep.Body, `id="usage-summary"`, "</p>"))
	}
	// Most used first, then least used first.
	if i, j := strings.Index(rep.Body, `data-persona="`+lead.ID), strings.Index(rep.Body, `data-persona="`+bank.ID); i < 0 || j < 0 || i > j {
		t.Errorf("most used first: System Lead at %d, Big Bank at %d", i, j)
	}
	least := viewer.get("/o/" + e.org + "/usage?sort=least&days=90")
	if i, j := strings.Index(least.Body, `data-persona="`+lead.ID), strings.Index(least.Body, `data-persona="`+bank.ID); i < 0 || j < 0 || i < j {
		t.Errorf("least used first: System Lead at %d, Big Bank at %d", i, j)
	}
	if !strings.Contains(least.Body, `<option value="90" selected>`) {
		t.Error("the 90-day window is not selected")
	}
	if p := viewer.get("/o/" + e.org + "/usage?days=7"); p.Status != http.StatusOK || !strings.Contains(p.Body, `<option value="30" selected>`) {
		t.Errorf("a 7-day window: %d", p.Status)
	}
	// The JSON API says the same (and its reads were not counted).
	var one struct {
		Days       int            `json:"days"`
		PersonaID  string         `json:"persona_id"`
		Viewers    int            `json:"viewers"`
		References map[string]int `json:"references"`
	}
	res := e.apiCall("GET", "/personas/"+bank.ID+"/usage", token, nil, "")
	if res.Status != http.StatusOK || json.Unmarshal([]byte(res.Body), &one) != nil || one.Days != 30 || one.PersonaID != bank.ID || one.Viewers != 1 {
		t.Errorf("API persona usage: %d %s", res.Status, res.Body)
	}
	if _, ok := one.References["comment"]; !ok {
		t.Errorf("API persona usage lacks the comment references: %s", res.Body)
	}
	var all struct {
		Days     int `json:"days"`
		Personas []struct {
			PersonaID string `json:"persona_id"`
			Viewers   int    `json:"viewers"`
		} `json:"personas"`
	}
	res = e.apiCall("GET", "/usage?days=90", token, nil, "")
	if res.Status != http.StatusOK || json.Unmarshal([]byte(res.Body), &all) != nil || all.Days != 90 || len(all.Personas) != len(e.allDemoPersonas()) {
		t.Errorf("API usage report: %d %.300s", res.Status, res.Body)
	}
	for _, u := range all.Personas {
		if u.PersonaID == lead.ID && u.Viewers != 2 {
			t.Errorf("API report: System Lead has %d viewers", u.Viewers)
		}
	}
	if res := e.apiCall("GET", "/usage?days=7", token, nil, ""); res.Status != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "days") {
		t.Errorf("API 7-day window: %d %s", res.Status, res.Body)
	}
	if res := e.apiCall("GET", "/personas/no-such-persona/usage", token, nil, ""); res.Status != http.StatusNotFound {
		t.Errorf("API usage of an unknown persona: %d", res.Status)
	}

	// Filtered by a group the personas are not in: they leave both lists.
	for _, g := range e.demoGroups() {
		if g == lead.GroupID {
			continue
		}
		p := viewer.get("/o/" + e.org + "/usage?group=" + g)
		if s, _ := usageRowOf(t, p.Body, lead.ID); s != "" {
			t.Errorf("group %s lists System Lead in %q", g, s)
		}
		break
	}
}

// allDemoPersonas lists the IDs of the demo organisation's live personas.
func (e *webEnv) allDemoPersonas() []string {
	e.t.Helper()
	page, err := e.svc.ListPersonas(context.Background(), e.actor(e.owner), e.org, persona.PersonaFilter{Limit: 200}, "")
	if err != nil {
		e.t.Fatal(err)
	}
	var ids []string
	for _, p := range page.Items {
		ids = append(ids, p.ID)
	}
	return ids
}
