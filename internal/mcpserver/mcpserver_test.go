package mcpserver_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/demo"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/seed"
	"github.com/personapal/personapal/internal/server"
	"github.com/personapal/personapal/internal/store"
)

// env is the real server (server.New: the JSON API, the web app and /mcp)
// on httptest, over a temporary SQLite file with the demo organisation, a
// viewer, a read-only token of the owner and the owner of another
// organisation.
type env struct {
	t        *testing.T
	ctx      context.Context
	svc      *app.Service
	url      string
	org      string
	ownerAct app.Actor
	owner    string // read-write token of the demo owner
	readOnly string // read-only token of the demo owner
	viewer   string // read-write token of a viewer
	outsider string // token of another organisation's owner
	otherOrg string
}

var cheapHasher = app.PasswordHasher{Time: 1, Memory: 64, Threads: 1}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "mcp.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := app.New(db, app.WithLogger(log), app.WithPasswordHasher(cheapHasher))
	creds, err := seed.Demo(ctx, svc, demo.Data())
	if err != nil {
		t.Fatal(err)
	}
	h, err := server.New(svc, db, log)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	e := &env{t: t, ctx: ctx, svc: svc, url: ts.URL, org: creds.OrgSlug, owner: creds.Token}
	if e.ownerAct, err = svc.Authenticate(ctx, creds.Token); err != nil {
		t.Fatal(err)
	}
	if e.readOnly, _, err = svc.CreateScopedToken(ctx, e.ownerAct, app.TokenOptions{Name: "assistant", Scope: persona.ScopeRead}); err != nil {
		t.Fatal(err)
	}
	viewer, err := svc.CreateUser(ctx, "viewer@example.com", "Vera Viewer", "viewer-password-1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AddMember(ctx, app.System, e.org, viewer.Email, persona.RoleViewer); err != nil {
		t.Fatal(err)
	}
	if e.viewer, _, err = svc.CreateToken(ctx, app.Actor{UserID: viewer.ID}, "test"); err != nil {
		t.Fatal(err)
	}
	out, err := svc.CreateUser(ctx, "outsider@example.com", "Otto Outsider", "outsider-password-1")
	if err != nil {
		t.Fatal(err)
	}
	other, err := svc.CreateOrg(ctx, app.Actor{UserID: out.ID}, "Other Corp", "other-corp")
	if err != nil {
		t.Fatal(err)
	}
	e.otherOrg = other.Slug
	if e.outsider, _, err = svc.CreateToken(ctx, app.Actor{UserID: out.ID}, "test"); err != nil {
		t.Fatal(err)
	}
	return e
}

// bearer adds an API token to every request.
type bearer struct {
	token string
	next  http.RoundTripper
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.next.RoundTrip(r)
}

// connect opens an MCP session over streamable HTTP with the SDK's client.
// query is appended to /mcp ("?org=…" or "").
func (e *env) connect(token, query string) *mcp.ClientSession {
	e.t.Helper()
	cs, err := e.dial(token, query)
	if err != nil {
		e.t.Fatalf("connect: %v", err)
	}
	e.t.Cleanup(func() { cs.Close() })
	return cs
}

func (e *env) dial(token, query string) (*mcp.ClientSession, error) {
	client := mcp.NewClient(&mcp.Implementation{Name: "test-assistant", Version: "1.0"}, nil)
	tr := &mcp.StreamableClientTransport{Endpoint: e.url + "/mcp" + query,
		HTTPClient: &http.Client{Transport: bearer{token, http.DefaultTransport}}, DisableStandaloneSSE: true, MaxRetries: -1}
	return client.Connect(e.ctx, tr, nil)
}

// call calls a tool and returns its result, failing on a protocol error.
func call(t *testing.T, cs *mcp.ClientSession, name string, args map[string]any) *mcp.CallToolResult {
	t.Helper()
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		t.Fatalf("%s: protocol error: %v", name, err)
	}
	return res
}

