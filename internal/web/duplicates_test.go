package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// TestDuplicatePages: creating a near-copy through the form saves it and
// shows "Possible duplicate" naming the look-alike with a Merge… button;
// the duplicates page lists the pair (viewers too, without the button);
// the merge page shows both values per field; a variant clash (409) and a
// stale revision (412) re-render
// the page keeping the choices and merging nothing; a merge lands on
// the survivor with the chosen value; the merged persona's pages redirect
// (308) to the survivor's, its history stays readable and says where it
// went, and the survivor's history links to it; viewers cannot merge.
func TestDuplicatePages(t *testing.T) {
	e := newWebEnv(t)
	ctx := context.Background()
	lead := e.demoPersona("System Lead")
	owner := e.signedIn(e.owner)
	org := "/o/" + e.org
	tpl := e.uxTemplate()
	if lead.TemplateID != tpl.ID {
		t.Skip("System Lead is not a UX persona of the starter template")
	}

	form := owner.get(org+"/personas/new?template="+tpl.ID).must(t, http.StatusOK)
	f := submitForm(t, form.Body, "persona-form")
	f.Set("name", "System Lead (copy)")
	f.Set("summary", lead.Summary)
	f.Set("group_id", lead.GroupID)
	f.Set("v.role_title", valueString(lead.Values["role_title"]))
	f.Set("v.quote", "A different quote, typed in the copy")
	created := owner.post(org+"/personas", f).must(t, http.StatusOK)
	if !strings.Contains(created.URL, "?similar=1") || !strings.Contains(created.Body, `id="similar-hint"`) ||
		!strings.Contains(created.Body, ">System Lead</a>") || !strings.Contains(created.Body, "% alike") {
		t.Fatalf("no duplicate hint after the create (%s):\n%s", created.URL, between(created.Body, "<main", "</header>"))
	}
	copyID := strings.TrimSuffix(strings.TrimPrefix(created.URL, org+"/personas/"), "?similar=1")
	if !strings.Contains(created.Body, org+"/personas/"+lead.ID+"/merge?with="+copyID) {
		t.Error("the hint has no Merge… button")
	}

	viewer := e.signedIn(e.viewer)
	d := viewer.get(org+"/duplicates").must(t, http.StatusOK)
	if !strings.Contains(d.Body, `data-a="`+lead.ID+`" data-b="`+copyID+`"`) || strings.Contains(d.Body, "merge?with=") {
		t.Fatalf("the viewer's duplicates page:\n%s", between(d.Body, `id="duplicates"`, "</ul>"))
	}
	d = owner.get(org+"/duplicates").must(t, http.StatusOK)
	mergeURL := org + "/personas/" + lead.ID + "/merge?with=" + copyID
	if !strings.Contains(d.Body, strings.ReplaceAll(mergeURL, "&", "&amp;")) || !strings.Contains(d.Body, "Role / job title") {
		t.Fatalf("the editor's duplicates page lacks the merge link or the agreeing fields:\n%s", between(d.Body, `id="duplicates"`, "</ul>"))
	}
	viewer.get(mergeURL).must(t, http.StatusForbidden)

	m := owner.get(mergeURL).must(t, http.StatusOK)
	if !strings.Contains(m.Body, `name="f.quote" value="merged"`) || !strings.Contains(m.Body, "A different quote, typed in the copy") {
		t.Fatalf("the merge page:\n%s", between(m.Body, `id="merge-form"`, "</form>"))
	}
	// A persona reference reads as its target's name, not its ID.
	form2 := between(m.Body, `id="merge-form"`, "</form>")
	if !strings.Contains(form2, "Works for") || !strings.Contains(form2, "Big Bank") || strings.Contains(form2, fmt.Sprint(lead.Values["works_for"])[1:37]) {
		t.Errorf("the merge page shows System Lead's Works for (%v) not by name:\n%s", lead.Values["works_for"], between(form2, "Works for", "</tr>"))
	}
	mf := submitForm(t, m.Body, "merge-form")
	mf.Set("f.quote", "merged")
	// Two variants for the same customer: refused (409), the page back
	// with the customer named and the choice kept.
	vs, err := e.svc.ListVariants(ctx, e.actor(e.owner), e.org, lead.ID)
	if err != nil || len(vs) == 0 || vs[0].Variant.CustomerID == "" {
		t.Fatalf("System Lead's variants: %+v %v", vs, err)
	}
	clash, err := e.svc.CreateVariant(ctx, e.actor(e.owner), e.org, copyID, app.VariantInput{CustomerID: vs[0].Variant.CustomerID, Note: "Also there"})
	if err != nil {
		t.Fatal(err)
	}
	c := owner.post(org+"/personas/"+lead.ID+"/merge", mf).must(t, http.StatusConflict)
	if !strings.Contains(c.Body, `id="merge-problem"`) || !strings.Contains(c.Body, "same customer") || !strings.Contains(c.Body, `name="f.quote" value="merged" checked`) {
		t.Fatalf("a variant clash:\n%s", between(c.Body, "<main", "</form>"))
	}
	if err := e.svc.TrashVariant(ctx, e.actor(e.owner), e.org, clash.ID); err != nil {
		t.Fatal(err)
	}
	stale := url.Values{}
	for k, v := range mf {
		stale[k] = v
	}
	stale.Set("revision", "999")
	s := owner.post(org+"/personas/"+lead.ID+"/merge", stale).must(t, http.StatusPreconditionFailed)
	if !strings.Contains(s.Body, `id="merge-problem"`) || !strings.Contains(s.Body, `name="f.quote" value="merged" checked`) {
		t.Fatalf("a stale merge: no reason, or the choice lost:\n%s", between(s.Body, "<main", "</form>"))
	}
	if _, err := e.svc.GetPersona(ctx, e.actor(e.owner), e.org, copyID); err != nil {
		t.Fatalf("a stale merge merged: %v", err)
	}
	viewer.post(org+"/personas/"+lead.ID+"/merge", mf).must(t, http.StatusForbidden)

	done := owner.post(org+"/personas/"+lead.ID+"/merge", mf).must(t, http.StatusOK)
	if done.URL != org+"/personas/"+lead.ID || !strings.Contains(done.Body, "was merged into") ||
		!strings.Contains(done.Body, "A different quote, typed in the copy") {
		t.Fatalf("after the merge at %s:\n%s", done.URL, between(done.Body, "<main", "</header>"))
	}

	// The merged persona's pages lead to the survivor's.
	noFollow := &http.Client{Jar: owner.client.Jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, sub := range []string{"", "/evidence", "/edit"} {
		res, err := noFollow.Get(e.srv.URL + org + "/personas/" + copyID + sub)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusPermanentRedirect || res.Header.Get("Location") != org+"/personas/"+lead.ID+sub {
			t.Errorf("%s: %d to %q", sub, res.StatusCode, res.Header.Get("Location"))
		}
	}
	if p := owner.get(org+"/personas/"+copyID).must(t, http.StatusOK); p.URL != org+"/personas/"+lead.ID {
		t.Errorf("the merged address ends at %s", p.URL)
	}
	h := owner.get(org+"/personas/"+copyID+"/history").must(t, http.StatusOK)
	if !strings.Contains(h.Body, `id="merged-into"`) || strings.Contains(h.Body, "/restore") {
		t.Errorf("the merged persona's history:\n%s", between(h.Body, "<main", "</section>"))
	}
	h = owner.get(org+"/personas/"+lead.ID+"/history").must(t, http.StatusOK)
	if !strings.Contains(h.Body, `id="merged-from"`) || !strings.Contains(h.Body, org+"/personas/"+copyID+"/history") ||
		!strings.Contains(h.Body, "Merged from System Lead (copy)") {
		t.Errorf("the survivor's history:\n%s", between(h.Body, "<main", "</section>"))
	}
	if d := owner.get(org+"/duplicates").must(t, http.StatusOK); strings.Contains(d.Body, copyID) {
		t.Error("the merged persona is still listed as a duplicate")
	}
	// An outsider learns nothing: the redirect is for members.
	if _, err := e.svc.MergedInto(ctx, e.actor(e.owner), e.org, copyID); persona.ErrorCode(err) != "" {
		t.Fatal(err)
	}
}

func valueString(v any) string {
	s, _ := v.(string)
	return s
}
