package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/markdown"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/web"
)

// The Markdown preview renders only for those who may write Markdown
// (editors and up, as for notes and Markdown fields), and no more of it than
// a field or a note holds: a viewer gets 403, 20,001 characters get 422
// with a message that says the limit, a body too large to hold them gets
// 413 — each before anything is rendered.
func TestMarkdownPreviewNeedsAnEditorAndStaysWithinTheCap(t *testing.T) {
	e := newWebEnv(t)
	editor := account{"editor@example.com", "editor-password-1"}
	if _, err := e.svc.CreateUser(context.Background(), editor.Email, "Ed Editor", editor.Password); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.AddMember(context.Background(), app.System, e.org, editor.Email, persona.RoleEditor); err != nil {
		t.Fatal(err)
	}
	path := "/o/" + e.org + "/preview/markdown?field=v.bio"
	form := func(md string) url.Values { return url.Values{"v.bio": {md}} }

	before := web.MarkdownRenders()
	e.signedIn(e.viewer).post(path, form(strings.Repeat(">", 20000))).must(t, http.StatusForbidden)
	if web.MarkdownRenders() != before {
		t.Error("a viewer's preview was rendered")
	}

	ed := e.signedIn(editor)
	ok := ed.post(path, form("**bold** "+strings.Repeat("x", markdown.MaxLength-9))).must(t, http.StatusOK)
	if !strings.Contains(ok.Body, "<strong>bold</strong>") {
		t.Fatalf("preview at the cap:\n%.200s", ok.Body)
	}
	// Characters, not bytes: 20,000 two-byte letters are within the cap.
	ed.post(path, form(strings.Repeat("é", markdown.MaxLength))).must(t, http.StatusOK)

	before = web.MarkdownRenders()
	over := ed.post(path, form(strings.Repeat(">", markdown.MaxLength+1))).must(t, http.StatusUnprocessableEntity)
	if !strings.Contains(over.Body, "at most 20,000 characters") || !strings.Contains(over.Body, "20,001") {
		t.Fatalf("no clear message beyond the cap:\n%s", over.Body)
	}
	huge := ed.post(path, form(strings.Repeat("x", 300_000))).must(t, http.StatusRequestEntityTooLarge)
	if !strings.Contains(huge.Body, "at most 20,000 characters") {
		t.Fatalf("no clear message for a huge body:\n%s", huge.Body)
	}
	if web.MarkdownRenders() != before {
		t.Error("refused previews were rendered")
	}
	// htmx shows the refusal in the preview box.
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+path, strings.NewReader(form(strings.Repeat("a", markdown.MaxLength+1)).Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", e.srv.URL)
	req.Header.Set("HX-Request", "true")
	if p := ed.do(req); p.Status != http.StatusUnprocessableEntity || !strings.HasPrefix(p.Body, `<p class="error" role="alert">`) {
		t.Fatalf("htmx refusal: %d %s", p.Status, p.Body)
	}
}

var noteArticle = regexp.MustCompile(`<article class="note" id="note-([^"]+)">`)

// noteIDs lists the notes a page shows, in order.
func noteIDs(body string) []string {
	var ids []string
	for _, m := range noteArticle.FindAllStringSubmatch(body, -1) {
		ids = append(ids, m[1])
	}
	return ids
}

// Notes come a page at a time, newest first, with links to older notes and
// back — on the organisation's, a group's, a persona's and a variant's
// page — and the heading counts them all.
func TestNotesArePagedNewestFirst(t *testing.T) {
	e := newWebEnv(t)
	ctx := context.Background()
	owner := e.actor(e.owner)
	lead := e.demoPersona("System Lead")
	variants, _ := e.svc.ListVariants(ctx, owner, e.org, lead.ID)
	group := e.demoGroups()[0]
	org := "/o/" + e.org
	targets := []struct {
		target persona.NoteTarget
		id     string
		page   string
	}{
		{persona.NoteOnOrg, "", org + "/notes"},
		{persona.NoteOnGroup, group, org + "/groups/" + group},
		{persona.NoteOnPersona, lead.ID, org + "/personas/" + lead.ID},
		{persona.NoteOnVariant, variants[0].Variant.ID, org + "/variants/" + variants[0].Variant.ID},
	}
	b := e.signedIn(e.owner)
	for _, tg := range targets {
		for i := range app.NotesPageSize*2 + 5 {
			if _, err := e.svc.AddNote(ctx, owner, e.org, tg.target, tg.id, "Note number "+strings.Repeat("i", i+1)); err != nil {
				t.Fatal(err)
			}
		}
		all, _ := e.svc.ListNotes(ctx, owner, e.org, tg.target, tg.id)
		var want []string
		for _, n := range all {
			want = append(want, n.ID)
		}
		var got []string
		p := b.get(tg.page).must(t, http.StatusOK)
		if !strings.Contains(p.Body, `Notes <small class="muted">45</small>`) || strings.Contains(p.Body, `id="newest-notes"`) {
			t.Fatalf("%s: first page heading or links wrong", tg.page)
		}
		for pages := 1; ; pages++ {
			ids := noteIDs(p.Body)
			got = append(got, ids...)
			older := regexp.MustCompile(`<a href="([^"]+)" id="older-notes"`).FindStringSubmatch(p.Body)
			if older == nil {
				if pages != 3 || len(ids) != 5 || !strings.Contains(p.Body, `id="newest-notes"`) {
					t.Fatalf("%s: last page %d holds %d notes", tg.page, pages, len(ids))
				}
				break
			}
			if len(ids) != app.NotesPageSize {
				t.Fatalf("%s: page %d holds %d notes", tg.page, pages, len(ids))
			}
			p = b.get(strings.ReplaceAll(older[1], "&amp;", "&")).must(t, http.StatusOK)
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Fatalf("%s: pages do not hold every note once, newest first", tg.page)
		}
	}
	// A cursor this server did not make is refused, naming the parameter.
	bad := b.get(org+"/notes?older=not-a-cursor").must(t, http.StatusUnprocessableEntity)
	if !strings.Contains(bad.Body, "(older) is not one this server linked to") {
		t.Fatalf("bad cursor:\n%s", bad.Body)
	}
}

// A page renders each note's Markdown once: a second view of unchanged
// notes renders nothing, and an edited note is rendered again (alone).
func TestUnchangedNotesAreNotRenderedAgain(t *testing.T) {
	e := newWebEnv(t)
	ctx := context.Background()
	owner := e.actor(e.owner)
	page := "/o/" + e.org + "/notes"
	var last persona.Note
	for i := range app.NotesPageSize {
		n, err := e.svc.AddNote(ctx, owner, e.org, persona.NoteOnOrg, "", "Cached **note** "+strings.Repeat("> ", 200)+strings.Repeat("x", i))
		if err != nil {
			t.Fatal(err)
		}
		last = n
	}
	b := e.signedIn(e.owner)
	before := web.MarkdownRenders()
	first := b.get(page).must(t, http.StatusOK)
	if len(noteIDs(first.Body)) != app.NotesPageSize {
		t.Fatal("the notes are not on the page")
	}
	if web.MarkdownRenders()-before < app.NotesPageSize {
		t.Fatalf("the first view rendered %d notes", web.MarkdownRenders()-before)
	}
	before = web.MarkdownRenders()
	second := b.get(page).must(t, http.StatusOK)
	if n := web.MarkdownRenders() - before; n != 0 {
		t.Fatalf("the second view rendered %d Markdown texts again", n)
	}
	if noteBodies(first.Body) != noteBodies(second.Body) {
		t.Fatal("the second view shows different notes")
	}
	if _, err := e.svc.UpdateNote(ctx, owner, e.org, last.ID, "Edited *once*"); err != nil {
		t.Fatal(err)
	}
	before = web.MarkdownRenders()
	third := b.get(page).must(t, http.StatusOK)
	if n := web.MarkdownRenders() - before; n != 1 {
		t.Fatalf("after an edit the view rendered %d texts, want 1", n)
	}
	if !strings.Contains(third.Body, "Edited <em>once</em>") {
		t.Fatal("the edited note is not shown")
	}
}

var noteBody = regexp.MustCompile(`(?s)<div class="md note-body">.*?</div>`)

func noteBodies(body string) string { return strings.Join(noteBody.FindAllString(body, -1), "\n") }
