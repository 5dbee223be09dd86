package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// TestCommentsOnAPersonaField: a viewer comments on a field (the form
// posts, the page shows the thread under the field's heading and a count
// beside the field), mentions a member (rendered as a name, not a link
// out), replies; an empty comment is refused on a page that names the
// field and keeps the text; an outsider gets 404 everywhere.
func TestCommentsOnAPersonaField(t *testing.T) {
	e := newWebEnv(t)
	lead := e.demoPersona("System Lead")
	path := "/o/" + e.org + "/personas/" + lead.ID
	owner := e.actor(e.owner)
	v := e.signedIn(e.viewer)

	// The mention autocomplete: JSON, members of this organisation only.
	sug := v.get("/o/"+e.org+"/mentions?q="+url.QueryEscape(owner.Name)).must(t, http.StatusOK)
	var ms []struct{ ID, Name, Token string }
	if err := json.Unmarshal([]byte(sug.Body), &ms); err != nil || len(ms) == 0 || ms[0].ID != owner.UserID {
		t.Fatalf("suggestions %s (%v)", sug.Body, err)
	}
	if none := v.get("/o/"+e.org+"/mentions?q=Otto").must(t, http.StatusOK); strings.TrimSpace(none.Body) != "[]" {
		t.Errorf("an outsider is suggested: %s", none.Body)
	}

	body := "Is this **still** true? " + ms[0].Token + " <script>alert(1)</script>"
	p := v.post("/o/"+e.org+"/comments", url.Values{"subject": {"persona"}, "subject_id": {lead.ID}, "field": {"goals"}, "body": {body}}).must(t, http.StatusOK)
	if !strings.HasPrefix(p.URL, path) {
		t.Fatalf("after posting: at %s", p.URL)
	}
	for _, want := range []string{`id="comments-f-goals"`, "<strong>still</strong>", `href="#mention-` + owner.UserID + `"`, `data-comment-mark="goals" href="#comments-f-goals"`} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("the persona page lacks %s", want)
		}
	}
	if strings.Contains(p.Body, "<script>alert(1)</script>") {
		t.Error("a comment's raw HTML is rendered")
	}
	ts, err := e.svc.ListComments(context.Background(), owner, e.org, persona.CommentOnPersona, lead.ID, "goals")
	if err != nil || len(ts) != 1 {
		t.Fatalf("threads %v %v", ts, err)
	}
	root := ts[0].Root

	// A reply, then resolving the thread (the viewer wrote it) and reopening.
	v.post("/o/"+e.org+"/comments", url.Values{"parent": {root.ID}, "body": {"Following up."}}).must(t, http.StatusOK)
	r := v.post("/o/"+e.org+"/comments/"+root.ID+"/resolve", nil).must(t, http.StatusOK)
	if !strings.Contains(r.Body, `class="cm-thread resolved"`) || !strings.Contains(r.Body, "Resolved by Vera Viewer") {
		t.Error("the resolved thread is not folded")
	}
	if r = v.post("/o/"+e.org+"/comments/"+root.ID+"/reopen", nil).must(t, http.StatusOK); strings.Contains(r.Body, `class="cm-thread resolved"`) {
		t.Error("the reopened thread is still folded")
	}

	// An empty comment: 422, naming the comment, keeping the field; a
	// too-long one keeps its text.
	bad := v.post("/o/"+e.org+"/comments", url.Values{"subject": {"persona"}, "subject_id": {lead.ID}, "field": {"goals"}, "body": {"  "}}).must(t, http.StatusUnprocessableEntity)
	if !strings.Contains(bad.Body, "The comment is required") || !strings.Contains(bad.Body, `name="field" value="goals"`) {
		t.Errorf("the refusal page: %s", bad.Body)
	}
	long := strings.Repeat("word ", persona.MaxCommentLength/5+10)
	bad = v.post("/o/"+e.org+"/comments", url.Values{"subject": {"persona"}, "subject_id": {lead.ID}, "body": {long}}).must(t, http.StatusUnprocessableEntity)
	if !strings.Contains(bad.Body, "The comment ") || !strings.Contains(bad.Body, long[:200]) {
		t.Error("the too-long comment's text is not kept")
	}

	// With htmx the refusal is an answer to swap (200), the same form.
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/o/"+e.org+"/comments",
		strings.NewReader(url.Values{"subject": {"persona"}, "subject_id": {lead.ID}, "field": {"goals"}, "body": {" "}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", e.srv.URL)
	req.Header.Set("HX-Request", "true")
	if hx := v.do(req).must(t, http.StatusOK); !strings.Contains(hx.Body, `id="comment-error"`) {
		t.Error("the htmx refusal lacks the error")
	}

	// Edit and delete: the author, not another member (an editor here).
	editor := account{"editor@example.com", "editor-password-1"}
	if _, err := e.svc.CreateUser(context.Background(), editor.Email, "Eddie Editor", editor.Password); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.AddMember(context.Background(), app.System, e.org, editor.Email, persona.RoleEditor); err != nil {
		t.Fatal(err)
	}
	e.signedIn(editor).post("/o/"+e.org+"/comments/"+root.ID, url.Values{"body": {"mine now"}}).must(t, http.StatusForbidden)
	if ed := v.post("/o/"+e.org+"/comments/"+root.ID, url.Values{"body": {"Edited question"}}).must(t, http.StatusOK); !strings.Contains(ed.Body, "Edited question") {
		t.Error("the edit is not shown")
	}
	v.post("/o/"+e.org+"/comments/"+root.ID+"/delete", nil).must(t, http.StatusOK)
	if got, _ := e.svc.GetComment(context.Background(), owner, e.org, root.ID); !got.Deleted {
		t.Error("the root with a reply is not a tombstone")
	}

	// The card on the home page counts the persona's comments.
	if home := v.get("/o/"+e.org).must(t, http.StatusOK); !strings.Contains(home.Body, `data-glance="comments"`) {
		t.Error("the home page's card does not count comments")
	}
	// The comment's own address leads to its thread.
	if cp := v.get("/o/"+e.org+"/comments/"+root.ID).must(t, http.StatusOK); !strings.HasPrefix(cp.URL, path) {
		t.Errorf("/comments/{id} led to %s", cp.URL)
	}

	// Outsiders: 404 on every comment route.
	o := e.signedIn(e.outsider)
	o.get("/o/"+e.org+"/mentions?q=a").must(t, http.StatusNotFound)
	o.get("/o/"+e.org+"/comments/"+root.ID).must(t, http.StatusNotFound)
	o.post("/o/"+e.org+"/comments", url.Values{"subject": {"persona"}, "subject_id": {lead.ID}, "body": {"x"}}).must(t, http.StatusNotFound)
	for _, suffix := range []string{"", "/delete", "/resolve", "/reopen"} {
		o.post("/o/"+e.org+"/comments/"+root.ID+suffix, url.Values{"body": {"x"}}).must(t, http.StatusNotFound)
	}
}

// TestCommentsOnVariantAndLaunchpadPages: both pages show a thread
// section, and a viewer's comment appears on it.
func TestCommentsOnVariantAndLaunchpadPages(t *testing.T) {
	e := newWebEnv(t)
	ctx := context.Background()
	owner := e.actor(e.owner)
	lps, err := e.svc.ListLaunchpads(ctx, owner, e.org, "")
	if err != nil || len(lps) == 0 {
		t.Fatalf("no demo Launchpad: %v", err)
	}
	var variant string
	page, err := e.svc.ListPersonas(ctx, owner, e.org, persona.PersonaFilter{Limit: 200}, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range page.Items {
		if vs, _ := e.svc.ListVariants(ctx, owner, e.org, p.ID); len(vs) > 0 {
			variant = vs[0].Variant.ID
			break
		}
	}
	if variant == "" {
		t.Fatal("no demo variant")
	}
	v := e.signedIn(e.viewer)
	for kind, id := range map[string]string{"variant": variant, "launchpad": lps[0].ID} {
		p := v.post("/o/"+e.org+"/comments", url.Values{"subject": {kind}, "subject_id": {id}, "body": {"A thought on this " + kind}}).must(t, http.StatusOK)
		if !strings.Contains(p.Body, `id="comments"`) || !strings.Contains(p.Body, "A thought on this "+kind) {
			t.Errorf("%s page (%s) lacks the comment", kind, p.URL)
		}
	}
}
