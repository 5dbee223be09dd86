package web_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/web"
)

var shareTokenRE = regexp.MustCompile(`/s/(pps_[A-Za-z0-9_-]{20,})`)

// shareThroughForm makes a share link as a member does, through the form,
// and returns its path (/s/<token>).
func shareThroughForm(t *testing.T, b *browser, org string, form url.Values) string {
	t.Helper()
	p := b.post("/o/"+org+"/shares", form).must(t, http.StatusCreated)
	m := shareTokenRE.FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("no share link on the page:\n%s", p.Body)
	}
	return "/s/" + m[1]
}

// A persona shared with a lens: the audience, without a session, sees the
// visible sections and none of the hidden section's, the hidden field's or
// the sensitive field's values; the link is listed with its views; revoked,
// it is not found.
func TestShareLinkShowsOnlyWhatTheLensLetsThrough(t *testing.T) {
	e := newWebEnv(t)
	lead := e.demoPersona("System Lead")
	owner := e.signedIn(e.owner)

	form := owner.get("/o/"+e.org+"/shares/new?kind=persona&id="+lead.ID).must(t, http.StatusOK)
	for _, want := range []string{`name="hide_section" value="workflows"`, `name="hide_field" value="goals"`, `id="hide-members" checked`} {
		if !strings.Contains(form.Body, want) {
			t.Errorf("the share form lacks %s", want)
		}
	}
	path := shareThroughForm(t, owner, e.org, url.Values{"kind": {"persona"}, "id": {lead.ID},
		"hide_section": {"workflows"}, "hide_field": {"goals"}, "hide_members": {"1"}})

	audience := e.browser()
	p := audience.get(path).must(t, http.StatusOK)
	for _, want := range []string{"System Lead", "When the overnight matching run fails", "Shared by"} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("the shared page lacks %q", want)
		}
	}
	for _, hidden := range []string{"06:30 check overnight run status", "Close every business day with zero unexplained breaks",
		"/o/" + e.org, "Demo Owner", e.owner.Email} {
		if strings.Contains(p.Body, hidden) {
			t.Errorf("the shared page shows %q", hidden)
		}
	}
	if csp := p.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("a link without embedding sites is framed by %q", csp)
	}

	list := owner.get("/o/"+e.org+"/shares").must(t, http.StatusOK)
	if !strings.Contains(list.Body, "System Lead") || !strings.Contains(list.Body, `data-label="Views">1<`) {
		t.Errorf("the list does not show the link with its one view:\n%s", list.Body)
	}
	ls, err := e.svc.ListShareLinks(context.Background(), e.actor(e.owner), e.org)
	if err != nil || len(ls) != 1 || ls[0].LastOpenedAt == nil {
		t.Fatalf("share links: %+v %v", ls, err)
	}
	owner.post("/o/"+e.org+"/shares/"+ls[0].ID+"/revoke", nil).must(t, http.StatusOK)
	if p := audience.get(path); p.Status != http.StatusNotFound || strings.Contains(p.Body, "System Lead") {
		t.Fatalf("a revoked link answers %d", p.Status)
	}
	if p := audience.get(path + "/export.pdf"); p.Status != http.StatusNotFound {
		t.Fatalf("a revoked link's PDF answers %d", p.Status)
	}
	audit, err := e.svc.ListAudit(context.Background(), e.actor(e.owner), e.org, app.AuditQuery{}, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, a := range audit {
		actions = append(actions, a.Action)
	}
	if !strings.Contains(strings.Join(actions, " "), "share.create") || !strings.Contains(strings.Join(actions, " "), "share.revoke") {
		t.Errorf("the audit log has %v", actions)
	}
}

