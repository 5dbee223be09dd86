package e2e_test

// The README's screenshots (issue 16, point 13). Every run renders them
// and checks them; with PERSONAPAL_SCREENSHOTS set to a folder (relative
// to the module root, normally docs/images) the run writes them there:
//
//	PERSONAPAL_SCREENSHOTS=docs/images go test ./internal/e2e -run TestREADMEScreenshots -count=1
//
// Without it they go to the temporary folder, never into the repository.

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// shotMaxHeight is where a long page is cut: the top of a page is what a
// README reader needs to see.
const shotMaxHeight = 1600

// readmeShot is one screenshot of the README.
type readmeShot struct {
	file          string // file name in the folder
	path          string // the page
	wait          string // a selector that shows the page is ready
	width, height int64  // the window
	// from, if set, selects what the shot shows instead of the page's
	// top: the section that holds the first element it matches.
	from string
}

func readmeShots(t *testing.T) []readmeShot {
	lead := personaID(t, "System Lead")
	var lps struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	apiDo(t, "GET", "/api/v1/orgs/"+env.org+"/launchpads", nil, &lps)
	if len(lps.Items) == 0 {
		t.Fatal("the demo has no saved Launchpad")
	}
	compare := fmt.Sprintf("/compare?ids=%s&ids=%s&ids=%s", lead,
		personaID(t, "Compliance Analyst"), personaID(t, "Payments Operations Specialist"))
	return []readmeShot{
		{"home.png", orgPath(""), "main", 1440, 900, ""},
		{"persona.png", orgPath("/personas/" + lead), "#persona-name", 1440, 900, ""},
		{"compare.png", orgPath(compare), "#dimension-chart", 1440, 900, "#dimension-chart"},
		{"variants.png", orgPath("/personas/" + lead + "/variants/compare"), "main", 1440, 900, ""},
		{"launchpad.png", orgPath("/launchpads/" + lps.Items[0].ID), "main", 1440, 900, ""},
		{"persona-phone.png", orgPath("/personas/" + lead), "#persona-name", 390, 844, ""},
	}
}

// capture takes the top of the page (or of the section that holds from),
// at most shotMaxHeight px, at the window's width, in the light scheme,
// with no motion.
func capture(width int64, from string) chromedp.Action[[]byte] {
	return func(ctx context.Context, t *chromedp.Target) ([]byte, error) {
		if _, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{
				{Name: "prefers-color-scheme", Value: "light"},
				{Name: "prefers-reduced-motion", Value: "reduce"},
			}}); err != nil {
			return nil, err
		}
		box, err := chromedp.Evaluate[[]float64](call(`async (from, max) => {
			await document.fonts.ready;
			window.scrollTo(0, 0);
			await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
			const page = document.documentElement.scrollHeight;
			if (!from) return [0, Math.min(page, max)];
			const el = document.querySelector(from);
			if (!el) throw new Error("no element matches " + from);
			const r = (el.closest("section") || el).getBoundingClientRect();
			const top = Math.max(0, r.top + window.scrollY - 24);
			return [top, Math.min(r.height + 48, max, page - top)];
		}`, from, shotMaxHeight), chromedp.EvalAwaitPromise)(ctx, t)
		if err != nil {
			return nil, err
		}
		beyond := true
		res, err := cdp.Call(ctx, t, page.CaptureScreenshot, page.CaptureScreenshotParams{
			Format:                page.CaptureScreenshotFormatPng,
			CaptureBeyondViewport: &beyond,
			Clip:                  &page.Viewport{X: 0, Y: box[0], Width: float64(width), Height: box[1], Scale: 1},
		})
		if err != nil {
			return nil, err
		}
		return res.Data, nil
	}
}

// recompress re-encodes a PNG with the best compression Go has.
func recompress(raw []byte) ([]byte, image.Image, error) {
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		return nil, nil, err
	}
	var out bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&out, img); err != nil {
		return nil, nil, err
	}
	if out.Len() > len(raw) {
		return raw, img, nil
	}
	return out.Bytes(), img, nil
}

// The README's screenshots render at their sizes with no console error;
// PERSONAPAL_SCREENSHOTS=docs/images writes them into the repository.
func TestREADMEScreenshots(t *testing.T) {
	dir := filepath.Join(os.TempDir(), "personapal-e2e", "readme")
	if d := os.Getenv("PERSONAPAL_SCREENSHOTS"); d != "" {
		root, err := moduleRoot()
		if err != nil {
			t.Fatal(err)
		}
		dir = d
		if !filepath.IsAbs(d) {
			dir = filepath.Join(root, d)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	b := signIn(t, orgPath(""))
	for _, s := range readmeShots(t) {
		b.step("open "+s.file, chromedp.EmulateViewport(s.width, s.height), open(s.path), present(s.wait, 1), noSidewaysScroll(s.file))
		raw := run(b, "capture "+s.file, capture(s.width, s.from))
		data, img, err := recompress(raw)
		if err != nil {
			t.Fatalf("%s: %v", s.file, err)
		}
		size := img.Bounds().Size()
		if int64(size.X) != s.width || size.Y < 300 || size.Y > shotMaxHeight {
			t.Errorf("%s is %d×%d px; want %d px wide and 300–%d px tall", s.file, size.X, size.Y, s.width, shotMaxHeight)
		}
		path := filepath.Join(dir, s.file)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d×%d px, %d KB (%s)", s.file, size.X, size.Y, len(data)/1024, path)
	}
	b.step("back to the desktop window", chromedp.EmulateViewport(1440, 900))
}
