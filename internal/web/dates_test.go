package web

import (
	"strings"
	"testing"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

// TestDatesReadAsTheAppShowsThem: every calendar day the app shows reads
// "20 Jun 2026" — a date field's stored ISO value, the last review, the
// evidence's collection date — inside a <time> that keeps the ISO day for
// machines; what is not a day stays as it was typed, escaped.
func TestDatesReadAsTheAppShowsThem(t *testing.T) {
	for in, want := range map[string]string{
		"2026-06-20": "20 Jun 2026",
		"2026-01-05": "5 Jan 2026",
		"2026-13-40": "2026-13-40",
		"last year":  "last year",
	} {
		if got := dayText(in); got != want {
			t.Errorf("dayText(%q) = %q, want %q", in, got, want)
		}
	}
	if got := string(dayHTML("2026-06-20")); got != `<time datetime="2026-06-20">20 Jun 2026</time>` {
		t.Errorf("dayHTML of a day: %s", got)
	}
	at := time.Date(2026, 3, 9, 23, 30, 0, 0, time.UTC)
	if got := string(dayHTML(at)); got != `<time datetime="2026-03-09">9 Mar 2026</time>` {
		t.Errorf("dayHTML of a time: %s", got)
	}
	if got := string(dayHTML("<b>soon</b>")); got != "&lt;b&gt;soon&lt;/b&gt;" {
		t.Errorf("dayHTML of a hostile text: %s", got)
	}
	if got := funcs["date"].(func(time.Time) string)(at); got != "9 Mar 2026" {
		t.Errorf("the date func writes %q", got)
	}
	if got := funcs["datetime"].(func(time.Time) string)(at.In(time.FixedZone("CET", 3600))); got != "9 Mar 2026, 23:30 UTC" {
		t.Errorf("the datetime func writes %q (it must say UTC and be in UTC)", got)
	}
	f := persona.Field{Key: "since", Label: "Customer since", Kind: persona.KindDate}
	if got := string(fieldValueHTML(f, "2025-11-30")); !strings.Contains(got, `<time datetime="2025-11-30">30 Nov 2025</time>`) {
		t.Errorf("a date field's value renders as %s", got)
	}
}
