package e2e_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// The values the audience must never see carry markers the crawler looks
// for in every byte it fetches.
const (
	hiddenMarker    = "QZX-HIDDEN-SECTION"
	sensitiveMarker = "QZX-SENSITIVE"
)

// sharedPersonaFixture makes, through the API, a buyer template with a
// sensitive field and a section to hide, and a persona built from it.
func sharedPersonaFixture(t *testing.T) (personaID, name string) {
	t.Helper()
	org := "/api/v1/orgs/" + env.org
	var tmpl struct {
		ID string `json:"id"`
	}
	apiDo(t, "POST", org+"/templates", map[string]any{"name": "Account sheet " + unique("t"), "profile_type": "marketing",
		"definition": map[string]any{"sections": []map[string]any{
			{"key": "story", "label": "The story", "fields": []map[string]any{
				{"key": "pitch", "label": "Pitch", "kind": "text", "max_length": 300},
				{"key": "budget", "label": "Budget ceiling", "kind": "text", "max_length": 300, "sensitive": true},
			}},
			{"key": "internal", "label": "Internal strategy", "fields": []map[string]any{
				{"key": "strategy", "label": "Strategy", "kind": "markdown", "max_length": 5000},
			}},
		}, "dimensions": []any{}}}, &tmpl)
	apiDo(t, "POST", org+"/templates/"+tmpl.ID+"/publish", map[string]any{}, nil)
	name = "Procurement Lead " + unique("s")
	var p struct {
		ID string `json:"id"`
	}
	apiDo(t, "POST", org+"/personas", map[string]any{"name": name, "template_id": tmpl.ID, "group_id": findGroup(t, "Product users"),
		"summary": "Buys reconciliation software for a regional bank.",
		"values": map[string]any{
			"pitch":    "Close the books two days faster",
			"budget":   "EUR 480k ceiling " + sensitiveMarker,
			"strategy": "Undercut the incumbent on price " + hiddenMarker,
		}}, &p)
	return p.ID, name
}

