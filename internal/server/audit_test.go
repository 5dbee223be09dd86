package server_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

func TestAuditLogRecordsChangesForAdmins(t *testing.T) {
	e := newEnv(t)
	p := e.createUX("Audited Persona")
	p.Summary = "Changed for the audit"
	e.must(200, "PUT", e.api("/personas/"+p.ID), e.owner, p, "If-Match", `"1"`)
	e.must(204, "DELETE", e.api("/personas/"+p.ID), e.owner, nil)
	e.must(200, "POST", e.api("/personas/"+p.ID+"/restore"), e.owner, nil)
	e.must(200, "GET", e.api("/export"), e.owner, nil)

	var log struct {
		Items []struct {
			Seq        int64  `json:"seq"`
			Action     string `json:"action"`
			ObjectKind string `json:"object_kind"`
			ObjectID   string `json:"object_id"`
			ActorEmail string `json:"actor_email"`
		} `json:"items"`
		NextBefore *int64 `json:"next_before"`
	}
	e.must(200, "GET", e.api("/audit?limit=5"), e.owner, nil).json(t, &log)
	var got []string
	for _, it := range log.Items {
		got = append(got, it.Action+" "+it.ObjectKind)
	}
	want := []string{"export organisation", "restore persona", "trash persona", "update persona", "create persona"}
	if len(got) != len(want) {
		t.Fatalf("audit %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("audit %v, want %v", got, want)
		}
	}
	if log.Items[1].ObjectID != p.ID || log.Items[1].ActorEmail != "demo@example.com" || log.NextBefore == nil {
		t.Fatalf("entry %+v, next %v", log.Items[1], log.NextBefore)
	}
	// The next page continues below.
	var older struct {
		Items []struct {
			Seq int64 `json:"seq"`
		} `json:"items"`
	}
	e.must(200, "GET", e.api("/audit?limit=5&before="+strconv.FormatInt(*log.NextBefore, 10)), e.owner, nil).json(t, &older)
	if len(older.Items) == 0 || older.Items[0].Seq >= *log.NextBefore {
		t.Fatalf("next page %+v", older.Items)
	}
	// Filters.
	var trashed listJSON[persona.AuditEvent]
	e.must(200, "GET", e.api("/audit?action=trash&object_kind=persona&actor=DEMO@example.com"), e.owner, nil).json(t, &trashed)
	if len(trashed.Items) != 1 || trashed.Items[0].ObjectID != p.ID {
		t.Fatalf("filtered %+v", trashed.Items)
	}
	pr := e.must(422, "GET", e.api("/audit?since=yesterday"), e.owner, nil).problem(t)
	if !slices.Contains(pr.locations(), "query.since") {
		t.Fatalf("bad since: %+v", pr)
	}
	e.must(403, "GET", e.api("/audit"), e.viewer, nil)
	e.must(404, "GET", e.api("/audit"), e.other, nil)
}

// auditTail returns the entries of org's log after seq, oldest first.
func (e *env) auditTail(org string, after int64) []persona.AuditEvent {
	e.t.Helper()
	items, err := e.svc.ListAudit(context.Background(), app.System, org, app.AuditQuery{}, 0, 1000)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []persona.AuditEvent
	for _, it := range slices.Backward(items) {
		if it.Seq > after {
			out = append(out, it)
		}
	}
	return out
}

// auditHead is the newest seq of org's log.
func (e *env) auditHead(org string) int64 {
	e.t.Helper()
	items, err := e.svc.ListAudit(context.Background(), app.System, org, app.AuditQuery{}, 0, 1)
	if err != nil {
		e.t.Fatal(err)
	}
	if len(items) == 0 {
		return 0
	}
	return items[0].Seq
}

