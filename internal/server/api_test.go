package server_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/personapal/personapal/internal/persona"
)

func TestHealthz(t *testing.T) {
	e := newEnv(t)
	r := e.must(200, "GET", "/healthz", "", nil)
	if !strings.Contains(string(r.Body), `"ok"`) {
		t.Fatalf("healthz body: %s", r.Body)
	}
}

func TestUnauthenticated(t *testing.T) {
	e := newEnv(t)
	for _, tok := range []string{"", "pp_notatoken", "garbage"} {
		r := e.do("GET", "/api/v1/orgs", tok, nil)
		if r.Status != http.StatusUnauthorized {
			t.Fatalf("token %q: want 401, got %d", tok, r.Status)
		}
		r.problem(t)
	}
}

func TestDemoPersonasListAndPaginate(t *testing.T) {
	e := newEnv(t)
	var orgs listJSON[map[string]any]
	e.must(200, "GET", "/api/v1/orgs", e.owner, nil).json(t, &orgs)
	if len(orgs.Items) != 1 || orgs.Items[0]["slug"] != e.org {
		t.Fatalf("orgs: %+v", orgs.Items)
	}

	var all listJSON[personaJSON]
	e.must(200, "GET", e.api("/personas?limit=200"), e.owner, nil).json(t, &all)
	if len(all.Items) < 10 {
		t.Fatalf("want ≥ 10 demo personas, got %d", len(all.Items))
	}
	types := map[string]int{}
	names := map[string]bool{}
	for _, p := range all.Items {
		types[p.ProfileType]++
		names[p.Name] = true
	}
	for _, pt := range persona.ProfileTypes {
		if types[string(pt)] == 0 {
			t.Errorf("no %s persona in the demo data", pt)
		}
	}
	for _, n := range []string{"System Lead", "Big Bank", "FinTech"} {
		if !names[n] {
			t.Errorf("demo data lacks %q", n)
		}
	}

	// Walk pages of 3: every persona exactly once, in the same order.
	var seen []string
	cursor := ""
	for range 100 {
		path := e.api("/personas?limit=3")
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		var page listJSON[personaJSON]
		e.must(200, "GET", path, e.owner, nil).json(t, &page)
		for _, p := range page.Items {
			seen = append(seen, p.ID)
		}
		if page.NextCursor == nil {
			break
		}
		cursor = *page.NextCursor
	}
	var want []string
	for _, p := range all.Items {
		want = append(want, p.ID)
	}
	if !slices.Equal(seen, want) {
		t.Fatalf("paging gave %d personas, listing %d", len(seen), len(want))
	}

	// Filters.
	var ux listJSON[personaJSON]
	e.must(200, "GET", e.api("/personas?profile_type=ux"), e.owner, nil).json(t, &ux)
	if len(ux.Items) != types["ux"] {
		t.Fatalf("profile_type filter: got %d, want %d", len(ux.Items), types["ux"])
	}
	for _, p := range ux.Items {
		if p.ProfileType != "ux" {
			t.Fatalf("filter leaked %s", p.ProfileType)
		}
	}
	r := e.must(422, "GET", e.api("/personas?profile_type=robot"), e.owner, nil)
	if locs := r.problem(t).locations(); !slices.Contains(locs, "query.profile_type") {
		t.Fatalf("bad filter locations: %v", locs)
	}
	e.must(422, "GET", e.api("/personas?cursor=%21%21"), e.owner, nil).problem(t)
}

