package e2e_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// addMember creates a user with the CLI and makes them a member of the
// demo organisation.
func addMember(t *testing.T, email, name, password, role string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for _, args := range [][]string{
		{"user", "create", "--db", env.db, "--email", email, "--name", name, "--password", password},
		{"member", "add", "--db", env.db, "--org", env.org, "--email", email, "--role", role},
	} {
		if out, err := exec.CommandContext(ctx, env.bin, args...).CombinedOutput(); err != nil {
			t.Fatalf("personapal %s: %v\n%s", args[0], err, out)
		}
	}
}

// Two people, two browsers (own cookies), one persona: each sees the other
// named under the page head; when one opens the edit form the other reads
// "editing"; when they leave the form, the line empties (well within the
// rows' expiry: leaving deletes the row).
func TestPresenceTwoBrowsers(t *testing.T) {
	id := unique("")
	eliEmail, eliPassword := "eli-"+id+"@example.com", "eli-password-"+id
	addMember(t, eliEmail, "Eli Editor", eliPassword, "editor")
	pid := personaID(t, "Compliance Analyst")
	page := orgPath("/personas/" + pid)

	dana := signIn(t, page)
	eli := newBrowser(t)
	eli.step("Eli signs in", signInAs(eliEmail, eliPassword), atPath("^"+orgPath("")+"$"))
	eli.step("Eli opens the persona", open(page), present("#presence", 1))

	dana.step("Dana sees Eli viewing", see("#presence", "Eli Editor is viewing this persona."))
	eli.step("Eli sees Dana viewing", see("#presence", "Dana Demo is viewing this persona."))
	dana.step("Eli's initials are in the line", see("#presence .presence-face.viewing", "EE"))

	eli.step("Eli opens the edit form", open(page+"/edit"), present("form", 1), present("#presence", 1))
	dana.step("Dana sees Eli editing", see("#presence", "Eli Editor is editing this persona."),
		present("#presence .presence-face.editing", 1))
	eli.step("Eli's form names Dana viewing", see("#presence", "Dana Demo is viewing this persona."))
	dana.presenceShots()

	eli.step("Eli leaves the form for the home page", open(orgPath("")))
	dana.step("Eli is gone from Dana's line", seeExactly("#presence", ""))
}

// presenceShots checks the page with its presence line at 390 and 1440 px,
// light and dark (no sideways scroll), and keeps a screenshot of the
// window's top of each in the temporary folder (personapal-e2e).
func (b *browser) presenceShots() {
	b.t.Helper()
	defer b.step("back to the light scheme at 1280 px", chromedp.EmulateViewport(1280, 900), chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{})
		return err
	}))
	for _, scheme := range []string{"light", "dark"} {
		for _, size := range [][2]int64{{390, 844}, {1440, 900}} {
			where := fmt.Sprintf("%dpx-%s", size[0], scheme)
			b.step("the presence line at "+where,
				chromedp.EmulateViewport(size[0], size[1]),
				chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
					_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
						Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}})
					return err
				}),
				noSidewaysScroll("the persona page with presence at "+where),
				js(`() => { window.scrollTo(0, 0); return ""; }`))
			png := run(b, "screenshot at "+where, chromedp.CaptureScreenshot())
			dir := filepath.Join(os.TempDir(), "personapal-e2e")
			if err := os.MkdirAll(dir, 0o755); err != nil {
				b.t.Fatal(err)
			}
			path := filepath.Join(dir, "presence-"+where+".png")
			if err := os.WriteFile(path, png, 0o644); err != nil {
				b.t.Fatal(err)
			}
			b.t.Logf("screenshot: %s", path)
		}
	}
}
