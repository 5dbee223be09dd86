package e2e_test

// The accessibility and fit walk of issue 16: every page of the demo, at
// 390 × 844 and 1440 × 900, light and dark, must fit the window's width,
// log no console error and have no serious or critical axe-core violation.
//
// axe-core is vendored as a test fixture (testdata/axe-core-4.14.1.min.js,
// see docs/TESTING.md) and injected with Runtime.evaluate after each load:
// DevTools evaluation is not subject to the page's Content-Security-Policy,
// so the CSP stays as strict as it is in production.

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/store"
	"github.com/personapal/personapal/internal/web"
)

//go:embed testdata/axe-core-4.14.1.min.js
var axeSource string

// walkTimeout bounds the whole walk (every page, four looks each).
const walkTimeout = 12 * time.Minute

// notPages are the GET routes of the router that are no page to look at:
// downloads, fragments and redirects. Every other GET route must be in the
// walk (TestEveryPageFitsAndPassesAxe fails otherwise).
var notPages = map[string]string{
	"/o/{org}/alignment.md":                   "Markdown download",
	"/o/{org}/personas/{id}/export.md":        "Markdown download",
	"/o/{org}/personas/{id}/export.pdf":       "PDF download",
	"/o/{org}/personas/{id}/export.png":       "PNG download",
	"/o/{org}/groups/{id}/export.md":          "Markdown download",
	"/o/{org}/compare/export.md":              "Markdown download",
	"/o/{org}/compare/export.pdf":             "PDF download",
	"/o/{org}/compare/export.png":             "PNG download",
	"/o/{org}/deck.pdf":                       "PDF download (the slides)",
	"/o/{org}/personas/{id}/agent-card.json":  "JSON download (an AI agent's A2A AgentCard)",
	"/o/{org}/personas/{id}/system-prompt.md": "Markdown download (an AI agent's system prompt)",
	"/o/{org}/launchpads/{id}/export.md":      "Markdown download",
	"/o/{org}/catalogue/export.yaml":          "YAML download",
	"/o/{org}/catalogue/export.json":          "JSON download",
	"/o/{org}/evidence/{id}/file":             "the evidence's own file (download or inline view)",
	"/o/{org}/evidence/{id}/targets":          "an htmx fragment (the link-target select of the evidence page)",
	"/o/{org}/notes/{id}":                     "redirects to the page that shows the note",
	"/auth/oidc/start":                        "redirects to the identity provider (no SSO on the demo server: the 404 page, walked below)",
	"/auth/oidc/callback":                     "the identity provider's return address (no SSO on the demo server: the 404 page)",
	"/o/{org}/personas/{id}/presence":         "a Server-Sent Events stream (who else has the persona open), read by the persona page's script",
	"/o/{org}/comments/{id}":                  "redirects to the page that shows the comment",
	"/o/{org}/mentions":                       "JSON for the mention autocomplete (app-comments.js)",
	"/s/{token}/export.pdf":                   "PDF download of a shared page",
	"/s/{token}/export.png":                   "PNG download of a shared page",
	"/oembed":                                 "JSON: the oEmbed description of a share link",
	"/o/{org}/settings/export.json":           "JSON download (the whole organisation)",
	"/o/{org}/settings/export.yaml":           "YAML download (the whole organisation)",
}

// knownViolations would list failures the walk tolerates, keyed "page
// name|check" (check: an axe-core rule id or "sideways"). It is empty: every
// page passes. An entry is for a change in flight only, and must name why.
var knownViolations = map[string]string{}

// pageCase is one page of the walk.
type pageCase struct {
	name  string // how the table and the failures name it
	route string // the router pattern it covers, without the method
	path  string // what the browser opens
}

// look is one way of looking at a page.
type look struct {
	width, height int64
	scheme        string
}

// colourRules are the axe-core rules whose outcome depends on the colour
// scheme. The dark looks run only these: the document and its layout are
// the same in both schemes (the light looks run every rule).
var colourRules = []string{"color-contrast", "link-in-text-block"}

var looks = []look{{390, 844, "light"}, {390, 844, "dark"}, {1440, 900, "light"}, {1440, 900, "dark"}}

func (l look) String() string { return fmt.Sprintf("%d %s", l.width, l.scheme) }

// axeFinding is one serious or critical axe-core violation.
type axeFinding struct {
	ID      string   `json:"id"`
	Impact  string   `json:"impact"`
	Help    string   `json:"help"`
	Nodes   int      `json:"nodes"`
	Targets []string `json:"targets"`
	Detail  string   `json:"detail"` // what axe-core says of the first element
}

