package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/persona"
)

// fieldLinks lists the links on one field of a persona.
func (e *webEnv) fieldLinks(personaID, key string) []persona.EvidenceLink {
	e.t.Helper()
	pe, err := e.svc.PersonaEvidence(context.Background(), e.actor(e.owner), e.org, personaID)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []persona.EvidenceLink
	for _, l := range pe.Links {
		if l.FieldKey() == key {
			out = append(out, l)
		}
	}
	return out
}

// The persona page's field marker opens the attach page for that persona
// and field; a quote written there is added to the library, linked to the
// field, and the browser is back on the persona page at that field with
// the marker counting it.
func TestAttachPageWritesAQuoteOnAField(t *testing.T) {
	e := newWebEnv(t)
	b := e.signedIn(e.owner)
	bm := e.demoPersona("Branch Manager")
	o := "/o/" + e.org
	attach := o + "/personas/" + bm.ID + "/evidence/attach"
	field := "pain_points"

	pp := b.get(o+"/personas/"+bm.ID).must(t, http.StatusOK)
	if want := `href="` + attach + `?target=values.` + field + `"`; !strings.Contains(pp.Body, want) {
		t.Fatalf("the %s marker does not open the attach page (%s)", field, want)
	}
	p := b.get(attach+"?target=values."+field).must(t, http.StatusOK)
	for _, want := range []string{`<h1 id="attach-title">Pain points</h1>`, `name="target" value="values.` + field + `"`,
		`id="aq-quote"`, `id="pick-item"`, "Attach evidence to Branch Manager"} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("the attach page lacks %q", want)
		}
	}
	if strings.Contains(p.Body, `id="link-target"`) {
		t.Error("the attach page asks for the field although the marker gave it")
	}
	if n := len(e.fieldLinks(bm.ID, field)); n != 0 {
		t.Fatalf("the demo Branch Manager has %d links on %s", n, field)
	}
	before := len(e.demoLibrary())

	quote := "Half my morning goes on the exception queue, every single day of the week."
	p = b.post(attach, url.Values{"target": {"values." + field}, "mode": {"quote"}, "quote": {quote},
		"speaker": {"Branch manager, savings bank"}, "source": {"Interview 7"}, "stance": {"supports"}}).must(t, http.StatusOK)
	if want := o + "/personas/" + bm.ID + "#field-" + field; p.URL != want {
		t.Fatalf("saving went to %s, want the persona page %s", p.URL, want)
	}
	links := e.fieldLinks(bm.ID, field)
	if len(links) != 1 || links[0].Stance != persona.StanceSupports || links[0].EvidenceKind != persona.EvidenceQuote {
		t.Fatalf("links on %s after saving: %+v", field, links)
	}
	if got := len(e.demoLibrary()); got != before+1 {
		t.Errorf("the library has %d items, want %d", got, before+1)
	}
	d, err := e.svc.GetEvidence(context.Background(), e.actor(e.owner), e.org, links[0].EvidenceID)
	if err != nil || d.Evidence.Quote != quote || d.Evidence.Speaker != "Branch manager, savings bank" || d.Evidence.Source != "Interview 7" {
		t.Fatalf("the stored quote: %v %+v", err, d.Evidence)
	}
	if title := strings.TrimSuffix(strings.TrimPrefix(d.Evidence.Title, "“"), "…”"); title == d.Evidence.Title || !strings.HasPrefix(quote, title) || len([]rune(title)) > 60 {
		t.Errorf("the title made from the quote: %q", d.Evidence.Title)
	}
	// The marker now reads one supporting item, and says so.
	mark := markOf(t, p.Body, field)
	if !strings.Contains(mark, "st-backed") || !strings.Contains(mark, "<span>1</span>") || !strings.Contains(mark, "1 supporting") {
		t.Errorf("the marker after saving: %s", mark)
	}
	if !strings.Contains(p.Body, `id="field-`+field+`"`) {
		t.Error("the persona page has no anchor for the field")
	}
	if !strings.Contains(p.Body, "Quote added and attached to Branch Manager › Pain points.") {
		t.Error("no confirmation naming the field")
	}
	// The item page links back to the persona's field.
	item := b.get(o+"/evidence/"+d.Evidence.ID).must(t, http.StatusOK)
	if !strings.Contains(item.Body, `href="`+o+`/personas/`+bm.ID+`#field-`+field+`"`) {
		t.Errorf("the item page does not link back to the field:\n%s", item.Body)
	}
	// The attach page now lists it as attached.
	if p := b.get(attach + "?target=values." + field); !strings.Contains(p.Body, `id="attach-existing"`) || !strings.Contains(p.Body, d.Evidence.Title) {
		t.Error("the attach page does not list what is already attached")
	}
}