// ok calls a tool that must succeed and decodes its structured content.
func ok(t *testing.T, cs *mcp.ClientSession, name string, args map[string]any, out any) *mcp.CallToolResult {
	t.Helper()
	res := call(t, cs, name, args)
	if res.IsError {
		t.Fatalf("%s(%v): tool error: %s", name, args, text(res))
	}
	b, err := json.Marshal(res.StructuredContent)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("%s: decode %s: %v", name, b, err)
	}
	return res
}

// toolErr calls a tool that must answer with a tool error and returns its
// message.
func toolErr(t *testing.T, cs *mcp.ClientSession, name string, args map[string]any) string {
	t.Helper()
	res := call(t, cs, name, args)
	if !res.IsError {
		t.Fatalf("%s(%v): want a tool error, got %s", name, args, text(res))
	}
	return text(res)
}

func text(res *mcp.CallToolResult) string {
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String()
}

// demoIDs are real objects of the demo organisation.
type demoIDs struct {
	systemLead, buyer, archetype, variantCustomer, agent string
	personas                                             []persona.Persona
	groups                                               []persona.Group
	templates                                            []persona.Template
	launchpads                                           []persona.Launchpad
}

func (e *env) ids() demoIDs {
	e.t.Helper()
	var d demoIDs
	page, err := e.svc.ListPersonas(e.ctx, e.ownerAct, e.org, persona.PersonaFilter{Limit: 200}, "")
	if err != nil {
		e.t.Fatal(err)
	}
	d.personas = page.Items
	for _, p := range d.personas {
		switch {
		case p.Name == "System Lead":
			d.systemLead = p.ID
		case p.ProfileType == persona.ProfileMarketing && d.buyer == "":
			d.buyer = p.ID
		case p.ProfileType == persona.ProfileArchetype && d.archetype == "":
			d.archetype = p.ID
		case p.ProfileType == persona.ProfileAgent && d.agent == "":
			d.agent = p.ID
		}
	}
	vs, err := e.svc.ListVariants(e.ctx, e.ownerAct, e.org, d.systemLead)
	if err != nil || len(vs) == 0 {
		e.t.Fatalf("the demo's System Lead has no variants (%v)", err)
	}
	d.variantCustomer = vs[0].CustomerName()
	if d.groups, err = e.svc.ListGroups(e.ctx, e.ownerAct, e.org); err != nil {
		e.t.Fatal(err)
	}
	if d.templates, err = e.svc.ListTemplates(e.ctx, e.ownerAct, e.org); err != nil {
		e.t.Fatal(err)
	}
	if d.launchpads, err = e.svc.ListLaunchpads(e.ctx, e.ownerAct, e.org, ""); err != nil || len(d.launchpads) == 0 {
		e.t.Fatalf("the demo has no Launchpad (%v)", err)
	}
	if d.systemLead == "" || d.buyer == "" || d.archetype == "" || d.agent == "" {
		e.t.Fatalf("demo personas missing: %+v", d)
	}
	return d
}