func (e *env) actorOf(token string) app.Actor {
	e.t.Helper()
	a, err := e.svc.Authenticate(context.Background(), token)
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

// Events about a user's own account (API tokens, signing out everywhere,
// password changes) belong to that user: they go to the user's own
// security log and to no organisation's audit log, not even those the user
// belongs to. (They once went to all of those, so that any organisation
// that added someone learnt the names of their tokens.)
func TestUserEventsGoToTheSecurityLogNotTheAuditLog(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	owner := e.actorOf(e.owner)
	// The demo owner also joins a third organisation; the outsider's stays apart.
	third, err := e.svc.CreateOrg(ctx, owner, "Third Org", "third-org")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.AddMember(ctx, app.System, third.Slug, "outsider@example.com", persona.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	orgs := []string{e.org, third.Slug, e.otherOr}
	heads := map[string]int64{}
	for _, org := range orgs {
		heads[org] = e.auditHead(org)
	}
	if _, err := e.svc.SetPassword(ctx, owner.Email, "the owner's first password", false); err != nil {
		t.Fatal(err)
	}

	var tok struct {
		ID string `json:"id"`
	}
	e.must(201, "POST", "/api/v1/me/tokens", e.owner, map[string]any{"name": "Secret merger sync"}).json(t, &tok)
	if tok.ID == "" {
		t.Fatal("no token ID")
	}
	e.must(204, "DELETE", "/api/v1/me/tokens/"+tok.ID, e.owner, nil)
	e.must(404, "DELETE", "/api/v1/me/tokens/"+tok.ID, e.owner, nil) // already revoked: nothing more
	e.must(200, "POST", "/api/v1/me/sign-out-everywhere", e.owner, map[string]any{})
	e.must(200, "PUT", "/api/v1/me/password", e.owner, map[string]any{"current_password": "the owner's first password",
		"new_password": "the owner's second password"})

	for _, org := range orgs {
		if got := e.auditTail(org, heads[org]); len(got) != 0 {
			t.Errorf("%s's audit log got the user's events: %+v", org, got)
		}
	}
	var log struct {
		Items []persona.SecurityEvent `json:"items"`
	}
	e.must(200, "GET", "/api/v1/me/security-events", e.owner, nil).json(t, &log)
	var got []string
	for _, ev := range log.Items {
		got = append(got, ev.Kind+": "+ev.Summary)
	}
	want := []string{
		"password_changed: Password changed; signed out everywhere",
		"sign_out_everywhere: Signed out everywhere",
		"token_revoked: API token “Secret merger sync” revoked",
		"token_created: API token “Secret merger sync” created",
		"password_reset: Password reset by an administrator; signed out everywhere",
	}
	if len(got) < len(want) || !slices.Equal(got[:len(want)], want) {
		t.Errorf("the owner's security log:\n%q\nwant it to start with\n%q", got, want)
	}
	// The outsider, an admin of an organisation the owner belongs to, sees
	// nothing of it, in their own log or anywhere they can read.
	for _, path := range []string{"/api/v1/me/security-events", "/api/v1/orgs/" + third.Slug + "/audit",
		"/api/v1/orgs/" + third.Slug + "/audit/export?format=jsonl"} {
		body := string(e.must(200, "GET", path, e.other, nil).Body)
		if strings.Contains(body, "Secret merger sync") || strings.Contains(body, tok.ID) || strings.Contains(body, "sign out everywhere") {
			t.Errorf("%s shows the outsider the owner's events: %s", path, body)
		}
	}
}

func TestAuditExport(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	owner := e.actorOf(e.owner)
	// Cells a spreadsheet would run as formulas. (A name cannot hold a line
	// break: names are single-line text.)
	for _, name := range []string{"=HYPERLINK(\"http://evil\")", "+1", "-2", "@SUM(A1)", "Plain, \"quoted\" name"} {
		if _, err := e.svc.CreateGroup(ctx, owner, e.org, app.GroupInput{Name: name}); err != nil {
			t.Fatal(err)
		}
	}
	all, err := e.svc.ListAudit(ctx, owner, e.org, app.AuditQuery{}, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) < 10 || len(all) == 1000 {
		t.Fatalf("%d entries to export", len(all))
	}
	slices.Reverse(all) // oldest first, as exported

	// JSON Lines: every entry, oldest first, as the listing has it.
	res := e.must(200, "GET", e.api("/audit/export?format=jsonl"), e.owner, nil)
	if ct := res.Header.Get("Content-Type"); ct != "application/jsonl" {
		t.Fatalf("content type %q", ct)
	}
	if cd := res.Header.Get("Content-Disposition"); cd != `attachment; filename="audit-`+e.org+`.jsonl"` {
		t.Fatalf("disposition %q", cd)
	}
	var lines []persona.AuditEvent
	sc := bufio.NewScanner(bytes.NewReader(res.Body))
	for sc.Scan() {
		var ev persona.AuditEvent
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		lines = append(lines, ev)
	}
	if len(lines) != len(all) {
		t.Fatalf("%d lines, want %d", len(lines), len(all))
	}
	for i := range all {
		a, b := all[i], lines[i]
		if a.Seq != b.Seq || !a.At.Equal(b.At) || a.Action != b.Action || a.ObjectKind != b.ObjectKind || a.ObjectID != b.ObjectID ||
			a.Summary != b.Summary || a.ActorEmail != b.ActorEmail || a.ActorID != b.ActorID {
			t.Fatalf("line %d: %+v, want %+v", i, b, a)
		}
	}

	// CSV: a header, then the same entries; formula cells neutralised.
	res = e.must(200, "GET", e.api("/audit/export?format=csv"), e.owner, nil)
	if ct := res.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Fatalf("content type %q", ct)
	}
	rows, err := csv.NewReader(bytes.NewReader(res.Body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rows[0], []string{"seq", "at", "actor_id", "actor_email", "action", "object_kind", "object_id", "summary"}) {
		t.Fatalf("header %q", rows[0])
	}
	rows = rows[1:]
	if len(rows) != len(all)+1 { // the JSONL download is now in the log
		t.Fatalf("%d rows, want %d", len(rows), len(all)+1)
	}
	if last := rows[len(rows)-1]; last[4] != "export" || last[5] != "audit log" || last[7] != "JSONL, "+strconv.Itoa(len(all))+" entries" {
		t.Fatalf("the JSONL download was recorded as %q", last)
	}
	var summaries []string
	for i, r := range rows[:len(all)] {
		if r[0] != strconv.FormatInt(all[i].Seq, 10) || r[4] != all[i].Action {
			t.Fatalf("row %d %q, want %+v", i, r, all[i])
		}
		if all[i].ObjectKind == "group" {
			summaries = append(summaries, r[7])
		}
	}
	wantSummaries := []string{`'=HYPERLINK("http://evil")`, "'+1", "'-2", "'@SUM(A1)", "Plain, \"quoted\" name"}
	if !slices.Equal(summaries[len(summaries)-5:], wantSummaries) {
		t.Fatalf("summaries %q, want %q", summaries, wantSummaries)
	}

	// Filters: one day, one kind.
	today := all[len(all)-1].At.UTC().Format("2006-01-02")
	res = e.must(200, "GET", e.api("/audit/export?format=jsonl&object_kind=group&since="+today+"&until="+today), e.owner, nil)
	groups := 0
	for _, ev := range all {
		if ev.ObjectKind == "group" && ev.At.UTC().Format("2006-01-02") == today {
			groups++
		}
	}
	if n := bytes.Count(res.Body, []byte("\n")); n != groups || groups < 5 {
		t.Fatalf("%d group entries today:\n%s", n, res.Body)
	}
	res = e.must(200, "GET", e.api("/audit/export?format=csv&until=2000-01-01"), e.owner, nil)
	if string(res.Body) != "seq,at,actor_id,actor_email,action,object_kind,object_id,summary\n" {
		t.Fatalf("empty export %q", res.Body)
	}
	pr := e.must(422, "GET", e.api("/audit/export?since=2026-02-01&until=2026-01-01"), e.owner, nil).problem(t)
	if !slices.Contains(pr.locations(), "query.until") {
		t.Fatalf("until before since: %+v", pr)
	}
	e.must(422, "GET", e.api("/audit/export?format=xlsx"), e.owner, nil)

	// Admins only, members only.
	editor, err := e.svc.CreateUser(ctx, "editor@example.com", "Eddie Editor", "editor-password-1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.AddMember(ctx, app.System, e.org, editor.Email, persona.RoleEditor); err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{e.viewer, e.tokenFor(editor)} {
		e.must(403, "GET", e.api("/audit/export"), tok, nil).problem(t)
		e.must(403, "GET", e.api("/audit"), tok, nil).problem(t)
	}
	e.must(404, "GET", e.api("/audit/export?format=csv"), e.other, nil).problem(t)
}