// markOf cuts a field's marker out of the persona page.
func markOf(t *testing.T, body, key string) string {
	t.Helper()
	i := strings.Index(body, `data-mark="`+key+`"`)
	if i < 0 {
		t.Fatalf("no marker for %s", key)
	}
	start := strings.LastIndex(body[:i], "<a ")
	end := strings.Index(body[i:], "</a>")
	return body[start : i+end]
}

// Picking an item from the library links it; the search narrows the list.
func TestAttachPagePicksFromTheLibrary(t *testing.T) {
	e := newWebEnv(t)
	b := e.signedIn(e.owner)
	bm := e.demoPersona("Branch Manager")
	doc := e.demoEvidence("Synthesis: month-end reconciliation")
	attach := "/o/" + e.org + "/personas/" + bm.ID + "/evidence/attach"

	p := b.get(attach+"?target=values.goals&q=month-end+synthesis").must(t, http.StatusOK)
	if !strings.Contains(p.Body, `name="evidence_id" value="`+doc.ID+`"`) || strings.Count(p.Body, `name="evidence_id"`) != 1 {
		t.Errorf("the search does not narrow the list to the synthesis:\n%s", p.Body)
	}
	p = b.post(attach, url.Values{"target": {"values.goals"}, "mode": {"pick"}, "evidence_id": {doc.ID},
		"stance": {"contradicts"}, "excerpt": {"Goals differ by region"}}).must(t, http.StatusOK)
	if !strings.HasSuffix(p.URL, "/personas/"+bm.ID+"#field-goals") {
		t.Fatalf("picking went to %s", p.URL)
	}
	links := e.fieldLinks(bm.ID, "goals")
	if len(links) != 1 || links[0].EvidenceID != doc.ID || links[0].Stance != persona.StanceContradicts || links[0].Excerpt != "Goals differ by region" {
		t.Fatalf("links on goals: %+v", links)
	}
	if mark := markOf(t, p.Body, "goals"); !strings.Contains(mark, "st-contradicted") {
		t.Errorf("the marker after a contradicting item: %s", mark)
	}
	// Picking nothing names the field and keeps the excerpt.
	p = b.post(attach, url.Values{"target": {"values.goals"}, "mode": {"pick"}, "excerpt": {"kept excerpt"}})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "Not attached to “Goals”: choose an item") ||
		!strings.Contains(p.Body, "kept excerpt") {
		t.Errorf("picking nothing: %d\n%s", p.Status, p.Body)
	}
}

