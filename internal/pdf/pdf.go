// Package pdf prints a page of the running server to PDF with headless
// Chromium, driven by chromedp. Chromium is optional: without it, Render
// returns ErrNoChromium, whose message tells the operator what to install.
package pdf

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// ErrNoChromium is returned when no Chromium executable can be found.
var ErrNoChromium = errors.New("PDF export needs Chromium (apt-get install chromium)")

// DefaultTimeout bounds one whole rendering: starting the browser, loading
// the page and printing it.
const DefaultTimeout = 60 * time.Second

// MaxParallel is how many browsers may print at the same time; further
// renderings wait their turn (or until their context ends).
const MaxParallel = 2

var slots = make(chan struct{}, MaxParallel)

// Cookie is a cookie the browser sends with every request to the page's
// origin (the user's session, so that the page renders as they see it).
type Cookie struct {
	Name, Value string
}

// Options tune one rendering.
type Options struct {
	Cookies   []Cookie
	Landscape bool
	// Timeout bounds the rendering; zero means DefaultTimeout.
	Timeout time.Duration
	// OwnListener says that the page is the server's own, at its
	// listener's local IP address, so that over https the browser accepts
	// any certificate: the server's certificate names its public host, not
	// that IP, and may be self-signed. The connection never leaves this
	// machine's listener, so there is nothing to authenticate. Never set it
	// for an address a user chose; Render refuses it for a host name.
	OwnListener bool
	// Paper is the PDF's sheet (A4 when zero).
	Paper Paper
	// FitPage scales a page that would print on more than one sheet down
	// until it fits on one, but not below MinFitScale: a one-pager.
	FitPage bool
	// Width is a PNG's width in CSS pixels (DefaultPNGWidth when zero).
	Width int

	beforeLoad func(tabCtx context.Context) error
}

// ExecPath finds the Chromium executable: $CHROMIUM when set (and then only
// that), else chromium, chromium-browser, google-chrome or google-chrome-stable
// on PATH, else /usr/bin/chromium. It returns ErrNoChromium when none exists.
func ExecPath() (string, error) {
	if p := os.Getenv("CHROMIUM"); p != "" {
		if isExecutable(p) {
			return p, nil
		}
		if lp, err := exec.LookPath(p); err == nil {
			return lp, nil
		}
		return "", fmt.Errorf("%w: $CHROMIUM=%q is not an executable", ErrNoChromium, p)
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	if isExecutable("/usr/bin/chromium") {
		return "/usr/bin/chromium", nil
	}
	return "", ErrNoChromium
}

func isIP(host string) bool {
	_, err := netip.ParseAddr(host)
	return err == nil
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// Available reports whether Render can find Chromium.
func Available() bool {
	_, err := ExecPath()
	return err == nil
}

// Paper is a sheet size in inches (a CSS pixel is 1/96 of an inch).
type Paper struct {
	Width, Height float64
}

// Sheet sizes the exports use.
var (
	PaperA4 = Paper{8.27, 11.69}
	// PaperSlide is a 16:9 slide, the size of a PowerPoint or Keynote
	// widescreen slide (13.333 × 7.5 in).
	PaperSlide = Paper{13.333, 7.5}
)

// DefaultPNGWidth is the width in CSS pixels of a PNG export: wide enough
// for the desktop layout of a one-pager, narrow enough to paste in a slide.
const DefaultPNGWidth = 1200

// PNGMargin is the white border round a PNG, the margin of the printed
// page (the app's @page rule).
const PNGMargin = "14mm"

// Render loads pageURL (http or https) in a fresh headless Chromium with a
// temporary profile, with opt.Cookies set for the page's origin, and prints
// it on opt.Paper (A4 when zero) with the page's print stylesheet. The page
// must answer 200 at the very address asked for: a redirect (to the sign-in
// page, say) is an error, so that a PDF never shows some other page.
func Render(ctx context.Context, pageURL string, opt Options) ([]byte, error) {
	paper := opt.Paper
	if paper == (Paper{}) {
		paper = PaperA4
	}
	return withPage(ctx, pageURL, opt, func(tabCtx context.Context) ([]byte, error) {
		printAt := func(scale float64) ([]byte, error) {
			pdfOpts := []chromedp.PDFOption{
				chromedp.PDFPaper(chromedp.PaperSize{Width: paper.Width, Height: paper.Height}),
				chromedp.PDFPrintBackground(),
				chromedp.PDFOutlineAndTagged(),
				chromedp.PDFStream(),
				chromedp.PDFScale(scale),
			}
			if opt.Landscape {
				pdfOpts = append(pdfOpts, chromedp.PDFLandscape())
			}
			return chromedp.Run(tabCtx, chromedp.PrintToPDF(pdfOpts...))
		}
		out, err := printAt(1)
		if err != nil || !opt.FitPage || PageCount(out) <= 1 {
			return out, err
		}
		return fitOnePage(out, printAt)
	})
}

// MinFitScale is the smallest scale FitPage prints at: below it the
// text is too small to read, and the page at full size is better.
const MinFitScale = 0.6

// fitOnePage finds the largest scale, down to MinFitScale, at which the
// page prints on one sheet: a few printings of the loaded page, since only
// the printer knows where its pages break. It returns full, the print at
// full size, when nothing fits.
func fitOnePage(full []byte, print func(scale float64) ([]byte, error)) ([]byte, error) {
	smallest, err := print(MinFitScale)
	if err != nil || PageCount(smallest) > 1 {
		return full, err
	}
	best, lo, hi := smallest, MinFitScale, 1.0
	for range 4 { // to within 0.025
		mid := (lo + hi) / 2
		out, err := print(mid)
		if err != nil {
			return nil, err
		}
		if PageCount(out) == 1 {
			best, lo = out, mid
		} else {
			hi = mid
		}
	}
	return best, nil
}

var pageObject = regexp.MustCompile(`/Type\s*/Page[^s]`)

// PageCount counts the page objects of a PDF that Chromium printed.
func PageCount(doc []byte) int { return len(pageObject.FindAll(doc, -1)) }

// RenderPNG loads pageURL as Render does and takes a picture of the whole
// page, opt.Width CSS pixels wide (DefaultPNGWidth when zero) at twice the
// pixel density, through the print stylesheet: the same one-pager as the
// PDF, without the app's navigation, as one image.
func RenderPNG(ctx context.Context, pageURL string, opt Options) ([]byte, error) {
	width := opt.Width
	if width <= 0 {
		width = DefaultPNGWidth
	}
	opt.beforeLoad = func(tabCtx context.Context) error {
		_, err := chromedp.Run(tabCtx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			if _, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
				return err
			}
			// Height 1: the full screenshot grows to the page's height.
			_, err := cdp.Call(ctx, t, emulation.SetDeviceMetricsOverride,
				emulation.SetDeviceMetricsOverrideParams{Width: int64(width), Height: 1, DeviceScaleFactor: 2})
			return err
		}))
		return err
	}
	return withPage(ctx, pageURL, opt, func(tabCtx context.Context) ([]byte, error) {
		// The margin a printed page has from @page: set through the
		// CSSOM, which the page's Content-Security-Policy allows.
		if _, err := chromedp.Run(tabCtx, chromedp.Evaluate[bool](`(() => { const s = document.documentElement.style; s.padding = "`+PNGMargin+`"; s.boxSizing = "border-box"; return true })()`)); err != nil {
			return nil, err
		}
		return chromedp.Run(tabCtx, chromedp.FullScreenshot(100))
	})
}