// The acceptance walk of share links: a member shares a persona hiding a
// section (its sensitive field is hidden anyway); a fresh browser without
// a session sees the visible parts; a crawler fetches the page, its PDF and
// PNG and every asset and same-site link they reference, and finds no
// hidden value in any byte (the PDF's text extracted with pdftotext, since
// its content streams are compressed); revoked, the link is not found; an
// expired one too; a wrong password shows nothing.
func TestShareLinkLensHoldsInPagePDFAndPNG(t *testing.T) {
	id, name := sharedPersonaFixture(t)
	owner := signIn(t, orgPath("/personas/"+id))
	owner.step("choose Share on the persona page", follow("#share-persona"), see("main h1", "Share "+name),
		see("#share-lens", "Budget ceiling", "sensitive: never shared"))
	owner.step("hide the internal section and make the link",
		click(`input[name="hide_section"][value="internal"]`), follow("#create-share"), see("main h1", "The link is ready"))
	link, err := chromedp.Run(owner.ctx, chromedp.Evaluate[string](`document.querySelector("#share-url").value`))
	if err != nil || !strings.Contains(link, "/s/pps_") {
		t.Fatalf("the share link: %q %v", link, err)
	}
	path := strings.TrimPrefix(link, env.base)
	owner.shot("share-created")

	audience := newBrowser(t) // a new browser context: no cookies, no session
	audience.step("open the link without a session", open(path),
		see("#persona-name", name), see("main", "Close the books two days faster"), count("a[href^='/o/']", 0))
	text, err := chromedp.Run(audience.ctx, chromedp.Evaluate[string](`document.documentElement.outerHTML`))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{hiddenMarker, sensitiveMarker, "Internal strategy", "Budget ceiling"} {
		if strings.Contains(text, m) {
			t.Errorf("the shared page in the browser holds %q", m)
		}
	}
	audience.shot("share-audience")

	fetched := crawlShare(t, path)
	if fetched < 4 {
		t.Fatalf("the crawler fetched only %d resources", fetched)
	}

	// Revoke (through the API): the page and its exports are gone at once.
	var links struct {
		Items []struct{ ID, Title string } `json:"items"`
	}
	apiDo(t, "GET", "/api/v1/orgs/"+env.org+"/shares", nil, &links)
	var shareID string
	for _, l := range links.Items {
		if l.Title == name {
			shareID = l.ID
		}
	}
	apiDo(t, "POST", "/api/v1/orgs/"+env.org+"/shares/"+shareID+"/revoke", nil, nil)
	for _, p := range []string{path, path + "/export.pdf", path + "/export.png"} {
		if st, body := plainGet(t, p); st != http.StatusNotFound || bytes.Contains(body, []byte(name)) {
			t.Errorf("revoked: %s answers %d", p, st)
		}
	}
	audience.step("the revoked link shows the not-found page", open(path), see("main", "Not found"))

	// Expiry: a link that ends in two seconds.
	var expiring struct{ Path string }
	apiDo(t, "POST", "/api/v1/orgs/"+env.org+"/shares", map[string]any{"kind": "persona", "subject_ids": []string{id},
		"expires_at": time.Now().Add(2 * time.Second).UTC().Format(time.RFC3339Nano)}, &expiring)
	if st, _ := plainGet(t, expiring.Path); st != http.StatusOK {
		t.Fatalf("a live expiring link answers %d", st)
	}
	time.Sleep(2500 * time.Millisecond)
	if st, body := plainGet(t, expiring.Path); st != http.StatusNotFound || bytes.Contains(body, []byte(name)) {
		t.Errorf("an expired link answers %d", st)
	}

	// A wrong password shows nothing of the persona.
	var locked struct{ Path string }
	apiDo(t, "POST", "/api/v1/orgs/"+env.org+"/shares", map[string]any{"kind": "persona", "subject_ids": []string{id},
		"password": "correct horse battery"}, &locked)
	guest := newBrowser(t)
	guest.step("a locked link asks for its password", open(locked.Path), present("#share-pw", 1), count("#persona-name", 0))
	guest.step("a wrong password", typeInto("#share-pw", "not the password"), follow(`#share-password button[type="submit"]`),
		see("#pw-err", "not right"), count("#persona-name", 0))
	if html, err := chromedp.Run(guest.ctx, chromedp.Evaluate[string](`document.documentElement.outerHTML`)); err != nil || strings.Contains(html, "Close the books") {
		t.Errorf("a wrong password shows the persona (%v)", err)
	}
	guest.step("the right password opens it", typeInto("#share-pw", "correct horse battery"), follow(`#share-password button[type="submit"]`),
		see("#persona-name", name))
}

var refRE = regexp.MustCompile(`(?:src|href)="([^"]+)"|url\(([^)]+)\)`)

// crawlShare fetches a shared page without cookies, its PDF and PNG, and
// every same-site resource the page and its stylesheets reference, and
// fails on any hidden value in any of them. It returns how many it
// fetched.
func crawlShare(t *testing.T, path string) int {
	t.Helper()
	seen := map[string]bool{}
	queue := []string{path, path + "/export.pdf", path + "/export.png"}
	fetched := 0
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if seen[p] {
			continue
		}
		seen[p] = true
		st, body := plainGet(t, p)
		if st != http.StatusOK {
			t.Errorf("crawler: %s answers %d", p, st)
			continue
		}
		fetched++
		checkNoHidden(t, p, body)
		if strings.HasSuffix(p, ".pdf") {
			checkNoHidden(t, p+" (its text)", pdfText(t, body))
		}
		if strings.HasSuffix(p, ".png") && !bytes.HasPrefix(body, []byte("\x89PNG")) {
			t.Errorf("crawler: %s is not a PNG", p)
		}
		if !strings.HasSuffix(p, ".css") && !strings.HasPrefix(string(body), "<!doctype") {
			continue
		}
		base, _ := url.Parse(env.base + p)
		for _, m := range refRE.FindAllStringSubmatch(string(body), -1) {
			ref := strings.Trim(m[1]+m[2], `'" `)
			if ref == "" || strings.HasPrefix(ref, "#") || strings.HasPrefix(ref, "data:") {
				continue
			}
			u, err := base.Parse(strings.ReplaceAll(ref, "&amp;", "&"))
			if err != nil || u.Host != base.Host {
				continue // another site: nothing of ours to fetch
			}
			if !seen[u.RequestURI()] {
				queue = append(queue, u.RequestURI())
			}
		}
	}
	return fetched
}