// A bad submission stores nothing, keeps what was typed and names the
// field it was for and the input at fault.
func TestAttachPageKeepsTheTypedQuoteOnError(t *testing.T) {
	e := newWebEnv(t)
	b := e.signedIn(e.owner)
	bm := e.demoPersona("Branch Manager")
	attach := "/o/" + e.org + "/personas/" + bm.ID + "/evidence/attach"
	before := len(e.demoLibrary())

	// An impossible date: the quote and speaker are kept.
	p := b.post(attach, url.Values{"target": {"values.pain_points"}, "mode": {"quote"}, "quote": {"Typed & kept <quote>"},
		"speaker": {"Speaker kept"}, "collected_on": {"yesterday"}})
	if p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("a bad date: %d", p.Status)
	}
	for _, want := range []string{"The quote was not saved for “Pain points”", "Typed &amp; kept &lt;quote&gt;</textarea>",
		`value="Speaker kept"`, `value="yesterday" autofocus`, "Date must be a date", `<h1 id="attach-title">Pain points</h1>`, `<details class="ev-more" open>`} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("the refused form lacks %q", want)
		}
	}
	// No quote at all.
	p = b.post(attach, url.Values{"target": {"values.pain_points"}, "mode": {"quote"}, "source": {"Interview 9"}})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "Quote is required") ||
		!strings.Contains(p.Body, `aria-invalid="true"`) || !strings.Contains(p.Body, `value="Interview 9"`) {
		t.Errorf("an empty quote: %d\n%s", p.Status, p.Body)
	}
	// A field the persona does not have: nothing stored, the field list offered.
	p = b.post(attach, url.Values{"target": {"values.no_such_field"}, "mode": {"quote"}, "quote": {"Orphan quote"}})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `id="link-target"`) || !strings.Contains(p.Body, "Orphan quote</textarea>") {
		t.Errorf("an unknown field: %d\n%s", p.Status, p.Body)
	}
	if got := len(e.demoLibrary()); got != before {
		t.Errorf("refused submissions stored %d items", got-before)
	}
	// Without a target the page asks for the field.
	if p := b.get(attach).must(t, http.StatusOK); !strings.Contains(p.Body, `id="link-target"`) || !strings.Contains(p.Body, "Choose a field") {
		t.Error("the attach page without a target does not offer the fields")
	}
}

// Viewers may not open or post the attach page; outsiders do not find it.
func TestAttachPageIsForEditors(t *testing.T) {
	e := newWebEnv(t)
	viewer := e.signedIn(e.viewer)
	outsider := e.signedIn(e.outsider)
	lead := e.demoPersona("System Lead")
	linksBefore := len(e.fieldLinks(lead.ID, "goals"))
	attach := "/o/" + e.org + "/personas/" + lead.ID + "/evidence/attach"
	form := url.Values{"target": {"values.goals"}, "mode": {"quote"}, "quote": {"stranger"}}
	viewer.get(attach+"?target=values.goals").must(t, http.StatusForbidden)
	viewer.post(attach, form).must(t, http.StatusForbidden)
	for _, p := range []page{outsider.get(attach + "?target=values.goals"), outsider.post(attach, form),
		outsider.get("/o/" + e.otherOrg + "/personas/" + lead.ID + "/evidence/attach?target=values.goals")} {
		if p.Status != http.StatusNotFound || strings.Contains(p.Body, "System Lead") {
			t.Errorf("an outsider at %s: %d", p.URL, p.Status)
		}
	}
	if n := len(e.demoLibrary()); n != 6 {
		t.Fatalf("the library has %d items after a viewer's and an outsider's posts, want the 6 demo ones", n)
	}
	if n := len(e.fieldLinks(lead.ID, "goals")); n != linksBefore {
		t.Fatalf("links on goals went from %d to %d", linksBefore, n)
	}
	// The viewer's marker goes to the evidence, not to the attach page.
	if p := viewer.get("/o/" + e.org + "/personas/" + lead.ID); strings.Contains(p.Body, "/evidence/attach") {
		t.Error("the persona page offers a viewer the attach page")
	}
}

