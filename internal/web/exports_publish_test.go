package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/markdown/publishcheck"
	"github.com/personapal/personapal/internal/persona"
)

// hostileMarkdown is what an attacker writes into every Markdown field:
// raw HTML of every kind, script links however spelled, autolinks,
// comments, entity-encoded tags, reference definitions that another field
// may use, in block quotes, lists and tables.
var hostileMarkdown = strings.Join([]string{
	"Intro with **bold** and a [fine link](https://example.com/ok).",
	"<script>alert(1)</script>",
	"<img src=x onerror=alert(1)>",
	`<a href="javascript:alert(1)">a</a> and <svg onload=alert(1)> and <iframe src="https://evil.example"></iframe>`,
	"[x](javascript:alert(1)) [x](JaVaScRiPt:alert(1)) [x](java&#x09;script:alert(1)) [x](&#106;avascript:alert(1)) [x](vbscript:msgbox(1))",
	"![x](javascript:alert(1)) ![x](data:image/svg+xml,<svg onload=alert(1)>) [x](data:text/html,<script>alert(1)</script>)",
	"<javascript:alert(1)> <!-- <script>alert(1)</script> --> &lt;script&gt;alert(1)&lt;/script&gt;",
	"<div onclick=alert(1)>\n\n*inside a block*\n\n</div>",
	"> <script>alert(1)</script>\n\n- <img src=x onerror=alert(1)>\n- [y](javascript:alert(1))",
	"| a | b |\n| - | - |\n| <script>alert(1)</script> | [x](javascript:alert(1)) |",
	"[evil]: javascript:alert(1)",
	"[evil] and [text][evil] anywhere in the export",
}, "\n\n")

// hostileText is what an attacker types into every one-line field: a
// name, a label, a list item.
const hostileText = "Eve <script>alert(1)</script> | `tick` <img src=x onerror=alert(1)> [x](javascript:alert(1)) &lt;b&gt; &amp;"

// hostileValues fills every Markdown, text, list and tag field of a
// definition with the payloads, keeping the other values.
func hostileValues(def persona.Definition, keep persona.Values) persona.Values {
	v := persona.Values{}
	for k, x := range keep {
		v[k] = x
	}
	for _, s := range def.Sections {
		for _, f := range s.Fields {
			switch f.Kind {
			case persona.KindMarkdown:
				v[f.Key] = hostileMarkdown
			case persona.KindText:
				v[f.Key] = hostileText
				if f.MaxLength > 0 && len(hostileText) > f.MaxLength {
					v[f.Key] = "<script>alert(1)</script>"
				}
			case persona.KindList, persona.KindTags:
				// Items are short (60 characters at most).
				v[f.Key] = []any{"<script>alert(1)</script>", "[x](javascript:alert(1))", "[evil] | `t`", "<img src=x onerror=alert(1)>"}
			}
		}
	}
	return v
}

// makeHostile renames a persona and fills its fields with the payloads.
func (e *webEnv) makeHostile(p persona.Persona, name, groupID string) persona.Persona {
	e.t.Helper()
	ctx := context.Background()
	owner := e.actor(e.owner)
	out, err := e.svc.UpdatePersona(ctx, owner, e.org, p.ID, p.Revision, app.PersonaInput{
		Name: name, Summary: hostileMarkdown, GroupID: groupID, Status: p.Status, OwnerID: p.OwnerID,
		Values: hostileValues(e.exportDefinition(p), p.Values), Dimensions: p.Dimensions,
		LastReviewedOn: p.LastReviewedOn, ReviewIntervalDays: p.ReviewIntervalDays, Message: "hostile"})
	if err != nil {
		e.t.Fatalf("making %s hostile: %v", p.Name, err)
	}
	return out
}

// Every Markdown file the product writes — a persona, a group, a
// comparison, the alignment report and a Launchpad — is safe to publish on
// a renderer that passes raw HTML through: built from an organisation
// whose every name, label and field is full of payloads, each export,
// rendered with goldmark's unsafe renderer and parsed as a browser does,
// holds only Markdown's own elements and no address with a script scheme.
func TestEveryMarkdownExportIsSafeToPublish(t *testing.T) {
	e := newWebEnv(t)
	ctx := context.Background()
	owner := e.actor(e.owner)
	if _, err := e.svc.RenameOrg(ctx, owner, e.org, "Ledger <script>alert(1)</script> | `Org` [x](javascript:alert(1))"); err != nil {
		t.Fatal(err)
	}
	g, err := e.svc.CreateGroup(ctx, owner, e.org, app.GroupInput{Name: hostileText, Description: hostileMarkdown})
	if err != nil {
		t.Fatal(err)
	}
	// The demo links the buyer to the System Lead: both get hostile, and
	// so does the archetype behind the Launchpad.
	lead := e.makeHostile(e.demoPersona("System Lead"), "Lead "+hostileText, g.ID)
	buyer := e.makeHostile(e.demoPersona("Head of Operations (buyer)"), "Buyer "+hostileText, g.ID)
	bank := e.makeHostile(e.demoPersona("Big Bank"), "Bank "+hostileText, g.ID)

	lp, err := e.svc.CreateLaunchpad(ctx, owner, e.org, app.LaunchpadRequest{ArchetypeID: bank.ID, Defaults: true}, "Pilot "+hostileText, hostileMarkdown)
	if err != nil {
		t.Fatal(err)
	}
	lp, err = e.svc.UpdateLaunchpad(ctx, owner, e.org, lp.ID, lp.Revision, app.LaunchpadUpdate{Name: lp.Name, Notes: lp.Notes,
		Plan: persona.PlanEdits{Phases: map[persona.Phase]persona.PhaseEdit{
			persona.PhaseFoundation: {Notes: hostileMarkdown, ExitCriteria: []string{hostileText}, Owners: []string{hostileText}},
		}}})
	if err != nil {
		t.Fatal(err)
	}

	org := "/o/" + e.org
	b := e.signedIn(e.viewer)
	exports := map[string]string{
		"persona":    org + "/personas/" + lead.ID + "/export.md",
		"group":      org + "/groups/" + g.ID + "/export.md",
		"comparison": org + "/compare/export.md?ids=" + lead.ID + "," + buyer.ID + "," + bank.ID,
		"alignment":  org + "/alignment.md",
		"launchpad":  org + "/launchpads/" + lp.ID + "/export.md",
	}
	for name, path := range exports {
		md := b.get(path).must(t, http.StatusOK)
		if !strings.HasPrefix(md.Header.Get("Content-Type"), "text/markdown") {
			t.Fatalf("%s: not a Markdown download", name)
		}
		// The payloads made it into the file, as text.
		if !strings.Contains(md.Body, "alert(1)") {
			t.Fatalf("%s export lacks the payloads:\n%s", name, md.Body)
		}
		if probs := publishcheck.Problems(md.Body); len(probs) > 0 {
			t.Errorf("%s export is not safe to publish: %s\n%s", name, strings.Join(probs, "; "), md.Body)
		}
	}
}
