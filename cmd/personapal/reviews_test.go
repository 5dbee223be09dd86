package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// `personapal reviews digest` queues the demo owner's digest once a week;
// --again queues it again; the outbox lists what it queued.
func TestReviewsDigestCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "reviews.db")
	if code, out, errOut := cli(t, "demo", "--db", db); code != 0 {
		t.Fatalf("demo: %d %s %s", code, out, errOut)
	}
	code, out, errOut := cli(t, "reviews", "digest", "--db", db, "--base-url", "https://pp.example.com")
	if code != 0 || !strings.HasPrefix(out, "queued 1 digests") {
		t.Fatalf("reviews digest: %d %q %s", code, out, errOut)
	}
	if code, out, _ = cli(t, "reviews", "digest", "--db", db); code != 0 || !strings.Contains(out, "queued 0 digests") || !strings.Contains(out, "already sent") {
		t.Errorf("the same week again: %d %q", code, out)
	}
	if code, out, _ = cli(t, "reviews", "digest", "--again", "--db", db); code != 0 || !strings.HasPrefix(out, "queued 1 digests") {
		t.Errorf("--again: %d %q", code, out)
	}
	code, out, _ = cli(t, "outbox", "list", "--db", db)
	if code != 0 || strings.Count(out, "your review in Ledgerline") != 2 {
		t.Errorf("outbox list: %d\n%s", code, out)
	}
	if code, _, errOut = cli(t, "reviews", "digest", "--db", db, "--base-url", "not a url"); code != 2 || !strings.Contains(errOut, "--base-url") {
		t.Errorf("a bad --base-url: %d %s", code, errOut)
	}
}