// A field marked sensitive in the template is never shared, whatever the
// lens; the share form says so.
func TestSensitiveFieldsAreNeverShared(t *testing.T) {
	e := newWebEnv(t)
	ctx := context.Background()
	actor := e.actor(e.owner)
	def := persona.Definition{Sections: []persona.Section{{Key: "deal", Label: "Deal", Fields: []persona.Field{
		{Key: "pitch", Label: "Pitch", Kind: persona.KindText, MaxLength: 200},
		{Key: "budget", Label: "Budget", Kind: persona.KindText, MaxLength: 200, Sensitive: true},
	}}}}
	tmpl, err := e.svc.CreateTemplate(ctx, actor, e.org, app.TemplateInput{Name: "Deal sheet", ProfileType: persona.ProfileMarketing, Definition: &def})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Publish(ctx, actor, e.org, tmpl.ID); err != nil {
		t.Fatal(err)
	}
	p, err := e.svc.CreatePersona(ctx, actor, e.org, app.PersonaInput{Name: "Procurement Head", TemplateID: tmpl.ID, GroupID: e.demoGroups()[0],
		Values: persona.Values{"pitch": "Close faster with fewer breaks", "budget": "EUR 480k ceiling, do not disclose"}})
	if err != nil {
		t.Fatal(err)
	}
	owner := e.signedIn(e.owner)
	form := owner.get("/o/"+e.org+"/shares/new?kind=persona&id="+p.ID).must(t, http.StatusOK)
	if !strings.Contains(form.Body, "sensitive: never shared") {
		t.Error("the form does not say the field is never shared")
	}
	path := shareThroughForm(t, owner, e.org, url.Values{"kind": {"persona"}, "id": {p.ID}})
	page := e.browser().get(path).must(t, http.StatusOK)
	if !strings.Contains(page.Body, "Close faster with fewer breaks") || strings.Contains(page.Body, "EUR 480k") || strings.Contains(page.Body, "Budget") {
		t.Fatalf("the sensitive field leaks, or the visible one is missing:\n%s", page.Body)
	}
}

// A link with a password shows nothing but the password form until the
// password is right; a wrong one is refused; an expired link is not found.
func TestSharePasswordAndExpiry(t *testing.T) {
	e := newWebEnv(t)
	ctx := context.Background()
	lead := e.demoPersona("System Lead")
	actor := e.actor(e.owner)
	_, token, err := e.svc.CreateShareLink(ctx, actor, e.org, app.ShareInput{Kind: persona.ShareOfPersona, SubjectIDs: []string{lead.ID}, Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	path := "/s/" + token
	b := e.browser()
	p := b.get(path)
	if p.Status != http.StatusUnauthorized || !strings.Contains(p.Body, `name="password"`) || strings.Contains(p.Body, "System Lead") {
		t.Fatalf("a locked link: %d\n%s", p.Status, p.Body)
	}
	p = b.post(path, url.Values{"password": {"wrong password"}})
	if p.Status != http.StatusUnauthorized || !strings.Contains(p.Body, "not right") || strings.Contains(p.Body, "System Lead") {
		t.Fatalf("a wrong password: %d\n%s", p.Status, p.Body)
	}
	if p := b.get(path + "/export.pdf"); p.Status != http.StatusNotFound {
		t.Fatalf("a locked link's PDF answers %d", p.Status)
	}
	p = b.post(path, url.Values{"password": {"correct horse battery"}}).must(t, http.StatusOK)
	if !strings.Contains(p.Body, "When the overnight matching run fails") {
		t.Fatalf("the right password does not open the page:\n%s", p.Body)
	}
	if p := b.get(path).must(t, http.StatusOK); !strings.Contains(p.Body, "System Lead") {
		t.Fatal("the unlock is not kept")
	}

	soon := time.Now().Add(1500 * time.Millisecond)
	_, token, err = e.svc.CreateShareLink(ctx, actor, e.org, app.ShareInput{Kind: persona.ShareOfPersona, SubjectIDs: []string{lead.ID}, ExpiresAt: &soon})
	if err != nil {
		t.Fatal(err)
	}
	e.browser().get("/s/"+token).must(t, http.StatusOK)
	time.Sleep(time.Until(soon) + 100*time.Millisecond)
	if p := e.browser().get("/s/" + token); p.Status != http.StatusNotFound || strings.Contains(p.Body, "System Lead") {
		t.Fatalf("an expired link answers %d", p.Status)
	}
}

// Bad input on the share form names the field and keeps what was typed.
func TestShareFormNamesTheBadField(t *testing.T) {
	e := newWebEnv(t)
	lead := e.demoPersona("System Lead")
	owner := e.signedIn(e.owner)
	p := owner.post("/o/"+e.org+"/shares", url.Values{"kind": {"persona"}, "id": {lead.ID}, "title": {"For Big Bank"},
		"password": {"short"}, "frame_ancestors": {"ftp://intranet.example.com"}, "hide_field": {"goals"}})
	if p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("want 422, got %d", p.Status)
	}
	for _, want := range []string{`id="password-err"`, `id="frames-err"`, `value="For Big Bank"`, "ftp://intranet.example.com",
		`name="hide_field" value="goals" checked`} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("the form lacks %s", want)
		}
	}
	viewer := e.signedIn(e.viewer)
	if p := viewer.get("/o/" + e.org + "/shares/new?kind=persona&id=" + lead.ID); p.Status != http.StatusForbidden {
		t.Errorf("a viewer's share form: %d", p.Status)
	}
}