// lookResult is what one look at one page found.
type lookResult struct {
	Over       int          `json:"over"`    // how far the document is wider than the window (px)
	Width      int          `json:"width"`   // the window's width
	Outside    []string     `json:"outside"` // the first elements past the window's right edge
	Violations []axeFinding `json:"violations"`
	Lesser     []string     `json:"lesser"` // moderate and minor violations: logged, not failed
}

// checkLook sizes the window, sets the colour scheme (and reduced motion,
// so that no colour transition is caught half-way), waits two frames, then
// measures the width and runs axe-core.
func checkLook(l look) chromedp.Action[lookResult] {
	return func(ctx context.Context, t *chromedp.Target) (lookResult, error) {
		var r lookResult
		if _, err := chromedp.EmulateViewport(l.width, l.height)(ctx, t); err != nil {
			return r, err
		}
		if _, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{
				{Name: "prefers-color-scheme", Value: l.scheme},
				{Name: "prefers-reduced-motion", Value: "reduce"},
			}}); err != nil {
			return r, err
		}
		raw, err := chromedp.Evaluate[string](call(`(async (colourOnly, colourRules) => {
			if (typeof axe === "undefined") throw new Error("axe-core is not loaded on this page");
			await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
			const over = document.documentElement.scrollWidth - window.innerWidth;
			// What sticks out: the innermost elements past the right edge.
			const name = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
				[...el.classList].slice(0, 2).map(c => "." + c).join("");
			const out = over <= 0 ? [] : [...document.body.querySelectorAll("*")].filter(el => {
				const r = el.getBoundingClientRect();
				if (r.width === 0 || r.right <= window.innerWidth + 1) return false;
				if ([...el.children].some(c => c.getBoundingClientRect().right > window.innerWidth + 1)) return false;
				for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
					if (getComputedStyle(a).overflowX !== "visible") return false; // clipped or scrolled inside
				}
				return true;
			}).slice(0, 3).map(el => name(el.parentElement) + " > " + name(el) + " (right " + Math.round(el.getBoundingClientRect().right) + "px)");
			const opts = {resultTypes: ["violations"]};
			if (colourOnly) opts.runOnly = {type: "rule", values: colourRules};
			const res = await axe.run(document, opts);
			const lesser = res.violations.filter(v => v.impact !== "serious" && v.impact !== "critical")
				.map(v => v.impact + " " + v.id + "\t" + v.nodes.slice(0, 2).map(n => n.target.join(" ")).join(" | "));
			const violations = res.violations
				.filter(v => v.impact === "serious" || v.impact === "critical")
				.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length,
					targets: v.nodes.slice(0, 4).map(n => n.target.join(" ")),
					detail: (v.nodes[0].any.concat(v.nodes[0].all, v.nodes[0].none)[0] || {}).message || ""}));
			return JSON.stringify({over, width: window.innerWidth, outside: out, violations, lesser});
		})`, l.scheme == "dark", colourRules), chromedp.EvalAwaitPromise)(ctx, t)
		if err != nil {
			return r, err
		}
		return r, json.Unmarshal([]byte(raw), &r)
	}
}

// injectAxe loads axe-core into the page that is open now.
func injectAxe() action {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Evaluate[bool](axeSource+"\n;typeof axe === 'object'")(ctx, t)
		return err
	})
}

