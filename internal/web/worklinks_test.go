package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/persona"
)

// TestWorkLinkPages: the persona page's "Work for this persona" lists
// links opening in a new tab without the opener; an editor links work
// (the kind guessed), a refused address gets the page back (422) with
// the field named and what was typed kept; a viewer sees the links but
// no form and cannot add or remove (403); removing takes the link away.
func TestWorkLinkPages(t *testing.T) {
	e := newWebEnv(t)
	lead := e.demoPersona("System Lead")
	owner := e.signedIn(e.owner)
	base := "/o/" + e.org + "/personas/" + lead.ID

	p := owner.get(base).must(t, http.StatusOK)
	if !strings.Contains(p.Body, `id="work-form"`) || !strings.Contains(p.Body, "No work linked yet.") {
		t.Fatal("the page has no work form, or links already")
	}

	p = owner.post(base+"/work", url.Values{"url": {"ftp://files.example.com/brief"}, "title": {"The brief"}})
	p.must(t, http.StatusUnprocessableEntity)
	if !strings.Contains(p.Body, `id="work-error"`) || !strings.Contains(p.Body, "Address:") ||
		!strings.Contains(p.Body, `value="ftp://files.example.com/brief"`) || !strings.Contains(p.Body, `value="The brief"`) {
		t.Fatalf("no reason shown, or the typed values lost:\n%s", p.Body)
	}

	p = owner.post(base+"/work", url.Values{"url": {"https://acme.atlassian.net/browse/PP-7"}, "title": {"Checkout <research>"}}).must(t, http.StatusOK)
	if !strings.Contains(p.Body, "Work linked.") || !strings.Contains(p.Body, `href="https://acme.atlassian.net/browse/PP-7" rel="noopener noreferrer" target="_blank"`) ||
		!strings.Contains(p.Body, "Checkout &lt;research&gt;") || !strings.Contains(p.Body, ">Jira<") {
		t.Fatalf("the link is not shown as linked:\n%s", p.Body)
	}
	ls, err := e.svc.ListWorkLinks(context.Background(), e.actor(e.owner), e.org, lead.ID)
	if err != nil || len(ls) != 1 || ls[0].Kind != persona.WorkJira {
		t.Fatalf("stored: %+v %v", ls, err)
	}

	viewer := e.signedIn(e.viewer)
	if v := viewer.get(base).must(t, http.StatusOK); strings.Contains(v.Body, `id="work-form"`) || !strings.Contains(v.Body, "Checkout &lt;research&gt;") {
		t.Error("a viewer's page: a form, or no link")
	}
	viewer.post(base+"/work", url.Values{"url": {"https://github.com/a/b/issues/1"}}).must(t, http.StatusForbidden)
	viewer.post(base+"/work/"+ls[0].ID+"/remove", url.Values{}).must(t, http.StatusForbidden)

	p = owner.post(base+"/work/"+ls[0].ID+"/remove", url.Values{}).must(t, http.StatusOK)
	if !strings.Contains(p.Body, "Work link removed.") || strings.Contains(p.Body, "acme.atlassian.net/browse/PP-7") {
		t.Error("the link is still shown after removing it")
	}
	owner.post(base+"/work/"+ls[0].ID+"/remove", url.Values{}).must(t, http.StatusNotFound)
}
