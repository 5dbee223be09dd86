package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// attrs reads the attributes of the first start tag in body that matches
// tag (a regexp for the tag's opening, such as `<select id="link-persona"`).
func attrs(t *testing.T, body, tag string) map[string]string {
	t.Helper()
	m := regexp.MustCompile(tag + `[^>]*>`).FindString(body)
	if m == "" {
		t.Fatalf("no %s in the page", tag)
	}
	out := map[string]string{}
	for _, a := range regexp.MustCompile(`([a-z-]+)(?:="([^"]*)")?`).FindAllStringSubmatch(m[1:], -1) {
		out[a[1]] = html.UnescapeString(a[2])
	}
	return out
}

// Issue 14 item 14: "Attach to" stayed disabled after choosing a persona,
// because the htmx request sent the select's name (persona_id) and the
// handler read "persona"; the tests called the handler with ?persona= and
// never looked at the widget. This test reads the widget from the item page
// and makes the request htmx makes from it: the select's own name and
// value on the hx-get URL (hx-include="this"), answered by a fragment that
// replaces hx-target with an enabled field list.
func TestLinkWidgetGetsTheFieldListItAsksFor(t *testing.T) {
	e := newWebEnv(t)
	b := e.signedIn(e.owner)
	o := "/o/" + e.org
	doc, err := e.svc.AddEvidence(context.Background(), e.actor(e.owner), e.org, app.EvidenceInput{Kind: persona.EvidenceQuote,
		Title: "Widget quote", Quote: "I pick the persona, then the field."})
	if err != nil {
		t.Fatal(err)
	}
	lead := e.demoPersona("System Lead")
	item := o + "/evidence/" + doc.ID

	pg := b.get(item).must(t, http.StatusOK)
	sel := attrs(t, pg.Body, `<select id="link-persona"`)
	if sel["hx-include"] != "this" || sel["hx-trigger"] != "change" || sel["hx-swap"] != "outerHTML" || sel["name"] == "" {
		t.Fatalf("the persona select is not the widget this test knows: %v", sel)
	}
	before := attrs(t, pg.Body, `<select id="link-target"`)
	if _, disabled := before["disabled"]; !disabled {
		t.Fatalf("before a persona is chosen the field list should be disabled: %v", before)
	}

	// What htmx sends on change: GET hx-get?<name>=<value>.
	req, err := http.NewRequest(http.MethodGet, e.srv.URL+sel["hx-get"]+"?"+url.Values{sel["name"]: {lead.ID}}.Encode(), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("HX-Request", "true")
	req.Header.Set("HX-Trigger", "link-persona")
	frag := b.do(req).must(t, http.StatusOK)
	if strings.Contains(frag.Body, "<html") {
		t.Fatalf("the swap got a whole page:\n%.2000s", frag.Body)
	}
	if target := strings.TrimPrefix(sel["hx-target"], "#"); !strings.Contains(frag.Body, `<div id="`+target+`">`) {
		t.Fatalf("the fragment does not replace %s:\n%s", sel["hx-target"], frag.Body)
	}
	after := attrs(t, frag.Body, `<select id="link-target"`)
	if _, disabled := after["disabled"]; disabled || after["name"] != "target" {
		t.Fatalf("after choosing %s the field list is still disabled: %v\n%s", lead.Name, after, frag.Body)
	}
	for _, want := range []string{`>The whole persona</option>`, `<option value="values.goals">`, `<optgroup label="Variant: Big Bank">`} {
		if !strings.Contains(frag.Body, want) {
			t.Errorf("the field list lacks %s:\n%s", want, frag.Body)
		}
	}

	// Then the form posts the chosen field, and the link is on the
	// persona's evidence page.
	linked := b.post(item+"/links", url.Values{sel["name"]: {lead.ID}, "target": {"values.goals"}, "stance": {"supports"},
		"back": {item}}).must(t, http.StatusOK)
	if !strings.Contains(linked.Body, "Linked to System Lead › ") {
		t.Fatalf("no confirmation after attaching:\n%.3000s", linked.Body)
	}
	ev := b.get(o+"/personas/"+lead.ID+"/evidence").must(t, http.StatusOK)
	if !regexp.MustCompile(`(?s)id="f-goals".*?` + regexp.QuoteMeta(doc.Title)).MatchString(ev.Body) {
		t.Errorf("the persona's evidence page does not list %q under Goals", doc.Title)
	}
}