// createUX creates a persona from the UX starter template and returns it.
func (e *env) createUX(name string) personaJSON {
	e.t.Helper()
	tm := e.templateFor(e.owner, persona.ProfileUX)
	var version struct {
		Definition persona.Definition `json:"definition"`
	}
	e.must(200, "GET", e.api(fmt.Sprintf("/templates/%s/versions/%d", tm.ID, tm.LatestVersion)), e.owner, nil).json(e.t, &version)
	values, dims := validValues(version.Definition)
	body := map[string]any{
		"name": name, "summary": "Runs month-end close", "group_id": e.firstGroup(e.owner),
		"template_id": tm.ID, "status": "draft", "values": values, "dimensions": dims, "message": "first cut",
	}
	r := e.must(201, "POST", e.api("/personas"), e.owner, body)
	var p personaJSON
	r.json(e.t, &p)
	if r.Header.Get("ETag") != `"1"` || p.Revision != 1 {
		e.t.Fatalf("new persona: ETag %q revision %d", r.Header.Get("ETag"), p.Revision)
	}
	if loc := r.Header.Get("Location"); !strings.HasSuffix(loc, "/personas/"+p.ID) {
		e.t.Fatalf("Location %q", loc)
	}
	return p
}

func TestPersonaLifecycle(t *testing.T) {
	e := newEnv(t)
	p := e.createUX("Treasury Analyst")
	path := e.api("/personas/" + p.ID)

	got := e.must(200, "GET", path, e.owner, nil)
	if got.Header.Get("ETag") != `"1"` {
		t.Fatalf("ETag %q", got.Header.Get("ETag"))
	}

	// GET, change, PUT back: read-only properties are accepted and ignored.
	var full map[string]any
	got.json(t, &full)
	full["summary"] = "Runs month-end close and the audit trail"
	full["message"] = "clarified summary"
	r := e.must(200, "PUT", path, e.owner, full, "If-Match", `"1"`)
	var updated personaJSON
	r.json(t, &updated)
	if updated.Revision != 2 || r.Header.Get("ETag") != `"2"` || updated.Summary != full["summary"] {
		t.Fatalf("update: %+v ETag %q", updated, r.Header.Get("ETag"))
	}

	var revs listJSON[struct {
		Revision int    `json:"revision"`
		Message  string `json:"message"`
	}]
	e.must(200, "GET", path+"/revisions", e.owner, nil).json(t, &revs)
	if len(revs.Items) != 2 || revs.Items[0].Revision != 2 || revs.Items[0].Message != "clarified summary" {
		t.Fatalf("revisions: %+v", revs.Items)
	}
	e.must(200, "GET", path+"/revisions/1", e.owner, nil)
	e.must(404, "GET", path+"/revisions/9", e.owner, nil).problem(t)

	var diff struct {
		From    int              `json:"from"`
		To      int              `json:"to"`
		Changes []persona.Change `json:"changes"`
	}
	e.must(200, "GET", path+"/diff?from=1&to=2", e.owner, nil).json(t, &diff)
	if len(diff.Changes) != 1 || diff.Changes[0].Path != "summary" || diff.Changes[0].Kind != "changed" {
		t.Fatalf("diff: %+v", diff.Changes)
	}

	// Restore revision 1 as revision 3.
	r = e.must(200, "POST", path+"/revisions/1/restore", e.owner, nil, "If-Match", `"2"`)
	var restored personaJSON
	r.json(t, &restored)
	if restored.Revision != 3 || restored.Summary != p.Summary {
		t.Fatalf("restore: revision %d summary %q", restored.Revision, restored.Summary)
	}

	// Trash, then restore from the trash.
	e.must(204, "DELETE", path, e.owner, nil)
	e.must(404, "GET", path, e.owner, nil).problem(t)
	var trash listJSON[personaJSON]
	e.must(200, "GET", e.api("/trash"), e.owner, nil).json(t, &trash)
	if len(trash.Items) != 1 || trash.Items[0].ID != p.ID {
		t.Fatalf("trash: %+v", trash.Items)
	}
	e.must(200, "POST", path+"/restore", e.owner, nil)
	e.must(200, "GET", path, e.owner, nil)

	// Purging needs the trash first and the admin role.
	e.must(409, "DELETE", e.api("/trash/"+p.ID), e.owner, nil).problem(t)
	e.must(204, "DELETE", path, e.owner, nil)
	e.must(204, "DELETE", e.api("/trash/"+p.ID), e.owner, nil)
	e.must(404, "POST", path+"/restore", e.owner, nil)
}