// routerPages lists the router's GET patterns (without the method), from
// a web application built in-process on an empty database.
func routerPages(t *testing.T) []string {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "routes.db"))
	if err != nil {
		t.Fatalf("open a database for the route list: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	h, err := web.New(app.New(db, app.WithLogger(log)), log)
	if err != nil {
		t.Fatalf("build the web application for the route list: %v", err)
	}
	var out []string
	for _, p := range h.Routes() {
		method, path, _ := strings.Cut(p, " ")
		if method == http.MethodGet {
			out = append(out, path)
		}
	}
	if len(out) < 40 {
		t.Fatalf("the router lists only %d GET routes: %q", len(out), out)
	}
	return out
}

// demoIDs are the ids of the demo's objects that the pages need.
type demoIDs struct {
	ux, buyer, archetype, agent, second string // personas
	group, evidence, launchpad, variant string
	templates                           map[string]string // profile type → id
	catalogueKind, catalogueKey         string
	webhook                             string
	proposal                            string
	shares                              []pageCase // the audience's pages of share links
	picture                             string     // a persona with an image field (fieldimages_test.go)
}

func findDemoIDs(t *testing.T) demoIDs {
	t.Helper()
	org := "/api/v1/orgs/" + env.org
	var ids demoIDs
	ids.ux, ids.second = personaID(t, "System Lead"), personaID(t, "Compliance Analyst")
	ids.buyer = personaID(t, "Head of Operations (buyer)")
	ids.archetype = personaID(t, "Big Bank")
	ids.agent = personaID(t, "Reconciliation Assistant")
	ids.group = findGroup(t, "Product users")

	var tpls struct {
		Items []struct {
			ID          string `json:"id"`
			ProfileType string `json:"profile_type"`
		} `json:"items"`
	}
	apiDo(t, "GET", org+"/templates", nil, &tpls)
	ids.templates = map[string]string{}
	for _, it := range tpls.Items {
		if _, seen := ids.templates[it.ProfileType]; !seen {
			ids.templates[it.ProfileType] = it.ID
		}
	}
	var list struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	apiDo(t, "GET", org+"/evidence?kind=document&limit=1", nil, &list)
	if len(list.Items) == 0 {
		t.Fatal("the demo has no evidence document")
	}
	ids.evidence = list.Items[0].ID
	apiDo(t, "GET", org+"/launchpads", nil, &list)
	if len(list.Items) == 0 {
		t.Fatal("the demo has no saved Launchpad")
	}
	ids.launchpad = list.Items[0].ID
	apiDo(t, "GET", org+"/personas/"+ids.ux+"/variants", nil, &list)
	if len(list.Items) == 0 {
		t.Fatal("System Lead has no variant in the demo")
	}
	ids.variant = list.Items[0].ID
	// A work link on System Lead, so that the persona page walks a filled
	// "Work for this persona" (once, however many walks share the server).
	apiDo(t, "GET", org+"/personas/"+ids.ux+"/work", nil, &list)
	if len(list.Items) == 0 {
		apiDo(t, "POST", org+"/personas/"+ids.ux+"/work", map[string]string{
			"url": "https://acme.atlassian.net/browse/PP-142", "title": "Reconciliation queue: bulk approve for System Leads"}, nil)
	}
	var cat struct {
		Modules []struct {
			Key string `json:"key"`
		} `json:"modules"`
	}
	apiDo(t, "GET", org+"/catalogue", nil, &cat)
	if len(cat.Modules) == 0 {
		t.Fatal("the demo catalogue has no module")
	}
	ids.catalogueKind, ids.catalogueKey = "modules", cat.Modules[0].Key

	// An organisation note, so that the notes page shows one.
	var notes struct {
		Items []json.RawMessage `json:"items"`
	}
	apiDo(t, "GET", org+"/notes", nil, &notes)
	if len(notes.Items) == 0 {
		apiDo(t, "POST", org+"/notes", map[string]any{"body": "Review the **buyer** personas before the spring launch."}, nil)
	}

	// A webhook endpoint with a test delivery, so that its log shows one.
	// The .invalid name never resolves: nothing leaves the machine.
	var hooks struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	apiDo(t, "GET", org+"/webhooks", nil, &hooks)
	if len(hooks.Items) == 0 {
		var hook struct {
			ID string `json:"id"`
		}
		apiDo(t, "POST", org+"/webhooks", map[string]any{"url": "https://hooks.example.invalid/personapal/events",
			"description": "CRM sync", "event_types": []string{"persona.created", "persona.updated", "comment.created"}}, &hook)
		apiDo(t, "POST", org+"/webhooks/"+hook.ID+"/test", nil, nil)
		hooks.Items = append(hooks.Items, hook)
	}
	ids.webhook = hooks.Items[0].ID
	// An open proposal, so that the proposal pages show one.
	var second map[string]any
	apiDo(t, "GET", org+"/personas/"+ids.second, nil, &second)
	second["summary"] = "Checks every control before the auditors arrive"
	var pr struct {
		ID string `json:"id"`
	}
	apiDo(t, "POST", org+"/personas/"+ids.second+"/proposals", map[string]any{"persona": second, "message": "Sharper, from the March interviews"}, &pr)
	ids.proposal = pr.ID
	// Comment threads on the UX persona (the whole persona, a field, a
	// reply, a resolved thread), so that its page is walked with them.
	var threads struct {
		Items []json.RawMessage `json:"items"`
	}
	apiDo(t, "GET", org+"/personas/"+ids.ux+"/comments", nil, &threads)
	if len(threads.Items) == 0 {
		var c struct {
			ID string `json:"id"`
		}
		apiDo(t, "POST", org+"/personas/"+ids.ux+"/comments", map[string]any{"body": "Do the **November** interviews still back this profile?"}, &c)
		apiDo(t, "POST", org+"/personas/"+ids.ux+"/comments", map[string]any{"body": "Yes, for the two banks we visited.", "parent_id": c.ID}, nil)
		apiDo(t, "POST", org+"/personas/"+ids.ux+"/comments", map[string]any{"body": "This reads like a wish list, not goals.", "field": "goals"}, nil)
		apiDo(t, "POST", org+"/personas/"+ids.ux+"/comments", map[string]any{"body": "Typo in the second goal.", "field": "goals"}, &c)
		apiDo(t, "POST", org+"/comments/"+c.ID+"/resolve", nil, nil)
	}
	// Share links of each kind, and one with a password, for the
	// audience's pages (walked signed out).
	share := func(name string, body map[string]any) {
		var out struct{ Path string }
		apiDo(t, "POST", org+"/shares", body, &out)
		ids.shares = append(ids.shares, pageCase{name, "/s/{token}", out.Path})
	}
	share("shared persona", map[string]any{"kind": "persona", "subject_ids": []string{ids.ux}, "lens": map[string]any{"hidden_sections": []string{"workflows"}}})
	share("shared buyer persona", map[string]any{"kind": "persona", "subject_ids": []string{ids.buyer}})
	share("shared variant", map[string]any{"kind": "variant", "subject_ids": []string{ids.variant}})
	share("shared comparison", map[string]any{"kind": "comparison", "subject_ids": []string{ids.ux, ids.second, ids.agent}})
	share("shared launchpad", map[string]any{"kind": "launchpad", "subject_ids": []string{ids.launchpad}})
	share("shared: password", map[string]any{"kind": "persona", "subject_ids": []string{ids.ux}, "password": "walk-password-1"})
	return ids
}

// orgPages are the pages of the demo organisation, seen by its owner.
func orgPages(ids demoIDs) []pageCase {
	add := func(name, route, rest string) pageCase {
		return pageCase{name: name, route: route, path: orgPath(rest)}
	}
	pages := []pageCase{
		add("home", "/o/{org}", ""),
		add("home: review filter", "/o/{org}", "?review=overdue"),
		add("groups", "/o/{org}/groups", "/groups"),
		add("import", "/o/{org}/import", "/import?group="+ids.group),
		add("relations", "/o/{org}/relations", "/relations"),
		add("group", "/o/{org}/groups/{id}", "/groups/"+ids.group),
		add("group evidence", "/o/{org}/groups/{id}/evidence", "/groups/"+ids.group+"/evidence"),
		add("persona ux", "/o/{org}/personas/{id}", "/personas/"+ids.ux),
		add("persona buyer", "/o/{org}/personas/{id}", "/personas/"+ids.buyer),
		add("persona archetype", "/o/{org}/personas/{id}", "/personas/"+ids.archetype),
		add("persona agent", "/o/{org}/personas/{id}", "/personas/"+ids.agent),
		add("persona new", "/o/{org}/personas/new", "/personas/new?group="+ids.group),
		add("persona with a picture field", "/o/{org}/personas/{id}", "/personas/"+ids.picture),
		add("picture field", "/o/{org}/personas/{id}/images/{key}", "/personas/"+ids.picture+"/images/desk"),
		add("persona edit", "/o/{org}/personas/{id}/edit", "/personas/"+ids.ux+"/edit"),
		add("history", "/o/{org}/personas/{id}/history", "/personas/"+ids.ux+"/history"),
		add("persona evidence", "/o/{org}/personas/{id}/evidence", "/personas/"+ids.ux+"/evidence"),
		add("evidence attach", "/o/{org}/personas/{id}/evidence/attach", "/personas/"+ids.ux+"/evidence/attach?target=values.pain_points"),
		add("evidence attach: choose a field", "/o/{org}/personas/{id}/evidence/attach", "/personas/"+ids.ux+"/evidence/attach"),
		add("persona alignment", "/o/{org}/personas/{id}/alignment", "/personas/"+ids.buyer+"/alignment"),
		add("variant", "/o/{org}/variants/{vid}", "/variants/"+ids.variant),
		add("variant edit", "/o/{org}/variants/{vid}/edit", "/variants/"+ids.variant+"/edit"),
		add("variant new", "/o/{org}/personas/{id}/variants/new", "/personas/"+ids.second+"/variants/new?customer="+url.QueryEscape(ids.archetype)),
		add("base vs variants", "/o/{org}/personas/{id}/variants/compare", "/personas/"+ids.ux+"/variants/compare"),
		add("customer", "/o/{org}/customers/{id}", "/customers/"+ids.archetype),
		add("compare picker", "/o/{org}/compare", "/compare"),
		add("compare two", "/o/{org}/compare", "/compare?ids="+ids.ux+"&ids="+ids.second),
		add("slides", "/o/{org}/deck", "/deck?ids="+ids.ux+","+ids.buyer),
		add("search", "/o/{org}/search", "/search?q=audit"),
		add("alignment report", "/o/{org}/alignment", "/alignment"),
		add("evidence library", "/o/{org}/evidence", "/evidence"),
		add("evidence coverage", "/o/{org}/evidence/coverage", "/evidence/coverage"),
		add("evidence item", "/o/{org}/evidence/{id}", "/evidence/"+ids.evidence),
		add("evidence edit", "/o/{org}/evidence/{id}/edit", "/evidence/"+ids.evidence+"/edit"),
		add("launchpads", "/o/{org}/launchpads", "/launchpads"),
		add("launchpad new", "/o/{org}/launchpads/new", "/launchpads/new?archetype="+ids.archetype),
		add("launchpad", "/o/{org}/launchpads/{id}", "/launchpads/"+ids.launchpad),
		add("launchpad print", "/o/{org}/launchpads/{id}/print", "/launchpads/"+ids.launchpad+"/print"),
		add("launchpad regenerate", "/o/{org}/launchpads/{id}/regenerate", "/launchpads/"+ids.launchpad+"/regenerate"),
		add("catalogue", "/o/{org}/catalogue", "/catalogue"),
		add("catalogue item", "/o/{org}/catalogue/{kind}/{key}", "/catalogue/"+ids.catalogueKind+"/"+ids.catalogueKey),
		add("catalogue new", "/o/{org}/catalogue/{kind}/new", "/catalogue/"+ids.catalogueKind+"/new"),
		add("templates", "/o/{org}/templates", "/templates"),
		add("members", "/o/{org}/members", "/members"),
		add("notes", "/o/{org}/notes", "/notes"),
		add("trash", "/o/{org}/trash", "/trash"),
		add("possible duplicates", "/o/{org}/duplicates", "/duplicates"),
		add("merge", "/o/{org}/personas/{id}/merge", "/personas/"+ids.ux+"/merge?with="+ids.second),
		add("audit", "/o/{org}/audit", "/audit"),
		add("reviews", "/o/{org}/reviews", "/reviews"),
		add("usage", "/o/{org}/usage", "/usage"),
		add("notifications", "/o/{org}/notifications", "/notifications"),
		add("proposals", "/o/{org}/proposals", "/proposals"),
		add("proposals withdrawn (empty)", "/o/{org}/proposals", "/proposals?status=withdrawn"),
		add("persona proposals", "/o/{org}/personas/{id}/proposals", "/personas/"+ids.second+"/proposals"),
		add("proposal", "/o/{org}/proposals/{id}", "/proposals/"+ids.proposal),
		add("propose", "/o/{org}/personas/{id}/propose", "/personas/"+ids.second+"/propose"),
		add("org settings", "/o/{org}/settings", "/settings"),
		add("org export and import", "/o/{org}/settings/transfer", "/settings/transfer"),
		add("sso settings", "/o/{org}/sso", "/sso"),
		add("webhooks", "/o/{org}/webhooks", "/webhooks"),
		add("webhook", "/o/{org}/webhooks/{id}", "/webhooks/"+ids.webhook),
		add("share links", "/o/{org}/shares", "/shares"),
		add("share persona", "/o/{org}/shares/new", "/shares/new?kind=persona&id="+ids.ux),
		add("share launchpad", "/o/{org}/shares/new", "/shares/new?kind=launchpad&id="+ids.launchpad),
		add("404 in the organisation", "/o/{org}/personas/{id}", "/personas/00000000-0000-0000-0000-000000000000"),
	}
	types := make([]string, 0, len(ids.templates))
	for typ := range ids.templates {
		types = append(types, typ)
	}
	sort.Strings(types)
	for _, typ := range types {
		id := ids.templates[typ]
		pages = append(pages,
			add("builder "+typ, "/o/{org}/templates/{id}", "/templates/"+id),
			add("template preview "+typ, "/o/{org}/templates/{id}/preview", "/templates/"+id+"/preview"),
			add("template versions "+typ, "/o/{org}/templates/{id}/versions", "/templates/"+id+"/versions"))
	}
	pages = append(pages, add("template upgrade", "/o/{org}/templates/{id}/upgrade", "/templates/"+ids.templates["ux"]+"/upgrade?persona="+ids.ux))
	return pages
}

// accountPages are the signed-in pages outside any organisation.
var accountPages = []pageCase{
	{"account", "/account", "/account"},
	{"tokens", "/account/tokens", "/account/tokens"},
	{"new organisation", "/orgs/new", "/orgs/new"},
}

// signedOutPages need no session. The mail links with a valid token come
// from the outbox (see the walk); these are their error pages.
var signedOutPages = []pageCase{
	{"login", "/login", "/login"},
	{"signup", "/signup", "/signup"},
	{"forgot", "/forgot", "/forgot"},
	{"reset bad link", app.ResetPath, app.ResetPath + "?token=not-a-token"},
	{"verify", "/signup/verify", "/signup/verify?token=not-a-token"},
	{"invite bad link", app.InvitationPath, app.InvitationPath + "?token=not-a-token"},
	{"email confirm bad link", app.EmailChangePath, app.EmailChangePath + "?token=not-a-token"},
	{"setup (done)", "/setup", "/setup"},
}

// walkResult is one page's row of the table.
type walkResult struct {
	page    pageCase
	looks   []string // one cell per look: "ok" or what failed
	elapsed time.Duration
}

// walker runs the looks at each page in one tab and gathers every failure.
type walker struct {
	b        *browser
	rows     []walkResult
	failures []string // not allowed
	known    map[string]bool
	only     *regexp.Regexp      // PERSONAPAL_WALK_ONLY: walk only the pages whose name matches
	lesser   map[string][]string // moderate or minor violation → the pages (and looks) that have it
	shots    string              // PERSONAPAL_WALK_SHOTS: a folder for a window screenshot of every look
}

func (w *walker) fail(p pageCase, check, msg string) {
	key := p.name + "|" + check
	if _, ok := knownViolations[key]; ok {
		w.known[key] = true
		w.b.t.Logf("known (owned by another change): %s: %s", key, msg)
		return
	}
	w.failures = append(w.failures, fmt.Sprintf("%s (%s): %s", p.name, p.path, msg))
}

// visit opens the page, injects axe-core and looks at it four ways.
func (w *walker) visit(p pageCase, wait string) {
	t := w.b.t
	t.Helper()
	if w.only != nil && !w.only.MatchString(p.name) {
		return
	}
	start := time.Now()
	row := walkResult{page: p}
	ctx, cancel := context.WithTimeout(w.b.ctx, 90*time.Second)
	defer cancel()
	err := chromedp.Do(ctx, chromedp.EmulateViewport(1440, 900), open(p.path))
	if err == nil && wait != "" {
		err = chromedp.Do(ctx, present(wait, 1))
	}
	if err == nil {
		err = chromedp.Do(ctx, injectAxe())
	}
	if err != nil {
		w.failures = append(w.failures, fmt.Sprintf("%s (%s): could not open it: %v", p.name, p.path, err))
		row.looks = []string{"not opened"}
		w.rows = append(w.rows, row)
		return
	}
	for _, l := range looks {
		r, err := chromedp.Run(ctx, checkLook(l))
		if err != nil {
			w.failures = append(w.failures, fmt.Sprintf("%s (%s) at %s: %v", p.name, p.path, l, err))
			row.looks = append(row.looks, "error")
			continue
		}
		if w.shots != "" {
			if png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot()); err == nil {
				name := unsafeName.ReplaceAllString(fmt.Sprintf("%s-%d-%s.png", p.name, l.width, l.scheme), "_")
				_ = os.WriteFile(filepath.Join(w.shots, name), png, 0o644)
			}
		}
		for _, v := range r.Lesser {
			rule, where, _ := strings.Cut(v, "\t")
			w.lesser[rule] = append(w.lesser[rule], fmt.Sprintf("%s at %s (%s)", p.name, l, where))
		}
		var cell []string
		mark := func(check string) string { // * : known, owned by another change
			if _, ok := knownViolations[p.name+"|"+check]; ok {
				return "*"
			}
			return ""
		}
		if r.Over > 0 {
			cell = append(cell, fmt.Sprintf("+%dpx%s", r.Over, mark("sideways")))
			w.fail(p, "sideways", fmt.Sprintf("at %s the document is %dpx wider than the %dpx window: %s", l, r.Over, r.Width, strings.Join(r.Outside, "; ")))
		}
		for _, v := range r.Violations {
			cell = append(cell, v.ID+mark(v.ID))
			w.fail(p, v.ID, fmt.Sprintf("at %s axe-core %s %s (%d element(s)): %s — %s (first: %s)",
				l, v.Impact, v.ID, v.Nodes, v.Help, strings.Join(v.Targets, " | "), v.Detail))
		}
		if len(cell) == 0 {
			cell = []string{"ok"}
		}
		row.looks = append(row.looks, strings.Join(cell, " "))
	}
	// Console errors and dialogs since the last page.
	w.b.mu.Lock()
	problems := append(slices.Clone(w.b.console), w.b.dialogs...)
	w.b.console, w.b.dialogs = nil, nil
	w.b.mu.Unlock()
	if len(problems) > 0 {
		w.failures = append(w.failures, fmt.Sprintf("%s (%s): the page logged errors: %s", p.name, p.path, strings.Join(problems, "; ")))
		row.looks = append(row.looks, "console errors")
	}
	row.elapsed = time.Since(start)
	w.rows = append(w.rows, row)
}