func TestMCPHTTPListsAndReads(t *testing.T) {
	e := newEnv(t)
	d := e.ids()
	cs := e.connect(e.readOnly, "?org="+e.org)

	var names []string
	for tool, err := range cs.Tools(e.ctx, nil) {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, tool.Name)
	}
	for _, want := range []string{"search_personas", "get_persona", "compare_personas", "alignment_gaps", "evidence_for",
		"list_launchpads", "propose_change", "list_organisations"} {
		if !slices.Contains(names, want) {
			t.Errorf("tool %s is not listed: %v", want, names)
		}
	}

	var uris []string
	for r, err := range cs.Resources(e.ctx, nil) {
		if err != nil {
			t.Fatal(err)
		}
		uris = append(uris, r.URI)
	}
	personaURI := "personapal://orgs/" + e.org + "/personas/" + d.systemLead
	for _, want := range []string{personaURI, "personapal://orgs/" + e.org + "/groups/" + d.groups[0].ID,
		"personapal://orgs/" + e.org + "/templates/" + d.templates[0].ID} {
		if !slices.Contains(uris, want) {
			t.Errorf("resource %s is not listed", want)
		}
	}
	if len(uris) != len(d.personas)+len(d.groups)+len(d.templates) {
		t.Errorf("%d resources listed, want %d", len(uris), len(d.personas)+len(d.groups)+len(d.templates))
	}
	var templates []string
	for rt, err := range cs.ResourceTemplates(e.ctx, nil) {
		if err != nil {
			t.Fatal(err)
		}
		templates = append(templates, rt.URITemplate)
	}
	if !slices.Contains(templates, "personapal://orgs/{org}/personas/{id}") {
		t.Errorf("resource templates: %v", templates)
	}

	// A persona reads as Markdown with its template's labels for its type.
	res, err := cs.ReadResource(e.ctx, &mcp.ReadResourceParams{URI: personaURI})
	if err != nil {
		t.Fatal(err)
	}
	md := res.Contents[0].Text
	if res.Contents[0].MIMEType != "text/markdown" || !strings.HasPrefix(md, "# System Lead\n") ||
		!strings.Contains(md, "## Jobs to be done") || !strings.Contains(md, "**Profile type:** UX persona") {
		t.Errorf("persona resource:\n%s", md)
	}
	res, err = cs.ReadResource(e.ctx, &mcp.ReadResourceParams{URI: "personapal://orgs/" + e.org + "/groups/" + d.groups[0].ID})
	if err != nil || !strings.HasPrefix(res.Contents[0].Text, "# "+d.groups[0].Name) {
		t.Errorf("group resource: %v %+v", err, res)
	}
	res, err = cs.ReadResource(e.ctx, &mcp.ReadResourceParams{URI: "personapal://orgs/" + e.org + "/templates/" + d.templates[0].ID})
	if err != nil {
		t.Fatal(err)
	}
	var tmpl struct {
		Name       string             `json:"name"`
		Definition persona.Definition `json:"definition"`
	}
	if err := json.Unmarshal([]byte(res.Contents[0].Text), &tmpl); err != nil || tmpl.Name != d.templates[0].Name || len(tmpl.Definition.Sections) == 0 {
		t.Errorf("template resource: %v %s", err, res.Contents[0].Text)
	}
	// An unknown persona is not found.
	if _, err := cs.ReadResource(e.ctx, &mcp.ReadResourceParams{URI: "personapal://orgs/" + e.org + "/personas/nope"}); err == nil {
		t.Error("an unknown persona was read")
	}
}