func TestInvalidPersonaListsEveryFieldAndWritesNothing(t *testing.T) {
	e := newEnv(t)
	tm := e.templateFor(e.owner, persona.ProfileUX)
	var version struct {
		Definition persona.Definition `json:"definition"`
	}
	e.must(200, "GET", e.api(fmt.Sprintf("/templates/%s/versions/1", tm.ID)), e.owner, nil).json(t, &version)
	def := version.Definition
	values, dims := validValues(def)

	var required, list string
	for _, s := range def.Sections {
		for _, f := range s.Fields {
			if f.Required && required == "" {
				required = f.Key
			}
			if f.Kind == persona.KindList && list == "" && !f.Required {
				list = f.Key
			}
		}
	}
	var scaleDim persona.Dimension
	for _, d := range def.Dimensions {
		if d.Kind == persona.DimensionScale {
			scaleDim = d
			break
		}
	}
	if required == "" || list == "" || scaleDim.Key == "" {
		t.Fatalf("UX starter template needs a required field, a list field and a scale dimension: %+v", def)
	}
	delete(values, required)
	values[list] = 5
	values["no_such_field"] = "x"
	dims[scaleDim.Key] = scaleDim.Max + 10

	before := e.countPersonas()
	r := e.must(422, "POST", e.api("/personas"), e.owner, map[string]any{
		"name": "", "group_id": e.firstGroup(e.owner), "template_id": tm.ID, "values": values, "dimensions": dims,
	})
	locs := r.problem(t).locations()
	for _, want := range []string{"body.name", "body.values." + required, "body.values." + list, "body.values.no_such_field", "body.dimensions." + scaleDim.Key} {
		if !slices.Contains(locs, want) {
			t.Errorf("errors lack %s: %v", want, locs)
		}
	}
	if after := e.countPersonas(); after != before {
		t.Fatalf("invalid create wrote something: %d → %d personas", before, after)
	}

	// The same on update: nothing written, revision unchanged.
	p := e.createUX("Valid One")
	r = e.must(422, "PUT", e.api("/personas/"+p.ID), e.owner, map[string]any{
		"name": "Valid One", "values": map[string]any{list: 5}, "dimensions": map[string]any{scaleDim.Key: 0},
	}, "If-Match", `"1"`)
	if locs := r.problem(t).locations(); !slices.Contains(locs, "body.values."+list) || !slices.Contains(locs, "body.dimensions."+scaleDim.Key) {
		t.Fatalf("update errors: %v", locs)
	}
	var now personaJSON
	e.must(200, "GET", e.api("/personas/"+p.ID), e.owner, nil).json(t, &now)
	if now.Revision != 1 {
		t.Fatalf("invalid update changed revision to %d", now.Revision)
	}

	// Malformed JSON and unknown top-level properties are refused too.
	e.must(400, "POST", e.api("/personas"), e.owner, `{"name": `).problem(t)
	e.must(422, "POST", e.api("/personas"), e.owner, map[string]any{"nmae": "typo"}).problem(t)
}

func (e *env) countPersonas() int {
	e.t.Helper()
	var l listJSON[personaJSON]
	e.must(200, "GET", e.api("/personas?limit=200"), e.owner, nil).json(e.t, &l)
	return len(l.Items)
}