// withPage starts a browser, loads the page with the options' cookies,
// checks that it is the page asked for, and hands the tab to take.
func withPage(ctx context.Context, pageURL string, opt Options, take func(tabCtx context.Context) ([]byte, error)) ([]byte, error) {
	u, err := url.Parse(pageURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("pdf: not an http(s) address: %q", pageURL)
	}
	if opt.OwnListener && !isIP(u.Hostname()) {
		return nil, fmt.Errorf("pdf: %q is not a listener's IP address", u.Host)
	}
	exe, err := ExecPath()
	if err != nil {
		return nil, err
	}
	timeout := opt.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	select {
	case slots <- struct{}{}:
		defer func() { <-slots }()
	case <-ctx.Done():
		return nil, fmt.Errorf("pdf: waiting for a free browser: %w", ctx.Err())
	}

	dataDir, err := os.MkdirTemp("", "personapal-pdf-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dataDir)

	flags := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(dataDir),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-breakpad", true),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("use-mock-keychain", true),
		chromedp.Flag("force-color-profile", "srgb"),
		chromedp.Flag("hide-scrollbars", true),
	}
	if opt.OwnListener && u.Scheme == "https" {
		// Browser-wide, but this browser only ever loads the one page, and
		// the server's Content-Security-Policy keeps its subresources on
		// the same origin: the listener's address (see OwnListener).
		flags = append(flags, chromedp.Flag("ignore-certificate-errors", true))
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, flags...)
	defer cancelAlloc()
	tabCtx, cancelTab := chromedp.NewContext(allocCtx)
	defer cancelTab()

	if _, err := chromedp.Run(tabCtx, setCookies(pageURL, u.Scheme == "https", opt.Cookies)); err != nil {
		return nil, fmt.Errorf("pdf: starting Chromium: %w", err)
	}
	if opt.beforeLoad != nil {
		if err := opt.beforeLoad(tabCtx); err != nil {
			return nil, fmt.Errorf("pdf: setting up the page: %w", err)
		}
	}
	res, err := chromedp.Run(tabCtx, chromedp.NavigateResponse(pageURL))
	if err != nil {
		return nil, fmt.Errorf("pdf: loading %s: %w", u.Path, err)
	}
	if res == nil || res.Status != 200 {
		status := int64(0)
		if res != nil {
			status = res.Status
		}
		return nil, fmt.Errorf("pdf: loading %s: status %d", u.Path, status)
	}
	if got, err := url.Parse(res.URL); err != nil || got.Host != u.Host || got.Path != u.Path {
		return nil, fmt.Errorf("pdf: loading %s ended at another page (%s)", u.Path, res.URL)
	}
	buf, err := take(tabCtx)
	if err != nil {
		return nil, fmt.Errorf("pdf: rendering %s: %w", u.Path, err)
	}
	return buf, nil
}

// setCookies sets the cookies on the browser for the page's address before
// anything is loaded: HTTP-only, like the server's own session cookie.
func setCookies(pageURL string, secure bool, cookies []Cookie) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		for _, c := range cookies {
			httpOnly := true
			p := network.SetCookieParams{Name: c.Name, Value: c.Value, URL: pageURL, Path: "/",
				HTTPOnly: &httpOnly, SameSite: network.CookieSameSiteLax}
			if secure {
				p.Secure = &secure
			}
			if _, err := cdp.Call(ctx, t, network.SetCookie, p); err != nil {
				return fmt.Errorf("setting cookie %s: %w", c.Name, err)
			}
		}
		return nil
	})
}
