// Package e2e holds Persona Pal's end-to-end tests: user stories driven in a
// real, headless Chromium (through chromedp) against the real personapal
// binary, built from this module and started with demo data on 127.0.0.1.
//
// The package has no code of its own; everything is in its _test.go files.
// Run the tests with
//
//	go test ./internal/e2e -v -count=1
//
// They need Chromium: the CHROMIUM environment variable, or /usr/bin/chromium
// (Debian's chromium package). Without it they are skipped, except when the
// CI environment variable is set: CI must never skip them. A failing step
// prints what the page showed (its URL and text) and saves a full-page
// screenshot under $TMPDIR/personapal-e2e/.
package e2e