func TestMCPHTTPTools(t *testing.T) {
	e := newEnv(t)
	d := e.ids()
	cs := e.connect(e.readOnly, "?org="+e.org)

	// search_personas: ranked hits with snippets; filters; listing.
	type hits struct {
		Results []struct {
			ID          string `json:"id"`
			Name        string `json:"name"`
			ProfileType string `json:"profile_type"`
			Group       string `json:"group"`
			Snippet     string `json:"snippet"`
			URI         string `json:"uri"`
		} `json:"results"`
	}
	var found hits
	ok(t, cs, "search_personas", map[string]any{"query": "mainframe"}, &found)
	if len(found.Results) == 0 || !strings.Contains(found.Results[0].Snippet, "**") {
		t.Fatalf("search: %+v", found)
	}
	found = hits{}
	ok(t, cs, "search_personas", map[string]any{"profile_type": "agent"}, &found)
	if len(found.Results) != 3 {
		t.Errorf("agents: %+v", found)
	}
	for _, r := range found.Results {
		if r.ProfileType != "agent" || r.Group != "AI agents" {
			t.Errorf("agent listing: %+v", r)
		}
	}
	found = hits{}
	ok(t, cs, "search_personas", map[string]any{"query": "bank", "group": "Banking customers"}, &found)
	if len(found.Results) == 0 {
		t.Error("no bank in Banking customers")
	}
	for _, r := range found.Results {
		if r.Group != "Banking customers" {
			t.Errorf("group filter: %+v", r)
		}
	}
	if msg := toolErr(t, cs, "search_personas", map[string]any{"query": "x", "profile_type": "robot"}); !strings.Contains(msg, "profile_type") {
		t.Errorf("bad profile type: %s", msg)
	}
	if msg := toolErr(t, cs, "search_personas", map[string]any{"query": 42}); !strings.Contains(msg, "query") {
		t.Errorf("a number for a query: %s", msg)
	}

	// get_persona: labelled sections; with a customer type, the variant.
	var p struct {
		Name     string `json:"name"`
		Revision int    `json:"revision"`
		Sections []struct {
			Label  string `json:"label"`
			Fields []struct {
				Key   string `json:"key"`
				Value any    `json:"value"`
			} `json:"fields"`
		} `json:"sections"`
		CustomerTypes []string `json:"customer_types"`
		Variant       *struct {
			CustomerType string   `json:"customer_type"`
			Overridden   []string `json:"overridden"`
		} `json:"variant"`
	}
	res := ok(t, cs, "get_persona", map[string]any{"id": d.systemLead}, &p)
	if p.Name != "System Lead" || len(p.Sections) == 0 || p.Variant != nil || !slices.Contains(p.CustomerTypes, d.variantCustomer) {
		t.Fatalf("get_persona: %+v", p)
	}
	if !strings.HasPrefix(text(res), "# System Lead") {
		t.Errorf("get_persona text: %s", text(res))
	}
	// A persona reference (the demo's System Lead works for Big Bank)
	// reads as the target's name, never its ID.
	if md := text(res); !strings.Contains(md, "### Works for\n\nBig Bank\n") || strings.Contains(md, d.archetype) {
		t.Errorf("get_persona does not name the referenced persona: %s", md)
	}
	base := map[string]any{}
	for _, s := range p.Sections {
		for _, f := range s.Fields {
			base[f.Key] = f.Value
		}
	}
	res = ok(t, cs, "get_persona", map[string]any{"id": d.systemLead, "customer_type": strings.ToUpper(d.variantCustomer)}, &p)
	if p.Variant == nil || p.Variant.CustomerType != d.variantCustomer || len(p.Variant.Overridden) == 0 {
		t.Fatalf("variant: %+v", p.Variant)
	}
	changed := false
	for _, s := range p.Sections {
		for _, f := range s.Fields {
			if slices.Contains(p.Variant.Overridden, "values."+f.Key) {
				b1, _ := json.Marshal(base[f.Key])
				b2, _ := json.Marshal(f.Value)
				changed = changed || string(b1) != string(b2)
			}
		}
	}
	if !changed && !slices.ContainsFunc(p.Variant.Overridden, func(s string) bool { return strings.HasPrefix(s, "dimensions.") }) {
		t.Errorf("the variant's overrides are not applied: %+v", p)
	}
	if !strings.Contains(text(res), d.variantCustomer) {
		t.Errorf("variant Markdown does not name the customer: %s", text(res))
	}
	if msg := toolErr(t, cs, "get_persona", map[string]any{"id": d.systemLead, "customer_type": "Nobody Inc"}); !strings.Contains(msg, "no variant") {
		t.Errorf("unknown customer type: %s", msg)
	}
	if msg := toolErr(t, cs, "get_persona", map[string]any{"id": "no-such-id"}); msg != "persona not found" {
		t.Errorf("unknown persona: %q", msg)
	}
	if msg := toolErr(t, cs, "get_persona", map[string]any{}); !strings.Contains(msg, "id") {
		t.Errorf("no id: %q", msg)
	}

	// compare_personas: 2–8 IDs; differing fields and dimensions.
	var cmp struct {
		Personas []struct{ ID string } `json:"personas"`
		Sections []struct {
			Label string `json:"label"`
			Rows  []struct {
				Key    string `json:"key"`
				Values []any  `json:"values"`
			} `json:"rows"`
		} `json:"sections"`
		Dimensions []struct {
			Key    string `json:"key"`
			Values []any  `json:"values"`
		} `json:"dimensions"`
	}
	ux := []string{}
	for _, q := range d.personas {
		if q.ProfileType == persona.ProfileUX && len(ux) < 3 {
			ux = append(ux, q.ID)
		}
	}
	res = ok(t, cs, "compare_personas", map[string]any{"ids": ux}, &cmp)
	if len(cmp.Personas) != 3 || len(cmp.Sections) == 0 || len(cmp.Dimensions) == 0 {
		t.Fatalf("compare: %+v", cmp)
	}
	for _, s := range cmp.Sections {
		for _, r := range s.Rows {
			if len(r.Values) != 3 {
				t.Errorf("row %s: %v", r.Key, r.Values)
			}
		}
	}
	if !strings.Contains(text(res), "|") {
		t.Errorf("compare Markdown: %s", text(res))
	}
	if msg := toolErr(t, cs, "compare_personas", map[string]any{"ids": []string{d.systemLead}}); !strings.Contains(msg, "between 2 and 8") {
		t.Errorf("one persona: %s", msg)
	}
	if msg := toolErr(t, cs, "compare_personas", map[string]any{"ids": []string{d.systemLead, "no-such-id"}}); msg != "persona not found" {
		t.Errorf("unknown persona in a comparison: %q", msg)
	}

	// alignment_gaps: a buyer's claims and divergences.
	var al struct {
		Buyer   struct{ Name string } `json:"buyer"`
		Claims  int                   `json:"claims"`
		Tally   persona.Tally         `json:"tally"`
		Reaches []struct {
			Persona      struct{ Name string } `json:"persona"`
			Contradicted []struct {
				Claim string
				Why   []string
			} `json:"contradicted"`
			Unaddressed []struct{ Claim string } `json:"unaddressed"`
			Divergences []struct{ Key string }   `json:"divergences"`
		} `json:"reaches"`
	}
	buyer := ""
	for _, q := range d.personas {
		if q.Name == "Head of Operations (buyer)" {
			buyer = q.ID
		}
	}
	ok(t, cs, "alignment_gaps", map[string]any{"id": buyer}, &al)
	if al.Claims == 0 || len(al.Reaches) == 0 || al.Tally.Contradicted+al.Tally.Unaddressed+al.Tally.Divergences == 0 {
		t.Fatalf("alignment: %+v", al)
	}
	contradicted := 0
	for _, r := range al.Reaches {
		for _, c := range r.Contradicted {
			contradicted++
			if len(c.Why) == 0 {
				t.Errorf("contradicted claim without a reason: %+v", c)
			}
		}
	}
	if contradicted != al.Tally.Contradicted {
		t.Errorf("%d contradicted claims listed, tally says %d", contradicted, al.Tally.Contradicted)
	}
	ok(t, cs, "alignment_gaps", map[string]any{"id": buyer, "customer_type": "big bank"}, &al)
	if msg := toolErr(t, cs, "alignment_gaps", map[string]any{"id": d.systemLead}); !strings.Contains(msg, "marketing/sales") {
		t.Errorf("alignment of a UX persona: %s", msg)
	}

	// evidence_for: claims with citations; one field.
	var ev struct {
		Coverage persona.CoverageSummary `json:"coverage"`
		Claims   []struct {
			Key       string `json:"key"`
			State     string `json:"state"`
			Citations []struct {
				Title, Stance, Kind string
			} `json:"citations"`
		} `json:"claims"`
	}
	ok(t, cs, "evidence_for", map[string]any{"id": d.systemLead}, &ev)
	cited := ""
	for _, c := range ev.Claims {
		if len(c.Citations) > 0 && cited == "" {
			cited = c.Key
			if c.Citations[0].Title == "" || c.Citations[0].Stance == "" {
				t.Errorf("citation: %+v", c.Citations[0])
			}
		}
	}
	if cited == "" || ev.Coverage.Filled == 0 {
		t.Fatalf("evidence: %+v", ev)
	}
	ok(t, cs, "evidence_for", map[string]any{"id": d.systemLead, "field": cited}, &ev)
	if len(ev.Claims) != 1 || ev.Claims[0].Key != cited || len(ev.Claims[0].Citations) == 0 {
		t.Errorf("one field's evidence: %+v", ev)
	}
	if msg := toolErr(t, cs, "evidence_for", map[string]any{"id": d.systemLead, "field": "no_such_field"}); !strings.Contains(msg, "field") {
		t.Errorf("unknown field: %s", msg)
	}

	// list_launchpads.
	var lps struct {
		Launchpads []struct {
			ID, Name, Archetype string
			Modules             []string
		} `json:"launchpads"`
	}
	ok(t, cs, "list_launchpads", map[string]any{}, &lps)
	if len(lps.Launchpads) != len(d.launchpads) || lps.Launchpads[0].Name == "" || lps.Launchpads[0].Archetype == "" {
		t.Errorf("launchpads: %+v", lps)
	}
}

