package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// firstLoadBudget is what a persona page may cost a browser that has
// nothing cached: the page, its stylesheet and its scripts, as transferred
// (compressed, with headers).
const firstLoadBudget = 60 * 1024

// TestPersonaPageFirstLoadBudget loads a demo persona page with the
// browser's cache cleared and disabled, as on a first visit, and adds up
// what the Performance resource timing says was transferred. A size budget,
// not a timing: it fails when assets are served uncompressed or unbundled
// stylesheets creep back.
func TestPersonaPageFirstLoadBudget(t *testing.T) {
	path := orgPath("/personas/" + personaID(t, "System Lead"))
	b := signIn(t, path)
	b.step("forget everything cached (a first visit)", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tg, network.ClearBrowserCache, cdp.Empty{}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, tg, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true})
		return err
	}))
	b.step("load the persona page", open(path), seeExactly("#persona-name", "System Lead"))
	raw := run(b, "read the resource timings", chromedp.Evaluate[string](`JSON.stringify(
		[...performance.getEntriesByType("navigation"), ...performance.getEntriesByType("resource")]
			.map(e => ({name: e.name, size: e.transferSize, body: e.decodedBodySize})))`))
	var entries []struct {
		Name string `json:"name"`
		Size int    `json:"size"`
		Body int    `json:"body"`
	}
	if err := json.Unmarshal([]byte(raw), &entries); err != nil {
		t.Fatalf("resource timings %q: %v", raw, err)
	}
	total, decoded := 0, 0
	var lines []string
	for _, e := range entries {
		total += e.Size
		decoded += e.Body
		lines = append(lines, fmt.Sprintf("  %7d B transferred (%7d B decoded) %s", e.Size, e.Body, strings.TrimPrefix(e.Name, env.base)))
	}
	if len(entries) < 2 || decoded == 0 {
		t.Fatalf("the timings list too little to measure:\n%s", strings.Join(lines, "\n"))
	}
	t.Logf("first load of %s: %d B transferred, %d B decoded, in %d requests:\n%s", path, total, decoded, len(entries), strings.Join(lines, "\n"))
	if total > firstLoadBudget {
		t.Errorf("first load transferred %d B, over the budget of %d B:\n%s", total, firstLoadBudget, strings.Join(lines, "\n"))
	}
	b.step("the page is styled by the one bundle (Pico's font) and runs htmx", js(`() => {
		// (htmx adds a <style> of its own for its indicators: no href.)
		const sheets = [...document.styleSheets].filter(s => s.href);
		if (sheets.length !== 1 || !sheets[0].href.endsWith("/bundle.css")) return "stylesheets: " + sheets.map(s => s.href).join(", ");
		if (sheets[0].cssRules.length < 500) return "the bundle holds only " + sheets[0].cssRules.length + " rules";
		const font = getComputedStyle(document.body).fontFamily;
		if (font.indexOf("system-ui") < 0) return "body font " + font + " (no Pico)";
		return typeof htmx === "undefined" ? "htmx did not load" : "";
	}`))
	b.shot("persona-first-load")
}