func TestOptimisticConcurrency(t *testing.T) {
	e := newEnv(t)
	p := e.createUX("Contested")
	path := e.api("/personas/" + p.ID)
	body := func(summary string) map[string]any {
		return map[string]any{"name": p.Name, "summary": summary, "values": p.Values, "dimensions": p.Dimensions}
	}

	// Missing If-Match: 428, naming the current revision.
	r := e.must(428, "PUT", path, e.owner, body("no precondition"))
	if pr := r.problem(t); pr.CurrentRevision != 1 {
		t.Fatalf("428 current_revision %d", pr.CurrentRevision)
	}

	// Two updates with the same If-Match, concurrently: exactly one wins.
	var wg sync.WaitGroup
	statuses := make([]int, 8)
	for i := range statuses {
		wg.Go(func() {
			statuses[i] = e.do("PUT", path, e.owner, body(fmt.Sprintf("writer %d", i)), "If-Match", `"1"`).Status
		})
	}
	wg.Wait()
	ok, stale := 0, 0
	for _, s := range statuses {
		switch s {
		case 200:
			ok++
		case 412:
			stale++
		}
	}
	if ok != 1 || stale != len(statuses)-1 {
		t.Fatalf("concurrent updates: %v", statuses)
	}

	// A stale update afterwards: 412 with the current revision; not written.
	r = e.must(412, "PUT", path, e.owner, body("too late"), "If-Match", `"1"`)
	if pr := r.problem(t); pr.CurrentRevision != 2 || !strings.Contains(pr.Detail, "2") {
		t.Fatalf("412 problem: %+v", pr)
	}
	var now personaJSON
	e.must(200, "GET", path, e.owner, nil).json(t, &now)
	if now.Revision != 2 || now.Summary == "too late" {
		t.Fatalf("stale update was written: %+v", now)
	}
	e.must(422, "PUT", path, e.owner, body("x"), "If-Match", `"abc"`).problem(t)
}

func TestTemplatePublishAndUpgrade(t *testing.T) {
	e := newEnv(t)
	p := e.createUX("Pinned Persona")
	tm := e.templateFor(e.owner, persona.ProfileUX)

	// Version 2: drop the first non-required field, add a new one.
	draft := tm.Draft
	var dropped string
	for si, s := range draft.Sections {
		for fi, f := range s.Fields {
			if !f.Required && dropped == "" {
				dropped = f.Key
				draft.Sections[si].Fields = slices.Delete(slices.Clone(s.Fields), fi, fi+1)
			}
		}
	}
	draft.Sections[0].Fields = append(draft.Sections[0].Fields, persona.Field{Key: "favourite_report", Label: "Favourite report", Kind: persona.KindText})
	e.must(200, "PUT", e.api("/templates/"+tm.ID+"/draft"), e.owner, draft)
	var v2 struct {
		Version int `json:"version"`
	}
	e.must(201, "POST", e.api("/templates/"+tm.ID+"/publish"), e.owner, nil).json(t, &v2)
	if v2.Version != 2 {
		t.Fatalf("published version %d", v2.Version)
	}
	// Publishing an unchanged draft again is refused.
	e.must(409, "POST", e.api("/templates/"+tm.ID+"/publish"), e.owner, nil).problem(t)

	// The persona stays exactly as it was, on version 1.
	var still personaJSON
	e.must(200, "GET", e.api("/personas/"+p.ID), e.owner, nil).json(t, &still)
	if still.TemplateVersion != 1 || still.Revision != 1 || fmt.Sprint(still.Values) != fmt.Sprint(p.Values) {
		t.Fatalf("publishing changed the persona: %+v", still)
	}

	var versions listJSON[struct {
		Version      int `json:"version"`
		PersonaCount int `json:"persona_count"`
	}]
	e.must(200, "GET", e.api("/templates/"+tm.ID+"/versions"), e.owner, nil).json(t, &versions)
	if len(versions.Items) != 2 || versions.Items[0].Version != 2 || versions.Items[1].PersonaCount == 0 {
		t.Fatalf("versions: %+v", versions.Items)
	}

	// Dry run reports the retired field and writes nothing.
	var dry struct {
		Retired []string `json:"retired"`
	}
	e.must(200, "POST", e.api("/personas/"+p.ID+"/upgrade"), e.owner, map[string]any{"to_version": 2, "dry_run": true}).json(t, &dry)
	if !slices.Contains(dry.Retired, dropped) {
		t.Fatalf("dry run retired %v, want %s", dry.Retired, dropped)
	}
	e.must(428, "POST", e.api("/personas/"+p.ID+"/upgrade"), e.owner, map[string]any{"to_version": 2})

	var up struct {
		Persona personaJSON `json:"persona"`
	}
	e.must(200, "POST", e.api("/personas/"+p.ID+"/upgrade"), e.owner, map[string]any{"to_version": 2}, "If-Match", `"1"`).json(t, &up)
	if up.Persona.TemplateVersion != 2 || up.Persona.Revision != 2 {
		t.Fatalf("upgraded: %+v", up.Persona)
	}
	if fmt.Sprint(up.Persona.Retired[dropped]) != fmt.Sprint(p.Values[dropped]) {
		t.Fatalf("retired value lost: %v", up.Persona.Retired)
	}
	if _, ok := up.Persona.Values[dropped]; ok {
		t.Fatalf("retired field still among values")
	}
}