// A read-only token cannot propose (a tool error, nothing written); a
// read-write one creates a proposal that a person then finds — and the
// persona is unchanged until someone accepts it.
func TestMCPProposeChange(t *testing.T) {
	e := newEnv(t)
	d := e.ids()
	before, err := e.svc.GetPersona(e.ctx, e.ownerAct, e.org, d.systemLead)
	if err != nil {
		t.Fatal(err)
	}
	args := map[string]any{"id": d.systemLead, "message": "The interviews say so",
		"values": map[string]any{"quote": "I want the batch to tell me what broke."}, "base_revision": before.Revision}

	ro := e.connect(e.readOnly, "?org="+e.org)
	if msg := toolErr(t, ro, "propose_change", args); !strings.Contains(msg, "read-only") {
		t.Errorf("read-only token: %s", msg)
	}
	if prs, err := e.svc.ListProposals(e.ctx, e.ownerAct, e.org, ""); err != nil || len(prs) != 0 {
		t.Fatalf("a read-only token wrote a proposal: %v %+v", err, prs)
	}

	rw := e.connect(e.owner, "?org="+e.org)
	if msg := toolErr(t, rw, "propose_change", map[string]any{"id": d.systemLead, "message": "x", "values": map[string]any{"no_such_field": "y"}}); !strings.Contains(msg, "no_such_field") {
		t.Errorf("unknown field: %s", msg)
	}
	if msg := toolErr(t, rw, "propose_change", map[string]any{"id": d.systemLead, "values": map[string]any{"quote": "y"}}); !strings.Contains(msg, "message") {
		t.Errorf("no message: %s", msg)
	}
	var out struct {
		ProposalID string `json:"proposal_id"`
		Status     string `json:"status"`
		Page       string `json:"page"`
	}
	ok(t, rw, "propose_change", args, &out)
	if out.ProposalID == "" || out.Status != "open" || !strings.Contains(out.Page, out.ProposalID) {
		t.Fatalf("proposal: %+v", out)
	}
	prs, err := e.svc.ListProposals(e.ctx, e.ownerAct, e.org, d.systemLead)
	if err != nil || len(prs) != 1 || prs[0].ID != out.ProposalID || prs[0].Content.Values["quote"] != "I want the batch to tell me what broke." ||
		prs[0].Message != "The interviews say so" {
		t.Fatalf("proposals: %v %+v", err, prs)
	}
	after, err := e.svc.GetPersona(e.ctx, e.ownerAct, e.org, d.systemLead)
	if err != nil || after.Revision != before.Revision || after.Values["quote"] != before.Values["quote"] {
		t.Fatalf("the persona changed: %v revision %d → %d", err, before.Revision, after.Revision)
	}
	// A viewer (read-write token) may propose too, as over the API.
	vw := e.connect(e.viewer, "")
	args["values"] = map[string]any{"quote": "A viewer's take."}
	ok(t, vw, "propose_change", args, &out)
}