// A link embeddable on named sites says so in frame-ancestors, and the
// oEmbed endpoint describes it with an iframe.
func TestShareEmbedAndOEmbed(t *testing.T) {
	e := newWebEnv(t)
	lead := e.demoPersona("System Lead")
	l, token, err := e.svc.CreateShareLink(context.Background(), e.actor(e.owner), e.org, app.ShareInput{Kind: persona.ShareOfPersona,
		SubjectIDs: []string{lead.ID}, FrameAncestors: []string{"https://intranet.example.com/", "http://localhost:8080"}})
	if err != nil {
		t.Fatal(err)
	}
	p := e.browser().get("/s/"+token+"?embed=1").must(t, http.StatusOK)
	if csp := p.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors https://intranet.example.com http://localhost:8080;") {
		t.Errorf("frame-ancestors: %q (link %v)", csp, l.FrameAncestors)
	}
	o := e.browser().get("/oembed?format=json&url="+url.QueryEscape(e.srv.URL+"/s/"+token)).must(t, http.StatusOK)
	var res struct{ Version, Type, Title, HTML string }
	if err := json.Unmarshal([]byte(o.Body), &res); err != nil {
		t.Fatal(err)
	}
	if res.Version != "1.0" || res.Type != "rich" || res.Title != "System Lead" || !strings.Contains(res.HTML, `/s/`+token+`?embed=1`) {
		t.Errorf("oEmbed: %+v", res)
	}
	if p := e.browser().get("/oembed?url=" + url.QueryEscape(e.srv.URL+"/o/"+e.org)); p.Status != http.StatusNotFound {
		t.Errorf("oEmbed of a page that is not a share link: %d", p.Status)
	}
	if p := e.browser().get("/oembed?format=xml&url=" + url.QueryEscape(e.srv.URL+"/s/"+token)); p.Status != http.StatusNotImplemented {
		t.Errorf("oEmbed as XML: %d", p.Status)
	}
}