func checkNoHidden(t *testing.T, what string, body []byte) {
	t.Helper()
	for _, m := range []string{hiddenMarker, sensitiveMarker, "Undercut the incumbent", "EUR 480k"} {
		if bytes.Contains(body, []byte(m)) {
			t.Errorf("crawler: %s holds the hidden value %q", what, m)
		}
	}
}

// pdfText extracts a PDF's text with poppler's pdftotext.
func pdfText(t *testing.T, pdf []byte) []byte {
	t.Helper()
	dir := t.TempDir()
	in := filepath.Join(dir, "shared.pdf")
	if err := os.WriteFile(in, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", in, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext (Debian's poppler-utils, installed by .ci/run): %v", err)
	}
	if !bytes.Contains(out, []byte("Close the books")) {
		t.Errorf("the shared PDF's text lacks the visible pitch:\n%s", out)
	}
	return out
}

// plainGet fetches a path with no cookies and no token: as the audience.
func plainGet(t *testing.T, path string) (int, []byte) {
	t.Helper()
	client := &http.Client{Timeout: 90 * time.Second}
	res, err := client.Get(env.base + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, body
}

// An embedded share link renders in an iframe of a site on its allow-list
// and is refused in any other (frame-ancestors).
func TestEmbeddedShareLinkOnlyOnAllowedSites(t *testing.T) {
	id := personaID(t, "System Lead")
	site := func() *httptest.Server {
		srv := httptest.NewUnstartedServer(nil)
		srv.Start()
		return srv
	}
	allowed, other := site(), site()
	t.Cleanup(allowed.Close)
	t.Cleanup(other.Close)
	var share struct{ Path string }
	apiDo(t, "POST", "/api/v1/orgs/"+env.org+"/shares", map[string]any{"kind": "persona", "subject_ids": []string{id},
		"frame_ancestors": []string{allowed.URL}}, &share)
	embed := []byte(fmt.Sprintf(`<!doctype html><html lang="en"><title>Intranet</title><h1>Our customers</h1>
<iframe id="pp" src="%s%s?embed=1" width="800" height="600" title="System Lead"></iframe>`, env.base, share.Path))
	for _, s := range []*httptest.Server{allowed, other} {
		s.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write(embed)
		})
	}
	frameOf := func(b *browser, site string) *cdp.Frame {
		if err := chromedp.Do(b.ctx, navigate(site+"/")); err != nil {
			t.Fatalf("open %s: %v", site, err)
		}
		var child *cdp.Frame
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) {
			res, err := chromedp.Run(b.ctx, chromedp.Action[page.GetFrameTreeResult](func(ctx context.Context, tg *chromedp.Target) (page.GetFrameTreeResult, error) {
				return cdp.Call(ctx, tg, page.GetFrameTree, cdp.Empty{})
			}))
			tree := res.FrameTree
			if err == nil && tree != nil && len(tree.ChildFrames) == 1 && tree.ChildFrames[0].Frame.URL != "about:blank" && tree.ChildFrames[0].Frame.URL != "" {
				child = tree.ChildFrames[0].Frame
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
		if child == nil {
			t.Fatalf("no frame loaded on %s", site)
		}
		return child
	}
	b := newBrowser(t)
	if f := frameOf(b, allowed.URL); !strings.Contains(f.URL, share.Path) || f.UnreachableURL != "" {
		t.Errorf("the allowed site's frame: %s (unreachable %q)", f.URL, f.UnreachableURL)
	}
	b.shot("share-embedded")
	b.checkProblems("the allowed site")
	c := newBrowser(t)
	if f := frameOf(c, other.URL); strings.Contains(f.URL, share.Path) && f.UnreachableURL == "" {
		t.Errorf("another site embeds the link: frame at %s", f.URL)
	}
	// Chromium says why it refused: the one console error this test wants.
	deadline := time.Now().Add(10 * time.Second)
	for {
		c.mu.Lock()
		refused := slices.ContainsFunc(c.console, func(m string) bool { return strings.Contains(m, `"frame-ancestors `+allowed.URL+`"`) })
		if refused {
			c.console = nil
		}
		c.mu.Unlock()
		if refused {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("Chromium did not report refusing the frame on another site")
		}
		time.Sleep(200 * time.Millisecond)
	}
	c.shot("share-embed-refused")
}
