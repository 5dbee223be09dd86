package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// searchPersonaIn creates a draft UX persona in org (as the given account)
// with the given name, summary and role title, in a fresh group.
func (e *webEnv) searchPersonaIn(who account, org, name, summary, roleTitle string) persona.Persona {
	e.t.Helper()
	ctx := context.Background()
	actor := e.actor(who)
	g, err := e.svc.CreateGroup(ctx, actor, org, app.GroupInput{Name: "Search test " + name})
	if err != nil {
		e.t.Fatal(err)
	}
	templates, err := e.svc.ListTemplates(ctx, actor, org)
	if err != nil {
		e.t.Fatal(err)
	}
	var tmplID string
	for _, t := range templates {
		if t.ProfileType == persona.ProfileUX {
			tmplID = t.ID
		}
	}
	p, err := e.svc.CreatePersona(ctx, actor, org, app.PersonaInput{
		Name: name, Summary: summary, GroupID: g.ID, TemplateID: tmplID, Status: persona.StatusDraft,
		Values: persona.Values{"role_title": roleTitle}, Dimensions: persona.Values{"technical_comfort": 3},
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

// results returns the text of the search results list (empty when none).
func results(body string) string {
	start := strings.Index(body, `<ol class="search-results"`)
	if start < 0 {
		return ""
	}
	end := strings.Index(body[start:], "</ol>")
	return body[start : start+end]
}

func TestSearchFindsAPersonaByAFieldWordWithinTheOrganisationOnly(t *testing.T) {
	e := newWebEnv(t)
	// The same word in another organisation's persona must never show here.
	e.searchPersonaIn(e.outsider, e.otherOrg, "Quokka Outsider", "Works elsewhere.", "Materiality quokkaword officer")

	b := e.signedIn(e.viewer)
	p := b.get("/o/"+e.org+"/search?q=materiality").must(t, http.StatusOK)
	res := results(p.Body)
	if !strings.Contains(res, ">System Lead</a>") {
		t.Fatalf("System Lead (whose decides_on mentions materiality) not found:\n%s", p.Body)
	}
	if !regexp.MustCompile(`(?i)<mark>materiality</mark>`).MatchString(res) {
		t.Errorf("snippet does not highlight the match:\n%s", res)
	}
	if strings.Contains(p.Body, "Quokka") {
		t.Error("search shows a persona of another organisation")
	}
	if !strings.Contains(p.Body, `1 result for “materiality”`) {
		t.Errorf("no result count:\n%s", p.Body)
	}
	if !strings.Contains(res, `badge t-ux`) || !strings.Contains(res, "Product users") || !strings.Contains(res, "s-published") {
		t.Errorf("hit lacks its type badge, group name or status:\n%s", res)
	}
	if !strings.Contains(res, `href="/o/`+e.org+`/personas/`+e.searchDemoID("System Lead")+`"`) {
		t.Errorf("hit does not link to the persona:\n%s", res)
	}

	// The other organisation's word finds nothing here, but does there.
	p = b.get("/o/"+e.org+"/search?q=quokkaword").must(t, http.StatusOK)
	if results(p.Body) != "" || !strings.Contains(p.Body, `id="search-none"`) || !strings.Contains(p.Body, "No personas match “quokkaword”") {
		t.Errorf("want the no-results state:\n%s", p.Body)
	}
	p = e.signedIn(e.outsider).get("/o/"+e.otherOrg+"/search?q=quokkaword").must(t, http.StatusOK)
	if !strings.Contains(results(p.Body), "Quokka Outsider") {
		t.Errorf("the other organisation cannot find its own persona:\n%s", p.Body)
	}
	// And an outsider cannot search the demo organisation at all.
	e.signedIn(e.outsider).get("/o/"+e.org+"/search?q=materiality").must(t, http.StatusNotFound)
}

func TestSearchFilters(t *testing.T) {
	e := newWebEnv(t)
	b := e.signedIn(e.owner)
	base := "/o/" + e.org + "/search?q=" + url.QueryEscape("audit trail")

	all := results(b.get(base).must(t, http.StatusOK).Body)
	if !strings.Contains(all, "System Lead") {
		t.Fatalf("System Lead mentions the audit trail:\n%s", all)
	}
	agents := results(b.get(base+"&type=agent").must(t, http.StatusOK).Body)
	if strings.Contains(agents, "System Lead") || strings.Contains(agents, "badge t-ux") {
		t.Errorf("type=agent still lists UX personas:\n%s", agents)
	}
	var usersGroup string
	groups, err := e.svc.ListGroups(context.Background(), e.actor(e.owner), e.org)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range groups {
		if g.Name == "Go-to-market" {
			usersGroup = g.ID
		}
	}
	p := b.get(base+"&group="+usersGroup).must(t, http.StatusOK)
	if strings.Contains(results(p.Body), "System Lead") {
		t.Errorf("group filter lets another group's persona through:\n%s", results(p.Body))
	}
	if !strings.Contains(p.Body, `<option value="`+usersGroup+`" selected>Go-to-market</option>`) {
		t.Errorf("group filter not kept in the form:\n%s", p.Body)
	}
	if !strings.Contains(p.Body, `id="clear-filters"`) {
		t.Error("no way to clear the filters")
	}
}

func TestSearchStates(t *testing.T) {
	e := newWebEnv(t)
	b := e.signedIn(e.owner)
	org := "/o/" + e.org + "/search"

	p := b.get(org).must(t, http.StatusOK)
	if !strings.Contains(p.Body, `id="search-empty"`) || !strings.Contains(p.Body, `<label for="search-q">`) {
		t.Errorf("empty query: want the invitation to search:\n%s", p.Body)
	}
	p = b.get(org+"?q="+url.QueryEscape(`"*"`)).must(t, http.StatusOK)
	if !strings.Contains(p.Body, "has no words to search for") {
		t.Errorf("punctuation only: want a clear message:\n%s", p.Body)
	}
	p = b.get(org+"?q="+strings.Repeat("a", 501)).must(t, http.StatusUnprocessableEntity)
	if !strings.Contains(p.Body, `id="search-error"`) || !strings.Contains(p.Body, "The search text must be at most 500 characters.") {
		t.Errorf("too long: want the app's refusal:\n%s", p.Body)
	}
	p = b.get(org+"?q=audit&type=robot").must(t, http.StatusUnprocessableEntity)
	if !strings.Contains(p.Body, "The type must be one of") {
		t.Errorf("bad type: want the app's refusal:\n%s", p.Body)
	}
}

func TestSearchEscapesSnippetsAndServesHtmxFragments(t *testing.T) {
	e := newWebEnv(t)
	e.searchPersonaIn(e.owner, e.org, "Wombat <b>Bold</b>", `Likes <img src=x onerror=alert(1)> **wombatword**`, "Keeper")
	b := e.signedIn(e.owner)
	p := b.get("/o/"+e.org+"/search?q=wombatword").must(t, http.StatusOK)
	res := results(p.Body)
	if strings.Contains(res, "<img") || strings.Contains(res, "<b>Bold") {
		t.Fatalf("user text reached the page unescaped:\n%s", res)
	}
	if !strings.Contains(res, "&lt;img src=x onerror=alert(1)&gt;") || !strings.Contains(res, "<mark>wombatword</mark>") {
		t.Errorf("snippet not escaped and highlighted:\n%s", res)
	}
	if strings.Contains(res, "**") {
		t.Errorf("snippet shows Markdown emphasis marks:\n%s", res)
	}

	req, err := http.NewRequest(http.MethodGet, e.srv.URL+"/o/"+e.org+"/search?q=wombatword", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("HX-Request", "true")
	f := b.do(req).must(t, http.StatusOK)
	if strings.Contains(f.Body, "<html") || !strings.Contains(f.Body, "Wombat &lt;b&gt;Bold&lt;/b&gt;") ||
		!strings.Contains(f.Body, `id="result-count" hx-swap-oob="innerHTML"`) {
		t.Errorf("htmx request: want the results fragment with the count out of band:\n%s", f.Body)
	}
	// htmx swaps 2xx only: a refused query still comes back as 200 with its message.
	req, _ = http.NewRequest(http.MethodGet, e.srv.URL+"/o/"+e.org+"/search?q=a&type=robot", nil)
	req.Header.Set("HX-Request", "true")
	f = b.do(req).must(t, http.StatusOK)
	if !strings.Contains(f.Body, `id="search-error"`) {
		t.Errorf("htmx request with a bad type: want the message:\n%s", f.Body)
	}
}

// searchDemoID finds a demo persona's id by name.
func (e *webEnv) searchDemoID(name string) string {
	e.t.Helper()
	page, err := e.svc.ListPersonas(context.Background(), e.actor(e.owner), e.org, persona.PersonaFilter{Limit: 200}, "")
	if err != nil {
		e.t.Fatal(err)
	}
	for _, p := range page.Items {
		if p.Name == name {
			return p.ID
		}
	}
	e.t.Fatalf("no demo persona %q", name)
	return ""
}