// Evidence kinds show with their own class (colour), icon and label on the
// persona page's markers and summary and on the coverage page.
func TestEvidenceKindsShowEverywhere(t *testing.T) {
	e := newWebEnv(t)
	b := e.signedIn(e.owner)
	o := "/o/" + e.org
	lead := e.demoPersona("System Lead")
	p := b.get(o+"/personas/"+lead.ID).must(t, http.StatusOK)
	// The System Lead's workarounds are backed by a document and a quote (seed).
	if mark := markOf(t, p.Body, "workarounds"); !strings.Contains(mark, `<span class="pp-mark-kind k-quote"><svg class="icon"`) || !strings.Contains(mark, "(document, quote)") {
		t.Errorf("the workarounds marker does not show its quote: %s", mark)
	}
	for _, want := range []string{`id="evidence-kinds"`, `<span class="ev-kind-count k-quote"><svg class="icon" aria-hidden="true" focusable="false"><use href="#i-ev-quote"></use></svg>`} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("the persona page's evidence block lacks %q", want)
		}
	}
	c := b.get(o+"/evidence/coverage").must(t, http.StatusOK)
	for _, want := range []string{`id="library-kinds"`, `href="` + o + `/evidence?kind=quote"`, "2 quotes", "1 study", `id="i-ev-study"`} {
		if !strings.Contains(c.Body, want) {
			t.Errorf("the coverage page lacks %q", want)
		}
	}
	// The library's filters apply as chosen (htmx); without scripts an
	// Apply button submits them, and the filtered page is served as ever.
	lib := b.get(o+"/evidence?kind=quote").must(t, http.StatusOK)
	if !strings.Contains(lib.Body, `<noscript><button type="submit" class="secondary">Apply</button></noscript>`) ||
		!strings.Contains(lib.Body, `hx-trigger="change" hx-target="#ev-results"`) || strings.Contains(lib.Body, `class="ev-item k-document"`) {
		t.Error("the library's filters do not apply as chosen, or ?kind=quote lists other kinds")
	}
	ev := b.get(o+"/personas/"+lead.ID+"/evidence").must(t, http.StatusOK)
	if !strings.Contains(ev.Body, `<span class="ev-state st-assumption"><svg class="icon" aria-hidden="true" focusable="false"><use href="#i-ev-assumption">`) {
		t.Error("assumption pills carry no shape")
	}
}

// A variant's field is a target too: the page names the customer, and
// saving links the quote to the variant's field and returns to the variant.
func TestAttachPageOnAVariantField(t *testing.T) {
	e := newWebEnv(t)
	b := e.signedIn(e.owner)
	ctx := context.Background()
	lead := e.demoPersona("System Lead")
	vs, err := e.svc.ListVariants(ctx, e.actor(e.owner), e.org, lead.ID)
	if err != nil || len(vs) == 0 {
		t.Fatalf("variants: %v %d", err, len(vs))
	}
	v := vs[0]
	target := "variant:" + v.Variant.ID + ":values.tools"
	attach := "/o/" + e.org + "/personas/" + lead.ID + "/evidence/attach"
	p := b.get(attach+"?"+url.Values{"target": {target}}.Encode()).must(t, http.StatusOK)
	if !strings.Contains(p.Body, `<h1 id="attach-title">Tools</h1>`) || !strings.Contains(p.Body, "at "+v.CustomerName()) {
		t.Fatalf("the attach page for %s's tools:\n%s", v.CustomerName(), p.Body)
	}
	p = b.post(attach, url.Values{"target": {target}, "mode": {"quote"}, "quote": {"We only get the tools the bank has approved."}}).must(t, http.StatusOK)
	if !strings.HasSuffix(p.URL, "/variants/"+v.Variant.ID) {
		t.Fatalf("saving went to %s, want the variant", p.URL)
	}
	pe, err := e.svc.PersonaEvidence(ctx, e.actor(e.owner), e.org, lead.ID)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, ve := range pe.Variants {
		for _, l := range ve.Links {
			if l.VariantID == v.Variant.ID && l.FieldKey() == "tools" && l.EvidenceKind == persona.EvidenceQuote {
				found = true
			}
		}
	}
	if !found {
		t.Error("the quote is not linked to the variant's tools")
	}
}
