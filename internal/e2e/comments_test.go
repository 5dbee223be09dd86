package e2e_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// cliMember creates a user with the CLI on the database db and makes them
// a member of the organisation org with role.
func cliMember(t *testing.T, db, org, email, name, password, role string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if out, err := exec.CommandContext(ctx, env.bin, "user", "create", "--db", db, "--email", email,
		"--name", name, "--password", password).CombinedOutput(); err != nil {
		t.Fatalf("personapal user create: %v\n%s", err, out)
	}
	if out, err := exec.CommandContext(ctx, env.bin, "member", "add", "--db", db, "--org", org,
		"--email", email, "--role", role).CombinedOutput(); err != nil {
		t.Fatalf("personapal member add: %v\n%s", err, out)
	}
}

// TestViewerCommentsOnAFieldAndMentionsAnEditor: a viewer opens a demo
// persona, starts a comment on one field from the field's marker, mentions
// an editor through the autocomplete with the keyboard only ("@", letters,
// arrow, Enter) and posts; the editor, signed in in another browser
// context, sees the comment in that field's thread and the field's marker
// counting it, the mention under the bell and in the notification list,
// and the mention e-mail arrives at the test's SMTP server
// with a link to the comment. The server is one of the test's own, with
// SMTP (mail_harness_test.go) and the demo data.
func TestViewerCommentsOnAFieldAndMentionsAnEditor(t *testing.T) {
	m := startMailServer(t, true)
	tag := unique("cm")
	viewerEmail, editorEmail := tag+"-viewer@example.com", tag+"-editor@example.com"
	editorName := "Edna Quill" + tag
	cliMember(t, m.db, m.org, viewerEmail, "Vic Viewer", "viewer-password-"+tag, "viewer")
	cliMember(t, m.db, m.org, editorEmail, editorName, "editor-password-"+tag, "editor")

	v := m.signIn(t, viewerEmail, "viewer-password-"+tag)
	v.step("open System Lead from its card", m.open("/o/"+m.org), follow(card("System Lead")),
		seeExactly("#persona-name", "System Lead"), present("#comments", 1))
	path := run(v, "the persona's path", chromedp.Evaluate[string](`location.pathname`))
	// The first filled field in the sections, by its comment marker.
	field := run(v, "find a field's comment marker", chromedp.Evaluate[string](`(() => {
		const m = document.querySelector(".pp-fields a.cm-mark-new[data-comment-mark]");
		return m ? m.dataset.commentMark : "";
	})()`))
	if field == "" {
		t.Fatal("no field of System Lead has a marker to start a comment")
	}
	v.step("start a comment on the field "+field+" from its marker",
		follow(`.pp-fields a[data-comment-mark="`+field+`"]`),
		until("the form is about the field", `(key) => {
			const s = document.querySelector("#comment-field");
			return s && s.value === key ? "" : "the comment form is about " + (s ? JSON.stringify(s.value) : "nothing");
		}`, field))
	// Blank (spaces pass the browser's "required"): refused in place,
	// naming the comment and keeping the field it was about.
	v.step("post a blank comment",
		focusOn("#comment-body"),
		chromedp.SendKeys(chromedp.CSS("#comment-body"), "   ", chromedp.NodeVisible),
		click("#post-comment"),
		see("#comment-error", "The comment is required"),
		present(`#retry-comment input[name="field"][value="`+field+`"]`, 1))
	v.step("type a comment and '@' with the editor's first letters",
		focusOn("#comment-body"),
		chromedp.SendKeys(chromedp.CSS("#comment-body"), "Is this still true? @"+editorName[:4], chromedp.NodeVisible),
		until("the autocomplete lists the editor", `(name) => {
			const ta = document.querySelector("#comment-body"), list = document.querySelector("#comment-body-mentions");
			if (list.hidden) return "the list is hidden";
			if (ta.getAttribute("aria-expanded") !== "true") return "aria-expanded is not true";
			const opts = [...list.querySelectorAll("[role=option]")].map(o => o.innerText);
			return opts.some(o => o.includes(name)) ? "" : "options: " + JSON.stringify(opts);
		}`, editorName))
	v.step("pick the editor with the arrow keys and Enter",
		focusOn("#comment-body"),
		js(`(name) => {
			// Move to the editor's option with ArrowDown presses counted here.
			window.__cmPresses = [...document.querySelectorAll("#comment-body-mentions [role=option]")].findIndex(o => o.innerText.includes(name));
			return window.__cmPresses < 0 ? "the editor is not listed" : "";
		}`, editorName))
	presses := run(v, "count the arrow presses", chromedp.Evaluate[int](`window.__cmPresses`))
	// The list opens on its first option; ArrowDown then ArrowUp shows the
	// keys move the selection, then ArrowDown to the editor's option.
	steps := []action{key(kb.ArrowDown), key(kb.ArrowUp)}
	for range presses {
		steps = append(steps, key(kb.ArrowDown))
	}
	steps = append(steps,
		until("the editor's option is selected", `(name) => {
			const ta = document.querySelector("#comment-body"), id = ta.getAttribute("aria-activedescendant");
			const o = id && document.getElementById(id);
			return o && o.getAttribute("aria-selected") === "true" && o.innerText.includes(name) ? "" : "active: " + (o ? o.innerText : "none");
		}`, editorName),
		key(kb.Enter),
		until("the mention token is inserted", `(name) => {
			const ta = document.querySelector("#comment-body");
			return ta.value.includes("@[" + name + "](user:") && document.querySelector("#comment-body-mentions").hidden ? "" : "the text is " + JSON.stringify(ta.value);
		}`, editorName))
	v.step("select the editor", steps...)
	v.step("finish and post the comment",
		chromedp.SendKeys(chromedp.CSS("#comment-body"), "please confirm "+tag, chromedp.NodeVisible),
		click("#post-comment"),
		see("#comments-f-"+field, "Is this still true?", "@"+editorName, "please confirm "+tag, "Vic Viewer"))

	// The mention e-mail, at once, with the comment's link.
	msg, link := m.mail(t, editorEmail, "Vic Viewer mentioned you on System Lead", 1)
	if !strings.HasPrefix(link, m.base+path) || !strings.Contains(link, "#comment-") || !strings.Contains(msg.Text, "please confirm "+tag) {
		t.Errorf("the mention e-mail links %q and reads:\n%s", link, msg.Text)
	}
	ed := m.signIn(t, editorEmail, "editor-password-"+tag)
	// In the app: the bell counts the mention; the list shows it; opening
	// it lands on the comment and the bell is empty again.
	ed.step("see the mention under the bell",
		chromedp.Navigate(m.base+"/o/"+m.org), present(`#bell[aria-label="Notifications, 1 unread"]`, 1), seeExactly("#bell .bell-count", "1"),
		follow("#bell"), see("#notification-list", "Vic Viewer mentioned you on System Lead", "please confirm "+tag),
		follow(`#notification-list .nt-item.unread .nt-title`),
		until("the comment's page", `() => location.pathname.endsWith("`+path+`") && location.hash.startsWith("#comment-") ? "" : "at " + location.href`),
		present(`#bell[aria-label="Notifications"]`, 1), present("#bell .bell-count", 0))
	ed.step("see the comment on the field (from the e-mail's link)",
		chromedp.Navigate(link), seeExactly("#persona-name", "System Lead"),
		see("#comments-f-"+field, "Is this still true?", "please confirm "+tag),
		present(`#comments-f-`+field+` a[href^="#mention-"]`, 1),
		seeExactly(`.pp-fields a.cm-mark[data-comment-mark="`+field+`"] span:not(.visually-hidden)`, "1"))
	if got := run(ed, "the mention's name", chromedp.Evaluate[string](`document.querySelector('#comments a[href^="#mention-"]').innerText`)); !strings.Contains(got, editorName) {
		t.Errorf("the mention reads %q", got)
	}
	// The editor replies in the thread (an htmx swap of the section).
	ed.step("reply to the thread",
		click("#comments-f-"+field+" .cm-reply > summary"),
		focusOn("#comments-f-"+field+" .cm-reply textarea"),
		chromedp.SendKeys(chromedp.CSS("#comments-f-"+field+" .cm-reply textarea"), "Checked with the team: still true.", chromedp.NodeVisible),
		click("#comments-f-"+field+" .cm-reply button[type=submit]"),
		see("#comments-f-"+field+" .cm-replies", "Checked with the team: still true.", editorName),
		seeExactly(`.pp-fields a.cm-mark[data-comment-mark="`+field+`"] span:not(.visually-hidden)`, "2"))
	commentShots(t, ed, field)
}

// commentShots screenshots the comments section and the commented field
// at every look (390 and 1440 px, light and dark), into
// PERSONAPAL_COMMENT_SHOTS or the harness's temporary folder.
func commentShots(t *testing.T, b *browser, field string) {
	dir := os.Getenv("PERSONAPAL_COMMENT_SHOTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "personapal-e2e")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, l := range looks {
		b.step("look at "+l.String(), chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			if _, err := chromedp.EmulateViewport(l.width, l.height)(ctx, tg); err != nil {
				return err
			}
			_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
				Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: l.scheme}}})
			return err
		}), fits("the persona page with comments at "+l.String()))
		for name, sel := range map[string]string{"comments": "#comments", "field": "#field-" + field} {
			png := run(b, "screenshot "+sel, chromedp.Screenshot(chromedp.CSS(sel), chromedp.NodeVisible))
			path := filepath.Join(dir, fmt.Sprintf("comments-%s-%d-%s.png", name, l.width, l.scheme))
			if err := os.WriteFile(path, png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}