func TestSearchIsScopedToTheOrganisation(t *testing.T) {
	e := newEnv(t)
	p := e.createUX("Ledger Keeper")
	// A word that only occurs in one field value of this persona.
	tm := e.templateFor(e.owner, persona.ProfileUX)
	var full map[string]any
	e.must(200, "GET", e.api("/personas/"+p.ID), e.owner, nil).json(t, &full)
	values := full["values"].(map[string]any)
	var listKey string
	for _, s := range tm.Draft.Sections {
		for _, f := range s.Fields {
			if f.Kind == persona.KindList && listKey == "" {
				listKey = f.Key
			}
		}
	}
	values[listKey] = []string{"Reconcile the quixotically late ledgers"}
	e.must(200, "PUT", e.api("/personas/"+p.ID), e.owner, full, "If-Match", `"1"`)

	// The same word in the other organisation.
	otherTm := struct{ Items []templateJSON }{}
	e.must(200, "GET", "/api/v1/orgs/"+e.otherOr+"/templates", e.other, nil).json(t, &otherTm)
	var otherGroup persona.Group
	e.must(201, "POST", "/api/v1/orgs/"+e.otherOr+"/groups", e.other, map[string]any{"name": "Secret"}).json(t, &otherGroup)
	for _, ot := range otherTm.Items {
		if ot.ProfileType == "ux" {
			vals, dims := validValues(ot.Draft)
			vals[listKey] = []string{"quixotically secret"}
			e.must(201, "POST", "/api/v1/orgs/"+e.otherOr+"/personas", e.other, map[string]any{
				"name": "Other Org Persona", "group_id": otherGroup.ID, "template_id": ot.ID, "values": vals, "dimensions": dims})
		}
	}

	var hits struct {
		Items []struct {
			PersonaID   string `json:"persona_id"`
			Name        string `json:"name"`
			ProfileType string `json:"profile_type"`
			Snippet     string `json:"snippet"`
			SnippetHTML string `json:"snippet_html"`
		} `json:"items"`
	}
	e.must(200, "GET", e.api("/search?q=quixotic"), e.owner, nil).json(t, &hits)
	if len(hits.Items) != 1 || hits.Items[0].PersonaID != p.ID || hits.Items[0].ProfileType != "ux" {
		t.Fatalf("search hits: %+v", hits.Items)
	}
	if !strings.Contains(hits.Items[0].SnippetHTML, "<mark>") || strings.ContainsAny(hits.Items[0].Snippet, "\x02\x03") {
		t.Fatalf("snippet: %q / %q", hits.Items[0].Snippet, hits.Items[0].SnippetHTML)
	}
	// The other organisation finds only its own.
	e.must(200, "GET", "/api/v1/orgs/"+e.otherOr+"/search?q=quixotically", e.other, nil).json(t, &hits)
	if len(hits.Items) != 1 || hits.Items[0].Name != "Other Org Persona" {
		t.Fatalf("other org search: %+v", hits.Items)
	}
	// Metacharacters never break the search.
	for _, q := range []string{`"`, `*`, `AND(`, `'; DROP TABLE personas;--`, `NEAR/3`, `a:*`, `\`} {
		e.must(200, "GET", e.api("/search?q="+urlQuery(q)), e.owner, nil)
	}
}

func urlQuery(s string) string {
	return strings.NewReplacer("%", "%25", " ", "%20", `"`, "%22", "'", "%27", ";", "%3B", "*", "%2A", "(", "%28", "\\", "%5C", "/", "%2F", ":", "%3A", "&", "%26", "#", "%23").Replace(s)
}

func TestTokensAndMembers(t *testing.T) {
	e := newEnv(t)
	var tok struct {
		ID    string `json:"id"`
		Token string `json:"token"`
	}
	e.must(201, "POST", "/api/v1/me/tokens", e.owner, map[string]any{"name": "laptop"}).json(t, &tok)
	if !strings.HasPrefix(tok.Token, "pp_") {
		t.Fatalf("token %q", tok.Token)
	}
	e.must(200, "GET", "/api/v1/me", tok.Token, nil)
	var list struct {
		Items []map[string]any `json:"items"`
	}
	e.must(200, "GET", "/api/v1/me/tokens", e.owner, nil).json(t, &list)
	for _, it := range list.Items {
		if _, leaked := it["token"]; leaked {
			t.Fatalf("token listing shows a secret: %v", it)
		}
	}
	e.must(204, "DELETE", "/api/v1/me/tokens/"+tok.ID, e.owner, nil)
	e.must(401, "GET", "/api/v1/me", tok.Token, nil).problem(t)

	// Members: invite the outsider as editor, who accepts; change the
	// role, remove.
	var inv struct {
		ID string `json:"id"`
	}
	e.must(202, "POST", e.api("/invitations"), e.owner, map[string]any{"email": "outsider@example.com", "role": "editor"}).json(t, &inv)
	e.must(404, "GET", e.api("/groups"), e.other, nil) // not before accepting
	var joined struct {
		Slug string `json:"slug"`
		Role string `json:"role"`
	}
	e.must(200, "POST", "/api/v1/me/invitations/"+inv.ID+"/accept", e.other, nil).json(t, &joined)
	if joined.Slug != e.org || joined.Role != "editor" {
		t.Fatalf("accepted into %+v", joined)
	}
	e.must(200, "GET", e.api("/groups"), e.other, nil)
	e.must(409, "POST", e.api("/invitations"), e.owner, map[string]any{"email": "outsider@example.com", "role": "editor"}).problem(t)
	var m struct {
		UserID string `json:"user_id"`
		Role   string `json:"role"`
	}
	var members listJSON[struct {
		UserID string `json:"user_id"`
		Email  string `json:"email"`
		Role   string `json:"role"`
	}]
	e.must(200, "GET", e.api("/members"), e.owner, nil).json(t, &members)
	for _, it := range members.Items {
		if it.Email == "outsider@example.com" {
			m.UserID, m.Role = it.UserID, it.Role
		}
	}
	if m.Role != "editor" {
		t.Fatalf("the outsider's membership after accepting: %+v", members.Items)
	}
	e.must(200, "PUT", e.api("/members/"+m.UserID), e.owner, map[string]any{"role": "viewer"})
	e.must(403, "POST", e.api("/groups"), e.other, map[string]any{"name": "Nope"})
	e.must(204, "DELETE", e.api("/members/"+m.UserID), e.owner, nil)
	e.must(404, "GET", e.api("/groups"), e.other, nil)

	// The last owner cannot be demoted.
	var me struct {
		ID string `json:"id"`
	}
	e.must(200, "GET", "/api/v1/me", e.owner, nil).json(t, &me)
	e.must(409, "PUT", e.api("/members/"+me.ID), e.owner, map[string]any{"role": "admin"}).problem(t)
}