// A share link's token reaches its one object and nothing else: every
// route of the web app and the API, asked with the token as the only
// credential (in the path where a route takes one, as a bearer token, as
// a cookie and as a query parameter), with the IDs of the organisation's
// other objects, answers nothing of them: no other persona's name appears
// in any answer, organisation pages send the visitor to sign in (or 404),
// and the API answers 401.
func TestShareTokenReachesNothingElse(t *testing.T) {
	e := newWebEnv(t)
	ctx := context.Background()
	owner := e.actor(e.owner)
	lead := e.demoPersona("System Lead")
	other := e.demoPersona("Compliance Analyst")
	_, token, err := e.svc.CreateShareLink(ctx, owner, e.org, app.ShareInput{Kind: persona.ShareOfPersona, SubjectIDs: []string{lead.ID}})
	if err != nil {
		t.Fatal(err)
	}
	// Both have photos: the link serves its persona's, never the other's.
	for _, p := range []persona.Persona{lead, other} {
		if err := e.svc.SetPersonaPhoto(ctx, owner, e.org, p.ID, photoJPEG(t)); err != nil {
			t.Fatal(err)
		}
	}
	shared := e.browser().get("/s/"+token).must(t, http.StatusOK).Body
	e.browser().get("/s/"+token+"/photo/"+lead.ID).must(t, http.StatusOK)
	page, err := e.svc.ListPersonas(ctx, owner, e.org, persona.PersonaFilter{Limit: 200}, "")
	if err != nil {
		t.Fatal(err)
	}
	var secrets []string
	for _, p := range page.Items {
		if !strings.Contains(shared, p.Name) {
			secrets = append(secrets, p.Name, p.ID)
		}
	}
	if len(secrets) < 10 {
		t.Fatalf("only %d secrets to look for", len(secrets))
	}
	h, err := web.New(e.svc, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	routes := h.Routes()
	var spec struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal([]byte(e.browser().get("/api/openapi.json").must(t, http.StatusOK).Body), &spec); err != nil {
		t.Fatal(err)
	}
	for path, ops := range spec.Paths {
		for method := range ops {
			routes = append(routes, strings.ToUpper(method)+" "+path)
		}
	}
	fill := strings.NewReplacer("{org}", e.org, "{id}", other.ID, "{vid}", other.ID, "{token}", token, "{n}", "1", "{user}", owner.UserID,
		"{kind}", "modules", "{key}", "x", "{link}", token, "{delivery}", "x", "{path...}", "x", "{size}", "96", "{personaID}", other.ID, "{imageID}", persona.ImageID([]byte("x")))
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	walked, sawPhoto, sawImage := 0, false, false
	for _, rt := range routes {
		method, path, _ := strings.Cut(rt, " ")
		target := fill.Replace(path)
		sep := "?"
		if strings.Contains(target, "?") {
			sep = "&"
		}
		req, err := http.NewRequest(method, e.srv.URL+target+sep+"token="+url.QueryEscape(token), strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Cookie", "pp_share="+token+"; pp_session="+token)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		walked++
		for _, s := range secrets {
			if strings.Contains(string(body), s) {
				t.Errorf("%s %s with the share token shows %q", method, target, s)
			}
		}
		ownRoute := strings.HasPrefix(path, "/s/{token}") || path == "/oembed"
		switch {
		case res.StatusCode >= 500:
			t.Errorf("%s %s: %d", method, target, res.StatusCode)
		case strings.HasPrefix(path, "/api/v1/") && res.StatusCode != http.StatusUnauthorized && res.StatusCode != http.StatusNotFound && res.StatusCode != http.StatusMethodNotAllowed:
			t.Errorf("API %s %s with the share token: %d", method, target, res.StatusCode)
		case strings.HasPrefix(path, "/o/{org}") && res.StatusCode < 300:
			t.Errorf("organisation page %s %s opens with the share token: %d", method, target, res.StatusCode)
		case ownRoute && res.StatusCode == http.StatusOK && method == http.MethodGet && path == "/s/{token}" && !strings.Contains(string(body), lead.Name):
			t.Errorf("the shared page itself does not show %s", lead.Name)
		case path == "/s/{token}/photo/{personaID}" && res.StatusCode != http.StatusNotFound:
			t.Errorf("the link serves another persona's photo: %s %d", target, res.StatusCode)
		}
		if path == "/s/{token}/photo/{personaID}" {
			sawPhoto = true
		}
		if path == "/s/{token}/images/{personaID}/{imageID}/{size}" {
			sawImage = true
			if res.StatusCode != http.StatusNotFound {
				t.Errorf("the link serves another persona's picture: %s %d", target, res.StatusCode)
			}
		}
	}
	if walked < 300 {
		t.Fatalf("only %d routes walked", walked)
	}
	if !sawPhoto {
		t.Error("the walk misses /s/{token}/photo/{personaID}")
	}
	if !sawImage {
		t.Error("the walk misses /s/{token}/images/{personaID}/{imageID}/{size}")
	}
}