// Without a token, with a bad one, or for an organisation the token's user
// is not in, /mcp answers before any MCP processing.
func TestMCPHTTPAuthentication(t *testing.T) {
	e := newEnv(t)
	init := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"x","version":"1"}}}`
	for _, c := range []struct {
		name, auth, query string
		want              int
	}{
		{"no token", "", "", 401},
		{"not bearer", "Basic " + e.owner, "", 401},
		{"bad token", "Bearer pp_nope", "", 401},
		{"outsider's org", "Bearer " + e.outsider, "?org=" + e.org, 404},
		{"no such org", "Bearer " + e.owner, "?org=nope", 404},
	} {
		req, _ := http.NewRequest("POST", e.url+"/mcp"+c.query, strings.NewReader(init))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		if c.auth != "" {
			req.Header.Set("Authorization", c.auth)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != c.want || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/problem+json") {
			t.Errorf("%s: %d %s %s", c.name, res.StatusCode, res.Header.Get("Content-Type"), body)
		}
		if c.want == 401 && res.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("%s: no WWW-Authenticate", c.name)
		}
		if strings.Contains(string(body), "jsonrpc") || strings.Contains(string(body), "Ledgerline") {
			t.Errorf("%s: %s", c.name, body)
		}
	}
	if _, err := e.dial("pp_nope", ""); err == nil {
		t.Error("the SDK client connected with a bad token")
	}
	// The good token passes, also behind a reverse proxy on the same
	// machine (a public Host on a loopback address).
	req, _ := http.NewRequest("POST", e.url+"/mcp?org="+e.org, strings.NewReader(init))
	req.Host = "personas.example.com"
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("Authorization", "Bearer "+e.readOnly)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), `"serverInfo"`) {
		t.Fatalf("initialize: %d %s", res.StatusCode, body)
	}
}

// An outsider (the owner of another organisation) walks every tool and
// resource with the first organisation's slug and real IDs: every tool
// answers with an error, every read is not found, and no answer holds a
// name or ID of the first organisation.
func TestMCPOutsiderSeesNothing(t *testing.T) {
	e := newEnv(t)
	d := e.ids()
	secrets := []string{"Ledgerline", "Dana Demo"}
	for _, p := range d.personas {
		secrets = append(secrets, p.ID, p.Name)
	}
	for _, g := range d.groups {
		secrets = append(secrets, g.ID, g.Name)
	}
	for _, tm := range d.templates {
		secrets = append(secrets, tm.ID)
	}
	for _, l := range d.launchpads {
		secrets = append(secrets, l.ID, l.Name)
	}
	leaks := func(where, s string) {
		t.Helper()
		for _, secret := range secrets {
			if strings.Contains(s, secret) {
				t.Errorf("%s leaks %q: %s", where, secret, s)
			}
		}
	}

	// The first organisation as the session's default is refused outright.
	if _, err := e.dial(e.outsider, "?org="+e.org); err == nil {
		t.Error("the outsider connected with the first organisation as default")
	}

	cs := e.connect(e.outsider, "")
	ids := []string{d.systemLead, d.buyer}
	walk := map[string][]map[string]any{
		"list_organisations":  {{}},
		"search_personas":     {{"query": "System Lead"}, {"query": "bank", "profile_type": "archetype"}, {}},
		"get_persona":         {{"id": d.systemLead}, {"id": d.systemLead, "customer_type": d.variantCustomer}},
		"compare_personas":    {{"ids": ids}},
		"alignment_gaps":      {{"id": d.buyer}, {"id": d.buyer, "customer_type": d.archetype}},
		"evidence_for":        {{"id": d.systemLead}, {"id": d.systemLead, "field": "goals"}},
		"list_launchpads":     {{}, {"archetype": d.archetype}},
		"propose_change":      {{"id": d.systemLead, "message": "mine now", "values": map[string]any{"quote": "owned"}}},
		"agent_card":          {{"id": d.agent}},
		"agent_system_prompt": {{"id": d.agent}},
	}
	var tools []string
	for tool, err := range cs.Tools(e.ctx, nil) {
		if err != nil {
			t.Fatal(err)
		}
		tools = append(tools, tool.Name)
		if _, ok := walk[tool.Name]; !ok {
			t.Errorf("the outsider walk misses tool %s", tool.Name)
		}
	}
	// With the first organisation's slug every tool answers not found;
	// with the outsider's own (given or by default), the listings find
	// nothing and everything else is not found either.
	ownOrgReads := map[string]bool{"search_personas": true, "list_launchpads": true}
	for _, name := range tools {
		for _, args := range walk[name] {
			orgs := []string{"", e.org, e.otherOrg}
			if name == "list_organisations" {
				orgs = []string{""} // it takes no organisation
			}
			for _, org := range orgs {
				a := map[string]any{}
				for k, v := range args {
					a[k] = v
				}
				if org != "" {
					a["org"] = org
				}
				res := call(t, cs, name, a)
				where := name + " " + mustJSON(a)
				body := text(res) + mustJSON(res.StructuredContent)
				leaks(where, body)
				switch {
				case name == "list_organisations":
					if res.IsError || !strings.Contains(body, e.otherOrg) {
						t.Errorf("%s: %s", where, body)
					}
				case org == e.org:
					if !res.IsError || !strings.Contains(text(res), "not found") {
						t.Errorf("%s: want not found, got %s", where, body)
					}
				case ownOrgReads[name] && args["archetype"] == nil:
					if res.IsError {
						t.Errorf("%s: own organisation read failed: %s", where, body)
					}
				default:
					if !res.IsError {
						t.Errorf("%s: want an error, got %s", where, body)
					}
				}
			}
		}
	}
	// Resources: the list holds only the outsider's own organisation; every
	// URI of the first organisation is not found, and so are its IDs
	// under the outsider's own slug.
	for r, err := range cs.Resources(e.ctx, nil) {
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(r.URI, "personapal://orgs/"+e.otherOrg+"/") {
			t.Errorf("outsider lists %s", r.URI)
		}
		leaks("resources/list", mustJSON(r))
	}
	var uris []string
	for _, p := range d.personas {
		uris = append(uris, "personapal://orgs/"+e.org+"/personas/"+p.ID, "personapal://orgs/"+e.otherOrg+"/personas/"+p.ID)
	}
	for _, g := range d.groups {
		uris = append(uris, "personapal://orgs/"+e.org+"/groups/"+g.ID, "personapal://orgs/"+e.otherOrg+"/groups/"+g.ID)
	}
	for _, tm := range d.templates {
		uris = append(uris, "personapal://orgs/"+e.org+"/templates/"+tm.ID, "personapal://orgs/"+e.otherOrg+"/templates/"+tm.ID)
	}
	for _, uri := range uris {
		res, err := cs.ReadResource(e.ctx, &mcp.ReadResourceParams{URI: uri})
		if err == nil {
			t.Errorf("outsider read %s: %s", uri, mustJSON(res))
			continue
		}
		if !strings.Contains(err.Error(), "not found") {
			t.Errorf("%s: %v", uri, err)
		}
		leaks(uri, err.Error())
	}
	// Nothing was written.
	if prs, err := e.svc.ListProposals(e.ctx, e.ownerAct, e.org, ""); err != nil || len(prs) != 0 {
		t.Errorf("the outsider proposed: %v %+v", err, prs)
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestMCPAgentProfiles(t *testing.T) {
	e := newEnv(t)
	d := e.ids()
	cs := e.connect(e.readOnly, "?org="+e.org)
	var card persona.AgentCard
	ok(t, cs, "agent_card", map[string]any{"id": d.agent}, &card)
	if card.ProtocolVersion != "0.3.0" || card.Name == "" || len(card.Skills) == 0 || !strings.Contains(card.URL, "/personas/"+d.agent) ||
		card.Provider == nil || card.Provider.Organization != "Ledgerline (demo)" {
		t.Fatalf("card: %+v", card)
	}
	var sp struct {
		Prompt string `json:"prompt"`
	}
	res := ok(t, cs, "agent_system_prompt", map[string]any{"id": d.agent}, &sp)
	if !strings.Contains(sp.Prompt, "## Permissions") || text(res) != sp.Prompt {
		t.Fatalf("system prompt: %s", sp.Prompt)
	}
	for _, tool := range []string{"agent_card", "agent_system_prompt"} {
		if msg := toolErr(t, cs, tool, map[string]any{"id": d.systemLead}); !strings.Contains(msg, "only AI-agent profiles") {
			t.Errorf("%s of a UX persona: %s", tool, msg)
		}
	}
}
