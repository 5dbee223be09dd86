package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

func TestAlignmentPagesShowTheDemoDivergence(t *testing.T) {
	e := newWebEnv(t)
	b := e.signedIn(e.viewer)
	buyer := e.demoPersona("Head of Operations (buyer)")
	bank := e.demoPersona("Big Bank")
	lead := e.demoPersona("System Lead")
	org := "/o/" + e.org

	page := b.get(org+"/personas/"+buyer.ID).must(t, http.StatusOK)
	if !strings.Contains(page.Body, `id="open-alignment"`) || !strings.Contains(page.Body, "System Lead") {
		t.Fatal("buyer page lacks its alignment section")
	}
	if !strings.Contains(b.get(org+"/personas/"+lead.ID).Body, "Promised to by") {
		t.Fatal("user page does not show the buyer")
	}
	a := b.get(org+"/personas/"+buyer.ID+"/alignment").must(t, http.StatusOK)
	for _, want := range []string{`id="tally"`, `data-claim="Every override explained, every approval recorded"`, `class="claim v-contradicted"`,
		`<tr data-dimension="technical_comfort" class="diverges">`, `id="unaddressed"`} {
		if !strings.Contains(a.Body, want) {
			t.Errorf("alignment page lacks %s", want)
		}
	}
	if strings.Contains(a.Body, "Record a verdict") {
		t.Error("a viewer is offered the verdict form")
	}
	atBank := b.get(org+"/personas/"+buyer.ID+"/alignment?customer="+bank.ID).must(t, http.StatusOK)
	if !strings.Contains(atBank.Body, "Big Bank variant") || !strings.Contains(atBank.Body, `<tr data-dimension="decision_authority" class="diverges">`) {
		t.Error("Big Bank view lacks the variant's values")
	}
	rep := b.get(org+"/alignment?sort=contradicted").must(t, http.StatusOK)
	if !strings.Contains(rep.Body, `id="alignment-report"`) || !strings.Contains(rep.Body, "Compliance Analyst") {
		t.Fatal("report lacks the pairs")
	}
	md := b.get(org+"/alignment.md").must(t, http.StatusOK)
	if !strings.HasPrefix(md.Header.Get("Content-Type"), "text/markdown") || !strings.Contains(md.Body, "| Head of Operations (buyer) | System Lead | 2 | 1 |") {
		t.Fatalf("markdown export:\n%s", md.Body)
	}
	e.signedIn(e.outsider).get(org+"/personas/"+buyer.ID+"/alignment").must(t, http.StatusNotFound)
}

func TestAlignmentEditingFromThePage(t *testing.T) {
	e := newWebEnv(t)
	b := e.signedIn(e.owner)
	buyer := e.demoPersona("Chief Information Officer (technical buyer)")
	lead := e.demoPersona("System Lead")
	org := "/o/" + e.org
	base := org + "/personas/" + buyer.ID + "/alignment"
	b.post(base+"/links", url.Values{"target_id": {lead.ID}}).must(t, http.StatusOK)
	page := b.get(base).must(t, http.StatusOK)
	if !strings.Contains(page.Body, `id="user-`+lead.ID+`"`) {
		t.Fatal("link not shown")
	}
	claims := listOf(buyer.Values["proof_points"])
	r := b.post(base+"/claims", url.Values{"user_id": {lead.ID}, "claim": {"proof_points::" + claims[0]},
		"user_item": {"pain_points::No way to simulate a rule change against last month's data"}, "verdict": {"contradicted"}, "note": {"No sandbox"}}).must(t, http.StatusOK)
	if !strings.Contains(r.Body, "Verdict recorded.") || !strings.Contains(r.Body, "No sandbox") {
		t.Fatal("verdict not shown")
	}
	bad := b.post(base+"/claims", url.Values{"user_id": {lead.ID}, "claim": {"proof_points::not a claim"}, "user_item": {"pain_points::x"}, "verdict": {"supported"}}).must(t, http.StatusOK)
	if !strings.Contains(bad.Body, "is not one of this buyer") {
		t.Fatal("invalid verdict not explained")
	}
	e.signedIn(e.viewer).post(base+"/links", url.Values{"target_id": {lead.ID}}).must(t, http.StatusForbidden)
}

// TestAlignmentPageSpeaksPlainly: claims are rendered Markdown (the demo's
// value proposition carries **audit trail**), verdict mappings name the
// user's field by its label, and counts agree with their nouns.
func TestAlignmentPageSpeaksPlainly(t *testing.T) {
	e := newWebEnv(t)
	b := e.signedIn(e.viewer)
	buyer := e.demoPersona("Head of Operations (buyer)")
	a := b.get("/o/"+e.org+"/personas/"+buyer.ID+"/alignment").must(t, http.StatusOK)
	shown := stripAttributes(a.Body)
	if strings.Contains(shown, "**audit trail**") {
		t.Error("a claim shows raw Markdown")
	}
	if !strings.Contains(a.Body, "<strong>audit trail</strong>") {
		t.Error("the claim's Markdown is not rendered")
	}
	if strings.Contains(shown, "pain_points:") || !strings.Contains(a.Body, `<span class="muted">Pain points:</span>`) {
		t.Error("a verdict names the user's field by its key, not its label")
	}
	if strings.Contains(shown, " 1 divergences") || strings.Contains(shown, "<strong>1</strong> divergences") {
		t.Error("a count of one takes a plural noun")
	}
}

// stripAttributes drops the attributes of every tag: what remains is the
// text a reader sees (and the tag names).
func stripAttributes(s string) string {
	return attrRE.ReplaceAllString(s, "<$1>")
}

var attrRE = regexp.MustCompile(`<(/?[a-zA-Z0-9-]+)[^>]*>`)