// table renders the per-page results.
func (w *walker) table() string {
	var s strings.Builder
	fmt.Fprintf(&s, "%-28s %-18s %-18s %-18s %-18s %s\n", "page", looks[0], looks[1], looks[2], looks[3], "time")
	for _, r := range w.rows {
		cells := slices.Clone(r.looks)
		for len(cells) < 4 {
			cells = append(cells, "")
		}
		fmt.Fprintf(&s, "%-28s %-18s %-18s %-18s %-18s %.1fs", r.page.name, cells[0], cells[1], cells[2], cells[3], r.elapsed.Seconds())
		if len(cells) > 4 {
			fmt.Fprintf(&s, " %s", strings.Join(cells[4:], " "))
		}
		s.WriteString("\n")
	}
	return s.String()
}

// operator creates a user who operates the server (and belongs to no
// organisation) with the CLI.
func operator(t *testing.T, email, password string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, env.bin, "user", "create", "--db", env.db, "--email", email,
		"--name", "Walk Operator", "--password", password, "--operator").CombinedOutput()
	if err != nil {
		t.Fatalf("personapal user create --operator: %v\n%s", err, out)
	}
}

// askForReset posts the "forgot password" form as a browser would.
func askForReset(t *testing.T, email string) {
	t.Helper()
	resp, err := http.PostForm(env.base+"/forgot", url.Values{"email": {email}})
	if err != nil {
		t.Fatalf("POST /forgot: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode >= 400 {
		t.Fatalf("POST /forgot: %s", resp.Status)
	}
}

// signInAs signs in through the form, from any page.
func signInAs(email, password string) action {
	return chromedp.Steps(
		open("/login"), present("#email", 1),
		typeInto("#email", email), typeInto("#password", password),
		follow(`form[action="/login"] button[type="submit"]`))
}

// mailLink opens the outbox, finds the newest message to addr and returns
// its first link containing want.
func mailLink(b *browser, addr, want string) (msgPath, link string) {
	b.t.Helper()
	b.step("find the message to "+addr+" in the outbox", open("/admin/outbox"), present("#outbox", 1))
	msgPath = run(b, "read the outbox", chromedp.Evaluate[string](call(`(to) => {
		const row = [...document.querySelectorAll("#outbox tbody tr")].find(tr => tr.querySelector('[data-label="To"]').textContent.trim() === to);
		return row ? row.querySelector("th a").getAttribute("href") : "";
	}`, addr)))
	if msgPath == "" {
		b.fail("read the outbox", "no message to "+addr)
	}
	b.step("open the message to "+addr, open(msgPath), present("#message-links a", 1))
	link = run(b, "read its link", chromedp.Evaluate[string](call(`(want) => {
		const a = [...document.querySelectorAll("#message-links a")].find(a => a.href.includes(want));
		return a ? a.href : "";
	}`, want)))
	if link == "" {
		b.fail("read its link", "no link with "+want+" in the message to "+addr)
	}
	u, err := url.Parse(link)
	if err != nil {
		b.fail("read its link", err.Error())
	}
	return msgPath, u.RequestURI()
}

// Every page of the demo fits 390 and 1440 px, light and dark, logs no
// console error, and has no serious or critical axe-core violation. The
// walk covers every GET page route of the router.
func TestEveryPageFitsAndPassesAxe(t *testing.T) {
	started := time.Now()
	b := newBrowser(t)
	ctx, cancel := context.WithTimeout(b.tab, walkTimeout)
	t.Cleanup(cancel)
	b.ctx = ctx
	w := &walker{b: b, known: map[string]bool{}, lesser: map[string][]string{}}
	if dir := os.Getenv("PERSONAPAL_WALK_SHOTS"); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		w.shots = dir
	}
	if re := os.Getenv("PERSONAPAL_WALK_ONLY"); re != "" {
		w.only = regexp.MustCompile(re)
	}

	id := unique("")
	opEmail, opPassword := "walk-op-"+id+"@example.com", "walk-operator-"+id
	operator(t, opEmail, opPassword)
	invitee := "walk-invitee-" + id + "@example.com"
	apiDo(t, "POST", "/api/v1/orgs/"+env.org+"/invitations", map[string]any{"email": invitee, "role": "viewer"}, nil)
	askForReset(t, opEmail)
	ids := findDemoIDs(t)
	ids.picture = picturePersona(t) // fieldimages_test.go

	// 1. The operator: the outbox, the page of a user without an
	// organisation, and the mail links to open signed out.
	b.step("sign in as an operator", signInAs(opEmail, opPassword), atPath(`^/$`))
	w.visit(pageCase{"home without organisation", "/{$}", "/"}, "")
	w.visit(pageCase{"outbox", "/admin/outbox", "/admin/outbox"}, "#outbox")
	inviteMsg, inviteLink := mailLink(b, invitee, app.InvitationPath+"?")
	_, resetLink := mailLink(b, opEmail, app.ResetPath+"?")
	w.visit(pageCase{"outbox message", "/admin/outbox/{id}", inviteMsg}, "#message-links")

	// 2. Signed out.
	b.step("sign out", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, network.ClearBrowserCookies, cdp.Empty{})
		return err
	}))
	for _, p := range signedOutPages {
		w.visit(p, "main")
	}
	for _, p := range ids.shares {
		w.visit(p, "main")
	}
	w.visit(pageCase{"invite", app.InvitationPath, inviteLink}, "main form")
	w.visit(pageCase{"reset", app.ResetPath, resetLink}, "main form")

	// 3. The demo owner: their account and the organisation.
	b.step("sign in as the demo owner", signInAs(env.email, env.password), atPath("^"+regexp.QuoteMeta(orgPath(""))+"$"))
	for _, p := range accountPages {
		w.visit(p, "main")
	}
	for _, p := range orgPages(ids) {
		w.visit(p, "main")
	}

	t.Logf("per page (+Npx: wider than the window; rule ids: serious or critical axe-core violations; *: known, owned by another change):\n%s", w.table())
	t.Logf("walked %d pages × %d looks in %s", len(w.rows), len(looks), time.Since(started).Round(time.Second))

	if len(w.lesser) > 0 {
		keys := slices.Sorted(maps.Keys(w.lesser))
		var s strings.Builder
		for _, k := range keys {
			fmt.Fprintf(&s, "  %s:\n      %s\n", k, strings.Join(w.lesser[k], "\n      "))
		}
		t.Logf("moderate and minor axe-core violations (not failed):\n%s", s.String())
	}
	for _, f := range w.failures {
		t.Error(f)
	}
	if w.only != nil {
		t.Logf("PERSONAPAL_WALK_ONLY=%s: the route coverage is not checked", w.only)
		return
	}
	// Every GET route of the router is walked or named as no page.
	walked := map[string]bool{}
	for _, r := range w.rows {
		walked[r.page.route] = true
	}
	routes := routerPages(t)
	for _, r := range routes {
		if !walked[r] && notPages[r] == "" {
			t.Errorf("GET %s is a route of the router that the walk does not open: add a page for it to pages_test.go (or, if it is no page, to notPages with why)", r)
		}
	}
	for r := range walked {
		if !slices.Contains(routes, r) {
			t.Errorf("the walk names route %s, which the router does not have", r)
		}
	}
	for r, why := range notPages {
		if why != "" && !slices.Contains(routes, r) {
			t.Errorf("notPages names route %s, which the router does not have", r)
		}
	}
	for key := range knownViolations {
		if !w.known[key] {
			t.Logf("knownViolations[%q] is no longer needed: remove it", key)
		}
	}
}
